namespace FuncReg.Cli.Report;

/// <summary>Everything <see cref="HtmlReport"/> renders: the setup, each technique's result and, for 2-D data, the test points.</summary>
/// <param name="Title">One line naming the data, network, optimizer, epochs and seed.</param>
/// <param name="Command">The command line that produced the comparison.</param>
/// <param name="Notes">Sentences explaining the setup (data sizes, split, what the columns mean).</param>
/// <param name="Results">One per technique, in table order.</param>
/// <param name="TestPoints">2-D test points (x₀, x₁ interleaved) and their labels, drawn over the decision boundaries; null otherwise.</param>
internal sealed record ComparisonReport(
    string Title,
    string Command,
    IReadOnlyList<string> Notes,
    IReadOnlyList<TechniqueResult> Results,
    (float[] Points, int[] Labels)? TestPoints = null);
