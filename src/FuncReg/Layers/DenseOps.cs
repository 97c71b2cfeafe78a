using System.Numerics;

namespace FuncReg;

/// <summary>
/// The affine map of <see cref="Dense"/>, plain loops (the executable specification; the generated
/// code uses the GEMM kernels). Row-major: x [n, in], W [in, out], z [n, out].
/// </summary>
public static class DenseOps
{
    /// <summary><c>z = x·W + b</c> (b may be empty).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> z, int n, int inputs, int units)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < units; j++)
            {
                T s = b.IsEmpty ? T.Zero : b[j];
                for (int i = 0; i < inputs; i++)
                {
                    s += x[(r * inputs) + i] * w[(i * units) + j];
                }
                z[(r * units) + j] = s;
            }
        }
    }

    /// <summary><c>dW += xᵀ·dz</c>, <c>db += Σ_rows dz</c>, <c>dx = dz·Wᵀ</c> (dx may be empty to skip it).</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> dz, Span<T> dw, Span<T> db, Span<T> dx, int n, int inputs, int units)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < units; j++)
            {
                T d = dz[(r * units) + j];
                if (!db.IsEmpty)
                {
                    db[j] += d;
                }
                for (int i = 0; i < inputs; i++)
                {
                    dw[(i * units) + j] += x[(r * inputs) + i] * d;
                }
            }
            if (!dx.IsEmpty)
            {
                for (int i = 0; i < inputs; i++)
                {
                    T s = T.Zero;
                    for (int j = 0; j < units; j++)
                    {
                        s += dz[(r * units) + j] * w[(i * units) + j];
                    }
                    dx[(r * inputs) + i] = s;
                }
            }
        }
    }
}
