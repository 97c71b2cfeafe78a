using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncReg.Cli;
using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;
using Xunit.Abstractions;

namespace FuncReg.Properties.Corruption;

/// <summary>A valid JSON model file (a random model in a random style) and one corruption of it.</summary>
internal sealed record ModelJsonCase(Sequential Spec, JsonStyle Style, Corruption Corruption)
{
    public byte[] Valid() => Encoding.UTF8.GetBytes(ModelJson.Text(ModelJson.Write(Spec, Style), Style));

    public override string ToString() => $"ModelJsonCase {{ Style = {Style}, Corruption = {Corruption}, Valid = {Encoding.UTF8.GetString(Valid())} }}";
}

/// <summary>A JSON-aware edit of a whole JSON model file (see <see cref="JsonEdits"/>, palette <see cref="ModelJsonCorruptionProperties.Palette"/>).</summary>
internal sealed record ModelJsonEdit(JsonEdits.Kind Kind, int Target, int Replacement) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        string json = Encoding.UTF8.GetString(bytes);
        string edited = Kind == JsonEdits.Kind.Text
            ? ModelJsonCorruptionProperties.TextEdits[Replacement % ModelJsonCorruptionProperties.TextEdits.Length](json)
            : JsonEdits.Edit(json, Kind, Target, Replacement, ModelJsonCorruptionProperties.Palette, ModelJsonCorruptionProperties.Names);
        return Encoding.UTF8.GetBytes(edited);
    }
}

