using System.Buffers.Binary;
using System.Text;

namespace FuncReg.Tests.BadFiles;

/// <summary>
/// Issue 12's safetensors findings, one file each: before the fix each was accepted (garbage loaded) or crashed with
/// an exception other than <see cref="CheckpointFormatException"/>.
/// </summary>
public sealed class SafeTensorsBadFileTests
{
    private const string Path = "bad.safetensors";

    /// <summary>A file from a literal header (padded with spaces to 8 unless <paramref name="pad"/> is given) and the data bytes.</summary>
    private static byte[] File(string header, byte[] data, byte pad = (byte)' ', bool align = true) => File(Encoding.UTF8.GetBytes(header), data, pad, align);

    private static byte[] File(byte[] header, byte[] data, byte pad = (byte)' ', bool align = true)
    {
        int padded = align ? (header.Length + 7) / 8 * 8 : header.Length;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padded - header.Length).Fill(pad);
        data.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    private static byte[] Floats(params float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private static string Entry(string name, string shape, long begin, long end, string extra = "") =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]{extra}}}";

    private static CheckpointFormatException Rejected(byte[] bytes, params string[] fragments)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Parse(bytes, Path));
        Assert.StartsWith($"{Path}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(Path, e.Path);
        foreach (string f in fragments)
        {
            Assert.Contains(f, e.Message, StringComparison.Ordinal);
        }
        return e;
    }

    [Fact]
    public void Invalid_utf8_in_a_tensor_name_is_a_format_error_with_its_offset()
    {
        byte[] header = Encoding.UTF8.GetBytes("{" + Entry("ab", "[1]", 0, 4) + "}");
        header[3] = 0xFF; // the 'b' of "ab"
        Rejected(File(header, Floats(1f)), "byte offset 11", "UTF-8");
    }

    [Fact]
    public void Invalid_utf8_in_a_metadata_value_is_a_format_error()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"k\":\"vv\"}," + Entry("a", "[1]", 0, 4) + "}");
        header[22] = 0xC3; // a lead byte followed by '"'
        Rejected(File(header, Floats(1f)), "UTF-8");
    }

    [Fact]
    public void A_lone_surrogate_escape_in_a_name_is_a_format_error() =>
        Rejected(File("{" + Entry("a\\uD800", "[1]", 0, 4) + "}", Floats(1f)), "lone surrogate");

    [Fact]
    public void A_header_length_one_short_that_would_shift_every_weight_is_rejected()
    {
        byte[] bytes = File("{" + Entry("a", "[2]", 0, 8) + "}", Floats(1f, 2f));
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal((byte)' ', bytes[8 + (int)n - 1]); // the header is padded, so a shorter length still parses
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, n - 1);
        Rejected(bytes, "belong to no tensor");
    }

    [Fact]
    public void Bytes_after_the_last_tensor_are_rejected() =>
        Rejected(File("{" + Entry("a", "[1]", 0, 4) + "}", Floats(1f, 2f)), "the tensors cover 4 of the 8 data bytes");

    [Fact]
    public void A_hole_between_tensors_is_rejected() =>
        Rejected(File("{" + Entry("a", "[1]", 0, 4) + "," + Entry("b", "[1]", 8, 12) + "}", Floats(1f, 2f, 3f)), "data bytes 4–8", "belong to no tensor");

    [Theory]
    [InlineData((byte)'\n')]
    [InlineData((byte)'\t')]
    [InlineData((byte)0)]
    public void Padding_other_than_spaces_is_rejected(byte pad) =>
        Rejected(File("{" + Entry("a", "[1]", 0, 4) + "}", Floats(1f), pad), "followed only by spaces");

    [Fact]
    public void A_header_that_does_not_start_with_a_brace_is_rejected() =>
        Rejected(File(" {" + Entry("a", "[1]", 0, 4) + "}", Floats(1f)), "must start with '{'");

    [Fact]
    public void An_unknown_key_in_a_tensor_entry_is_rejected() =>
        Rejected(File("{" + Entry("a", "[1]", 0, 4, ",\"scale\":2") + "}", Floats(1f)), "tensor 'a'", "unknown key \"scale\"");

    [Fact]
    public void A_key_given_twice_in_a_tensor_entry_is_rejected() =>
        Rejected(File("{" + Entry("a", "[1]", 0, 4, ",\"dtype\":\"F32\"") + "}", Floats(1f)), "\"dtype\" appears more than once");

    [Fact]
    public void A_shape_whose_element_count_overflows_is_rejected()
    {
        // 65536⁴ = 2⁶⁴ wraps to 0 in a long: the empty range [0, 0] used to "fit"
        Rejected(File("{" + Entry("a", "[65536,65536,65536,65536]", 0, 0) + "}", []), "tensor 'a'", "shape [65536, 65536, 65536, 65536]");
    }

    [Theory]
    [InlineData("[2.0]")]
    [InlineData("[2e0]")]
    [InlineData("[-0]")]
    public void Dimensions_must_be_plain_non_negative_integers(string shape) =>
        Rejected(File("{" + Entry("a", shape, 0, 8) + "}", Floats(1f, 2f)), "shape[0] must be an integer");

    [Fact]
    public void A_second_metadata_object_is_rejected() =>
        Rejected(File("{\"__metadata__\":{\"a\":\"1\"}," + Entry("a", "[1]", 0, 4) + ",\"__metadata__\":{\"a\":\"2\"}}", Floats(1f)), "__metadata__ appears more than once");

    [Fact]
    public void A_metadata_key_given_twice_is_rejected() =>
        Rejected(File("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}," + Entry("a", "[1]", 0, 4) + "}", Floats(1f)), "repeats the key \"a\"");

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Non_finite_values_are_rejected_naming_the_tensor_and_index(float bad, string shown)
    {
        byte[] bytes = File("{" + Entry("a", "[1]", 0, 4) + "," + Entry("b", "[3]", 4, 16) + "}", Floats(1f, 2f, bad, 4f));
        Rejected(bytes, $"tensor 'b' holds {shown} at flat index 1");
    }

    [Fact]
    public void A_file_as_python_writes_it_is_accepted()
    {
        // metadata last, tensors listed in another order than their data, a zero-size tensor, a scalar
        string header = "{" + Entry("w", "[2,1]", 4, 12) + "," + Entry("empty", "[0,3]", 12, 12) + "," + Entry("s", "[]", 0, 4) + ",\"__metadata__\":{\"format\":\"pt\",\"é\":\"→\"}}";
        var (tensors, metadata) = SafeTensors.Parse(File(header, Floats(5f, 1f, 2f)), Path);
        Assert.Equal(["w", "empty", "s"], tensors.Select(t => t.Name));
        Assert.Equal([1f, 2f], tensors[0].Values);
        Assert.Equal([0, 3], tensors[1].Shape);
        Assert.Empty(tensors[1].Values);
        Assert.Equal([5f], tensors[2].Values);
        Assert.Equal("→", metadata["é"]);
    }
}
