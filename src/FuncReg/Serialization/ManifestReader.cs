using System.Buffers;
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
internal sealed partial class ManifestReader
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

    private TrainingCheckpoint Parse(byte[] bytes, string directory)
    {
        int bad = Utf8Text.FirstInvalid(bytes);
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
}
