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
        // 128³ ≥ the parallel threshold, so with two threads the rows are split with the worker.
        const int m = 128, n = 96, k = 160;
        float[] a = GemmReference.Random(m * k, 1);
        float[] b = GemmReference.Random(k * n, 2);
        float[] bias = GemmReference.Random(n, 3);
        float[] c = new float[m * n];
        long[] workerBytes = new long[m];
        long[] workerBefore = new long[m];
        using var context = new GemmContext(threads);
        var probe = new AllocationProbe(workerBytes);
        GemmLayout[] layouts = Enum.GetValues<GemmLayout>();

        void Step()
        {
            foreach (GemmLayout layout in layouts)
            {
                Gemm.Multiply(layout, a, b, c, m, n, k, context: context);
                Gemm.Multiply(layout, a, b, c, m, n, k, accumulate: true, context: context);
                Gemm.Multiply(layout, a, b, c, m, n, k, new BiasReluEpilogue(bias), context: context);
                Gemm.Multiply(layout, a, b, c, m, n, k, probe, context: context);
            }

            Gemm.Multiply(GemmLayout.NN, a, b, c, 7, 5, 3);
            Gemm.Multiply(GemmLayout.NN, a, b, c, 7, 5, 0);
        }

        for (int i = 0; i < 5; i++)
        {
            Step();
        }

        Array.Copy(workerBytes, workerBefore, m);
        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Step();
        }

        long threadDelta = GC.GetAllocatedBytesForCurrentThread() - threadBefore;

        Assert.Equal(0, threadDelta);

        // Every row's epilogue ran on the thread that owns the row; that thread's own counter,
        // read inside the epilogue, did not move across 100 steps (caller or GEMM worker alike).
        for (int row = 0; row < m; row++)
        {
            Assert.Equal(workerBefore[row], workerBytes[row]);
        }

        // The process-wide counter also covers the worker threads between epilogue calls. This
        // collection runs alone, but the test host's own threads still allocate sporadically while
        // we run (typically 336–840 bytes per 100 steps, in multiples of 168, with threads = 1 too,
        // when no worker exists). Host noise is sporadic while a GEMM allocation would recur in
        // every window (≥ 24 bytes × 1200 calls), so take the quietest of three windows.
        long[] totals = new long[3];
        for (int trial = 0; trial < totals.Length; trial++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 100; i++)
            {
                Step();
            }

            totals[trial] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Assert.True(totals.Min() < 1024, $"bytes allocated process-wide per 100 steps: {string.Join(", ", totals)}");
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
