using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>A named float32 tensor read from or written to a safetensors file.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Values);

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>
/// padded with spaces to a multiple of 8, then the little-endian data. Files written here load in
/// PyTorch/NumPy's <c>safetensors</c>; reading validates every offset, so a truncated or corrupt file
/// is reported and nothing is half-loaded.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeader = 100_000_000;

    /// <summary>
    /// Writes every parameter of <paramref name="model"/>; see <see cref="Write"/>. A model holding NaN or ±∞ (diverged)
    /// throws <see cref="NonFiniteStateException"/> and <paramref name="path"/> is left as it was.
    /// </summary>
    public static void Save(this IModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        model.EnsureFinite($"saving {path}");
        var meta = new Dictionary<string, string> { ["format"] = "funcreg", ["model"] = model.Spec.ToString() };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
        {
            meta[k] = v;
        }
        Write(path, model.Parameters.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())), meta);
    }

    /// <summary>
    /// Loads parameters saved by <see cref="Save"/>: names and shapes must match the model's exactly;
    /// everything is checked before any parameter is overwritten.
    /// </summary>
    public static void Load(this IModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (tensors, _) = Read(path);
        var byName = tensors.ToDictionary(t => t.Name);
        foreach (Parameter p in model.Parameters)
        {
            if (!byName.TryGetValue(p.Name, out NamedTensor? t))
            {
                throw new CheckpointFormatException($"{path}: tensor '{p.Name}' is missing; the file holds {string.Join(", ", byName.Keys)}.");
            }
            if (!t.Shape.SequenceEqual(p.Shape))
            {
                throw new CheckpointFormatException($"{path}: '{p.Name}' has shape [{string.Join(", ", t.Shape)}], the model needs [{string.Join(", ", p.Shape)}].");
            }
        }
        string[] extra = [.. byName.Keys.Except(model.Parameters.Select(p => p.Name))];
        if (extra.Length > 0)
        {
            throw new CheckpointFormatException($"{path}: tensors {string.Join(", ", extra)} do not belong to this model ({model.Spec}).");
        }
        foreach (Parameter p in model.Parameters)
        {
            byName[p.Name].Values.CopyTo(p.Values);
        }
    }

    /// <summary>Writes tensors atomically and durably: to <c>path.tmp</c>, flushed to disk, renamed over <paramref name="path"/>, and the directory flushed.</summary>
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = Serialize(tensors, metadata);
        string full = System.IO.Path.GetFullPath(path);
        string? dir = System.IO.Path.GetDirectoryName(full);
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        string tmp = full + ".tmp";
        AtomicFile.WriteTemporary(tmp, bytes);
        File.Move(tmp, full, overwrite: true);
        if (dir is not null)
        {
            AtomicFile.FlushDirectory(dir); // the rename is durable too, not only the bytes
        }
    }

    /// <summary>The whole file as bytes: header length, JSON header padded to 8 bytes, little-endian F32 data.</summary>
    internal static byte[] Serialize(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        List<NamedTensor> list = [.. tensors];
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata)
                {
                    json.WriteString(k, v);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (NamedTensor t in list)
            {
                long bytes = (long)t.Values.Length * sizeof(float);
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }
        using var file = new MemoryStream();
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        file.Write(len);
        header.Position = 0;
        header.CopyTo(file);
        foreach (NamedTensor t in list)
        {
            if (BitConverter.IsLittleEndian)
            {
                file.Write(MemoryMarshal.AsBytes(t.Values.AsSpan()));
            }
            else
            {
                var b = new byte[4];
                foreach (float v in t.Values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(b, v);
                    file.Write(b);
                }
            }
        }
        return file.ToArray();
    }

    /// <summary>Reads and validates a whole safetensors file of F32 tensors.</summary>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"weights file {path} does not exist.", path);
        }
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
        {
            throw new CheckpointFormatException($"{path}: {length} bytes is more than the {Array.MaxLength} bytes FuncReg reads from a weights file.") { Path = path };
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Validates and decodes the bytes of a safetensors file; <paramref name="path"/> names it in errors. What is
    /// accepted is listed on <see cref="SafeTensorsReader"/>: a header of at most 100 MB, strict UTF-8 JSON,
    /// data offsets that tile the data exactly, finite values.
    /// </summary>
    internal static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(byte[] bytes, string path) =>
        SafeTensorsReader.Parse(bytes, path, MaxHeader);
}
