namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.Dense"/> layer of a <see cref="ModelAttribute"/> model: <c>y = f(x·W + b)</c>.
/// Penalties as Keras: <see cref="L1"/>/<see cref="L2"/> on the kernel (<c>l1·Σ|w| + l2·Σw²</c>, not divided
/// by the batch), <see cref="BiasL1"/>/<see cref="BiasL2"/> on the bias, <see cref="ActivityL1"/>/<see cref="ActivityL2"/>
/// on the output (divided by the batch size). A penalty whose coefficients are both zero is absent.
/// One kernel constraint: <see cref="MaxNorm"/> (with <see cref="MinNorm"/>/<see cref="NormRate"/>: <see cref="FuncReg.MinMaxNorm"/>),
/// <see cref="UnitNorm"/> or <see cref="NonNeg"/>, applied after every update.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>A dense layer of <paramref name="units"/> ≥ 1 outputs with <paramref name="activation"/>.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    public int Units { get; }

    public Activation Activation { get; }

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

    /// <summary>Norm bound c &gt; 0 of each unit's incoming weights (<see cref="FuncReg.MaxNorm"/>); 0 means none.</summary>
    public double MaxNorm { get; set; }

    /// <summary>Kernel initializer; Glorot-uniform by default, as Keras.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>
    /// Lower norm bound of <see cref="FuncReg.MinMaxNorm"/>: with <see cref="MaxNorm"/> = c &gt; 0 and 0 ≤ MinNorm ≤ c, each
    /// unit's norm ‖w‖ is pulled towards [MinNorm, c]: <c>w ← w·(rate·clip(‖w‖, MinNorm, c) + (1 − rate)·‖w‖)/(ε + ‖w‖)</c>
    /// (Keras <c>MinMaxNorm</c>). 0 with <see cref="NormRate"/> unset means plain <see cref="FuncReg.MaxNorm"/>.
    /// </summary>
    public double MinNorm { get; set; }

    /// <summary>The rate ∈ [0, 1] of <see cref="FuncReg.MinMaxNorm"/> (default 1: strict bounds); needs <see cref="MaxNorm"/>.</summary>
    public double NormRate { get; set; } = 1.0;

    /// <summary><see cref="FuncReg.UnitNorm"/>: each unit's weights rescaled to norm 1 after every update.</summary>
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

    /// <summary>Learn a bias (default true).</summary>
    public bool UseBias { get; set; } = true;
}