/// <summary>
/// Seeded corruption fuzzer of the CLI's JSON model reader (<c>ModelFile.Load</c>): valid files written from random dense
/// and convolutional models with random constraints and initializers, complete or sparse, compact or indented, then
/// corrupted once (the byte-level corruptions, and JSON-aware edits: a value replaced by one of another kind or an edge
/// number, a property removed, renamed, repeated or added, an element appended, textual edits).
/// <para>
/// Oracle: the reader either throws <c>ModelFileException</c> (or <see cref="FileNotFoundException"/>) with a non-empty
/// one-line message naming the file, or accepts; an accepted mutant must say nothing that the parsed model does not hold:
/// the parsed <see cref="Sequential"/>, written back with every property (<see cref="ModelJson.Write"/>), must contain each
/// property of the mutant with an equal value (<see cref="ModelJson.Unheld"/>: numbers by value, enum strings as the reader
/// spells them, a null value as absent, the documented shorthands), and reading that complete file again must give the same
/// model. So no property is ignored, misread or defaulted while the file says otherwise.
/// </para>
/// </summary>
public sealed class ModelJsonCorruptionProperties(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 500;

    private readonly string dir = Directory.CreateTempSubdirectory("funcreg-fuzz-json-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static readonly string[] Palette =
    [
        "0", "1", "-1", "2", "0.5", "2.5", "3.0", "1e3", "1e999", "-1e999", "1e-400", "2147483647", "2147483648", "2000000000", "-2147483649",
        "\"\"", "\"relu\"", "\"SoftMax\"", "\"same\"", "\"he_normal\"", "\"x\"", "\"dense\"", "\"conv2d\"", "\"flatten\"", JsonEdits.LoneSurrogate,
        "true", "false", "null", "[]", "[1]", "[2,2]", "[1,2,3]", "[65536,65536,1]", "[\"a\"]", "{}", "{\"l2\":1}", "{\"unit_norm\":true}",
        "{\"unit_norm\":false}", "{\"non_neg\":\"yes\"}", "{\"max_norm\":3}", "{\"min_max_norm\":[2,1]}", "{\"type\":\"dense\",\"units\":2}",
    ];

    internal static readonly string[] Names =
    [
        "type", "units", "rate", "activation", "inputs", "input_shape", "layers", "loss", "kernel_size", "strides", "padding",
        "unit_norm", "l1", "l2", "alpha", "x", "", "Units",
    ];

    internal static readonly Func<string, string>[] TextEdits =
    [
        j => "\uFEFF" + j,                                        // a byte order mark
        j => "// model\n" + j,                                    // a comment (allowed)
        j => j.Replace("]", ",]", StringComparison.Ordinal),      // trailing commas (allowed)
        j => j + "x",                                             // text after the document
        j => "[" + j + "]",                                       // the model wrapped in an array
        j => j.Replace("\"type\"", "\"\\u0074ype\"", StringComparison.Ordinal), // an escaped letter in a name
        j => j.Replace(":", ":\n", StringComparison.Ordinal),     // line breaks
        j => j.Replace("\"dense\"", "\"DENSE\"", StringComparison.Ordinal),     // another spelling of a type
        j => j.Replace("\"relu\"", "\"re_lu\"", StringComparison.Ordinal),     // another spelling of an enum
        j => j.Replace("true", "1", StringComparison.Ordinal),    // a number for a flag
        j => j.Replace("{", "{\"units\":1,", StringComparison.Ordinal), // a property everywhere
    ];

    /// <summary>Constraints and initializers on the Dense and Conv2D layers of a generated spec (the generators leave them out).</summary>
    private static Gen<Sequential> Decorated(Sequential spec) =>
        from constraints in Gen.Elements<Constraint?>(null, null, new MaxNorm(3), new UnitNorm(), new NonNeg(), new MinMaxNorm(0.5, 2)).ArrayOf(spec.Layers.Count)
        from initializers in Gen.Elements(Enum.GetValues<Initializer>()).ArrayOf(spec.Layers.Count)
        select Decorate(spec, constraints, initializers);

    private static Sequential Decorate(Sequential spec, Constraint?[] constraints, Initializer[] initializers)
    {
        Layer[] layers = [.. spec.Layers.Select((l, i) => l switch
        {
            Dense d => d with { KernelConstraint = constraints[i], KernelInitializer = initializers[i] },
            Conv2D c => c with { BiasConstraint = constraints[i], BiasInitializer = initializers[i] },
            _ => l,
        })];
        Sequential decorated = Sequential.Of([.. spec.InputShape], spec.Loss, layers);
        return decorated with { FromLogits = spec.FromLogits, LabelSmoothing = spec.LabelSmoothing };
    }

    private static Gen<ModelJsonCase> Files =>
        from raw in Gen.Frequency((3, SpecGens.Specs.Select(s => s.Spec)), (1, ConvGens.Specs.Select(s => s.Spec)))
        from spec in Decorated(raw)
        from complete in Gen.Elements(true, false)
        from inputs in Gen.Elements(true, false)
        from pairs in Gen.Elements(true, false)
        from indented in Gen.Elements(true, false)
        from corruption in Gen.Frequency(
            (4, CorruptionGens.Bytewise),
            (5, from kind in Gen.Elements(Enum.GetValues<JsonEdits.Kind>())
                from target in CorruptionGens.Position
                from replacement in Gen.Choose(0, 1000)
                select (Corruption)new ModelJsonEdit(kind, target, replacement)))
        select new ModelJsonCase(spec, new JsonStyle(complete, inputs, pairs, indented), corruption);

    [Fact]
    public void Corrupted_model_files_are_rejected_with_a_typed_error_or_fully_honoured()
    {
        var run = new FuzzRun("model JSON", output);
        string path = Path.Combine(dir, "model.json"), again = Path.Combine(dir, "again.json");
        var clock = Stopwatch.StartNew();
        Run.CheckPinned(Prop.ForAll(Files.ToArbitrary(), c =>
        {
            byte[] mutant = c.Corruption.Apply(c.Valid());
            File.WriteAllBytes(path, mutant);
            Sequential? model = run.Read(path, () => ModelFile.Load(path), typeof(ModelFileException));
            if (model is null)
            {
                return;
            }
            JsonObject full = ModelJson.Write(model);
            using JsonDocument given = JsonDocument.Parse(mutant.AsMemory(mutant.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]) ? 3 : 0), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (ModelJson.Unheld(given.RootElement, full) is { } at)
            {
                throw new FuzzFailure($"garbage accepted: {at} of the file is not what the parsed model holds ({full.ToJsonString()})");
            }
            File.WriteAllText(again, full.ToJsonString());
            if (!ModelFile.Load(again).Equals(model))
            {
                throw new FuzzFailure($"the parsed model written completely reads back differently: {full.ToJsonString()}");
            }
            run.Note(mutant.AsSpan().SequenceEqual(c.Valid()) ? "unchanged" : "honoured");
        }), Cases, seed: 0x0DE1_F11E, gamma: 0x7F4A_7C15);
        run.Report(400, clock.Elapsed);
    }
}
