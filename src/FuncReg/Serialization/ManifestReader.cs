using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>
/// Reads one checkpoint (the three files directly in a directory) and checks every value before it is used: the
/// manifest is strict UTF-8 and strict JSON (no duplicate or unknown keys), its payload matches its SHA-256, every field
/// has the JSON kind and the range the trainer can write and agrees with the others, the tensor files match their
/// SHA-256, and every tensor is finite with a shape that fits its values. Each failure is a
/// <see cref="CheckpointFormatException"/> "<c>{file}: {JSON path}: {problem}</c>" on one line.
/// </summary>
internal sealed class ManifestReader
{
    /// <summary>A manifest holds scalars and the history (a few hundred bytes per epoch): far below this.</summary>
    private const long MaxManifestBytes = 256L << 20;

    private static readonly string[] PayloadKeysV1 =
    [
        "format", "version", "model", "seed", "optimizer", "files", "step", "optimizer_iterations", "learning_rate", "epoch", "batch",
        "batch_size", "train_count", "shuffle", "partial_epoch", "stop_reason", "history", "callbacks",
    ];

    private static readonly string[] PayloadKeysV2 = [.. PayloadKeysV1, "sequence"];

    private static readonly string[] LogKeys = ["epoch", "data_loss", "penalties", "accuracy", "val_data_loss", "val_penalties", "val_accuracy", "learning_rate", "seconds"];

    private readonly string path;

    private ManifestReader(string path) => this.path = path;

    /// <summary>Reads and verifies the checkpoint whose files are directly in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="CheckpointFormatException">Anything else is wrong.</exception>
    public static TrainingCheckpoint Read(string directory)
    {
        string manifestPath = Path.Combine(directory, Checkpoint.ManifestFile);
        if (!File.Exists(manifestPath) && !File.Exists(Path.Combine(directory, Checkpoint.WeightsFile)) && !File.Exists(Path.Combine(directory, Checkpoint.StateFile)))
        {
            throw new FileNotFoundException($"{directory} holds no checkpoint: neither a checkpoint-N directory nor {Checkpoint.ManifestFile}.", manifestPath);
        }
        return new ManifestReader(manifestPath).Parse(ReadFile(manifestPath, MaxManifestBytes), directory);
    }

