namespace FuncReg.Properties.Generated;

// Convolutional models declared with attributes and compiled by the source generator. Together they cover Conv2D with
// same and valid padding, strides 1 and 2, square, rectangular and pointwise kernels, every conv option (penalties,
// activity penalty, MaxNorm, initializer, UseBias), both poolings (default and explicit strides, same and valid),
// GlobalAveragePooling2D, Flatten, SpatialDropout2D, channel batch and layer normalization, noise on images and the
// loss heads. As in DeclaredModels.cs, a linear Conv2D right before BatchNormalization has UseBias = false (a zero
// true gradient would only compare rounding noise); none is degenerate in CompiledCnnProperties.Degenerate's sense.

/// <summary>Same padding, channel batch norm, max pooling, stride 2, Flatten + Dropout, kernel penalties and MaxNorm.</summary>
[Model(InputShape = new[] { 8, 8, 2 }, Loss = Loss.CategoricalCrossEntropy)]
[Conv2D(4, 3, UseBias = false, Padding = Padding.Same, L2 = 1e-3, MaxNorm = 2)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(6, 3, Activation.Tanh, Strides = 2, Padding = Padding.Same, L1 = 1e-3, BiasL2 = 1e-3)]
[Flatten]
[Dropout(0.2)]
[Dense(3, Activation.Softmax)]
public partial class ConvBatchNormNet;

/// <summary>Valid padding, a rectangular kernel, spatial dropout, average pooling (same, stride 1), a pointwise conv, global average pooling, sigmoid output.</summary>
[Model(InputShape = new[] { 7, 6, 3 })]
[Conv2D(5, 3, 2, Activation.Elu, ActivityL2 = 1e-3, KernelInitializer = Initializer.HeUniform)]
[SpatialDropout2D(0.3)]
[AveragePooling2D(2, Strides = 1, Padding = Padding.Same)]
[Conv2D(4, 1, Activation.LeakyRelu, BiasL1 = 1e-3)]
[GlobalAveragePooling2D]
[Dense(1, Activation.Sigmoid)]
public partial class SpatialDropoutGapNet;

/// <summary>Valid padding with stride 2, max pooling with explicit strides and same padding, layer norm over channels, logits head.</summary>
[Model(InputShape = new[] { 9, 9, 1 }, Loss = Loss.CategoricalCrossEntropy, FromLogits = true)]
[Conv2D(3, 3, Activation.Sigmoid, Strides = 2)]
[MaxPooling2D(3, Strides = 2, Padding = Padding.Same)]
[LayerNormalization]
[Conv2D(4, 2, Activation.Relu, Padding = Padding.Same, MaxNorm = 1.5)]
[Flatten]
[Dense(5, Activation.Relu, L2 = 1e-3)]
[Dense(3)]
public partial class StridedLogitsNet;

/// <summary>Noise on an image, a conv with an activity L1 penalty, channel batch norm with its own momentum, average pooling (valid, default strides), regression.</summary>
[Model(InputShape = new[] { 6, 5, 2 }, Loss = Loss.MeanSquaredError)]
[GaussianNoise(0.1)]
[Conv2D(3, 2, Activation.Relu, ActivityL1 = 1e-3, StrideHeight = 1, StrideWidth = 1)]
[BatchNormalization(Momentum = 0.9)]
[AveragePooling2D(2)]
[Flatten]
[Dense(2, Activation.Tanh)]
public partial class NoisyRegressionCnn;
