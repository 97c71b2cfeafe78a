using System.Text;

namespace FuncReg.Cli.Report;

/// <summary>
/// One SVG chart: a plot area with margins, x and y <see cref="Axis"/>es, grid lines, tick labels, axis titles and a
/// title; callers add their marks to <see cref="Body"/> inside the plot area, then call <see cref="ToString"/>.
/// </summary>
internal sealed class PlotFrame
{
    private readonly StringBuilder body = new();
    private readonly string cssClass;
    private readonly string title;

    public PlotFrame(string cssClass, string title, int width, int height, Axis.Range x, Axis.Range y, bool logY = false, int left = 56, int bottom = 38)
    {
        this.cssClass = cssClass;
        this.title = title;
        Width = width;
        Height = height;
        Left = left;
        Top = 26;
        Right = width - 22;
        Bottom = height - bottom;
        X = new Axis(x.Min, x.Max, Left, Right);
        Y = new Axis(y.Min, y.Max, Bottom, Top, logY);
    }

    public int Width { get; }

    public int Height { get; }

    public int Left { get; }

    public int Top { get; }

    public int Right { get; }

    public int Bottom { get; }

    public Axis X { get; }

    public Axis Y { get; }

    /// <summary>Marks drawn inside the plot area (clipped to it by the caller's choice of values).</summary>
    public StringBuilder Body => body;

    /// <summary>What the chart is about (the technique), prefixed to the title in its accessible name and tooltip.</summary>
    public string Subject { get; init; } = "";

    public string XLabel { get; init; } = "";

    public string YLabel { get; init; } = "";

    /// <summary>Draw vertical and horizontal grid lines at the ticks.</summary>
    public bool Grid { get; init; } = true;

    /// <summary>Legend entries (css class of the swatch line, label), drawn at the top right.</summary>
    public IReadOnlyList<(string Class, string Label)> Legend { get; init; } = [];

    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append($"<svg class=\"{cssClass}\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Svg.Escape(Subject + title)}\">");
        s.Append($"<title>{Svg.Escape(Subject + title)}</title>");
        s.Append($"<text class=\"chart-title\" x=\"{Left}\" y=\"16\">{Svg.Escape(title)}</text>");
        foreach (double t in X.Ticks())
        {
            double px = X.Map(t);
            if (Grid)
            {
                s.Append($"<line class=\"grid\" x1=\"{Svg.N(px)}\" y1=\"{Top}\" x2=\"{Svg.N(px)}\" y2=\"{Bottom}\"/>");
            }
            s.Append($"<line class=\"tick\" x1=\"{Svg.N(px)}\" y1=\"{Bottom}\" x2=\"{Svg.N(px)}\" y2=\"{Bottom + 4}\"/>");
            s.Append($"<text class=\"tick-label\" x=\"{Svg.N(px)}\" y=\"{Bottom + 15}\" text-anchor=\"middle\">{Svg.Label(t)}</text>");
        }
        foreach (double t in Y.Ticks())
        {
            double py = Y.Map(t);
            if (Grid)
            {
                s.Append($"<line class=\"grid\" x1=\"{Left}\" y1=\"{Svg.N(py)}\" x2=\"{Right}\" y2=\"{Svg.N(py)}\"/>");
            }
            s.Append($"<line class=\"tick\" x1=\"{Left - 4}\" y1=\"{Svg.N(py)}\" x2=\"{Left}\" y2=\"{Svg.N(py)}\"/>");
            s.Append($"<text class=\"tick-label\" x=\"{Left - 6}\" y=\"{Svg.N(py + 4)}\" text-anchor=\"end\">{Svg.Label(t)}</text>");
        }
        s.Append(body);
        s.Append($"<rect class=\"frame\" x=\"{Left}\" y=\"{Top}\" width=\"{Right - Left}\" height=\"{Bottom - Top}\"/>");
        s.Append($"<text class=\"axis-label\" x=\"{Svg.N((Left + Right) / 2.0)}\" y=\"{Height - 4}\" text-anchor=\"middle\">{Svg.Escape(XLabel)}</text>");
        double my = (Top + Bottom) / 2.0;
        s.Append($"<text class=\"axis-label\" x=\"12\" y=\"{Svg.N(my)}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Svg.N(my)})\">{Svg.Escape(YLabel)}</text>");
        // legend on the title line, right-aligned, outside the plot area so it never hides a curve
        double lx = Right;
        for (int i = Legend.Count - 1; i >= 0; i--)
        {
            lx -= 26 + (Legend[i].Label.Length * 6.2);
            s.Append($"<line class=\"{Legend[i].Class}\" x1=\"{Svg.N(lx)}\" y1=\"12\" x2=\"{Svg.N(lx + 18)}\" y2=\"12\"/>");
            s.Append($"<text class=\"legend\" x=\"{Svg.N(lx + 22)}\" y=\"16\">{Svg.Escape(Legend[i].Label)}</text>");
        }
        s.Append("</svg>");
        return s.ToString();
    }
}
