using System.Globalization;
using Spectre.Console;

namespace FuncReg.Cli.Commands;

/// <summary>
/// Shows training progress: a Spectre.Console progress bar (epoch, loss, val_loss, ETA) when the output is an
/// interactive terminal, else one plain line per epoch.
/// </summary>
internal sealed class TrainingView(IAnsiConsole console, int logEvery) : IProgress<TrainingProgress>
{
    private ProgressTask? task;

    /// <summary>Whether to draw a live progress bar: stdout is a terminal and the console is interactive.</summary>
    public static bool Interactive(IAnsiConsole console) => !Console.IsOutputRedirected && console.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/> under a progress bar or with plain lines.</summary>
    public T Run<T>(bool interactive, Func<T> train)
    {
        if (!interactive)
        {
            return train();
        }
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                task = ctx.AddTask("starting", maxValue: 1);
                return train();
            });
    }

    public void Report(TrainingProgress value)
    {
        if (task is not null)
        {
            task.MaxValue = (double)value.Epochs * value.Batches;
            task.Value = ((double)value.Epoch * value.Batches) + value.Batch;
            string val = value.Log?.ValLoss is { } v ? $"  val_loss {v:F4}" : "";
            task.Description = Markup.Escape($"epoch {value.Epoch + 1}/{value.Epochs}  loss {value.Loss:F4}{val}");
            return;
        }
        if (value.Log is { } log && ((log.Epoch + 1) % logEvery == 0 || log.Epoch + 1 == value.Epochs))
        {
            console.WriteLine(Line(log, value.Epochs));
        }
    }

    /// <summary><c>epoch 3/10  loss 0.4123  accuracy 0.8120  val_loss …  lr 0.001  0.21 s</c>.</summary>
    public static string Line(EpochLog log, int epochs)
    {
        var parts = new List<string> { $"epoch {log.Epoch + 1}/{epochs}", $"loss {F(log.Loss)}" };
        if (log.Accuracy is { } a)
        {
            parts.Add($"accuracy {F(a)}");
        }
        if (log.ValLoss is { } vl)
        {
            parts.Add($"val_loss {F(vl)}");
        }
        if (log.ValAccuracy is { } va)
        {
            parts.Add($"val_accuracy {F(va)}");
        }
        parts.Add($"lr {log.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}");
        parts.Add($"{log.Seconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        return string.Join("  ", parts);
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
