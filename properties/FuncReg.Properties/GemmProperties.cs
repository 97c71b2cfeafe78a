using FuncReg.Kernels;

namespace FuncReg.Properties;

public sealed class GemmProperties
{
    /// <summary>
    /// Every layout, kernel path, accumulate mode and bias epilogue agrees with a double-precision
    /// product: |c − ref| ≤ <see cref="GemmGens.Tolerance"/>·(Σ_p |a·b| + |C₀| + |bias|) per element.
    /// </summary>
    [Fact]
    public void MatchesTheDoublePrecisionReference()
    {
        Arbitrary<GemmCase> cases = GemmGens.Cases(1, 3_000_000, fallbacks: true).ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(400),
            Prop.ForAll(cases, problem =>
            {
                (float[] a, float[] b, float[] c0, float[] bias) = Data(problem);
                float[] c = (float[])c0.Clone();
                using var context = new GemmContext(2) { KernelPath = problem.KernelPath };
                Run(problem, a, b, c, bias, context);

                (double[] expected, double[] abs) = GemmGens.Reference(problem.Layout, a, b, problem.M, problem.N, problem.K);
                bool fused = GemmTiling.Resolve(problem.KernelPath) is GemmKernelPath.Avx2 or GemmKernelPath.Avx512;
                double tolerance = GemmGens.Tolerance(problem.K, fused);
                for (int i = 0; i < problem.M; i++)
                {
                    for (int j = 0; j < problem.N; j++)
                    {
                        int e = (i * problem.N) + j;
                        double want = expected[e];
                        double scale = abs[e];
                        if (problem.Accumulate)
                        {
                            want += c0[e];
                            scale += Math.Abs(c0[e]);
                        }

                        if (problem.Bias)
                        {
                            want += bias[j];
                            scale += Math.Abs(bias[j]);
                        }

                        double error = Math.Abs(c[e] - want);
                        if (!(error <= (tolerance * scale) + 1e-30))
                        {
                            throw new InvalidOperationException(
                                $"{problem}: C[{i},{j}] = {c[e]}, reference {want}, error {error:E3} > {tolerance * scale:E3}");
                        }
                    }
                }
            }));
    }

    /// <summary>1 and 2 threads produce bit-identical C on problems large enough to be split.</summary>
    [Fact]
    public void OneAndTwoThreadsAreBitIdentical()
    {
        Arbitrary<GemmCase> cases = GemmGens.Cases(Gemm.ParallelThreshold, 12_000_000, fallbacks: true).ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(100),
            Prop.ForAll(cases, problem =>
            {
                (float[] a, float[] b, float[] c0, float[] bias) = Data(problem);
                float[] serial = (float[])c0.Clone();
                float[] parallel = (float[])c0.Clone();
                using var one = new GemmContext(1) { KernelPath = problem.KernelPath };
                using var two = new GemmContext(2) { KernelPath = problem.KernelPath };
                Run(problem, a, b, serial, bias, one);
                Run(problem, a, b, parallel, bias, two);
                return serial.AsSpan().SequenceEqual(parallel);
            }).Label("bit-identical"));
    }

    /// <summary>
    /// The 512-bit (8×32 tiles) and 256-bit (6×16 tiles) micro-kernels give bit-identical C: the same fused
    /// multiply-adds in the same order per element, whatever the tiling (vacuous where AVX-512 is not available).
    /// </summary>
    [Fact]
    public void Avx512AndAvx2PathsAreBitIdentical()
    {
        Arbitrary<GemmCase> cases = GemmGens.Cases(1, 6_000_000, fallbacks: false).ToArbitrary();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(150),
            Prop.ForAll(cases, problem =>
            {
                if (!GemmTiling.Avx512Supported)
                {
                    return true;
                }

                (float[] a, float[] b, float[] c0, float[] bias) = Data(problem);
                float[] wide = (float[])c0.Clone();
                float[] narrow = (float[])c0.Clone();
                using var w = new GemmContext(2) { KernelPath = GemmKernelPath.Avx512, SmallPath = false };
                using var v = new GemmContext(2) { KernelPath = GemmKernelPath.Avx2, SmallPath = false };
                Run(problem, a, b, wide, bias, w);
                Run(problem, a, b, narrow, bias, v);
                return wide.AsSpan().SequenceEqual(narrow);
            }).Label("bit-identical"));
    }

    private static (float[] A, float[] B, float[] C0, float[] Bias) Data(GemmCase problem) =>
        (GemmGens.Values(problem.M * problem.K, problem.Seed),
         GemmGens.Values(problem.K * problem.N, problem.Seed ^ 0x5bd1e995),
         GemmGens.Values(problem.M * problem.N, problem.Seed ^ 0x1b873593),
         GemmGens.Values(problem.N, problem.Seed ^ 0x68e31da4));

    private static void Run(GemmCase problem, float[] a, float[] b, float[] c, float[] bias, GemmContext context)
    {
        if (problem.Bias)
        {
            Gemm.Multiply(problem.Layout, a, b, c, problem.M, problem.N, problem.K, new BiasEpilogue(bias), problem.Accumulate, context);
        }
        else
        {
            Gemm.Multiply(problem.Layout, a, b, c, problem.M, problem.N, problem.K, problem.Accumulate, context);
        }
    }
}
