namespace FuncReg;

/// <summary>
/// Element-wise (and row-wise for softmax) activation functions, Keras names and defaults.
/// Each member's formula; <c>z</c> is the pre-activation, <c>y</c> the output:
/// </summary>
public enum Activation
{
    /// <summary><c>y = z</c>.</summary>
    Linear = 0,

    /// <summary><c>y = max(0, z)</c>; derivative 0 at z ≤ 0.</summary>
    Relu,

    /// <summary><c>y = z if z &gt; 0 else α·z</c>, α = 0.2 by default (Keras <c>activations.leaky_relu</c>; PyTorch uses 0.01).</summary>
    LeakyRelu,

    /// <summary><c>y = z if z &gt; 0 else α·(eᶻ − 1)</c>, α = 1.</summary>
    Elu,

    /// <summary><c>y = 1 / (1 + e⁻ᶻ)</c>, computed without overflow for both signs of z.</summary>
    Sigmoid,

    /// <summary><c>y = tanh z</c>.</summary>
    Tanh,

    /// <summary>Row-wise <c>yⱼ = e^(zⱼ − max z) / Σₖ e^(zₖ − max z)</c>; only valid on a model's last layer.</summary>
    Softmax,
}
