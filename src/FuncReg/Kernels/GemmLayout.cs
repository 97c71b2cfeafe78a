namespace FuncReg.Kernels;

/// <summary>
/// Operand layouts supported by <see cref="Gemm"/>. All matrices are row-major and contiguous
/// (the leading dimension equals the row length). The result is always C[m×n].
/// </summary>
public enum GemmLayout
{
    /// <summary>C = A·B with A stored as [m,k] and B stored as [k,n] (forward pass: X·W).</summary>
    NN,

    /// <summary>C = A·Bᵀ with A stored as [m,k] and B stored as [n,k] (data gradient: dY·Wᵀ).</summary>
    NT,

    /// <summary>C = Aᵀ·B with A stored as [k,m] and B stored as [k,n] (weight gradient: Xᵀ·dY).</summary>
    TN,
}
