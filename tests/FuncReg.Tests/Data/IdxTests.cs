namespace FuncReg.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loads_images_channels_last_scaled_to_unit_interval(bool gzip)
    {
        string images = files.Images("img", n: 3, rows: 4, cols: 5, gzip);
        string labels = files.Labels("lbl", [2, 0, 1], gzip);
        Dataset d = Idx.Load(images, labels);
        Assert.Equal(3, d.Count);
        Assert.Equal([4, 5, 1], d.SampleShape);
        Assert.Equal([2, 0, 1], d.Labels.ToArray());
        byte[] pixels = DataFixtures.Pixels(3, 4, 5);
        Assert.Equal(pixels.Select(p => p / 255f), d.Features.ToArray());
        Assert.Equal(1f, Idx.Load(files.Images("max", 1, 16, 16), files.Labels("one", [0])).Features[255]);
    }

    [Fact]
    public void Raw_scaling_keeps_the_byte_values()
    {
        Dataset d = Idx.Load(files.Images("img", 2, 3, 3), files.Labels("lbl", [0, 1]), PixelScaling.Raw);
        Assert.Equal(DataFixtures.Pixels(2, 3, 3).Select(p => (float)p), d.Features.ToArray());
    }

    [Fact]
    public void Empty_files_give_an_empty_data_set()
    {
        Dataset d = Idx.Load(files.Images("img", 0, 2, 2), files.Labels("lbl", []));
        Assert.Equal(0, d.Count);
    }

    [Fact]
    public void Wrong_magic_number_names_the_file_offset_and_expected_magic()
    {
        string labels = files.Labels("lbl", [0, 1]);
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(labels, labels));
        Assert.Equal(labels, e.Path);
        Assert.Equal(0, e.Offset);
        Assert.Contains("0x00000801", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000803", e.Message, StringComparison.Ordinal);
        Assert.Contains("swapped", e.Message, StringComparison.Ordinal);

        string junk = files.Write("junk", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(junk));
        Assert.Contains("0x504B0304", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_header_or_data_is_reported_with_the_offset()
    {
        string shortHeader = files.Write("h", [0, 0, 8, 3, 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(shortHeader));
        Assert.Equal(6, e.Offset);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);

        byte[] full = DataFixtures.IdxBytes(Idx.ImagesMagic, [2, 3, 3], DataFixtures.Pixels(2, 3, 3));
        string cut = files.Write("cut", full[..^5], gzip: true);
        e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(cut));
        Assert.Equal(cut, e.Path);
        Assert.Equal(full.Length - 5, e.Offset);
        Assert.Contains($"need {full.Length} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_after_the_data_are_rejected()
    {
        string path = files.Write("long", DataFixtures.IdxBytes(Idx.LabelsMagic, [2], [1, 2, 3]));
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));
        Assert.Equal(10, e.Offset);
        Assert.Contains("end of the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_is_a_format_error()
    {
        string path = files.Write("bad.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        string images = files.Images("img", 3, 2, 2);
        string labels = files.Labels("lbl", [0, 1]);
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Equal(labels, e.Path);
        Assert.Contains("2 labels", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_out_of_range_names_the_sample_and_offset()
    {
        string images = files.Images("img", 3, 2, 2);
        string labels = files.Labels("lbl", [0, 9, 10]);
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels, classes: 10));
        Assert.Equal(10, e.Offset);
        Assert.Contains("label 10 of sample 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, Idx.Load(images, labels).Count);
    }

    [Fact]
    public void Missing_file_is_file_not_found()
    {
        string missing = files.Path("nope");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.Load(missing, missing));
        Assert.Equal(missing, e.FileName);
    }
}
