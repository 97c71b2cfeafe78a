using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>The direct small-matrix path (its general tiles, narrow-shape kernels off) against the packed path: bit-identical C, with and without epilogues.</summary>
public sealed class GemmSmallTests
{
    public static TheoryData<GemmLayout> Layouts => [GemmLayout.NN, GemmLayout.NT, GemmLayout.TN];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void SmallPathIsBitIdenticalToThePackedPath(GemmLayout layout)
    {
        (int M, int N, int K)[] shapes =
        [
            (1, 1, 1), (211, 20, 2), (211, 3, 20), (211, 1, 3), (20, 3, 211), (2, 20, 211), (3, 1, 211), (211, 20, 3),
            (1, 1, 700), (2, 3, 600), (9, 17, 257), (7, 33, 40), (40, 40, 40), (5, 100, 9), (13, 8, 300), (1, 64, 1000),
            (3, 5, 288), (2, 7, 320), (2, 5, 321), (1, 3, 640),
        ];
        foreach ((int m, int n, int k) in shapes)
        {
            Assert.True((long)m * n * k <= Gemm.SmallThreshold);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = GemmReference.Random(m * k, m + k);
                float[] b = GemmReference.Random(k * n, n + 1);
                float[] small = GemmReference.Random(m * n, 3);
                float[] packed = (float[])small.Clone();
                using var direct = new GemmContext(1) { TinyPath = false };
                using var blocked = new GemmContext(1) { SmallPath = false };
                Gemm.Multiply(layout, a, b, small, m, n, k, accumulate, direct);
                Gemm.Multiply(layout, a, b, packed, m, n, k, accumulate, blocked);
                Assert.Equal(packed, small);
            }
        }
    }

    [Theory]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Sigmoid, true)]
    [InlineData(Activation.LeakyRelu, false)]
    [InlineData(Activation.Linear, true)]
    public void DenseEpilogueOnTheSmallPathEqualsThePackedPath(Activation activation, bool masked)
    {
        foreach ((int m, int n, int k) in new[] { (211, 20, 2), (211, 3, 20), (211, 1, 3), (17, 9, 30) })
        {
            float[] x = GemmReference.Random(m * k, 5);
            float[] w = GemmReference.Random(k * n, 6);
            float[] bias = GemmReference.Random(n, 7);
            float[] mask = masked ? [.. Enumerable.Range(0, m * n).Select(i => i % 3 == 0 ? 0f : 2f)] : [];
            float[] Run(bool smallPath, out float[] z, out float[] act)
            {
                z = new float[m * n];
                act = new float[m * n];
                float[] y = new float[m * n];
                using var context = new GemmContext(2) { SmallPath = smallPath, TinyPath = false };
                Gemm.Multiply(GemmLayout.NN, x, w, z, m, n, k, new DenseEpilogue(bias, act, y, masked ? mask : null, activation, 0.2f, n), context: context);
                return y;
            }
            float[] small = Run(true, out float[] zSmall, out float[] aSmall);
            float[] packed = Run(false, out float[] zPacked, out float[] aPacked);
            Assert.Equal(zPacked, zSmall);
            Assert.Equal(aPacked, aSmall);
            Assert.Equal(packed, small);
        }
    }
}
