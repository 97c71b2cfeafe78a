using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>Naive double-precision products and helpers for the GEMM tests.</summary>
internal static class GemmReference
{
    /// <summary>Unit roundoff of float32.</summary>
    public const double U = 1.0 / (1 << 24);

    public static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    public static double A(GemmLayout layout, float[] a, int m, int k, int i, int p) =>
        layout == GemmLayout.TN ? a[(p * m) + i] : a[(i * k) + p];

    public static double B(GemmLayout layout, float[] b, int n, int k, int p, int j) =>
        layout == GemmLayout.NT ? b[(j * k) + p] : b[(p * n) + j];

    /// <summary>Returns op(A)·op(B) and, per element, Σ_p |op(A)[i,p]|·|op(B)[p,j]|.</summary>
    public static (double[] Product, double[] AbsProduct) Multiply(
        GemmLayout layout, float[] a, float[] b, int m, int n, int k)
    {
        double[] product = new double[m * n];
        double[] abs = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                double absSum = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = A(layout, a, m, k, i, p) * B(layout, b, n, k, p, j);
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
    /// Worst-case first-order error bound of the blocked float32 reduction:
    /// each block of d = <see cref="GemmTiling.Depth"/>(k) terms contributes ≤ d·u (FMA) or 2·d·u (multiply then add),
    /// and adding the ⌈k/d⌉ block sums contributes ⌈k/d⌉·u, all relative to Σ|a||b|.
    /// </summary>
    public static double Tolerance(int k, bool fused)
    {
        int d = GemmTiling.Depth(k);
        return (((fused ? 1 : 2) * Math.Min(k, d)) + ((k + d - 1) / d) + 1) * U;
    }

    public static void AssertClose(
        double[] expected, double[] absProduct, ReadOnlySpan<float> actual, double relative, string what)
    {
        for (int e = 0; e < expected.Length; e++)
        {
            double error = Math.Abs(actual[e] - expected[e]);
            double bound = (relative * absProduct[e]) + 1e-30;
            if (!(error <= bound))
            {
                Assert.Fail($"{what}: element {e}: got {actual[e]}, expected {expected[e]} (error {error:E3} > {bound:E3}).");
            }
        }
    }
}
