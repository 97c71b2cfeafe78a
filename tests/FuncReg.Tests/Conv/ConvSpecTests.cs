namespace FuncReg.Tests.Conv;

/// <summary>Image input shapes, shape inference, parameter names and the validation messages of the image layers.</summary>
public sealed class ConvSpecTests
{
    private static Sequential Lenet() => Sequential.Of(
        new InputShape(28, 28, 1),
        new Conv2D(8, 3, Activation.Relu),
        new MaxPooling2D(),
        new Conv2D(16, (3, 3), Activation.Relu) { Padding = Padding.Same, Strides = (2, 2) },
        new SpatialDropout2D(0.1),
        new BatchNormalization(),
        new AveragePooling2D(2) { Padding = Padding.Same },
        new Flatten(),
        new Dense(10, Activation.Softmax));

    [Fact]
    public void Shapes_are_inferred_layer_by_layer_channels_last()
    {
        Sequential s = Lenet();
        Assert.Equal([28, 28, 1], s.InputShape);
        Assert.Equal(784, s.Inputs);
        int[][] expected = [[26, 26, 8], [13, 13, 8], [7, 7, 16], [7, 7, 16], [7, 7, 16], [4, 4, 16], [256], [10]];
        Assert.Equal(expected.Length, s.OutputShapes.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], s.OutputShapes[i]);
            Assert.Equal(expected[i], s.ShapeAt(i + 1));
        }
        Assert.Equal(10, s.Outputs);
        Assert.Equal(Loss.CategoricalCrossEntropy, s.Loss);
    }

    [Theory]
    [InlineData(7, 3, 1, 7, 1)]
    [InlineData(7, 3, 2, 4, 1)]
    [InlineData(8, 3, 2, 4, 0)]
    [InlineData(5, 2, 1, 5, 0)]
    [InlineData(1, 3, 2, 1, 1)]
    public void Same_padding_follows_keras(int input, int k, int stride, int output, int before)
    {
        Assert.Equal((output, before), Window2D.Axis(input, k, stride, Padding.Same));
    }

    [Fact]
    public void Feature_vector_specs_are_unchanged_and_equal_by_value()
    {
        Sequential a = Sequential.Of(4, new Dense(3, Activation.Softmax));
        Assert.Equal([4], a.InputShape);
        Assert.Equal(a, Sequential.Of(new InputShape(4), new Dense(3, Activation.Softmax)));
        Assert.Equal(a, Sequential.Of([4], new Dense(3, Activation.Softmax)));
        Assert.Equal(Lenet(), Lenet());
        Assert.Equal(Lenet().GetHashCode(), Lenet().GetHashCode());
        Assert.NotEqual(Sequential.Of(new InputShape(2, 2, 1), new Flatten(), new Dense(2)), Sequential.Of(new InputShape(1, 4, 1), new Flatten(), new Dense(2)));
        Assert.Equal(new InputShape(28, 28, 1), new InputShape(28, 28, 1));
    }

    [Fact]
    public void Parameters_have_keras_names_and_shapes()
    {
        ReferenceModel m = Lenet().Build(seed: 1);
        Assert.Equal(
            ["conv2d_0.kernel", "conv2d_0.bias", "conv2d_2.kernel", "conv2d_2.bias", "batch_norm_4.gamma", "batch_norm_4.beta", "batch_norm_4.moving_mean", "batch_norm_4.moving_variance", "dense_7.kernel", "dense_7.bias"],
            m.Parameters.Select(p => p.Name));
        Assert.Equal([3, 3, 1, 8], m.Parameters[0].Shape);
        Assert.Equal([3, 3, 8, 16], m.Parameters[2].Shape);
        Assert.Equal([16], m.Parameters[4].Shape);
        Assert.Equal([256, 10], m.Parameters[8].Shape);
        Assert.Equal(["conv2d", "max_pooling2d", "conv2d", "spatial_dropout2d", "batch_norm", "average_pooling2d", "flatten", "dense"], Lenet().Layers.Select(l => l.Kind));
        Assert.Equal("global_average_pooling2d", new GlobalAveragePooling2D().Kind);
        // Glorot uniform with fan_in = 3·3·1, fan_out = 3·3·8
        double limit = Math.Sqrt(6.0 / (9 + 72));
        Assert.All(m.Parameters[0].Values.ToArray(), v => Assert.InRange(Math.Abs(v), 0, limit));
        Assert.Contains(m.Parameters[0].Values.ToArray(), v => Math.Abs(v) > limit * 0.8);
    }

    [Fact]
    public void A_kernel_larger_than_its_valid_input_names_the_layer_and_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(new InputShape(4, 4, 1), new Conv2D(2, 3), new Conv2D(2, 3), new Flatten(), new Dense(2)));
        Assert.Contains("conv2d_1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Padding.Same", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dense_after_an_image_without_flatten_names_the_layer_and_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(new InputShape(4, 4, 1), new Conv2D(2, 3), new Dense(2)));
        Assert.Contains("dense_1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Flatten", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_that_does_not_fit_names_the_layer_and_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(new InputShape(3, 3, 2), new MaxPooling2D(2), new MaxPooling2D(2), new Flatten(), new Dense(2)));
        Assert.Contains("max_pooling2d_1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Padding.Same", e.Message, StringComparison.Ordinal);
        Sequential ok = Sequential.Of(new InputShape(3, 3, 2), new MaxPooling2D(2) { Padding = Padding.Same }, new MaxPooling2D(2) { Padding = Padding.Same }, new Flatten(), new Dense(2));
        Assert.Equal([1, 1, 2], ok.ShapeAt(2));
    }

    [Fact]
    public void Conv2D_on_a_feature_vector_asks_for_an_image_input_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(784, new Conv2D(8, 3), new Flatten(), new Dense(10)));
        Assert.Contains("conv2d_0", e.Message, StringComparison.Ordinal);
        Assert.Contains("InputShape(28, 28, 1)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Sequential.Of(10, new GlobalAveragePooling2D(), new Dense(2)));
        Assert.Throws<ArgumentException>(() => Sequential.Of(10, new SpatialDropout2D(0.1), new Dense(2)));
    }

    [Fact]
    public void Bad_hyperparameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(2, (0, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(2, 3) { Strides = (1, 0) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout2D(1.0));
        Assert.Throws<ArgumentException>(() => new InputShape(28, 0, 1));
        Assert.Throws<ArgumentException>(() => Sequential.Of(new InputShape(4, 4, 1), new Conv2D(2, 3, Activation.Softmax), new Flatten(), new Dense(2)));
    }

    [Fact]
    public void MaxNorm_on_a_conv_kernel_bounds_each_filter_over_all_other_axes()
    {
        Sequential spec = Sequential.Of(new InputShape(5, 5, 2), new Conv2D(3, 3) { KernelConstraint = new MaxNorm(0.5) }, new Flatten(), new Dense(2));
        ReferenceModel m = spec.Build(seed: 2);
        ParamTensor<float> k = m.Net.Parameters[0];
        Assert.Equal(18, k.Rows);
        Assert.Equal(3, k.Columns);
        k.Values.AsSpan().Fill(1f);
        k.Constraint!.Apply<float>(k.Values, k.Rows, k.Columns);
        Assert.All(k.Values, v => Assert.Equal(0.5 / Math.Sqrt(18), v, 5));
    }

    [Fact]
    public void The_readme_cnn_example_builds_and_trains()
    {
        var rng = new Random(3);
        float[] x = [.. Enumerable.Range(0, 8 * 784).Select(_ => (float)rng.NextDouble())];
        int[] y = [.. Enumerable.Range(0, 8).Select(i => i % 10)];
        // --- README begin (keep in sync with README.md "Convolutional networks") ---
        Sequential cnn = Sequential.Of(new InputShape(28, 28, 1),
            new Conv2D(32, 3, Activation.Relu) { Padding = Padding.Same, KernelRegularizer = Regularizer.L2(1e-4) },
            new BatchNormalization(),
            new MaxPooling2D(2),
            new Conv2D(64, (3, 3), Activation.Relu) { Strides = (2, 2), KernelConstraint = new MaxNorm(3) },
            new SpatialDropout2D(0.1),
            new GlobalAveragePooling2D(),
            new Dense(10, Activation.Softmax));
        IReadOnlyList<int> shape = cnn.ShapeAt(3);
        using var fast = new CompiledModel(cnn, seed: 42, threads: 2);
        fast.Fit(Dataset.From(x, y, sampleShape: [28, 28, 1]), new FitOptions { Epochs = 1, Optimizer = new Adam(1e-3) });
        // --- README end ---
        Assert.Equal([14, 14, 32], shape);
        Assert.Equal([6, 6, 64], cnn.ShapeAt(4));
    }
}
