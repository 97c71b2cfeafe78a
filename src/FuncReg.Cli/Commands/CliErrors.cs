using System.Globalization;

namespace FuncReg.Cli.Commands;

/// <summary>
/// The CLI's one catch-all: every exception of a command becomes one line on stderr and an exit code, never a stack
/// trace. Exit codes: 0 success, 2 a failure the user can fix (bad option, malformed or missing file, data that does
/// not fit the model, a diverged training, a file that cannot be written, a model too large for memory), 70 an
/// internal error (a bug: the line names the exception type; <c>FUNCREG_DEBUG=1</c> prints the stack trace too),
/// 130 interrupted by Ctrl-C.
/// </summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    /// <summary>An exception no input should cause (EX_SOFTWARE of sysexits.h).</summary>
    public const int Internal = 70;

    /// <summary>The exit code of <c>train</c> after Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            return Report(e, Console.Error);
        }
    }

    /// <summary>Writes the one-line error of <paramref name="e"/> to <paramref name="error"/> and returns the exit code.</summary>
    public static int Report(Exception e, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(error);
        if (IsUserError(e))
        {
            error.WriteLine($"error: {OneLine(Describe(e))}");
            return BadInput;
        }
        error.WriteLine($"internal error: {e.GetType().FullName}: {OneLine(e.Message)} (a bug in funcreg; please report it with the command line{(Debug ? "" : "; FUNCREG_DEBUG=1 shows the stack trace")})");
        if (Debug)
        {
            error.WriteLine(e.ToString());
        }
        return Internal;
    }

    /// <summary>Exceptions that mean "change the input": the library's typed errors and the environment's refusals.</summary>
    internal static bool IsUserError(Exception e) => e is UsageException or ModelFileException or DataFormatException or CheckpointFormatException
        or FileNotFoundException or DirectoryNotFoundException or ArgumentException or NonFiniteLossException or NonFiniteStateException
        or IOException or UnauthorizedAccessException or OutOfMemoryException;

    private static bool Debug => Environment.GetEnvironmentVariable("FUNCREG_DEBUG") is "1" or "true";

    private static string Describe(Exception e) => e switch
    {
        OutOfMemoryException => "out of memory: the model or the data set is too large for this machine (fewer units or filters, a smaller --batch-size or --subset).",
        UnauthorizedAccessException or IOException and not FileNotFoundException and not DirectoryNotFoundException => $"{Clean(e)} (check the path, its permissions and the free disk space).",
        _ => Clean(e),
    };

    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

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
