using System.CommandLine;

namespace FuncReg.Cli.Commands;

/// <summary>A usage error: printed as <c>error: …</c>, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The model and data a command runs on, with the preset's default training settings.</summary>
internal sealed record Workbench(string Name, Sequential Spec, Dataset Train, Dataset? Test, int Epochs, int BatchSize, string Optimizer, double? LearningRate)
{
    /// <summary>Class names for reports (Fashion-MNIST's), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}

/// <summary>
/// The options <c>train</c> and <c>evaluate</c> share to choose a model (<c>--preset</c> or <c>--model FILE.json</c>)
/// and data (<c>--data DIR</c> with Fashion-MNIST's IDX files, <c>--csv FILE --label COL</c>, or the preset's own).
/// </summary>
internal sealed class ModelSelection
{
    public Option<string?> Preset { get; } = new("--preset")
    {
        Description = "Built-in model: mlp (DESIGN §3's FashionMlp 784-256-128-10 with L2 1e-4, dropout 0.3, max-norm 3, on Fashion-MNIST), cnn (the peer benchmark's 2-conv network with batch norm and dropout 0.5, on Fashion-MNIST images) or football (the [2,20,3,1] relu/relu/sigmoid net on the embedded football2d data).",
    };

    public Option<FileInfo?> Model { get; } = new("--model") { Description = "A JSON model file mapping onto the records: {\"inputs\": n (or \"input_shape\": [h, w, c]), \"loss\": …, \"layers\": [{\"type\": \"dense\", \"units\": …}, {\"type\": \"conv2d\", \"filters\": …, \"kernel_size\": 3}, …]}." };

    public Option<DirectoryInfo?> Data { get; } = new("--data") { Description = "Directory of Fashion-MNIST-layout IDX files (train-/t10k-images-idx3-ubyte, -labels-idx1-ubyte, plain or .gz). Default for the mlp and cnn presets: the usual search (FUNCREG_FASHION_MNIST, /usr/share/datasets, ~/.keras/datasets)." };

    public Option<FileInfo?> Csv { get; } = new("--csv") { Description = "Training data as CSV: a header row, numeric columns, one label column (--label)." };

    public Option<string?> Label { get; } = new("--label") { Description = "The label column of --csv / --test-csv: its header name or zero-based index." };

    public Option<FileInfo?> TestCsv { get; } = new("--test-csv") { Description = "Test data as CSV, same columns as --csv." };

    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of initialization, shuffling, dropout, augmentation and the validation split.", DefaultValueFactory = _ => 42 };

    public Option<int> Threads { get; } = new("--threads") { Description = "GEMM threads (results do not depend on it).", DefaultValueFactory = _ => 1 };

    public Option<double?> L1 { get; } = new("--l1") { Description = "Override: L1(l1) penalty on every dense and conv2d kernel." };

    public Option<double?> L2 { get; } = new("--l2") { Description = "Override: L2(l2) penalty (l2·Σw², Keras form) on every dense and conv2d kernel." };

    public Option<double?> Dropout { get; } = new("--dropout") { Description = "Override: the rate of every Dropout and SpatialDropout2D layer, in [0, 1)." };

    public Option<double?> MaxNorm { get; } = new("--max-norm") { Description = "Override: MaxNorm(c) on every conv2d kernel (per filter) and every hidden dense kernel." };

    public void AddTo(Command command)
    {
        Preset.AcceptOnlyFromAmong("mlp", "cnn", "football");
        foreach (Option o in new Option[] { Preset, Model, Data, Csv, Label, TestCsv, L1, L2, Dropout, MaxNorm, Seed, Threads })
        {
            command.Options.Add(o);
        }
    }

