using System.Globalization;

namespace FuncReg.Cli.Commands;

/// <summary>
/// The football2d comparison: the deeplearning.ai regularization assignment's [2, 20, 3, 1] ReLU/ReLU/sigmoid
/// network (He-normal kernels), full-batch SGD, on the embedded data (211 training points, of which a stratified
/// 20 % is held out for validation; 200 test points).
/// </summary>
internal static class Football2DComparison
{
    public const int DefaultEpochs = 15000;
    public const double DefaultLearningRate = 0.3;
    public const double ValidationFraction = 0.2;

    public static ComparisonSetup Create(int epochs, long seed, double lr)
    {
        var (all, test) = Datasets.Football2D();
        var (train, validation) = all.Split(ValidationFraction, seed);
        var options = new FitOptions { Epochs = epochs, BatchSize = train.Count, Optimizer = new SGD(lr), Shuffle = false, Validation = validation };
        string title = string.Create(CultureInfo.InvariantCulture, $"football2d: [2,20,3,1] relu/relu/sigmoid, full-batch SGD lr {lr}, {epochs} steps, seed {seed}");
        string[] notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"Embedded football2d data: {train.Count} training points, {validation.Count} validation points (a stratified {ValidationFraction:P0} of the 211 training points, seed {seed}), {test.Count} test points."),
            "One full-batch gradient step per epoch; every technique starts from the same seeded initialization.",
        ];
        return new ComparisonSetup(title, notes, train, validation, test, options, Techniques(epochs, train.Count));
    }

    /// <summary>The techniques, each a full model spec plus its changes to the fit options.</summary>
    /// <param name="epochs">Planned epochs (early stopping's patience is a share of them).</param>
    /// <param name="m">Training points, for the assignment's λ/(2m).</param>
    public static IReadOnlyList<CompareTechnique> Techniques(int epochs, int m)
    {
        double l2 = 0.7 / (2 * m); // the assignment's λ/(2m)·Σ‖W‖² with λ = 0.7, in Keras's form λ'·Σw²
        const double l1 = 1e-3, rate = 0.14;
        int patience = Math.Max(10, epochs / 20);
        static Sequential Net(Func<Dense, Dense>? hidden = null, params Layer[] between)
        {
            hidden ??= d => d;
            var layers = new List<Layer> { hidden(new Dense(20, Activation.Relu) { KernelInitializer = Initializer.HeNormal }) };
            layers.AddRange(between);
            layers.Add(hidden(new Dense(3, Activation.Relu) { KernelInitializer = Initializer.HeNormal }));
            layers.AddRange(between);
            layers.Add(new Dense(1, Activation.Sigmoid) { KernelInitializer = Initializer.HeNormal });
            return Sequential.Of(2, [.. layers]);
        }
        static Sequential BatchNormNet() => Sequential.Of(
            2,
            new Dense(20) { KernelInitializer = Initializer.HeNormal, UseBias = false },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new Dense(3) { KernelInitializer = Initializer.HeNormal, UseBias = false },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new Dense(1, Activation.Sigmoid) { KernelInitializer = Initializer.HeNormal });
        EarlyStopping Stop() => new() { Monitor = "val_loss", Patience = patience, RestoreBestWeights = true };
        static FitOptions Same(FitOptions o) => o;
        string L2Name = string.Create(CultureInfo.InvariantCulture, $"L2 (0.7/2m = {l2:0.####})");
        return
        [
            new("none", "none", Net(), Same),
            new("l1", "L1 (1e-3)", Net(d => d with { KernelRegularizer = Regularizer.L1(l1) }), Same),
            new("l2", L2Name, Net(d => d with { KernelRegularizer = Regularizer.L2(l2) }), Same),
            new("l1l2", "L1L2 (1e-3, 0.7/2m)", Net(d => d with { KernelRegularizer = Regularizer.L1L2(l1, l2) }), Same),
            new("dropout", "dropout 0.14", Net(null, new Dropout(rate)), Same),
            new("batchnorm", "batch norm", BatchNormNet(), Same),
            new("early-stopping", $"early stopping (patience {patience})", Net(), o => o with { Callbacks = [Stop()] }),
            new("weight-decay", "weight decay 1e-3 (decoupled)", Net(), o => o with { Optimizer = new SGD(o.Optimizer.LearningRate) { WeightDecay = 1e-3 } }),
            new("max-norm", "max-norm 1", Net(d => d with { KernelConstraint = new MaxNorm(1) }), Same),
            new("combined", "dropout + L2 + early stopping", Net(d => d with { KernelRegularizer = Regularizer.L2(l2) }, new Dropout(rate)), o => o with { Callbacks = [Stop()] }),
        ];
    }
}
