namespace FuncReg;

/// <summary>
/// Training losses; every one is the mean over the batch (and over output units where it is
/// element-wise), as in Keras. Targets are integer labels or float rows, see each member.
/// </summary>
public enum Loss
{
    /// <summary>
    /// Categorical cross-entropy <c>−Σⱼ qⱼ log pⱼ</c> over K classes, where q is the target distribution:
    /// one-hot of an integer label (Keras's <c>SparseCategoricalCrossentropy</c>) or a float row of K
    /// probabilities (Keras's <c>CategoricalCrossentropy</c>), after label smoothing
    /// <c>q ← (1 − s)·q + s/K</c>. With a softmax output (or linear output and <c>FromLogits</c>) it is computed
    /// from the logits z as <c>Σⱼ qⱼ (logsumexp(z) − zⱼ)</c>, whose gradient is <c>p − q</c>.
    /// </summary>
    CategoricalCrossEntropy = 0,

    /// <summary>
    /// Binary cross-entropy <c>−[t log p + (1 − t) log(1 − p)]</c> per output unit, t ∈ [0, 1] (labels 0/1
    /// or floats), smoothing <c>t ← (1 − s)·t + s/2</c>. With a sigmoid output (or linear output and
    /// <c>FromLogits</c>) it is computed from the logit z as <c>max(z, 0) − z·t + log(1 + e^−|z|)</c>;
    /// otherwise from probabilities clipped to [1e-7, 1 − 1e-7].
    /// </summary>
    BinaryCrossEntropy,

    /// <summary>Mean squared error <c>(y − t)²</c> averaged over units and samples.</summary>
    MeanSquaredError,
}
