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

    /// <summary>
    /// The per-sample output shape for a per-sample <paramref name="input"/> shape (channels last); throws
    /// <see cref="ArgumentException"/> naming the layer (<paramref name="name"/>) and the fix when the input does not fit.
    /// Element-wise layers keep the shape.
    /// </summary>
    internal virtual int[] OutputShape(int[] input, string name) => input;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the layer and the fix when a tensor the layer needs for <paramref name="input"/>
    /// (its output, a parameter, its window over a sample) would exceed <see cref="TensorLimits.MaxElements"/>. Called by
    /// <see cref="Sequential"/> after <see cref="OutputShape"/>; layers that keep or shrink the shape need not check.
    /// </summary>
    internal virtual void CheckSizes(int[] input, int[] output, string name)
    {
    }

    /// <summary>Throws unless <paramref name="input"/> is an image [h, w, c].</summary>
    private protected static void RequireImage(int[] input, string name)
    {
        if (input.Length != 3)
        {
            string hint = input.Length == 1
                ? "give the model an image input shape, e.g. Sequential.Of(new InputShape(28, 28, 1), …), or move the layer before Flatten"
                : "its input must be [height, width, channels]";
            throw new ArgumentException($"{name}: needs a 3-D [height, width, channels] input, but gets [{string.Join(", ", input)}]; {hint}.", "Layers");
        }
    }
}
