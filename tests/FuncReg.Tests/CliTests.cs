using System.Globalization;
using FuncReg.Cli.Commands;

namespace FuncReg.Tests;

/// <summary>The <c>funcreg compare</c> command, run in-process with its console output captured.</summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Cli.CliRunner.RunWithWidth(200, args);

    private static string[] Row(string output, string name)
    {
        string row = Assert.Single(output.Split('\n'), l => l.Contains($"│ {name} │", StringComparison.Ordinal) || l.Contains($" {name} │", StringComparison.Ordinal));
        return [.. row.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public void Compare_prints_a_row_for_every_technique_and_writes_the_report()
    {
        string dir = Directory.CreateTempSubdirectory("funcreg-cli").FullName;
        try
        {
            string report = Path.Combine(dir, "r.html");
            var (code, output, error) = Run("compare", "--epochs", "30", "--seed", "3", "--report", report);
            Assert.Equal(0, code);
            Assert.Equal("", error);
            Assert.Contains("football2d", output, StringComparison.Ordinal);
            Assert.Contains("30 steps", output, StringComparison.Ordinal);
            foreach (string header in new[] { "technique", "train acc", "val acc", "test acc", "gap", "best epoch", "epochs", "near-zero w", "seconds" })
            {
                Assert.Contains(header, output, StringComparison.Ordinal);
            }
            var techniques = Football2DComparison.Techniques(30, 169);
            Assert.Equal(10, techniques.Count);
            foreach (CompareTechnique t in techniques)
            {
                string[] cells = Row(output, t.Name);
                Assert.Equal(9, cells.Length);
                Assert.Equal(t.Name, cells[0]);
                double train = double.Parse(cells[1], CultureInfo.InvariantCulture), test = double.Parse(cells[3], CultureInfo.InvariantCulture);
                Assert.InRange(train, 0, 1);
                Assert.InRange(double.Parse(cells[2], CultureInfo.InvariantCulture), 0, 1); // validation accuracy
                Assert.InRange(test, 0, 1);
                Assert.Equal(train - test, double.Parse(cells[4], CultureInfo.InvariantCulture), 0.0011); // gap
                int epochs = int.Parse(cells[6], CultureInfo.InvariantCulture);
                Assert.InRange(epochs, 1, 30);
                Assert.InRange(int.Parse(cells[5], CultureInfo.InvariantCulture), 1, epochs); // best epoch
                Assert.InRange(double.Parse(cells[7], CultureInfo.InvariantCulture), 0, 1);
            }
            Assert.Contains($"report: {report}", output, StringComparison.Ordinal);
            string html = File.ReadAllText(report);
            Assert.Equal(10, CountOf(html, "<svg class=\"loss-chart\""));
            Assert.Equal(10, CountOf(html, "<svg class=\"boundary-chart\""));
            Assert.Equal(10, CountOf(html, "<svg class=\"weight-chart\""));
            Assert.Equal(["r.html"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Compare_runs_the_chosen_techniques_only_and_no_report_writes_nothing()
    {
        string dir = Directory.CreateTempSubdirectory("funcreg-cli").FullName;
        string previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = dir;
            var (code, output, error) = Run("compare", "--epochs", "10", "--techniques", "none, L2 ,early-stopping", "--no-report");
            Assert.Equal(0, code);
            Assert.Equal("", error);
            string[] rows = [.. output.Split('\n').Where(l => l.StartsWith('│') && !l.Contains("technique", StringComparison.Ordinal))];
            Assert.Equal(3, rows.Length);
            Assert.Equal("none", Row(output, "none")[0]);
            Assert.DoesNotContain("dropout", output, StringComparison.Ordinal);
            Assert.DoesNotContain("report:", output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Compare_techniques_build_and_train()
    {
        var (train, _) = Datasets.Football2D();
        foreach (CompareTechnique t in Football2DComparison.Techniques(5, train.Count))
        {
            var model = Reference.Build(t.Spec, seed: 3);
            FitOptions options = t.Customize(new FitOptions { Epochs = 5, BatchSize = train.Count, Optimizer = new SGD(0.3), Shuffle = false, Validation = train });
            History h = model.Fit(train, options);
            Assert.True(h.Epochs.Count is >= 1 and <= 5, t.Name);
            Assert.InRange(TechniqueRunner.NearZeroFraction(model), 0, 1);
        }
    }

    [Fact]
    public void Fashion_mnist_techniques_run_on_image_shaped_data()
    {
        // synthetic 28×28 images: the real files are not needed to check that every spec compiles and trains
        var rng = new Random(5);
        int n = 120;
        float[] x = [.. Enumerable.Range(0, n * 784).Select(_ => (float)rng.NextDouble())];
        int[] y = [.. Enumerable.Range(0, n).Select(i => i % 10)];
        Dataset images = Dataset.From(x, y, [28, 28, 1]);
        ComparisonSetup setup = FashionMnistComparison.Create(images, images.Slice(0, 30), subset: 100, epochs: 2, seed: 3, lr: 1e-3);
        Assert.Equal(80, setup.Train.Count);
        Assert.Equal(20, setup.Validation.Count);
        Assert.Equal(10, setup.Techniques.Count);
        Assert.Contains(setup.Techniques, t => t.Key == "augmentation");
        foreach (CompareTechnique t in setup.Techniques)
        {
            var r = TechniqueRunner.Run(setup, t, seed: 3, threads: 1);
            Assert.InRange(r.EpochsRun, 1, 2);
            Assert.Equal(r.EpochsRun, r.ValLoss.Length);
            Assert.Equal((784 * 256) + (256 * 128) + (128 * 10), r.KernelWeights.Length);
            Assert.Null(r.Boundary);
        }
    }

    [Theory]
    [InlineData("--epochs must be ≥ 1", "--epochs", "0")]
    [InlineData("--epochs must be ≥ 1", "--epochs", "-5")]
    [InlineData("--lr must be a positive number", "--lr", "0")]
    [InlineData("--threads must be ≥ 1", "--threads", "0")]
    [InlineData("--dataset must be football2d or fashion-mnist", "--dataset", "mnist")]
    [InlineData("--data and --subset apply to --dataset fashion-mnist only", "--subset", "500")]
    [InlineData("unknown technique 'l3'", "--techniques", "none,l3")]
    [InlineData("augmentation needs image data", "--techniques", "augmentation")]
    [InlineData("--report directory", "--report", "/nonexistent-funcreg/r.html")]
    [InlineData("--report must name a file", "--report", "/tmp")]
    public void Compare_rejects_bad_arguments_with_exit_code_2(string message, string option, string value)
    {
        var (code, output, error) = Run("compare", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("technique │", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_rejects_a_missing_data_directory_and_a_tiny_subset()
    {
        Assert.Contains("does not exist", Run("compare", "--dataset", "fashion-mnist", "--data", "/nonexistent-funcreg").Err, StringComparison.Ordinal);
        var (code, _, error) = Run("compare", "--dataset", "fashion-mnist", "--subset", "5");
        Assert.Equal(2, code);
        Assert.Contains("--subset must be ≥ 20", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Near_zero_fraction_counts_small_kernel_weights_only()
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(2, Activation.Sigmoid) { BiasInitializer = Initializer.Zeros }), seed: 1);
        Span<float> k = model.Parameters[0].Values;
        k[0] = 0;
        k[1] = 5e-4f;
        k[2] = 1;
        k[3] = -1;
        Assert.Equal(0.5, TechniqueRunner.NearZeroFraction(model));
    }

    [Fact]
    public void Best_epoch_index_skips_missing_values()
    {
        Assert.Equal(2, TechniqueRunner.ArgMin([3, double.NaN, 1, 2]));
        Assert.Equal(1, TechniqueRunner.ArgMin([double.NaN, double.NaN]));
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
