using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FuncReg.Kernels;

/// <summary>The operands of one GEMM call, as raw pointers pinned by the caller for its duration.</summary>
internal unsafe struct GemmOperands
{
    public float* A;
    public float* B;
    public float* C;
    public int M;
    public int N;
    public int K;
    public GemmLayout Layout;
    public bool Accumulate;

    /// <summary>A is the implicit im2col matrix of the images at <see cref="A"/> (see <see cref="Gemm.MultiplyImages"/>).</summary>
    public bool Images;

    /// <summary>The convolution window of <see cref="Images"/>.</summary>
    public Window2D Window;
}

/// <summary>
/// Copies blocks of A and B into the contiguous micro-panel order the micro-kernels read.
/// Rows or columns past the matrix edge are padded with zeros so every tile is a full MR×NR tile.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Floats of <see cref="PackBuffers.Scratch"/> an implicit-A product needs (im2col rows of one A block).</summary>
    public static int ImageScratchSize(in GemmOperands op) =>
        op.Layout == GemmLayout.NN
            ? GemmTiling.MR512 * op.K
            : Math.Min(GemmTiling.Depth(op.K), op.K) * Math.Min(GemmTiling.MC, op.M);

    /// <summary>
    /// Packs op(A)[ic .. ic+mc, pc .. pc+kc) as ⌈mc/mr⌉ micro-panels; panel t holds, for each p,
    /// the mr values op(A)[ic + t·mr + r, pc + p] at <c>dst[t·mr·kc + p·mr + r]</c>. For an implicit im2col A, the
    /// rows (NN) or the block (TN) are first built in <paramref name="scratch"/>.
    /// </summary>
    public static void PackA(in GemmOperands op, int ic, int mc, int pc, int kc, float* dst, int mr, float* scratch)
    {
        if (op.Layout == GemmLayout.TN)
        {
            // A is stored [k, m]: the mr values of one step p are contiguous, rows of A are `stride` apart.
            float* first = op.A + ((long)pc * op.M) + ic;
            nint stride = op.M;
            if (op.Images && mr == 8 && mc % 8 == 0 && ic % 8 == 0 && op.Window.Channels % 8 == 0 && mc <= 8 * ImageKernels.MaxPanels
                && Vector256.IsHardwareAccelerated)
            {
                // 8 consecutive patch values of a multiple-of-8 channel count sit in one input pixel: copy them straight into the panels
                ImageKernels.Im2ColPanels8(op.A, op.Window, pc, kc, ic, mc / 8, dst);
                return;
            }

            if (op.Images)
            {
                ImageKernels.Im2ColRows(op.A, op.Window, pc, kc, ic, ic + mc, scratch, mc);

                first = scratch;
                stride = mc;
            }

            for (int ir = 0; ir < mc; ir += mr)
            {
                PackTransposed(first + ir, stride, Math.Min(mr, mc - ir), kc, dst, mr);
                dst += mr * kc;
            }

            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
        {
            // A is stored [m, k]: each of the mr rows is contiguous along p.
            int rows = Math.Min(mr, mc - ir);
            float* src = op.A + ((long)(ic + ir) * op.K) + pc;
            if (op.Images)
            {
                ImageKernels.Im2ColRows(op.A, op.Window, ic + ir, rows, pc, pc + kc, scratch, kc);

                src = scratch;
                PackRows(src, kc, rows, kc, dst, mr);
            }
            else
            {
                PackRows(src, op.K, rows, kc, dst, mr);
            }

            dst += mr * kc;
        }
    }

    /// <summary>One A micro-panel from <paramref name="rows"/> rows of kc contiguous values, <paramref name="ld"/> apart.</summary>
    private static void PackRows(float* src, nint ld, int rows, int kc, float* dst, int mr)
    {
        int p0 = 0;
        if (rows == 8 && mr == 8 && Avx.IsSupported)
        {
            for (; p0 <= kc - 8; p0 += 8)
            {
                Transpose8x8(src + p0, ld, dst + (p0 * 8), 8);
            }
        }

        int r = 0;
        for (; r < rows; r++)
        {
            float* row = src + (r * ld);
            for (int p = p0; p < kc; p++)
            {
                dst[(p * mr) + r] = row[p];
            }
        }

        for (; r < mr; r++)
        {
            for (int p = p0; p < kc; p++)
            {
                dst[(p * mr) + r] = 0f;
            }
        }
    }

    /// <summary>One A micro-panel from kc steps of <paramref name="rows"/> contiguous values, <paramref name="stride"/> apart.</summary>
    private static void PackTransposed(float* src, nint stride, int rows, int kc, float* dst, int mr)
    {
        if (rows == 8 && mr == 8 && Vector256.IsHardwareAccelerated)
        {
            for (int p = 0; p < kc; p++)
            {
                Vector256.Load(src).Store(dst + (p * 8));
                src += stride;
            }

            return;
        }

        for (int p = 0; p < kc; p++)
        {
            float* d = dst + (p * mr);
            int r = 0;
            for (; r < rows; r++)
            {
                d[r] = src[r];
            }

            for (; r < mr; r++)
            {
                d[r] = 0f;
            }

            src += stride;
        }
    }

    /// <summary>
    /// Packs op(B)[pc .. pc+kc, jc .. jc+nc) as ⌈nc/nr⌉ micro-panels; panel t holds, for each p,
    /// the nr values op(B)[pc + p, jc + t·nr + j] at <c>dst[t·nr·kc + p·nr + j]</c>.
    /// </summary>
    public static void PackB(in GemmOperands op, int pc, int kc, int jc, int nc, float* dst, int nr)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (op.Layout == GemmLayout.NT)
            {
                // B is stored [n, k]: each of the nr columns of op(B) is a contiguous row of B.
                float* first = op.B + ((long)(jc + jr) * op.K) + pc;
                int p0 = 0;
                if (cols == nr && nr % 8 == 0 && Avx.IsSupported)
                {
                    for (; p0 <= kc - 8; p0 += 8)
                    {
                        for (int g = 0; g < nr; g += 8)
                        {
                            Transpose8x8(first + ((long)g * op.K) + p0, op.K, dst + (p0 * nr) + g, nr);
                        }
                    }
                }

                int j = 0;
                for (; j < cols; j++)
                {
                    float* src = first + ((long)j * op.K);
                    for (int p = p0; p < kc; p++)
                    {
                        dst[(p * nr) + j] = src[p];
                    }
                }

                for (; j < nr; j++)
                {
                    for (int p = p0; p < kc; p++)
                    {
                        dst[(p * nr) + j] = 0f;
                    }
                }
            }
            else
            {
                // B is stored [k, n]: the nr values of one step p are contiguous.
                float* src = op.B + ((long)pc * op.N) + jc + jr;
                if (cols == nr && nr % 16 == 0)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int j = 0; j < nr; j += 16)
                        {
                            Copy16(src + j, dst + (p * nr) + j);
                        }

                        src += op.N;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* d = dst + (p * nr);
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            d[j] = src[j];
                        }

                        for (; j < nr; j++)
                        {
                            d[j] = 0f;
                        }

                        src += op.N;
                    }
                }
            }

            dst += nr * kc;
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block at <paramref name="src"/> (rows <paramref name="ld"/> apart):
    /// <c>dst[i·dstStride + r] = src[r·ld + i]</c>. Needs AVX.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * ld));
        Vector256<float> r3 = Avx.LoadVector256(src + (3 * ld));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * ld));
        Vector256<float> r5 = Avx.LoadVector256(src + (5 * ld));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * ld));
        Vector256<float> r7 = Avx.LoadVector256(src + (7 * ld));

        // Pairs interleaved: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], …
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

        // Quads: s0 = column 0 of rows 0..3 | column 4 of rows 0..3, …
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * dstStride), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * dstStride), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * dstStride), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * dstStride), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * dstStride), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * dstStride), Avx.Permute2x128(s3, s7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy16(float* src, float* dst)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256.Load(src).Store(dst);
            Vector256.Load(src + 8).Store(dst + 8);
        }
        else
        {
            Vector128.Load(src).Store(dst);
            Vector128.Load(src + 4).Store(dst + 4);
            Vector128.Load(src + 8).Store(dst + 8);
            Vector128.Load(src + 12).Store(dst + 12);
        }
    }
}
