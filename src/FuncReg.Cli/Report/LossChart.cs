using System.Text;

namespace FuncReg.Cli.Report;

/// <summary>
/// A technique's training and validation loss per epoch (Keras's <c>loss</c> and <c>val_loss</c>: data loss plus
/// penalties), both series on one chart, with the best epoch marked. All charts of a report share their axes
/// (<see cref="SharedScale"/>) so techniques can be compared by eye; the y axis is log10 when the losses span more
/// than a factor of 20.
/// </summary>
internal static class LossChart
{
    /// <summary>Most points drawn per series; longer histories are thinned evenly (the last epoch always kept).</summary>
    public const int MaxPoints = 400;

    /// <summary>Axes common to all techniques' charts.</summary>
    public sealed record Scale(int Epochs, Axis.Range Loss, bool Log);

    public static Scale SharedScale(IReadOnlyList<TechniqueResult> results)
    {
        var values = results.SelectMany(r => r.Loss.Concat(r.ValLoss)).Where(v => double.IsFinite(v) && v > 0).ToList();
        int epochs = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.Loss.Length));
        if (values.Count == 0)
        {
            return new Scale(epochs, new Axis.Range(0, 1), false);
        }
        // a diverging validation loss should not squash everything else: cap the top at 4× the 95th percentile
        values.Sort();
        double lo = values[0], hi = Math.Min(values[^1], 4 * values[(int)(0.95 * (values.Count - 1))]);
        bool log = hi / lo > 20;
        return log ? new Scale(epochs, new Axis.Range(lo / 1.15, hi * 1.15), true) : new Scale(epochs, new Axis.Range(0, hi * 1.05), false);
    }

    public static string Render(TechniqueResult r, Scale scale, int width = 430, int height = 270)
    {
        var frame = new PlotFrame("loss-chart", "loss", width, height, new Axis.Range(1, Math.Max(2, scale.Epochs)), scale.Loss, scale.Log)
        {
            Subject = r.Name + ": ",
            XLabel = "epoch",
            YLabel = scale.Log ? "loss (log scale)" : "loss",
            Legend = [("train", "train"), ("val", "validation"), ("best", $"best {r.BestEpoch}")],
        };
        if (r.BestEpoch >= 1)
        {
            double bx = frame.X.Map(r.BestEpoch);
            frame.Body.Append($"<line class=\"best\" x1=\"{Svg.N(bx)}\" y1=\"{frame.Top}\" x2=\"{Svg.N(bx)}\" y2=\"{frame.Bottom}\"/>");
        }
        frame.Body.Append(Polyline("train", r.Loss, frame));
        frame.Body.Append(Polyline("val", r.ValLoss, frame));
        return frame.ToString();
    }

    private static string Polyline(string cssClass, double[] series, PlotFrame frame)
    {
        int n = series.Length;
        if (n == 0)
        {
            return "";
        }
        var s = new StringBuilder($"<polyline class=\"{cssClass}\" points=\"");
        int stride = Math.Max(1, (int)Math.Ceiling(n / (double)MaxPoints));
        bool any = false;
        for (int i = 0; i < n; i += stride)
        {
            any |= Point(s, i, series[i], frame);
        }
        if ((n - 1) % stride != 0)
        {
            any |= Point(s, n - 1, series[n - 1], frame);
        }
        s.Append("\"/>");
        return any ? s.ToString() : "";
    }

    private static bool Point(StringBuilder s, int epochIndex, double v, PlotFrame frame)
    {
        if (!double.IsFinite(v) || (frame.Y.Log && v <= 0))
        {
            return false;
        }
        s.Append(Svg.N(frame.X.Map(epochIndex + 1))).Append(',').Append(Svg.N(frame.Y.Map(v))).Append(' ');
        return true;
    }
}
