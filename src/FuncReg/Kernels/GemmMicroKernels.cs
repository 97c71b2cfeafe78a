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

    /// <summary>
    /// <see cref="Vector512{T}"/> with fused multiply-add on 8×32 tiles (AVX-512F); per element the same fused
    /// multiply-adds in the same order as <see cref="Avx2"/>, so the two paths give bit-identical results.
    /// </summary>
    Avx512,
}

/// <summary>
/// A micro-kernel computes one MR×NR tile of C from a packed A micro-panel (kc steps of MR values)
/// and a packed B micro-panel (kc steps of NR values). The accumulation for each element starts
/// at zero and runs over p = 0 .. kc-1 in order; the result is then stored (<c>load == false</c>)
/// or added to C (<c>C + acc</c>). The NR values of step p of B are at <c>b + p·ldb</c> (ldb = NR for a packed
/// panel; B's row length when B is read in place).
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile (values per step of a packed A micro-panel).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (values per step of a packed B micro-panel).</summary>
    static abstract int NR { get; }

    static abstract void Compute(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load);
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

    /// <summary>Rows of an <see cref="Avx512MicroKernel"/> tile.</summary>
    public const int MR512 = 8;

    /// <summary>Columns of an <see cref="Avx512MicroKernel"/> tile (two <see cref="Vector512{T}"/>).</summary>
    public const int NR512 = 32;

    /// <summary>
    /// The path <c>Auto</c> stands for: <see cref="GemmKernelPath.Avx512"/> where 512-bit vectors are accelerated,
    /// else <see cref="GemmKernelPath.Avx2"/> with AVX2 + FMA, else the portable fallbacks. The environment variable
    /// <c>FUNCREG_GEMM_KERNEL</c> = <c>avx2</c> keeps the 256-bit kernel on an AVX-512 machine (for comparisons).
    /// </summary>
    public static readonly GemmKernelPath Default = DetectDefault();

    public static GemmKernelPath Resolve(GemmKernelPath requested)
    {
        if (requested == GemmKernelPath.Avx512 && !Avx512Supported)
        {
            return Resolve(GemmKernelPath.Auto);
        }

        return requested != GemmKernelPath.Auto ? requested : Default;
    }

    /// <summary>Whether <see cref="GemmKernelPath.Avx512"/> can run here (otherwise requesting it falls back to <c>Auto</c>).</summary>
    public static bool Avx512Supported =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported;

    private static GemmKernelPath DetectDefault()
    {
        bool avx2 = Fma.IsSupported && Avx2.IsSupported;
        bool forceAvx2 = string.Equals(Environment.GetEnvironmentVariable("FUNCREG_GEMM_KERNEL"), "avx2", StringComparison.OrdinalIgnoreCase);
        if (Avx512Supported && !forceAvx2)
        {
            return GemmKernelPath.Avx512;
        }

        if (avx2)
        {
            return GemmKernelPath.Avx2;
        }

        return Vector128.IsHardwareAccelerated ? GemmKernelPath.Vector128 : GemmKernelPath.Scalar;
    }
}

/// <summary>6×16 tile, 12 <see cref="Vector256{T}"/> accumulators, fused multiply-add.</summary>
internal readonly unsafe struct Avx2MicroKernel : IGemmMicroKernel
{
    public static int MR => GemmTiling.MR;

    public static int NR => GemmTiling.NR;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load)
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
            b += ldb;
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

/// <summary>
/// 8×32 tile, 16 <see cref="Vector512{T}"/> accumulators, fused multiply-add (AVX-512F). Each element is summed from
/// zero over p in order with one rounding per step, exactly as <see cref="Avx2MicroKernel"/>: bit-identical results.
/// </summary>
internal readonly unsafe struct Avx512MicroKernel : IGemmMicroKernel
{
    public static int MR => GemmTiling.MR512;

    public static int NR => GemmTiling.NR512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
            a += GemmTiling.MR512;
            b += ldb;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
        StoreRow(c + (6 * ldc), c60, c61, load);
        StoreRow(c + (7 * ldc), c70, c71, load);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> lo, Vector512<float> hi, bool load)
    {
        if (load)
        {
            lo = Avx512F.LoadVector512(c) + lo;
            hi = Avx512F.LoadVector512(c + 16) + hi;
        }

        Avx512F.Store(c, lo);
        Avx512F.Store(c + 16, hi);
    }
}

/// <summary>6×16 tile computed as two 6×8 halves with 12 <see cref="Vector128{T}"/> accumulators each.</summary>
internal readonly unsafe struct Vector128MicroKernel : IGemmMicroKernel
{
    public static int MR => GemmTiling.MR;

    public static int NR => GemmTiling.NR;

    public static void Compute(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load)
    {
        Half(kc, a, b, ldb, c, ldc, load);
        Half(kc, a, b + 8, ldb, c + 8, ldc, load);
    }

    private static void Half(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load)
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
            b += ldb;
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
    public static int MR => GemmTiling.MR;

    public static int NR => GemmTiling.NR;

    public static void Compute(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load)
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
            b += ldb;
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
