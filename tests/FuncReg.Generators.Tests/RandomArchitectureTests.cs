using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>
/// Random attribute declarations (seeded, 30 models) go through the generator in memory, are compiled with the
/// generated code to an in-memory assembly, loaded, constructed by reflection and trained against the reference
/// interpreter built from their own <c>Spec</c>.
/// </summary>
public sealed class RandomArchitectureTests
{
    private const int Models = 30;

    private static readonly string[] Hidden = ["Linear", "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh"];

    private static readonly Optimizer[] Optimizers =
    [
        new SGD(0.05) { Momentum = 0.9, Nesterov = true, ClipNorm = 1.0 },
        new SGD(0.1) { CoupledWeightDecay = 1e-3 },
        new RMSprop(1e-3) { Centered = true, Momentum = 0.5, ClipValue = 0.5 },
        new RMSprop(1e-2),
        new Adam(1e-2) { WeightDecay = 1e-3, Amsgrad = true },
        new AdamW(1e-2) { GlobalClipNorm = 2.0, DecayAllParameters = true },
    ];

    [Fact]
    public void Random_declarations_compile_and_train_like_the_reference() =>
        CompileAndTrain(new Random(20240611), Models, Declaration);

    /// <summary>The same for random image models: a convolutional stem (see <see cref="ImageDeclaration"/>), then the dense blocks.</summary>
    [Fact]
    public void Random_image_declarations_compile_and_train_like_the_reference() =>
        CompileAndTrain(new Random(20261122), 20, ImageDeclaration, ["[Conv2D(", "Padding = Padding.Same", "Strides = 2", ", 2, Activation.", "[BatchNormalization]", "[SpatialDropout2D(", "[MaxPooling2D(", "[AveragePooling2D(", "[Flatten]", "[GlobalAveragePooling2D]"]);

