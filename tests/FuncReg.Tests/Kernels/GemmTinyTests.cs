using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>
/// The narrow-shape kernels of the small path (<c>GemmTiny</c>: Rows, Dots, Reduce) against a double reference,
/// at every length 0..257 of the dimension each one vectorizes, with and without accumulation; 1 and 2 threads
/// bit-identical; Rows bit-identical to the packed path.
/// </summary>
public sealed class GemmTinyTests
{
    public static TheoryData<GemmLayout> Layouts => [GemmLayout.NN, GemmLayout.NT, GemmLayout.TN];

    /// <summary>Shapes that reach each tiny kernel: every length 0..257 along the vectorized side.</summary>
    private static IEnumerable<(int M, int N, int K)> Shapes(GemmLayout layout)
    {
        for (int len = 0; len <= 257; len++)
        {
            if (layout == GemmLayout.TN)
            {
                // Reduce: k is the long side; also the short and long sides of C.
                yield return (3, 20, len);
                yield return (Math.Min(len, 64), 3, 211);
                yield return (2, Math.Min(len, 64), 37);
                yield return (1, 1, len);
            }
            else
            {
                // Rows: k ≤ 4 with n of any length (and m of any length); Dots: n ≤ 4 with k of any length.
                yield return (5, len, 1 + (len % 4));
                yield return (len, 3, 2);
                yield return (len, 1, 3);
                yield return (7, 1 + (len % 4), len);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void TinyKernelsMatchTheDoubleReference(GemmLayout layout)
    {
        foreach ((int m, int n, int k) in Shapes(layout))
        {
            Assert.True((long)m * n * k <= Gemm.SmallThreshold);
            float[] a = GemmReference.Random(m * k, m + (3 * k));
            float[] b = GemmReference.Random(k * n, n + (5 * k));
            (double[] expected, double[] abs) = GemmReference.Multiply(layout, a, b, m, n, k);
            double tolerance = GemmReference.Tolerance(k, fused: false);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] start = GemmReference.Random(m * n, 11);
                float[] one = accumulate ? (float[])start.Clone() : new float[m * n];
                float[] two = (float[])one.Clone();
                using var single = new GemmContext(1);
                using var pair = new GemmContext(2);
                Gemm.Multiply(layout, a, b, one, m, n, k, accumulate, single);
                Gemm.Multiply(layout, a, b, two, m, n, k, accumulate, pair);
                Assert.Equal(one, two);
                double[] want = accumulate ? [.. expected.Select((v, e) => v + start[e])] : expected;
                double[] bound = accumulate ? [.. abs.Select((v, e) => v + Math.Abs(start[e]))] : abs;
                GemmReference.AssertClose(want, bound, one, tolerance + GemmReference.U, $"{layout} {m}×{n}×{k} accumulate={accumulate}");
            }
        }
    }

    [Theory]
    [InlineData(GemmLayout.NN)]
    [InlineData(GemmLayout.NT)]
    public void RowsKernelIsBitIdenticalToThePackedPath(GemmLayout layout)
    {
        foreach ((int m, int n, int k) in new[] { (211, 20, 2), (211, 20, 3), (211, 3, 1), (211, 1, 3), (9, 17, 4), (13, 257, 1), (1, 1, 1), (64, 2, 4) })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = GemmReference.Random(m * k, m + k);
                float[] b = GemmReference.Random(k * n, n + 1);
                float[] tiny = GemmReference.Random(m * n, 3);
                float[] packed = (float[])tiny.Clone();
                using var direct = new GemmContext(1);
                using var blocked = new GemmContext(1) { SmallPath = false };
                Gemm.Multiply(layout, a, b, tiny, m, n, k, accumulate, direct);
                Gemm.Multiply(layout, a, b, packed, m, n, k, accumulate, blocked);
                Assert.Equal(packed, tiny);
            }
        }
    }

    [Fact]
    public void NonFiniteInputsStayInTheirOwnElements()
    {
        // The whole-vector tail stores of Rows and Dots write past a row into later rows; those must be
        // rewritten, so an infinity in one row of A never leaks a NaN into another row of C.
        foreach ((int m, int n, int k) in new[] { (17, 3, 2), (17, 20, 1), (17, 2, 9), (17, 3, 30) })
        {
            float[] a = GemmReference.Random(m * k, 1);
            a[k * 5] = float.PositiveInfinity;
            float[] b = GemmReference.Random(k * n, 2);
            float[] c = new float[m * n];
            Gemm.Multiply(GemmLayout.NN, a, b, c, m, n, k);
            for (int e = 0; e < c.Length; e++)
            {
                Assert.True(e / n == 5 || float.IsFinite(c[e]), $"{m}×{n}×{k}: element {e} = {c[e]}");
            }
        }
    }

    [Fact]
    public void DenseEpilogueRowsEqualRowByRowForEveryWidth()
    {
        // ApplyRows adds a narrow bias as a pattern tiled across row boundaries; it must equal Apply row by row.
        for (int units = 1; units <= 257; units++)
        {
            foreach (int rows in new[] { 1, 2, 3, 7 })
            {
                float[] bias = GemmReference.Random(units, units);
                float[] z = GemmReference.Random(rows * units, units + rows);
                float[] zRows = (float[])z.Clone();
                float[] y = new float[rows * units], yRows = new float[rows * units];
                new DenseEpilogue(bias, null, yRows, null, Activation.Relu, 0f, units).ApplyRows(0, rows, zRows);
                var epilogue = new DenseEpilogue(bias, null, y, null, Activation.Relu, 0f, units);
                for (int r = 0; r < rows; r++)
                {
                    epilogue.Apply(r, 0, z.AsSpan(r * units, units));
                }
                Assert.Equal(z, zRows);
                Assert.Equal(y, yRows);
            }
        }
    }

    [Theory]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Linear, true)]
    [InlineData(Activation.Sigmoid, true)]
    public void DenseEpilogueFusedIntoTinyKernelsEqualsTheSeparatePass(Activation activation, bool withBias)
    {
        // Rows and Dots write z = acc + b and y = f(z) themselves for ReLU/linear; this must equal the product
        // followed by the epilogue row by row, bit for bit, at every width 1..257 (Rows) and depth 5..257 (Dots).
        for (int len = 1; len <= 257; len++)
        {
            foreach ((int m, int n, int k) in new[] { (9, len, 1 + (len % 4)), (len, 1 + (len % 4), 2), (9, 1 + (len % 4), Math.Max(5, len)) })
            {
                float[] x = GemmReference.Random(m * k, len);
                float[] w = GemmReference.Random(k * n, len + 1);
                float[]? bias = withBias ? GemmReference.Random(n, len + 2) : null;
                float[] z = new float[m * n], y = new float[m * n];
                using var context = new GemmContext(1);
                Gemm.Multiply(GemmLayout.NN, x, w, z, m, n, k, new DenseEpilogue(bias, null, y, null, activation, 0f, n), context: context);
                float[] zSeparate = new float[m * n], ySeparate = new float[m * n];
                Gemm.Multiply(GemmLayout.NN, x, w, zSeparate, m, n, k, context: context);
                var epilogue = new DenseEpilogue(bias, null, ySeparate, null, activation, 0f, n);
                for (int r = 0; r < m; r++)
                {
                    epilogue.Apply(r, 0, zSeparate.AsSpan(r * n, n));
                }
                Assert.Equal(zSeparate, z);
                Assert.Equal(ySeparate, y);
            }
        }
    }
}
