using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;
using Xunit.Abstractions;

namespace FuncReg.Properties.Corruption;

/// <summary>A valid safetensors file (a random model's parameters with metadata) and one corruption of it.</summary>
internal sealed record SafeTensorsCase(Sequential Spec, int Seed, string[] Metadata, Corruption Corruption)
{
    /// <summary>The file as <see cref="SafeTensors.Serialize"/> writes it: parameters in order, metadata format, model and the extras.</summary>
    public byte[] Valid()
    {
        ReferenceModel model = Reference.Build(Spec, Seed);
        var meta = new Dictionary<string, string> { ["format"] = "funcreg", ["model"] = Spec.ToString() };
        for (int i = 0; i < Metadata.Length; i++)
        {
            meta[$"note{i}"] = Metadata[i];
        }
        return SafeTensors.Serialize(model.Parameters.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())), meta);
    }

    public override string ToString() => $"SafeTensorsCase {{ Spec = {Spec}, Seed = {Seed}, Metadata = [{string.Join(", ", Metadata.Select(m => JsonSerializer.Serialize(m)))}], Corruption = {Corruption} }}";
}

/// <summary>
/// Seeded corruption fuzzer of <see cref="SafeTensors.Read"/>: valid files from random dense and convolutional models, each
/// corrupted once (byte and bit flips, truncation at any length, insertions, deletions, appended garbage, bytes that break
/// UTF-8, header-length changes, NaN/∞ written into the data, JSON-aware header edits re-padded to a correct length).
/// <para>
/// Oracle: the reader either throws <see cref="CheckpointFormatException"/> (or <see cref="FileNotFoundException"/>) with a
/// non-empty one-line message naming the file, or accepts; an accepted mutant must be accounted for byte by byte: written
/// again with <see cref="SafeTensors.Serialize"/> from the parsed tensors and metadata (in order) it gives exactly the
/// mutated bytes ("identical"), or — when the mutant spells its header differently, which JSON allows (whitespace inside
/// the object, \u escapes, keys in another order, <c>__metadata__</c> elsewhere or empty) — its header is one JSON object
/// followed only by spaces that is the same JSON value as the one written again (objects compared as maps, strings by
/// value, numbers by their digits; data_offsets aside), and its own data_offsets tile its data exactly with each range
/// holding the bytes of the tensor parsed under that name ("respelled").
/// Every accepted value must also be finite. Anything else is garbage accepted and fails the property.
/// </para>
/// </summary>
public sealed class SafeTensorsCorruptionProperties(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 800;

    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-fuzz-st-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly string[] Notes = ["", "plain", "é", "→ arrow", "\"quoted\"", "back\\slash", "<tag>&+'", "tab\there", "日本語", "😀", "line\nbreak"];

    private static Gen<Corruption> Corruptions => Gen.Frequency(
        (10, CorruptionGens.Bytewise),
        (2, from d in Gen.Elements(-16L, -9L, -8L, -2L, -1L, 1L, 2L, 7L, 8L, 16L) select (Corruption)new HeaderLength(d, null)),
        (1, from a in Gen.Elements(0UL, 1UL, 2UL, 100_000_001UL, 1UL << 40, ulong.MaxValue, 1UL << 63) select (Corruption)new HeaderLength(0, a)),
        (2, from p in CorruptionGens.Position
            from bits in Gen.Elements(0x7FC00000u, 0xFFC00000u, 0x7F800000u, 0xFF800000u, 0x7F800001u, 0x80000000u, 0x00000001u, 0x7F7FFFFFu)
            select (Corruption)new DataFloat(p, bits)),
        (6, from kind in Gen.Elements(Enum.GetValues<JsonEdits.Kind>())
            from target in CorruptionGens.Position
            from replacement in Gen.Choose(0, 1000)
            select (Corruption)new HeaderEdit(kind, target, replacement)));

    private static Gen<SafeTensorsCase> Files =>
        from spec in Gen.Frequency((3, SpecGens.Specs.Select(s => s.Spec)), (1, ConvGens.Specs.Select(s => s.Spec)))
        from seed in Gen.Choose(0, 1000)
        from count in Gen.Choose(0, 2)
        from notes in Gen.Elements(Notes).ArrayOf(count)
        from corruption in Corruptions
        select new SafeTensorsCase(spec, seed, notes, corruption);

    [Fact]
    public void Corrupted_files_are_rejected_with_a_typed_error_or_accounted_for_byte_by_byte()
    {
        var run = new FuzzRun("safetensors", output);
        string path = Path.Combine(dir, "weights.safetensors");
        var clock = Stopwatch.StartNew();
        Run.CheckPinned(Prop.ForAll(Files.ToArbitrary(), c =>
        {
            byte[] mutant = c.Corruption.Apply(c.Valid());
            File.WriteAllBytes(path, mutant);
            var read = run.Read(path, () => Tuple.Create(SafeTensors.Read(path)), typeof(CheckpointFormatException));
            if (read is not null)
            {
                run.Note(AccountFor(mutant, read.Item1.Tensors, read.Item1.Metadata));
            }
        }), Cases, seed: 0x5AFE_7E45, gamma: 0x9E37_79B9);
        run.Report(Cases, clock.Elapsed);
    }

    /// <summary>The oracle for an accepted mutant: "identical" or "respelled", or a <see cref="FuzzFailure"/> (garbage accepted).</summary>
    private static string AccountFor(byte[] mutant, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (tensors.FirstOrDefault(t => t.Values.Any(v => !float.IsFinite(v))) is { } bad)
        {
            throw new FuzzFailure($"garbage accepted: tensor '{bad.Name}' holds a non-finite value");
        }
        byte[] again = SafeTensors.Serialize(tensors, metadata);
        if (again.AsSpan().SequenceEqual(mutant))
        {
            return "identical";
        }
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(mutant), m = (int)BinaryPrimitives.ReadUInt64LittleEndian(again);
        ReadOnlySpan<byte> header = mutant.AsSpan(8, n);
        var reader = new Utf8JsonReader(header);
        reader.Read();
        reader.Skip();
        if (header[0] != (byte)'{' || header[(int)reader.BytesConsumed..].ContainsAnyExcept((byte)' '))
        {
            throw new FuzzFailure("garbage accepted: the header is not one JSON object followed by spaces");
        }
        using JsonDocument mine = JsonDocument.Parse(mutant.AsMemory(8, (int)reader.BytesConsumed));
        using JsonDocument theirs = JsonDocument.Parse(again.AsMemory(8, m));
        if (!SameJson(mine.RootElement, theirs.RootElement, root: true))
        {
            throw new FuzzFailure($"garbage accepted: the header {System.Text.Encoding.UTF8.GetString(header)} is not the JSON of what was parsed");
        }
        CheckData(mine.RootElement, mutant.AsSpan(8 + n), tensors);
        return "respelled";
    }

    /// <summary>The mutant's own offsets tile its data exactly, and each range holds the bytes of the tensor parsed under that name.</summary>
    private static void CheckData(JsonElement header, ReadOnlySpan<byte> data, IReadOnlyList<NamedTensor> tensors)
    {
        var ranges = new List<(long Begin, long End, string Name)>();
        foreach (JsonProperty p in header.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            long[] off = [.. p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64())];
            ranges.Add((off[0], off[1], p.Name));
        }
        long covered = 0;
        foreach (var (begin, end, name) in ranges.OrderBy(r => r.Begin).ThenBy(r => r.End))
        {
            if (begin != covered)
            {
                throw new FuzzFailure($"garbage accepted: data bytes {Math.Min(begin, covered)}–{Math.Max(begin, covered)} are unaccounted for or shared");
            }
            byte[] expected = [.. tensors.Single(t => t.Name == name).Values.SelectMany(BitConverter.GetBytes)];
            if (!data[(int)begin..(int)end].SequenceEqual(expected))
            {
                throw new FuzzFailure($"garbage accepted: the bytes of '{name}' are not the values parsed");
            }
            covered = end;
        }
        if (covered != data.Length)
        {
            throw new FuzzFailure($"garbage accepted: {data.Length - covered} data bytes at the end belong to no tensor");
        }
    }

    /// <summary>JSON value equality: objects as maps (an empty root <c>__metadata__</c> counts as none), arrays in order, strings by value, numbers by their text.</summary>
    private static bool SameJson(JsonElement a, JsonElement b, bool root = false)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                Dictionary<string, JsonElement> x = Members(a, root), y = Members(b, root);
                return x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out JsonElement q) && (p.Key == "data_offsets" || SameJson(p.Value, q)));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => SameJson(p.First, p.Second));
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return a.GetRawText() == b.GetRawText();
            default:
                return true;
        }
    }

    private static Dictionary<string, JsonElement> Members(JsonElement o, bool root)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty p in o.EnumerateObject())
        {
            bool emptyMetadata = root && p.Name == "__metadata__" && p.Value.ValueKind == JsonValueKind.Object && !p.Value.EnumerateObject().Any();
            if (!emptyMetadata && !members.TryAdd(p.Name, p.Value))
            {
                throw new FuzzFailure($"garbage accepted: the header repeats the key \"{p.Name}\"");
            }
        }
        return members;
    }
}
