using System.Globalization;
using System.Reflection;

namespace FuncReg;

/// <summary>
/// Built-in data sets, embedded in the library so the first run needs nothing else.
/// </summary>
public static class Datasets
{
    /// <summary>
    /// The 2-D "football" set of the deeplearning.ai regularization assignment (originally Andrew Ng's
    /// Coursera ML ex6 data set 3): 211 training and 200 test points in about [−0.8, 0.6]², label 1 = blue.
    /// The standard set for comparing no regularization, L2 (λ = 0.7) and dropout (keep 0.86) on a
    /// [2, 20, 3, 1] ReLU/ReLU/sigmoid network.
    /// </summary>
    public static (Dataset Train, Dataset Test) Football2D() => (LoadCsv("football2d-train.csv"), LoadCsv("football2d-test.csv"));

    private static Dataset LoadCsv(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"FuncReg.Data.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the FuncReg assembly");
        using var reader = new StreamReader(stream);
        _ = reader.ReadLine();
        var features = new List<float>();
        var labels = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            string[] cells = line.Split(',');
            features.Add(float.Parse(cells[0], CultureInfo.InvariantCulture));
            features.Add(float.Parse(cells[1], CultureInfo.InvariantCulture));
            labels.Add(int.Parse(cells[2], CultureInfo.InvariantCulture));
        }
        return Dataset.From([.. features], [.. labels], [2]);
    }
}
