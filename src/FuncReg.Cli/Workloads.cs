namespace FuncReg.Cli;

/// <summary>
/// The PyTorch peer's <c>mlp</c> workload (shared/peers/README.md) declared with attributes, so the benchmark
/// runs the source generator's fused code: 784→256 relu→dropout .3→128 relu→dropout .3→10 softmax-CE,
/// L2 1e-4 (Keras form) on the three kernels.
/// </summary>
[Model(Inputs = 784, Loss = Loss.CategoricalCrossEntropy)]
[Dense(256, Activation.Relu, L2 = 1e-4)]
[Dropout(0.3)]
[Dense(128, Activation.Relu, L2 = 1e-4)]
[Dropout(0.3)]
[Dense(10, Activation.Softmax, L2 = 1e-4)]
public partial class MlpWorkload;

/// <summary>The peer's <c>tiny</c> workload: 2→20 relu→3 relu→1 sigmoid-BCE, L2 0.7/(2·211) on the kernels.</summary>
[Model(Inputs = 2, Loss = Loss.BinaryCrossEntropy)]
[Dense(20, Activation.Relu, L2 = 0.7 / (2 * 211))]
[Dense(3, Activation.Relu, L2 = 0.7 / (2 * 211))]
[Dense(1, Activation.Sigmoid, L2 = 0.7 / (2 * 211))]
public partial class TinyWorkload;