    /// <summary>The bytes of a checkpoint file; <see cref="FileNotFoundException"/> naming it when it is missing.</summary>
    public static byte[] ReadFile(string file, long limit = long.MaxValue)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"checkpoint file {file} does not exist (a checkpoint directory holds {Checkpoint.WeightsFile}, {Checkpoint.StateFile} and {Checkpoint.ManifestFile}).", file);
        }
        long length = new FileInfo(file).Length;
        if (length > limit)
        {
            throw new CheckpointFormatException($"{file}: {length} bytes is more than a manifest can hold ({limit}): not a checkpoint manifest.") { Path = file };
        }
        return File.ReadAllBytes(file);
    }

    /// <summary>Byte offset of the first byte that is not part of a valid UTF-8 sequence, or -1.</summary>
    public static int InvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return -1;
        }
        int i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != OperationStatus.Done)
            {
                return i;
            }
            i += consumed;
        }
        return -1;
    }

    private TrainingCheckpoint Parse(byte[] bytes, string directory)
    {
        int bad = InvalidUtf8(bytes);
        if (bad >= 0)
        {
            throw Error("$", $"byte {bad} (0x{bytes[bad]:X2}) is not valid UTF-8: the file is corrupt.");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {Reason(e)}): truncated or corrupt.", e) { Path = path };
        }
        catch (InvalidOperationException e)
        {
            // the duplicate-key check decodes every key and throws this for an escaped lone surrogate
            throw new CheckpointFormatException($"{path}: not valid JSON text: a key is not valid text ({e.Message.ReplaceLineEndings(" ")}).", e) { Path = path };
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            Text(root, "$");
            Keys(root, "$", "sha256", "payload");
            string sha = Sha(root, "sha256", "$");
            JsonElement payload = Get(root, "payload", "$", JsonValueKind.Object);
            if (ManifestWriter.Sha256(JsonMarshal.GetRawUtf8Value(payload)) != sha)
            {
                throw new CheckpointFormatException($"{path}: the payload does not match its SHA-256: the file was modified or corrupted.") { Path = path };
            }
            return Payload(payload, directory);
        }
    }

    private TrainingCheckpoint Payload(JsonElement payload, string directory)
    {
        const string at = "$.payload";
        string format = String(payload, "format", at);
        JsonElement v = Get(payload, "version", at, JsonValueKind.Number);
        int version = v.TryGetInt32(out int n) ? n : -1;
        if (format != Checkpoint.Format || version is not (1 or Checkpoint.Version))
        {
            throw new CheckpointFormatException($"{path}: $.payload.format is '{format}' version {Show(v)}; expected '{Checkpoint.Format}' version 1 or {Checkpoint.Version}.") { Path = path };
        }
        Keys(payload, at, version == 1 ? PayloadKeysV1 : PayloadKeysV2);
        long? sequence = version >= 2 ? Long(payload, "sequence", at, 1, long.MaxValue) : null;
        if (sequence is { } s && CheckpointLayout.Sequence(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))) is { } named && named != s)
        {
            throw Error("$.payload.sequence", $"{s}, but the files are in {CheckpointLayout.Name(named)}: they belong to {CheckpointLayout.Name(s)} (moved or swapped).");
        }
        string model = String(payload, "model", at, nonEmpty: true);
        long seed = Long(payload, "seed", at, long.MinValue, long.MaxValue);
        string optimizer = String(payload, "optimizer", at, nonEmpty: true);
        JsonElement files = Get(payload, "files", at, JsonValueKind.Object);
        Keys(files, "$.payload.files", Checkpoint.WeightsFile, Checkpoint.StateFile);
        string weightsSha = Sha(files, Checkpoint.WeightsFile, "$.payload.files");
        string stateSha = Sha(files, Checkpoint.StateFile, "$.payload.files");

        long step = Long(payload, "step", at, 0, long.MaxValue);
        long iterations = Long(payload, "optimizer_iterations", at, 0, step, "every optimizer iteration is a step, so at most $.payload.step");
        double learningRate = Finite(payload, "learning_rate", at, 0, exclusive: true);
        int epoch = (int)Long(payload, "epoch", at, 0, int.MaxValue);
        int batchSize = (int)Long(payload, "batch_size", at, 1, int.MaxValue);
        int trainCount = (int)Long(payload, "train_count", at, 1, int.MaxValue);
        int effective = Math.Min(batchSize, trainCount);
        int batches = (int)(((long)trainCount + effective - 1) / effective);
        int batch = (int)Long(payload, "batch", at, 0, batches - 1, $"{trainCount} samples in batches of {effective} make {batches} batches");
        if (step < batch)
        {
            throw Error("$.payload.step", $"{step} steps, but batch {batch} of epoch {epoch} was reached (each batch is a step).");
        }
        bool shuffle = Get(payload, "shuffle", at) switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            var other => throw Error("$.payload.shuffle", $"{Show(other)}, expected true or false."),
        };
        FitPosition position = Position(Get(payload, "partial_epoch", at, JsonValueKind.Object), epoch, batch, effective, trainCount);
        string? stopReason = Get(payload, "stop_reason", at).ValueKind == JsonValueKind.Null ? null : String(payload, "stop_reason", at);
        if (stopReason is not null && batch > 0)
        {
            throw Error("$.payload.stop_reason", $"a stopped training is checkpointed after its last epoch, but $.payload.batch is {batch}.");
        }
        var history = new List<EpochLog>();
        int index = 0;
        foreach (JsonElement e in Get(payload, "history", at, JsonValueKind.Array).EnumerateArray())
        {
            history.Add(Log(e, $"$.payload.history[{index++}]", history.Count == 0 ? -1 : history[^1].Epoch, epoch));
        }
        var callbacks = new List<(string Type, JsonElement Values, List<(string Key, int Count)> Arrays)>();
        index = 0;
        foreach (JsonElement e in Get(payload, "callbacks", at, JsonValueKind.Array).EnumerateArray())
        {
            callbacks.Add(CallbackEntry(e, $"$.payload.callbacks[{index++}]"));
        }

        string weightsPath = Path.Combine(directory, Checkpoint.WeightsFile), statePath = Path.Combine(directory, Checkpoint.StateFile);
        Dictionary<string, NamedTensor> weights = TensorFile.Read(weightsPath, weightsSha);
        Dictionary<string, NamedTensor> state = TensorFile.Read(statePath, stateSha);
        var moments = state.Where(t => !t.Key.StartsWith("callbacks/", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);
        var kept = new Dictionary<(int Callback, string Key), SortedSet<int>>();
        foreach (NamedTensor t in state.Values.Where(t => t.Name.StartsWith("callbacks/", StringComparison.Ordinal)))
        {
            var (i, key, j) = TensorFile.CallbackTensor(statePath, t, callbacks.Count);
            if (!kept.TryGetValue((i, key), out SortedSet<int>? set))
            {
                kept[(i, key)] = set = [];
            }
            set.Add(j);
        }
        var bags = new List<CallbackState>();
        for (int i = 0; i < callbacks.Count; i++)
        {
            var (type, values, arrays) = callbacks[i];
            string where = $"$.payload.callbacks[{i}]";
            var bag = new CallbackState($"{path}: callback {i} ({type})", path, where);
            foreach (JsonProperty p in values.EnumerateObject())
            {
                string key = p.Name; // checked by CallbackEntry
                bag.Set(key, NumberOrNull(p.Value, $"{where}.values.{key}"));
            }
            foreach (var (key, count) in arrays)
            {
                int present = kept.Remove((i, key), out SortedSet<int>? indices) ? indices.Count : 0;
                if (count != present || (present > 0 && indices!.Max != present - 1))
                {
                    throw Error($"{where}.arrays.{key}", $"{count}, but {Checkpoint.StateFile} holds {present} tensor(s) callbacks/{i}/{key}/0… numbered 0 to {present - 1} only.");
                }
                var list = new float[count][];
                for (int k = 0; k < count; k++)
                {
                    list[k] = state[$"callbacks/{i}/{key}/{k}"].Values;
                }
                bag.SetArrays(key, list);
            }
            bags.Add(bag);
        }
        if (kept.Count > 0)
        {
            var ((i, key), indices) = kept.First();
            throw new CheckpointFormatException($"{statePath}: tensor 'callbacks/{i}/{key}/{indices.Min}' is not listed in {Checkpoint.ManifestFile} ($.payload.callbacks[{i}].arrays.{key} is missing).") { Path = statePath };
        }
        return new TrainingCheckpoint
        {
            Directory = directory,
            Sequence = sequence,
            ManifestPath = path,
            WeightsPath = weightsPath,
            StatePath = statePath,
            Model = model,
            Seed = seed,
            Optimizer = optimizer,
            Step = step,
            OptimizerIterations = iterations,
            LearningRate = learningRate,
            BatchSize = batchSize,
            TrainCount = trainCount,
            Shuffle = shuffle,
            Position = position,
            StopReason = stopReason,
            History = history,
            Weights = weights,
            Moments = moments,
            CallbackTypes = [.. callbacks.Select(c => c.Type)],
            CallbackStates = bags,
        };
    }

    /// <summary>
    /// The position in the epoch. Mid-epoch (batch &gt; 0) every earlier batch was full, so seen = batch × batch size, and
    /// the running sums are finite and ≥ 0 (correct ≤ seen). At a boundary (batch 0) the sums are not used: zeros, or
    /// (files of earlier releases) the previous epoch's, with seen = train_count.
    /// </summary>
    private FitPosition Position(JsonElement partial, int epoch, int batch, int batchSize, int trainCount)
    {
        const string at = "$.payload.partial_epoch";
        Keys(partial, at, "data_sum", "correct_sum", "penalty_sums", "seen", "seconds", "learning_rate");
        int seen = (int)Long(partial, "seen", at, 0, trainCount);
        if (batch > 0 ? seen != (long)batch * batchSize : seen != 0 && seen != trainCount)
        {
            throw Error($"{at}.seen", batch > 0
                ? $"{seen}, but batches 0…{batch - 1} of {batchSize} samples make {(long)batch * batchSize}."
                : $"{seen}; at an epoch boundary it is 0 (or {trainCount}, the last epoch's).");
        }
        var sums = new List<double>();
        int index = 0;
        foreach (JsonElement e in Get(partial, "penalty_sums", at, JsonValueKind.Array).EnumerateArray())
        {
            sums.Add(FiniteValue(e, $"{at}.penalty_sums[{index++}]", 0, exclusive: false));
        }
        var position = new FitPosition(sums.Count)
        {
            Epoch = epoch,
            Batch = batch,
            Seen = seen,
            DataSum = Finite(partial, "data_sum", at, 0, exclusive: false),
            CorrectSum = Finite(partial, "correct_sum", at, 0, exclusive: false),
            Seconds = Finite(partial, "seconds", at, 0, exclusive: false),
            LearningRate = Finite(partial, "learning_rate", at, 0, exclusive: batch > 0),
        };
        sums.CopyTo(position.PenaltySums);
        if (position.CorrectSum > seen)
        {
            throw Error($"{at}.correct_sum", $"{position.CorrectSum.ToString("R", CultureInfo.InvariantCulture)} correct of {seen} samples seen.");
        }
        if (seen == 0 && (position.DataSum != 0 || position.CorrectSum != 0 || sums.Any(s => s != 0)))
        {
            throw Error(at, "running sums that are not 0 with no sample seen.");
        }
        return position;
    }

    /// <summary>
    /// One epoch's log. Training losses and penalties may be NaN or ±∞ (an epoch that <see cref="TerminateOnNaN"/>
    /// ended is logged), accuracies are in [0, 1] or null, the rate is finite &gt; 0, epochs increase and precede the
    /// checkpoint's epoch.
    /// </summary>
    private EpochLog Log(JsonElement e, string at, int previous, int epoch)
    {
        Keys(e, at, LogKeys);
        int index = (int)Long(e, "epoch", at, previous + 1L, epoch - 1L, "epochs are logged in increasing order, each before $.payload.epoch");
        double? accuracy = Accuracy(e, "accuracy", at);
        double? valDataLoss = NumberOrNull(Get(e, "val_data_loss", at), $"{at}.val_data_loss");
        Dictionary<string, double>? valPenalties = Map(e, "val_penalties", at, optional: true);
        double? valAccuracy = Accuracy(e, "val_accuracy", at);
        if ((valDataLoss is null) != (valPenalties is null) || (valAccuracy is not null && valDataLoss is null))
        {
            throw Error(at, "validation values that are only partly present (val_data_loss, val_penalties and val_accuracy come from one evaluation).");
        }
        return new EpochLog
        {
            Epoch = index,
            DataLoss = Number(Get(e, "data_loss", at), $"{at}.data_loss"),
            Penalties = Map(e, "penalties", at, optional: false)!,
            Accuracy = accuracy,
            ValDataLoss = valDataLoss,
            ValPenalties = valPenalties,
            ValAccuracy = valAccuracy,
            LearningRate = Finite(e, "learning_rate", at, 0, exclusive: true),
            Seconds = Finite(e, "seconds", at, 0, exclusive: false),
        };
    }

    private (string Type, JsonElement Values, List<(string Key, int Count)> Arrays) CallbackEntry(JsonElement e, string at)
    {
        Keys(e, at, "type", "values", "arrays");
        string type = String(e, "type", at, nonEmpty: true);
        JsonElement values = Get(e, "values", at, JsonValueKind.Object);
        foreach (JsonProperty p in values.EnumerateObject())
        {
            string key = StateKey(p, $"{at}.values");
            NumberOrNull(p.Value, $"{at}.values.{key}");
        }
        JsonElement arrays = Get(e, "arrays", at, JsonValueKind.Object);
        var counts = new List<(string, int)>();
        foreach (JsonProperty p in arrays.EnumerateObject())
        {
            string key = StateKey(p, $"{at}.arrays");
            counts.Add((key, (int)Long(arrays, key, $"{at}.arrays", 0, int.MaxValue)));
        }
        return (type, values, counts);
    }

    private string StateKey(JsonProperty p, string at)
    {
        string key = Name(p, at);
        return string.IsNullOrWhiteSpace(key) || key.Contains('/', StringComparison.Ordinal) || key.Any(char.IsControl)
            ? throw Error($"{at}.{key}", "not a state key (one that is not blank and holds no '/' or control characters).")
            : key;
    }

    private double? Accuracy(JsonElement e, string name, string at)
    {
        double? a = NumberOrNull(Get(e, name, at), $"{at}.{name}");
        return a is null or (>= 0 and <= 1) ? a : throw Error($"{at}.{name}", $"{Show(a.Value)}, expected a fraction in [0, 1] or null.");
    }

    private Dictionary<string, double>? Map(JsonElement e, string name, string at, bool optional)
    {
        JsonElement m = Get(e, name, at);
        if (optional && m.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (m.ValueKind != JsonValueKind.Object)
        {
            throw Error($"{at}.{name}", $"{Show(m)}, expected an object of numbers{(optional ? " or null" : "")}.");
        }
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (JsonProperty p in m.EnumerateObject())
        {
            string key = Name(p, $"{at}.{name}");
            map[key] = Number(p.Value, $"{at}.{name}.{key}");
        }
        return map;
    }

    // ---- typed access: every error names the file and the JSON path ----

    private CheckpointFormatException Error(string at, string problem) => new($"{path}: {at}: {problem}") { Path = path };

    /// <summary>The property <paramref name="name"/> of the object <paramref name="e"/>, of any kind; missing is an error.</summary>
    private JsonElement Get(JsonElement e, string name, string at)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(at, $"{Show(e)}, expected an object.");
        }
        return e.TryGetProperty(name, out JsonElement v) ? v : throw Error($"{at}.{name}", "missing.");
    }

    private JsonElement Get(JsonElement e, string name, string at, JsonValueKind kind)
    {
        JsonElement v = Get(e, name, at);
        string expected = kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            _ => "a number",
        };
        return v.ValueKind == kind ? v : throw Error($"{at}.{name}", $"{Show(v)}, expected {expected}.");
    }

    /// <summary>Refuses keys other than <paramref name="allowed"/> (and names that are not valid text).</summary>
    private void Keys(JsonElement e, string at, params string[] allowed)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(at, $"{Show(e)}, expected an object.");
        }
        foreach (JsonProperty p in e.EnumerateObject())
        {
            string name = Name(p, at);
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw Error($"{at}.{name}", $"unknown key; {at} holds {string.Join(", ", allowed)}.");
            }
        }
    }

    /// <summary>
    /// Refuses any string or key holding an escaped lone surrogate (<c>"\udc00"</c>: valid JSON, valid UTF-8, but not
    /// text; reading or comparing it throws <see cref="InvalidOperationException"/>), so nothing later meets one.
    /// </summary>
    private void Text(JsonElement e, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = e.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw Error(at, "not valid text (an escaped lone surrogate).");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    Text(item, $"{at}[{i++}]");
                }
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    Text(p.Value, $"{at}.{Name(p, at)}");
                }
                break;
        }
    }

    /// <summary>A property's name; an escaped lone surrogate (valid JSON, not text) is refused.</summary>
    private string Name(JsonProperty p, string at)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException)
        {
            throw Error(at, "a key is not valid text (an escaped lone surrogate).");
        }
    }

    private string String(JsonElement e, string name, string at, bool nonEmpty = false)
    {
        JsonElement v = Get(e, name, at, JsonValueKind.String);
        string s;
        try
        {
            s = v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Error($"{at}.{name}", "not valid text (an escaped lone surrogate).");
        }
        return nonEmpty && s.Length == 0 ? throw Error($"{at}.{name}", "empty.") : s;
    }

    private string Sha(JsonElement e, string name, string at)
    {
        string s = String(e, name, at);
        return s.Length == 64 && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            ? s
            : throw Error($"{at}.{name}", $"{Show(Get(e, name, at))}, expected 64 lower-case hexadecimal digits.");
    }

    private long Long(JsonElement e, string name, string at, long min, long max, string? why = null)
    {
        JsonElement v = Get(e, name, at);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long x) && x >= min && x <= max)
        {
            return x;
        }
        bool tooLarge = v.ValueKind == JsonValueKind.Number && (!v.TryGetInt64(out long y) || y > max);
        string range = max is long.MaxValue or int.MaxValue && !tooLarge ? $"≥ {min}" : min == max ? $"{min}" : $"in [{min}, {max}]";
        throw Error($"{at}.{name}", $"{Show(v)}, expected a whole number {range}{(why is null ? "" : $" ({why})")}.");
    }

    private double Finite(JsonElement e, string name, string at, double min, bool exclusive) =>
        FiniteValue(Get(e, name, at), $"{at}.{name}", min, exclusive);

    private double FiniteValue(JsonElement v, string at, double min, bool exclusive)
    {
        double? x = NumberOrNull(v, at);
        return x is { } d && double.IsFinite(d) && (exclusive ? d > min : d >= min)
            ? d
            : throw Error(at, $"{Show(v)}, expected a finite number {(exclusive ? ">" : "≥")} {min.ToString(CultureInfo.InvariantCulture)}.");
    }

    private double Number(JsonElement v, string at) => NumberOrNull(v, at) ?? throw Error(at, "null, expected a number.");

    /// <summary>A JSON number, one of the strings "NaN", "Infinity", "-Infinity" (how the writer stores them), or null.</summary>
    private double? NumberOrNull(JsonElement v, string at)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when v.TryGetDouble(out double d) && double.IsFinite(d):
                return d;
            case JsonValueKind.String when v.ValueEquals("NaN"):
                return double.NaN;
            case JsonValueKind.String when v.ValueEquals("Infinity"):
                return double.PositiveInfinity;
            case JsonValueKind.String when v.ValueEquals("-Infinity"):
                return double.NegativeInfinity;
            default:
                throw Error(at, $"{Show(v)}, expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or null.");
        }
    }

    private static string Show(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The JSON text of a value, shortened, for messages (raw text: no lone surrogate is decoded).</summary>
    private static string Show(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Undefined)
        {
            return "nothing";
        }
        string raw = Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(v));
        raw = string.Concat(raw.Select(c => char.IsControl(c) ? ' ' : c));
        return raw.Length <= 40 ? raw : raw[..37] + "…";
    }

    private static string Reason(JsonException e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).Trim().TrimEnd('.');
    }
}

