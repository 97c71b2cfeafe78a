namespace FuncReg.Properties.Gens;

/// <summary>Numbers, vectors and shapes: bounded, finite, optionally kept away from zero (kinks).</summary>
internal static class TensorGens
{
    private const int Resolution = 1_000_000;

    /// <summary>Uniform on [lo, hi] with 10⁶ steps.</summary>
    public static Gen<double> Uniform(double lo, double hi) =>
        Gen.Choose(0, Resolution).Select(i => lo + ((hi - lo) * i / Resolution));

    /// <summary>±[min, max]: magnitude uniform, sign fair — never within <paramref name="min"/> of zero.</summary>
    public static Gen<double> AwayFromZero(double min, double max) =>
        Uniform(min, max).Zip(Gen.Elements(-1.0, 1.0), (m, s) => m * s);

    /// <summary>A vector of <paramref name="length"/> values from <paramref name="element"/>.</summary>
    public static Gen<double[]> Vector(int length, Gen<double> element) => element.ArrayOf(length);

    /// <summary>A vector of values in [−scale, scale].</summary>
    public static Gen<double[]> Values(int length, double scale = 2.0) => Uniform(-scale, scale).ArrayOf(length);

    /// <summary>A vector with every entry in ±[min, max].</summary>
    public static Gen<double[]> AwayFromZero(int length, double min, double max) => AwayFromZero(min, max).ArrayOf(length);

    /// <summary>A row of <paramref name="classes"/> non-negative target weights (a soft, not necessarily normalized, distribution).</summary>
    public static Gen<double[]> SoftRow(int classes) => Uniform(0, 1).ArrayOf(classes);

    /// <summary>A seed for the counter-based generator.</summary>
    public static Gen<long> Seed => Gen.Choose(0, int.MaxValue).Select(i => (long)i);
}
