namespace FuncReg.Tests.Data;

public sealed class CsvDataTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private const string Good = "x1,class,x2\n0.5,1,-2\n1e-3,0,3\n\"4\",2,5.25\n";

    [Fact]
    public void Label_column_by_name_or_index_the_rest_are_features_in_order()
    {
        string path = files.Text("good.csv", Good);
        foreach (Dataset d in new[] { CsvData.Load(path, "class"), CsvData.Load(path, 1) })
        {
            Assert.Equal(3, d.Count);
            Assert.Equal([2], d.SampleShape);
            Assert.Equal([0.5f, -2f, 1e-3f, 3f, 4f, 5.25f], d.Features.ToArray());
            Assert.Equal([1, 0, 2], d.Labels.ToArray());
        }
    }

    [Fact]
    public void Value_labels_become_float_targets()
    {
        string path = files.Text("reg.csv", "a,y\n1,0.25\n2,-1.5\n");
        Dataset d = CsvData.Load(path, "y", CsvLabelKind.Value);
        Assert.False(d.HasLabels);
        Assert.Equal([0.25f, -1.5f], d.Targets.ToArray());
    }

    [Theory]
    [InlineData("a,label\n1,0\nabc,1\n", 3, "\"a\" holds \"abc\"")]
    [InlineData("a,label\n1,0\n2,1\nNaN,0\n", 4, "finite")]
    [InlineData("a,label\n1,0\n,1\n", 3, "expected a number")]
    [InlineData("a,label\n1,0\n2,1,3\n", 3, "3 cells; the header has 2")]
    [InlineData("a,label\n1,0\n2,1.5\n", 3, "integer class label")]
    [InlineData("a,label\n1,-1\n", 2, "integer class label")]
    [InlineData("a,label\n1e999,0\n", 2, "finite")]
    public void Bad_cells_name_the_file_line_and_column(string text, int line, string fragment)
    {
        string path = files.Text("bad.csv", text);
        var e = Assert.Throws<DataFormatException>(() => CsvData.Load(path, "label"));
        Assert.Equal(path, e.Path);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_label_column_lists_the_header()
    {
        string path = files.Text("good.csv", Good);
        var e = Assert.Throws<DataFormatException>(() => CsvData.Load(path, "target"));
        Assert.Contains("\"x1\", \"class\", \"x2\"", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<DataFormatException>(() => CsvData.Load(path, 3));
        Assert.Contains("index 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_or_label_only_is_rejected()
    {
        Assert.Contains("empty", Assert.Throws<DataFormatException>(() => CsvData.Load(files.Text("e.csv", ""), 0)).Message, StringComparison.Ordinal);
        Assert.Contains("feature column", Assert.Throws<DataFormatException>(() => CsvData.Load(files.Text("l.csv", "y\n1\n"), "y")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_file_not_found()
    {
        string missing = files.Path("missing.csv");
        Assert.Equal(missing, Assert.Throws<FileNotFoundException>(() => CsvData.Load(missing, 0)).FileName);
    }
}
