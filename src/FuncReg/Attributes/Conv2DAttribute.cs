namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.Conv2D"/> layer of a <see cref="ModelAttribute"/> model, over channels-last images [h, w, cin]:
/// <c>z[oy, ox, f] = b[f] + Σ_{ky, kx, c} x[oy·sh − padTop + ky, ox·sw − padLeft + kx, c]·K[ky, kx, c, f]</c>, <c>y = f(z)</c>,
/// kernel K [kh, kw, cin, filters]. Output size per axis: <see cref="Padding.Valid"/> (default) <c>⌊(in − k)/s⌋ + 1</c>,
/// <see cref="Padding.Same"/> <c>⌈in/s⌉</c> (padding split as TensorFlow, the extra row/column after).
/// Defaults as Keras: strides 1, valid padding, linear activation, Glorot-uniform kernel with fan_in = kh·kw·cin and
/// fan_out = kh·kw·filters, zero bias. Penalties as <see cref="DenseAttribute"/>: <see cref="L1"/>/<see cref="L2"/> on
/// the kernel (<c>l1·Σ|w| + l2·Σw²</c>, not divided by the batch), <see cref="BiasL1"/>/<see cref="BiasL2"/> on the bias,
/// <see cref="ActivityL1"/>/<see cref="ActivityL2"/> on the output (divided by the batch size). <see cref="MaxNorm"/> &gt; 0
/// bounds each filter's norm over [kh, kw, cin].
/// <code>
/// [Conv2D(32, 3, Activation.Relu, Padding = Padding.Same)]      // 3×3, 32 filters
/// [Conv2D(64, 3, 5, Strides = 2, L2 = 1e-4)]                   // 3×5, stride 2, linear
/// </code>
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>A convolution with <paramref name="filters"/> ≥ 1 output channels and a square <paramref name="kernelSize"/> × <paramref name="kernelSize"/> window.</summary>
    public Conv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear)
        : this(filters, kernelSize, kernelSize, activation)
    {
    }

    /// <summary>A convolution with <paramref name="filters"/> ≥ 1 output channels and a <paramref name="kernelHeight"/> × <paramref name="kernelWidth"/> window.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth, Activation activation = Activation.Linear)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Activation = activation;
    }

    /// <summary>Output channels, ≥ 1.</summary>
    public int Filters { get; }

    /// <summary>Window height, ≥ 1.</summary>
    public int KernelHeight { get; }

    /// <summary>Window width, ≥ 1.</summary>
    public int KernelWidth { get; }

    /// <summary>Element-wise activation (not softmax); linear by default.</summary>
    public Activation Activation { get; }

    /// <summary>The same stride ≥ 1 along both axes; default 1. Give either this or <see cref="StrideHeight"/>/<see cref="StrideWidth"/>.</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Vertical stride ≥ 1; default 1.</summary>
    public int StrideHeight { get; set; } = 1;

    /// <summary>Horizontal stride ≥ 1; default 1.</summary>
    public int StrideWidth { get; set; } = 1;

    /// <summary>Border handling; Keras default <see cref="Padding.Valid"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Kernel L1 coefficient, ≥ 0.</summary>
    public double L1 { get; set; }

    /// <summary>Kernel L2 coefficient, ≥ 0.</summary>
    public double L2 { get; set; }

    /// <summary>Bias L1 coefficient, ≥ 0; needs <see cref="UseBias"/>.</summary>
    public double BiasL1 { get; set; }

    /// <summary>Bias L2 coefficient, ≥ 0; needs <see cref="UseBias"/>.</summary>
    public double BiasL2 { get; set; }

    /// <summary>Activity (output) L1 coefficient, ≥ 0; the penalty is divided by the batch size.</summary>
    public double ActivityL1 { get; set; }

    /// <summary>Activity (output) L2 coefficient, ≥ 0; the penalty is divided by the batch size.</summary>
    public double ActivityL2 { get; set; }

    /// <summary>Norm bound c &gt; 0 of each filter's weights over [kh, kw, cin] (<see cref="FuncReg.MaxNorm"/>); 0 means none.</summary>
    public double MaxNorm { get; set; }

    /// <summary>Kernel initializer; Glorot-uniform by default, as Keras.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>
    /// Lower norm bound of <see cref="FuncReg.MinMaxNorm"/>: with <see cref="MaxNorm"/> = c &gt; 0 and 0 ≤ MinNorm ≤ c, each
    /// filter's norm ‖w‖ is pulled towards [MinNorm, c]: <c>w ← w·(rate·clip(‖w‖, MinNorm, c) + (1 − rate)·‖w‖)/(ε + ‖w‖)</c>
    /// (Keras <c>MinMaxNorm</c>). 0 with <see cref="NormRate"/> unset means plain <see cref="FuncReg.MaxNorm"/>.
    /// </summary>
    public double MinNorm { get; set; }

    /// <summary>The rate ∈ [0, 1] of <see cref="FuncReg.MinMaxNorm"/> (default 1: strict bounds); needs <see cref="MaxNorm"/>.</summary>
    public double NormRate { get; set; } = 1.0;

    /// <summary><see cref="FuncReg.UnitNorm"/>: each filter's weights rescaled to norm 1 after every update.</summary>
    public bool UnitNorm { get; set; }

    /// <summary><see cref="FuncReg.NonNeg"/>: negative kernel weights set to 0 after every update.</summary>
    public bool NonNeg { get; set; }

    /// <summary>
    /// The slope of <see cref="Activation.LeakyRelu"/> (x &lt; 0: αx; default 0.2 as Keras 3) or the α of
    /// <see cref="Activation.Elu"/> (x &lt; 0: α(eˣ − 1); default 1), ≥ 0. Not set (NaN): the activation's default.
    /// </summary>
    public double Alpha { get; set; } = double.NaN;

    /// <summary>Bias initializer; zeros by default, as Keras.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>Learn a bias (default true; false is usual before <see cref="BatchNormalizationAttribute"/>).</summary>
    public bool UseBias { get; set; } = true;
}
