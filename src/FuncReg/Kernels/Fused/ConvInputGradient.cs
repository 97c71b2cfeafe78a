namespace FuncReg.Kernels;

/// <summary>
/// The input gradient of a convolution, <c>dx = col2im(dz·Kᵀ)</c>, computed a few samples at a time so that the
/// gradient of the im2col matrix never leaves the cache: each block's <c>dcols = dz·Kᵀ</c> (an NT product of
/// [samples·oh·ow, filters] by [kh·kw·c, filters]) goes into a per-thread scratch of about
/// <see cref="BlockBytes"/>, then is added into dx by <see cref="ImageKernels.Col2Im"/>. Threads take whole samples
/// (<see cref="GemmContext.For"/>); each block's product runs on the thread's own single-threaded context on the packed
/// path, whose per-element arithmetic does not depend on the block's size, so dx is bit-identical to the product over
/// the whole batch followed by col2im, for any thread count. Buffers are allocated once; steady-state calls allocate
/// nothing.
/// </summary>
internal sealed unsafe class ConvInputGradient
{
    /// <summary>Target size of one block of the im2col gradient (L2-resident).</summary>
    public const int BlockBytes = 512 * 1024;

    private readonly Window2D g;
    private readonly int filters, blockSamples;
    private readonly GemmContext[] contexts;
    private readonly float[][] scratch;
    private readonly Action<int, int> pass;
    private float* dz, kernel, dx;
    private int samples;

    /// <summary>Prepares the passes for up to <paramref name="parts"/> threads.</summary>
    public ConvInputGradient(Window2D window, int filters, int parts)
    {
        g = window;
        this.filters = filters;
        long bytesPerSample = Math.Max(1, (long)window.OutputPixels * window.PatchSize * sizeof(float));
        blockSamples = (int)Math.Max(1, BlockBytes / bytesPerSample);
        contexts = new GemmContext[parts];
        scratch = new float[parts][];
        for (int i = 0; i < parts; i++)
        {
            contexts[i] = new GemmContext(1) { SmallPath = false };
            scratch[i] = new float[blockSamples * window.OutputPixels * window.PatchSize];
        }
        pass = Pass;
    }

    /// <summary>The most threads a <see cref="Run"/> context may have.</summary>
    public int Parts => contexts.Length;

    /// <summary>
    /// <c>dx[0 .. n·h·w·c) = col2im(dz·Kᵀ)</c> for <paramref name="n"/> samples, dz [n·oh·ow, filters], K [kh·kw·c, filters].
    /// </summary>
    public void Run(GemmContext context, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> kernelValues, Span<float> inputGradient, int n)
    {
        if (context.ThreadCount > contexts.Length)
        {
            throw new ArgumentException($"prepared for {contexts.Length} threads, the context has {context.ThreadCount}", nameof(context));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(outputGradient.Length, n * g.OutputPixels * filters, nameof(outputGradient));
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelValues.Length, g.PatchSize * filters, nameof(kernelValues));
        ArgumentOutOfRangeException.ThrowIfLessThan(inputGradient.Length, n * g.InputSize, nameof(inputGradient));
        fixed (float* pd = outputGradient, pk = kernelValues, px = inputGradient)
        {
            dz = pd;
            kernel = pk;
            dx = px;
            samples = n;
            try
            {
                context.For(pass);
            }
            finally
            {
                dz = kernel = dx = null;
            }
        }
    }

    private void Pass(int part, int parts)
    {
        (int r0, int r1) = GemmContext.Share(part, parts, samples);
        int rowsPerSample = g.OutputPixels, patch = g.PatchSize;
        var k = new ReadOnlySpan<float>(kernel, patch * filters);
        var d = new ReadOnlySpan<float>(dz, samples * rowsPerSample * filters);
        var x = new Span<float>(dx, samples * g.InputSize);
        for (int s0 = r0; s0 < r1; s0 += blockSamples)
        {
            int count = Math.Min(blockSamples, r1 - s0), rows = count * rowsPerSample;
            Span<float> columns = scratch[part].AsSpan(0, rows * patch);
            Gemm.Multiply(GemmLayout.NT, d.Slice(s0 * rowsPerSample * filters, rows * filters), k, columns, rows, patch, filters, context: contexts[part]);
            ImageKernels.Col2Im(columns, x, s0, s0 + count, g, firstSample: s0);
        }
    }
}
