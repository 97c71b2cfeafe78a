namespace FuncReg.Properties.Support;

/// <summary>Runs one FsCheck property and throws (failing the xunit test) on a counterexample.</summary>
internal static class Run
{
    /// <summary>Checks <paramref name="property"/> on <paramref name="maxTest"/> generated cases.</summary>
    public static void Check(Property property, int maxTest = 100) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithMaxRejected(maxTest * 20), property);
}
