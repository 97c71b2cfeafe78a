using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

public sealed class GemmTests
{
    public static TheoryData<GemmLayout> Layouts => [GemmLayout.NN, GemmLayout.NT, GemmLayout.TN];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void OneByOneByOne(GemmLayout layout)
    {
        float[] c = [99f];
        Gemm.Multiply(layout, [3f], [-2f], c, 1, 1, 1);
        Assert.Equal(-6f, c[0]);

        Gemm.Multiply(layout, [0.5f], [4f], c, 1, 1, 1, accumulate: true);
        Assert.Equal(-4f, c[0]);
    }

    [Fact]
    public void SmallExampleInEveryLayout()
    {
        // op(A) = [[1, 2], [3, 4], [5, 6]] (3×2), op(B) = [[1, 0, -1, 2], [2, 1, 0, -3]] (2×4).
        float[] expected = [5, 2, -1, -4, 11, 4, -3, -6, 17, 6, -5, -8];
        float[] aRows = [1, 2, 3, 4, 5, 6];
        float[] aTransposed = [1, 3, 5, 2, 4, 6];
        float[] bRows = [1, 0, -1, 2, 2, 1, 0, -3];
        float[] bTransposed = [1, 2, 0, 1, -1, 0, 2, -3];
        float[] c = new float[12];

        Gemm.Multiply(GemmLayout.NN, aRows, bRows, c, 3, 4, 2);
        Assert.Equal(expected, c);
        Gemm.Multiply(GemmLayout.NT, aRows, bTransposed, c, 3, 4, 2);
        Assert.Equal(expected, c);
        Gemm.Multiply(GemmLayout.TN, aTransposed, bRows, c, 3, 4, 2);
        Assert.Equal(expected, c);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EmptyReductionZeroesOrKeepsC(GemmLayout layout)
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply(layout, [], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal([1, 2, 3, 4, 5, 6], c);

        Gemm.Multiply(layout, [], [], c, 2, 3, 0, new BiasEpilogue(new float[] { 1, 2, 3 }), accumulate: true);
        Assert.Equal([2, 4, 6, 5, 7, 9], c);

        Gemm.Multiply(layout, [], [], c, 2, 3, 0);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void EmptyOutputTouchesNothing()
    {
        float[] c = [7f];
        Gemm.Multiply(GemmLayout.NN, [1f, 2f], [], c, 0, 0, 2);
        Gemm.Multiply(GemmLayout.NN, [], [1f, 2f], c, 0, 2, 1);
        Gemm.Multiply(GemmLayout.NT, [1f, 2f], [], c, 2, 0, 1);
        Assert.Equal(7f, c[0]);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void AllSmallShapesMatchTheReference(GemmLayout layout)
    {
        for (int m = 1; m <= 40; m++)
        {
            for (int n = 1; n <= 40; n++)
            {
                int k = (((m * 7) + (n * 13)) % 40) + 1;
                Check(layout, m, n, k, seed: (m * 41) + n, threads: 1);
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 300)]
    [InlineData(7, 17, 257)]
    [InlineData(150, 33, 513)]
    [InlineData(5, 2100, 3)]
    [InlineData(130, 260, 70)]
    [InlineData(150, 150, 200)]
    [InlineData(30, 500, 300)]
    [InlineData(97, 89, 300)]
    public void LargerShapesMatchTheReferenceOnOneAndTwoThreads(int m, int n, int k)
    {
        foreach (GemmLayout layout in Enum.GetValues<GemmLayout>())
        {
            Check(layout, m, n, k, seed: m + n + k, threads: 1);
            Check(layout, m, n, k, seed: m + n + k, threads: 2);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void AccumulateAddsToC(GemmLayout layout)
    {
        const int m = 23, n = 37, k = 300;
        float[] a = GemmReference.Random(m * k, 1);
        float[] b = GemmReference.Random(k * n, 2);
        float[] c0 = GemmReference.Random(m * n, 3);
        float[] c = (float[])c0.Clone();
        (double[] expected, double[] abs) = GemmReference.Multiply(layout, a, b, m, n, k);
        for (int e = 0; e < expected.Length; e++)
        {
            expected[e] += c0[e];
            abs[e] += Math.Abs(c0[e]);
        }

        Gemm.Multiply(layout, a, b, c, m, n, k, accumulate: true);
        GemmReference.AssertClose(expected, abs, c, GemmReference.Tolerance(k, fused: true), $"{layout} accumulate");
    }

    [Theory]
    [InlineData(1, 5, 5, 5)]
    [InlineData(1, 50, 70, 600)]
    [InlineData(2, 150, 70, 600)]
    [InlineData(2, 20, 300, 700)]
    public void EpilogueSeesEveryFinishedElementExactlyOnce(int threads, int m, int n, int k)
    {
        float[] a = GemmReference.Random(m * k, 4);
        float[] b = GemmReference.Random(k * n, 5);
        float[] c0 = GemmReference.Random(m * n, 7);
        float[] expected = (float[])c0.Clone();
        using var context = new GemmContext(threads);
        Gemm.Multiply(GemmLayout.NN, a, b, expected, m, n, k, accumulate: true, context: context);

        var recorder = new RecordingEpilogue(m, n);
        float[] c = (float[])c0.Clone();
        Gemm.Multiply(GemmLayout.NN, a, b, c, m, n, k, recorder, accumulate: true, context: context);

        Assert.All(recorder.Calls, count => Assert.Equal(1, count));
        Assert.Equal(expected, recorder.Seen);
        for (int e = 0; e < c.Length; e++)
        {
            Assert.Equal(expected[e] + 1f, c[e]);
        }
    }

    [Fact]
    public void BiasAndReluEpiloguesMatchSeparatePasses()
    {
        const int m = 31, n = 45, k = 19;
        float[] a = GemmReference.Random(m * k, 8);
        float[] b = GemmReference.Random(k * n, 9);
        float[] bias = GemmReference.Random(n + 3, 10);
        float[] plain = new float[m * n];
        float[] withBias = new float[m * n];
        float[] withRelu = new float[m * n];

        Gemm.Multiply(GemmLayout.NN, a, b, plain, m, n, k);
        Gemm.Multiply(GemmLayout.NN, a, b, withBias, m, n, k, new BiasEpilogue(bias));
        Gemm.Multiply(GemmLayout.NN, a, b, withRelu, m, n, k, new BiasReluEpilogue(bias));

        bool sawNegative = false;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float z = plain[(i * n) + j] + bias[j];
                sawNegative |= z < 0;
                Assert.Equal(z, withBias[(i * n) + j]);
                Assert.Equal(Math.Max(z, 0f), withRelu[(i * n) + j]);
            }
        }

        Assert.True(sawNegative);
    }

    [Fact]
    public void ShortBiasThrowsBeforeWritingC()
    {
        float[] c = [1, 2, 3, 4];
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(GemmLayout.NN, [1f, 2f], [1f, 2f], c, 2, 2, 1, new BiasReluEpilogue(new float[1])));
        Assert.Equal("epilogue", error.ParamName);
        Assert.Equal([1, 2, 3, 4], c);
    }

    [Theory]
    [InlineData(-1, 2, 2, "m")]
    [InlineData(2, -1, 2, "n")]
    [InlineData(2, 2, -1, "k")]
    public void NegativeSizesThrow(int m, int n, int k, string name)
    {
        float[] buffer = new float[16];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(GemmLayout.NN, buffer, buffer, new float[16], m, n, k));
        Assert.Equal(name, error.ParamName);
    }

    [Theory]
    [InlineData(GemmLayout.NN, 5, 6, 6, "a")]
    [InlineData(GemmLayout.NT, 6, 5, 6, "b")]
    [InlineData(GemmLayout.TN, 6, 6, 3, "c")]
    public void ShortSpansThrowWithoutWriting(GemmLayout layout, int aLength, int bLength, int cLength, string name)
    {
        // m = 2, n = 2, k = 3 needs |A| = 6, |B| = 6, |C| = 4.
        float[] c = new float[cLength];
        Array.Fill(c, 5f);
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(layout, new float[aLength], new float[bLength], c, 2, 2, 3));
        Assert.Equal(name, error.ParamName);
        Assert.All(c, value => Assert.Equal(5f, value));
    }

    [Fact]
    public void OverlappingOutputAndUnknownLayoutThrow()
    {
        float[] buffer = new float[32];
        var overlapA = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(GemmLayout.NN, buffer.AsSpan(0, 8), new float[8], buffer.AsSpan(4, 4), 2, 2, 4));
        Assert.Equal("c", overlapA.ParamName);
        var overlapB = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(GemmLayout.NN, new float[8], buffer.AsSpan(0, 8), buffer.AsSpan(7, 4), 2, 2, 4));
        Assert.Equal("c", overlapB.ParamName);
        var layout = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply((GemmLayout)7, new float[4], new float[4], new float[4], 2, 2, 2));
        Assert.Equal("layout", layout.ParamName);
    }

    [Fact]
    public void ContextValidatesAndClampsItsThreadCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GemmContext(0));
        using var context = new GemmContext(1000);
        Assert.Equal(Environment.ProcessorCount, context.ThreadCount);
    }

    [Fact]
    public void DisposedContextThrows()
    {
        var context = new GemmContext(2);
        context.Dispose();
        context.Dispose();
        Assert.Throws<ObjectDisposedException>(() =>
            Gemm.Multiply(GemmLayout.NN, [1f], [1f], new float[1], 1, 1, 1, context: context));
    }

    [Fact]
    public void ExceptionInAnEpilogueOnAWorkerPropagatesAndTheContextStaysUsable()
    {
        const int m = 120, n = 64, k = 600;
        float[] a = GemmReference.Random(m * k, 11);
        float[] b = GemmReference.Random(k * n, 12);
        float[] c = new float[m * n];
        using var context = new GemmContext(2);
        if (context.ThreadCount < 2)
        {
            return; // A single processor has no worker thread to fail on.
        }

        var error = Assert.Throws<InvalidOperationException>(() =>
            Gemm.Multiply(GemmLayout.NN, a, b, c, m, n, k, new ThrowingEpilogue(m - 1), context: context));
        Assert.Equal("row 119", error.Message);

        float[] expected = new float[m * n];
        Gemm.Multiply(GemmLayout.NN, a, b, expected, m, n, k);
        Gemm.Multiply(GemmLayout.NN, a, b, c, m, n, k, context: context);
        Assert.Equal(expected, c);
    }

    [Fact]
    public void TwoThreadContextSplitsLargeProblemsAndRunsSmallOnesOnTheCaller()
    {
        using var context = new GemmContext(2);
        if (context.ThreadCount < 2)
        {
            return; // A single processor has no worker thread.
        }

        int caller = Environment.CurrentManagedThreadId;
        foreach ((int m, int n, int k, int expectedThreads) in new[] { (200, 70, 320, 2), (20, 300, 800, 2), (100, 100, 100, 1) })
        {
            int[] threadOf = new int[m * n];
            float[] c = new float[m * n];
            Gemm.Multiply(GemmLayout.NN, new float[m * k], new float[k * n], c, m, n, k, new ThreadProbe(threadOf, n), context: context);
            Assert.Contains(caller, threadOf);
            Assert.Equal(expectedThreads, threadOf.Distinct().Count());
        }
    }

    [Theory]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    [InlineData("Vector128")]
    [InlineData("Scalar")]
    public void FallbackPathsAgreeWithTheDefaultPath(string pathName)
    {
        GemmKernelPath path = Enum.Parse<GemmKernelPath>(pathName);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (3, 5, 7), (6, 16, 256), (13, 31, 300), (100, 70, 90)];
        foreach (GemmLayout layout in Enum.GetValues<GemmLayout>())
        {
            foreach ((int m, int n, int k) in shapes)
            {
                float[] a = GemmReference.Random(m * k, m);
                float[] b = GemmReference.Random(k * n, n);
                float[] fast = new float[m * n];
                float[] slow = new float[m * n];
                Gemm.Multiply(layout, a, b, fast, m, n, k);
                using var context = new GemmContext(2) { KernelPath = path };
                Gemm.Multiply(layout, a, b, slow, m, n, k, context: context);

                (_, double[] abs) = GemmReference.Multiply(layout, a, b, m, n, k);
                double[] reference = Array.ConvertAll(fast, value => (double)value);
                double tolerance = GemmReference.Tolerance(k, fused: true) + GemmReference.Tolerance(k, fused: false);
                GemmReference.AssertClose(reference, abs, slow, tolerance, $"{path} {layout} {m}×{n}×{k}");
            }
        }
    }

    [Theory]
    [InlineData("Auto")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    [InlineData("Vector128")]
    [InlineData("Scalar")]
    public void EveryPathIsBitIdenticalOnOneAndTwoThreads(string pathName)
    {
        GemmKernelPath path = Enum.Parse<GemmKernelPath>(pathName);
        const int m = 131, n = 97, k = 531; // 6.7·10⁶ ≥ Gemm.ParallelThreshold
        foreach (GemmLayout layout in Enum.GetValues<GemmLayout>())
        {
            float[] a = GemmReference.Random(m * k, 13);
            float[] b = GemmReference.Random(k * n, 14);
            float[] one = GemmReference.Random(m * n, 15);
            float[] two = (float[])one.Clone();
            using var serial = new GemmContext(1) { KernelPath = path };
            using var parallel = new GemmContext(2) { KernelPath = path };
            Gemm.Multiply(layout, a, b, one, m, n, k, accumulate: true, context: serial);
            Gemm.Multiply(layout, a, b, two, m, n, k, accumulate: true, context: parallel);
            Assert.Equal(one, two);
        }
    }

    [Fact]
    public void TheAvx512AndAvx2PathsAreBitIdentical()
    {
        if (!GemmTiling.Avx512Supported)
        {
            return; // nothing to compare on this processor
        }

        (int M, int N, int K)[] shapes = [(1, 1, 1), (7, 31, 9), (8, 32, 256), (9, 33, 257), (41, 70, 300), (100, 64, 288), (288, 64, 700), (150, 97, 531)];
        foreach (GemmLayout layout in Enum.GetValues<GemmLayout>())
        {
            foreach ((int m, int n, int k) in shapes)
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] a = GemmReference.Random(m * k, m + k);
                    float[] b = GemmReference.Random(k * n, n + k);
                    float[] wide = GemmReference.Random(m * n, m + n);
                    float[] narrow = (float[])wide.Clone();
                    using var w = new GemmContext(2) { KernelPath = GemmKernelPath.Avx512, SmallPath = false };
                    using var v = new GemmContext(1) { KernelPath = GemmKernelPath.Avx2, SmallPath = false };
                    Gemm.Multiply(layout, a, b, wide, m, n, k, accumulate, w);
                    Gemm.Multiply(layout, a, b, narrow, m, n, k, accumulate, v);
                    Assert.True(wide.AsSpan().SequenceEqual(narrow), $"{layout} {m}×{n}×{k} accumulate={accumulate}");
                }
            }
        }
    }

    private static void Check(GemmLayout layout, int m, int n, int k, int seed, int threads)
    {
        float[] a = GemmReference.Random(m * k, seed);
        float[] b = GemmReference.Random(k * n, seed + 1);
        float[] c = new float[m * n];
        Array.Fill(c, float.NaN);
        using var context = threads == 1 ? null : new GemmContext(threads);
        Gemm.Multiply(layout, a, b, c, m, n, k, context: context);
        (double[] expected, double[] abs) = GemmReference.Multiply(layout, a, b, m, n, k);
        GemmReference.AssertClose(expected, abs, c, GemmReference.Tolerance(k, fused: true), $"{layout} {m}×{n}×{k}");
    }

    /// <summary>Counts calls per element, remembers the values it saw, then adds 1.</summary>
    private readonly struct RecordingEpilogue(int m, int n) : IGemmEpilogue
    {
        public int[] Calls { get; } = new int[m * n];

        public float[] Seen { get; } = new float[m * n];

        public void Validate(int rows, int columns)
        {
            Assert.Equal(m, rows);
            Assert.Equal(n, columns);
        }

        public void Apply(int row, int columnStart, Span<float> values)
        {
            for (int j = 0; j < values.Length; j++)
            {
                int e = (row * n) + columnStart + j;
                Interlocked.Increment(ref Calls[e]);
                Seen[e] = values[j];
                values[j] += 1f;
            }
        }
    }

    /// <summary>Records which thread finished each element.</summary>
    private readonly struct ThreadProbe(int[] threadOf, int n) : IGemmEpilogue
    {
        public void Validate(int rows, int columns)
        {
        }

        public void Apply(int row, int columnStart, Span<float> values) =>
            threadOf.AsSpan((row * n) + columnStart, values.Length).Fill(Environment.CurrentManagedThreadId);
    }

    private readonly struct ThrowingEpilogue(int failingRow) : IGemmEpilogue
    {
        public void Validate(int rows, int columns)
        {
        }

        public void Apply(int row, int columnStart, Span<float> values)
        {
            if (row == failingRow)
            {
                throw new InvalidOperationException($"row {row}");
            }
        }
    }
}
