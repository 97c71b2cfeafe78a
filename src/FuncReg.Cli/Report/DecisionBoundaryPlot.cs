using System.Globalization;
using System.Text;

namespace FuncReg.Cli.Report;

/// <summary>
/// A 2-D classifier's decision boundary: the class-1 probability grid drawn as coloured cells (blue for class 0,
/// red for class 1, paler towards p = ½, in <see cref="Levels"/> steps; equal neighbouring cells of a row merged
/// into one rectangle), the p = ½ boundary as darker cell edges, and the test points on top coloured by their true
/// label.
/// </summary>
internal static class DecisionBoundaryPlot
{
    /// <summary>Probability bands the colour scale is cut into.</summary>
    public const int Levels = 10;

    public static string Render(string name, ProbabilityGrid grid, float[] points, int[] labels, int size = 300)
    {
        var frame = new PlotFrame("boundary-chart", "decision boundary (test points)", size + 56 + 22, size + 26 + 38, new Axis.Range(grid.XMin, grid.XMax), new Axis.Range(grid.YMin, grid.YMax))
        {
            Subject = name + ": ",
            XLabel = "x₀",
            YLabel = "x₁",
            Grid = false,
        };
        int n = grid.Resolution;
        double cw = (frame.Right - frame.Left) / (double)n, ch = (frame.Bottom - frame.Top) / (double)n;
        StringBuilder b = frame.Body;
        for (int row = 0; row < n; row++)
        {
            double top = frame.Bottom - ((row + 1) * ch);
            int start = 0;
            for (int col = 1; col <= n; col++)
            {
                if (col < n && Level(grid.Probabilities[(row * n) + col]) == Level(grid.Probabilities[(row * n) + start]))
                {
                    continue;
                }
                string fill = Colour(Level(grid.Probabilities[(row * n) + start]));
                // cells overlap by a hair so no seams show between rows
                b.Append($"<rect x=\"{Svg.N(frame.Left + (start * cw))}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(((col - start) * cw) + 0.3)}\" height=\"{Svg.N(ch + 0.3)}\" fill=\"{fill}\"/>");
                start = col;
            }
        }
        for (int i = 0; i < labels.Length; i++)
        {
            double px = frame.X.Map(points[2 * i]), py = frame.Y.Map(points[(2 * i) + 1]);
            b.Append($"<circle class=\"point c{(labels[i] == 0 ? 0 : 1)}\" cx=\"{Svg.N(px)}\" cy=\"{Svg.N(py)}\" r=\"3.2\"/>");
        }
        return frame.ToString();
    }

    /// <summary>Band of a probability: 0 … <see cref="Levels"/> − 1.</summary>
    public static int Level(float p) => Math.Clamp((int)(p * Levels), 0, Levels - 1);

    /// <summary>Fill of a band: blue below ½, red above, saturation growing with the distance from ½.</summary>
    public static string Colour(int level)
    {
        double centre = (level + 0.5) / Levels;          // 0.05 … 0.95
        double strength = Math.Abs(centre - 0.5) * 2;     // 0.1 … 0.9
        (int r, int g, int bl) = centre < 0.5 ? (49, 104, 181) : (200, 58, 50);
        double t = 0.15 + (0.55 * strength);              // mix with white
        int Mix(int c) => (int)Math.Round(255 + ((c - 255) * t));
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(r):x2}{Mix(g):x2}{Mix(bl):x2}");
    }
}
