namespace FuncReg.Cli.Report;

/// <summary>
/// A model's class-1 probability sampled on a <see cref="Resolution"/> × <see cref="Resolution"/> grid of cell
/// centres over [<see cref="XMin"/>, <see cref="XMax"/>] × [<see cref="YMin"/>, <see cref="YMax"/>]; row 0 is the
/// lowest y.
/// </summary>
internal sealed record ProbabilityGrid(double XMin, double XMax, double YMin, double YMax, int Resolution, float[] Probabilities)
{
    /// <summary>Evaluates <paramref name="predict"/> (2 features per sample in, one probability per sample out) on the grid.</summary>
    public static ProbabilityGrid Sample(Func<float[], float[]> predict, (double Min, double Max) x, (double Min, double Max) y, int resolution)
    {
        var points = new float[resolution * resolution * 2];
        for (int row = 0; row < resolution; row++)
        {
            for (int col = 0; col < resolution; col++)
            {
                int i = (row * resolution) + col;
                points[2 * i] = (float)(x.Min + ((col + 0.5) * (x.Max - x.Min) / resolution));
                points[(2 * i) + 1] = (float)(y.Min + ((row + 0.5) * (y.Max - y.Min) / resolution));
            }
        }
        float[] p = predict(points);
        if (p.Length != resolution * resolution)
        {
            throw new ArgumentException($"expected {resolution * resolution} probabilities, got {p.Length}", nameof(predict));
        }
        return new ProbabilityGrid(x.Min, x.Max, y.Min, y.Max, resolution, p);
    }

    /// <summary>The range of <paramref name="values"/> widened by <paramref name="margin"/> of its width on each side.</summary>
    public static (double Min, double Max) Padded(IEnumerable<float> values, double margin = 0.08)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (float v in values)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        double pad = Math.Max(hi - lo, 1e-6) * margin;
        return (lo - pad, hi + pad);
    }
}
