using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>What a checkpoint holds, as <see cref="Checkpoint.Inspect"/> reads it.</summary>
/// <param name="Model">The model's description (<see cref="Sequential.ToString"/>); a checkpoint loads only into an equal model.</param>
/// <param name="Seed">The model's seed (it keys dropout, shuffling and augmentation, so it must match too).</param>
/// <param name="Optimizer">The optimizer's description (<c>Optimizer.ToString()</c>).</param>
/// <param name="Epoch">Epoch to continue with.</param>
/// <param name="Batch">Batch of <paramref name="Epoch"/> to continue with (0 at an epoch boundary).</param>
/// <param name="Step">Training steps taken.</param>
/// <param name="OptimizerIterations">Optimizer iterations taken.</param>
/// <param name="LearningRate">The live learning rate.</param>
/// <param name="History">Every finished epoch's log.</param>
/// <param name="StopReason">Why training stopped, when a callback stopped it (a resume then only finishes it).</param>
public sealed record CheckpointInfo(string Model, long Seed, string Optimizer, int Epoch, int Batch, long Step, long OptimizerIterations, double LearningRate, IReadOnlyList<EpochLog> History, string? StopReason);

/// <summary>
/// Training checkpoints: a directory of three files.
/// <list type="bullet">
/// <item><c>weights.safetensors</c>: every parameter under its Keras name (<c>dense_0.kernel</c>…), loadable by
/// <see cref="SafeTensors.Load"/> and by other tools (PyTorch/NumPy <c>safetensors</c>);</item>
/// <item><c>state.safetensors</c>: the optimizer moments (<c>dense_0.kernel/slot0</c>…) and the callbacks' kept
/// arrays (<c>callbacks/0/best_weights/3</c>);</item>
/// <item><c>checkpoint.json</c>, the manifest: <c>{"sha256": h, "payload": {...}}</c> where h is the SHA-256 of the
/// payload's exact bytes. The payload holds the format version, the model's description and seed, the optimizer's
/// description, the SHA-256 of the two other files, the step and optimizer-iteration counters, the learning rate,
/// the position (epoch, batch, and a half-finished epoch's running sums), the history so far, the stop reason, and
/// every callback's scalar state by position and type.</item>
/// </list>
/// Writes are atomic: the three files are written to <c>*.tmp</c> and flushed, then renamed, the manifest last; a
/// failed write deletes its temporary files and leaves the previous checkpoint as it was. Reading checks every
/// checksum, shape and name against the model before anything is loaded, and throws
/// <see cref="CheckpointFormatException"/> naming the file and the problem otherwise.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "weights.safetensors";
    public const string StateFile = "state.safetensors";
    public const string ManifestFile = "checkpoint.json";
    public const string Format = "funcreg-checkpoint";
    public const int Version = 1;

    /// <summary>Reads and verifies a checkpoint without a model (for tools and the CLI).</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the three files is missing.</exception>
    /// <exception cref="CheckpointFormatException">A file is malformed, truncated or fails its checksum.</exception>
    public static CheckpointInfo Inspect(string directory)
    {
        TrainingCheckpoint c = ReadFiles(directory);
        return new CheckpointInfo(c.Model, c.Seed, c.Optimizer, c.Position.Epoch, c.Position.Batch, c.Step, c.OptimizerIterations, c.LearningRate, c.History, c.StopReason);
    }

    /// <summary>Writes the whole training state of a running <see cref="Trainer.Fit"/> atomically.</summary>
    internal static void Write(string directory, IModel model, FitOptions options, History history, FitPosition position, int batchSize, int trainCount, string? stopReason)
    {
        string dir = Path.GetFullPath(directory);
        Directory.CreateDirectory(dir);
        string description = model.Spec.ToString();
        byte[] weights = SafeTensors.Serialize(
            model.Parameters.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())),
            new Dictionary<string, string> { ["format"] = "funcreg", ["model"] = description, ["epoch"] = position.Epoch.ToString(CultureInfo.InvariantCulture) });
        var stateTensors = new List<NamedTensor>(model.OptimizerState.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())));
        var bags = new List<CallbackState>();
        for (int i = 0; i < options.Callbacks.Count; i++)
        {
            var bag = new CallbackState(Owner(i, options.Callbacks[i]));
            options.Callbacks[i].WriteState(bag);
            bags.Add(bag);
            foreach (var (key, arrays) in bag.Arrays)
            {
                for (int j = 0; j < arrays.Length; j++)
                {
                    stateTensors.Add(new NamedTensor($"callbacks/{i}/{key}/{j}", [arrays[j].Length], arrays[j]));
                }
            }
        }
        byte[] state = SafeTensors.Serialize(stateTensors, new Dictionary<string, string> { ["format"] = "funcreg-state" });

        using var payloadStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(payloadStream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteString("model", description);
            w.WriteNumber("seed", model.Seed);
            w.WriteString("optimizer", options.Optimizer.ToString());
            w.WriteStartObject("files");
            w.WriteString(WeightsFile, Sha256(weights));
            w.WriteString(StateFile, Sha256(state));
            w.WriteEndObject();
            w.WriteNumber("step", model.Step);
            w.WriteNumber("optimizer_iterations", model.OptimizerIterations);
            WriteDouble(w, "learning_rate", model.LearningRate);
            w.WriteNumber("epoch", position.Epoch);
            w.WriteNumber("batch", position.Batch);
            w.WriteNumber("batch_size", batchSize);
            w.WriteNumber("train_count", trainCount);
            w.WriteBoolean("shuffle", options.Shuffle);
            w.WriteStartObject("partial_epoch");
            WriteDouble(w, "data_sum", position.DataSum);
            WriteDouble(w, "correct_sum", position.CorrectSum);
            w.WriteStartArray("penalty_sums");
            foreach (double v in position.PenaltySums)
            {
                WriteDouble(w, null, v);
            }
            w.WriteEndArray();
            w.WriteNumber("seen", position.Seen);
            WriteDouble(w, "seconds", position.Seconds);
            WriteDouble(w, "learning_rate", position.LearningRate);
            w.WriteEndObject();
            if (stopReason is null)
            {
                w.WriteNull("stop_reason");
            }
            else
            {
                w.WriteString("stop_reason", stopReason);
            }
            w.WriteStartArray("history");
            foreach (EpochLog log in history.Epochs)
            {
                WriteLog(w, log);
            }
            w.WriteEndArray();
            w.WriteStartArray("callbacks");
            for (int i = 0; i < bags.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("type", options.Callbacks[i].GetType().Name);
                w.WriteStartObject("values");
                foreach (var (k, v) in bags[i].Values)
                {
                    WriteDouble(w, k, v);
                }
                w.WriteEndObject();
                w.WriteStartObject("arrays");
                foreach (var (k, a) in bags[i].Arrays)
                {
                    w.WriteNumber(k, a.Length);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        byte[] payload = payloadStream.ToArray();
        byte[] manifest = [.. Encoding.UTF8.GetBytes($"{{\n\"sha256\": \"{Sha256(payload)}\",\n\"payload\": "), .. payload, .. "\n}\n"u8];

        (string Final, byte[] Bytes)[] files = [(Path.Combine(dir, WeightsFile), weights), (Path.Combine(dir, StateFile), state), (Path.Combine(dir, ManifestFile), manifest)];
        var written = new List<string>();
        try
        {
            foreach (var (final, bytes) in files)
            {
                string tmp = final + ".tmp";
                AtomicFile.WriteTemporary(tmp, bytes);
                written.Add(tmp);
            }
        }
        catch
        {
            written.ForEach(AtomicFile.TryDelete);
            throw;
        }
        foreach (var (final, _) in files)
        {
            File.Move(final + ".tmp", final, overwrite: true);
        }
    }

    /// <summary>
    /// Reads a checkpoint and checks that it fits <paramref name="model"/> and <paramref name="options"/> (model, seed,
    /// parameter and moment shapes, optimizer, callbacks); nothing is changed yet.
    /// </summary>
    internal static TrainingCheckpoint Read(string directory, IModel model, FitOptions options)
    {
        TrainingCheckpoint c = ReadFiles(directory);
        string manifest = c.ManifestPath;
        if (c.Model != model.Spec.ToString())
        {
            throw Error(manifest, $"the checkpoint was written for another model, {c.Model}; this model is {model.Spec}.");
        }
        if (c.Seed != model.Seed)
        {
            throw Error(manifest, $"the checkpoint was written by a model with seed {c.Seed}; this model has seed {model.Seed}, which would change dropout, shuffling and augmentation: build the model with seed {c.Seed}.");
        }
        if (c.Optimizer != options.Optimizer.ToString())
        {
            throw Error(manifest, $"the checkpoint was written with optimizer {c.Optimizer}; FitOptions.Optimizer is {options.Optimizer}. Resume with the same optimizer.");
        }
        CheckTensors(c.WeightsPath, "parameter", c.Weights, model.Parameters.Select(p => (p.Name, p.Shape)));
        var moments = model.Parameters.Where(p => p.Trainable)
            .SelectMany(p => Enumerable.Range(0, options.Optimizer.SlotCount).Select(k => ($"{p.Name}/slot{k}", p.Shape)));
        CheckTensors(c.StatePath, "optimizer moment", c.Moments, moments);
        string[] expected = [.. options.Callbacks.Select(cb => cb.GetType().Name)];
        if (!expected.SequenceEqual(c.CallbackTypes))
        {
            throw Error(manifest, $"the checkpoint was written with callbacks [{string.Join(", ", c.CallbackTypes)}]; FitOptions.Callbacks has [{string.Join(", ", expected)}]. Resume with the same callbacks in the same order.");
        }
        if (c.Position.PenaltySums.Length != model.PenaltyNames.Count)
        {
            throw Error(manifest, $"payload.partial_epoch.penalty_sums has {c.Position.PenaltySums.Length} values; the model has {model.PenaltyNames.Count} penalty terms.");
        }
        foreach (var (arrays, i) in c.CallbackStates.Select((s, i) => (s.Arrays, i)))
        {
            foreach (var (key, list) in arrays)
            {
                if (key == "best_weights" && (list.Length != model.Parameters.Count || list.Zip(model.Parameters).Any(p => p.First.Length != p.Second.Length)))
                {
                    throw Error(c.StatePath, $"callbacks/{i}/best_weights does not match the model's {model.Parameters.Count} parameters.");
                }
            }
        }
        return c;
    }

    private static void CheckTensors(string path, string what, IReadOnlyDictionary<string, NamedTensor> found, IEnumerable<(string Name, IReadOnlyList<int> Shape)> expected)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            names.Add(name);
            if (!found.TryGetValue(name, out NamedTensor? t))
            {
                throw Error(path, $"{what} '{name}' is missing; the file holds {(found.Count == 0 ? "none" : string.Join(", ", found.Keys))}.");
            }
            if (!t.Shape.SequenceEqual(shape))
            {
                throw Error(path, $"{what} '{name}' has shape [{string.Join(", ", t.Shape)}]; the model needs [{string.Join(", ", shape)}].");
            }
        }
        string[] extra = [.. found.Keys.Where(k => !names.Contains(k))];
        if (extra.Length > 0)
        {
            throw Error(path, $"{what}s {string.Join(", ", extra)} do not belong to this model.");
        }
    }

    private static TrainingCheckpoint ReadFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"checkpoint directory {directory} does not exist.");
        }
        string manifestPath = Path.Combine(directory, ManifestFile);
        byte[] manifestBytes = ReadFile(manifestPath);
        JsonElement payload;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(manifestBytes);
        }
        catch (JsonException e)
        {
            throw Error(manifestPath, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): truncated or corrupt.", e);
        }
        using (doc)
        {
            var j = new JsonReading(manifestPath);
            JsonElement root = doc.RootElement;
            string sha = j.String(root, "sha256", "$");
            payload = j.Get(root, "payload", "$", JsonValueKind.Object);
            if (Sha256(Encoding.UTF8.GetBytes(payload.GetRawText())) != sha)
            {
                throw Error(manifestPath, "the payload does not match its SHA-256: the file was modified or corrupted.");
            }
            string format = j.String(payload, "format", "$.payload");
            int version = j.Int(payload, "version", "$.payload");
            if (format != Format || version != Version)
            {
                throw Error(manifestPath, $"$.payload.format is '{format}' version {version}; expected '{Format}' version {Version}.");
            }
            JsonElement files = j.Get(payload, "files", "$.payload", JsonValueKind.Object);
            string weightsPath = Path.Combine(directory, WeightsFile), statePath = Path.Combine(directory, StateFile);
            var weights = ReadTensors(weightsPath, j.String(files, WeightsFile, "$.payload.files"));
            var state = ReadTensors(statePath, j.String(files, StateFile, "$.payload.files"));

            JsonElement partial = j.Get(payload, "partial_epoch", "$.payload", JsonValueKind.Object);
            double[] sums = [.. j.Get(partial, "penalty_sums", "$.payload.partial_epoch", JsonValueKind.Array).EnumerateArray().Select((e, i) => j.Double(e, $"$.payload.partial_epoch.penalty_sums[{i}]") ?? double.NaN)];
            var position = new FitPosition(sums.Length)
            {
                Epoch = j.Int(payload, "epoch", "$.payload"),
                Batch = j.Int(payload, "batch", "$.payload"),
                DataSum = j.RequiredDouble(partial, "data_sum", "$.payload.partial_epoch"),
                CorrectSum = j.RequiredDouble(partial, "correct_sum", "$.payload.partial_epoch"),
                Seen = j.Int(partial, "seen", "$.payload.partial_epoch"),
                Seconds = j.RequiredDouble(partial, "seconds", "$.payload.partial_epoch"),
                LearningRate = j.RequiredDouble(partial, "learning_rate", "$.payload.partial_epoch"),
            };
            sums.CopyTo(position.PenaltySums, 0);

            var history = new List<EpochLog>();
            int index = 0;
            foreach (JsonElement e in j.Get(payload, "history", "$.payload", JsonValueKind.Array).EnumerateArray())
            {
                history.Add(ReadLog(j, e, $"$.payload.history[{index++}]"));
            }

            var types = new List<string>();
            var bags = new List<CallbackState>();
            index = 0;
            var moments = state.Where(t => !t.Key.StartsWith("callbacks/", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);
            foreach (JsonElement e in j.Get(payload, "callbacks", "$.payload", JsonValueKind.Array).EnumerateArray())
            {
                string at = $"$.payload.callbacks[{index}]";
                string type = j.String(e, "type", at);
                var bag = new CallbackState($"{manifestPath}: callback {index} ({type})");
                foreach (JsonProperty v in j.Get(e, "values", at, JsonValueKind.Object).EnumerateObject())
                {
                    bag.Set(v.Name, j.Double(v.Value, $"{at}.values.{v.Name}"));
                }
                foreach (JsonProperty a in j.Get(e, "arrays", at, JsonValueKind.Object).EnumerateObject())
                {
                    int count = j.Int(e.GetProperty("arrays"), a.Name, $"{at}.arrays");
                    var arrays = new float[count][];
                    for (int k = 0; k < count; k++)
                    {
                        string name = $"callbacks/{index}/{a.Name}/{k}";
                        arrays[k] = state.TryGetValue(name, out NamedTensor? t) ? t.Values : throw Error(statePath, $"tensor '{name}' (listed at {at}.arrays.{a.Name}) is missing.");
                    }
                    bag.SetArrays(a.Name, arrays);
                }
                types.Add(type);
                bags.Add(bag);
                index++;
            }
            return new TrainingCheckpoint
            {
                ManifestPath = manifestPath,
                WeightsPath = weightsPath,
                StatePath = statePath,
                Model = j.String(payload, "model", "$.payload"),
                Seed = j.Long(payload, "seed", "$.payload"),
                Optimizer = j.String(payload, "optimizer", "$.payload"),
                Step = j.Long(payload, "step", "$.payload"),
                OptimizerIterations = j.Long(payload, "optimizer_iterations", "$.payload"),
                LearningRate = j.RequiredDouble(payload, "learning_rate", "$.payload"),
                BatchSize = j.Int(payload, "batch_size", "$.payload"),
                TrainCount = j.Int(payload, "train_count", "$.payload"),
                Shuffle = j.Get(payload, "shuffle", "$.payload", JsonValueKind.Undefined).ValueKind == JsonValueKind.True,
                Position = position,
                StopReason = j.Get(payload, "stop_reason", "$.payload", JsonValueKind.Undefined) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null,
                History = history,
                Weights = weights,
                Moments = moments,
                CallbackTypes = types,
                CallbackStates = bags,
            };
        }
    }

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint file {path} does not exist (a checkpoint directory holds {WeightsFile}, {StateFile} and {ManifestFile}).", path);
        }
        return File.ReadAllBytes(path);
    }

    private static Dictionary<string, NamedTensor> ReadTensors(string path, string sha)
    {
        byte[] bytes = ReadFile(path);
        if (Sha256(bytes) != sha)
        {
            throw Error(path, $"the file's SHA-256 does not match the one in {ManifestFile}: truncated, corrupted, or from another checkpoint (an interrupted write).");
        }
        try
        {
            return SafeTensors.Parse(bytes, path).Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(e.Message, e) { Path = path };
        }
    }

    private static void WriteLog(Utf8JsonWriter w, EpochLog log)
    {
        w.WriteStartObject();
        w.WriteNumber("epoch", log.Epoch);
        WriteDouble(w, "data_loss", log.DataLoss);
        WriteMap(w, "penalties", log.Penalties);
        WriteDouble(w, "accuracy", log.Accuracy);
        WriteDouble(w, "val_data_loss", log.ValDataLoss);
        WriteMap(w, "val_penalties", log.ValPenalties);
        WriteDouble(w, "val_accuracy", log.ValAccuracy);
        WriteDouble(w, "learning_rate", log.LearningRate);
        WriteDouble(w, "seconds", log.Seconds);
        w.WriteEndObject();
    }

    private static EpochLog ReadLog(JsonReading j, JsonElement e, string at) => new()
    {
        Epoch = j.Int(e, "epoch", at),
        DataLoss = j.RequiredDouble(e, "data_loss", at),
        Penalties = j.Map(e, "penalties", at) ?? new Dictionary<string, double>(),
        Accuracy = j.Double(j.Get(e, "accuracy", at, JsonValueKind.Undefined), $"{at}.accuracy"),
        ValDataLoss = j.Double(j.Get(e, "val_data_loss", at, JsonValueKind.Undefined), $"{at}.val_data_loss"),
        ValPenalties = j.Map(e, "val_penalties", at),
        ValAccuracy = j.Double(j.Get(e, "val_accuracy", at, JsonValueKind.Undefined), $"{at}.val_accuracy"),
        LearningRate = j.RequiredDouble(e, "learning_rate", at),
        Seconds = j.RequiredDouble(e, "seconds", at),
    };

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, double>? map)
    {
        if (map is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            WriteDouble(w, k, v);
        }
        w.WriteEndObject();
    }

    /// <summary>Finite doubles as JSON numbers (round-trip exact), NaN and ±∞ as strings, null as null.</summary>
    private static void WriteDouble(Utf8JsonWriter w, string? name, double? value)
    {
        if (name is not null)
        {
            w.WritePropertyName(name);
        }
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case { } v when double.IsFinite(v):
                w.WriteNumberValue(v);
                break;
            case { } v:
                w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string Owner(int index, Callback c) => $"callback {index} ({c.GetType().Name})";

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static CheckpointFormatException Error(string path, string message, Exception? inner = null) => new($"{path}: {message}", inner) { Path = path };

    /// <summary>Typed access to the manifest's JSON with errors that name the file and the JSON path.</summary>
    private sealed class JsonReading(string path)
    {
        /// <summary>The property; <see cref="JsonValueKind.Undefined"/> as <paramref name="kind"/> accepts any kind (and a missing property).</summary>
        public JsonElement Get(JsonElement e, string name, string at, JsonValueKind kind)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"{at} is {e.ValueKind}, expected an object.");
            }
            if (!e.TryGetProperty(name, out JsonElement v))
            {
                if (kind == JsonValueKind.Undefined)
                {
                    return default;
                }
                throw Error(path, $"{at}.{name} is missing.");
            }
            if (kind != JsonValueKind.Undefined && v.ValueKind != kind)
            {
                throw Error(path, $"{at}.{name} is {v.ValueKind}, expected {kind}.");
            }
            return v;
        }

        public string String(JsonElement e, string name, string at) => Get(e, name, at, JsonValueKind.String).GetString()!;

        public long Long(JsonElement e, string name, string at) =>
            Get(e, name, at, JsonValueKind.Number).TryGetInt64(out long v) ? v : throw Error(path, $"{at}.{name} is not a whole number.");

        public int Int(JsonElement e, string name, string at) =>
            Get(e, name, at, JsonValueKind.Number).TryGetInt32(out int v) && v >= 0 ? v : throw Error(path, $"{at}.{name} is not a whole number ≥ 0.");

        public double RequiredDouble(JsonElement e, string name, string at) =>
            Double(Get(e, name, at, JsonValueKind.Undefined), $"{at}.{name}") ?? throw Error(path, $"{at}.{name} is missing or null, expected a number.");

        public double? Double(JsonElement v, string at) => v.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => throw Error(path, $"{at} is {v.GetRawText()}, expected a number, \"NaN\", \"Infinity\" or null."),
        };

        public Dictionary<string, double>? Map(JsonElement e, string name, string at)
        {
            JsonElement m = Get(e, name, at, JsonValueKind.Undefined);
            if (m.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                return null;
            }
            if (m.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"{at}.{name} is {m.ValueKind}, expected an object.");
            }
            return m.EnumerateObject().ToDictionary(p => p.Name, p => Double(p.Value, $"{at}.{name}.{p.Name}") ?? double.NaN);
        }
    }
}

