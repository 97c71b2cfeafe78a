using System.Runtime.CompilerServices;

namespace FuncReg.Kernels;

/// <summary>
/// The blocked loops around the micro-kernel (BLIS order: jc → pc → ic → jr → ir) for one
/// rectangular part of C. Every element of C is reduced over k in blocks of
/// <see cref="GemmTiling.Depth"/> starting at p = 0, each block summed from zero in p order and then
/// added to C, so the result of an element is the same whatever part or tile it falls in.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>
    /// Widest B (NN or TN layout) read in place instead of packed, when its columns are whole register panels: the rows
    /// of a narrow B are short strides apart, so reading them directly costs no more than the packed panel and saves the copy.
    /// </summary>
    public const int InPlaceColumns = 128;

    /// <summary>The register tile (rows, columns) of a kernel path.</summary>
    public static (int MR, int NR) Tile(GemmKernelPath path) =>
        path == GemmKernelPath.Avx512 ? (GemmTiling.MR512, GemmTiling.NR512) : (GemmTiling.MR, GemmTiling.NR);

    /// <summary>Packing buffer sizes (floats) for a part of <paramref name="rows"/>×<paramref name="cols"/> on <paramref name="path"/>.</summary>
    public static (int A, int B) BufferSizes(int rows, int cols, int k, GemmKernelPath path)
    {
        (int mr, int nr) = Tile(path);
        int kc = Math.Min(GemmTiling.Depth(k), k);
        int mc = RoundUp(Math.Min(GemmTiling.MC, rows), mr);
        int nc = RoundUp(Math.Min(GemmTiling.NC, cols), nr);
        return (mc * kc, nc * kc);
    }

    public static void Run<TEpilogue>(
        in GemmOperands op, GemmKernelPath path, int i0, int i1, int j0, int j1, PackBuffers buffers, ref TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        switch (path)
        {
            case GemmKernelPath.Avx512:
                Run<TEpilogue, Avx512MicroKernel>(op, i0, i1, j0, j1, buffers, ref epilogue);
                break;
            case GemmKernelPath.Avx2:
                Run<TEpilogue, Avx2MicroKernel>(op, i0, i1, j0, j1, buffers, ref epilogue);
                break;
            case GemmKernelPath.Vector128:
                Run<TEpilogue, Vector128MicroKernel>(op, i0, i1, j0, j1, buffers, ref epilogue);
                break;
            default:
                Run<TEpilogue, ScalarMicroKernel>(op, i0, i1, j0, j1, buffers, ref epilogue);
                break;
        }
    }

    private static void Run<TEpilogue, TKernel>(
        in GemmOperands op, int i0, int i1, int j0, int j1, PackBuffers buffers, ref TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
        where TKernel : struct, IGemmMicroKernel
    {
        float* edge = stackalloc float[GemmTiling.MR512 * GemmTiling.NR512];
        float* packedA = buffers.A;
        float* packedB = buffers.B;
        nint ldc = op.N;

        for (int jc = j0; jc < j1; jc += GemmTiling.NC)
        {
            int nc = Math.Min(GemmTiling.NC, j1 - jc);
            int depth = GemmTiling.Depth(op.K);
            for (int pc = 0; pc < op.K; pc += depth)
            {
                int kc = Math.Min(depth, op.K - pc);
                bool load = pc > 0 || op.Accumulate;
                bool last = pc + kc == op.K;
                // B [k, n] with whole panels of a narrow n is read in place: its rows are the panels' steps
                bool inPlace = op.Layout != GemmLayout.NT && op.N % TKernel.NR == 0 && op.N <= InPlaceColumns;
                float* panels = inPlace ? op.B + ((long)pc * op.N) + jc : packedB;
                nint ldb = inPlace ? op.N : TKernel.NR;
                if (!inPlace)
                {
                    GemmPacking.PackB(op, pc, kc, jc, nc, packedB, TKernel.NR);
                }

                for (int ic = i0; ic < i1; ic += GemmTiling.MC)
                {
                    int mc = Math.Min(GemmTiling.MC, i1 - ic);
                    GemmPacking.PackA(op, ic, mc, pc, kc, packedA, TKernel.MR, buffers.Scratch);
                    MacroKernel<TKernel>(op.C + ((long)ic * ldc) + jc, ldc, mc, nc, kc, packedA, panels, ldb, inPlace ? 1 : kc, load, edge);

                    if (last)
                    {
                        for (int i = ic; i < ic + mc; i++)
                        {
                            epilogue.Apply(i, jc, new Span<float>(op.C + ((long)i * ldc) + jc, nc));
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<TKernel>(
        float* c, nint ldc, int mc, int nc, int kc, float* packedA, float* packedB, nint ldb, long panelStep, bool load, float* edge)
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* b = packedB + (jr * panelStep);
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* a = packedA + ((long)ir * kc);
                float* ct = c + (ir * ldc) + jr;
                if (rows == mr && cols == nr)
                {
                    TKernel.Compute(kc, a, b, ldb, ct, ldc, load);
                }
                else
                {
                    TKernel.Compute(kc, a, b, ldb, edge, nr, load: false);
                    MergeEdge(edge, nr, ct, ldc, rows, cols, load);
                }
            }
        }
    }

    /// <summary>Stores (or adds, as <c>C + tile</c>) the valid part of an edge tile.</summary>
    private static void MergeEdge(float* tile, int nr, float* c, nint ldc, int rows, int cols, bool load)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + (r * nr);
            float* dst = c + (r * ldc);
            for (int j = 0; j < cols; j++)
            {
                dst[j] = load ? dst[j] + src[j] : src[j];
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

/// <summary>A multiplication split into parts over rows or columns of C, run by <see cref="GemmWorkerPool"/>.</summary>
internal abstract class GemmJob
{
    private readonly GemmContext _context;

    protected GemmJob(GemmContext context) => _context = context;

    internal GemmOperands Operands;
    internal GemmKernelPath Path;
    internal bool SplitRows;
    internal int Chunk;

    public abstract void Execute(int part);

    protected PackBuffers Buffers(int part) => _context.Buffers(part);

    /// <summary>The rows [i0,i1) and columns [j0,j1) of C owned by <paramref name="part"/>.</summary>
    protected (int I0, int I1, int J0, int J1) Range(int part)
    {
        if (SplitRows)
        {
            int i0 = part * Chunk;
            return (i0, Math.Min(Operands.M, i0 + Chunk), 0, Operands.N);
        }

        int j0 = part * Chunk;
        return (0, Operands.M, j0, Math.Min(Operands.N, j0 + Chunk));
    }
}

internal sealed class GemmJob<TEpilogue>(GemmContext context) : GemmJob(context)
    where TEpilogue : struct, IGemmEpilogue
{
    internal TEpilogue Epilogue;

    public override void Execute(int part)
    {
        (int i0, int i1, int j0, int j1) = Range(part);
        GemmDriver.Run(Operands, Path, i0, i1, j0, j1, Buffers(part), ref Epilogue);
    }
}
