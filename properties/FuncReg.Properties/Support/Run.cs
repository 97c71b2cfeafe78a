namespace FuncReg.Properties.Support;

/// <summary>Runs one FsCheck property and throws (failing the xunit test) on a counterexample.</summary>
internal static class Run
{
    /// <summary>Multiplier of every property's case count, from FUNCREG_PROPERTY_SCALE (default 1) for longer soak runs.</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("FUNCREG_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;

    /// <summary>FUNCREG_PROPERTY_RANDOM=1 runs even pinned properties on fresh random seeds (for soak runs).</summary>
    private static readonly bool Unpinned = Environment.GetEnvironmentVariable("FUNCREG_PROPERTY_RANDOM") == "1";

    /// <summary>Checks <paramref name="property"/> on <paramref name="maxTest"/> generated cases (times the scale).</summary>
    public static void Check(Property property, int maxTest = 100) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale).WithMaxRejected(maxTest * Scale * 20), property);

    /// <summary>
    /// Like <see cref="Check(Property, int)"/> but from a fixed FsCheck seed, so CI sees the same cases every run:
    /// for properties whose tolerance is statistical (float rounding of two engines) and fails on rare
    /// cases by rounding alone. FUNCREG_PROPERTY_RANDOM=1 explores fresh seeds instead.
    /// </summary>
    public static void CheckPinned(Property property, int maxTest, ulong seed, ulong gamma)
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale).WithMaxRejected(maxTest * Scale * 20);
        FsCheck.Check.One(Unpinned ? config : config.WithReplay(seed, gamma | 1), property);
    }
}