    /// <summary>The DESIGN §3 FashionMlp.</summary>
    public static Sequential MlpSpec { get; } = Sequential.Of(
        784,
        new Dense(256, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4) },
        new Dropout(0.3),
        new Dense(128, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-4), KernelConstraint = new MaxNorm(3) },
        new Dropout(0.3),
        new Dense(10, Activation.Softmax));

    /// <summary>
    /// The PyTorch peer's <c>cnn</c> workload (shared/peers/README.md) on 28×28×1 images: conv 3×3 32 same + batch norm
    /// + relu + max-pool 2 → conv 3×3 64 same + batch norm + relu + max-pool 2 → flatten → dropout 0.5 → dense 128 relu
    /// → dense 10 softmax (categorical cross-entropy). Trained with Adam 1e-3 in batches of 128.
    /// </summary>
    public static Sequential CnnSpec { get; } = Sequential.Of(
        new InputShape(28, 28, 1),
        new Conv2D(32, 3) { Padding = Padding.Same },
        new BatchNormalization(),
        new ActivationLayer(Activation.Relu),
        new MaxPooling2D(2),
        new Conv2D(64, 3) { Padding = Padding.Same },
        new BatchNormalization(),
        new ActivationLayer(Activation.Relu),
        new MaxPooling2D(2),
        new Flatten(),
        new Dropout(0.5),
        new Dense(128, Activation.Relu),
        new Dense(10, Activation.Softmax));

    /// <summary>The deeplearning.ai assignment's [2, 20, 3, 1] network (He-normal kernels, as the assignment).</summary>
    public static Sequential FootballSpec { get; } = Sequential.Of(
        2,
        new Dense(20, Activation.Relu) { KernelInitializer = Initializer.HeNormal },
        new Dense(3, Activation.Relu) { KernelInitializer = Initializer.HeNormal },
        new Dense(1, Activation.Sigmoid) { KernelInitializer = Initializer.HeNormal });

    public Workbench Resolve(ParseResult parse)
    {
        string? preset = parse.GetValue(Preset);
        FileInfo? model = parse.GetValue(Model);
        if ((preset is null) == (model is null))
        {
            throw new UsageException("choose a model with either --preset mlp|cnn|football or --model FILE.json.");
        }
        DirectoryInfo? data = parse.GetValue(Data);
        FileInfo? csv = parse.GetValue(Csv);
        if (data is not null && csv is not null)
        {
            throw new UsageException("give either --data DIR or --csv FILE, not both.");
        }
        if (parse.GetValue(Threads) < 1)
        {
            throw new UsageException("--threads must be ≥ 1.");
        }
        Sequential spec = preset switch
        {
            "mlp" => MlpSpec,
            "cnn" => CnnSpec,
            "football" => FootballSpec,
            _ => ModelFile.Load(model!.FullName),
        };
        spec = Override(spec, parse.GetValue(L1), parse.GetValue(L2), parse.GetValue(Dropout), parse.GetValue(MaxNorm));
        (Dataset train, Dataset? test) = (data, csv, preset) switch
        {
            (not null, _, _) => FashionMnist.Load(data.FullName),
            (_, not null, _) => LoadCsv(parse, csv),
            (_, _, "mlp" or "cnn") => FashionMnist.Load(),
            (_, _, "football") => Datasets.Football2D(),
            _ => throw new UsageException("--model needs data: --data DIR (Fashion-MNIST IDX files) or --csv FILE --label COLUMN."),
        };
        if (train.SampleSize != spec.Inputs)
        {
            throw new UsageException($"the data has {train.SampleSize} features per sample; the model takes {spec.Inputs} inputs.");
        }
        Workbench bench = preset switch
        {
            "mlp" => new Workbench("mlp", spec, train, test, 10, 128, "adam", 1e-3),
            "cnn" => new Workbench("cnn", spec, train, test, 10, 128, "adam", 1e-3),
            "football" => new Workbench("football", spec, train, test, 200, 32, "adam", 1e-2),
            _ => new Workbench(model!.Name, spec, train, test, 10, 32, "adam", null),
        };
        bool fashion = data is not null || (csv is null && preset is "mlp" or "cnn");
        return fashion ? bench with { ClassNames = FashionMnist.ClassNames } : bench;
    }

    public CompiledModel Build(ParseResult parse, Sequential spec) => new CompiledModel(spec, parse.GetValue(Seed), Math.Min(parse.GetValue(Threads), Environment.ProcessorCount));

    /// <summary>Applies the command line's penalty, dropout and max-norm overrides to every matching layer.</summary>
    internal static Sequential Override(Sequential spec, double? l1, double? l2, double? dropout, double? maxNorm)
    {
        if (l1 is null && l2 is null && dropout is null && maxNorm is null)
        {
            return spec;
        }
        if (dropout is not null && !spec.Layers.Any(l => l is FuncReg.Dropout or SpatialDropout2D))
        {
            throw new UsageException("--dropout sets the rate of the model's Dropout and SpatialDropout2D layers, and this model has none.");
        }
        int last = spec.Layers.Count - 1;
        Layer[] layers = [.. spec.Layers.Select((layer, i) => layer switch
        {
            Dense d => d with
            {
                KernelRegularizer = l1 is not null || l2 is not null ? new Regularizer(l1 ?? 0, l2 ?? 0) : d.KernelRegularizer,
                KernelConstraint = maxNorm is { } c && i != last ? new FuncReg.MaxNorm(c) : d.KernelConstraint,
            },
            Conv2D c => c with
            {
                KernelRegularizer = l1 is not null || l2 is not null ? new Regularizer(l1 ?? 0, l2 ?? 0) : c.KernelRegularizer,
                KernelConstraint = maxNorm is { } m ? new FuncReg.MaxNorm(m) : c.KernelConstraint,
            },
            FuncReg.Dropout when dropout is { } rate => new FuncReg.Dropout(rate),
            SpatialDropout2D when dropout is { } rate => new SpatialDropout2D(rate),
            _ => layer,
        })];
        return Sequential.Of([.. spec.InputShape], spec.Loss, layers) with { FromLogits = spec.FromLogits, LabelSmoothing = spec.LabelSmoothing };
    }

    private (Dataset Train, Dataset? Test) LoadCsv(ParseResult parse, FileInfo csv)
    {
        string label = parse.GetValue(Label) ?? throw new UsageException("--csv needs --label COLUMN (header name or zero-based index).");
        Dataset Load(FileInfo f) => int.TryParse(label, out int index) ? CsvData.Load(f.FullName, index) : CsvData.Load(f.FullName, label);
        return (Load(csv), parse.GetValue(TestCsv) is { } t ? Load(t) : null);
    }
}
