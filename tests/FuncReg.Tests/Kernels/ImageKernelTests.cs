using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>
/// The vectorized image kernels of the compiled engine against the plain loops of <see cref="Conv2DOps"/>,
/// <see cref="PoolingOps"/> and <see cref="NormalizationOps"/>: im2col, col2im and max pooling bit-identical on any
/// split of the batch; channel batch norm within float rounding and bit-identical for 1 and 2 threads.
/// </summary>
public sealed class ImageKernelTests
{
    public static TheoryData<int, int, int, int, int, Padding> Geometries => new()
    {
        // h, w, c, kernel/pool, stride, padding
        { 28, 28, 1, 3, 1, Padding.Same },
        { 14, 14, 32, 3, 1, Padding.Same },
        { 7, 9, 3, 3, 2, Padding.Valid },
        { 6, 5, 9, 2, 2, Padding.Same },
        { 5, 7, 8, 4, 3, Padding.Same },
        { 4, 4, 13, 5, 1, Padding.Same },
        { 3, 3, 2, 1, 1, Padding.Valid },
        { 9, 8, 2, 3, 2, Padding.Same },
        { 6, 7, 40, 3, 1, Padding.Same }, // patch 360 > 320: the product's depth is split into k-blocks
        { 14, 14, 32, 2, 2, Padding.Valid }, // the 2×2 max-pooling fast path
        { 7, 6, 16, 2, 2, Padding.Valid }, // … with an odd row left out
    };