    private static void CompileAndTrain(Random random, int models, Func<Random, string, string> declare, string[]? covers = null)
    {
        string source = "using FuncReg;\nnamespace Random.Models;\n\n" + string.Join("\n", Enumerable.Range(0, models).Select(i => declare(random, "Net" + Str(i))));
        foreach (string part in covers ?? [])
        {
            Assert.Contains(part, source, StringComparison.Ordinal);
        }
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(models, result.GeneratedSources.Length);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        var context = new LibraryLoadContext();
        try
        {
            Assembly assembly = context.LoadFromStream(stream);
            for (int i = 0; i < models; i++)
            {
                Type type = assembly.GetType("Random.Models.Net" + Str(i), throwOnError: true)!;
                long seed = random.Next();
                var model = (IModel)Activator.CreateInstance(type, seed, 1)!;
                string declaration = source.Split("\n\n")[i + 1];
                try
                {
                    TrainAndCompare(model, seed, Optimizers[i % Optimizers.Length], random);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"model {i} (seed {seed}, {Optimizers[i % Optimizers.Length]}):\n{declaration}\n{e.Message}", e);
                }
                (model as IDisposable)?.Dispose();
            }
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>One declaration: Dense blocks with random activations, penalties and constraint, each optionally followed by another layer kind, and a head that fits its loss.</summary>
    private static string Declaration(Random r, string name)
    {
        var layers = new List<string>();
        int blocks = r.Next(1, 4);
        for (int b = 0; b < blocks; b++)
        {
            string? extra = r.Next(7) switch
            {
                0 => "Dropout(" + Str(0.1 + (0.4 * r.NextDouble())) + ")",
                1 => "GaussianDropout(" + Str(0.1 + (0.3 * r.NextDouble())) + ")",
                2 => "GaussianNoise(" + Str(0.05 + (0.2 * r.NextDouble())) + ")",
                3 => "BatchNormalization" + (r.Next(2) == 0 ? "" : "(Momentum = 0.9)"),
                4 => "LayerNormalization",
                5 => "Activation(Activation." + Hidden[r.Next(Hidden.Length)] + ")",
                _ => null,
            };
            if (b == 0 && r.Next(4) == 0)
            {
                layers.Add(r.Next(2) == 0 ? "LayerNormalization" : "GaussianNoise(0.1)");
            }
            var args = new List<string> { Str(r.Next(3, 9)), "Activation." + Hidden[r.Next(Hidden.Length)] };
            bool beforeBatchNorm = extra is not null && extra.StartsWith("BatchNormalization", StringComparison.Ordinal);
            Penalties(r, args, bias: !beforeBatchNorm);
            if (beforeBatchNorm)
            {
                args.Add("UseBias = false"); // a bias before BatchNormalization has zero true gradient: pure rounding noise
            }
            layers.Add("Dense(" + string.Join(", ", args) + ")");
            if (extra is not null)
            {
                layers.Add(extra);
            }
        }
        string model;
        switch (r.Next(4))
        {
            case 0:
                model = "Model(Inputs = {0})";
                layers.Add("Dense(" + Str(r.Next(2, 5)) + ", Activation.Softmax)");
                break;
            case 1:
                model = "Model(Inputs = {0})";
                layers.Add("Dense(1, Activation.Sigmoid)");
                break;
            case 2:
                model = "Model(Inputs = {0}, Loss = Loss.CategoricalCrossEntropy, FromLogits = true, LabelSmoothing = 0.1)";
                layers.Add("Dense(3)");
                break;
            default:
                model = "Model(Inputs = {0})";
                var args = new List<string> { Str(r.Next(1, 4)) };
                Penalties(r, args, bias: true);
                layers.Add("Dense(" + string.Join(", ", args) + ")");
                break;
        }
        var sb = new StringBuilder();
        sb.Append('[').Append(string.Format(CultureInfo.InvariantCulture, model, r.Next(2, 7))).Append("]\n");
        foreach (string layer in layers)
        {
            sb.Append('[').Append(layer).Append("]\n");
        }
        return sb.Append("public partial class ").Append(name).Append(";\n").ToString();
    }

    /// <summary>
    /// An image model: a random [h, w, c] input, one to three conv blocks (kernel 1–3 or 3×2, stride 1 or 2, same or valid
    /// padding, random activation, penalties and MaxNorm, each optionally followed by channel batch norm, spatial dropout, an
    /// activation or a pooling that fits), then Flatten or GlobalAveragePooling2D and the dense blocks and head of
    /// <see cref="Declaration"/> without its batch norms. Batch norm only follows the first conv (which has no bias and a
    /// nonlinear activation) and never feeds GlobalAveragePooling2D directly: a per-channel shift (an earlier bias) passes a
    /// valid conv and relu-like activations as a per-channel shift, which a later batch norm removes, so its true gradient
    /// would be (nearly) zero and the engines would only compare rounding noise (CompiledCnnProperties.Degenerate).
    /// </summary>
    private static string ImageDeclaration(Random r, string name)
    {
        int h0 = r.Next(5, 10), w0 = r.Next(5, 10), c = r.Next(1, 4), h = h0, w = w0;
        var layers = new List<string>();
        int blocks = r.Next(1, 4);
        for (int b = 0; b < blocks; b++)
        {
            (int kh, int kw) = r.Next(4) switch { 0 => (1, 1), 1 => (2, 2), 2 => (3, 2), _ => (3, 3) };
            bool same = r.Next(2) == 0 || kh > h || kw > w;
            int stride = r.Next(3) == 0 ? 2 : 1;
            string? extra = r.Next(6) switch
            {
                0 when b == 0 => "BatchNormalization",
                1 => "SpatialDropout2D(" + Str(0.1 + (0.3 * r.NextDouble())) + ")",
                2 => "Activation(Activation." + Hidden[r.Next(Hidden.Length)] + ")",
                3 => "MaxPooling2D(2" + (r.Next(2) == 0 ? ", Padding = Padding.Same" : "") + ")",
                4 => "AveragePooling2D(2, Strides = 1" + (r.Next(2) == 0 ? ", Padding = Padding.Same" : "") + ")",
                _ => null,
            };
            bool beforeBatchNorm = extra == "BatchNormalization";
            // before batch norm a nonlinear activation, so no per-channel shift from earlier layers reaches it unchanged
            string activation = beforeBatchNorm ? Hidden[r.Next(1, Hidden.Length)] : Hidden[r.Next(Hidden.Length)];
            var args = new List<string> { Str(r.Next(2, 6)), kh == kw ? Str(kh) : Str(kh) + ", " + Str(kw), "Activation." + activation };
            Penalties(r, args, bias: !beforeBatchNorm);
            if (beforeBatchNorm)
            {
                args.Add("UseBias = false");
            }
            if (stride != 1)
            {
                args.Add("Strides = " + Str(stride));
            }
            if (same)
            {
                args.Add("Padding = Padding.Same");
            }
            layers.Add("Conv2D(" + string.Join(", ", args) + ")");
            h = same ? (h + stride - 1) / stride : ((h - kh) / stride) + 1;
            w = same ? (w + stride - 1) / stride : ((w - kw) / stride) + 1;
            if (extra is not null && extra.StartsWith("MaxPooling2D(2)", StringComparison.Ordinal) && (h < 2 || w < 2))
            {
                extra = null; // a valid 2×2 pool needs at least 2×2
            }
            if (extra is not null)
            {
                layers.Add(extra);
            }
            if (extra is not null && extra.StartsWith("MaxPooling2D", StringComparison.Ordinal))
            {
                bool samePool = extra.Contains("Same", StringComparison.Ordinal);
                h = samePool ? (h + 1) / 2 : h / 2;
                w = samePool ? (w + 1) / 2 : w / 2;
            }
            else if (extra is not null && extra.StartsWith("AveragePooling2D", StringComparison.Ordinal) && !extra.Contains("Same", StringComparison.Ordinal))
            {
                h -= 1;
                w -= 1;
            }
            if (h < 3 || w < 3)
            {
                break;
            }
        }
        // GlobalAveragePooling2D right after batch norm (through pass-through layers) outputs exactly β: rounding noise only.
        bool afterNorm = layers[^1].StartsWith("BatchNormalization", StringComparison.Ordinal) || (layers.Count > 1 && layers[^2].StartsWith("BatchNormalization", StringComparison.Ordinal));
        layers.Add(r.Next(2) == 0 || afterNorm ? "Flatten" : "GlobalAveragePooling2D");
        // The dense blocks and head of a flat declaration, its Inputs replaced by the image's shape and the stem put first.
        string[] lines = Declaration(r, name).Split('\n');
        string model = System.Text.RegularExpressions.Regex.Replace(lines[0], @"Inputs = \d+", "InputShape = new[] { " + Str(h0) + ", " + Str(w0) + ", " + Str(c) + " }");
        IEnumerable<string> tail = lines.Skip(1).Where(l => !l.StartsWith("[BatchNormalization", StringComparison.Ordinal));
        return string.Join("\n", new[] { model }.Concat(layers.Select(l => "[" + l + "]")).Concat(tail));
    }

    private static void Penalties(Random r, List<string> args, bool bias)
    {
        string[] names = bias ? ["L1", "L2", "BiasL1", "BiasL2", "ActivityL1", "ActivityL2"] : ["L1", "L2", "ActivityL1", "ActivityL2"];
        foreach (string p in names)
        {
            if (r.Next(4) == 0)
            {
                args.Add(p + " = " + Str(Math.Round(1e-3 * (1 + (9 * r.NextDouble())), 6)));
            }
        }
        if (r.Next(4) == 0)
        {
            args.Add("MaxNorm = " + Str(Math.Round(1 + (2 * r.NextDouble()), 3)));
        }
    }

    private static void TrainAndCompare(IModel generated, long seed, Optimizer optimizer, Random random)
    {
        Sequential spec = generated.Spec;
        ReferenceModel reference = Reference.Build(spec, seed);
        var exact = new ReferenceNet<double>(spec, seed);
        Assert.Equal(reference.Parameters.Select(p => p.Name), generated.Parameters.Select(p => p.Name));
        reference.Optimizer = optimizer;
        generated.Optimizer = optimizer;
        exact.ResetOptimizer(optimizer);
        var penalties = new double[reference.PenaltyNames.Count];
        for (int step = 0; step < 3; step++)
        {
            int n = random.Next(2, 17);
            (float[] x, int[] labels, float[] targets) = Batch(spec, n, random);
            reference.TrainStep(new Batch(x, labels, targets, n), penalties);
            generated.TrainStep(new Batch(x, labels, targets, n), penalties);
            exact.Loss([.. x.Select(v => (double)v)], new Targets<double>(labels, [.. targets.Select(v => (double)v)]), n, new ForwardContext(true, true, seed, step), new double[penalties.Length], gradients: true);
            exact.ApplyGradients(optimizer, optimizer.LearningRate);
            for (int p = 0; p < reference.Parameters.Count; p++)
            {
                AssertClose(reference.Parameters[p], generated.Parameters[p], exact.Parameters[p].Values, optimizer, step + 1);
            }
        }
    }

    /// <summary>
    /// CompiledModelTests' relative error: max |reference − generated| ≤ 1e-5 · max(tensor scale, 10·lr) — normalizing
    /// optimizers amplify the rounding of near-cancelling gradients into steps of order lr. Beyond it a tensor passes
    /// only if the generated model is within max(10 · bound, 4 · the float reference's own distance, itself at most
    /// 100 · bound) of the same computation in double (rounding amplified in both engines; see GeneratedModelProperties).
    /// </summary>
    private static void AssertClose(Parameter expected, Parameter actual, double[] exact, Optimizer optimizer, int step)
    {
        ReadOnlySpan<float> r = expected.Values, g = actual.Values;
        double scale = 0, diff = 0, referenceError = 0, generatedError = 0;
        for (int i = 0; i < r.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(r[i]));
            diff = Math.Max(diff, Math.Abs((double)r[i] - g[i]));
            referenceError = Math.Max(referenceError, Math.Abs(r[i] - exact[i]));
            generatedError = Math.Max(generatedError, Math.Abs(g[i] - exact[i]));
        }
        double bound = 1e-5 * Math.Max(scale, 10 * optimizer.LearningRate);
        bool close = diff <= bound || (referenceError <= 100 * bound && generatedError <= Math.Max(10 * bound, 4 * referenceError));
        Assert.True(close, $"step {step}: {expected.Name} differs by {diff} > {bound} (scale {scale}; from double: reference {referenceError}, generated {generatedError})");
    }

    private static (float[] X, int[] Labels, float[] Targets) Batch(Sequential spec, int n, Random rng)
    {
        float[] x = [.. Enumerable.Range(0, n * spec.Inputs).Select(_ => (float)((rng.NextDouble() * 2) - 1))];
        if (spec.Loss == Loss.MeanSquaredError)
        {
            return (x, [], [.. Enumerable.Range(0, n * spec.Outputs).Select(_ => (float)rng.NextDouble())]);
        }
        int classes = spec.Loss == Loss.CategoricalCrossEntropy ? spec.Outputs : 2;
        return (x, [.. Enumerable.Range(0, n).Select(_ => rng.Next(classes))], []);
    }

    private static string Str(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Loads the generated models; FuncReg resolves to the assembly the tests already loaded.</summary>
    private sealed class LibraryLoadContext() : AssemblyLoadContext("generated-models", isCollectible: true)
    {
        private static readonly Assembly Library = typeof(FuncReg.Dense).Assembly;

        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == Library.GetName().Name ? Library : null;
    }
}
