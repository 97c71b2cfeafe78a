using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FuncReg.Properties.Corruption;

/// <summary>The header-length field (bytes 0–7) changed: <c>Delta</c> added, or replaced by <c>Absolute</c>.</summary>
internal sealed record HeaderLength(long Delta, ulong? Absolute) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(b);
        BinaryPrimitives.WriteUInt64LittleEndian(b, Absolute ?? (ulong)((long)n + Delta));
        return b;
    }
}

/// <summary>The float at data position <c>Position</c> (mod the count) becomes the bit pattern <c>Bits</c> (NaN, ±∞, −0, subnormal…).</summary>
internal sealed record DataFloat(int Position, uint Bits) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(b);
        int floats = (b.Length - dataStart) / 4;
        if (floats > 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(dataStart + (4 * At(Position, floats))), Bits);
        }
        return b;
    }

    public override string ToString() => $"DataFloat {{ Position = {Position}, Bits = 0x{Bits:X8} }}";
}

/// <summary>
/// A JSON-aware edit of the header, after which the header is re-padded with spaces to a multiple of 8 and the length
/// field rewritten, so the edit is not caught by the length alone: value <c>Target</c> (mod the number of values, in
/// document order) is edited as <see cref="JsonEdits"/> says with <see cref="SafeTensorsEdits.Palette"/> and
/// <see cref="SafeTensorsEdits.Names"/>; or a textual edit (<see cref="SafeTensorsEdits.TextEdits"/>) is applied.
/// </summary>
internal sealed record HeaderEdit(JsonEdits.Kind Kind, int Target, int Replacement) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, n).TrimEnd(' ');
        string edited = SafeTensorsEdits.Edit(header, Kind, Target, Replacement);
        return SafeTensorsEdits.WithHeader(edited, bytes.AsSpan(8 + n));
    }
}

/// <summary>The safetensors header's replacement values, key names and textual edits.</summary>
internal static class SafeTensorsEdits
{
    public static readonly string[] Palette =
    [
        "0", "1", "-1", "2.5", "1e3", "4294967296", "18446744073709551616", "9223372036854775807", "\"\"", "\"F32\"", "\"F16\"",
        "\"x\\u00e9\"", JsonEdits.LoneSurrogate, "true", "false", "null", "[]", "[0]", "[1,2]", "[0,4]", "[2,2]", "[-1]", "[1.0]", "{}",
        "{\"a\":\"b\"}", "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}",
    ];

    public static readonly string[] Names = ["__metadata__", "dtype", "shape", "data_offsets", "x", "", "dense_0.kernel", "Dtype"];

    /// <summary>Textual edits of the header text, by index.</summary>
    public static readonly Func<string, string>[] TextEdits =
    [
        h => "{ " + h[1..],                                                     // whitespace inside: still the same JSON
        h => h[..^1] + "\n}",                                                   // a newline before the end
        h => " " + h,                                                           // whitespace before the object
        h => h + "\n",                                                          // a newline in the padding
        h => JsonSerializer.Serialize(JsonDocument.Parse(h).RootElement, new JsonSerializerOptions { WriteIndented = true }), // pretty printed
        h => "{\"__metadata__\":{\"x\":\"y\"}," + h[1..],                         // a second __metadata__ (or a first one)
        h => "{" + FirstKey(h) + ":{}," + h[1..],                              // the first key again
        h => h.Replace("\"dtype\":\"F32\"", "\"dtype\":\"F32\",\"dtype\":\"F32\"", StringComparison.Ordinal), // a repeated entry key
        h => h.Replace("\"format\"", "\"\\u0066ormat\"", StringComparison.Ordinal), // an escaped letter: the same string
        h => h.Replace("\"F32\"", "\"F\\u0033\\u0032\"", StringComparison.Ordinal), // escaped digits in the dtype
        h => h.Replace(":[", ": [", StringComparison.Ordinal),                   // whitespace in arrays
        h => h.Replace("[0,", "[00,", StringComparison.Ordinal),                 // a leading zero (not JSON)
        h => h + "{}",                                                           // a second value after the object
        h => h.Replace("}", "},", StringComparison.Ordinal),                     // trailing commas (not JSON)
        h => "{/*c*/" + h[1..],                                                  // a comment (not JSON)
        h => MoveMetadataLast(h),                                                // __metadata__ last, as JSON allows
    ];

    public static string Edit(string header, JsonEdits.Kind kind, int target, int replacement) =>
        kind == JsonEdits.Kind.Text
            ? TextEdits[replacement % TextEdits.Length](header)
            : JsonEdits.Edit(header, kind, target, replacement, Palette, Names);

    /// <summary>The file with <paramref name="header"/> (as UTF-8, padded with spaces to a multiple of 8) and <paramref name="data"/>.</summary>
    public static byte[] WithHeader(string header, ReadOnlySpan<byte> data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        int padded = (h.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        h.CopyTo(bytes, 8);
        bytes.AsSpan(8 + h.Length, padded - h.Length).Fill((byte)' ');
        data.CopyTo(bytes.AsSpan(8 + padded));
        return bytes;
    }

    private static string FirstKey(string header) => JsonSerializer.Serialize(JsonDocument.Parse(header).RootElement.EnumerateObject().First().Name);

    private static string MoveMetadataLast(string header)
    {
        var root = (JsonObject)JsonNode.Parse(header)!;
        if (root["__metadata__"] is { } meta)
        {
            root.Remove("__metadata__");
            root["__metadata__"] = meta;
        }
        return root.ToJsonString();
    }
}
