using System.Text;

namespace FuncReg;

/// <summary>
/// The bytes of a CSV file as strict UTF-8 text, checked before CsvHelper sees them: a UTF-8 byte order mark is
/// dropped, UTF-16 with a byte order mark is transcoded (strictly: an unpaired surrogate is an error), anything else
/// must be well-formed UTF-8, and no byte may be NUL (a text file never holds one; a binary or truncated-and-padded
/// file does). Violations throw <see cref="DataFormatException"/> naming the byte offset and line.
/// </summary>
internal static class CsvText
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static ReadOnlySpan<byte> Utf16LittleEndianBom => [0xFF, 0xFE];

    private static ReadOnlySpan<byte> Utf16BigEndianBom => [0xFE, 0xFF];

    /// <summary>The whole file as UTF-8 without a byte order mark.</summary>
    public static byte[] Read(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
        {
            throw new DataFormatException(path, $"{length} bytes is more than the {Array.MaxLength} bytes FuncReg reads from a CSV file; split the file.");
        }
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith(Utf16LittleEndianBom) || bytes.AsSpan().StartsWith(Utf16BigEndianBom))
        {
            byte[] transcoded = FromUtf16(bytes, path, bigEndian: bytes[0] == 0xFE);
            int zero = Array.IndexOf(transcoded, (byte)0);
            return zero < 0 ? transcoded : throw Nul(path, transcoded, zero, offset: null);
        }
        int start = bytes.AsSpan().StartsWith(Utf8Bom) ? 3 : 0;
        int bad = Utf8Text.FirstInvalid(bytes.AsSpan(start));
        if (bad >= 0)
        {
            bad += start;
            throw new DataFormatException(path, $"line {LineOf(bytes, bad)} holds byte 0x{bytes[bad]:X2}, which is not valid UTF-8; save the file as UTF-8.", offset: bad);
        }
        int nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            throw Nul(path, bytes, nul, offset: nul);
        }
        return start == 0 ? bytes : bytes[start..];
    }

    private static DataFormatException Nul(string path, byte[] text, int index, long? offset) =>
        new(path, $"line {LineOf(text, index)} holds a NUL character (0x00); a CSV file is text: the file is corrupt or not a CSV file.", offset: offset);

    private static byte[] FromUtf16(byte[] bytes, string path, bool bigEndian)
    {
        try
        {
            string text = new UnicodeEncoding(bigEndian, byteOrderMark: true, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
            return Encoding.UTF8.GetBytes(text);
        }
        catch (DecoderFallbackException e)
        {
            long offset = e.Index >= 0 ? 2L + e.Index : 2;
            throw new DataFormatException(path, "the file starts with a UTF-16 byte order mark but is not valid UTF-16 (an odd length or an unpaired surrogate); save it as UTF-8.", offset: offset, inner: e);
        }
    }

    /// <summary>A cell or column name for a one-line message: control and line-separator characters as \uXXXX, at most 40 characters.</summary>
    public static string Show(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (sb.Length >= 40)
            {
                return sb.Append('…').ToString();
            }
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
            {
                sb.Append($"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>One-based line of byte <paramref name="offset"/>.</summary>
    private static long LineOf(byte[] bytes, int offset) => bytes.AsSpan(0, offset).Count((byte)'\n') + 1;
}
