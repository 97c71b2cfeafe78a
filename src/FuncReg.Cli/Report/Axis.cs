namespace FuncReg.Cli.Report;

/// <summary>
/// Maps data values on [<see cref="Min"/>, <see cref="Max"/>] to pixels on [from, to] (linear or log10) and
/// chooses "nice" ticks: 1, 2 or 5 × 10ᵏ steps, or decades on a log axis.
/// </summary>
internal sealed class Axis
{
    private readonly double from;
    private readonly double to;

    public Axis(double min, double max, double from, double to, bool log = false)
    {
        if (log && !(min > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(min), min, "a log axis needs a positive minimum");
        }
        if (!(max > min))
        {
            double pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = log ? (min / 2, min * 2) : (min - pad, max + pad);
        }
        Min = min;
        Max = max;
        this.from = from;
        this.to = to;
        Log = log;
    }

    /// <summary>A data interval.</summary>
    public readonly record struct Range(double Min, double Max);

    public double Min { get; }

    public double Max { get; }

    public bool Log { get; }

    /// <summary>Pixel position of <paramref name="v"/> (clamped to the axis).</summary>
    public double Map(double v)
    {
        v = Math.Clamp(v, Min, Max);
        double t = Log ? (Math.Log10(v) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) : (v - Min) / (Max - Min);
        return from + (t * (to - from));
    }

    /// <summary>Tick values inside the axis, about <paramref name="target"/> of them.</summary>
    public IReadOnlyList<double> Ticks(int target = 5)
    {
        if (Log)
        {
            var decades = new List<double>();
            for (int k = (int)Math.Floor(Math.Log10(Min)); k <= (int)Math.Ceiling(Math.Log10(Max)); k++)
            {
                foreach (double m in new[] { 1.0, 2.0, 5.0 })
                {
                    double v = m * Math.Pow(10, k);
                    if (v >= Min * (1 - 1e-9) && v <= Max * (1 + 1e-9))
                    {
                        decades.Add(v);
                    }
                }
            }
            var ones = decades.Where(v => Math.Abs(Math.Log10(v) - Math.Round(Math.Log10(v))) < 1e-9).ToList();
            return ones.Count >= 3 ? ones : decades;
        }
        double step = NiceStep((Max - Min) / target);
        var ticks = new List<double>();
        for (double v = Math.Ceiling(Min / step) * step; v <= Max + (step * 1e-9); v += step)
        {
            ticks.Add(Math.Abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks;
    }

    /// <summary>The 1, 2 or 5 × 10ᵏ closest above <paramref name="raw"/>.</summary>
    public static double NiceStep(double raw)
    {
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }
}
