using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FuncReg.Kernels;

/// <summary>
/// The direct path for small products (m·n·k ≤ <see cref="Gemm.SmallThreshold"/>, AVX2+FMA): A is read
/// in place (one broadcast per row and step), and so is B for NN and TN (the lanes past column n of a last,
/// partial vector are masked loads that read as zero); for NT, B is transposed into k rows of n values padded
/// with zeros to a multiple of 8 columns; register tiles are 4 rows × 16 columns or 8 rows × 8 columns. The
/// arithmetic per element is that of the packed path — over k in blocks of <see cref="GemmTiling.KC"/>,
/// each block summed from zero by fused multiply-adds in p order, then stored or added to C — so the
/// results are bit-identical to <see cref="Avx2MicroKernel"/>'s, on any thread count. With
/// <see cref="GemmContext.TinyPath"/> on, very narrow shapes go to <see cref="GemmTiny"/> first.
/// </summary>
internal static unsafe class GemmSmall
{
    public static void Run<TEpilogue>(in GemmOperands op, PackBuffers buffers, ref TEpilogue epilogue, bool tiny = false)
        where TEpilogue : struct, IGemmEpilogue
    {
        bool fused = false;
        if (!tiny || !(typeof(TEpilogue) == typeof(DenseEpilogue)
            ? GemmTiny.TryRun(op, buffers, Unsafe.As<TEpilogue, DenseEpilogue>(ref epilogue), out fused)
            : GemmTiny.TryRun(op, buffers)))
        {
            Tiles(op, buffers);
        }

        if (fused)
        {
            return;
        }
        if (typeof(TEpilogue) == typeof(DenseEpilogue))
        {
            Unsafe.As<TEpilogue, DenseEpilogue>(ref epilogue).ApplyRows(0, op.M, new Span<float>(op.C, op.M * op.N));
        }
        else if (typeof(TEpilogue) != typeof(NoEpilogue))
        {
            for (int i = 0; i < op.M; i++)
            {
                epilogue.Apply(i, 0, new Span<float>(op.C + ((long)i * op.N), op.N));
            }
        }
    }

    /// <summary>The general register tiles over the whole of C.</summary>
    private static void Tiles(in GemmOperands op, PackBuffers buffers)
    {
        int m = op.M, n = op.N, k = op.K;
        int np = (n + 7) & ~7;
        float* bs;
        int ldb;
        if (op.Layout != GemmLayout.NT)
        {
            // B is k rows of n floats: read it in place, the columns past n of a last partial vector by masked loads.
            bs = op.B;
            ldb = n;
        }
        else
        {
            buffers.Ensure(0, k * np);
            bs = buffers.B;
            ldb = np;
            PackB(op, bs, np);
        }

        // A(i, p) = a[i·rowStride + p·stepStride].
        bool transposedA = op.Layout == GemmLayout.TN;
        nint rowStride = transposedA ? 1 : k, stepStride = transposedA ? m : 1;
        for (int i = 0; i < m; i += 8)
        {
            for (int j = 0; j < np; j += 16)
            {
                if (np - j >= 16)
                {
                    Tile4x16(op, bs, ldb, rowStride, stepStride, i, j);
                    if (i + 4 < m)
                    {
                        Tile4x16(op, bs, ldb, rowStride, stepStride, i + 4, j);
                    }
                }
                else
                {
                    Tile8x8(op, bs, ldb, rowStride, stepStride, i, j);
                }
            }
        }
    }

