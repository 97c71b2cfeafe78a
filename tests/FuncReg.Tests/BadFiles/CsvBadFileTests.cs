using System.Text;
using FuncReg.Tests.Data;

namespace FuncReg.Tests.BadFiles;

/// <summary>
/// Issue 12's CSV findings: bytes that are not UTF-8 and NUL bytes reached the data set as replacement characters or
/// column names; now the file is checked as strict UTF-8 text first and every problem is a <see cref="DataFormatException"/>.
/// </summary>
public sealed class CsvBadFileTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private DataFormatException Rejected(byte[] bytes, string fragment)
    {
        string path = files.Write("bad.csv", bytes);
        var e = Assert.Throws<DataFormatException>(() => CsvData.Load(path, 1));
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Invalid_utf8_in_the_header_names_the_offset_and_line()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("ab,label\n1,0\n");
        bytes[1] = 0xFF;
        var e = Rejected(bytes, "line 1 holds byte 0xFF, which is not valid UTF-8");
        Assert.Equal(1, e.Offset);
    }

    [Fact]
    public void Invalid_utf8_in_a_quoted_cell_is_rejected()
    {
        byte[] bytes = [.. "a,label\n\"1"u8, 0xC3, .. "\",0\n"u8];
        Assert.Equal(10, Rejected(bytes, "line 2 holds byte 0xC3").Offset);
    }

    [Fact]
    public void A_nul_byte_in_the_header_is_rejected()
    {
        var e = Rejected([.. "a"u8, 0, .. ",label\n1,0\n"u8], "NUL");
        Assert.Equal(1, e.Offset);
    }

    [Fact]
    public void A_cell_with_a_line_break_is_shown_on_one_line() =>
        Rejected("a,label\n\"1\r2\",0\n"u8.ToArray(), "column \"a\" holds \"1\\u000D2\"");

    [Fact]
    public void Utf16_with_a_byte_order_mark_is_read()
    {
        string path = files.Write("utf16.csv", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("a,label\n1.5,1\n")).ToArray());
        Dataset d = CsvData.Load(path, "label");
        Assert.Equal([1.5f], d.Features.ToArray());
    }

    [Fact]
    public void Broken_utf16_is_rejected() => Rejected([0xFF, 0xFE, (byte)'a', 0, 0x00, 0xD8, (byte)',', 0], "not valid UTF-16");

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        string path = files.Write("bom.csv", [0xEF, 0xBB, 0xBF, .. "a,label\n2,1\n"u8]);
        Assert.Equal([2f], CsvData.Load(path, "label").Features.ToArray());
    }
}