/// <summary>The tensor files of a checkpoint: checksum, structure, shapes and finite values.</summary>
internal static class TensorFile
{
    /// <summary>Reads a safetensors file whose SHA-256 the manifest gave, and checks every tensor.</summary>
    public static Dictionary<string, NamedTensor> Read(string path, string sha)
    {
        byte[] bytes = ManifestReader.ReadFile(path);
        if (ManifestWriter.Sha256(bytes) != sha)
        {
            throw Error(path, $"the file's SHA-256 does not match the one in {Checkpoint.ManifestFile}: truncated, corrupted, or from another checkpoint.");
        }
        // The checksum matched, so the file is the one the manifest names; these checks refuse a file that was edited
        // and signed again before SafeTensors.Parse, which would throw on a header that is not UTF-8 and allocate for
        // a shape whose element count overflows.
        if (bytes.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var n && n <= (ulong)(bytes.Length - 8))
        {
            CheckHeader(path, bytes.AsSpan(8, (int)n), bytes.Length - 8 - (long)n);
        }
        IReadOnlyList<NamedTensor> tensors;
        try
        {
            tensors = SafeTensors.Parse(bytes, path).Tensors;
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(e.Message.ReplaceLineEndings(" "), e) { Path = path };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException)
        {
            throw new CheckpointFormatException($"{path}: malformed safetensors header: {e.Message.ReplaceLineEndings(" ")}", e) { Path = path };
        }
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (NamedTensor t in tensors)
        {
            long count = 1;
            foreach (int d in t.Shape)
            {
                count = d < 0 || count < 0 ? -1 : Math.Min(count * d, 1L + int.MaxValue); // both ≤ 2³¹: no overflow
            }
            if (count != t.Values.Length)
            {
                throw Error(path, $"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.Length} values.");
            }
            int i = ModelState.IndexOfNonFinite(t.Values);
            if (i >= 0)
            {
                throw Error(path, $"tensor '{t.Name}' holds {t.Values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; a checkpoint holds finite values only.");
            }
            byName[t.Name] = t;
        }
        return byName;
    }

