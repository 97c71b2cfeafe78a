using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FuncReg;

/// <summary>
/// The validating decoder behind <see cref="SafeTensors.Read"/>: the whole file is checked before any tensor is
/// built, and every problem throws <see cref="CheckpointFormatException"/> with a one-line message naming the file
/// and the byte offset or tensor. A file is accepted only when
/// <list type="bullet">
/// <item>the 8-byte little-endian header length N is at most the reader's limit (100 MB) and the file's remaining length;</item>
/// <item>the N header bytes are well-formed UTF-8, start with <c>{</c>, hold exactly one JSON object (RFC 8259: no comments,
/// no trailing commas, string escapes that decode to valid Unicode) and after it only spaces (0x20);</item>
/// <item>no object of the header repeats a key, <c>__metadata__</c> included; <c>__metadata__</c>, when present, is an
/// object of string values;</item>
/// <item>every other key is a tensor whose entry holds exactly <c>dtype</c> (<c>"F32"</c>), <c>shape</c> (an array of
/// integers 0 … 2³¹−1 written as plain digits) and <c>data_offsets</c> (two such integers, begin ≤ end, up to 2⁶³−1),
/// with end − begin = 4 × the product of the shape, that product not exceeding what the data buffer can hold;</item>
/// <item>the [begin, end) ranges, sorted, tile the data buffer (everything after the header) exactly: the first starts
/// at 0, each starts where the previous ends, the last ends at the end of the file — no overlap, no hole, no trailing
/// byte (zero-size tensors are allowed);</item>
/// <item>every value is finite: FuncReg never writes NaN or ±∞, and a model loaded with them predicts garbage.</item>
/// </list>
/// Files written by Python's <c>safetensors</c> pass (compact JSON, <c>__metadata__</c> anywhere or absent, keys and
/// tensors in any order in the header, data in any order).
/// </summary>
internal static class SafeTensorsReader
{
    private const byte Space = (byte)' ';

    /// <summary>A tensor entry of the header, before its values are read.</summary>
    private readonly record struct Entry(string Name, int[] Shape, long Begin, long End);

