using System.Diagnostics;

namespace FuncReg.Kernels;

/// <summary>Throughput measurement of <see cref="Gemm"/> on square NN problems.</summary>
public static class GemmBenchmark
{
    /// <summary>
    /// Multiplies two random n×n matrices repeatedly (NN layout) for at least
    /// <paramref name="minDuration"/> after a warm-up and returns GFLOP/s = 2·n³·calls / seconds / 10⁹.
    /// </summary>
    /// <param name="n">Matrix size (≥ 1).</param>
    /// <param name="threads">Threads of the <see cref="GemmContext"/> (≥ 1, clamped to the processor count).</param>
    /// <param name="minDuration">Minimum measured time (after warm-up).</param>
    public static double Run(int n, int threads, TimeSpan minDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minDuration.Ticks, nameof(minDuration));

        var random = new Random(12345);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)((random.NextDouble() * 2) - 1);
            b[i] = (float)((random.NextDouble() * 2) - 1);
        }

        using var context = new GemmContext(threads);
        double flopsPerCall = 2.0 * n * n * n;

        // Warm-up: JIT tiering, buffer growth and worker start-up; at least ~0.2 s of work.
        var warmup = Stopwatch.StartNew();
        do
        {
            Gemm.Multiply(GemmLayout.NN, a, b, c, n, n, n, context: context);
        }
        while (warmup.Elapsed < TimeSpan.FromMilliseconds(200));

        long calls = 0;
        var timer = Stopwatch.StartNew();
        do
        {
            Gemm.Multiply(GemmLayout.NN, a, b, c, n, n, n, context: context);
            calls++;
        }
        while (timer.Elapsed < minDuration);

        return flopsPerCall * calls / timer.Elapsed.TotalSeconds / 1e9;
    }
}