    /// <summary>
    /// The header is UTF-8, and every tensor's shape is whole numbers ≥ 0 whose product (in checked arithmetic) fits in
    /// the data bytes. Other problems are left to <see cref="SafeTensors.Parse"/>.
    /// </summary>
    private static void CheckHeader(string path, ReadOnlySpan<byte> header, long dataBytes)
    {
        if (ManifestReader.InvalidUtf8(header) is var bad and >= 0)
        {
            throw Error(path, $"byte {8 + bad} of the header is not valid UTF-8.");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Error(path, $"the JSON header is malformed: {e.Message.ReplaceLineEndings(" ")}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object || !p.Value.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                long count = 1; // saturates at dataBytes + 1: never overflows
                bool empty = false;
                foreach (JsonElement d in shape.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                    {
                        throw Error(path, $"a tensor's shape holds {JsonMarshalText(d)}, expected whole numbers ≥ 0.");
                    }
                    empty |= dim == 0;
                    count = dim == 0 || count > dataBytes ? count : count > dataBytes / dim ? dataBytes + 1 : count * dim;
                }
                if (!empty && (count * 4 > dataBytes || count > int.MaxValue))
                {
                    throw Error(path, $"a tensor's shape [{string.Join(", ", shape.EnumerateArray().Select(JsonMarshalText))}] holds more values than the file's {dataBytes} data bytes.");
                }
            }
        }
    }

    private static string JsonMarshalText(JsonElement e) => Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(e));

    /// <summary>Splits <c>callbacks/{i}/{key}/{j}</c> (i &lt; <paramref name="callbacks"/>, 1-D) into its parts.</summary>
    public static (int Callback, string Key, int Index) CallbackTensor(string path, NamedTensor t, int callbacks)
    {
        string[] parts = t.Name.Split('/');
        if (parts.Length == 4 && Index(parts[1]) is { } i && i < callbacks && parts[2].Length > 0 && Index(parts[3]) is { } j && t.Shape.Length == 1)
        {
            return (i, parts[2], j);
        }
        throw Error(path, $"tensor '{t.Name}' is not a callback array of this checkpoint (callbacks/{{callback < {callbacks}}}/{{key}}/{{index}}, one dimension).");
    }

    /// <summary>A canonical non-negative decimal (no sign, no leading zero) below 10⁹, or null.</summary>
    private static int? Index(string s) =>
        s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0') ? int.Parse(s, CultureInfo.InvariantCulture) : null;

    private static CheckpointFormatException Error(string path, string message) => new($"{path}: {message}") { Path = path };
}
