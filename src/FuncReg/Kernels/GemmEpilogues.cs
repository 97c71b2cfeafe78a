using System.Numerics.Tensors;

namespace FuncReg.Kernels;

/// <summary>Epilogue computing <c>C[i,j] += bias[j]</c>.</summary>
public readonly struct BiasEpilogue : IGemmEpilogue
{
    private readonly ReadOnlyMemory<float> _bias;

    /// <summary>Creates the epilogue; <paramref name="bias"/> needs at least n elements.</summary>
    public BiasEpilogue(ReadOnlyMemory<float> bias) => _bias = bias;

    public void Validate(int rows, int columns)
    {
        if (_bias.Length < columns)
        {
            throw new ArgumentException(
                $"The bias has {_bias.Length} elements but the output has {columns} columns.", "epilogue");
        }
    }

    public void Apply(int row, int columnStart, Span<float> values) =>
        TensorPrimitives.Add(values, _bias.Span.Slice(columnStart, values.Length), values);
}

/// <summary>Epilogue computing <c>C[i,j] = max(C[i,j] + bias[j], 0)</c> (dense layer + ReLU).</summary>
public readonly struct BiasReluEpilogue : IGemmEpilogue
{
    private readonly ReadOnlyMemory<float> _bias;

    /// <summary>Creates the epilogue; <paramref name="bias"/> needs at least n elements.</summary>
    public BiasReluEpilogue(ReadOnlyMemory<float> bias) => _bias = bias;

    public void Validate(int rows, int columns)
    {
        if (_bias.Length < columns)
        {
            throw new ArgumentException(
                $"The bias has {_bias.Length} elements but the output has {columns} columns.", "epilogue");
        }
    }

    public void Apply(int row, int columnStart, Span<float> values)
    {
        TensorPrimitives.Add(values, _bias.Span.Slice(columnStart, values.Length), values);
        TensorPrimitives.Max(values, 0f, values);
    }
}
