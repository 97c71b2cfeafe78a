using System.Diagnostics;
using System.Globalization;
using System.Text;
using FuncReg.Properties.Support;
using Xunit.Abstractions;

namespace FuncReg.Properties.Corruption;

/// <summary>Text edits of a CSV file: at character <c>Position</c> (mod the length) <c>Text</c> is inserted, or replaces the rest of the cell.</summary>
internal sealed record CsvEdit(int Position, string Text, bool ReplaceCell) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        string s = Encoding.UTF8.GetString(bytes);
        int at = Position % (s.Length + 1);
        if (!ReplaceCell)
        {
            return Encoding.UTF8.GetBytes(s.Insert(at, Text));
        }
        int end = s.IndexOfAny([',', '\n', '\r'], at);
        return Encoding.UTF8.GetBytes(s[..at] + Text + (end < 0 ? "" : s[end..]));
    }
}

/// <summary>A valid CSV file of a random small table and one corruption of it.</summary>
internal sealed record CsvCase(float[][] Rows, int LabelColumn, bool ByName, CsvLabelKind Kind, bool Quoted, string NewLine, bool TrailingNewLine, bool Bom, Corruption Corruption)
{
    public byte[] Valid()
    {
        int width = Rows.Length > 0 ? Rows[0].Length : LabelColumn + 2;
        var lines = new List<string> { string.Join(",", Enumerable.Range(0, width).Select(j => j == LabelColumn ? "label" : Quoted ? $"\"x {j}\"" : $"x{j}")) };
        foreach (float[] row in Rows)
        {
            lines.Add(string.Join(",", row.Select((v, j) =>
            {
                string cell = j == LabelColumn && Kind == CsvLabelKind.Class ? ((int)v).ToString(CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture);
                return Quoted && j % 2 == 1 ? $"\"{cell}\"" : cell;
            })));
        }
        string text = string.Join(NewLine, lines) + (TrailingNewLine ? NewLine : "");
        return [.. (Bom ? (byte[])[0xEF, 0xBB, 0xBF] : []), .. Encoding.UTF8.GetBytes(text)];
    }

    public override string ToString() => $"CsvCase {{ LabelColumn = {LabelColumn}, ByName = {ByName}, Kind = {Kind}, Corruption = {Corruption}, Valid = {JsonText(Valid())} }}";

    private static string JsonText(byte[] b) => System.Text.Json.JsonSerializer.Serialize(Encoding.UTF8.GetString(b));
}

/// <summary>
/// Seeded corruption fuzzer of <see cref="CsvData.Load(string, int, CsvLabelKind)"/> (and the by-name overload): valid files of
/// random small tables (quoted or not, LF or CRLF, with or without a final line break or a byte order mark), corrupted once
/// (the byte-level corruptions, and text edits: quotes, commas and line breaks inserted, a cell replaced by NaN, ∞, a number
/// beyond float, an empty or text cell, a label beyond int).
/// <para>
/// Oracle: the loader either throws <see cref="DataFormatException"/> (or <see cref="FileNotFoundException"/>) with a
/// non-empty one-line message naming the file, or accepts; and it accepts exactly when an independent reader of the
/// documented rules (<see cref="CsvReference"/>) does, with the same features and labels bit for bit and the same sample
/// shape. CSV has no checksum, so an accepted mutant may hold other numbers than the original — but only the numbers its
/// text says.
/// </para>
/// </summary>
public sealed class CsvCorruptionProperties(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 400;

    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-fuzz-csv-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly string[] Cells =
    [
        "NaN", "nan", "Infinity", "-∞", "1e999", "-1e39", "3.5e38", "1e-50", "", " ", "abc", "99999999999", "2147483648", "-0", "+3", " 1.5 ", "1,5",
        "\"2\"", "\"\"\"\"", "\"a\"b", "0x10", "1_000", "١", "1e", ".", "1.5.2", "\t7", "\"", "\"\r\n\"",
    ];

    private static Gen<Corruption> Edits => Gen.Frequency(
        (3, CorruptionGens.Bytewise),
        (1, from p in CorruptionGens.Position from t in Gen.Elements("\"", ",", "\n", "\r", "\r\n", "\"\"", " ", ",,", "\n\n") select (Corruption)new CsvEdit(p, t, false)),
        (2, from p in CorruptionGens.Position from t in Gen.Elements(Cells) select (Corruption)new CsvEdit(p, t, true)));

    private static Gen<CsvCase> Files =>
        from n in Gen.Choose(0, 5)
        from width in Gen.Choose(2, 5)
        from label in Gen.Choose(0, width - 1)
        from kind in Gen.Elements(CsvLabelKind.Class, CsvLabelKind.Value)
        from values in Gen.Choose(-3000, 3000).Select(v => v / 64f).ArrayOf(width).ArrayOf(n)
        from classes in Gen.Choose(0, 9).ArrayOf(n)
        from byName in Gen.Elements(true, false)
        from quoted in Gen.Elements(true, false)
        from newLine in Gen.Elements("\n", "\r\n")
        from trailing in Gen.Elements(true, false)
        from bom in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from corruption in Edits
        let rows = values.Select((r, i) => r.Select((v, j) => j == label && kind == CsvLabelKind.Class ? classes[i] : v).ToArray()).ToArray()
        select new CsvCase(rows, label, byName, kind, quoted, newLine, trailing, bom, corruption);

    [Fact]
    public void Corrupted_csv_files_are_rejected_with_a_typed_error_or_read_as_their_text_says()
    {
        var run = new FuzzRun("CSV", output);
        string path = Path.Combine(dir, "table.csv");
        var clock = Stopwatch.StartNew();
        Run.CheckPinned(Prop.ForAll(Files.ToArbitrary(), c =>
        {
            byte[] mutant = c.Corruption.Apply(c.Valid());
            File.WriteAllBytes(path, mutant);
            Dataset? d = run.Read(path, () => c.ByName ? CsvData.Load(path, "label", c.Kind) : CsvData.Load(path, c.LabelColumn, c.Kind), typeof(DataFormatException));
            CsvTable expected = CsvReference.Read(mutant, h => c.ByName ? (Array.IndexOf(h, "label") is int i and >= 0 ? i : null) : (c.LabelColumn < h.Length ? c.LabelColumn : null), c.Kind);
            if (d is null)
            {
                if (expected.Error is null)
                {
                    throw new FuzzFailure("rejected a file the documented rules accept");
                }
                return;
            }
            if (expected.Error is { } why)
            {
                throw new FuzzFailure($"garbage accepted: the documented rules reject it ({why})");
            }
            bool same = d.SampleShape.SequenceEqual([expected.Header.Length - 1])
                && d.Features.ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(expected.Features.Select(BitConverter.SingleToInt32Bits))
                && (c.Kind == CsvLabelKind.Class
                    ? d.Labels.ToArray().SequenceEqual(expected.Labels)
                    : d.Targets.ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(expected.Targets.Select(BitConverter.SingleToInt32Bits)));
            if (!same)
            {
                throw new FuzzFailure("garbage accepted: the data set is not what the text says");
            }
            run.Note(mutant.AsSpan().SequenceEqual(c.Valid()) ? "unchanged" : "read as written");
        }), Cases, seed: 0xC5F_F11E, gamma: 0x2545_F491);
        run.Report(200, clock.Elapsed);
    }
}
