using System.Globalization;
using CsvHelper;

namespace FuncReg;

/// <summary>What the label column of a CSV file holds.</summary>
public enum CsvLabelKind
{
    /// <summary>Integer class labels ≥ 0 (a <see cref="Dataset"/> with labels).</summary>
    Class,

    /// <summary>A real value per sample (a <see cref="Dataset"/> with one float target, for regression).</summary>
    Value,
}

/// <summary>
/// Loader of numeric CSV files (parsed with CsvHelper, invariant culture, comma-separated, RFC 4180 quoting):
/// a header row, one label column chosen by name or zero-based index, every other column a numeric feature,
/// in file order. The result has sample shape [features].
/// <para>
/// The file must be UTF-8 (a byte order mark is skipped; UTF-16 with a byte order mark is transcoded) without NUL
/// bytes; quotes must be balanced (RFC 4180: a quoted cell ends with a quote followed by a separator or line end).
/// Every cell must parse as a finite number (NaN, ∞, numbers beyond ±3.4e38, empty or text cells are rejected; impute
/// before loading); every row must have as many cells as the header; class labels must be integers 0 … 2³¹−1. A
/// violation throws <see cref="DataFormatException"/> naming the file, the one-based line (or byte offset), the column
/// and what was expected; a missing file throws <see cref="FileNotFoundException"/>. The whole file is read and checked
/// before the data set is built.
/// </para>
/// </summary>
public static class CsvData
{
    /// <summary>Loads <paramref name="path"/> with the label in the column headed <paramref name="labelColumn"/> (exact, case-sensitive).</summary>
    public static Dataset Load(string path, string labelColumn, CsvLabelKind kind = CsvLabelKind.Class)
    {
        ArgumentNullException.ThrowIfNull(labelColumn);
        return Read(path, header =>
        {
            int i = Array.IndexOf(header, labelColumn);
            return i >= 0 ? i : throw new DataFormatException(path, $"no column is headed \"{CsvText.Show(labelColumn)}\"; the header has {Columns(header)}.", line: 1);
        }, kind);
    }

    /// <summary>Loads <paramref name="path"/> with the label in column <paramref name="labelColumn"/> (zero-based).</summary>
    public static Dataset Load(string path, int labelColumn, CsvLabelKind kind = CsvLabelKind.Class)
    {
        Guard.NonNegative(labelColumn);
        return Read(path, header => labelColumn < header.Length
            ? labelColumn
            : throw new DataFormatException(path, $"label column index {labelColumn} is outside the header's {header.Length} columns ({Columns(header)}).", line: 1), kind);
    }

    /// <summary>The header for a message: at most 20 names, each shown on one line and shortened.</summary>
    private static string Columns(string[] header) =>
        string.Join(", ", header.Take(20).Select(h => $"\"{CsvText.Show(h)}\"")) + (header.Length > 20 ? $", … ({header.Length} columns)" : "");

    private static Dataset Read(string path, Func<string[], int> labelIndex, CsvLabelKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file {path} does not exist.", path);
        }
        var options = new CsvReaderOptions
        {
            HasHeader = true,
            Separator = ',',
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
        };
        try
        {
            using CsvReader csv = CsvReader.Create(CsvText.Read(path), options);
            string[] header = [.. csv.Headers];
            if (header.Length == 0)
            {
                throw new DataFormatException(path, "the file is empty; expected a header row and data rows.", line: 1);
            }
            int label = labelIndex(header);
            int width = header.Length - 1;
            if (width == 0)
            {
                throw new DataFormatException(path, $"the only column is the label \"{CsvText.Show(header[label])}\"; expected at least one feature column.", line: 1);
            }
            var features = new List<float>();
            var labels = new List<int>();
            var values = new List<float>();
            while (csv.Read())
            {
                long line = csv.LineNumber;
                if (csv.FieldCount != header.Length)
                {
                    throw new DataFormatException(path, $"{csv.FieldCount} cells; the header has {header.Length} columns.", line: line);
                }
                for (int j = 0; j < header.Length; j++)
                {
                    string cell = csv.GetString(j);
                    if (j == label)
                    {
                        if (kind == CsvLabelKind.Class)
                        {
                            labels.Add(ParseLabel(path, line, header[j], cell));
                        }
                        else
                        {
                            values.Add(ParseNumber(path, line, header[j], cell));
                        }
                    }
                    else
                    {
                        features.Add(ParseNumber(path, line, header[j], cell));
                    }
                }
            }
            return kind == CsvLabelKind.Class
                ? Dataset.FromOwned([.. features], [.. labels], [width])
                : Dataset.From([.. features], [.. values], [width], 1);
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, $"malformed CSV ({e.Message}); expected comma-separated cells with RFC 4180 quoting.", line: e.LineNumber > 0 ? e.LineNumber : null, inner: e);
        }
    }

    private static float ParseNumber(string path, long line, string column, string cell)
    {
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
        {
            throw new DataFormatException(path, $"column \"{CsvText.Show(column)}\" holds \"{CsvText.Show(cell)}\"; expected a number (invariant culture, e.g. 1.5e-3).", line: line);
        }
        if (!float.IsFinite(v))
        {
            throw new DataFormatException(path, $"column \"{CsvText.Show(column)}\" holds {CsvText.Show(cell)}; expected a finite number (impute or drop missing values before loading).", line: line);
        }
        return v;
    }

    private static int ParseLabel(string path, long line, string column, string cell)
    {
        if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 0)
        {
            throw new DataFormatException(path, $"label column \"{CsvText.Show(column)}\" holds \"{CsvText.Show(cell)}\"; expected an integer class label ≥ 0 (use CsvLabelKind.Value for real-valued targets).", line: line);
        }
        return v;
    }
}
