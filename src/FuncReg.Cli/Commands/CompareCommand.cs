using System.CommandLine;
using System.Globalization;
using FuncReg.Cli.Report;
using Spectre.Console;

namespace FuncReg.Cli.Commands;

/// <summary>
/// <c>funcreg compare</c>: the same network, data and seed trained with each regularization technique, reported side
/// by side (train / validation / test accuracy, generalization gap, best epoch, epochs run, sparsity, time) in a
/// console table and a self-contained <c>report.html</c> (<see cref="HtmlReport"/>).
/// </summary>
internal static class CompareCommand
{
    public const string Football2D = "football2d";
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>Every technique key, in table order; <c>augmentation</c> needs image data, <c>max-norm</c> is football2d's extra.</summary>
    public static readonly IReadOnlyList<string> TechniqueKeys =
        ["none", "l1", "l2", "l1l2", "dropout", "batchnorm", "early-stopping", "augmentation", "weight-decay", "max-norm", "combined"];

    /// <summary>The validated options of one run.</summary>
    internal sealed record Settings(string Dataset, string? DataDirectory, int Subset, int Epochs, long Seed, double LearningRate, int Threads, string? ReportPath, IReadOnlyList<string>? Techniques)
    {
        /// <summary>Fashion-MNIST's network: <see cref="FashionMnistComparison.Mlp"/> or <see cref="FashionMnistComparison.Cnn"/>.</summary>
        public string Model { get; init; } = FashionMnistComparison.Mlp;

