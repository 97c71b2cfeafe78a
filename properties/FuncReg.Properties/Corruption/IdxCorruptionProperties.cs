using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using FuncReg.Properties.Support;
using Xunit.Abstractions;

namespace FuncReg.Properties.Corruption;

/// <summary>A 32-bit big-endian header field of the decompressed IDX bytes (offset <c>Offset</c>) set to <c>Value</c>, before compression.</summary>
internal sealed record IdxField(int Offset, int Value) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        if (Offset + 4 <= b.Length)
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(Offset), Value);
        }
        return b;
    }
}

/// <summary>Changes to a gzip file as a whole: a second member, a copy of the trailer, bits of the FLG byte, the trailer cut.</summary>
internal sealed record GzipEdit(int Kind, int Value) : Corruption
{
    public override byte[] Apply(byte[] bytes) => (Kind % 5) switch
    {
        0 => [.. bytes, .. IdxCorruptionProperties.Gzip([(byte)Value])],    // a concatenated member
        1 => [.. bytes, .. bytes[^8..]],                                     // the trailer twice
        2 => Flag(bytes, (byte)(1 << (Value & 7))),                          // FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT, reserved
        3 => bytes[..^(1 + (Value % 8))],                                    // part of the trailer missing
        _ => [.. bytes[..^8], .. bytes[^4..], .. bytes[^8..^4]],             // CRC and ISIZE swapped
    };

    private static byte[] Flag(byte[] bytes, byte bit)
    {
        byte[] b = [.. bytes];
        b[3] ^= bit;
        return b;
    }
}

/// <summary>An IDX image file and its label file (either gzip-compressed), and a corruption of one of them.</summary>
internal sealed record IdxCase(int N, int Rows, int Cols, byte[] Pixels, byte[] Labels, bool GzipImages, bool GzipLabels, bool CorruptImages, bool BeforeCompression, Corruption Corruption)
{
    public byte[] ImageBytes() => [.. Header(0x803, N, Rows, Cols), .. Pixels];

    public byte[] LabelBytes() => [.. Header(0x801, N), .. Labels];

    public static byte[] Header(params int[] fields)
    {
        var b = new byte[4 * fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 * i), fields[i]);
        }
        return b;
    }

    public override string ToString() => Dump.Of(this);
}

