using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FuncReg.Kernels;

/// <summary>Which micro-kernel computes the register tiles.</summary>
internal enum GemmKernelPath
{
    /// <summary>The fastest path the hardware supports.</summary>
    Auto,

    /// <summary><see cref="Vector256{T}"/> with <see cref="Fma.MultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    Avx2,

    /// <summary>Portable <see cref="Vector128{T}"/> multiply + add.</summary>
    Vector128,

    /// <summary>Plain scalar multiply + add.</summary>
    Scalar,
}

/// <summary>
/// A micro-kernel computes one MR×NR tile of C from a packed A micro-panel (kc steps of MR values)
/// and a packed B micro-panel (kc steps of NR values). The accumulation for each element starts
/// at zero and runs over p = 0 .. kc-1 in order; the result is then stored (<c>load == false</c>)
/// or added to C (<c>C + acc</c>).
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    static abstract void Compute(int kc, float* a, float* b, float* c, nint ldc, bool load);
}

internal static class GemmTiling
{
    /// <summary>Rows of a register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of a register tile (two <see cref="Vector256{T}"/>).</summary>
    public const int NR = 16;

    /// <summary>Depth of a packed block: a B micro-panel (KC·NR·4 = 16 KiB) stays in L1.</summary>
    public const int KC = 256;

    /// <summary>
    /// The k-block of a product of depth <paramref name="k"/>: <see cref="KC"/>, or all of k when k ≤ 1.25·KC, so that a
    /// depth just above KC (a 3×3×32 convolution's 288) is not split into a full block and a thin one that re-reads C.
    /// Depends on k only, so results do not depend on threads or on the path (small or packed).
    /// </summary>
    public static int Depth(int k) => k <= KC + (KC / 4) ? Math.Max(k, 1) : KC;

    /// <summary>Rows of a packed A block (MC·KC·4 = 144 KiB), kept in L2.</summary>
    public const int MC = 144;

    /// <summary>Columns of a packed B block.</summary>
    public const int NC = 2048;

    public static GemmKernelPath Resolve(GemmKernelPath requested)
    {
        if (requested != GemmKernelPath.Auto)
        {
            return requested;
        }

        if (Fma.IsSupported && Avx2.IsSupported)
        {
            return GemmKernelPath.Avx2;
        }

        return Vector128.IsHardwareAccelerated ? GemmKernelPath.Vector128 : GemmKernelPath.Scalar;
    }
}

/// <summary>6×16 tile, 12 <see cref="Vector256{T}"/> accumulators, fused multiply-add.</summary>
internal readonly unsafe struct Avx2MicroKernel : IGemmMicroKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, float* a, float* b, float* c, nint ldc, bool load)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);
            a += GemmTiling.MR;
            b += GemmTiling.NR;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, bool load)
    {
        if (load)
        {
            lo = Avx.LoadVector256(c) + lo;
            hi = Avx.LoadVector256(c + 8) + hi;
        }

        Avx.Store(c, lo);
        Avx.Store(c + 8, hi);
    }
}

/// <summary>6×16 tile computed as two 6×8 halves with 12 <see cref="Vector128{T}"/> accumulators each.</summary>
internal readonly unsafe struct Vector128MicroKernel : IGemmMicroKernel
{
    public static void Compute(int kc, float* a, float* b, float* c, nint ldc, bool load)
    {
        Half(kc, a, b, c, ldc, load);
        Half(kc, a, b + 8, c + 8, ldc, load);
    }

    private static void Half(int kc, float* a, float* b, float* c, nint ldc, bool load)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default, c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> av = Vector128.Create(a[0]);
            c00 += av * b0;
            c01 += av * b1;
            av = Vector128.Create(a[1]);
            c10 += av * b0;
            c11 += av * b1;
            av = Vector128.Create(a[2]);
            c20 += av * b0;
            c21 += av * b1;
            av = Vector128.Create(a[3]);
            c30 += av * b0;
            c31 += av * b1;
            av = Vector128.Create(a[4]);
            c40 += av * b0;
            c41 += av * b1;
            av = Vector128.Create(a[5]);
            c50 += av * b0;
            c51 += av * b1;
            a += GemmTiling.MR;
            b += GemmTiling.NR;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector128<float> lo, Vector128<float> hi, bool load)
    {
        if (load)
        {
            lo = Vector128.Load(c) + lo;
            hi = Vector128.Load(c + 4) + hi;
        }

        lo.Store(c);
        hi.Store(c + 4);
    }
}

/// <summary>Reference 6×16 tile in plain scalar code (used when no SIMD is available).</summary>
internal readonly unsafe struct ScalarMicroKernel : IGemmMicroKernel
{
    public static void Compute(int kc, float* a, float* b, float* c, nint ldc, bool load)
    {
        const int mr = GemmTiling.MR;
        const int nr = GemmTiling.NR;
        float* acc = stackalloc float[mr * nr];
        for (int i = 0; i < mr * nr; i++)
        {
            acc[i] = 0f;
        }

        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < mr; r++)
            {
                float av = a[r];
                float* row = acc + (r * nr);
                for (int j = 0; j < nr; j++)
                {
                    row[j] += av * b[j];
                }
            }

            a += mr;
            b += nr;
        }

        for (int r = 0; r < mr; r++)
        {
            float* dst = c + (r * ldc);
            float* src = acc + (r * nr);
            for (int j = 0; j < nr; j++)
            {
                dst[j] = load ? dst[j] + src[j] : src[j];
            }
        }
    }
}
