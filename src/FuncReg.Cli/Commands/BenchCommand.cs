using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FuncReg.Kernels;

namespace FuncReg.Cli.Commands;

/// <summary>
/// <c>funcreg bench &lt;workload&gt;</c>: steady-state training throughput of the fixed workloads of the
/// PyTorch peer (<c>shared/peers/README.md</c>), or GEMM GFLOP/s. Prints a human line, then one JSON line.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var workload = new Argument<string>("workload") { Description = "mlp | tiny | cnn | gemm" };
        workload.AcceptOnlyFromAmong("mlp", "tiny", "cnn", "gemm");
        var threads = new Option<int>("--threads") { Description = "GEMM threads (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seconds = new Option<double>("--seconds") { Description = "Measured steady-state duration, after warm-up.", DefaultValueFactory = _ => 5.0 };
        var sizes = new Option<int[]>("--n") { Description = "GEMM sizes (square n×n×n).", DefaultValueFactory = _ => [256, 512, 1024, 2048], AllowMultipleArgumentsPerToken = true };
        var engine = new Option<string>("--engine") { Description = "generated (the source generator's fused code), compiled (the same passes planned at run time) or reference (the interpreter).", DefaultValueFactory = _ => "generated" };
        engine.AcceptOnlyFromAmong("generated", "compiled", "reference");
        var cmd = new Command("bench", "Measure training samples/s on the peer workloads (mlp, tiny, cnn) or GEMM GFLOP/s (gemm).")
        {
            workload,
            threads,
            seconds,
            sizes,
            engine,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            int t = parse.GetValue(threads);
            double s = parse.GetValue(seconds);
            if (t < 1 || !(s > 0))
            {
                Console.Error.WriteLine("error: --threads must be ≥ 1 and --seconds > 0.");
                return 2;
            }
            t = Math.Min(t, Environment.ProcessorCount);
            string w = parse.GetValue(workload)!;
            if (w == "gemm")
            {
                foreach (int n in parse.GetValue(sizes)!)
                {
                    double gflops = GemmBenchmark.Run(n, t, TimeSpan.FromSeconds(s));
                    Console.WriteLine($"gemm n={n} threads={t}: {gflops:F1} GFLOP/s");
                    Console.WriteLine(Json($"\"workload\":\"gemm\",\"n\":{n},\"threads\":{t},\"gflops\":{F(gflops)}"));
                }
                return 0;
            }
            var (samples, steps, detail) = Training(w, t, s, parse.GetValue(engine)!);
            Console.WriteLine($"{w}: {samples:N0} samples/s, {steps:N1} steps/s ({detail})");
            Console.WriteLine(Json($"\"workload\":\"{w}\",\"samples_per_second\":{F(samples)},\"steps_per_second\":{F(steps)},\"threads\":{t}"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>The peer's workloads as specs: layers, penalties, optimizer, batch and data.</summary>
    internal static (Sequential Spec, Optimizer Optimizer, int Batch, Dataset Data) Workload(string name)
    {
        var rng = new Random(0);
        switch (name)
        {
            case "mlp":
                {
                    var l2 = Regularizer.L2(1e-4);
                    Sequential spec = Sequential.Of(
                        784,
                        new Dense(256, Activation.Relu) { KernelRegularizer = l2 },
                        new Dropout(0.3),
                        new Dense(128, Activation.Relu) { KernelRegularizer = l2 },
                        new Dropout(0.3),
                        new Dense(10, Activation.Softmax) { KernelRegularizer = l2 });
                    const int n = 60000;
                    var x = new float[n * 784];
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = rng.NextSingle();
                    }
                    var y = new int[n];
                    for (int i = 0; i < n; i++)
                    {
                        y[i] = rng.Next(10);
                    }
                    return (spec, new Adam(1e-3), 128, Dataset.From(x, y, [784]));
                }
            case "tiny":
                {
                    var l2 = Regularizer.L2(0.7 / (2 * 211));
                    Sequential spec = Sequential.Of(
                        2,
                        new Dense(20, Activation.Relu) { KernelRegularizer = l2 },
                        new Dense(3, Activation.Relu) { KernelRegularizer = l2 },
                        new Dense(1, Activation.Sigmoid) { KernelRegularizer = l2 });
                    var x = new float[211 * 2];
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = rng.NextSingle();
                    }
                    var y = new int[211];
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = rng.Next(2);
                    }
                    return (spec, new SGD(0.3), 211, Dataset.From(x, y, [2]));
                }
            case "cnn":
                {
                    // The peer's data: 6,000 uniform [0, 1) 28×28×1 images, labels uniform 0..9.
                    const int n = 6000, size = 28 * 28;
                    var x = new float[n * size];
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = rng.NextSingle();
                    }
                    var y = new int[n];
                    for (int i = 0; i < n; i++)
                    {
                        y[i] = rng.Next(10);
                    }
                    return (ModelSelection.CnnSpec, new Adam(1e-3), 128, Dataset.From(x, y, [28, 28, 1]));
                }
            default:
                throw new ArgumentException($"unknown workload {name}", nameof(name));
        }
    }

    private static (double Samples, double Steps, string Detail) Training(string name, int threads, double seconds, string engine)
    {
        var (spec, optimizer, batch, data) = Workload(name);
        IModel model = engine switch
        {
            "reference" => Reference.Build(spec, seed: 0),
            "compiled" => new CompiledModel(spec, seed: 0, threads: threads),
            _ => name switch
            {
                "mlp" => new MlpWorkload(seed: 0, threads: threads),
                "cnn" => new CnnWorkload(seed: 0, threads: threads),
                _ => new TinyWorkload(seed: 0, threads: threads),
            },
        };
        if (!model.Spec.Equals(spec))
        {
            throw new InvalidOperationException($"the {name} workload's declared model differs from its definition: {model.Spec} vs {spec}");
        }
        try
        {
            model.Optimizer = optimizer;
            var penalties = new double[model.PenaltyNames.Count];
            int n = data.Count, inputs = data.SampleSize;
            // Contiguous batches walked through the data, as the peer does.
            void Step(long i)
            {
                int start = n > batch ? (int)(i * batch % (n - batch)) : 0;
                var b = new Batch(data.Features.Slice(start * inputs, batch * inputs), data.Labels.Slice(start, batch), default, batch);
                model.TrainStep(b, penalties);
            }
            long step = 0;
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < Math.Min(1.0, seconds / 5) || step < 5)
            {
                Step(step++);
            }
            long counted = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                Step(step++);
                counted++;
            }
            double elapsed = clock.Elapsed.TotalSeconds;
            return (counted * batch / elapsed, counted / elapsed, $"{engine} engine, batch {batch}, {counted} steps in {elapsed:F1} s, {threads} thread(s)");
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static string Json(string body) => "{" + body + "}";

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
