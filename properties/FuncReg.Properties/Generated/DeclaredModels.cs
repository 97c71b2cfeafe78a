namespace FuncReg.Properties.Generated;

// Models declared with attributes and compiled by the source generator. Together they cover every layer kind,
// every Dense activation, every penalty, every kernel constraint, declared slopes and normalization without γ/β;
// the properties train them against the reference interpreter. A Dense right before BatchNormalization has
// UseBias = false, and no BatchNormalization's β reaches a later one through linear layers only: such a parameter
// has a true gradient of exactly zero, so both engines would only compare rounding noise (which Adam/RMSprop amplify).

/// <summary>Every hidden activation on Dense, each penalty kind, MaxNorm, a fused dropout, softmax output.</summary>
[Model(Inputs = 6)]
[Dense(8, Activation.Relu, L1 = 1e-3, L2 = 1e-3, MaxNorm = 1.5)]
[Dropout(0.2)]
[Dense(7, Activation.LeakyRelu, BiasL1 = 1e-3, BiasL2 = 1e-2)]
[Dense(6, Activation.Elu, ActivityL1 = 1e-3)]
[Dense(5, Activation.Tanh, ActivityL2 = 1e-2, L2 = 1e-3)]
[Dense(3, Activation.Softmax)]
public partial class ActivationZoo;

/// <summary>Sigmoid and tanh under fused dropout masks (they keep f(z) apart), binary cross-entropy.</summary>
[Model(Inputs = 5)]
[Dense(6, Activation.Sigmoid, L2 = 1e-3, MaxNorm = 2)]
[Dropout(0.3)]
[Dense(4, Activation.Tanh, L1 = 1e-3)]
[Dropout(0.1)]
[Dense(1, Activation.Sigmoid, BiasL2 = 1e-3)]
public partial class SigmoidDropoutNet;

/// <summary>Batch and layer normalization, Gaussian noise and Gaussian dropout, a linear regression head.</summary>
[Model(Inputs = 6)]
[Dense(8, UseBias = false, KernelInitializer = Initializer.HeNormal, L2 = 1e-3)]
[BatchNormalization]
[Activation(Activation.Relu)]
[GaussianNoise(0.1)]
[Dense(6, Activation.Elu, ActivityL2 = 1e-3)]
[LayerNormalization]
[GaussianDropout(0.2)]
[Dense(2, L1 = 1e-3)]
public partial class NormalizationNet;

/// <summary>Activation layers after linear Dense layers, softmax as an Activation layer (fused loss head).</summary>
[Model(Inputs = 4, Loss = Loss.CategoricalCrossEntropy)]
[Dense(6, KernelInitializer = Initializer.LecunUniform)]
[Activation(Activation.Tanh)]
[Dense(5)]
[Activation(Activation.Sigmoid)]
[Activation(Activation.LeakyRelu)]
[Dense(4, L2 = 1e-3)]
[Activation(Activation.Softmax)]
public partial class ActivationLayerNet;

/// <summary>Logits heads with label smoothing: Dense + Dropout fused (Elu keeps f(z)), linear outputs.</summary>
[Model(Inputs = 5, Loss = Loss.CategoricalCrossEntropy, FromLogits = true, LabelSmoothing = 0.1)]
[Dense(7, Activation.Elu, MaxNorm = 1)]
[Dropout(0.25)]
[Dense(3)]
public partial class LogitsNet;

/// <summary>Noise first (no input gradient), BatchNormalization with a custom momentum, binary logits.</summary>
[Model(Inputs = 4, Loss = Loss.BinaryCrossEntropy, FromLogits = true)]
[GaussianNoise(0.2)]
[Dense(6, Activation.LeakyRelu, UseBias = false, L1 = 1e-3)]
[BatchNormalization(Momentum = 0.9, Epsilon = 1e-2)]
[Dense(5, Activation.Relu, BiasL1 = 1e-3)]
[Dropout(0.5)]
[Dense(1)]
public partial class BinaryLogitsNet;

/// <summary>Normalization and dropout as first layers, activity penalty on the output (generic loss head).</summary>
[Model(Inputs = 4)]
[LayerNormalization(Epsilon = 1e-2)]
[Dropout(0.2)]
[Dense(5, Activation.Tanh, MaxNorm = 2)]
[Activation(Activation.Elu)]
[Dense(3, Activation.Softmax, ActivityL1 = 1e-3)]
public partial class FirstLayerNet;

/// <summary>BatchNormalization as the first layer, sigmoid-free regression with activity penalties.</summary>
[Model(Inputs = 3, Loss = Loss.MeanSquaredError)]
[BatchNormalization]
[Dense(4, Activation.Relu, ActivityL1 = 1e-3, ActivityL2 = 1e-3, MaxNorm = 3)]
[Dense(2, Activation.Tanh, ActivityL2 = 1e-3)]
public partial class BatchNormFirstNet;

/// <summary>
/// The other kernel constraints (UnitNorm, NonNeg, MinMaxNorm), declared activation slopes (Alpha on Dense and on an
/// Activation layer), a bias initializer, and normalization layers without a learned scale or offset.
/// </summary>
[Model(Inputs = 5)]
[Dense(7, Activation.LeakyRelu, Alpha = 0.05, UnitNorm = true, BiasInitializer = Initializer.Ones)]
[LayerNormalization(Center = false)]
[Dense(6, Activation.Elu, Alpha = 0.5, NonNeg = true, L2 = 1e-3, UseBias = false)]
[BatchNormalization(Scale = false)]
[Dense(6, Activation.Tanh, MinNorm = 0.5, MaxNorm = 1.5, NormRate = 0.7, UseBias = false)]
[BatchNormalization(Center = false)]
[Activation(Activation.LeakyRelu, Alpha = 0.3)]
[Dense(3, Activation.Softmax, MinNorm = 0.2, MaxNorm = 2)]
public partial class ConstraintNet;
