namespace FuncReg.Properties.Support;

/// <summary>Runs one FsCheck property and throws (failing the xunit test) on a counterexample.</summary>
internal static class Run
{
    /// <summary>Multiplier of every property's case count, from FUNCREG_PROPERTY_SCALE (default 1) for longer soak runs.</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("FUNCREG_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;

    /// <summary>Checks <paramref name="property"/> on <paramref name="maxTest"/> generated cases (times the scale).</summary>
    public static void Check(Property property, int maxTest = 100) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale).WithMaxRejected(maxTest * Scale * 20), property);
}
