using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace FuncReg.Cli.Commands;

/// <summary>
/// <c>funcreg compare</c>: the same network, data and seed trained with each regularization technique,
/// reported side by side (train/test accuracy, generalization gap, epochs, sparsity, time).
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Full-batch SGD steps per technique (one step per epoch).", DefaultValueFactory = _ => 15000 };
        var seed = new Option<long>("--seed") { Description = "Seed of initialization, dropout masks and shuffling.", DefaultValueFactory = _ => 3 };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate.", DefaultValueFactory = _ => 0.3 };
        var cmd = new Command("compare", "Train the [2,20,3,1] network on the embedded football2d data with no regularization, L2, dropout, early stopping and more; print train/test accuracy for each.")
        {
            epochs,
            seed,
            lr,
        };
        cmd.SetAction(parse =>
        {
            int e = parse.GetValue(epochs);
            double rate = parse.GetValue(lr);
            if (e <= 0 || !(rate > 0))
            {
                Console.Error.WriteLine("error: --epochs must be ≥ 1 and --lr > 0.");
                return 2;
            }
            Run(e, parse.GetValue(seed), rate);
            return 0;
        });
        return cmd;
    }

    /// <summary>The techniques compared on football2d, each a full model spec plus fit options.</summary>
    public static IReadOnlyList<(string Name, Sequential Spec, Func<FitOptions, FitOptions> Options)> Football2DTechniques(int epochs)
    {
        const int n = 211;
        double l2 = 0.7 / (2 * n); // the assignment's λ/(2m)·Σ‖W‖², in Keras's form λ'·Σw²
        Sequential Net(Func<Dense, Dense>? hidden = null, params Layer[] between)
        {
            hidden ??= d => d;
            var layers = new List<Layer> { hidden(new Dense(20, Activation.Relu) { KernelInitializer = Initializer.HeNormal }) };
            layers.AddRange(between);
            layers.Add(hidden(new Dense(3, Activation.Relu) { KernelInitializer = Initializer.HeNormal }));
            layers.AddRange(between);
            layers.Add(new Dense(1, Activation.Sigmoid) { KernelInitializer = Initializer.HeNormal });
            return Sequential.Of(2, [.. layers]);
        }
        FitOptions Same(FitOptions o) => o;
        return
        [
            ("none", Net(), Same),
            ("L2 (λ=0.7/2m)", Net(d => d with { KernelRegularizer = Regularizer.L2(l2) }) with { }, Same),
            ("L1 (1e-3)", Net(d => d with { KernelRegularizer = Regularizer.L1(1e-3) }), Same),
            ("dropout 0.14", Net(null, new Dropout(0.14)), Same),
            ("early stopping", Net(), o => o with
            {
                ValidationSplit = 0.2,
                Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = Math.Max(10, epochs / 20), RestoreBestWeights = true }],
            }),
            ("weight decay 1e-3", Net(), o => o with { Optimizer = new SGD(o.Optimizer.LearningRate) { WeightDecay = 1e-3 } }),
            ("max-norm 1 + dropout", Net(d => d with { KernelConstraint = new MaxNorm(1) }, new Dropout(0.14)), Same),
        ];
    }

    private static void Run(int epochs, long seed, double lr)
    {
        var (train, test) = Datasets.Football2D();
        var table = new Table().Title(Markup.Escape($"football2d: [2,20,3,1] relu/relu/sigmoid, full-batch SGD lr {lr}, {epochs} steps, seed {seed}"));
        foreach (string h in new[] { "technique", "train acc", "test acc", "gap", "epochs", "best epoch", "near-zero w", "seconds" })
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }
        foreach (var (name, spec, customize) in Football2DTechniques(epochs))
        {
            using var model = new CompiledModel(spec, seed);
            var options = customize(new FitOptions { Epochs = epochs, BatchSize = train.Count, Optimizer = new SGD(lr), Shuffle = false });
            var clock = Stopwatch.StartNew();
            History h = model.Fit(train, options);
            double seconds = clock.Elapsed.TotalSeconds;
            double trainAcc = model.Evaluate(train).Accuracy ?? double.NaN;
            double testAcc = model.Evaluate(test).Accuracy ?? double.NaN;
            double sparsity = NearZeroFraction(model);
            table.AddRow(
                Markup.Escape(name),
                F(trainAcc),
                F(testAcc),
                F(trainAcc - testAcc),
                h.Epochs.Count.ToString(CultureInfo.InvariantCulture),
                h.RestoredEpoch?.ToString(CultureInfo.InvariantCulture) ?? "—",
                F(sparsity),
                seconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        }
        AnsiConsole.Write(table);
    }

    /// <summary>Share of kernel weights with |w| &lt; 1e-3.</summary>
    public static double NearZeroFraction(IModel model)
    {
        int total = 0, small = 0;
        foreach (Parameter p in model.Parameters.Where(p => p.Role == ParameterRole.Kernel))
        {
            foreach (float w in p.Values)
            {
                total++;
                small += Math.Abs(w) < 1e-3 ? 1 : 0;
            }
        }
        return total == 0 ? 0 : (double)small / total;
    }

    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}
