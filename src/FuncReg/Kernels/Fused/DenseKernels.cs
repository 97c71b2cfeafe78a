using System.Numerics.Tensors;

namespace FuncReg.Kernels;

/// <summary>
/// The fused passes of a <see cref="Dense"/> layer, called by the compiled engine and by generated models.
/// Buffers are [rows, units] (or [rows, inputs]) row-major and at least n rows long.
/// </summary>
public static class DenseKernels
{
    /// <summary>
    /// <c>z = x·W + b</c> by one GEMM whose epilogue also writes <c>y = f(z)·m</c> (m: the mask of a following
    /// Dropout, or null) and, when <paramref name="activations"/> is given, <c>a = f(z)</c>. Softmax is applied
    /// row-wise after the GEMM. With <paramref name="images"/> (a convolution), x is the batch of input images and the
    /// GEMM's x is their im2col matrix [n = samples·oh·ow, inputs = kh·kw·c], built block by block, never stored.
    /// </summary>
    public static void Forward(GemmContext context, ReadOnlySpan<float> x, float[] kernel, float[]? bias, float[] z, float[]? activations, float[] y, float[]? mask, Activation activation, float alpha, int n, int inputs, int units, Window2D? images = null)
    {
        if (activation == Activation.Softmax)
        {
            Product(context, x, images, kernel, z, n, units, inputs, new DenseEpilogue(bias, null, z, null, Activation.Linear, 0f, units));
            ActivationFunctions.Softmax<float>(z.AsSpan(0, n * units), y.AsSpan(0, n * units), units);
            return;
        }
        Product(context, x, images, kernel, z, n, units, inputs, new DenseEpilogue(bias, activations, y, mask, activation, alpha, units));
    }

