using System.Globalization;

namespace FuncReg.Cli.Report;

/// <summary>
/// Histogram of a model's kernel weights on a symmetric range shared by all techniques (<see cref="SharedRange"/>),
/// with an odd number of bins so one bin is centred on zero: L1's pile-up of exact and near zeros shows as a spike.
/// Weights beyond the range are counted in the outer bins.
/// </summary>
internal static class WeightHistogram
{
    public const int Bins = 41;

    /// <summary>Half-width of the common range: the largest 99.5th percentile of |w| over the techniques.</summary>
    public static double SharedRange(IReadOnlyList<TechniqueResult> results)
    {
        double range = 0;
        foreach (TechniqueResult r in results)
        {
            if (r.KernelWeights.Length == 0)
            {
                continue;
            }
            float[] abs = [.. r.KernelWeights.Select(Math.Abs)];
            Array.Sort(abs);
            range = Math.Max(range, abs[(int)(0.995 * (abs.Length - 1))]);
        }
        return range > 0 ? range : 1;
    }

    /// <summary>Counts per bin over [−range, range].</summary>
    public static int[] Count(float[] weights, double range)
    {
        var counts = new int[Bins];
        foreach (float w in weights)
        {
            int bin = (int)Math.Floor((w + range) / (2 * range) * Bins);
            counts[Math.Clamp(bin, 0, Bins - 1)]++;
        }
        return counts;
    }

    public static string Render(TechniqueResult r, double range, int width = 430, int height = 270)
    {
        int[] counts = Count(r.KernelWeights, range);
        int max = Math.Max(1, counts.Max());
        var frame = new PlotFrame("weight-chart", string.Create(CultureInfo.InvariantCulture, $"kernel weights: {r.NearZero:P1} with |w| < 1e-3"), width, height, new Axis.Range(-range, range), new Axis.Range(0, max * 1.05))
        {
            Subject = r.Name + ": ",
            XLabel = "weight value",
            YLabel = "count",
        };
        double bw = (frame.Right - frame.Left) / (double)Bins;
        for (int i = 0; i < Bins; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }
            double top = frame.Y.Map(counts[i]);
            string css = i == Bins / 2 ? "bar zero" : "bar";
            frame.Body.Append($"<rect class=\"{css}\" x=\"{Svg.N(frame.Left + (i * bw) + 0.5)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(bw - 1)}\" height=\"{Svg.N(frame.Bottom - top)}\"><title>{counts[i]}</title></rect>");
        }
        return frame.ToString();
    }
}