        public string CommandLine
        {
            get
            {
                var s = new List<string> { "funcreg compare", $"--dataset {Dataset}" };
                if (Dataset == FashionMnistName)
                {
                    s.Add(string.Create(CultureInfo.InvariantCulture, $"--subset {Subset}"));
                    if (Model != FashionMnistComparison.Mlp)
                    {
                        s.Add($"--model {Model}");
                    }
                }
                s.Add(string.Create(CultureInfo.InvariantCulture, $"--epochs {Epochs} --seed {Seed} --lr {LearningRate}"));
                if (Techniques is not null)
                {
                    s.Add($"--techniques {string.Join(',', Techniques)}");
                }
                return string.Join(' ', s);
            }
        }
    }

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "football2d (embedded, the default) or fashion-mnist (IDX files, see --data).", DefaultValueFactory = _ => Football2D };
        var data = new Option<string?>("--data") { Description = "Directory holding the Fashion-MNIST IDX files (default: searched, see FashionMnist.Load)." };
        var subset = new Option<int?>("--subset") { Description = $"Fashion-MNIST: stratified training subset size (default {FashionMnistComparison.DefaultSubset}); 20 % of it is held out for validation." };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs per technique (default {Football2DComparison.DefaultEpochs} full-batch steps on football2d, {FashionMnistComparison.DefaultEpochs} on fashion-mnist)." };
        var seed = new Option<long>("--seed") { Description = "Seed of initialization, dropout masks, shuffling, augmentation and the splits.", DefaultValueFactory = _ => 3 };
        var lr = new Option<double?>("--lr") { Description = $"Learning rate (default: SGD {Football2DComparison.DefaultLearningRate} on football2d, Adam {FashionMnistComparison.DefaultLearningRate} on fashion-mnist)." };
        var threads = new Option<int?>("--threads") { Description = "GEMM threads (results do not depend on it; default 1 on football2d, all cores on fashion-mnist)." };
        var model = new Option<string?>("--model") { Description = "fashion-mnist's network: mlp (784-256-128-10, the default) or cnn (the cnn preset's two conv/pool blocks, 128, 10)." };
        var report = new Option<string>("--report") { Description = "Where to write the HTML report.", DefaultValueFactory = _ => "report.html" };
        var noReport = new Option<bool>("--no-report") { Description = "Do not write the HTML report." };
        var techniques = new Option<string?>("--techniques") { Description = $"Comma-separated subset of: {string.Join(", ", TechniqueKeys)} (default: all that apply)." };
        var cmd = new Command("compare", "Train one network on the same data and seed with no regularization, L1, L2, L1L2, dropout, batch norm, early stopping, augmentation, weight decay and a combination; print a table and write report.html.")
        {
            dataset,
            data,
            subset,
            epochs,
            seed,
            lr,
            threads,
            model,
            report,
            noReport,
            techniques,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var (settings, error) = Validate(
                parse.GetValue(dataset)!,
                parse.GetValue(data),
                parse.GetValue(subset),
                parse.GetValue(epochs),
                parse.GetValue(seed),
                parse.GetValue(lr),
                parse.GetValue(threads),
                parse.GetValue(noReport) ? null : parse.GetValue(report),
                parse.GetValue(techniques),
                parse.GetValue(model));
            if (settings is null)
            {
                Console.Error.WriteLine($"error: {error}");
                return 2;
            }
            return Run(settings);
        }));
        return cmd;
    }

    /// <summary>Checks the options and fills in the dataset's defaults; returns the settings or an error message.</summary>
    internal static (Settings? Settings, string? Error) Validate(string dataset, string? data, int? subset, int? epochs, long seed, double? lr, int? threads, string? reportPath, string? techniques, string? model = null)
    {
        bool fashion = dataset == FashionMnistName;
        if (!fashion && dataset != Football2D)
        {
            return (null, $"--dataset must be {Football2D} or {FashionMnistName}, not '{dataset}'.");
        }
        if (model is not null && !fashion)
        {
            return (null, "--model applies to --dataset fashion-mnist only (football2d has its own [2, 20, 3, 1] network).");
        }
        if (model is not null && model != FashionMnistComparison.Mlp && model != FashionMnistComparison.Cnn)
        {
            return (null, $"--model must be {FashionMnistComparison.Mlp} or {FashionMnistComparison.Cnn}, not '{model}'.");
        }
        if (!fashion && (data is not null || subset is not null))
        {
            return (null, "--data and --subset apply to --dataset fashion-mnist only (football2d is embedded).");
        }
        if (data is not null && !Directory.Exists(data))
        {
            return (null, $"--data directory '{data}' does not exist.");
        }
        if (subset is < 20)
        {
            return (null, $"--subset must be ≥ 20 (two images per class for the validation split), not {subset}.");
        }
        if (epochs is < 1)
        {
            return (null, $"--epochs must be ≥ 1, not {epochs}.");
        }
        if (lr is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"--lr must be a positive number, not {rate}."));
        }
        if (threads is < 1)
        {
            return (null, $"--threads must be ≥ 1, not {threads}.");
        }
        if (reportPath is not null)
        {
            if (reportPath.Length == 0 || Directory.Exists(reportPath))
            {
                return (null, $"--report must name a file, not '{reportPath}'.");
            }
            string? dir = Path.GetDirectoryName(Path.GetFullPath(reportPath));
            if (dir is null || !Directory.Exists(dir))
            {
                return (null, $"--report directory '{dir}' does not exist.");
            }
        }
        List<string>? picked = null;
        if (techniques is not null)
        {
            picked = [.. techniques.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).Distinct()];
            string? unknown = picked.FirstOrDefault(t => !TechniqueKeys.Contains(t));
            if (picked.Count == 0 || unknown is not null)
            {
                return (null, $"--techniques: unknown technique '{unknown ?? techniques}'; choose from {string.Join(", ", TechniqueKeys)}.");
            }
            if (!fashion && picked.Contains("augmentation"))
            {
                return (null, "--techniques: augmentation needs image data (--dataset fashion-mnist); football2d has 2 features per sample.");
            }
            if (fashion && picked.Contains("max-norm"))
            {
                return (null, "--techniques: max-norm is part of the football2d comparison only.");
            }
        }
        var settings = new Settings(
            dataset,
            data,
            subset ?? FashionMnistComparison.DefaultSubset,
            epochs ?? (fashion ? FashionMnistComparison.DefaultEpochs : Football2DComparison.DefaultEpochs),
            seed,
            lr ?? (fashion ? FashionMnistComparison.DefaultLearningRate : Football2DComparison.DefaultLearningRate),
            Math.Min(threads ?? (fashion ? Environment.ProcessorCount : 1), Environment.ProcessorCount),
            reportPath,
            picked)
        { Model = model ?? FashionMnistComparison.Mlp };
        return (settings, null);
    }

    private static int Run(Settings s)
    {
        bool fashion = s.Dataset == FashionMnistName;
        ComparisonSetup setup = fashion
            ? FashionMnistComparison.Create(s.DataDirectory, s.Subset, s.Epochs, s.Seed, s.LearningRate, s.Model)
            : Football2DComparison.Create(s.Epochs, s.Seed, s.LearningRate);
        IEnumerable<CompareTechnique> chosen = setup.Techniques;
        if (s.Techniques is { } keys)
        {
            chosen = chosen.Where(t => keys.Contains(t.Key));
        }
        var results = new List<TechniqueResult>();
        foreach (CompareTechnique t in chosen)
        {
            if (fashion)
            {
                Console.Error.WriteLine($"training: {t.Name}");
            }
            results.Add(TechniqueRunner.Run(setup, t, s.Seed, s.Threads));
        }
        PrintTable(setup.Title, results);
        if (s.ReportPath is { } path)
        {
            (float[], int[])? points = setup.Test.SampleSize == 2 ? (setup.Test.Features.ToArray(), setup.Test.Labels.ToArray()) : null;
            HtmlReport.Write(new ComparisonReport(setup.Title, s.CommandLine, setup.Notes, results, points), path);
            AnsiConsole.WriteLine($"report: {path}");
        }
        return 0;
    }

    private static void PrintTable(string title, IReadOnlyList<TechniqueResult> results)
    {
        var table = new Table().Title(Markup.Escape(title));
        foreach (string h in ResultsTable.Headers)
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }
        foreach (TechniqueResult r in results)
        {
            table.AddRow([.. ResultsTable.Cells(r).Select(Markup.Escape)]);
        }
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        }
        AnsiConsole.Write(table);
    }
}
