using System.Globalization;
using System.Xml.Linq;
using FuncReg.Cli.Report;

namespace FuncReg.Tests.Report;

/// <summary>The report page: well-formed, one chart of each kind per technique, nothing fetched from anywhere.</summary>
public class HtmlReportTests
{
    internal static TechniqueResult Result(string key, int epochs, bool boundary, float zeroShare = 0)
    {
        var rng = new Random(key.Length);
        float[] weights = [.. Enumerable.Range(0, 400).Select(i => i < zeroShare * 400 ? 0f : (float)(rng.NextDouble() - 0.5))];
        return new TechniqueResult
        {
            Key = key,
            Name = $"{key} <&> λ",
            TrainAccuracy = 0.95,
            ValAccuracy = 0.9,
            TestAccuracy = 0.85,
            BestEpoch = Math.Max(1, epochs / 2),
            EpochsRun = epochs,
            NearZero = zeroShare,
            Seconds = 1.25,
            Loss = [.. Enumerable.Range(0, epochs).Select(e => 1.0 / (e + 1))],
            ValLoss = [.. Enumerable.Range(0, epochs).Select(e => e == 3 ? double.NaN : 0.5 + (0.01 * e))],
            KernelWeights = weights,
            Boundary = boundary ? ProbabilityGrid.Sample(p => [.. Enumerable.Range(0, p.Length / 2).Select(i => p[2 * i] > 0 ? 0.9f : 0.1f)], (-1, 1), (-1, 1), 20) : null,
        };
    }

    private static ComparisonReport Sample(bool twoD) => new(
        "test: title",
        "funcreg compare --epochs 7",
        ["a note"],
        [Result("none", 700, twoD), Result("l1", 7, twoD, zeroShare: 0.6f), Result("early-stopping", 3, twoD)],
        twoD ? ([0.5f, 0.5f, -0.5f, -0.5f], [1, 0]) : null);

    private static XDocument Parse(string html) => XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Page_is_well_formed_with_one_chart_of_each_kind_per_technique(bool twoD)
    {
        string html = HtmlReport.Render(Sample(twoD));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        XDocument doc = Parse(html);
        var svgs = doc.Descendants("svg").ToList();
        int Count(string cls) => svgs.Count(s => (string?)s.Attribute("class") == cls);
        Assert.Equal(3, Count("loss-chart"));
        Assert.Equal(twoD ? 3 : 0, Count("boundary-chart"));
        Assert.Equal(3, Count("weight-chart"));
        Assert.Equal(3, doc.Descendants("section").Count());
        // every loss chart has both series
        foreach (XElement chart in svgs.Where(s => (string?)s.Attribute("class") == "loss-chart"))
        {
            Assert.Equal(["train", "val"], chart.Elements("polyline").Select(p => (string?)p.Attribute("class")));
            Assert.Contains(chart.Descendants("text"), t => t.Value == "epoch");
        }
        // the table: a header row and one row per technique, the names escaped and intact
        XElement table = Assert.Single(doc.Descendants("table"));
        Assert.Equal(ResultsTable.Headers, table.Descendants("th").Select(th => th.Value));
        Assert.Equal(["none <&> λ", "l1 <&> λ", "early-stopping <&> λ"], table.Descendants("tbody").Elements("tr").Select(tr => tr.Elements("td").First().Value));
    }

    [Fact]
    public void Page_is_self_contained()
    {
        string html = HtmlReport.Render(Sample(twoD: true));
        XDocument doc = Parse(html);
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe" or "object" or "image" or "use");
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href");
        Assert.Single(doc.Descendants("style"));
    }

    [Fact]
    public void Numbers_are_invariant_whatever_the_culture()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone(); // de-DE-like numbers (tests may run in invariant-globalization mode)
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            XDocument doc = Parse(HtmlReport.Render(Sample(twoD: true)));
            foreach (XElement line in doc.Descendants("polyline"))
            {
                foreach (string point in ((string)line.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] xy = point.Split(',');
                    Assert.Equal(2, xy.Length);
                    Assert.True(double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _), point);
                    Assert.True(double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _), point);
                }
            }
            Assert.Contains("0.950", doc.Descendants("td").Select(td => td.Value));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Long_histories_are_thinned_and_missing_values_skipped()
    {
        XDocument doc = Parse(HtmlReport.Render(Sample(twoD: false)));
        XElement first = doc.Descendants("svg").First(s => (string?)s.Attribute("class") == "loss-chart");
        foreach (XElement line in first.Elements("polyline"))
        {
            int points = ((string)line.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(points, 2, LossChart.MaxPoints + 1);
        }
        XElement third = doc.Descendants("svg").Last(s => (string?)s.Attribute("class") == "loss-chart");
        XElement val = third.Elements("polyline").Single(p => (string?)p.Attribute("class") == "val");
        Assert.Equal(3, ((string)val.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length); // epoch 3's NaN is not drawn, 3 epochs only
    }

    [Fact]
    public void Histogram_has_a_zero_bin_that_shows_the_spike()
    {
        float[] weights = [0, 0, 0, 5e-4f, -5e-4f, 0.99f, -0.99f, 2f];
        int[] counts = WeightHistogram.Count(weights, range: 1);
        Assert.Equal(WeightHistogram.Bins, counts.Length);
        Assert.Equal(5, counts[WeightHistogram.Bins / 2]);
        Assert.Equal(2, counts[^1]); // 0.99 and the clipped 2
        Assert.Equal(1, counts[0]);
        Assert.Equal(weights.Length, counts.Sum());
    }

    [Fact]
    public void Write_is_atomic_and_leaves_only_the_page()
    {
        string dir = Directory.CreateTempSubdirectory("funcreg-report").FullName;
        try
        {
            string path = Path.Combine(dir, "report.html");
            File.WriteAllText(path, "old");
            HtmlReport.Write(Sample(twoD: true), path);
            Assert.Equal(HtmlReport.Render(Sample(twoD: true)), File.ReadAllText(path));
            Assert.Equal(["report.html"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1.3, 2)]
    [InlineData(3, 5)]
    [InlineData(0.031, 0.05)]
    [InlineData(4000, 5000)]
    public void Nice_steps_are_1_2_5_times_a_power_of_ten(double raw, double expected) =>
        Assert.Equal(expected, Axis.NiceStep(raw), 9);

    [Fact]
    public void Axes_map_into_pixels_and_tick_inside()
    {
        var linear = new Axis(0, 10, 100, 200);
        Assert.Equal(150, linear.Map(5), 9);
        Assert.Equal(200, linear.Map(99), 9); // clamped
        Assert.All(linear.Ticks(), t => Assert.InRange(t, 0, 10));
        var log = new Axis(0.01, 10, 300, 0, log: true);
        Assert.Equal(150, log.Map(Math.Sqrt(0.1)), 6);
        Assert.Equal([0.01, 0.1, 1, 10], log.Ticks());
    }

    [Fact]
    public void Boundary_colours_are_blue_below_one_half_and_red_above()
    {
        Assert.Equal(0, DecisionBoundaryPlot.Level(0f));
        Assert.Equal(DecisionBoundaryPlot.Levels - 1, DecisionBoundaryPlot.Level(1f));
        string low = DecisionBoundaryPlot.Colour(0), high = DecisionBoundaryPlot.Colour(DecisionBoundaryPlot.Levels - 1);
        Assert.True(Convert.ToInt32(low[5..7], 16) > Convert.ToInt32(low[1..3], 16)); // more blue than red
        Assert.True(Convert.ToInt32(high[1..3], 16) > Convert.ToInt32(high[5..7], 16));
    }
}
