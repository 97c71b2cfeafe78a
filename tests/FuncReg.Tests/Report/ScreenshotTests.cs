using System.Diagnostics;
using FuncReg.Cli.Report;

namespace FuncReg.Tests.Report;

/// <summary>A fact skipped when no Chromium is installed (Debian: <c>apt-get install -y chromium</c>).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ScreenshotTests.Browser() is null)
        {
            Skip = "chromium is not installed (apt-get install -y chromium); scripts/screenshot-report.sh needs it.";
        }
    }
}

/// <summary>Runs <c>scripts/screenshot-report.sh</c> on a report: headless Chromium loads the page offline and saves a PNG.</summary>
public class ScreenshotTests
{
    internal static string? Browser() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(b => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, b)))
            .FirstOrDefault(File.Exists);

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "scripts", "screenshot-report.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("scripts/screenshot-report.sh not found above " + AppContext.BaseDirectory);
    }

    [ChromiumFact]
    public void Headless_chromium_renders_the_report_to_a_png()
    {
        string dir = Directory.CreateTempSubdirectory("funcreg-shot").FullName;
        try
        {
            string page = Path.Combine(dir, "report.html"), png = Path.Combine(dir, "report.png");
            HtmlReport.Write(
                new ComparisonReport("screenshot", "funcreg compare", [], [HtmlReportTests.Result("none", 50, boundary: true), HtmlReportTests.Result("l1", 50, boundary: true, zeroShare: 0.5f)], ([0.5f, 0.5f], [1])),
                page);
            using var process = Process.Start(new ProcessStartInfo("bash", [Script(), page, png]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "chromium did not finish within a minute");
            Assert.True(process.ExitCode == 0, stderr);
            byte[] bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 10_000, $"screenshot is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
