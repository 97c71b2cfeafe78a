using System.Globalization;
using System.Net;

namespace FuncReg.Cli.Report;

/// <summary>Formatting shared by the report's SVG and HTML: invariant numbers and escaped text.</summary>
internal static class Svg
{
    /// <summary>A coordinate with at most two decimals, invariant culture.</summary>
    public static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Text safe inside an element or a quoted attribute (HTML and XML alike).</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A tick or value label: short, invariant (0.001, 0.25, 1e-05, 1500).</summary>
    public static string Label(double v)
    {
        if (v == 0)
        {
            return "0";
        }
        double a = Math.Abs(v);
        return a is >= 1e-3 and < 1e6
            ? v.ToString("0.####", CultureInfo.InvariantCulture)
            : v.ToString("0.#e+0", CultureInfo.InvariantCulture);
    }

    /// <summary>An accuracy-style value with three decimals.</summary>
    public static string F3(double v) => double.IsNaN(v) ? "—" : v.ToString("F3", CultureInfo.InvariantCulture);
}
