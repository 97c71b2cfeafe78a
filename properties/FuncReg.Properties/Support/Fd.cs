namespace FuncReg.Properties.Support;

/// <summary>Central finite differences in double and the tolerance used to compare them to analytic gradients.</summary>
internal static class Fd
{
    public const double Step = 1e-6;

    public const double Tolerance = 1e-5;

    /// <summary>∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every i; <paramref name="x"/> is restored.</summary>
    public static double[] Gradient(Func<double> f, double[] x, double h = Step)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double keep = x[i];
            x[i] = keep + h;
            double plus = f();
            x[i] = keep - h;
            double minus = f();
            x[i] = keep;
            g[i] = (plus - minus) / (2 * h);
        }
        return g;
    }

    /// <summary>Throws when some <c>|analytic − numeric| &gt; tol·(1 + |numeric|)</c>.</summary>
    public static void AssertClose(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric, string what, double tol = Tolerance)
    {
        if (analytic.Length != numeric.Length)
        {
            throw new InvalidOperationException($"{what}: {analytic.Length} analytic vs {numeric.Length} numeric entries");
        }
        for (int i = 0; i < analytic.Length; i++)
        {
            double a = analytic[i], n = numeric[i];
            if (!(Math.Abs(a - n) <= tol * (1 + Math.Abs(n))))
            {
                throw new InvalidOperationException($"{what}[{i}]: analytic {a:R} vs numeric {n:R} (|diff| {Math.Abs(a - n):E3})");
            }
        }
    }

    /// <summary>Throws when <c>|a − b| &gt; tol·(1 + |b|)</c>.</summary>
    public static void AssertClose(double a, double b, string what, double tol = Tolerance)
    {
        if (!(Math.Abs(a - b) <= tol * (1 + Math.Abs(b))))
        {
            throw new InvalidOperationException($"{what}: {a:R} vs {b:R} (|diff| {Math.Abs(a - b):E3})");
        }
    }

    /// <summary>Σ cᵢ·yᵢ: a random linear functional of an output, so one scalar probes the whole Jacobian.</summary>
    public static double Dot(ReadOnlySpan<double> c, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < c.Length; i++)
        {
            s += c[i] * y[i];
        }
        return s;
    }
}
