using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace FuncReg.Tests.Checkpoints;

/// <summary>One mid-epoch checkpoint (epoch 2 before batch 4, 45 samples in batches of 7) that the cases copy and edit.</summary>
public sealed class MidEpochCheckpoint : IDisposable
{
    private readonly TempDirectory dir = new();

    public MidEpochCheckpoint()
    {
        var (train, validation) = CheckpointSetup.Data();
        using var cts = new CancellationTokenSource();
        CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation) with
        {
            Checkpoint = new CheckpointOptions(dir.Path) { EveryEpochs = 100 },
            CancellationToken = cts.Token,
            Progress = new CancelAt(cts, 2, 4),
        });
        Directory = Checkpoint.Latest(dir.Path)!;
    }

    /// <summary>The checkpoint-000001 directory.</summary>
    public string Directory { get; }

    /// <summary>A fresh copy as <c>checkpoint-000001</c> inside a new temporary directory.</summary>
    internal TempDirectory Copy()
    {
        var copy = new TempDirectory();
        string target = copy["checkpoint-000001"];
        System.IO.Directory.CreateDirectory(target);
        foreach (string file in System.IO.Directory.GetFiles(Directory))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return copy;
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// The table of issue 12: for each manifest field, values the trainer cannot have written — out of range, NaN, the
/// wrong JSON kind, missing, unknown keys, disagreeing with other fields — in a manifest signed again (valid checksum).
/// Each is refused with <see cref="CheckpointFormatException"/> whose one-line message starts with the file and names
/// the JSON path; the model is left untouched. Cases the reader alone refuses make <see cref="Checkpoint.Inspect"/> fail too.
/// </summary>
public class EditedManifestTests(MidEpochCheckpoint checkpoint, ITestOutputHelper output) : IClassFixture<MidEpochCheckpoint>
{
    private const string Cb0 = "$.payload.callbacks[0]";

    /// <summary>(edit, expected text of the message, whether Inspect refuses it too — false for checks against the model or the callbacks).</summary>
    private static readonly Dictionary<string, (Action<JsonObject> Edit, string Expected, bool Reader)> Cases = Build();

    public static TheoryData<string> Names() => [.. Cases.Keys];

    private static JsonObject Partial(JsonObject p) => p["partial_epoch"]!.AsObject();

    private static JsonObject Log(JsonObject p, int i) => p["history"]![i]!.AsObject();

    private static JsonObject Values(JsonObject p, int i) => p["callbacks"]![i]!["values"]!.AsObject();

    private static JsonObject Arrays(JsonObject p, int i) => p["callbacks"]![i]!["arrays"]!.AsObject();

    private static Dictionary<string, (Action<JsonObject>, string, bool)> Build()
    {
        var cases = new Dictionary<string, (Action<JsonObject>, string, bool)>();
        void Add(string name, Action<JsonObject> edit, string expected, bool reader = true) => cases.Add(name, (edit, expected, reader));

        // a value for a field: every bad value of a list, and the field missing
        void Field(string at, Func<JsonObject, JsonObject> owner, string key, params JsonNode?[] bad)
        {
            for (int i = 0; i < bad.Length; i++)
            {
                JsonNode? value = bad[i];
                Add($"{at}.{key} = {value?.ToJsonString() ?? "null"}", p => owner(p)[key] = value?.DeepClone(), $"{at}.{key}");
            }
            Add($"{at}.{key} missing", p => owner(p).Remove(key), $"{at}.{key}: missing");
        }

        JsonObject Payload(JsonObject p) => p;
        Field("$.payload", Payload, "format", "other", 5);
        Add("version 3", p => p["version"] = 3, "$.payload.format is 'funcreg-checkpoint' version 3");
        Add("version \"2\"", p => p["version"] = "2", "$.payload.version");
        Add("version 1 with a sequence", p => p["version"] = 1, "$.payload.sequence: unknown key");
        Field("$.payload", Payload, "sequence", 0, -1, 1.5, "1");
        Add("sequence of another checkpoint", p => p["sequence"] = 7, "$.payload.sequence: 7, but the files are in checkpoint-000001");
        Field("$.payload", Payload, "model", "", 3, null);
        Add("model of another model", p => p["model"] = "Sequential(2 → Dense)", "written for another model", reader: false);
        Field("$.payload", Payload, "seed", 1.5, "11", null, JsonNode.Parse("1e30"));
        Add("seed of another model", p => p["seed"] = 12, "seed 12", reader: false);
        Field("$.payload", Payload, "optimizer", 5, "");
        Add("optimizer of another run", p => p["optimizer"] = "SGD", "written with optimizer SGD", reader: false);
        Field("$.payload", Payload, "files", new JsonArray(), "x");
        Add("files with an unknown key", p => p["files"]!["other.bin"] = new string('0', 64), "$.payload.files.other.bin: unknown key");
        Add("files weights not hex", p => p["files"]![Checkpoint.WeightsFile] = "zz", "$.payload.files.weights.safetensors");
        Add("files weights upper case", p => p["files"]![Checkpoint.WeightsFile] = p["files"]![Checkpoint.WeightsFile]!.GetValue<string>().ToUpperInvariant(), "$.payload.files.weights.safetensors");
        Add("files state missing", p => p["files"]!.AsObject().Remove(Checkpoint.StateFile), "$.payload.files.state.safetensors: missing");
        Field("$.payload", Payload, "step", -3, 1.5, "18", null, JsonNode.Parse("1e300"), JsonNode.Parse("9223372036854775808"));
        Add("step below the batch", p => { p["step"] = 3; p["optimizer_iterations"] = 3; }, "$.payload.step: 3 steps, but batch 4");
        Field("$.payload", Payload, "optimizer_iterations", -1, 19, 2.5);
        Field("$.payload", Payload, "learning_rate", 0, -0.02, "NaN", "Infinity", "-Infinity", null, "0.02", true, JsonNode.Parse("1e999"));
        Field("$.payload", Payload, "epoch", -1, 2147483648L, 1.5, null);
        Add("epoch before the logged ones", p => p["epoch"] = 1, "$.payload.history[1].epoch");
        Field("$.payload", Payload, "batch", -1, 7, 1000, 1.5, "4");
        Field("$.payload", Payload, "batch_size", 0, -7, 7.5);
        Add("batch_size larger than the data", p => p["batch_size"] = 100, "$.payload.batch: 4, expected a whole number 0");
        Field("$.payload", Payload, "train_count", 0, -1, 2147483648L);
        Field("$.payload", Payload, "shuffle", "true", 1, null);
        Field("$.payload", Payload, "stop_reason", 5, false);
        Add("stop_reason in the middle of an epoch", p => p["stop_reason"] = "EarlyStopping: done.", "$.payload.stop_reason: a stopped training");
        Add("unknown payload key", p => p["comment"] = "hi", "$.payload.comment: unknown key");

        Field("$.payload", Payload, "partial_epoch", new JsonArray(), 0);
        Add("partial_epoch unknown key", p => Partial(p)["extra"] = 1, "$.payload.partial_epoch.extra: unknown key");
        Field("$.payload.partial_epoch", Partial, "data_sum", -1, "NaN", "Infinity", null, "33");
        Field("$.payload.partial_epoch", Partial, "correct_sum", -1, 29, "NaN", null);
        Field("$.payload.partial_epoch", Partial, "penalty_sums", "x", new JsonObject(), null);
        Add("penalty_sums NaN", p => Partial(p)["penalty_sums"] = new JsonArray("NaN"), "$.payload.partial_epoch.penalty_sums[0]");
        Add("penalty_sums negative", p => Partial(p)["penalty_sums"] = new JsonArray(-1), "$.payload.partial_epoch.penalty_sums[0]");
        Add("penalty_sums null", p => Partial(p)["penalty_sums"] = new JsonArray((JsonNode?)null), "$.payload.partial_epoch.penalty_sums[0]");
        Add("penalty_sums of another model", p => Partial(p)["penalty_sums"] = new JsonArray(0.1, 0.2), "$.payload.partial_epoch.penalty_sums: 2 values", reader: false);
        Field("$.payload.partial_epoch", Partial, "seen", -1, 27, 29, 46, 1.5);
        Field("$.payload.partial_epoch", Partial, "seconds", -1, "Infinity", "NaN", null);
        Field("$.payload.partial_epoch", Partial, "learning_rate", 0, -1, "NaN", null);
        Add("epoch boundary, seen 5", p => { p["batch"] = 0; Partial(p)["seen"] = 5; }, "$.payload.partial_epoch.seen: 5; at an epoch boundary");
        Add("epoch boundary, sums with nothing seen", p => { p["batch"] = 0; Partial(p)["seen"] = 0; Partial(p)["correct_sum"] = 0; }, "$.payload.partial_epoch: running sums that are not 0");

        Field("$.payload", Payload, "history", new JsonObject(), null);
        Add("history entry not an object", p => p["history"]![0] = 3, "$.payload.history[0]: 3, expected an object");
        Field("$.payload.history[0]", p => Log(p, 0), "epoch", -1, 2, 1.5, "0");
        Add("history epochs not increasing", p => Log(p, 1)["epoch"] = 0, "$.payload.history[1].epoch: 0, expected a whole number 1 (epochs are logged in increasing order");
        Add("history unknown key", p => Log(p, 0)["loss"] = 1, "$.payload.history[0].loss: unknown key");
        Field("$.payload.history[0]", p => Log(p, 0), "data_loss", null, "abc", true);
        Field("$.payload.history[0]", p => Log(p, 0), "penalties", null, new JsonArray(), 1);
        Add("history penalty NaN text", p => Log(p, 0)["penalties"]!["dense_0.kernel"] = "nan", "$.payload.history[0].penalties.dense_0.kernel");
        Add("history penalty of another model", p => Log(p, 0)["penalties"] = new JsonObject { ["dense_9.kernel"] = 0.1 }, "$.payload.history[0].penalties: [dense_9.kernel]", reader: false);
        Field("$.payload.history[0]", p => Log(p, 0), "accuracy", 1.5, -0.1, "NaN", "x");
        Add("history accuracy null for a classifier", p => Log(p, 0)["accuracy"] = null, "$.payload.history[0]: a classification loss logs accuracies", reader: false);
        Field("$.payload.history[0]", p => Log(p, 0), "val_accuracy", 2, "Infinity");
        Add("history validation half present", p => Log(p, 0)["val_penalties"] = null, "$.payload.history[0]: validation values that are only partly present");
        Add("history val_data_loss null alone", p => Log(p, 0)["val_data_loss"] = null, "$.payload.history[0]: validation values");
        Field("$.payload.history[0]", p => Log(p, 0), "val_data_loss", "abc");
        Field("$.payload.history[0]", p => Log(p, 0), "learning_rate", 0, "NaN", -1, null);
        Field("$.payload.history[0]", p => Log(p, 0), "seconds", -1, "Infinity", null);

        Field("$.payload", Payload, "callbacks", new JsonObject(), null);
        Add("callbacks entry not an object", p => p["callbacks"]![0] = "EarlyStopping", $"{Cb0}: \"EarlyStopping\", expected an object");
        Add("callbacks unknown key", p => p["callbacks"]![0]!["note"] = 1, $"{Cb0}.note: unknown key");
        Field(Cb0, p => p["callbacks"]![0]!.AsObject(), "type", 5, "", null);
        Add("callbacks of another type", p => p["callbacks"]![0]!["type"] = "Other", "written with callbacks [Other, ReduceLROnPlateau]", reader: false);
        Add("callbacks one more", p => p["callbacks"]!.AsArray().Add(new JsonObject { ["type"] = "TerminateOnNaN", ["values"] = new JsonObject(), ["arrays"] = new JsonObject() }), "written with callbacks [EarlyStopping, ReduceLROnPlateau, TerminateOnNaN]", reader: false);
        Field(Cb0, p => p["callbacks"]![0]!.AsObject(), "values", new JsonArray(), null);
        Add("callback value text", p => Values(p, 0)["wait"] = "0", $"{Cb0}.values.wait: \"0\", expected a number");
        Add("callback value object", p => Values(p, 0)["wait"] = new JsonObject(), $"{Cb0}.values.wait");
        Add("callback key with a slash", p => Values(p, 0)["a/b"] = 1, $"{Cb0}.values.a/b: not a state key");
        Add("callback key blank", p => Values(p, 0)[" "] = 1, $"{Cb0}.values. : not a state key");
        foreach (string key in (string[])["wait", "best_epoch", "stopped_epoch"])
        {
            foreach (JsonNode? bad in (JsonNode?[])[-1, 1.5, null, "NaN", 3e9])
            {
                Add($"EarlyStopping {key} = {bad?.ToJsonString() ?? "null"}", p => Values(p, 0)[key] = bad?.DeepClone(), $"{Cb0}.values.{key} is", reader: false);
            }
            Add($"EarlyStopping {key} missing", p => Values(p, 0).Remove(key), $"no state '{key}' ({Cb0}.values.{key} is missing)", reader: false);
        }
        Add("EarlyStopping best NaN", p => Values(p, 0)["best"] = "NaN", $"{Cb0}.values.best is NaN, expected a finite number or null", reader: false);
        Add("EarlyStopping waiting with no best", p => { Values(p, 0)["best"] = null; Values(p, 0)["wait"] = 2; }, $"{Cb0}.values.wait is 2, expected 0 while no best value is kept", reader: false);
        Add("EarlyStopping unknown value", p => Values(p, 0)["foo"] = 1, $"{Cb0}.values.foo: EarlyStopping keeps no state of that name", reader: false);
        foreach (string key in (string[])["wait", "cooldown"])
        {
            Add($"ReduceLROnPlateau {key} = -1", p => Values(p, 1)[key] = -1, $"$.payload.callbacks[1].values.{key} is -1, expected a whole number ≥ 0", reader: false);
            Add($"ReduceLROnPlateau {key} = 0.5", p => Values(p, 1)[key] = 0.5, $"$.payload.callbacks[1].values.{key} is 0.5", reader: false);
        }
        Field(Cb0, p => p["callbacks"]![0]!.AsObject(), "arrays", new JsonArray(), null);
        foreach (JsonNode? bad in (JsonNode?[])[2_000_000_000, -1, 1.5, 3, 5, "4", null])
        {
            Add($"best_weights count {bad?.ToJsonString() ?? "null"}", p => Arrays(p, 0)["best_weights"] = bad?.DeepClone(), $"{Cb0}.arrays.best_weights");
        }
        Add("best_weights not listed", p => Arrays(p, 0).Remove("best_weights"), "tensor 'callbacks/0/best_weights/0' is not listed");
        Add("arrays unknown key with a count", p => Arrays(p, 0)["foo"] = 1, $"{Cb0}.arrays.foo: 1, but state.safetensors holds 0");
        Add("arrays unknown key empty", p => Arrays(p, 0)["foo"] = 0, $"{Cb0}.arrays.foo: EarlyStopping keeps no state of that name", reader: false);
        Add("arrays of another callback", p => { Arrays(p, 1)["best_weights"] = 4; Arrays(p, 0).Remove("best_weights"); }, "$.payload.callbacks[1].arrays.best_weights: 4, but state.safetensors holds 0");
        return cases;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_impossible_value_in_a_signed_manifest_is_refused(string name)
    {
        var (edit, expected, reader) = Cases[name];
        using TempDirectory dir = checkpoint.Copy();
        ManifestEditor.Edit(dir.Path, edit);
        CheckpointFormatException e = CheckpointValidationTests.Refused(dir.Path);
        output.WriteLine(e.Message.Replace(dir.Path, "…", StringComparison.Ordinal));
        Assert.NotNull(e.Path);
        Assert.StartsWith(e.Path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        if (reader)
        {
            var inspected = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
            Assert.Equal(e.Message, inspected.Message);
        }
    }

    [Fact]
    public void The_table_covers_every_payload_field()
    {
        using TempDirectory dir = checkpoint.Copy();
        JsonObject payload = ManifestEditor.Payload(dir.Path);
        IEnumerable<string> Fields(JsonObject o, string at) => o.SelectMany(p => p.Value is JsonObject child && p.Key is "partial_epoch" or "files" ? Fields(child, $"{at}.{p.Key}") : [$"{at}.{p.Key}"]);
        string[] fields = [.. Fields(payload, "$.payload"), .. Log(payload, 0).Select(p => $"$.payload.history[0].{p.Key}"), .. Values(payload, 0).Select(p => $"{Cb0}.values.{p.Key}"), .. Values(payload, 1).Select(p => $"$.payload.callbacks[1].values.{p.Key}"), .. Arrays(payload, 0).Select(p => $"{Cb0}.arrays.{p.Key}")];
        string[] uncovered = [.. fields.Where(f => !Cases.Values.Any(c => c.Expected.Contains(f, StringComparison.Ordinal) || c.Expected.Contains(f.Replace("$.payload.", "", StringComparison.Ordinal) + " is", StringComparison.Ordinal)))];
        Assert.True(uncovered.Length <= 2, "not covered: " + string.Join(", ", uncovered)); // format/version have their own wording
        Assert.True(Cases.Count >= 150, $"{Cases.Count} cases");
        output.WriteLine($"{Cases.Count} cases, {Cases.Values.Count(c => c.Reader)} refused by the reader alone (Inspect), the others against the model or by a callback's ReadState");
    }

    [Fact]
    public void The_wrapper_around_the_payload_is_strict_too()
    {
        using TempDirectory dir = checkpoint.Copy();
        string manifest = ManifestEditor.Manifest(dir.Path);
        byte[] payload = ManifestEditor.RawPayload(dir.Path);
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        string text = Encoding.UTF8.GetString(payload);
        (string Json, string Expected)[] wrappers =
        [
            ($"{{\"sha256\": \"{sha}\", \"payload\": {text}, \"note\": 1}}", "$.note: unknown key"),
            ($"{{\"sha256\": \"{sha.ToUpperInvariant()}\", \"payload\": {text}}}", "$.sha256"),
            ($"{{\"sha256\": 5, \"payload\": {text}}}", "$.sha256: 5, expected a string"),
            ($"{{\"payload\": {text}}}", "$.sha256: missing"),
            ($"{{\"sha256\": \"{sha}\"}}", "$.payload: missing"),
            ($"{{\"sha256\": \"{sha}\", \"payload\": [{text}]}}", "$.payload: [{"),
            ($"[{{\"sha256\": \"{sha}\", \"payload\": {text}}}]", "$: [{"),
            ($"{{\"sha256\": \"{sha}\", \"sha256\": \"{sha}\", \"payload\": {text}}}", "not valid JSON"),
            ($"{{\"sha256\": \"{sha}\", \"payload\": {text}}} trailing", "not valid JSON"),
            (new string('[', 100) + new string(']', 100), "not valid JSON"),
        ];
        foreach (var (json, expected) in wrappers)
        {
            File.WriteAllText(manifest, json);
            var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Equal(manifest, e.Path);
            Assert.DoesNotContain('\n', e.Message);
        }

        // a duplicate key inside the payload, signed
        string duplicated = text.Replace("\"step\": 18,", "\"step\": 18, \"step\": 19,", StringComparison.Ordinal);
        Assert.NotEqual(text, duplicated);
        ManifestEditor.Sign(dir.Path, Encoding.UTF8.GetBytes(duplicated));
        Assert.Contains("not valid JSON", Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path)).Message, StringComparison.Ordinal);
    }
}
