using System.Numerics.Tensors;

namespace FuncReg;

/// <summary>Checks on a model's whole numeric state (parameters, moving statistics and optimizer moments).</summary>
public static class ModelState
{
    /// <summary>
    /// The first parameter or optimizer moment holding NaN or ±∞, with the flat index of its first such value, or null
    /// when everything is finite. One vectorized pass per tensor (<see cref="TensorPrimitives.MaxMagnitude(ReadOnlySpan{float})"/>
    /// is NaN or ∞ exactly when some element is).
    /// </summary>
    public static (string Tensor, int Index, float Value)? FindNonFinite(this IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Find(model.Parameters) ?? Find(model.OptimizerState);
    }

    /// <summary>
    /// Throws <see cref="NonFiniteStateException"/> when <see cref="FindNonFinite"/> finds a value, saying that
    /// <paramref name="action"/> (e.g. "saving net.safetensors") was refused.
    /// </summary>
    public static void EnsureFinite(this IModel model, string action)
    {
        if (model.FindNonFinite() is { } bad)
        {
            throw new NonFiniteStateException(
                $"{action} refused: {bad.Tensor}[{bad.Index}] is {bad.Value}; the model has diverged. Lower the learning rate, add gradient clipping (ClipNorm), or scale the inputs.",
                bad.Tensor, bad.Index);
        }
    }

    /// <summary>The first non-finite value of <paramref name="values"/>: its index, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values)))
        {
            return -1;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static (string, int, float)? Find(IReadOnlyList<Parameter> tensors)
    {
        foreach (Parameter p in tensors)
        {
            int i = IndexOfNonFinite(p.Values);
            if (i >= 0)
            {
                return (p.Name, i, p.Values[i]);
            }
        }
        return null;
    }
}
