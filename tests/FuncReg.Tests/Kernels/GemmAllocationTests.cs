using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>Runs alone so that process-wide allocation counters only see this test's work.</summary>
[CollectionDefinition(nameof(GemmAllocationCollection), DisableParallelization = true)]
public sealed class GemmAllocationCollection
{
}

[Collection(nameof(GemmAllocationCollection))]
public sealed class GemmAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SteadyStateCallsAllocateNothing(int threads)
    {
        // m·n·k ≥ Gemm.ParallelThreshold, so with two threads the rows are split with the worker.
        const int m = 128, n = 96, k = 384;
        float[] a = GemmReference.Random(m * k, 1);
        float[] b = GemmReference.Random(k * n, 2);
        float[] bias = GemmReference.Random(n, 3);
        float[] c = new float[m * n];
        long[] workerBytes = new long[m];
        long[] workerBefore = new long[m];
        using var context = new GemmContext(threads);
        var probe = new AllocationProbe(workerBytes);
        GemmLayout[] layouts = Enum.GetValues<GemmLayout>();

        // Call i runs variant i mod 14: per layout plain, accumulate, bias+ReLU and the probe,
        // then a tiny product and an empty reduction on the per-thread default context.
        void Call(int i)
        {
            int variant = i % 14;
            GemmLayout layout = layouts[variant % 3];
            switch (variant / 3)
            {
                case 0:
                    Gemm.Multiply(layout, a, b, c, m, n, k, context: context);
                    break;
                case 1:
                    Gemm.Multiply(layout, a, b, c, m, n, k, accumulate: true, context: context);
                    break;
                case 2:
                    Gemm.Multiply(layout, a, b, c, m, n, k, new BiasReluEpilogue(bias), context: context);
                    break;
                case 3:
                    Gemm.Multiply(layout, a, b, c, m, n, k, probe, context: context);
                    break;
                default:
                    Gemm.Multiply(GemmLayout.NN, a, b, c, 7, 5, variant == 12 ? 3 : 0);
                    break;
            }
        }

        for (int i = 0; i < 28; i++)
        {
            Call(i);
        }

        Array.Copy(workerBytes, workerBefore, m);
        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Call(i);
        }

        long threadDelta = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
        Assert.Equal(0, threadDelta);

        // Every row's epilogue ran on the thread that owns the row; that thread's own counter,
        // read inside the epilogue, did not move across the 100 calls (caller or GEMM worker alike).
        for (int row = 0; row < m; row++)
        {
            Assert.Equal(workerBefore[row], workerBytes[row]);
        }

        // The process-wide counter also covers the worker threads between epilogue calls. This
        // collection runs alone, but the test host's own threads still allocate sporadically while
        // we run (a few hundred bytes per second, in multiples of 168, with threads = 1 too, when
        // no worker exists). Host noise is sporadic while a GEMM allocation would recur in every
        // window (≥ 24 bytes × 100 calls), so take the quietest of three windows of 100 calls.
        long[] totals = new long[3];
        for (int trial = 0; trial < totals.Length; trial++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 100; i++)
            {
                Call(i);
            }

            totals[trial] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Assert.True(totals.Min() < 512, $"bytes allocated process-wide per 100 calls: {string.Join(", ", totals)}");
    }

    /// <summary>Records, per row, the allocation counter of the thread that finishes the row.</summary>
    private readonly struct AllocationProbe(long[] bytesPerRow) : IGemmEpilogue
    {
        public void Validate(int rows, int columns)
        {
        }

        public void Apply(int row, int columnStart, Span<float> values)
        {
            if (columnStart == 0)
            {
                bytesPerRow[row] = GC.GetAllocatedBytesForCurrentThread();
            }
        }
    }
}
