namespace FuncReg.Tests.Data;

/// <summary>A fact that is skipped, saying how to get the data, when the Fashion-MNIST files are not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (FashionMnist.Find() is null)
        {
            Skip = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set FUNCREG_FASHION_MNIST).";
        }
    }
}

public sealed class FashionMnistTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private static readonly Lazy<(Dataset Train, Dataset Test)> Real = new(() => FashionMnist.Load());

    [FashionMnistFact]
    public void Real_files_have_the_published_counts_shape_and_balanced_classes()
    {
        (Dataset train, Dataset test) = Real.Value;
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal([28, 28, 1], train.SampleShape);
        Assert.Equal(Enumerable.Repeat(6_000, 10), Histogram(train));
        Assert.Equal(Enumerable.Repeat(1_000, 10), Histogram(test));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in train.Features)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }

    [FashionMnistFact]
    public void Real_files_are_found_in_the_package_directory()
    {
        string dir = FashionMnist.Find()!;
        Assert.Equal(10_000, FashionMnist.Load(dir, PixelScaling.Raw).Test.Count);
    }

    private static int[] Histogram(Dataset d)
    {
        var h = new int[10];
        foreach (int l in d.Labels)
        {
            h[l]++;
        }
        return h;
    }

    [Fact]
    public void Loads_the_four_standard_files_from_a_given_directory_plain_or_gz()
    {
        files.Images("train-images-idx3-ubyte.gz", 4, 28, 28, gzip: true);
        files.Labels("train-labels-idx1-ubyte", [0, 9, 3, 3]);
        files.Images("t10k-images-idx3-ubyte", 2, 28, 28);
        files.Labels("t10k-labels-idx1-ubyte.gz", [5, 1], gzip: true);
        (Dataset train, Dataset test) = FashionMnist.Load(files.Directory);
        Assert.Equal([0, 9, 3, 3], train.Labels.ToArray());
        Assert.Equal([5, 1], test.Labels.ToArray());
        Assert.Equal(files.Directory, FashionMnist.Find(files.Directory));
    }

    [Fact]
    public void Labels_above_nine_are_rejected()
    {
        files.Images("train-images-idx3-ubyte", 1, 28, 28);
        files.Labels("train-labels-idx1-ubyte", [10]);
        files.Images("t10k-images-idx3-ubyte", 1, 28, 28);
        files.Labels("t10k-labels-idx1-ubyte", [0]);
        Assert.Contains("[0, 9]", Assert.Throws<DataFormatException>(() => FashionMnist.Load(files.Directory)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_say_how_to_get_the_data()
    {
        files.Images("train-images-idx3-ubyte", 1, 28, 28);
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(files.Directory));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
        Assert.Null(FashionMnist.Find(files.Directory));
    }

    [Fact]
    public void Missing_directory_is_directory_not_found()
    {
        string missing = files.Path("absent");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(missing)).Message, StringComparison.Ordinal);
        Assert.Null(FashionMnist.Find(missing));
    }
}