/// <summary>
/// Seeded corruption fuzzer of <see cref="Idx.Load"/>: a valid image file and label file (plain or gzip, each at random),
/// one of them corrupted — its stored bytes (byte-level corruptions of the plain or compressed file), or its decompressed
/// bytes before compression (byte-level corruptions and header fields set to edge values: counts, sizes whose product
/// overflows, the other magic number), or the gzip file as a whole (a second member, the trailer twice or cut, FLG bits).
/// <para>
/// Oracle: the loader either throws <see cref="DataFormatException"/> (or <see cref="FileNotFoundException"/>) with a
/// non-empty one-line message naming the corrupted file, or accepts; an accepted mutant must be decoded faithfully and
/// completely: its (decompressed) content is exactly the header the reader decoded (magic, count, rows, cols) followed by
/// the values it returned, the data set has that count and sample shape [rows, cols, 1], every label is below the 10
/// classes asked for and every feature in [0, 1]. A gzip file corrupted after compression must decompress to the original
/// content (its CRC-32 and size are checked). A plain IDX file has no checksum, so a corruption that leaves it well formed
/// (a changed pixel or label, or a header still consistent with the length, such as rows and cols of an empty file) is
/// accepted and counted apart ("values changed", "another well-formed header").
/// </para>
/// </summary>
public sealed class IdxCorruptionProperties(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 600;

    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-fuzz-idx-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }

    private static Gen<Corruption> Fields =>
        from offset in Gen.Elements(0, 4, 8, 12)
        from value in Gen.Elements(0, 1, -1, 2, 3, 5, 0x801, 0x803, 0x802, 0x0803_0000, 1 << 12, 5000, 1 << 16, 1 << 30, int.MaxValue, int.MinValue)
        select (Corruption)new IdxField(offset, value);

    private static Gen<IdxCase> Files =>
        from n in Gen.Choose(0, 4)
        from rows in Gen.Choose(1, 6)
        from cols in Gen.Choose(1, 6)
        from pixels in CorruptionGens.AnyByte.ArrayOf(n * rows * cols)
        from labels in Gen.Choose(0, 9).Select(l => (byte)l).ArrayOf(n)
        from gzipImages in Gen.Elements(true, false)
        from gzipLabels in Gen.Elements(true, false)
        from corruptImages in Gen.Elements(true, false)
        from before in Gen.Elements(true, false)
        from corruption in before
            ? Gen.Frequency((3, CorruptionGens.Bytewise), (2, Fields))
            : Gen.Frequency((4, CorruptionGens.Bytewise), (1, from k in Gen.Choose(0, 4) from v in Gen.Choose(0, 255) select (Corruption)new GzipEdit(k, v)))
        select new IdxCase(n, rows, cols, pixels, labels, gzipImages, gzipLabels, corruptImages, before, corruption);

    [Fact]
    public void Corrupted_idx_files_are_rejected_with_a_typed_error_or_differ_only_in_values()
    {
        var run = new FuzzRun("IDX", output);
        string images = Path.Combine(dir, "images-idx3-ubyte"), labels = Path.Combine(dir, "labels-idx1-ubyte");
        var clock = Stopwatch.StartNew();
        Run.CheckPinned(Prop.ForAll(Files.ToArbitrary(), c =>
        {
            byte[] imageFile = Stored(c.ImageBytes(), c.GzipImages, c.CorruptImages ? c : null);
            byte[] labelFile = Stored(c.LabelBytes(), c.GzipLabels, c.CorruptImages ? null : c);
            File.WriteAllBytes(images, imageFile);
            File.WriteAllBytes(labels, labelFile);
            string corrupted = c.CorruptImages ? images : labels;
            Dataset? d = run.Read(corrupted, () => Idx.Load(images, labels, PixelScaling.UnitInterval, classes: 10), typeof(DataFormatException));
            if (d is null)
            {
                return;
            }
            var (pixels, n, rows, cols) = Idx.ReadImages(images);
            byte[] read = Idx.ReadLabels(labels);
            if (d.Count != n || read.Length != n || !d.SampleShape.SequenceEqual([rows, cols, 1]) || d.Labels.ToArray().Any(l => l is < 0 or >= 10) || d.Features.ToArray().Any(f => f is < 0 or > 1))
            {
                throw new FuzzFailure($"garbage accepted: {d.Count} samples of [{string.Join(", ", d.SampleShape)}] from {n} × {rows} × {cols} with {read.Length} labels");
            }
            bool gzip = c.CorruptImages ? c.GzipImages : c.GzipLabels;
            byte[] mutant = c.CorruptImages ? imageFile : labelFile;
            byte[] content = gzip ? Gunzip(mutant) : mutant;
            byte[] original = c.CorruptImages ? c.ImageBytes() : c.LabelBytes();
            byte[] decoded = c.CorruptImages ? [.. Header(0x803, n, rows, cols), .. pixels] : [.. Header(0x801, read.Length), .. read];
            if (!content.AsSpan().SequenceEqual(decoded))
            {
                throw new FuzzFailure("garbage accepted: the file's content is not the header and values the reader returned (a byte unaccounted for or misread)");
            }
            if (gzip && !c.BeforeCompression && !content.AsSpan().SequenceEqual(original))
            {
                throw new FuzzFailure("garbage accepted: a corrupted gzip file decompressed to other data (its CRC-32 should have caught it)");
            }
            int header = c.CorruptImages ? 16 : 8;
            run.Note(content.AsSpan().SequenceEqual(original) ? "same data"
                : content.Length == original.Length && content.AsSpan(0, header).SequenceEqual(original.AsSpan(0, header)) ? "values changed"
                : "another well-formed header");
        }), Cases, seed: 0x1D_C0DE, gamma: 0x3C6E_F372);
        run.Report(500, clock.Elapsed);
    }

    private static byte[] Header(params int[] fields) => IdxCase.Header(fields);

    /// <summary>The oracle's own decompression (GZipStream reads any number of members).</summary>
    private static byte[] Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The file's bytes: plain or gzip, with <paramref name="c"/>'s corruption applied before or after compression.</summary>
    private static byte[] Stored(byte[] content, bool gzip, IdxCase? c)
    {
        if (c is not null && (c.BeforeCompression || !gzip))
        {
            content = c.Corruption.Apply(content);
        }
        byte[] stored = gzip ? Gzip(content) : content;
        return c is not null && !c.BeforeCompression && gzip ? c.Corruption.Apply(stored) : stored;
    }
}