    private static float[] Random(int length, int seed, bool ties = false)
    {
        var rng = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = ties ? rng.Next(-2, 3) : (float)((rng.NextDouble() * 2) - 1);
        }
        return v;
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Im2col_and_col2im_equal_the_plain_loops_on_any_split(int h, int w, int c, int k, int s, Padding padding)
    {
        Window2D g = Window2D.TryCreate(h, w, c, (k, k), (s, s), padding)!.Value;
        const int n = 5;
        float[] x = Random(n * g.InputSize, 1);
        var expected = new float[n * g.OutputPixels * g.PatchSize];
        Conv2DOps.Im2Col<float>(x, expected, n, g);
        float[] actual = Random(expected.Length, 2); // stale contents must be overwritten
        ImageKernels.Im2Col(x, actual, 0, 2, g);
        ImageKernels.Im2Col(x, actual, 2, n, g);
        Assert.Equal(expected, actual);

        float[] columns = Random(expected.Length, 3);
        var dxExpected = new float[n * g.InputSize];
        Conv2DOps.Col2Im<float>(columns, dxExpected, n, g);
        float[] dx = Random(dxExpected.Length, 4);
        ImageKernels.Col2Im(columns, dx, 0, 3, g);
        ImageKernels.Col2Im(columns, dx, 3, n, g);
        Assert.Equal(dxExpected, dx);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Gemm_on_implicit_im2col_is_bit_identical_to_gemm_on_the_columns(int h, int w, int c, int k, int s, Padding padding)
    {
        Window2D g = Window2D.TryCreate(h, w, c, (k, k), (s, s), padding)!.Value;
        foreach (int n in new[] { 1, 5, 23 })
        {
            float[] x = Random(n * g.InputSize, 5);
            var columns = new float[n * g.OutputPixels * g.PatchSize];
            Conv2DOps.Im2Col<float>(x, columns, n, g);
            int rows = n * g.OutputPixels, patch = g.PatchSize;
            foreach (int filters in new[] { 3, 32, 37 })
            {
                float[] kernel = Random(patch * filters, 6);
                float[] dz = Random(rows * filters, 7);
                foreach (GemmKernelPath path in new[] { GemmKernelPath.Auto, GemmKernelPath.Avx2, GemmKernelPath.Vector128 })
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        // the tiny-shape kernels sum in another order; the small and packed paths are bit-identical
                        using var context = new GemmContext(threads) { KernelPath = path, TinyPath = false };
                        var expected = new float[rows * filters];
                        var actual = Random(rows * filters, 8);
                        Gemm.Multiply(GemmLayout.NN, columns, kernel, expected, rows, filters, patch, context: context);
                        Gemm.MultiplyImages(GemmLayout.NN, x, g, kernel, actual, rows, filters, patch, default(NoEpilogue), context: context);
                        Assert.True(expected.AsSpan().SequenceEqual(actual), $"NN {path} {threads} n={n} filters={filters}");

                        var gradient = Random(patch * filters, 9);
                        var gradientExpected = (float[])gradient.Clone();
                        Gemm.Multiply(GemmLayout.TN, columns, dz, gradientExpected, patch, filters, rows, accumulate: true, context: context);
                        Gemm.MultiplyImages(GemmLayout.TN, x, g, dz, gradient, patch, filters, rows, default(NoEpilogue), accumulate: true, context: context);
                        Assert.True(gradientExpected.AsSpan().SequenceEqual(gradient), $"TN {path} {threads} n={n} filters={filters}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv_input_gradient_by_sample_blocks_is_bit_identical_to_col2im_of_the_whole_product(int h, int w, int c, int k, int s, Padding padding)
    {
        Window2D g = Window2D.TryCreate(h, w, c, (k, k), (s, s), padding)!.Value;
        foreach (int n in new[] { 1, 7, 40 })
        {
            int rows = n * g.OutputPixels, patch = g.PatchSize;
            foreach (int filters in new[] { 3, 64 })
            {
                float[] kernel = Random(patch * filters, 10);
                float[] dz = Random(rows * filters, 11);
                using var whole = new GemmContext(1) { SmallPath = false };
                var columns = new float[rows * patch];
                Gemm.Multiply(GemmLayout.NT, dz, kernel, columns, rows, patch, filters, context: whole);
                var expected = new float[n * g.InputSize];
                Conv2DOps.Col2Im<float>(columns, expected, n, g);
                var gradient = new ConvInputGradient(g, filters, 2);
                foreach (int threads in new[] { 1, 2 })
                {
                    using var context = new GemmContext(threads);
                    float[] dx = Random(expected.Length, 12); // stale contents must be overwritten
                    gradient.Run(context, dz, kernel, dx, n);
                    Assert.True(expected.AsSpan().SequenceEqual(dx), $"{threads} threads n={n} filters={filters}");
                }
            }
        }
    }

    [Fact]
    public void Conv_backward_through_the_workspace_is_bit_identical_with_more_threads_than_cores()
    {
        Window2D g = Window2D.TryCreate(9, 9, 8, (3, 3), (1, 1), Padding.Same)!.Value;
        const int n = 6, filters = 16;
        int outputs = n * g.OutputPixels * filters;
        float[] x = Random(n * g.InputSize, 20), kernel = Random(g.PatchSize * filters, 21), dy = Random(outputs, 22);
        float[]? first = null, firstKernelGradient = null;
        foreach (int threads in new[] { 1, Environment.ProcessorCount + 2 })
        {
            var workspace = new ConvWorkspace(g, filters);
            workspace.Allocate(n);
            using var context = new GemmContext(threads);
            float[] z = new float[outputs], y = new float[outputs], dz = new float[outputs];
            float[] kernelGradient = new float[kernel.Length], dx = Random(n * g.InputSize, 23);
            ConvKernels.Conv2DForward(context, workspace, x, kernel, null, z, y, Activation.Relu, 0f, n);
            ConvKernels.Conv2DBackward(context, workspace, x, dy, kernel, kernelGradient, null, z, y, dz, dx, null, null, Activation.Relu, 0f, false, n);
            first ??= dx;
            firstKernelGradient ??= kernelGradient;
            Assert.True(first.AsSpan().SequenceEqual(dx), $"dx with {threads} threads");
            Assert.True(firstKernelGradient.AsSpan().SequenceEqual(kernelGradient), $"dK with {threads} threads");
        }
    }

    [Fact]
    public void Gemm_on_implicit_im2col_rejects_shapes_that_are_not_the_windows()
    {
        Window2D g = Window2D.TryCreate(5, 5, 2, (3, 3), (1, 1), Padding.Same)!.Value;
        float[] x = new float[2 * g.InputSize], b = new float[18 * 4], c = new float[50 * 4];
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyImages(GemmLayout.NN, x, g, b, c, 50, 4, 17, default(NoEpilogue)));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyImages(GemmLayout.NN, x, g, b, c, 49, 4, 18, default(NoEpilogue)));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyImages(GemmLayout.NN, x.AsSpan(1), g, b, c, 50, 4, 18, default(NoEpilogue)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyImages(GemmLayout.NT, x, g, b, c, 50, 4, 18, default(NoEpilogue)));
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Max_pooling_equals_the_plain_loops_with_ties_on_any_split(int h, int w, int c, int k, int s, Padding padding)
    {
        Window2D g = Window2D.TryCreate(h, w, c, (k, k), (s, s), padding)!.Value;
        const int n = 4;
        foreach (bool ties in new[] { false, true })
        {
            float[] x = Random(n * g.InputSize, 5, ties);
            int outputs = n * g.OutputPixels * c;
            var y = new float[outputs];
            var at = new int[outputs];
            PoolingOps.MaxForward<float>(x, y, at, n, g);
            var y2 = new float[outputs];
            var at2 = new int[outputs];
            ImageKernels.MaxPoolForward(x, y2, at2, 0, 1, g);
            ImageKernels.MaxPoolForward(x, y2, at2, 1, n, g);
            Assert.Equal(y, y2);
            Assert.Equal(at, at2);

            float[] dy = Random(outputs, 6);
            var dx = new float[n * g.InputSize];
            PoolingOps.MaxBackward<float>(dy, at, dx);
            float[] dx2 = Random(dx.Length, 7);
            ImageKernels.MaxPoolBackward(dy, at2, dx2, 0, 3, g);
            ImageKernels.MaxPoolBackward(dy, at2, dx2, 3, n, g);
            Assert.Equal(dx, dx2);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(200, 3)]
    [InlineData(129, 8)]
    [InlineData(1000, 13)]
    [InlineData(3136, 32)]
    public void Channel_batch_norm_matches_the_reference_and_is_the_same_on_one_and_two_threads(int rows, int channels)
    {
        float[] x = Random(rows * channels, 8), dy = Random(rows * channels, 9);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (x[i] * 3) + 5; // a mean far from 0
        }
        float[] gamma = Random(channels, 10), beta = Random(channels, 11);
        const double epsilon = 1e-3;

        var xhat = new double[x.Length];
        var y = new double[x.Length];
        var mean = new double[channels];
        var variance = new double[channels];
        var invStd = new double[channels];
        double[] xd = [.. x.Select(v => (double)v)], gd = [.. gamma.Select(v => (double)v)], bd = [.. beta.Select(v => (double)v)], dyd = [.. dy.Select(v => (double)v)];
        NormalizationOps.BatchForwardTraining<double>(xd, gd, bd, epsilon, xhat, y, mean, variance, invStd, rows, channels);
        var dx = new double[x.Length];
        var dgamma = new double[channels];
        var dbeta = new double[channels];
        NormalizationOps.BatchBackwardTraining<double>(dyd, xhat, gd, invStd, dx, dgamma, dbeta, rows, channels);

        float[][] results = new float[2][];
        foreach (int threads in new[] { 1, 2 })
        {
            using var context = new GemmContext(threads);
            var norm = new ChannelBatchNorm(channels, rows + 7);
            var fx = new float[x.Length];
            var fy = new float[x.Length];
            var fm = new float[channels];
            var fv = new float[channels];
            var fi = new float[channels];
            norm.Forward(context, x, gamma, beta, epsilon, fx, fy, fm, fv, fi, rows);
            var fdx = new float[x.Length];
            var fdg = new float[channels];
            var fdb = new float[channels];
            norm.Backward(context, dy, fx, gamma, fi, fdx, fdg, fdb, rows);
            Close(mean, fm, 1e-5);
            Close(variance, fv, 1e-4);
            Close(y, fy, 1e-4);
            Close(dx, fdx, 1e-3);
            Close(dgamma, fdg, 1e-3);
            Close(dbeta, fdb, 1e-3);
            results[threads - 1] = [.. fy, .. fdx, .. fdg, .. fdb, .. fm, .. fv];

            // A ReLU fused into the passes: relu(y) forward, relu′ applied to dy backward — bit for bit the separate passes.
            var ry = new float[x.Length];
            norm.Forward(context, x, gamma, beta, epsilon, new float[x.Length], ry, new float[channels], new float[channels], new float[channels], rows, relu: true);
            Assert.Equal(fy.Select(v => v > 0 ? v : 0f).ToArray(), ry);
            float[] masked = [.. dy.Select((d, i) => ry[i] > 0 ? d : 0f)];
            var edx = new float[x.Length];
            var edg = new float[channels];
            var edb = new float[channels];
            norm.Backward(context, masked, fx, gamma, fi, edx, edg, edb, rows);
            var rdx = new float[x.Length];
            var rdg = new float[channels];
            var rdb = new float[channels];
            norm.Backward(context, dy, fx, gamma, fi, rdx, rdg, rdb, rows, ry);
            Assert.Equal(edx, rdx);
            Assert.Equal(edg, rdg);
            Assert.Equal(edb, rdb);
            if (x.Length > 1)
            {
                Assert.Throws<ArgumentException>(() => norm.Backward(context, dy, fx, gamma, fi, rdx, rdg, rdb, rows, ry.AsSpan(1)));
            }
        }
        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public void For_runs_every_share_once_and_shares_cover_the_range()
    {
        using var context = new GemmContext(2);
        var hits = new int[1001];
        context.For((part, parts) =>
        {
            (int start, int end) = GemmContext.Share(part, parts, hits.Length);
            for (int i = start; i < end; i++)
            {
                hits[i]++;
            }
        });
        Assert.All(hits, h => Assert.Equal(1, h));
        Assert.Equal((0, 0), GemmContext.Share(0, 2, 1));
        Assert.Equal((0, 1), GemmContext.Share(1, 2, 1));
    }

    [Fact]
    public void Gemm_depth_keeps_a_3x3x32_patch_in_one_block_and_is_bit_identical_on_two_threads()
    {
        Assert.Equal(288, GemmTiling.Depth(288));
        Assert.Equal(320, GemmTiling.Depth(320));
        Assert.Equal(GemmTiling.KC, GemmTiling.Depth(321));
        Assert.Equal(9, GemmTiling.Depth(9));
        // the conv2 forward product of the cnn workload, at a smaller batch
        const int m = 2 * 14 * 14 * 6, n = 64, k = 288;
        float[] a = GemmReference.Random(m * k, 1), b = GemmReference.Random(k * n, 2);
        var one = new float[m * n];
        var two = new float[m * n];
        using (var c1 = new GemmContext(1))
        {
            Gemm.Multiply(GemmLayout.NN, a, b, one, m, n, k, context: c1);
        }
        using (var c2 = new GemmContext(2))
        {
            Gemm.Multiply(GemmLayout.NN, a, b, two, m, n, k, context: c2);
        }
        Assert.Equal(one, two);
        var (expected, abs) = GemmReference.Multiply(GemmLayout.NN, a, b, m, n, k);
        GemmReference.AssertClose(expected, abs, one, GemmReference.Tolerance(k, fused: true), "conv2 forward");
    }

    [Fact]
    public void The_cnn_workload_trains_bit_identically_on_one_and_two_threads_at_full_image_size()
    {
        // 6 images of 28×28×1: the element-wise passes are long enough to be split over the threads
        Sequential spec = Sequential.Of(
            new InputShape(28, 28, 1),
            new Conv2D(32, 3) { Padding = Padding.Same },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new MaxPooling2D(2),
            new Conv2D(64, 3) { Padding = Padding.Same },
            new BatchNormalization(),
            new ActivationLayer(Activation.Relu),
            new MaxPooling2D(2),
            new Flatten(),
            new Dropout(0.5),
            new Dense(128, Activation.Relu),
            new Dense(10, Activation.Softmax));
        const int n = 6;
        float[] x = Random(n * 784, 12);
        int[] y = [.. Enumerable.Range(0, n).Select(i => i % 10)];
        var results = new List<float[]>();
        foreach (int threads in new[] { 1, 2 })
        {
            using var model = new CompiledModel(spec, seed: 4, threads: threads) { Optimizer = new Adam(1e-3) };
            var penalties = new double[model.PenaltyNames.Count];
            for (int step = 0; step < 3; step++)
            {
                model.TrainStep(new Batch(x, y, default, n), penalties);
            }
            results.Add([.. model.Parameters.SelectMany(p => p.Values.ToArray()), .. model.Predict(x)]);
        }
        Assert.Equal(results[0], results[1]);
    }

    private static void Close(double[] expected, float[] actual, double tolerance)
    {
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"[{i}]: {expected[i]} vs {actual[i]}");
        }
    }
}
