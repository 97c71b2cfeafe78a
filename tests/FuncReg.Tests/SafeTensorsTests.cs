using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace FuncReg.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static ReferenceModel NewModel(long seed = 1) => Reference.Build(TestData.SmallClassifier(), seed);

    private string File(string name) => Path.Combine(dir, name);

    /// <summary>A safetensors file from a header string and raw data, padded as the spec says unless told otherwise.</summary>
    private static byte[] Raw(string header, byte[] data, ulong? headerLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        int padded = (h.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)padded);
        h.CopyTo(bytes, 8);
        bytes.AsSpan(8 + h.Length, padded - h.Length).Fill((byte)' ');
        data.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    private static byte[] Floats(params float[] values)
    {
        var b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), values[i]);
        }
        return b;
    }

    private static string Entry(string name, string dtype, int[] shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    /// <summary>A header for the model's parameters, each entry transformable, plus matching data.</summary>
    private static (string Header, byte[] Data) ModelFile(IModel model, Func<Parameter, long, string?>? entry = null, params string[] extra)
    {
        var parts = new List<string>();
        var data = new List<byte>();
        long offset = 0;
        foreach (Parameter p in model.Parameters)
        {
            string? e = entry is null ? Entry(p.Name, "F32", [.. p.Shape], offset, offset + (p.Length * 4)) : entry(p, offset);
            if (e is not null)
            {
                parts.Add(e);
                data.AddRange(Floats(p.Values.ToArray()));
                offset += p.Length * 4;
            }
        }
        parts.AddRange(extra);
        return ("{" + string.Join(",", parts) + "}", [.. data]);
    }

    [Fact]
    public void Round_trip_restores_every_bit()
    {
        var model = NewModel();
        model.Parameters[1].Values[0] = -0f;
        model.Parameters[1].Values[1] = float.Epsilon;
        model.Parameters[1].Values[2] = float.MaxValue;
        float[][] saved = model.GetWeights();
        string path = File("net.safetensors");
        model.Save(path, new Dictionary<string, string> { ["note"] = "round trip" });

        foreach (Parameter p in model.Parameters)
        {
            p.Values.Fill(7f);
        }
        model.Load(path);
        Assert.True(TestData.SameBits(saved, model.GetWeights()));

        var (tensors, meta) = SafeTensors.Read(path);
        Assert.Equal(model.Parameters.Select(p => p.Name), tensors.Select(t => t.Name));
        Assert.Equal("funcreg", meta["format"]);
        Assert.Equal("round trip", meta["note"]);
        Assert.Equal(model.Spec.ToString(), meta["model"]);

        var other = NewModel(seed: 99);
        Assert.False(TestData.SameBits(saved, other.GetWeights()));
        other.Load(path);
        Assert.True(TestData.SameBits(saved, other.GetWeights()));
    }

    [Fact]
    public void File_layout_follows_the_safetensors_spec()
    {
        var model = NewModel();
        string path = File("layout.safetensors");
        model.Save(path);
        byte[] bytes = System.IO.File.ReadAllBytes(path);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.True(8 + (long)n <= bytes.Length);
        string headerText = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", headerText, StringComparison.Ordinal);
        Assert.Equal(headerText.TrimEnd(' ').Length, headerText.TrimEnd().Length); // padding is spaces only
        using JsonDocument doc = JsonDocument.Parse(headerText);
        var data = bytes.AsSpan(8 + (int)n);

        JsonElement meta = doc.RootElement.GetProperty("__metadata__");
        Assert.All(meta.EnumerateObject(), m => Assert.Equal(JsonValueKind.String, m.Value.ValueKind));

        var entries = doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(model.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        var ranges = new List<(long Begin, long End)>();
        foreach (Parameter p in model.Parameters)
        {
            JsonElement e = doc.RootElement.GetProperty(p.Name);
            Assert.Equal(["data_offsets", "dtype", "shape"], e.EnumerateObject().Select(x => x.Name).Order(StringComparer.Ordinal));
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(p.Shape, e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
            long[] off = [.. e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64())];
            Assert.Equal(2, off.Length);
            Assert.Equal(p.Length * 4L, off[1] - off[0]);
            ranges.Add((off[0], off[1]));
            for (int i = 0; i < p.Length; i++)
            {
                Assert.Equal(p.Values[i], BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)off[0] + (i * 4), 4)));
            }
        }
        ranges.Sort();
        Assert.Equal(0, ranges[0].Begin);
        for (int i = 1; i < ranges.Count; i++)
        {
            Assert.Equal(ranges[i - 1].End, ranges[i].Begin); // contiguous, no overlap, no holes
        }
        Assert.Equal(data.Length, ranges[^1].End);
    }

    [Fact]
    public void Reads_a_file_written_by_hand()
    {
        string path = File("hand.safetensors");
        string header = "{\"__metadata__\":{\"source\":\"test\"}," + Entry("b", "F32", [1, 2], 8, 16) + "," + Entry("a", "F32", [2], 0, 8) + "}";
        System.IO.File.WriteAllBytes(path, Raw(header, Floats(1f, -2f, 0.5f, 3e-8f)));
        var (tensors, meta) = SafeTensors.Read(path);
        Assert.Equal("test", meta["source"]);
        NamedTensor a = tensors.Single(t => t.Name == "a"), b = tensors.Single(t => t.Name == "b");
        Assert.Equal([2], a.Shape);
        Assert.Equal([1f, -2f], a.Values);
        Assert.Equal([1, 2], b.Shape);
        Assert.Equal([0.5f, 3e-8f], b.Values);
    }

    public static TheoryData<string> Corruptions() =>
    [
        "truncated data", "truncated header", "too short", "huge header length", "header length past the end", "malformed json",
        "header not an object", "wrong dtype", "wrong shape", "missing tensor", "extra tensor", "overlapping offsets",
        "offsets past the data", "offsets not matching the shape", "entry not an object", "shape not numbers", "missing dtype",
        "metadata not an object", "metadata value not a string", "duplicate tensor",
    ];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_files_are_reported_and_change_nothing(string kind)
    {
        var model = NewModel();
        string good = File("good.safetensors");
        model.Save(good);
        byte[] valid = System.IO.File.ReadAllBytes(good);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        Parameter k0 = model.Parameters[0];

        (byte[] Bytes, string Fragment) file = kind switch
        {
            "truncated data" => (valid[..^4], "truncated"),
            "truncated header" => (valid[..(8 + (headerLength / 2))], "header length"),
            "too short" => (valid[..5], "too short"),
            "huge header length" => (WithLength(valid, 1UL << 40), "header length"),
            "header length past the end" => (WithLength(valid, (ulong)valid.Length), "header length"),
            "malformed json" => (Raw("{\"dense_0.kernel\": {\"dtype\": \"F32\",", []), "malformed"),
            "header not an object" => (Raw("[1, 2, 3]", []), "not a JSON object"),
            "wrong dtype" => (Raw(ModelFile(model, (p, o) => Entry(p.Name, p == k0 ? "F16" : "F32", [.. p.Shape], o, o + (p.Length * 4)))), "dtype F16"),
            "wrong shape" => (Raw(ModelFile(model, (p, o) => Entry(p.Name, "F32", p == k0 ? [p.Shape[1], p.Shape[0]] : [.. p.Shape], o, o + (p.Length * 4)))), "shape [8, 2]"),
            "missing tensor" => (Raw(ModelFile(model, (p, o) => p.Name == "dense_1.bias" ? null : Entry(p.Name, "F32", [.. p.Shape], o, o + (p.Length * 4)))), "'dense_1.bias' is missing"),
            "extra tensor" => (Raw(ExtraTensor(model)), "dense_9.kernel"),
            "overlapping offsets" => (Raw(ModelFile(model, (p, o) => Entry(p.Name, "F32", [.. p.Shape], p == k0 ? 0 : o - 4, p == k0 ? p.Length * 4 : o - 4 + (p.Length * 4)))), "overlap"),
            "offsets past the data" => (Raw(ModelFile(model, (p, o) => Entry(p.Name, "F32", [.. p.Shape], o + 1000, o + 1000 + (p.Length * 4)))), "data_offsets"),
            "offsets not matching the shape" => (Raw(ModelFile(model, (p, o) => Entry(p.Name, "F32", [.. p.Shape], o, o + (p.Length * 4) - (p == k0 ? 4 : 0)))), "do not fit shape"),
            "entry not an object" => (Raw(ModelFile(model, (p, o) => p == k0 ? $"\"{p.Name}\": 5" : Entry(p.Name, "F32", [.. p.Shape], o, o + (p.Length * 4)))), "dense_0.kernel"),
            "shape not numbers" => (Raw(ModelFile(model, (p, o) => p == k0 ? $"\"{p.Name}\":{{\"dtype\":\"F32\",\"shape\":[\"2\",\"8\"],\"data_offsets\":[{o},{o + 64}]}}" : Entry(p.Name, "F32", [.. p.Shape], o, o + (p.Length * 4)))), "dense_0.kernel"),
            "missing dtype" => (Raw(ModelFile(model, (p, o) => p == k0 ? $"\"{p.Name}\":{{\"shape\":[2,8],\"data_offsets\":[{o},{o + 64}]}}" : Entry(p.Name, "F32", [.. p.Shape], o, o + (p.Length * 4)))), "dense_0.kernel"),
            "metadata not an object" => (Raw(ModelFile(model, null, "\"__metadata__\": 5")), "__metadata__"),
            "metadata value not a string" => (Raw(ModelFile(model, null, "\"__metadata__\": {\"epoch\": 3}")), "__metadata__"),
            "duplicate tensor" => (Raw(DuplicateTensor(model)), "dense_0.kernel"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        string path = File("corrupt.safetensors");
        System.IO.File.WriteAllBytes(path, file.Bytes);
        float[][] before = model.GetWeights();

        var e = Assert.Throws<CheckpointFormatException>(() => model.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(file.Fragment, e.Message, StringComparison.Ordinal);
        Assert.True(TestData.SameBits(before, model.GetWeights()), "a failed load changed the model");
    }

    private static byte[] Raw((string Header, byte[] Data) f) => Raw(f.Header, f.Data);

    private static byte[] WithLength(byte[] valid, ulong length)
    {
        byte[] b = [.. valid];
        BinaryPrimitives.WriteUInt64LittleEndian(b, length);
        return b;
    }

    private static (string, byte[]) ExtraTensor(IModel model)
    {
        var (header, data) = ModelFile(model);
        string extra = Entry("dense_9.kernel", "F32", [1], data.Length, data.Length + 4);
        return (header[..^1] + "," + extra + "}", [.. data, .. Floats(1f)]);
    }

    private static (string, byte[]) DuplicateTensor(IModel model)
    {
        var (header, data) = ModelFile(model);
        Parameter k0 = model.Parameters[0];
        string again = Entry(k0.Name, "F32", [.. k0.Shape], data.Length, data.Length + (k0.Length * 4));
        return (header[..^1] + "," + again + "}", [.. data, .. Floats(new float[k0.Length])]);
    }

    [Fact]
    public void Missing_file()
    {
        var model = NewModel();
        string path = File("nowhere.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => model.Load(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Atomic_write_leaves_no_temporary_file()
    {
        var model = NewModel();
        string path = Path.Combine(dir, "sub", "deeper", "w.safetensors");
        model.Save(path);
        model.Parameters[0].Values[0] += 1;
        model.Save(path); // overwrite
        Assert.Equal(["w.safetensors"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        var fresh = NewModel();
        fresh.Load(path);
        Assert.Equal(model.Parameters[0].Values[0], fresh.Parameters[0].Values[0]);
    }
}
