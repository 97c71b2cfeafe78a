namespace FuncReg.Tests.BadFiles;

/// <summary>
/// Issue 12's shape arithmetic: sizes that overflowed int were accepted (and "trained") or threw OverflowException;
/// <see cref="Sequential.Validate"/> now rejects any tensor over <see cref="TensorLimits.MaxElements"/> naming the layer.
/// </summary>
public sealed class ShapeLimitTests
{
    private static ArgumentException Rejected(Func<object> build, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(build);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void The_limit_is_the_length_limit_of_an_array() => Assert.Equal(TensorLimits.MaxElements, Array.MaxLength);

    [Fact]
    public void A_dense_kernel_over_the_limit_names_the_layer_and_the_fix() =>
        Rejected(() => Sequential.Of(2, new Dense(2_000_000_000)),
            "dense_0: a kernel of 2 × 2000000000 = 4000000000 weights exceeds the 2147483591 elements one tensor can hold; use fewer units.");

    [Fact]
    public void A_dense_output_over_the_limit_is_rejected() =>
        Rejected(() => Sequential.Of(1, new Dense(int.MaxValue)), "dense_0: an output of 2147483647 = 2147483647 values per sample exceeds");

    [Fact]
    public void An_input_shape_whose_size_overflows_int_is_an_argument_error()
    {
        var e = Rejected(() => new InputShape(65536, 65536, 1), "an input shape of 65536 × 65536 × 1 = 4294967296 values per sample exceeds");
        Assert.Equal("dimensions", e.ParamName);
        Rejected(() => Sequential.Of([65536, 65536, 1], new Flatten(), new Dense(1)), "an input shape of 65536 × 65536 × 1");
    }

    [Fact]
    public void A_same_padded_kernel_of_int_max_no_longer_trains()
    {
        Rejected(() => Sequential.Of(new InputShape(28, 28, 1), new Conv2D(4, int.MaxValue) { Padding = Padding.Same }, new Flatten(), new Dense(1)),
            "conv2d_0: a kernel of 2147483647 × 2147483647 × 1 × 4 = ");
    }

    [Fact]
    public void Same_padding_arithmetic_does_not_overflow_for_huge_windows_or_strides()
    {
        Assert.Equal((28, 1073741823), Window2D.Axis(28, int.MaxValue, 1, Padding.Same)); // pad_total = 27 + (2³¹−1) − 28
        Assert.Equal((1, 0), Window2D.Axis(28, 3, int.MaxValue, Padding.Same));
    }

    [Fact]
    public void Conv_im2col_patches_over_the_limit_are_rejected() =>
        Rejected(() => Sequential.Of(new InputShape(2048, 2048, 8), new Conv2D(1, 23) { Padding = Padding.Same }, new GlobalAveragePooling2D(), new Dense(1)),
            "conv2d_0: the im2col patches of 2048 × 2048 × 23 × 23 × 8 = ");

    [Fact]
    public void A_pooling_window_over_the_limit_is_rejected() =>
        Rejected(() => Sequential.Of(new InputShape(4, 4, 1), new MaxPooling2D(65536) { Padding = Padding.Same }, new Flatten(), new Dense(1)),
            "max_pooling2d_0: a pooling window of 65536 × 65536 × 1 = 4294967296 values exceeds");

    [Fact]
    public void A_kernel_larger_than_its_input_with_same_padding_stays_legal()
    {
        Sequential spec = Sequential.Of(new InputShape(5, 5, 1), new Conv2D(2, 9) { Padding = Padding.Same }, new Flatten(), new Dense(1));
        Assert.Equal([5, 5, 2], spec.ShapeAt(1));
        Assert.Single(spec.Build(seed: 1).Predict(new float[25]));
    }
}