    private static void Product(GemmContext context, ReadOnlySpan<float> x, Window2D? images, float[] kernel, float[] z, int n, int units, int inputs, DenseEpilogue epilogue)
    {
        if (images is { } window)
        {
            Gemm.MultiplyImages(GemmLayout.NN, x, window, kernel, z, n, units, inputs, epilogue, context: context);
        }
        else
        {
            Gemm.Multiply(GemmLayout.NN, x, kernel, z, n, units, inputs, epilogue, context: context);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>: <c>dz = dy·m·f′(z)</c> in one pass (or <c>dz = dy</c> when
    /// <paramref name="fromLogits"/>: a fused loss head already gave ∂L/∂z), with the activity penalty's gradient
    /// <c>∂(Ω(y)/n)/∂y</c> added to dy first; then <c>dW = xᵀ·dz</c> (TN GEMM), <c>db = Σ_rows dz</c> and, when
    /// <paramref name="dx"/> is given, <c>dx = dz·Wᵀ</c> (NT GEMM). With <paramref name="images"/>, x is the batch of
    /// input images of a convolution and dW is computed from their im2col matrix built block by block (as
    /// <see cref="Forward"/>); dx is then the gradient of the im2col matrix.
    /// </summary>
    public static void Backward(GemmContext context, ReadOnlySpan<float> x, float[] kernel, float[] kernelGradient, float[]? biasGradient, float[] z, float[]? activations, float[] y, float[]? mask, ReadOnlySpan<float> dy, float[] dz, float[]? dx, Activation activation, float alpha, Regularizer? activity, bool fromLogits, int n, int inputs, int units, Window2D? images = null) =>
        Backward(context, x, kernel, kernelGradient, biasGradient, z, activations, y, mask, dy, dz, dx, activation, alpha, activity, fromLogits, n, inputs, units, images, gradientInPlace: false);

    /// <summary>
    /// <see cref="Backward(GemmContext, ReadOnlySpan{float}, float[], float[], float[], float[], float[], float[], float[], ReadOnlySpan{float}, float[], float[], Activation, float, Regularizer, bool, int, int, int, Window2D?)"/>;
    /// with <paramref name="gradientInPlace"/>, when dz would be a plain copy of dy (linear activation, no mask, no
    /// activity penalty, or a fused loss head) dy itself is used and dz is not written. Returns the ∂L/∂z it used.
    /// </summary>
    internal static ReadOnlySpan<float> Backward(GemmContext context, ReadOnlySpan<float> x, float[] kernel, float[] kernelGradient, float[]? biasGradient, float[] z, float[]? activations, float[] y, float[]? mask, ReadOnlySpan<float> dy, float[] dz, float[]? dx, Activation activation, float alpha, Regularizer? activity, bool fromLogits, int n, int inputs, int units, Window2D? images, bool gradientInPlace)
    {
        int size = n * units;
        Span<float> d = dz.AsSpan(0, size);
        ReadOnlySpan<float> g = d;
        if (gradientInPlace && (fromLogits || (activity is null && mask is null && activation == Activation.Linear)))
        {
            g = dy[..size];
        }
        else if (fromLogits)
        {
            dy[..size].CopyTo(d);
        }
        else
        {
            if (activity is not null)
            {
                dy[..size].CopyTo(d);
                activity.AddGradient<float>(y.AsSpan(0, size), d, 1.0 / n);
                dy = d;
            }
            if (activation == Activation.Softmax)
            {
                ActivationFunctions.Backward<float>(Activation.Softmax, 0, z.AsSpan(0, size), y.AsSpan(0, size), dy[..size], d, units);
            }
            else
            {
                ReadOnlySpan<float> a = (activations ?? y).AsSpan(0, size);
                ActivationKernels.Backward(context, activation, alpha, z.AsSpan(0, size), a, mask is null ? default : mask.AsSpan(0, size), dy[..size], d);
            }
        }
        if (images is { } window)
        {
            Gemm.MultiplyImages(GemmLayout.TN, x, window, g, kernelGradient, inputs, units, n, default(NoEpilogue), context: context);
        }
        else
        {
            Gemm.Multiply(GemmLayout.TN, x, g, kernelGradient, inputs, units, n, context: context);
        }
        if (biasGradient is not null)
        {
            ReductionKernels.ColumnSums(g, n, units, biasGradient);
        }
        if (dx is not null)
        {
            Gemm.Multiply(GemmLayout.NT, g, kernel, dx, n, inputs, units, context: context);
        }
        return g;
    }
}

/// <summary>The passes of <see cref="Dropout"/> (when not fused into a Dense), <see cref="GaussianDropout"/> and <see cref="GaussianNoise"/>.</summary>
public static class NoiseKernels
{
    /// <summary>Training forward: draws the layer's noise for (seed, layer, step) into <paramref name="noise"/>, then <c>y = x·noise</c> (or <c>x + noise</c> for Gaussian noise).</summary>
    public static void Forward(Layer layer, int layerIndex, long seed, long step, ReadOnlySpan<float> x, Span<float> noise, Span<float> y)
    {
        ulong key = CounterRandom.Key(seed, RandomStreams.Layer(layerIndex), step);
        int size = x.Length;
        switch (layer)
        {
            case Dropout d:
                NoiseOps.DropoutMask(d.Rate, key, noise[..size]);
                break;
            case GaussianDropout g:
                NoiseOps.GaussianDropoutFactors(g.Rate, key, noise[..size]);
                break;
            case GaussianNoise g:
                NoiseOps.GaussianNoiseOffsets(g.Stddev, key, noise[..size]);
                TensorPrimitives.Add(x, noise[..size], y[..size]);
                return;
            default:
                throw new ArgumentException($"{layer?.GetType().Name} is not a noise layer", nameof(layer));
        }
        TensorPrimitives.Multiply(x, noise[..size], y[..size]);
    }

    /// <summary>Training backward: <c>dx = dy·noise</c> for the multiplicative kinds, <c>dx = dy</c> for Gaussian noise.</summary>
    public static void Backward(Layer layer, ReadOnlySpan<float> dy, ReadOnlySpan<float> noise, Span<float> dx)
    {
        if (layer is GaussianNoise)
        {
            dy.CopyTo(dx);
            return;
        }
        TensorPrimitives.Multiply(dy, noise[..dy.Length], dx[..dy.Length]);
    }
}
