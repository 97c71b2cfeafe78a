namespace FuncReg;

/// <summary>
/// A layer's hyperparameters: an immutable description. Trainable parameters, optimizer moments and
/// running statistics live in the model that is built from the description, never in the record.
/// Parameter names follow Keras with the layer's position in the model: <c>dense_0.kernel</c>,
/// <c>batch_norm_1.gamma</c>.
/// </summary>
public abstract record Layer
{
    /// <summary>Name prefix: <c>dense</c>, <c>dropout</c>, <c>batch_norm</c>…; the model appends <c>_{position}</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Whether the layer behaves differently in training and inference (noise, batch statistics).</summary>
    public virtual bool HasTrainingBehaviour => false;
}
