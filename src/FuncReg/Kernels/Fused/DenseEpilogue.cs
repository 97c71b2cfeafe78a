using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FuncReg.Kernels;

/// <summary>
/// The forward epilogue of a dense layer, fused into the GEMM that computes <c>z = x·W</c>: while a row
/// segment of z is still in cache it adds the bias, writes <c>a = f(z)</c> (when the backward pass needs
/// it) and the layer's output <c>y = f(z)·m</c>, where m is the dropout mask of a following Dropout layer
/// (absent: m = 1). Softmax is row-wise and is applied after the GEMM instead.
/// </summary>
public readonly struct DenseEpilogue : IGemmEpilogue
{
    private readonly float[]? bias;
    private readonly float[]? activations;
    private readonly float[] output;
    private readonly float[]? mask;
    private readonly Activation activation;
    private readonly float alpha;
    private readonly int units;

    /// <param name="bias">Bias [units], or null.</param>
    /// <param name="activations">Receives f(z) [n, units] when not null (needed by sigmoid, tanh, elu backward under a mask).</param>
    /// <param name="output">Receives y = f(z)·m [n, units]; may be the GEMM's own C for a linear, unmasked layer.</param>
    /// <param name="mask">Dropout mask [n, units] (0 or 1/(1 − rate)), or null.</param>
    /// <param name="activation">f; softmax is not allowed here (it needs whole rows).</param>
    /// <param name="alpha">α of leaky ReLU or ELU.</param>
    /// <param name="units">Row length.</param>
    public DenseEpilogue(float[]? bias, float[]? activations, float[] output, float[]? mask, Activation activation, float alpha, int units)
    {
        if (activation == Activation.Softmax)
        {
            throw new ArgumentException("softmax needs whole rows: apply it after the GEMM", nameof(activation));
        }
        this.bias = bias;
        this.activations = activations;
        this.output = output;
        this.mask = mask;
        this.activation = activation;
        this.alpha = alpha;
        this.units = units;
    }

    /// <summary>Bias and activation only (no mask, no separate activations), ReLU or linear: a kernel may write z and y itself.</summary>
    internal bool FusesIntoRows => mask is null && activations is null && activation is Activation.Relu or Activation.Linear;

    internal bool IsRelu => activation == Activation.Relu;

    internal float[]? Bias => bias;

    internal float[] Output => output;

    public void Validate(int rows, int columns)
    {
        if (columns != units || output.Length < rows * columns || (bias is not null && bias.Length < columns) ||
            (mask is not null && mask.Length < rows * columns) || (activations is not null && activations.Length < rows * columns))
        {
            throw new ArgumentException($"dense epilogue buffers do not fit a {rows}×{columns} output", "epilogue");
        }
    }

    /// <summary>
    /// The epilogue of whole rows <c>[row0, row0 + rows)</c>, <paramref name="values"/> being those rows of C
    /// back to back: the same operations as <see cref="Apply"/> on each row, in a few long passes.
    /// </summary>
    internal void ApplyRows(int row0, int rows, Span<float> values)
    {
        int offset = row0 * units, size = rows * units;
        if (bias is not null)
        {
            AddBias(values[..size], bias.AsSpan(0, units), rows);
        }
        Span<float> y = output.AsSpan(offset, size);
        Span<float> a = activations is null ? y : activations.AsSpan(offset, size);
        ActivationKernels.Forward(activation, alpha, values[..size], a);
        if (mask is not null)
        {
            TensorPrimitives.Multiply(a, mask.AsSpan(offset, size), y);
        }
        else if (activations is not null)
        {
            a.CopyTo(y);
        }
    }

    /// <summary>values[r, j] += bias[j] row by row (the same float additions as <see cref="Apply"/>), in Vector256 steps with a scalar tail per row.</summary>
    private static void AddBias(Span<float> values, ReadOnlySpan<float> bias, int rows)
    {
        int units = bias.Length;
        ref float vr = ref MemoryMarshal.GetReference(values);
        ref float br = ref MemoryMarshal.GetReference(bias);
        int size = rows * units;
        int period = units == 0 ? 8 : units * 8 / Math.Min(8, units & -units); // lcm(units, 8)
        if (Vector256.IsHardwareAccelerated && units % 8 != 0 && period <= 64 && size >= 8)
        {
            // Narrow rows: the bias repeats every `units` values of the flat block, so tile it over
            // lcm(units, 8) values and add that pattern vector by vector across row boundaries.
            Span<float> pattern = stackalloc float[64];
            for (int e = 0; e < period; e++)
            {
                pattern[e] = bias[e % units];
            }
            ref float pr = ref MemoryMarshal.GetReference(pattern);
            int flat = 0, phase = 0;
            for (; flat <= size - 8; flat += 8)
            {
                (Vector256.LoadUnsafe(ref vr, (nuint)flat) + Vector256.LoadUnsafe(ref pr, (nuint)phase)).StoreUnsafe(ref vr, (nuint)flat);
                phase += 8;
                if (phase == period)
                {
                    phase = 0;
                }
            }
            for (; flat < size; flat++)
            {
                values[flat] += bias[flat % units];
            }
            return;
        }
        int whole = Vector256.IsHardwareAccelerated ? units - (units % 8) : 0;
        for (int r = 0; r < rows; r++)
        {
            nuint o = (nuint)(r * units);
            int j = 0;
            for (; j < whole; j += 8)
            {
                (Vector256.LoadUnsafe(ref vr, o + (nuint)j) + Vector256.LoadUnsafe(ref br, (nuint)j)).StoreUnsafe(ref vr, o + (nuint)j);
            }
            for (; j < units; j++)
            {
                Unsafe.Add(ref vr, o + (nuint)j) += bias[j];
            }
        }
    }

    public void Apply(int row, int columnStart, Span<float> values)
    {
        int offset = (row * units) + columnStart;
        if (bias is not null)
        {
            TensorPrimitives.Add(values, bias.AsSpan(columnStart, values.Length), values);
        }
        Span<float> y = output.AsSpan(offset, values.Length);
        Span<float> a = activations is null ? y : activations.AsSpan(offset, values.Length);
        ActivationKernels.Forward(activation, alpha, values, a);
        if (mask is not null)
        {
            TensorPrimitives.Multiply(a, mask.AsSpan(offset, values.Length), y);
        }
        else if (activations is not null)
        {
            a.CopyTo(y);
        }
    }
}
