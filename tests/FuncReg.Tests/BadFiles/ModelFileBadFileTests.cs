using System.Text;
using FuncReg.Cli;
using FuncReg.Tests.Data;

namespace FuncReg.Tests.BadFiles;

/// <summary>
/// Issue 12's JSON model findings: bytes that are not UTF-8, layers that are not objects, lone surrogate escapes and
/// numbers that overflow crashed the reader; flags with values other than true and repeated properties were accepted.
/// Each now throws <see cref="ModelFileException"/> naming the file and the JSON path (or byte offset).
/// </summary>
public sealed class ModelFileBadFileTests : IDisposable
{
    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private const string Head = "{\"inputs\": 2, \"layers\": [";

    private static string Dense(string extra = "") => "{\"type\": \"dense\", \"units\": 2, \"activation\": \"softmax\"" + extra + "}";

    private ModelFileException Rejected(byte[] bytes, string jsonPath, string fragment)
    {
        string path = files.Write("model.json", bytes);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Equal(path, e.File);
        Assert.Equal(jsonPath, e.JsonPath);
        Assert.StartsWith($"{path}: {jsonPath}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        return e;
    }

    private ModelFileException Rejected(string json, string jsonPath, string fragment) => Rejected(Encoding.UTF8.GetBytes(json), jsonPath, fragment);

    [Fact]
    public void Invalid_utf8_names_the_byte_offset()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Head + Dense() + "]}");
        int at = Array.IndexOf(bytes, (byte)'s', 30); // inside "softmax"
        bytes[at] = 0xFF;
        Rejected(bytes, $"byte offset {at}", "0xFF is not valid UTF-8");
    }

    [Fact]
    public void Invalid_utf8_in_a_property_name_names_the_byte_offset()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Head + Dense() + "]}");
        bytes[2] = 0xC0; // "inputs" → an overlong lead byte
        Rejected(bytes, "byte offset 2", "not valid UTF-8");
    }

    [Theory]
    [InlineData("5", "got 5")]
    [InlineData("\"dense\"", "got \"dense\"")]
    [InlineData("[1, 2]", "got [1, 2]")]
    [InlineData("null", "got null")]
    public void A_layer_that_is_not_an_object_names_its_index(string layer, string fragment) =>
        Rejected(Head + Dense() + ", " + layer + "]}", "$.layers[1]", fragment);

    [Theory]
    [InlineData("\"x\"", "expected true, got \"x\"")]
    [InlineData("1", "expected true, got 1")]
    [InlineData("false", "remove the constraint")]
    public void Unit_norm_must_be_true(string value, string fragment) =>
        Rejected(Head + Dense(", \"kernel_constraint\": {\"unit_norm\": " + value + "}") + "]}", "$.layers[0].kernel_constraint.unit_norm", fragment);

    [Fact]
    public void Non_neg_must_be_true() =>
        Rejected(Head + Dense(", \"bias_constraint\": {\"non_neg\": 5}") + "]}", "$.layers[0].bias_constraint.non_neg", "expected true, got 5");

    [Fact]
    public void A_property_given_twice_is_rejected() =>
        Rejected(Head + Dense(", \"units\": 3") + "]}", "$.layers[0].units", "more than once");

    [Fact]
    public void A_lone_surrogate_escape_is_rejected() =>
        Rejected(Head + "{\"type\": \"den\\uD800se\", \"units\": 2}]}", "$.layers[0].type", "lone surrogate");

    [Fact]
    public void A_lone_surrogate_escape_in_a_name_is_rejected() =>
        Rejected(Head + "{\"type\": \"dense\", \"un\\uDC00its\": 2}]}", "$.layers[0]", "lone surrogate");

    [Theory]
    [InlineData("1e999")]
    [InlineData("-1e400")]
    public void A_number_beyond_double_is_rejected(string number) =>
        Rejected(Head + Dense() + "], \"label_smoothing\": " + number + "}", "$.label_smoothing", "expected a finite number");

    [Fact]
    public void An_input_shape_whose_size_overflows_int_is_rejected() =>
        Rejected("{\"input_shape\": [65536, 65536, 1], \"layers\": [{\"type\": \"flatten\"}, " + Dense() + "]}", "$.input_shape", "65536 × 65536 × 1 = 4294967296 values per sample");

    [Fact]
    public void Units_too_large_for_one_tensor_are_rejected() =>
        Rejected(Head + "{\"type\": \"dense\", \"units\": 2000000000}]}", "$.layers[0]", "dense_0: a kernel of 2 × 2000000000 = 4000000000 weights exceeds the 2147483591 elements one tensor can hold; use fewer units.");

    [Fact]
    public void A_same_padded_kernel_of_int_max_is_rejected() =>
        Rejected("{\"input_shape\": [28, 28, 1], \"layers\": [{\"type\": \"conv2d\", \"filters\": 4, \"kernel_size\": 2147483647, \"padding\": \"same\"}, {\"type\": \"flatten\"}, " + Dense() + "]}", "$.layers[0]", "conv2d_0: a kernel of 2147483647 × 2147483647 × 1 × 4");

    [Fact]
    public void A_long_value_is_shown_short_and_on_one_line() =>
        Rejected(Head + Dense() + "], \"loss\": {\n\"a\": [1,\n2, 3]}}", "$.loss", "expected a string, got an object");

    [Fact]
    public void A_byte_order_mark_is_skipped()
    {
        string path = files.Write("bom.json", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Head + Dense() + "]}")]);
        Assert.Equal(2, ModelFile.Load(path).Outputs);
    }
}
