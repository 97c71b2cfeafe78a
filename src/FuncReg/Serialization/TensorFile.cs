using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>The tensor files of a checkpoint: checksum, structure, shapes and finite values.</summary>
internal static class TensorFile
{
    /// <summary>Reads a safetensors file whose SHA-256 the manifest gave, and checks every tensor.</summary>
    public static Dictionary<string, NamedTensor> Read(string path, string sha)
    {
        byte[] bytes = ManifestReader.ReadFile(path);
        if (ManifestWriter.Sha256(bytes) != sha)
        {
            throw Error(path, $"the file's SHA-256 does not match the one in {Checkpoint.ManifestFile}: truncated, corrupted, or from another checkpoint.");
        }
        // The checksum matched, so the file is the one the manifest names; these checks refuse a file that was edited
        // and signed again before SafeTensors.Parse, which would throw on a header that is not UTF-8 and allocate for
        // a shape whose element count overflows.
        if (bytes.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var n && n <= (ulong)(bytes.Length - 8))
        {
            CheckHeader(path, bytes.AsSpan(8, (int)n), bytes.Length - 8 - (long)n);
        }
        IReadOnlyList<NamedTensor> tensors;
        try
        {
            tensors = SafeTensors.Parse(bytes, path).Tensors;
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(e.Message.ReplaceLineEndings(" "), e) { Path = path };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException)
        {
            throw new CheckpointFormatException($"{path}: malformed safetensors header: {e.Message.ReplaceLineEndings(" ")}", e) { Path = path };
        }
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (NamedTensor t in tensors)
        {
            long count = 1;
            foreach (int d in t.Shape)
            {
                count = d < 0 || count < 0 ? -1 : Math.Min(count * d, 1L + int.MaxValue); // both ≤ 2³¹: no overflow
            }
            if (count != t.Values.Length)
            {
                throw Error(path, $"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.Length} values.");
            }
            int i = ModelState.IndexOfNonFinite(t.Values);
            if (i >= 0)
            {
                throw Error(path, $"tensor '{t.Name}' holds {t.Values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; a checkpoint holds finite values only.");
            }
            byName[t.Name] = t;
        }
        return byName;
    }

    /// <summary>
    /// The header is UTF-8, and every tensor's shape is whole numbers ≥ 0 whose product (in checked arithmetic) fits in
    /// the data bytes. Other problems are left to <see cref="SafeTensors.Parse"/>.
    /// </summary>
    private static void CheckHeader(string path, ReadOnlySpan<byte> header, long dataBytes)
    {
        if (ManifestReader.InvalidUtf8(header) is var bad and >= 0)
        {
            throw Error(path, $"byte {8 + bad} of the header is not valid UTF-8.");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Error(path, $"the JSON header is malformed: {e.Message.ReplaceLineEndings(" ")}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object || !p.Value.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                long count = 1; // saturates at dataBytes + 1: never overflows
                bool empty = false;
                foreach (JsonElement d in shape.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                    {
                        throw Error(path, $"a tensor's shape holds {JsonMarshalText(d)}, expected whole numbers ≥ 0.");
                    }
                    empty |= dim == 0;
                    count = dim == 0 || count > dataBytes ? count : count > dataBytes / dim ? dataBytes + 1 : count * dim;
                }
                if (!empty && (count * 4 > dataBytes || count > int.MaxValue))
                {
                    throw Error(path, $"a tensor's shape [{string.Join(", ", shape.EnumerateArray().Select(JsonMarshalText))}] holds more values than the file's {dataBytes} data bytes.");
                }
            }
        }
    }

    private static string JsonMarshalText(JsonElement e) => Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(e));

    /// <summary>Splits <c>callbacks/{i}/{key}/{j}</c> (i &lt; <paramref name="callbacks"/>, 1-D) into its parts.</summary>
    public static (int Callback, string Key, int Index) CallbackTensor(string path, NamedTensor t, int callbacks)
    {
        string[] parts = t.Name.Split('/');
        if (parts.Length == 4 && Index(parts[1]) is { } i && i < callbacks && parts[2].Length > 0 && Index(parts[3]) is { } j && t.Shape.Length == 1)
        {
            return (i, parts[2], j);
        }
        throw Error(path, $"tensor '{t.Name}' is not a callback array of this checkpoint (callbacks/{{callback < {callbacks}}}/{{key}}/{{index}}, one dimension).");
    }

    /// <summary>A canonical non-negative decimal (no sign, no leading zero) below 10⁹, or null.</summary>
    private static int? Index(string s) =>
        s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0') ? int.Parse(s, CultureInfo.InvariantCulture) : null;

    private static CheckpointFormatException Error(string path, string message) => new($"{path}: {message}") { Path = path };
}