/// <summary>A checkpoint read and verified, ready to be applied by <see cref="Trainer.Fit"/>.</summary>
internal sealed class TrainingCheckpoint
{
    public required string ManifestPath { get; init; }

    public required string WeightsPath { get; init; }

    public required string StatePath { get; init; }

    public required string Model { get; init; }

    public required long Seed { get; init; }

    public required string Optimizer { get; init; }

    public required long Step { get; init; }

    public required long OptimizerIterations { get; init; }

    public required double LearningRate { get; init; }

    public required int BatchSize { get; init; }

    public required int TrainCount { get; init; }

    public required bool Shuffle { get; init; }

    public required FitPosition Position { get; init; }

    public required string? StopReason { get; init; }

    public required IReadOnlyList<EpochLog> History { get; init; }

    public required IReadOnlyDictionary<string, NamedTensor> Weights { get; init; }

    public required IReadOnlyDictionary<string, NamedTensor> Moments { get; init; }

    public required IReadOnlyList<string> CallbackTypes { get; init; }

    public required IReadOnlyList<CallbackState> CallbackStates { get; init; }

    /// <summary>A checkpoint taken mid-epoch continues only with the same batches: same data size, batch size and shuffling.</summary>
    public void CheckPosition(int trainCount, int batchSize, bool shuffle)
    {
        if (Position.Batch > 0 && (trainCount != TrainCount || batchSize != BatchSize || shuffle != Shuffle))
        {
            throw new CheckpointFormatException(
                $"{ManifestPath}: the checkpoint stopped in the middle of epoch {Position.Epoch} (before batch {Position.Batch}) of {TrainCount} training samples in batches of {BatchSize}, shuffle {Shuffle}; "
                + $"this Fit has {trainCount} samples, batches of {batchSize}, shuffle {shuffle}. Resume with the same data and options.")
            { Path = ManifestPath };
        }
    }

    /// <summary>Loads everything into the model, the callbacks, the history and the loop position (after <see cref="Checkpoint.Read"/> checked it all).</summary>
    public void Apply(IModel model, IReadOnlyList<Callback> callbacks, History history, FitPosition position)
    {
        for (int i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].ReadState(CallbackStates[i]);
        }
        foreach (Parameter p in model.Parameters)
        {
            Weights[p.Name].Values.CopyTo(p.Values);
        }
        foreach (Parameter p in model.OptimizerState)
        {
            Moments[p.Name].Values.CopyTo(p.Values);
        }
        model.Step = Step;
        model.OptimizerIterations = OptimizerIterations;
        model.LearningRate = LearningRate;
        foreach (EpochLog log in History)
        {
            history.Add(log);
        }
        position.Epoch = Position.Epoch;
        position.Batch = Position.Batch;
        position.DataSum = Position.DataSum;
        position.CorrectSum = Position.CorrectSum;
        Position.PenaltySums.CopyTo(position.PenaltySums, 0);
        position.Seen = Position.Seen;
        position.Seconds = Position.Seconds;
        position.LearningRate = Position.LearningRate;
    }
}
