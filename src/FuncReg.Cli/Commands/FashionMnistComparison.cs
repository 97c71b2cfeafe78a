using System.Globalization;

namespace FuncReg.Cli.Commands;

/// <summary>
/// The Fashion-MNIST comparison: a stratified training subset (default 2,000 images) of which a stratified 20 % is
/// held out for validation, the full 10,000-image test set, and DESIGN §3's MLP 784-256-128-10 (ReLU, softmax) or
/// (<c>--model cnn</c>) the <c>cnn</c> preset's convolutional network without its batch norm and dropout, with Adam 1e-3
/// and batches of 128. Small data, a big network: the baseline overfits.
/// </summary>
internal static class FashionMnistComparison
{
    public const int DefaultEpochs = 100;
    public const int DefaultSubset = 2000;
    public const double DefaultLearningRate = 1e-3;
    public const int BatchSize = 128;
    public const double ValidationFraction = 0.2;

    /// <summary>The networks <c>--model</c> chooses: the MLP (default) and the convolutional network.</summary>
    public const string Mlp = "mlp", Cnn = "cnn";

    /// <summary>Loads the data (<see cref="FashionMnist.Load"/>) and builds the setup.</summary>
    public static ComparisonSetup Create(string? directory, int subset, int epochs, long seed, double lr, string model = Mlp)
    {
        var (full, test) = FashionMnist.Load(directory);
        return Create(full, test, subset, epochs, seed, lr, model);
    }

    /// <summary>The setup on already loaded data: <paramref name="subset"/> stratified images of <paramref name="full"/>, split 80/20.</summary>
    public static ComparisonSetup Create(Dataset full, Dataset test, int subset, int epochs, long seed, double lr, string model = Mlp)
    {
        Dataset pool = subset >= full.Count ? full : full.Split(subset / (double)full.Count, seed).Validation;
        var (train, validation) = pool.Split(ValidationFraction, seed + 1);
        var options = new FitOptions { Epochs = epochs, BatchSize = BatchSize, Optimizer = new Adam(lr), Validation = validation };
        string title = string.Create(CultureInfo.InvariantCulture, $"fashion-mnist: {pool.Count} training images, {(model == Cnn ? "conv 32-pool-conv 64-pool-128-10 relu/softmax" : "784-256-128-10 relu/relu/softmax")}, Adam lr {lr}, batch {BatchSize}, {epochs} epochs, seed {seed}");
        string[] notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"A stratified subset of {pool.Count} of the {full.Count} Fashion-MNIST training images: {train.Count} for training and {validation.Count} for validation (stratified {ValidationFraction:P0}); the test set is all {test.Count} test images."),
            "Pixels scaled to [0, 1]; every technique starts from the same seeded initialization and sees the same batches.",
        ];
        return new ComparisonSetup(title, notes, train, validation, test, options, Techniques(epochs, model));
    }

    public static IReadOnlyList<CompareTechnique> Techniques(int epochs, string model = Mlp)
    {
        const double l1 = 3e-4, l2 = 1e-2, rate = 0.5, decay = 3, combinedL2 = 2e-3, combinedRate = 0.3;
        int patience = Math.Max(3, epochs / 10);
        bool cnn = model == Cnn;
        Sequential Net(Func<Dense, Dense>? hidden = null, params Layer[] between) => cnn ? ConvNet(KernelPenalty(hidden), false, between) : DenseNet(hidden, between);
        static Sequential DenseNet(Func<Dense, Dense>? hidden, Layer[] between)
        {
            hidden ??= d => d;
            var layers = new List<Layer> { hidden(new Dense(256, Activation.Relu)) };
            layers.AddRange(between);
            layers.Add(hidden(new Dense(128, Activation.Relu)));
            layers.AddRange(between);
            layers.Add(new Dense(10, Activation.Softmax));
            return Sequential.Of(784, [.. layers]);
        }
        static Sequential BatchNormNet() => Sequential.Of(
            784,
            new Dense(256) { UseBias = false },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new Dense(128) { UseBias = false },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new Dense(10, Activation.Softmax));
        // The convolutional network: the cnn preset (shared/peers/README.md's cnn workload) without its batch norm and
        // dropout; the penalty techniques put the same regularizer on the conv and hidden dense kernels, dropout goes
        // after Flatten (where the preset has it), batch norm after each conv.
        static Regularizer? KernelPenalty(Func<Dense, Dense>? hidden) => hidden?.Invoke(new Dense(1)).KernelRegularizer;
        static Sequential ConvNet(Regularizer? r, bool batchNorm, Layer[] between)
        {
            var layers = new List<Layer>();
            foreach (int filters in new[] { 32, 64 })
            {
                layers.Add(new Conv2D(filters, 3) { Padding = Padding.Same, UseBias = !batchNorm, KernelRegularizer = r, Activation = batchNorm ? Activation.Linear : Activation.Relu });
                if (batchNorm)
                {
                    layers.Add(new BatchNormalization());
                    layers.Add(new ActivationLayer(Activation.Relu));
                }
                layers.Add(new MaxPooling2D(2));
            }
            layers.Add(new Flatten());
            layers.AddRange(between);
            layers.Add(new Dense(128, Activation.Relu) { KernelRegularizer = r });
            layers.Add(new Dense(10, Activation.Softmax));
            return Sequential.Of(new InputShape(28, 28, 1), [.. layers]);
        }
        EarlyStopping Stop() => new() { Monitor = "val_loss", Patience = patience, RestoreBestWeights = true };
        static FitOptions Same(FitOptions o) => o;
        var augmentation = new Augmentation { HorizontalFlip = true, WidthShiftRange = 2, HeightShiftRange = 2, RotationRange = 10 };
        string F(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
        return
        [
            new("none", "none", Net(), Same),
            new("l1", $"L1 ({F(l1)})", Net(d => d with { KernelRegularizer = Regularizer.L1(l1) }), Same),
            new("l2", $"L2 ({F(l2)})", Net(d => d with { KernelRegularizer = Regularizer.L2(l2) }), Same),
            new("l1l2", $"L1L2 ({F(l1)}, {F(l2)})", Net(d => d with { KernelRegularizer = Regularizer.L1L2(l1, l2) }), Same),
            new("dropout", $"dropout {F(rate)}", Net(null, new Dropout(rate)), Same),
            new("batchnorm", "batch norm", cnn ? ConvNet(null, true, []) : BatchNormNet(), Same),
            new("early-stopping", $"early stopping (patience {patience})", Net(), o => o with { Callbacks = [Stop()] }),
            new("augmentation", "augmentation (flip, ±2 px, ±10°)", Net(), o => o with { Augmentation = augmentation }),
            new("weight-decay", $"AdamW weight decay {F(decay)}", Net(), o => o with { Optimizer = new AdamW(o.Optimizer.LearningRate, decay) }),
            new("combined", $"dropout {F(cnn ? rate : combinedRate)} + L2 {F(combinedL2)} + early stop + augment", Net(d => d with { KernelRegularizer = Regularizer.L2(combinedL2) }, new Dropout(cnn ? rate : combinedRate)), o => o with { Callbacks = [Stop()], Augmentation = augmentation }),
        ];
    }
}
