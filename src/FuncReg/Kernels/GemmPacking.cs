using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
}

/// <summary>
/// Copies blocks of A and B into the contiguous micro-panel order the micro-kernels read.
/// Rows or columns past the matrix edge are padded with zeros so every tile is a full MR×NR tile.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = GemmTiling.MR;
    private const int NR = GemmTiling.NR;

    /// <summary>
    /// Packs op(A)[ic .. ic+mc, pc .. pc+kc) as ⌈mc/MR⌉ micro-panels; panel t holds, for each p,
    /// the MR values op(A)[ic + t·MR + r, pc + p] at <c>dst[t·MR·kc + p·MR + r]</c>.
    /// </summary>
    public static void PackA(in GemmOperands op, int ic, int mc, int pc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            if (op.Layout == GemmLayout.TN)
            {
                // A is stored [k, m]: the MR values of one step p are contiguous.
                float* src = op.A + ((long)pc * op.M) + ic + ir;
                for (int p = 0; p < kc; p++)
                {
                    float* d = dst + (p * MR);
                    int r = 0;
                    for (; r < rows; r++)
                    {
                        d[r] = src[r];
                    }

                    for (; r < MR; r++)
                    {
                        d[r] = 0f;
                    }

                    src += op.M;
                }
            }
            else
            {
                // A is stored [m, k]: each of the MR rows is contiguous along p.
                int r = 0;
                for (; r < rows; r++)
                {
                    float* src = op.A + ((long)(ic + ir + r) * op.K) + pc;
                    for (int p = 0; p < kc; p++)
                    {
                        dst[(p * MR) + r] = src[p];
                    }
                }

                for (; r < MR; r++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        dst[(p * MR) + r] = 0f;
                    }
                }
            }

            dst += MR * kc;
        }
    }

    /// <summary>
    /// Packs op(B)[pc .. pc+kc, jc .. jc+nc) as ⌈nc/NR⌉ micro-panels; panel t holds, for each p,
    /// the NR values op(B)[pc + p, jc + t·NR + j] at <c>dst[t·NR·kc + p·NR + j]</c>.
    /// </summary>
    public static void PackB(in GemmOperands op, int pc, int kc, int jc, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int cols = Math.Min(NR, nc - jr);
            if (op.Layout == GemmLayout.NT)
            {
                // B is stored [n, k]: each of the NR columns of op(B) is a contiguous row of B.
                int j = 0;
                for (; j < cols; j++)
                {
                    float* src = op.B + ((long)(jc + jr + j) * op.K) + pc;
                    for (int p = 0; p < kc; p++)
                    {
                        dst[(p * NR) + j] = src[p];
                    }
                }

                for (; j < NR; j++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        dst[(p * NR) + j] = 0f;
                    }
                }
            }
            else
            {
                // B is stored [k, n]: the NR values of one step p are contiguous.
                float* src = op.B + ((long)pc * op.N) + jc + jr;
                if (cols == NR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Copy16(src, dst + (p * NR));
                        src += op.N;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* d = dst + (p * NR);
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            d[j] = src[j];
                        }

                        for (; j < NR; j++)
                        {
                            d[j] = 0f;
                        }

                        src += op.N;
                    }
                }
            }

            dst += NR * kc;
        }
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