    /// <summary>Validates and decodes <paramref name="bytes"/>; <paramref name="path"/> names the file in errors.</summary>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(byte[] bytes, string path, long maxHeader)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8)
        {
            throw Error(path, $"{bytes.Length} bytes is too short for a safetensors file (the 8-byte header length is missing).");
        }
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)maxHeader)
        {
            throw Error(path, $"header length {n} at offset 0 exceeds the {maxHeader} bytes a safetensors header may have: not a safetensors file, or the first 8 bytes are corrupt.");
        }
        if ((long)n > bytes.Length - 8)
        {
            throw Error(path, $"header length {n} at offset 0 exceeds the file's {bytes.Length - 8} remaining bytes: truncated or not a safetensors file.");
        }
        int dataStart = 8 + (int)n;
        long dataLength = bytes.Length - dataStart;
        ReadOnlyMemory<byte> json = Header(bytes, dataStart, path);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Error(path, $"the JSON header (bytes 8–{dataStart}) is malformed at line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {Utf8Text.OneLine(e.Message)}", e);
        }
        using (doc)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                string name = Name(prop, path, "a key of the header");
                if (!names.Add(name))
                {
                    throw Error(path, name == "__metadata__"
                        ? "__metadata__ appears more than once in the header; a file has one metadata object."
                        : $"tensor '{name}' appears more than once in the header; each name must be unique.");
                }
                if (name == "__metadata__")
                {
                    ReadMetadata(prop.Value, metadata, path);
                }
                else
                {
                    entries.Add(ReadEntry(name, prop.Value, dataLength, path));
                }
            }
        }
        CheckCoverage(entries, dataStart, dataLength, path);
        var tensors = new List<NamedTensor>(entries.Count);
        foreach (Entry e in entries)
        {
            tensors.Add(new NamedTensor(e.Name, e.Shape, Values(bytes, dataStart, e, path)));
        }
        return (tensors, metadata);
    }

    /// <summary>The JSON object of the header: it must start with '{' and be followed by spaces only.</summary>
    private static ReadOnlyMemory<byte> Header(byte[] bytes, int dataStart, string path)
    {
        ReadOnlySpan<byte> header = bytes.AsSpan(8, dataStart - 8);
        if (header.IsEmpty || header[0] != (byte)'{')
        {
            string found = header.IsEmpty ? "an empty header" : $"0x{header[0]:X2}";
            throw Error(path, $"the header at byte offset 8 is not a JSON object (it must start with '{{', found {found}): not a safetensors file, or the header length at offset 0 is wrong.");
        }
        int bad = Utf8Text.FirstInvalid(header);
        if (bad >= 0)
        {
            throw Error(path, $"byte 0x{header[bad]:X2} at byte offset {8 + bad} of the JSON header is not valid UTF-8: the header is corrupt.");
        }
        int end = header.TrimEnd(Space).Length;
        if (header[end - 1] != (byte)'}')
        {
            throw Error(path, $"the JSON header is malformed: it must end with '}}' followed only by spaces (0x20) up to byte offset {dataStart}, found 0x{header[end - 1]:X2} at byte offset {8 + end - 1}: the header length at offset 0 is wrong or the header is corrupt.");
        }
        return bytes.AsMemory(8, end);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"__metadata__ must be an object of string values, got {Kind(value)}.");
        }
        foreach (JsonProperty m in value.EnumerateObject())
        {
            string key = Name(m, path, "a key of __metadata__");
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw Error(path, $"__metadata__ must be an object of string values, but \"{key}\" is {Kind(m.Value)}.");
            }
            if (!metadata.TryAdd(key, Text(m.Value, path, $"__metadata__.{key}")))
            {
                throw Error(path, $"__metadata__ repeats the key \"{key}\"; each key must be unique.");
            }
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"tensor '{name}' has a malformed header entry: expected an object with dtype, shape and data_offsets, got {Kind(value)}.");
        }
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (JsonProperty p in value.EnumerateObject())
        {
            string key = Name(p, path, $"a key of tensor '{name}'");
            JsonElement? before = key switch
            {
                "dtype" => dtype,
                "shape" => shape,
                "data_offsets" => offsets,
                _ => throw Error(path, $"tensor '{name}' has a malformed header entry: unknown key \"{key}\"; an entry holds exactly dtype, shape and data_offsets."),
            };
            if (before is not null)
            {
                throw Error(path, $"tensor '{name}' has a malformed header entry: \"{key}\" appears more than once.");
            }
            switch (key)
            {
                case "dtype":
                    dtype = p.Value;
                    break;
                case "shape":
                    shape = p.Value;
                    break;
                default:
                    offsets = p.Value;
                    break;
            }
        }
        if (dtype is not { } d || shape is not { } s || offsets is not { } o)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Error(path, $"tensor '{name}' has a malformed header entry: \"{missing}\" is missing; an entry holds exactly dtype, shape and data_offsets.");
        }
        string type = d.ValueKind == JsonValueKind.String
            ? Text(d, path, $"the dtype of tensor '{name}'")
            : throw Error(path, $"tensor '{name}' has a malformed header entry: dtype must be a string such as \"F32\", got {Kind(d)}.");
        if (type != "F32")
        {
            throw Error(path, $"tensor '{name}' has dtype {type}; FuncReg reads F32 only.");
        }
        int[] dims = [.. Integers(s, name, "shape", path).Select(v => v <= int.MaxValue
            ? (int)v
            : throw Error(path, $"tensor '{name}' has a malformed header entry: dimension {v} of its shape exceeds {int.MaxValue}."))];
        long[] off = Integers(o, name, "data_offsets", path);
        if (off.Length != 2)
        {
            throw Error(path, $"tensor '{name}' has a malformed header entry: data_offsets must be [begin, end], got {off.Length} numbers.");
        }
        long limit = Math.Min(dataLength / sizeof(float), Array.MaxLength);
        long count = ElementCount(dims, limit);
        if (count < 0)
        {
            throw Error(path, $"tensor '{name}' has shape [{string.Join(", ", dims)}], more than the {limit} float32 values the {dataLength} data bytes can hold: the header is corrupt.");
        }
        if (off[0] > off[1] || off[1] > dataLength || off[1] - off[0] != count * sizeof(float))
        {
            throw Error(path, $"tensor '{name}' data_offsets [{off[0]}, {off[1]}] do not fit shape [{string.Join(", ", dims)}] ({count} × 4 bytes) within {dataLength} data bytes: truncated or corrupt.");
        }
        return new Entry(name, dims, off[0], off[1]);
    }

    /// <summary>Product of <paramref name="dims"/>, or −1 when it exceeds <paramref name="limit"/> (computed without overflow).</summary>
    private static long ElementCount(int[] dims, long limit)
    {
        if (dims.Contains(0))
        {
            return 0;
        }
        long count = 1;
        foreach (int d in dims)
        {
            if (count > limit / d)
            {
                return -1;
            }
            count *= d;
        }
        return count;
    }

    /// <summary>An array of non-negative integers written as plain digits (no sign, fraction or exponent), each ≤ 2⁶³−1.</summary>
    private static long[] Integers(JsonElement array, string name, string field, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Error(path, $"tensor '{name}' has a malformed header entry: {field} must be an array of integers, got {Kind(array)}.");
        }
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement v in array.EnumerateArray())
        {
            string raw = v.ValueKind == JsonValueKind.Number ? v.GetRawText() : "";
            if (raw.Length == 0 || !raw.All(char.IsAsciiDigit) || !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                string got = v.ValueKind == JsonValueKind.Number ? raw : Kind(v);
                throw Error(path, $"tensor '{name}' has a malformed header entry: {field}[{i}] must be an integer from 0 to {long.MaxValue} written as digits, got {got}.");
            }
            i++;
        }
        return values;
    }

    /// <summary>The sorted ranges must tile [0, dataLength) exactly.</summary>
    private static void CheckCoverage(List<Entry> entries, int dataStart, long dataLength, string path)
    {
        Entry[] sorted = [.. entries.OrderBy(e => e.Begin).ThenBy(e => e.End)];
        long covered = 0;
        string? previous = null;
        foreach (Entry e in sorted)
        {
            if (e.Begin < covered)
            {
                throw Error(path, $"tensors '{previous}' and '{e.Name}' overlap (data bytes {e.Begin}–{covered}): the header is corrupt.");
            }
            if (e.Begin > covered)
            {
                throw Error(path, $"data bytes {covered}–{e.Begin} (byte offset {dataStart + covered}) belong to no tensor: every data byte must be indexed by the header; the header is corrupt.");
            }
            covered = e.End;
            previous = e.Name;
        }
        if (covered != dataLength)
        {
            throw Error(path, $"the tensors cover {covered} of the {dataLength} data bytes; the {dataLength - covered} bytes from byte offset {dataStart + covered} belong to no tensor: the header length at offset 0 is wrong, or bytes were appended.");
        }
    }

    private static float[] Values(byte[] bytes, int dataStart, Entry e, string path)
    {
        ReadOnlySpan<byte> raw = bytes.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin));
        var values = new float[raw.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
            }
        }
        int bad = ModelState.IndexOfNonFinite(values);
        if (bad >= 0)
        {
            long offset = dataStart + e.Begin + ((long)bad * sizeof(float));
            throw Error(path, $"tensor '{e.Name}' holds {values[bad]} at flat index {bad} (byte offset {offset}); weights must be finite: the file is corrupt or was saved from a diverged model.");
        }
        return values;
    }

    /// <summary>A property name; a \u escape that decodes to a lone surrogate is not valid Unicode.</summary>
    private static string Name(JsonProperty p, string path, string what)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException e)
        {
            throw Error(path, $"{what} holds a \\u escape that is not valid Unicode (a lone surrogate): the header is corrupt.", e);
        }
    }

    private static string Text(JsonElement v, string path, string what)
    {
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Error(path, $"{what} holds a \\u escape that is not valid Unicode (a lone surrogate): the header is corrupt.", e);
        }
    }

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {v.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => "null",
    };

    private static CheckpointFormatException Error(string path, string message, Exception? inner = null) =>
        new($"{path}: {message}", inner) { Path = path };
}
