namespace FuncReg.Kernels;

/// <summary>
/// A fused epilogue applied by <see cref="Gemm.Multiply{TEpilogue}"/> to finished output values,
/// i.e. after the complete k-reduction (and after adding the previous C when accumulating).
/// </summary>
/// <remarks>
/// <para>
/// Every element of C is passed to <see cref="Apply"/> exactly once, as part of a row segment
/// <c>C[row, columnStart .. columnStart + values.Length)</c>. Segments are not ordered and, when the
/// <see cref="GemmContext"/> uses several threads, <see cref="Apply"/> runs concurrently on
/// disjoint segments from different threads: implementations must only read shared state (or
/// write state indexed by the element they receive). Implement it on a <c>readonly struct</c>
/// so that the call is specialized and inlined.
/// </para>
/// </remarks>
public interface IGemmEpilogue
{
    /// <summary>
    /// Called once per call of <see cref="Gemm.Multiply{TEpilogue}"/> before any output is
    /// written; throw an <see cref="ArgumentException"/> if the epilogue cannot handle an output
    /// of <paramref name="rows"/>×<paramref name="columns"/>, so that bad input leaves C untouched.
    /// </summary>
    void Validate(int rows, int columns);

    /// <summary>Transforms the finished values of <c>C[row, columnStart ..]</c> in place.</summary>
    void Apply(int row, int columnStart, Span<float> values);
}

/// <summary>The identity epilogue used by the plain <see cref="Gemm.Multiply"/>.</summary>
internal readonly struct NoEpilogue : IGemmEpilogue
{
    public void Validate(int rows, int columns)
    {
    }

    public void Apply(int row, int columnStart, Span<float> values)
    {
    }
}
