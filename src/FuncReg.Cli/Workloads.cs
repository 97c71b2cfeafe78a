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

/// <summary>
/// The peer's <c>cnn</c> workload (the <c>cnn</c> preset, <see cref="Commands.ModelSelection.CnnSpec"/>) on 28×28×1 images:
/// conv 3×3 32 same (linear, with bias) + batch norm + relu + max-pool 2 → conv 3×3 64 same + batch norm + relu + max-pool 2
/// → flatten → dropout 0.5 → dense 128 relu → dense 10 softmax-CE.
/// </summary>
[Model(InputShape = new[] { 28, 28, 1 }, Loss = Loss.CategoricalCrossEntropy)]
[Conv2D(32, 3, Padding = Padding.Same)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(64, 3, Padding = Padding.Same)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(128, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class CnnWorkload;
