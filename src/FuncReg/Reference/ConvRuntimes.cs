using System.Numerics;

namespace FuncReg;

/// <summary>Conv2D of the reference interpreter: <see cref="Conv2DOps"/> then the activation, per output position.</summary>
internal sealed class Conv2DRuntime<T> : LayerRuntime<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly Conv2D spec;
    private readonly Window2D window;
    private readonly ParamTensor<T> kernel;
    private readonly ParamTensor<T>? bias;
    private T[] x = [], z = [], y = [];

    public Conv2DRuntime(int index, string name, IReadOnlyList<int> inputShape, Conv2D spec)
        : base(index, name, inputShape[0] * inputShape[1] * inputShape[2])
    {
        this.spec = spec;
        window = spec.WindowOver(inputShape);
        kernel = Add("kernel", [spec.KernelSize.Height, spec.KernelSize.Width, inputShape[2], spec.Filters], ParameterRole.Kernel, spec.KernelRegularizer, spec.KernelConstraint);
        bias = spec.UseBias ? Add("bias", [spec.Filters], ParameterRole.Bias, spec.BiasRegularizer, spec.BiasConstraint) : null;
    }

    public override int Outputs => window.OutputPixels * spec.Filters;

    public override Regularizer? Activity => spec.ActivityRegularizer is { IsZero: false } r ? r : null;

    public override T[]? PreActivation => z;

    public override T[] LastOutput => y;

    /// <summary>Keras fans: <c>fan_in = kh·kw·cin</c>, <c>fan_out = kh·kw·filters</c>.</summary>
    public void Initialize(long seed, int firstIndex)
    {
        int area = spec.KernelSize.Height * spec.KernelSize.Width;
        Initializers.Fill<T>(spec.KernelInitializer, kernel.Values, area * window.Channels, area * spec.Filters, seed, firstIndex);
        if (bias is not null)
        {
            Initializers.Fill<T>(spec.BiasInitializer, bias.Values, area * window.Channels, area * spec.Filters, seed, firstIndex + 1);
        }
    }

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        this.x = x;
        z = new T[n * Outputs];
        y = new T[n * Outputs];
        Conv2DOps.Forward<T>(x, kernel.Values, bias is null ? default : bias.Values, z, n, window, spec.Filters);
        ActivationFunctions.Forward<T>(spec.Activation, spec.EffectiveAlpha, z, y, spec.Filters);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        if (Activity is { } act)
        {
            dy = (T[])dy.Clone();
            act.AddGradient<T>(y, dy, 1.0 / n);
        }
        var dz = new T[dy.Length];
        ActivationFunctions.Backward<T>(spec.Activation, spec.EffectiveAlpha, z, y, dy, dz, spec.Filters);
        var dx = new T[n * Inputs];
        Conv2DOps.Backward<T>(x, kernel.Values, dz, kernel.Grad, bias is null ? default : bias.Grad, dx, n, window, spec.Filters);
        return dx;
    }
}

/// <summary>MaxPooling2D and AveragePooling2D.</summary>
internal sealed class Pooling2DRuntime<T>(int index, string name, IReadOnlyList<int> inputShape, Pooling2D spec)
    : LayerRuntime<T>(index, name, inputShape[0] * inputShape[1] * inputShape[2])
    where T : IFloatingPointIeee754<T>
{
    private readonly Window2D window = spec.WindowOver(inputShape);
    private int[] argmax = [];

    public override int Outputs => window.OutputPixels * window.Channels;

    public Window2D Window => window;

    /// <summary>Input of the last forward pass (tests look for near-ties of max pooling in it).</summary>
    public T[] LastInput { get; private set; } = [];

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        LastInput = x;
        var y = new T[n * Outputs];
        if (spec is MaxPooling2D)
        {
            argmax = new int[n * Outputs];
            PoolingOps.MaxForward<T>(x, y, argmax, n, window);
        }
        else
        {
            PoolingOps.AverageForward<T>(x, y, n, window);
        }
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        var dx = new T[n * Inputs];
        if (spec is MaxPooling2D)
        {
            PoolingOps.MaxBackward<T>(dy, argmax, dx);
        }
        else
        {
            PoolingOps.AverageBackward<T>(dy, dx, n, window);
        }
        return dx;
    }
}

/// <summary>GlobalAveragePooling2D: [h, w, c] → [c].</summary>
internal sealed class GlobalAveragePoolingRuntime<T>(int index, string name, IReadOnlyList<int> inputShape)
    : LayerRuntime<T>(index, name, inputShape[0] * inputShape[1] * inputShape[2])
    where T : IFloatingPointIeee754<T>
{
    private readonly int positions = inputShape[0] * inputShape[1], channels = inputShape[2];

    public override int Outputs => channels;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        var y = new T[n * channels];
        PoolingOps.GlobalAverageForward<T>(x, y, n, positions, channels);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        var dx = new T[n * Inputs];
        PoolingOps.GlobalAverageBackward<T>(dy, dx, n, positions, channels);
        return dx;
    }
}

/// <summary>Flatten: the identity on the row-major data.</summary>
internal sealed class FlattenRuntime<T>(int index, string name, int inputs) : LayerRuntime<T>(index, name, inputs)
    where T : IFloatingPointIeee754<T>
{
    public override T[] Forward(T[] x, int n, ForwardContext ctx) => x;

    public override T[] Backward(T[] dy, int n) => dy;
}

/// <summary>SpatialDropout2D: one mask entry per (sample, channel) from the layer's stream.</summary>
internal sealed class SpatialDropoutRuntime<T>(int index, string name, IReadOnlyList<int> inputShape, SpatialDropout2D spec)
    : LayerRuntime<T>(index, name, inputShape[0] * inputShape[1] * inputShape[2])
    where T : IFloatingPointIeee754<T>
{
    private readonly int positions = inputShape[0] * inputShape[1], channels = inputShape[2];
    private T[]? mask;

    public override T[] Forward(T[] x, int n, ForwardContext ctx)
    {
        mask = null;
        if (!ctx.Training)
        {
            return x;
        }
        mask = new T[n * channels];
        NoiseOps.DropoutMask<T>(spec.Rate, CounterRandom.Key(ctx.Seed, RandomStreams.Layer(Index), ctx.Step), mask);
        var y = new T[x.Length];
        PoolingOps.ChannelMask<T>(x, mask, y, n, positions, channels);
        return y;
    }

    public override T[] Backward(T[] dy, int n)
    {
        if (mask is null)
        {
            return dy;
        }
        var dx = new T[dy.Length];
        PoolingOps.ChannelMask<T>(dy, mask, dx, n, positions, channels);
        return dx;
    }
}
