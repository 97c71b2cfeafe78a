using System.CommandLine;
using System.Globalization;
using FuncReg.Cli.Commands;
using Spectre.Console;

namespace FuncReg.Tests;

/// <summary>The <c>funcreg compare</c> command, run in-process with its console output captured.</summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("funcreg");
        root.Subcommands.Add(CompareCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        IAnsiConsole previousAnsi = AnsiConsole.Console;
        TextWriter previousError = Console.Error;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        AnsiConsole.Console.Profile.Width = 200;
        Console.SetError(error);
        try
        {
            int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetError(previousError);
            AnsiConsole.Console = previousAnsi;
        }
    }

    [Fact]
    public void Compare_prints_a_row_for_every_technique()
    {
        var (code, output, error) = Run("compare", "--epochs", "30", "--seed", "3");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("football2d", output, StringComparison.Ordinal);
        Assert.Contains("30 steps", output, StringComparison.Ordinal);
        foreach (string header in new[] { "technique", "train acc", "test acc", "gap", "epochs", "best epoch", "near-zero w", "seconds" })
        {
            Assert.Contains(header, output, StringComparison.Ordinal);
        }
        var techniques = CompareCommand.Football2DTechniques(30);
        Assert.Equal(7, techniques.Count);
        string[] lines = output.Split('\n');
        foreach (var (name, _, _) in techniques)
        {
            string row = Assert.Single(lines, l => l.Contains(name, StringComparison.Ordinal));
            string[] cells = [.. row.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
            Assert.Equal(8, cells.Length);
            Assert.Equal(name, cells[0]);
            Assert.InRange(double.Parse(cells[1], CultureInfo.InvariantCulture), 0, 1); // train accuracy
            Assert.InRange(double.Parse(cells[2], CultureInfo.InvariantCulture), 0, 1); // test accuracy
            Assert.InRange(int.Parse(cells[4], CultureInfo.InvariantCulture), 1, 30); // epochs run
        }
    }

    [Fact]
    public void Compare_techniques_build_and_train()
    {
        var (train, _) = Datasets.Football2D();
        foreach (var (name, spec, customize) in CompareCommand.Football2DTechniques(5))
        {
            var model = Reference.Build(spec, seed: 3);
            FitOptions options = customize(new FitOptions { Epochs = 5, BatchSize = train.Count, Optimizer = new SGD(0.3), Shuffle = false });
            History h = model.Fit(train, options);
            Assert.True(h.Epochs.Count is >= 1 and <= 5, name);
            Assert.InRange(CompareCommand.NearZeroFraction(model), 0, 1);
        }
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "-5")]
    [InlineData("--lr", "0")]
    public void Compare_rejects_bad_arguments_with_exit_code_2(string option, string value)
    {
        var (code, output, error) = Run("compare", option, value);
        Assert.Equal(2, code);
        Assert.Contains("--epochs must be ≥ 1 and --lr > 0", error, StringComparison.Ordinal);
        Assert.DoesNotContain("technique", output, StringComparison.Ordinal);
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
        Assert.Equal(0.5, CompareCommand.NearZeroFraction(model));
    }
}
