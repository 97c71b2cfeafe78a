namespace FuncReg.Kernels;

/// <summary>
/// Single-precision matrix multiplication C[m×n] = op(A)·op(B) (or C += op(A)·op(B)) on
/// row-major contiguous matrices, for the three layouts of <see cref="GemmLayout"/>.
/// </summary>
/// <remarks>
/// <para>
/// Implementation: A and B are packed into micro-panels in the caller's <see cref="GemmContext"/>
/// and a register-blocked micro-kernel computes the tiles: 8×32 on <c>Vector512&lt;float&gt;</c> with FMA where
/// 512-bit vectors are accelerated (AVX-512F), else 6×16 on <c>Vector256&lt;float&gt;</c> (AVX2 + FMA), with
/// <c>Vector128</c> and scalar fallbacks; k is blocked by 256 (all of k up to 320), rows by 144. The 512- and
/// 256-bit kernels do the same fused multiply-adds in the same order per element: their results are bit-identical.
/// </para>
/// <para>
/// Determinism: each element of C is reduced over k in blocks of 256 (in order), each block summed
/// from zero in k order; the result does not depend on the thread count or on how tiles are
/// assigned, so 1 and N threads give bit-identical C (on the same kernel path).
/// </para>
/// <para>
/// Threads: when the context has several threads and m·n·k ≥ <see cref="ParallelThreshold"/>, the
/// rows (or, for wide outputs, the columns) of C are split between them; each output element is
/// computed by exactly one thread. After warm-up a call allocates 0 bytes.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary>
    /// Minimum m·n·k (2²² ≈ 161³, about 70 µs on one Zen 3 core) for which a multi-threaded context
    /// splits the work. Waking a parked worker and joining it costs tens of µs on a busy machine:
    /// measured on 2 cores, 64³–128³ ran slower on 2 threads than on 1, 384³ ran 1.9× faster.
    /// </summary>
    public const long ParallelThreshold = 1L << 22;

    /// <summary>
    /// Maximum m·n·k (2¹⁶, e.g. 40³) computed by the direct small-matrix path on AVX2+FMA: A is read in
    /// place and only B is copied, which saves the packing of A and the edge tiles that dominate tiny
    /// layers. Same per-element arithmetic as the packed path (bit-identical results), always on the
    /// calling thread.
    /// </summary>
    public const long SmallThreshold = 1L << 16;

    /// <summary>Computes C = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/> is set.</summary>
    /// <param name="layout">How A and B are stored; see <see cref="GemmLayout"/>.</param>
    /// <param name="a">A: [m,k] for NN and NT, [k,m] for TN; at least m·k elements.</param>
    /// <param name="b">B: [k,n] for NN and TN, [n,k] for NT; at least k·n elements.</param>
    /// <param name="c">C: [m,n]; at least m·n elements; must not overlap A or B.</param>
    /// <param name="m">Rows of C (≥ 0).</param>
    /// <param name="n">Columns of C (≥ 0).</param>
    /// <param name="k">Length of the reduction (≥ 0); with k = 0, C is zeroed (or left unchanged when accumulating).</param>
    /// <param name="accumulate">Add the product to the existing C instead of overwriting it.</param>
    /// <param name="context">Workspace and threads; <see langword="null"/> uses a per-thread single-threaded context.</param>
    /// <exception cref="ArgumentException">A size is negative, a span is too short, or C overlaps A or B.</exception>
    public static void Multiply(
        GemmLayout layout, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool accumulate = false, GemmContext? context = null) =>
        Multiply(layout, a, b, c, m, n, k, default(NoEpilogue), accumulate, context);

    /// <summary>
    /// Computes C = op(A)·op(B) (or C += … when accumulating), then applies
    /// <paramref name="epilogue"/> exactly once to every finished element of C, one row segment at a time
    /// (for example bias + activation + dropout mask while the values are still in cache).
    /// </summary>
    /// <typeparam name="TEpilogue">The fused epilogue; a struct, so its calls are specialized and inlined.</typeparam>
    /// <param name="layout">How A and B are stored; see <see cref="GemmLayout"/>.</param>
    /// <param name="a">A: [m,k] for NN and NT, [k,m] for TN; at least m·k elements.</param>
    /// <param name="b">B: [k,n] for NN and TN, [n,k] for NT; at least k·n elements.</param>
    /// <param name="c">C: [m,n]; at least m·n elements; must not overlap A or B.</param>
    /// <param name="m">Rows of C (≥ 0).</param>
    /// <param name="n">Columns of C (≥ 0).</param>
    /// <param name="k">Length of the reduction (≥ 0).</param>
    /// <param name="epilogue">Applied to the finished values; see <see cref="IGemmEpilogue"/> for its threading contract.</param>
    /// <param name="accumulate">Add the product to the existing C instead of overwriting it.</param>
    /// <param name="context">Workspace and threads; <see langword="null"/> uses a per-thread single-threaded context.</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, a span is too short, C overlaps A or B, or <see cref="IGemmEpilogue.Validate"/> rejects m×n.
    /// </exception>
    public static unsafe void Multiply<TEpilogue>(
        GemmLayout layout, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        TEpilogue epilogue, bool accumulate = false, GemmContext? context = null)
        where TEpilogue : struct, IGemmEpilogue
    {
        Validate(layout, a, b, c, m, n, k);
        epilogue.Validate(m, n);
        context ??= GemmContext.DefaultForCurrentThread;
        context.Enter();
        try
        {
            if (m == 0 || n == 0)
            {
                return;
            }

            if (k == 0)
            {
                EmptyReduction(c, m, n, ref epilogue, accumulate);
                return;
            }

            fixed (float* pa = a, pb = b, pc = c)
            {
                var op = new GemmOperands
                {
                    A = pa,
                    B = pb,
                    C = pc,
                    M = m,
                    N = n,
                    K = k,
                    Layout = layout,
                    Accumulate = accumulate,
                };
                Execute(op, ref epilogue, context);
            }
        }
        finally
        {
            context.Exit();
        }
    }

    /// <summary>
    /// The product of a convolution as <see cref="Multiply{TEpilogue}"/> with A the im2col matrix of
    /// <paramref name="images"/> (channels-last samples of <paramref name="window"/>'s input) read in place: the columns
    /// are built into the packing buffers block by block (<see cref="ImageKernels.Im2ColRows"/>), never materialized.
    /// NN: A = im2col [m = samples·oh·ow, k = kh·kw·c] (forward); TN: A = im2col stored [k = samples·oh·ow, m = kh·kw·c]
    /// (kernel gradient colsᵀ·dz). Bit-identical to <see cref="Multiply{TEpilogue}"/> on the materialized columns.
    /// </summary>
    internal static unsafe void MultiplyImages<TEpilogue>(
        GemmLayout layout, ReadOnlySpan<float> images, in Window2D window, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        TEpilogue epilogue, bool accumulate = false, GemmContext? context = null)
        where TEpilogue : struct, IGemmEpilogue
    {
        if (layout is not (GemmLayout.NN or GemmLayout.TN))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Implicit im2col supports NN and TN.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int pixels = layout == GemmLayout.NN ? m : k, patch = layout == GemmLayout.NN ? k : m;
        if (patch != window.PatchSize || window.OutputPixels == 0 || pixels % window.OutputPixels != 0)
        {
            throw new ArgumentException($"{pixels}×{patch} is not the im2col shape of the window.", nameof(window));
        }

        CheckLength(images.Length, (long)(pixels / window.OutputPixels) * window.InputSize, nameof(images), "samples·h·w·c");
        CheckLength(b.Length, (long)k * n, nameof(b), "k·n");
        CheckLength(c.Length, (long)m * n, nameof(c), "m·n");
        if (c[..(m * n)].Overlaps(b[..(k * n)]) || c[..(m * n)].Overlaps(images))
        {
            throw new ArgumentException("C must not overlap the images or B.", nameof(c));
        }

        epilogue.Validate(m, n);
        context ??= GemmContext.DefaultForCurrentThread;
        context.Enter();
        try
        {
            if (m == 0 || n == 0)
            {
                return;
            }

            if (k == 0)
            {
                EmptyReduction(c, m, n, ref epilogue, accumulate);
                return;
            }

            fixed (float* pa = images, pb = b, pc = c)
            {
                var op = new GemmOperands
                {
                    A = pa,
                    B = pb,
                    C = pc,
                    M = m,
                    N = n,
                    K = k,
                    Layout = layout,
                    Accumulate = accumulate,
                    Images = true,
                    Window = window,
                };
                Execute(op, ref epilogue, context);
            }
        }
        finally
        {
            context.Exit();
        }
    }

    private static void Execute<TEpilogue>(in GemmOperands op, ref TEpilogue epilogue, GemmContext context)
        where TEpilogue : struct, IGemmEpilogue
    {
        int m = op.M, n = op.N, k = op.K;
        GemmKernelPath path = GemmTiling.Resolve(context.KernelPath);
        if (!op.Images && path is GemmKernelPath.Avx2 or GemmKernelPath.Avx512 && context.SmallPath && (long)m * n * k <= SmallThreshold)
        {
            GemmSmall.Run(op, context.Buffers(0), ref epilogue, context.TinyPath);
            return;
        }

        (int parts, bool splitRows, int chunk) = Plan(m, n, k, context.ThreadCount, path);
        for (int part = 0; part < parts; part++)
        {
            (int sizeA, int sizeB) = splitRows
                ? GemmDriver.BufferSizes(Math.Min(chunk, m - (part * chunk)), n, k, path)
                : GemmDriver.BufferSizes(m, Math.Min(chunk, n - (part * chunk)), k, path);
            context.Buffers(part).Ensure(sizeA, sizeB);
            if (op.Images)
            {
                context.Buffers(part).EnsureScratch(GemmPacking.ImageScratchSize(op));
            }
        }

        if (parts == 1)
        {
            GemmDriver.Run(op, path, 0, m, 0, n, context.Buffers(0), ref epilogue);
            return;
        }

        GemmJob<TEpilogue> job = context.Job<TEpilogue>();
        job.Operands = op;
        job.Path = path;
        job.SplitRows = splitRows;
        job.Chunk = chunk;
        job.Epilogue = epilogue;
        try
        {
            context.Pool!.Run(job, parts);
        }
        finally
        {
            job.Operands = default;
            job.Epilogue = default;
        }
    }

    /// <summary>Splits C into parts: rows when m ≥ n, else columns (unless that side has too few tiles), in whole register tiles.</summary>
    private static (int Parts, bool SplitRows, int Chunk) Plan(int m, int n, int k, int threads, GemmKernelPath path)
    {
        if (threads == 1 || (long)m * n * k < ParallelThreshold)
        {
            return (1, true, m);
        }

        (int mr, int nr) = GemmDriver.Tile(path);
        int rowTiles = (m + mr - 1) / mr, columnTiles = (n + nr - 1) / nr;
        // the longer side, unless it has fewer tiles than threads and the other side has more (9×32 on 8×32 tiles)
        bool splitRows = m >= n ? rowTiles >= threads || rowTiles >= columnTiles : columnTiles < threads && rowTiles > columnTiles;
        int unit = splitRows ? mr : nr;
        int extent = splitRows ? m : n;
        int tiles = (extent + unit - 1) / unit;
        int parts = Math.Min(threads, tiles);
        int chunkTiles = (tiles + parts - 1) / parts;
        parts = (tiles + chunkTiles - 1) / chunkTiles;
        return (parts, splitRows, chunkTiles * unit);
    }

    private static void EmptyReduction<TEpilogue>(Span<float> c, int m, int n, ref TEpilogue epilogue, bool accumulate)
        where TEpilogue : struct, IGemmEpilogue
    {
        if (!accumulate)
        {
            c[..(m * n)].Clear();
        }

        for (int i = 0; i < m; i++)
        {
            epilogue.Apply(i, 0, c.Slice(i * n, n));
        }
    }

    private static void Validate(
        GemmLayout layout, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        if (layout is not (GemmLayout.NN or GemmLayout.NT or GemmLayout.TN))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown GEMM layout.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckLength(a.Length, (long)m * k, nameof(a), "m·k");
        CheckLength(b.Length, (long)k * n, nameof(b), "k·n");
        CheckLength(c.Length, (long)m * n, nameof(c), "m·n");

        ReadOnlySpan<float> output = c[..(m * n)];
        if (output.Overlaps(a[..(m * k)]))
        {
            throw new ArgumentException("C must not overlap A.", nameof(c));
        }

        if (output.Overlaps(b[..(k * n)]))
        {
            throw new ArgumentException("C must not overlap B.", nameof(c));
        }
    }

    private static void CheckLength(int length, long required, string name, string formula)
    {
        if (length < required)
        {
            throw new ArgumentException(
                $"The span has {length} elements but {formula} = {required} are required.", name);
        }
    }
}
