using System.Globalization;

namespace FuncReg.Cli.Commands;

/// <summary>Turns bad input into <c>error: …</c> on stderr and exit code 2, instead of a stack trace.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    /// <summary>The exit code of <c>train</c> after Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is UsageException or ModelFileException or DataFormatException or CheckpointFormatException
            or FileNotFoundException or DirectoryNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {Clean(e)}");
            return BadInput;
        }
    }

    /// <summary>An exception's message without the "(Parameter 'x')" and "Actual value was" lines argument exceptions append.</summary>
    public static string Clean(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            message = message.Split('\n')[0].Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        }
        return message;
    }

    /// <summary>A one-line description of a model: <c>2 → dense 20 relu L2(0.001) → dropout 0.2 → dense 1 sigmoid; BinaryCrossEntropy</c>.</summary>
    public static string Describe(Sequential spec) =>
        $"{string.Join("×", spec.InputShape)} → {string.Join(" → ", spec.Layers.Select(Describe))}; {spec.Loss}{(spec.FromLogits ? " from logits" : "")}";

    /// <summary>An optimizer's name, learning rate and whatever is set besides.</summary>
    public static string Describe(Optimizer o)
    {
        var parts = new List<string> { $"{o.GetType().Name} lr {o.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}" };
        if (o is SGD { Momentum: > 0 } sgd)
        {
            parts.Add($"momentum {sgd.Momentum.ToString(CultureInfo.InvariantCulture)}{(sgd.Nesterov ? " nesterov" : "")}");
        }
        if (o is RMSprop { Momentum: > 0 } rms)
        {
            parts.Add($"momentum {rms.Momentum.ToString(CultureInfo.InvariantCulture)}");
        }
        if (o.WeightDecay > 0)
        {
            parts.Add($"weight decay {o.WeightDecay.ToString(CultureInfo.InvariantCulture)}");
        }
        if (o.CoupledWeightDecay > 0)
        {
            parts.Add($"coupled weight decay {o.CoupledWeightDecay.ToString(CultureInfo.InvariantCulture)}");
        }
        if ((o.ClipNorm ?? o.ClipValue ?? o.GlobalClipNorm) is { } c)
        {
            string kind = o.ClipNorm is not null ? "clip norm" : o.ClipValue is not null ? "clip value" : "global clip norm";
            parts.Add($"{kind} {c.ToString(CultureInfo.InvariantCulture)}");
        }
        return string.Join(", ", parts);
    }

    private static string Describe(Layer layer) => layer switch
    {
        Dense d => string.Join(" ", new[]
        {
            $"dense {d.Units} {d.Activation.ToString().ToLowerInvariant()}",
            d.KernelRegularizer?.ToString(),
            d.ActivityRegularizer is { } a ? $"activity {a}" : null,
            d.KernelConstraint is MaxNorm m ? $"max-norm {m.MaxValue.ToString(CultureInfo.InvariantCulture)}" : d.KernelConstraint?.GetType().Name,
        }.Where(s => s is not null)),
        Conv2D c => string.Join(" ", new[]
        {
            $"conv2d {c.Filters} {c.KernelSize.Height}×{c.KernelSize.Width}",
            c.Strides != (1, 1) ? $"stride {c.Strides.Height}×{c.Strides.Width}" : null,
            c.Padding == Padding.Same ? "same" : null,
            c.Activation == Activation.Linear ? null : c.Activation.ToString().ToLowerInvariant(),
            c.KernelRegularizer?.ToString(),
            c.ActivityRegularizer is { } a ? $"activity {a}" : null,
            c.KernelConstraint is MaxNorm m ? $"max-norm {m.MaxValue.ToString(CultureInfo.InvariantCulture)}" : c.KernelConstraint?.GetType().Name,
        }.Where(s => s is not null)),
        Pooling2D p => $"{(p is MaxPooling2D ? "max" : "average")}-pool {p.PoolSize.Height}×{p.PoolSize.Width}{(p.Padding == Padding.Same ? " same" : "")}",
        SpatialDropout2D sd => $"spatial dropout {sd.Rate.ToString(CultureInfo.InvariantCulture)}",
        Dropout dr => $"dropout {dr.Rate.ToString(CultureInfo.InvariantCulture)}",
        GaussianDropout g => $"gaussian dropout {g.Rate.ToString(CultureInfo.InvariantCulture)}",
        GaussianNoise n => $"gaussian noise {n.Stddev.ToString(CultureInfo.InvariantCulture)}",
        ActivationLayer a => a.Function.ToString().ToLowerInvariant(),
        _ => layer.Kind,
    };
}
