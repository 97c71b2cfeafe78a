using System.Globalization;
using System.Text;

namespace FuncReg.Properties.Corruption;

/// <summary>What a CSV file holds by the documented rules, or why it is not one.</summary>
internal sealed record CsvTable(string[] Header, float[] Features, int[] Labels, float[] Targets, string? Error)
{
    public static CsvTable Fail(string error) => new([], [], [], [], error);
}

/// <summary>
/// An independent reader of the CSV rules <see cref="CsvData"/> documents, written for the fuzz oracle: strict UTF-8 (a
/// UTF-8 byte order mark skipped, UTF-16 with a byte order mark transcoded), no NUL; RFC 4180 records separated by CRLF,
/// LF or CR; a field is unquoted (no quote inside) or quoted (quotes doubled inside, the closing quote followed by a comma,
/// a line end or the end of the file); lines with no characters are skipped; the first record is the header; every other
/// record has as many fields as the header; features are finite floats (invariant culture, <see cref="NumberStyles.Float"/>);
/// class labels integers ≥ 0, value labels finite floats.
/// </summary>
internal static class CsvReference
{
    public static CsvTable Read(byte[] bytes, Func<string[], int?> labelColumn, CsvLabelKind kind)
    {
        string? text = Decode(bytes);
        if (text is null)
        {
            return CsvTable.Fail("not UTF-8 / UTF-16 text");
        }
        if (text.Contains('\0'))
        {
            return CsvTable.Fail("NUL");
        }
        List<string[]>? records = Records(text);
        if (records is null)
        {
            return CsvTable.Fail("malformed quoting");
        }
        if (records.Count == 0)
        {
            return CsvTable.Fail("empty");
        }
        string[] header = records[0];
        if (labelColumn(header) is not { } label)
        {
            return CsvTable.Fail("no such label column");
        }
        if (header.Length < 2)
        {
            return CsvTable.Fail("no feature column");
        }
        var features = new List<float>();
        var labels = new List<int>();
        var targets = new List<float>();
        foreach (string[] r in records.Skip(1))
        {
            if (r.Length != header.Length)
            {
                return CsvTable.Fail("field count");
            }
            for (int j = 0; j < r.Length; j++)
            {
                if (j == label && kind == CsvLabelKind.Class)
                {
                    if (!int.TryParse(r[j], NumberStyles.Integer, CultureInfo.InvariantCulture, out int l) || l < 0)
                    {
                        return CsvTable.Fail("label");
                    }
                    labels.Add(l);
                }
                else if (!float.TryParse(r[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                {
                    return CsvTable.Fail("number");
                }
                else
                {
                    (j == label ? targets : features).Add(v);
                }
            }
        }
        return new CsvTable(header, [.. features], [.. labels], [.. targets], null);
    }

    private static string? Decode(byte[] bytes)
    {
        try
        {
            if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
            {
                return new UnicodeEncoding(bytes[0] == 0xFE, false, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
            }
            int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The records of <paramref name="text"/>, or null when the quoting is malformed.</summary>
    private static List<string[]>? Records(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        bool lineHasContent = false;
        while (i < text.Length)
        {
            char ch = text[i];
            if (ch == '"' && field.Length == 0)
            {
                // a quoted field: up to the closing quote, "" is a quote
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return null;
                    }
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
                lineHasContent = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                {
                    return null;
                }
                continue;
            }
            if (ch == '"')
            {
                return null;
            }
            if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                lineHasContent = true;
                i++;
                continue;
            }
            if (ch is '\r' or '\n')
            {
                if (lineHasContent || field.Length > 0)
                {
                    fields.Add(field.ToString());
                    records.Add([.. fields]);
                }
                fields.Clear();
                field.Clear();
                lineHasContent = false;
                i += ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                continue;
            }
            field.Append(ch);
            lineHasContent = true;
            i++;
        }
        if (lineHasContent || field.Length > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        return records;
    }
}
