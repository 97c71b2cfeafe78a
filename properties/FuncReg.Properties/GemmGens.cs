using FuncReg.Kernels;

namespace FuncReg.Properties;

/// <summary>One random GEMM problem: layout, sizes, data seed, kernel path and options.</summary>
public sealed record GemmCase(GemmLayout Layout, int M, int N, int K, int Seed, string Path, bool Accumulate, bool Bias)
{
    internal GemmKernelPath KernelPath => Enum.Parse<GemmKernelPath>(Path);

    public override string ToString() =>
        $"{Layout} m={M} n={N} k={K} seed={Seed} path={Path} accumulate={Accumulate} bias={Bias}";
}

/// <summary>Generators and a double-precision reference for <see cref="Gemm"/>.</summary>
public static class GemmGens
{
    private static readonly int[] Primes =
    [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
        101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
        197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293,
    ];

    /// <summary>Sizes that sit on the tiling boundaries (MR = 6 or 8, NR = 16 or 32, KC = 256, MC = 144).</summary>
    private static readonly int[] Boundaries = [1, 6, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 64, 143, 144, 145, 255, 256, 257, 288, 300];

    /// <summary>A dimension in 1..300, biased toward sizes below 8, primes and tiling boundaries.</summary>
    public static Gen<int> Dimension() =>
        Gen.Frequency(
            (3, Gen.Choose(1, 7)),
            (3, Gen.Elements(Primes)),
            (2, Gen.Elements(Boundaries)),
            (2, Gen.Choose(1, 300)));

    /// <summary>Random problems with m·n·k ≤ <paramref name="maxWork"/> (and ≥ <paramref name="minWork"/>).</summary>
    public static Gen<GemmCase> Cases(long minWork, long maxWork, bool fallbacks) =>
        from layout in Gen.Elements(GemmLayout.NN, GemmLayout.NT, GemmLayout.TN)
        from m in Dimension()
        from n in Dimension()
        from k in Dimension()
        where (long)m * n * k >= minWork && (long)m * n * k <= maxWork
        from seed in Gen.Choose(0, int.MaxValue)
        from path in fallbacks
            ? Gen.Frequency(
                (4, Gen.Constant("Auto")), (3, Gen.Constant("Avx2")), (3, Gen.Constant("Avx512")),
                (1, Gen.Constant("Vector128")), (1, Gen.Constant("Scalar")))
            : Gen.Constant("Auto")
        from accumulate in Gen.Elements(false, true)
        from bias in Gen.Elements(false, true)
        select new GemmCase(layout, m, n, k, seed, path, accumulate, bias);

    /// <summary>Uniform values in [-1, 1] from <paramref name="seed"/>.</summary>
    public static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>op(A)·op(B) in double and, per element, Σ_p |op(A)[i,p]·op(B)[p,j]|.</summary>
    public static (double[] Product, double[] AbsProduct) Reference(GemmLayout layout, float[] a, float[] b, int m, int n, int k)
    {
        // Materialize op(A) as [m,k] and op(B) as [n,k] so the inner loop is contiguous.
        double[] ar = new double[m * k];
        double[] bt = new double[n * k];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                ar[(i * k) + p] = layout == GemmLayout.TN ? a[(p * m) + i] : a[(i * k) + p];
            }
        }

        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                bt[(j * k) + p] = layout == GemmLayout.NT ? b[(j * k) + p] : b[(p * n) + j];
            }
        }

        double[] product = new double[m * n];
        double[] abs = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = ar.AsSpan(i * k, k);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<double> column = bt.AsSpan(j * k, k);
                double sum = 0;
                double absSum = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = row[p] * column[p];
                    sum += term;
                    absSum += Math.Abs(term);
                }

                product[(i * n) + j] = sum;
                abs[(i * n) + j] = absSum;
            }
        }

        return (product, abs);
    }

    /// <summary>
    /// The accepted error of one element, relative to Σ_p |a·b| (plus |C₀| and |bias| when added):
    /// the worst-case first-order bound of the blocked float32 reduction, u = 2⁻²⁴,
    /// (min(k, 256)·u per block for FMA, twice that for multiply-then-add) + ⌈k/256⌉·u for adding
    /// the block sums + 2·u for the accumulate/bias additions. For k ≤ 300 this is ≈ 1.6·10⁻⁵ (FMA).
    /// </summary>
    public static double Tolerance(int k, bool fused) =>
        (((fused ? 1 : 2) * Math.Min(k, 256)) + ((k + 255) / 256) + 2) / (double)(1 << 24);
}
