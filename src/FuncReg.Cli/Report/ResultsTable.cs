using System.Globalization;
using System.Text;

namespace FuncReg.Cli.Report;

/// <summary>The comparison table, as the console prints it, in HTML: the smallest gap and the best test accuracy are highlighted.</summary>
internal static class ResultsTable
{
    public static readonly IReadOnlyList<string> Headers =
        ["technique", "train acc", "val acc", "test acc", "gap", "best epoch", "epochs", "near-zero w", "seconds"];

    /// <summary>One row of cells, shared by the console table and the HTML one.</summary>
    public static string[] Cells(TechniqueResult r) =>
    [
        r.Name,
        Svg.F3(r.TrainAccuracy),
        Svg.F3(r.ValAccuracy),
        Svg.F3(r.TestAccuracy),
        Svg.F3(r.Gap),
        r.BestEpoch.ToString(CultureInfo.InvariantCulture),
        r.EpochsRun.ToString(CultureInfo.InvariantCulture),
        Svg.F3(r.NearZero),
        r.Seconds.ToString("F1", CultureInfo.InvariantCulture),
    ];

    public static string Render(IReadOnlyList<TechniqueResult> results)
    {
        var s = new StringBuilder("<table class=\"results\"><thead><tr>");
        foreach (string h in Headers)
        {
            s.Append($"<th>{Svg.Escape(h)}</th>");
        }
        s.Append("</tr></thead><tbody>");
        double bestTest = results.Count == 0 ? double.NaN : results.Max(r => r.TestAccuracy);
        double smallestGap = results.Count == 0 ? double.NaN : results.Min(r => Math.Abs(r.Gap));
        foreach (TechniqueResult r in results)
        {
            string[] cells = Cells(r);
            s.Append("<tr>");
            for (int i = 0; i < cells.Length; i++)
            {
                bool mark = (i == 3 && r.TestAccuracy == bestTest) || (i == 4 && Math.Abs(r.Gap) == smallestGap);
                string css = i == 0 ? " class=\"name\"" : mark ? " class=\"best-cell\"" : "";
                s.Append($"<td{css}>{Svg.Escape(cells[i])}</td>");
            }
            s.Append("</tr>");
        }
        s.Append("</tbody></table>");
        return s.ToString();
    }
}