    /// <summary>B (NT: stored n×k) as k rows of <paramref name="np"/> floats, zero past column n.</summary>
    private static void PackB(in GemmOperands op, float* bs, int np)
    {
        int n = op.N, k = op.K;
        float* b = op.B;
        for (int p = 0; p < k; p++)
        {
            float* row = bs + ((long)p * np);
            for (int j = 0; j < n; j++)
            {
                row[j] = b[((long)j * k) + p];
            }
            for (int j = n; j < np; j++)
            {
                row[j] = 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x16(in GemmOperands op, float* bs, int ldb, nint rowStride, nint stepStride, int i, int j)
    {
        int m = op.M, k = op.K;
        Vector256<float> mask1 = ColumnMask(op.N - j - 8);
        float* a0 = op.A + (i * rowStride);
        float* a1 = op.A + (Math.Min(i + 1, m - 1) * rowStride);
        float* a2 = op.A + (Math.Min(i + 2, m - 1) * rowStride);
        float* a3 = op.A + (Math.Min(i + 3, m - 1) * rowStride);
        for (int pc = 0, depth = GemmTiling.Depth(k); pc < k; pc += depth)
        {
            int pEnd = Math.Min(k, pc + depth);
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
            for (int p = pc; p < pEnd; p++)
            {
                float* b = bs + ((long)p * ldb) + j;
                Vector256<float> b0 = Avx.LoadVector256(b), b1 = Avx.MaskLoad(b + 8, mask1);
                nint o = p * stepStride;
                Vector256<float> av = Vector256.Create(a0[o]);
                c00 = Fma.MultiplyAdd(av, b0, c00);
                c01 = Fma.MultiplyAdd(av, b1, c01);
                av = Vector256.Create(a1[o]);
                c10 = Fma.MultiplyAdd(av, b0, c10);
                c11 = Fma.MultiplyAdd(av, b1, c11);
                av = Vector256.Create(a2[o]);
                c20 = Fma.MultiplyAdd(av, b0, c20);
                c21 = Fma.MultiplyAdd(av, b1, c21);
                av = Vector256.Create(a3[o]);
                c30 = Fma.MultiplyAdd(av, b0, c30);
                c31 = Fma.MultiplyAdd(av, b1, c31);
            }
            bool load = pc > 0 || op.Accumulate;
            Store(op, i, j, c00, load);
            Store(op, i, j + 8, c01, load);
            Store(op, i + 1, j, c10, load);
            Store(op, i + 1, j + 8, c11, load);
            Store(op, i + 2, j, c20, load);
            Store(op, i + 2, j + 8, c21, load);
            Store(op, i + 3, j, c30, load);
            Store(op, i + 3, j + 8, c31, load);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x8(in GemmOperands op, float* bs, int ldb, nint rowStride, nint stepStride, int i, int j)
    {
        int m = op.M, k = op.K;
        Vector256<float> mask = ColumnMask(op.N - j);
        float* a0 = op.A + (i * rowStride);
        float* a1 = op.A + (Math.Min(i + 1, m - 1) * rowStride);
        float* a2 = op.A + (Math.Min(i + 2, m - 1) * rowStride);
        float* a3 = op.A + (Math.Min(i + 3, m - 1) * rowStride);
        float* a4 = op.A + (Math.Min(i + 4, m - 1) * rowStride);
        float* a5 = op.A + (Math.Min(i + 5, m - 1) * rowStride);
        float* a6 = op.A + (Math.Min(i + 6, m - 1) * rowStride);
        float* a7 = op.A + (Math.Min(i + 7, m - 1) * rowStride);
        for (int pc = 0, depth = GemmTiling.Depth(k); pc < k; pc += depth)
        {
            int pEnd = Math.Min(k, pc + depth);
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector256<float> c4 = default, c5 = default, c6 = default, c7 = default;
            for (int p = pc; p < pEnd; p++)
            {
                Vector256<float> b = Avx.MaskLoad(bs + ((long)p * ldb) + j, mask);
                nint o = p * stepStride;
                c0 = Fma.MultiplyAdd(Vector256.Create(a0[o]), b, c0);
                c1 = Fma.MultiplyAdd(Vector256.Create(a1[o]), b, c1);
                c2 = Fma.MultiplyAdd(Vector256.Create(a2[o]), b, c2);
                c3 = Fma.MultiplyAdd(Vector256.Create(a3[o]), b, c3);
                c4 = Fma.MultiplyAdd(Vector256.Create(a4[o]), b, c4);
                c5 = Fma.MultiplyAdd(Vector256.Create(a5[o]), b, c5);
                c6 = Fma.MultiplyAdd(Vector256.Create(a6[o]), b, c6);
                c7 = Fma.MultiplyAdd(Vector256.Create(a7[o]), b, c7);
            }
            bool load = pc > 0 || op.Accumulate;
            Store(op, i, j, c0, load);
            Store(op, i + 1, j, c1, load);
            Store(op, i + 2, j, c2, load);
            Store(op, i + 3, j, c3, load);
            Store(op, i + 4, j, c4, load);
            Store(op, i + 5, j, c5, load);
            Store(op, i + 6, j, c6, load);
            Store(op, i + 7, j, c7, load);
        }
    }

    /// <summary>All-ones in the first <paramref name="valid"/> lanes (clamped to 0..8), zero in the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ColumnMask(int valid) =>
        Vector256.LessThan(Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f), Vector256.Create((float)Math.Clamp(valid, 0, 8)));

    /// <summary>Stores (or adds, as <c>C + acc</c>) the valid columns of one 8-wide accumulator; rows past m are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in GemmOperands op, int i, int j, Vector256<float> acc, bool load)
    {
        int valid = op.N - j;
        if (i >= op.M || valid <= 0)
        {
            return;
        }
        float* c = op.C + ((long)i * op.N) + j;
        if (valid >= 8)
        {
            Avx.Store(c, load ? Avx.LoadVector256(c) + acc : acc);
            return;
        }
        // The valid lanes only, by a masked store (masked-out lanes are neither written nor faulted on).
        Vector256<float> keep = ColumnMask(valid);
        if (load)
        {
            acc = Avx.MaskLoad(c, keep) + acc;
        }
        Avx.MaskStore(c, keep, acc);
    }
}
