using System.Globalization;
using System.Text;
using FuncReg.Cli.Commands;
using FuncReg.Tests.Data;

namespace FuncReg.Tests.Cli;

/// <summary>
/// The campaign's CLI failures (issue 12) as regression tests: each must end with exit code 2 and one line on stderr
/// that names the problem — no stack trace — and must not touch any output file.
/// </summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public sealed class CliFailureTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private static string OneLineError((int Code, string Out, string Err) run, params string[] mentions)
    {
        var (code, _, err) = run;
        Assert.True(code == CliErrors.BadInput, $"exit {code}: {err}");
        string[] lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        foreach (string m in mentions)
        {
            Assert.Contains(m, line, StringComparison.Ordinal);
        }
        return line;
    }

    private string Csv(string name, IEnumerable<string> rows) => files.Text(name, "x1,x2,y\n" + string.Join("\n", rows) + "\n");

    private string Model(string name, string json) => files.Text(name, json);

    private const string TwoInputNet = """{"inputs": 2, "layers": [{"type": "dense", "units": 20, "activation": "relu"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""";

    [Fact]
    public void Inputs_near_float_max_give_a_one_line_divergence_error_and_no_files()
    {
        string csv = Csv("huge.csv", Enumerable.Range(0, 40).Select(i => string.Create(CultureInfo.InvariantCulture, $"{(i % 2 == 0 ? 3e38 : -3e38)},{3e38 * ((i % 3) - 1)},{i % 2}")));
        string save = files.Path("net.safetensors");
        string ckpt = files.Path("ckpt");
        OneLineError(CliRunner.Run("train", "--model", Model("net.json", TwoInputNet), "--csv", csv, "--label", "y", "--epochs", "3", "--save", save, "--checkpoint", ckpt), "learning rate");
        Assert.False(File.Exists(save));
        Assert.Empty(Directory.Exists(ckpt) ? Directory.EnumerateFiles(ckpt, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void A_diverging_run_saves_nothing_and_exits_2()
    {
        var rng = new System.Random(3);
        string csv = Csv("big.csv", Enumerable.Range(0, 64).Select(i => string.Create(CultureInfo.InvariantCulture, $"{(rng.NextDouble() - 0.5) * 2e20},{(rng.NextDouble() - 0.5) * 2e20},{i % 2}")));
        string save = files.Path("net.safetensors");
        OneLineError(CliRunner.Run("train", "--model", Model("net.json", TwoInputNet), "--csv", csv, "--label", "y", "--epochs", "5", "--optimizer", "sgd", "--lr", "1e6", "--validation-split", "0", "--save", save));
        Assert.False(File.Exists(save));
    }

    [Fact]
    public void A_bad_test_csv_is_reported_before_training_and_before_save()
    {
        string train = Csv("train.csv", Enumerable.Range(0, 20).Select(i => $"{i % 3},{i % 5},{i % 2}"));
        string test = Csv("test.csv", ["1,2,7", "0,1,0"]); // label 7 on a one-sigmoid model
        string save = files.Path("net.safetensors");
        var run = CliRunner.Run("train", "--model", Model("net.json", TwoInputNet), "--csv", train, "--test-csv", test, "--label", "y", "--epochs", "2", "--save", save);
        OneLineError(run, "test data", "label 7");
        Assert.DoesNotContain("epoch 1/", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(save));

        string wide = files.Text("wide.csv", "x1,x2,x3,y\n1,2,3,0\n");
        run = CliRunner.Run("train", "--model", Model("net.json", TwoInputNet), "--csv", train, "--test-csv", wide, "--label", "y", "--epochs", "2", "--save", save);
        OneLineError(run, "test data", "3 features");
        Assert.False(File.Exists(save));
    }

    [Fact]
    public void Output_paths_are_checked_before_training()
    {
        string train = Csv("train.csv", Enumerable.Range(0, 20).Select(i => $"{i % 3},{i % 5},{i % 2}"));
        string model = Model("net.json", TwoInputNet);
        var run = CliRunner.Run("train", "--model", model, "--csv", train, "--label", "y", "--epochs", "2", "--save", files.Directory);
        OneLineError(run, "is a directory");
        Assert.DoesNotContain("epoch 1/", run.Out, StringComparison.Ordinal);
        string blocker = files.Text("blocker", "not a directory");
        OneLineError(CliRunner.Run("train", "--model", model, "--csv", train, "--label", "y", "--epochs", "2", "--save", Path.Combine(blocker, "net.safetensors")), "is a file");
        OneLineError(CliRunner.Run("train", "--model", model, "--csv", train, "--label", "y", "--epochs", "2", "--checkpoint", blocker), "is a file");
    }

    [Theory]
    [InlineData("""{"inputs": 2, "layers": [{"type": "dense", "units": 2000000000}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""", "$.layers[0]")]
    [InlineData("""{"input_shape": [65536, 65536, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""", "$.")]
    [InlineData("""{"inputs": 2, "layers": [5, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""", "$.layers[0]")]
    [InlineData("""{"inputs": 2, "layers": [{"type": "dense", "units": 1, "activation": "sigmoid", "kernel_constraint": {"unit_norm": "x"}}]}""", "$.layers[0].kernel_constraint.unit_norm")]
    [InlineData("""{"input_shape": [8, 8, 1], "layers": [{"type": "conv2d", "filters": 2, "kernel_size": 2147483647, "padding": "same"}, {"type": "flatten"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""", "$.layers[0]")]
    public void Model_files_that_crashed_or_were_accepted_are_one_line_errors(string json, string at)
    {
        string csv = Csv("train.csv", ["1,2,0", "2,1,1"]);
        OneLineError(CliRunner.Run("train", "--model", Model("m.json", json), "--csv", csv, "--label", "y", "--epochs", "1", "--validation-split", "0"), "m.json", at);
    }

    [Fact]
    public void A_model_file_with_invalid_utf8_is_a_one_line_error()
    {
        byte[] json = Encoding.UTF8.GetBytes(TwoInputNet.Replace("relu", "r\u00e9lu", StringComparison.Ordinal));
        int at = Array.IndexOf(json, (byte)0xC3);
        json[at + 1] = 0x28; // a lead byte followed by a non-continuation byte
        string path = files.Write("bad.json", json);
        string csv = Csv("train.csv", ["1,2,0", "2,1,1"]);
        OneLineError(CliRunner.Run("train", "--model", path, "--csv", csv, "--label", "y", "--epochs", "1", "--validation-split", "0"), "bad.json");
    }

    [Fact]
    public void An_idx_header_of_two_to_the_thirty_squared_with_no_pixels_is_a_one_line_error()
    {
        files.Write("train-images-idx3-ubyte", DataFixtures.IdxBytes(Idx.ImagesMagic, [0, 1 << 30, 1 << 30], []));
        files.Write("train-labels-idx1-ubyte", DataFixtures.IdxBytes(Idx.LabelsMagic, [0], []));
        files.Write("t10k-images-idx3-ubyte", DataFixtures.IdxBytes(Idx.ImagesMagic, [0, 1 << 30, 1 << 30], []));
        files.Write("t10k-labels-idx1-ubyte", DataFixtures.IdxBytes(Idx.LabelsMagic, [0], []));
        OneLineError(CliRunner.Run("train", "--preset", "mlp", "--data", files.Directory, "--epochs", "1"), "train-images-idx3-ubyte");
    }

    [Fact]
    public void Weights_with_invalid_utf8_in_the_header_are_a_one_line_error()
    {
        string weights = files.Path("w.safetensors");
        Reference.Build(ModelSelectionFootball(), seed: 1).Save(weights, new Dictionary<string, string> { ["note"] = "caf\u00e9" });
        byte[] bytes = File.ReadAllBytes(weights);
        int at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at + 1] = 0xFF;
        File.WriteAllBytes(weights, bytes);
        OneLineError(CliRunner.Run("evaluate", "--preset", "football", "--weights", weights), "w.safetensors");
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_with_exit_70()
    {
        var error = new StringWriter();
        int code = CliErrors.Report(new NullReferenceException("boom\nsecond line"), error);
        Assert.Equal(CliErrors.Internal, code);
        string line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("internal error: System.NullReferenceException: boom second line", line, StringComparison.Ordinal);
    }

    private static Sequential ModelSelectionFootball() => ModelSelection.FootballSpec;
}
