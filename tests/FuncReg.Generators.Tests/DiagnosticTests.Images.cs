using System.Globalization;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>The diagnostics of image models: input shapes, shape inference, window sizes and the image layers' arguments.</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void FR0014_input_shape_not_three_sizes() => AssertMessage(AssertReports("FR0014", """
        using FuncReg;
        [Model([|InputShape = new[] { 28, 28 }|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class TwoDimensions;
        """), "got { 28, 28 }");

    [Fact]
    public void FR0014_input_shape_with_a_zero() => AssertReports("FR0014", """
        using FuncReg;
        [Model([|InputShape = new[] { 28, 0, 1 }|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroWidth;
        """);

    [Fact]
    public void FR0015_inputs_and_input_shape() => AssertMessage(AssertReports("FR0015", """
        using FuncReg;
        [Model(Inputs = 784, [|InputShape = new[] { 28, 28, 1 }|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class Both;
        """), "keep InputShape");

    [Fact]
    public void FR0016_conv_on_a_feature_vector() => AssertMessage(AssertReports("FR0016", """
        using FuncReg;
        [Model(Inputs = 784)]
        [[|Conv2D(8, 3)|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class FlatConv;
        """), "conv2d_0: needs a 3-D [height, width, channels] input, but gets [784]");

    [Fact]
    public void FR0016_pooling_after_flatten() => AssertReports("FR0016", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Flatten]
        [[|GlobalAveragePooling2D|]]
        [Dense(1, Activation.Sigmoid)]
        public partial class PoolAfterFlatten;
        """);

    [Fact]
    public void FR0017_dense_on_an_image() => AssertMessage(AssertReports("FR0017", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, Activation.Relu)]
        [[|Dense(10, Activation.Softmax)|]]
        public partial class NoFlatten;
        """), "dense_1: a Dense layer needs a 1-D input, but gets [6, 6, 4]: put [Flatten]");

    [Fact]
    public void FR0017_softmax_activation_on_an_image() => AssertReports("FR0017", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 3 }, Loss = Loss.MeanSquaredError)]
        [[|Activation(Activation.Softmax)|]]
        public partial class PixelSoftmax;
        """);

    [Fact]
    public void FR0018_kernel_larger_than_its_input() => AssertMessage(AssertReports("FR0018", """
        using FuncReg;
        [Model(InputShape = new[] { 5, 5, 1 })]
        [Conv2D(4, 3)]
        [[|Conv2D(4, 4, 2)|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class BigKernel;
        """), "the 4×2 kernel is larger than its 3×3 input with valid padding: use Padding = Padding.Same");

    [Fact]
    public void FR0019_pool_does_not_fit() => AssertMessage(AssertReports("FR0019", """
        using FuncReg;
        [Model(InputShape = new[] { 4, 4, 2 })]
        [MaxPooling2D(2)]
        [[|AveragePooling2D(3)|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class BigPool;
        """), "average_pooling2d_1: the 3×3 pool does not fit its 2×2 input");

    [Fact]
    public void FR0020_filters_not_positive() => AssertReports("FR0020", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D([|0|], 3)]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NoFilters;
        """);

    [Fact]
    public void FR0020_kernel_width_not_positive() => AssertReports("FR0020", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, [|kernelWidth: -1|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NegativeKernel;
        """);

    [Fact]
    public void FR0020_strides_not_positive() => AssertMessage(AssertReports("FR0020", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, [|Strides = 0|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroStride;
        """), "conv2d_0: Strides must be ≥ 1, got 0");

    [Fact]
    public void FR0020_pool_size_not_positive() => AssertReports("FR0020", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [MaxPooling2D([|0|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class ZeroPool;
        """);

    [Fact]
    public void FR0020_pool_stride_height_not_positive() => AssertReports("FR0020", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [AveragePooling2D(2, [|StrideHeight = -2|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NegativePoolStride;
        """);

    [Fact]
    public void FR0021_flatten_on_a_feature_vector()
    {
        (GeneratorRunResult result, Compilation output) = AssertReports("FR0021", """
            using FuncReg;
            [Model(Inputs = 4)]
            [[|Flatten|]]
            [Dense(1, Activation.Sigmoid)]
            public partial class UselessFlatten;
            """, DiagnosticSeverity.Warning);
        AssertMessage((result, output), "flatten_0: its input [4] is already flat");
        Assert.Single(result.GeneratedSources); // a warning: the model is still generated
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void FR0005_spatial_dropout_rate_one() => AssertReports("FR0005", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 2 })]
        [SpatialDropout2D([|1.0|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class DropEverything;
        """);

    [Fact]
    public void FR0009_batch_norm_right_after_spatial_dropout() => AssertReports("FR0009", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 2 })]
        [Conv2D(4, 3, UseBias = false)]
        [SpatialDropout2D(0.2)]
        [[|BatchNormalization|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NormAfterSpatialDropout;
        """, DiagnosticSeverity.Warning);

    [Fact]
    public void FR0010_strides_and_stride_height() => AssertReports("FR0010", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, Strides = 2, [|StrideHeight = 1|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class TwoStrides;
        """);

    [Fact]
    public void FR0010_conv_bias_penalty_without_bias() => AssertReports("FR0010", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, UseBias = false, [|BiasL2 = 1e-3|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NoBiasToPenalize;
        """);

    [Fact]
    public void FR0006_negative_conv_penalty() => AssertReports("FR0006", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, [|ActivityL1 = -1|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class NegativeActivity;
        """);

    [Fact]
    public void FR0011_softmax_conv() => AssertMessage(AssertReports("FR0011", """
        using FuncReg;
        [Model(InputShape = new[] { 8, 8, 1 })]
        [Conv2D(4, 3, [|Activation.Softmax|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class SoftmaxConv;
        """), "softmax needs a flat input");

    private static void AssertMessage((GeneratorRunResult Result, Compilation Output) run, string expected)
    {
        string message = Assert.Single(run.Result.Diagnostics).GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }
}
