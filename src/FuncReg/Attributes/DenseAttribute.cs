namespace FuncReg;

/// <summary>
/// A <see cref="FuncReg.Dense"/> layer of a <see cref="ModelAttribute"/> model: <c>y = f(x·W + b)</c>.
/// Penalties as Keras: <see cref="L1"/>/<see cref="L2"/> on the kernel (<c>l1·Σ|w| + l2·Σw²</c>, not divided
/// by the batch), <see cref="BiasL1"/>/<see cref="BiasL2"/> on the bias, <see cref="ActivityL1"/>/<see cref="ActivityL2"/>
/// on the output (divided by the batch size). A penalty whose coefficients are both zero is absent.
/// <see cref="MaxNorm"/> &gt; 0 adds a <see cref="FuncReg.MaxNorm"/> kernel constraint.
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

    /// <summary>Learn a bias (default true).</summary>
    public bool UseBias { get; set; } = true;
}
