using System.Buffers.Binary;
using System.IO.Compression;
using FuncReg.Tests.Data;

namespace FuncReg.Tests.BadFiles;

/// <summary>
/// Issue 12's IDX findings: gzip files with a damaged or extended trailer were accepted, a gzip bomb was decompressed
/// whole, and headers whose sizes overflow int reached the data set (a divide by zero later).
/// </summary>
public sealed class IdxBadFileTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] LabelBytes(params byte[] labels) => DataFixtures.IdxBytes(Idx.LabelsMagic, [labels.Length], labels);

    private DataFormatException Rejected(byte[] file, string fragment, long? offset = null)
    {
        string path = files.Write("bad-idx", file);
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Equal(offset, e.Offset);
        return e;
    }

    [Fact]
    public void Garbage_after_the_gzip_member_is_rejected() =>
        Rejected([.. Gzip(LabelBytes(1, 2, 3)), .. "garbage!"u8], "gzip trailer");

    [Fact]
    public void A_few_bytes_after_the_gzip_member_are_rejected() =>
        Rejected([.. Gzip(LabelBytes(1, 2, 3)), 0, 0, 0], "gzip trailer");

    [Fact]
    public void A_truncated_gzip_trailer_is_rejected()
    {
        byte[] gz = Gzip(LabelBytes(1, 2, 3));
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(files.Write("cut", gz[..^4])));
        Assert.Contains("gzip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concatenated_gzip_members_are_rejected_as_not_single_member() =>
        Rejected([.. Gzip(LabelBytes(1, 2, 3)[..5]), .. Gzip(LabelBytes(1, 2, 3)[5..])], "single-member");

    [Fact]
    public void A_gzip_bomb_is_not_decompressed_beyond_what_the_header_announces()
    {
        // header: 1 label; then 64 MiB of zeros that compress to ~64 KiB
        var data = new byte[64 << 20];
        LabelBytes(7).CopyTo(data, 0);
        string path = files.Write("bomb", Gzip(data));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("continues past the 9 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(9, e.Offset);
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated to reject a 9-byte file's bomb");
    }

    [Fact]
    public void Rows_times_cols_overflowing_int_with_zero_images_is_a_format_error()
    {
        // 2³⁰ × 2³⁰ wrapped to 0 values per sample: the data set divided by zero later
        string images = files.Write("img", DataFixtures.IdxBytes(Idx.ImagesMagic, [0, 1 << 30, 1 << 30], []));
        string labels = files.Labels("lbl", []);
        var e = Assert.Throws<DataFormatException>(() => Idx.Load(images, labels));
        Assert.Equal(8, e.Offset);
        Assert.Contains($"exceed the {Idx.MaxImagePixels} pixels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_larger_than_the_pixel_limit_is_a_format_error()
    {
        string images = files.Write("img", DataFixtures.IdxBytes(Idx.ImagesMagic, [0, 5000, 5000], []));
        Assert.Equal(8, Assert.Throws<DataFormatException>(() => Idx.ReadImages(images)).Offset);
    }

    [Fact]
    public void More_bytes_in_all_than_an_array_holds_is_reported_at_the_count()
    {
        // 2²⁰ images of 2048 × 2048 (within the per-image limit): 2⁴² bytes
        string images = files.Write("img", DataFixtures.IdxBytes(Idx.ImagesMagic, [1 << 20, 2048, 2048], []));
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(images));
        Assert.Equal(4, e.Offset);
        Assert.Contains("one array can hold", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_gzip_files_with_any_header_fields_still_load()
    {
        byte[] gz = Gzip(LabelBytes(4, 5));
        gz[4] = 0x12; // MTIME
        gz[9] = 3;    // OS: Unix
        Assert.Equal([4, 5], Idx.ReadLabels(files.Write("ok", gz)));
    }
}
