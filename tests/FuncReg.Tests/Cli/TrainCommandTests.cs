using System.Globalization;
using FuncReg.Cli.Commands;
using FuncReg.Tests.Checkpoints;

namespace FuncReg.Tests.Cli;

/// <summary><c>funcreg train</c> and <c>evaluate</c>, run in-process with their console output captured.</summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public class TrainCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static double Accuracy(string output, string split)
    {
        string line = Assert.Single(output.Split('\n'), l => l.StartsWith(split + ": loss", StringComparison.Ordinal));
        string value = line.Split("accuracy ")[1].Split(' ')[0];
        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Train_football_prints_one_line_per_epoch_and_the_accuracies()
    {
        var (code, output, error) = Run("train", "--preset", "football", "--epochs", "5");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Contains("football: 2 → dense 20 relu → dense 3 relu → dense 1 sigmoid; BinaryCrossEntropy", output, StringComparison.Ordinal);
        for (int e = 1; e <= 5; e++)
        {
            Assert.Contains($"epoch {e}/5  loss ", output, StringComparison.Ordinal);
        }
        Assert.InRange(Accuracy(output, "train"), 0, 1);
        Assert.InRange(Accuracy(output, "val"), 0, 1);
        Assert.InRange(Accuracy(output, "test"), 0.5, 1);
    }

    [Fact]
    public void Evaluate_after_train_save_reports_the_same_test_accuracy_and_every_class()
    {
        using var dir = new TempDirectory();
        string weights = dir["net.safetensors"];
        var (code, output, error) = Run("train", "--preset", "football", "--epochs", "4", "--optimizer", "sgd", "--lr", "0.3", "--momentum", "0.9", "--l2", "1e-3", "--save", weights, "--seed", "3");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(weights));
        var (code2, evaluated, error2) = Run("evaluate", "--preset", "football", "--l2", "1e-3", "--weights", weights);
        Assert.True(code2 == 0, error2);
        Assert.Equal(Accuracy(output, "test"), Accuracy(evaluated, "test"));
        Assert.Contains("class", evaluated, StringComparison.Ordinal);
        Assert.Contains("│ 0 ", evaluated, StringComparison.Ordinal);
        Assert.Contains("│ 1 ", evaluated, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctrl_c_writes_a_checkpoint_exits_130_and_resume_finishes_like_an_uninterrupted_run()
    {
        using var dir = new TempDirectory();
        string[] common = ["--preset", "football", "--epochs", "6", "--early-stopping", "3", "--reduce-lr", "1", "--flip", "false", "--noise", "0.05"];
        var (fullCode, full, fullError) = Run(["train", .. common, "--save", dir["full.safetensors"]]);
        Assert.True(fullCode == 0, fullError);

        Func<CancellationTokenSource> previous = TrainCommand.CancellationSource;
        TrainCommand.CancellationSource = () =>
        {
            var cts = new CancellationTokenSource();
            cts.Cancel(); // as if Ctrl-C came before the first epoch
            return cts;
        };
        int code;
        string error;
        try
        {
            (code, _, error) = Run(["train", .. common, "--checkpoint", dir["ckpt"]]);
        }
        finally
        {
            TrainCommand.CancellationSource = previous;
        }
        Assert.Equal(130, code);
        Assert.Contains("interrupted: Cancelled before epoch 0", error, StringComparison.Ordinal);
        Assert.Contains("--resume " + dir["ckpt"], error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Checkpoint.Latest(dir["ckpt"])!, Checkpoint.ManifestFile)));

        var (resumedCode, resumed, resumedError) = Run(["train", .. common, "--resume", dir["ckpt"], "--save", dir["resumed.safetensors"]]);
        Assert.True(resumedCode == 0, resumedError);
        Assert.Contains("resuming from", resumed, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(dir["full.safetensors"]), File.ReadAllBytes(dir["resumed.safetensors"]));
        Assert.Equal(Accuracy(full, "test"), Accuracy(resumed, "test"));
    }

    [Fact]
    public void A_model_file_with_an_error_names_the_json_path_and_exits_2()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["bad.json"], """{ "inputs": 2, "layers": [ { "type": "dense", "units": 8, "activation": "relu" }, { "type": "dense", "units": 1, "activation": "sigmoidd" } ] }""");
        var (code, output, error) = Run("train", "--model", dir["bad.json"], "--csv", dir["none.csv"], "--label", "y");
        Assert.Equal(2, code);
        Assert.Contains(dir["bad.json"], error, StringComparison.Ordinal);
        Assert.Contains("$.layers[1].activation: 'sigmoidd' is not one of", error, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "inputs": 2, "layers": [ { "type": "dropout", "rate": 1.5 }, { "type": "dense", "units": 1, "activation": "sigmoid" } ] }""", "$.layers[0].rate: Rate must be in [0, 1), got 1.5.")]
    [InlineData("""{ "inputs": 2, "layers": [ { "type": "dense", "unit": 1 } ] }""", "$.layers[0].unit: unknown property")]
    [InlineData("""{ "inputs": 2, "layers": [ { "type": "conv", "units": 1 } ] }""", "$.layers[0].type: unknown layer type 'conv'")]
    [InlineData("""{ "inputs": 2 }""", "$.layers: is missing.")]
    [InlineData("""{ "inputs": 2, "layers": [ { "type": "dense", "units": 1 """, "line ")]
    public void Model_file_errors_name_the_json_path(string json, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["m.json"], json);
        var (code, _, error) = Run("train", "--model", dir["m.json"], "--csv", dir["none.csv"], "--label", "y");
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_model_trains_on_csv_data()
    {
        using var dir = new TempDirectory();
        var (train, test) = Datasets.Football2D();
        static string Csv(Dataset d) => "x1,x2,y\n" + string.Concat(Enumerable.Range(0, d.Count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{d.Features[2 * i]},{d.Features[(2 * i) + 1]},{d.Labels[i]}\n")));
        File.WriteAllText(dir["train.csv"], Csv(train));
        File.WriteAllText(dir["test.csv"], Csv(test));
        File.WriteAllText(dir["m.json"], """
            { "inputs": 2, "loss": "binary_cross_entropy",
              "layers": [ { "type": "dense", "units": 16, "activation": "relu", "kernel_regularizer": { "l2": 1e-4 }, "kernel_constraint": { "max_norm": 3 } },
                          { "type": "dropout", "rate": 0.1 },
                          { "type": "dense", "units": 1, "activation": "sigmoid" } ] }
            """);
        var (code, output, error) = Run("train", "--model", dir["m.json"], "--csv", dir["train.csv"], "--test-csv", dir["test.csv"], "--label", "y", "--epochs", "3", "--optimizer", "adamw", "--lr", "0.01", "--clip-norm", "1");
        Assert.True(code == 0, error);
        Assert.Contains("dense 16 relu L2(0.0001) max-norm 3 → dropout 0.1", output, StringComparison.Ordinal);
        Assert.Contains("AdamW lr 0.01, weight decay 0.004, clip norm 1", output, StringComparison.Ordinal);
        Assert.InRange(Accuracy(output, "test"), 0, 1);
    }

    [Theory]
    [InlineData("--epochs", "3")] // no model chosen
    [InlineData("--preset", "football", "--model", "x.json")]
    [InlineData("--preset", "football", "--lr", "-1")]
    [InlineData("--preset", "football", "--optimizer", "adam", "--momentum", "0.9")]
    [InlineData("--preset", "football", "--dropout", "0.2")] // the preset has no dropout layer
    [InlineData("--preset", "football", "--resume", "/nonexistent/ckpt")]
    [InlineData("--preset", "mlp", "--data", "/nonexistent/fashion")]
    public void Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var (code, _, error) = Run(["train", .. args]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_describes_every_option()
    {
        var (code, output, _) = Run("train", "--help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "--preset", "--model", "--data", "--csv", "--optimizer", "--lr", "--l2", "--dropout", "--early-stopping", "--reduce-lr", "--lr-schedule", "--warmup-epochs", "--min-lr", "--decay-epochs", "--decay-rate", "--rotation", "--mixup", "--checkpoint", "--resume", "--save", "--seed", "--threads" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
        Assert.Equal(0, Run("evaluate", "--help").Code);
    }
    [Fact]
    public void Lr_schedule_cosine_with_warm_up_sets_and_prints_every_epochs_rate()
    {
        var (code, output, error) = Run("train", "--preset", "football", "--epochs", "6", "--lr", "0.01", "--lr-schedule", "cosine", "--warmup-epochs", "2", "--min-lr", "0.001");
        Assert.True(code == 0, error);
        Assert.Contains("Adam lr 0.01, cosine decay over 4 epochs to 0.001 after 2 warm-up epochs from 0.003333; 6 epochs", output, StringComparison.Ordinal);
        // warm-up lr·(e+1)/3, then 0.01·(0.9·½(1 + cos(π·(e − 2)/4)) + 0.1)
        string[] rates = ["0.003333", "0.006667", "0.01", "0.008682", "0.0055", "0.002318"];
        for (int e = 0; e < 6; e++)
        {
            Assert.Contains($"epoch {e + 1}/6  loss ", output, StringComparison.Ordinal);
            Assert.Single(output.Split('\n'), l => l.StartsWith($"epoch {e + 1}/6 ", StringComparison.Ordinal) && l.Contains($"  lr {rates[e]}  ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Build_schedule_maps_the_options_onto_the_records()
    {
        Assert.Null(TrainCommand.BuildSchedule(null, 0.1, 10, null, null, null, null));
        Assert.Null(TrainCommand.BuildSchedule("constant", 0.1, 10, null, null, null, null));
        Assert.Equal(new CosineDecay(0.1, 10), TrainCommand.BuildSchedule("cosine", 0.1, 10, null, null, null, null));
        Assert.Equal(new CosineDecay(0.1, 10) { Alpha = 0.01 / 0.1 }, TrainCommand.BuildSchedule("cosine", 0.1, 12, 0, 0.01, 10, null));
        Assert.Equal(new CosineDecay(0.1 / 4, 7) { WarmupTarget = 0.1, WarmupEpochs = 3 }, TrainCommand.BuildSchedule("cosine", 0.1, 10, 3, null, null, null));
        Assert.Equal(new StepDecay(0.1, 5, 0.1), TrainCommand.BuildSchedule("step", 0.1, 10, null, null, 5, null));
        Assert.Equal(new StepDecay(0.1, 5, 0.3), TrainCommand.BuildSchedule("step", 0.1, 10, null, null, 5, 0.3));
        Assert.Equal(new ExponentialDecay(0.1, 1, 0.9), TrainCommand.BuildSchedule("exponential", 0.1, 10, null, null, null, null));
        Assert.Equal(new ExponentialDecay(0.1, 4, 0.5), TrainCommand.BuildSchedule("exponential", 0.1, 10, null, null, 4, 0.5));
    }

    [Theory]
    [InlineData("--lr-schedule cosine --reduce-lr 2", "--lr-schedule and --reduce-lr")]
    [InlineData("--lr-schedule cosine --warmup-epochs 5", "--warmup-epochs must be in [0, epochs − 1] = [0, 4], got 5")]
    [InlineData("--lr-schedule cosine --warmup-epochs -1", "--warmup-epochs must be in [0, epochs − 1]")]
    [InlineData("--lr-schedule cosine --min-lr 0.01", "--min-lr must be in [0, lr) = [0, 0.01), got 0.01")]
    [InlineData("--lr-schedule cosine --decay-epochs 0", "--decay-epochs must be ≥ 1, got 0")]
    [InlineData("--lr-schedule cosine --decay-rate 0.5", "--decay-rate applies to --lr-schedule step and exponential only, not cosine")]
    [InlineData("--lr-schedule cosine --decay-epochs 3", "the rate reaches 0 at epoch 4 of 5: give --min-lr > 0 or --decay-epochs ≥ 5")]
    [InlineData("--lr-schedule step", "--lr-schedule step needs --decay-epochs")]
    [InlineData("--lr-schedule step --decay-epochs 2 --decay-rate 1", "--decay-rate must be in (0, 1), got 1")]
    [InlineData("--lr-schedule exponential --warmup-epochs 1", "--warmup-epochs applies to --lr-schedule cosine only, not exponential")]
    [InlineData("--min-lr 0.001", "--min-lr applies to --lr-schedule cosine only; no --lr-schedule was given")]
    public void Bad_schedule_options_exit_2_with_the_option_and_range(string options, string message)
    {
        var (code, _, error) = Run(["train", "--preset", "football", "--epochs", "5", "--lr", "0.01", .. options.Split(' ')]);
        Assert.Equal(CliErrors.BadInput, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scheduled_run_interrupted_and_resumed_ends_like_an_uninterrupted_one()
    {
        using var dir = new TempDirectory();
        string[] common = ["--preset", "football", "--epochs", "5", "--lr", "0.02", "--lr-schedule", "cosine", "--warmup-epochs", "1", "--min-lr", "0.002", "--noise", "0.05"];
        var (fullCode, _, fullError) = Run(["train", .. common, "--save", dir["full.safetensors"]]);
        Assert.True(fullCode == 0, fullError);

        Func<CancellationTokenSource> previous = TrainCommand.CancellationSource;
        TrainCommand.CancellationSource = () =>
        {
            var cts = new CancellationTokenSource();
            cts.Cancel(); // as if Ctrl-C came before the first epoch
            return cts;
        };
        try
        {
            Assert.Equal(CliErrors.Interrupted, Run(["train", .. common, "--checkpoint", dir["ckpt"]]).Code);
        }
        finally
        {
            TrainCommand.CancellationSource = previous;
        }
        var (code, resumed, error) = Run(["train", .. common, "--resume", dir["ckpt"], "--save", dir["resumed.safetensors"]]);
        Assert.True(code == 0, error);
        Assert.Contains("resuming from", resumed, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(dir["full.safetensors"]), File.ReadAllBytes(dir["resumed.safetensors"]));
    }

    [Fact]
    public void Resuming_with_more_epochs_changes_the_cosine_schedule_and_is_refused()
    {
        using var dir = new TempDirectory();
        var (code, _, error) = Run("train", "--preset", "football", "--epochs", "3", "--lr-schedule", "cosine", "--min-lr", "1e-4", "--checkpoint", dir["ckpt"]);
        Assert.True(code == 0, error);
        var (again, _, refused) = Run("train", "--preset", "football", "--epochs", "5", "--lr-schedule", "cosine", "--min-lr", "1e-4", "--resume", dir["ckpt"]);
        Assert.Equal(CliErrors.BadInput, again);
        Assert.Contains("cosine_decay.decay_epochs = 3; this scheduler has 5", refused, StringComparison.Ordinal);
        var (same, _, sameError) = Run("train", "--preset", "football", "--epochs", "5", "--lr-schedule", "cosine", "--decay-epochs", "3", "--min-lr", "1e-4", "--resume", dir["ckpt"]);
        Assert.True(same == 0, sameError); // the same schedule given explicitly continues
    }
}
