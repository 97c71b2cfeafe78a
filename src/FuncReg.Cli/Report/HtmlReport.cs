using System.Text;

namespace FuncReg.Cli.Report;

/// <summary>
/// The comparison as one self-contained HTML page: inline CSS and SVG only (no script, no fonts, no links), so it
/// opens offline and in a headless browser. Per technique a loss chart, a decision-boundary plot for 2-D data and a
/// kernel-weight histogram; then the table. Written atomically (<see cref="Write"/>).
/// </summary>
internal static class HtmlReport
{
    public static string Render(ComparisonReport report)
    {
        var s = new StringBuilder();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        s.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
        s.Append($"<title>FuncReg compare: {Svg.Escape(report.Title)}</title>\n<style>\n{Css}</style>\n</head>\n<body>\n");
        s.Append($"<h1>FuncReg — regularization compared</h1>\n<p class=\"setup\">{Svg.Escape(report.Title)}</p>\n");
        s.Append($"<p class=\"command\"><code>{Svg.Escape(report.Command)}</code></p>\n");
        foreach (string note in report.Notes)
        {
            s.Append($"<p class=\"note\">{Svg.Escape(note)}</p>\n");
        }
        s.Append("<h2>Results</h2>\n").Append(ResultsTable.Render(report.Results)).Append('\n');
        s.Append("<p class=\"legend-note\">gap = train − test accuracy; best epoch = the epoch with the lowest validation loss "
            + "(the weights kept when early stopping restored them); near-zero w = share of kernel weights with |w| &lt; 1e-3; "
            + "seconds = time in Fit. Highlighted: best test accuracy and smallest gap.</p>\n");
        s.Append("<h2>Per technique</h2>\n");
        s.Append("<p class=\"legend-note\">Loss = data loss + penalties (Keras's <code>loss</code> / <code>val_loss</code>); the training loss is "
            + "averaged over each epoch with dropout and augmentation on, the validation loss is measured after the epoch in inference mode. "
            + "All loss charts share their axes, and all histograms share their weight range.</p>\n");
        LossChart.Scale scale = LossChart.SharedScale(report.Results);
        double range = WeightHistogram.SharedRange(report.Results);
        foreach (TechniqueResult r in report.Results)
        {
            s.Append($"<section class=\"technique\" id=\"t-{Svg.Escape(r.Key)}\">\n<h3>{Svg.Escape(r.Name)}</h3>\n");
            s.Append($"<p class=\"summary\">train {Svg.F3(r.TrainAccuracy)} · val {Svg.F3(r.ValAccuracy)} · test {Svg.F3(r.TestAccuracy)} · gap {Svg.F3(r.Gap)} · {r.EpochsRun} epochs</p>\n");
            s.Append("<div class=\"charts\">\n");
            s.Append("<figure>").Append(LossChart.Render(r, scale)).Append("</figure>\n");
            if (r.Boundary is { } grid && report.TestPoints is { } test)
            {
                s.Append("<figure>").Append(DecisionBoundaryPlot.Render(r.Name, grid, test.Points, test.Labels)).Append("</figure>\n");
            }
            s.Append("<figure>").Append(WeightHistogram.Render(r, range)).Append("</figure>\n");
            s.Append("</div>\n</section>\n");
        }
        s.Append("<footer>Written by <code>funcreg compare</code>. Self-contained: inline SVG and CSS, no scripts, no network.</footer>\n");
        s.Append("</body>\n</html>\n");
        return s.ToString();
    }

    /// <summary>Writes the page to a temporary file beside <paramref name="path"/>, then moves it over: readers never see half a page.</summary>
    public static void Write(ComparisonReport report, string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temp, Render(report), new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private const string Css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d2330; background: #fff; margin: 24px 32px; max-width: 1360px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d8dce4; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 0 0 2px; }
        p { margin: 4px 0; }
        .setup { font-weight: 600; }
        .note, .legend-note, .summary { color: #4a5264; }
        code { font: 12.5px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f1f3f7; padding: 1px 4px; border-radius: 3px; }
        table.results { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
        table.results th, table.results td { border: 1px solid #d8dce4; padding: 4px 10px; text-align: right; }
        table.results th { background: #f1f3f7; font-weight: 600; }
        table.results td.name { text-align: left; font-weight: 600; }
        table.results td.best-cell { background: #e3f4e3; font-weight: 600; }
        section.technique { margin: 18px 0 8px; padding-top: 10px; border-top: 1px solid #eceff4; }
        .charts { display: flex; flex-wrap: wrap; gap: 14px; }
        figure { margin: 0; }
        svg { display: block; background: #fff; }
        svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #1d2330; }
        svg .chart-title { font-size: 12px; font-weight: 600; }
        svg .tick-label, svg .legend { fill: #4a5264; }
        svg .frame { fill: none; stroke: #8a93a6; stroke-width: 1; }
        svg .grid { stroke: #eceff4; stroke-width: 1; }
        svg .tick { stroke: #8a93a6; }
        svg polyline { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
        svg .train { stroke: #2f6db5; fill: none; stroke-width: 1.8; }
        svg .val { stroke: #e07b00; fill: none; stroke-width: 1.8; stroke-dasharray: 5 3; }
        svg .best { stroke: #5b6170; stroke-width: 1; stroke-dasharray: 2 3; }
        svg .bar { fill: #6d8fc4; }
        svg .bar.zero { fill: #c8453a; }
        svg .point { stroke: #1d2330; stroke-width: 0.8; }
        svg .point.c0 { fill: #2f6db5; }
        svg .point.c1 { fill: #d23a2e; }
        footer { margin: 28px 0 8px; color: #7a8294; font-size: 12px; }

        """;
}
