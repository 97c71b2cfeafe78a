using System.Globalization;

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
public sealed record CheckpointInfo(string Model, long Seed, string Optimizer, int Epoch, int Batch, long Step, long OptimizerIterations, double LearningRate, IReadOnlyList<EpochLog> History, string? StopReason)
{
    /// <summary>The directory that was read: the newest <c>checkpoint-N</c>, or the directory given for a single checkpoint.</summary>
    public string Path { get; init; } = "";

    /// <summary>Its sequence number N; null for a checkpoint of the earlier layout (three files directly in the directory).</summary>
    public long? Sequence { get; init; }

    /// <summary>Every published checkpoint of the directory given, oldest first (the one read is the last).</summary>
    public IReadOnlyList<string> Checkpoints { get; init; } = [];
}

/// <summary>
/// Training checkpoints. A checkpoint directory (<see cref="CheckpointOptions.Directory"/>) holds one subdirectory per
/// checkpoint, <c>checkpoint-000001</c>, <c>checkpoint-000002</c>… (sequence numbers only grow, also after pruning),
/// the newest <see cref="CheckpointOptions.Keep"/> of them. Each holds three files:
/// <list type="bullet">
/// <item><c>weights.safetensors</c>: every parameter under its Keras name (<c>dense_0.kernel</c>…), loadable by
/// <see cref="SafeTensors.Load"/> and by other tools (PyTorch/NumPy <c>safetensors</c>);</item>
/// <item><c>state.safetensors</c>: the optimizer moments (<c>dense_0.kernel/slot0</c>…) and the callbacks' kept
/// arrays (<c>callbacks/0/best_weights/3</c>);</item>
/// <item><c>checkpoint.json</c>, the manifest: <c>{"sha256": h, "payload": {...}}</c> where h is the SHA-256 of the
/// payload's exact bytes. The payload holds the format version, the sequence number, the model's description and seed,
/// the optimizer's description, the SHA-256 of the two other files, the step and optimizer-iteration counters, the
/// learning rate, the position (epoch, batch, and a half-finished epoch's running sums), the history so far, the stop
/// reason, and every callback's scalar state by position and type.</item>
/// </list>
/// <para>
/// Writing survives a crash (even SIGKILL or power loss) at any point: the files go to a temporary sibling
/// <c>.checkpoint-N.tmp</c>, each flushed to disk (fsync), then that directory is flushed, renamed to
/// <c>checkpoint-N</c> in one step — the checkpoint exists completely or not at all — and the checkpoint directory is
/// flushed; only then are older checkpoints pruned (renamed to <c>.checkpoint-M.del</c>, then deleted). Left-overs of an
/// interrupted write are ignored by readers and removed by the next write. A model holding NaN or ±∞ is refused
/// (<see cref="NonFiniteStateException"/>) before anything is written, so a diverged run never replaces a good checkpoint.
/// </para>
/// <para>
/// Reading a checkpoint directory takes its newest published checkpoint; a <c>checkpoint-N</c> directory can be given
/// to read that one, and a directory of the earlier layout (the three files directly inside) still reads. Every value is
/// checked before it is used — checksums, UTF-8, JSON kinds and ranges, agreement between fields, finite tensors,
/// shapes and names against the model — and a problem throws <see cref="CheckpointFormatException"/> naming the file
/// and the JSON path. When the newest checkpoint fails, the error lists the older ones, which are never taken silently.
/// </para>
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "weights.safetensors";
    public const string StateFile = "state.safetensors";
    public const string ManifestFile = "checkpoint.json";
    public const string Format = "funcreg-checkpoint";

    /// <summary>The version written: 2 adds the sequence number. Version 1 (earlier releases, without it) still reads.</summary>
    public const int Version = 2;

    /// <summary>Reads and verifies a checkpoint without a model (for tools and the CLI): the newest in <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The directory holds no checkpoint, or a single checkpoint misses a file.</exception>
    /// <exception cref="CheckpointFormatException">A file is malformed, truncated, fails its checksum or holds an impossible value.</exception>
    public static CheckpointInfo Inspect(string directory)
    {
        TrainingCheckpoint c = ReadFiles(directory, out IReadOnlyList<string> all);
        return new CheckpointInfo(c.Model, c.Seed, c.Optimizer, c.Position.Epoch, c.Position.Batch, c.Step, c.OptimizerIterations, c.LearningRate, c.History, c.StopReason)
        {
            Path = c.Directory,
            Sequence = c.Sequence,
            Checkpoints = all,
        };
    }

    /// <summary>
    /// The checkpoint that <see cref="Inspect"/> and a resume from <paramref name="directory"/> read: its newest
    /// published <c>checkpoint-N</c> subdirectory, else <paramref name="directory"/> itself when it holds a checkpoint's
    /// manifest (a <c>checkpoint-N</c> directory, or the earlier layout), else null. Nothing is verified.
    /// </summary>
    public static string? Latest(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string dir = System.IO.Path.GetFullPath(directory);
        if (CheckpointLayout.Published(dir) is { Count: > 0 } published)
        {
            return published[^1].Path;
        }
        return File.Exists(System.IO.Path.Combine(dir, ManifestFile)) ? dir : null;
    }

    /// <summary>The published checkpoints (<c>checkpoint-N</c> subdirectories) of <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return [.. CheckpointLayout.Published(System.IO.Path.GetFullPath(directory)).Select(p => p.Path)];
    }

    /// <summary>
    /// Writes the whole training state of a running <see cref="Trainer.Fit"/> as a new checkpoint in
    /// <paramref name="directory"/> (see the class remarks) and returns its <c>checkpoint-N</c> directory.
    /// </summary>
    /// <exception cref="NonFiniteStateException">A parameter, moment or kept array holds NaN or ±∞; nothing was written.</exception>
    internal static string Write(string directory, IModel model, FitOptions options, History history, FitPosition position, int batchSize, int trainCount, string? stopReason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        model.EnsureFinite($"writing checkpoint {directory}");
        string description = model.Spec.ToString();
        var stateTensors = new List<NamedTensor>(model.OptimizerState.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())));
        var callbacks = new List<(string Type, CallbackState State)>();
        for (int i = 0; i < options.Callbacks.Count; i++)
        {
            Callback callback = options.Callbacks[i];
            var bag = new CallbackState($"callback {i} ({callback.GetType().Name})");
            callback.WriteState(bag);
            callbacks.Add((callback.GetType().Name, bag));
            foreach (var (key, arrays) in bag.Arrays)
            {
                for (int j = 0; j < arrays.Length; j++)
                {
                    string name = $"callbacks/{i}/{key}/{j}";
                    if (ModelState.IndexOfNonFinite(arrays[j]) is var bad and >= 0)
                    {
                        throw new NonFiniteStateException($"writing checkpoint {directory} refused: {name}[{bad}] (kept by {bag.Owner}) is {arrays[j][bad].ToString(CultureInfo.InvariantCulture)}.", name, bad);
                    }
                    stateTensors.Add(new NamedTensor(name, [arrays[j].Length], arrays[j]));
                }
            }
        }
        byte[] weights = SafeTensors.Serialize(
            model.Parameters.Select(p => new NamedTensor(p.Name, [.. p.Shape], p.Values.ToArray())),
            new Dictionary<string, string> { ["format"] = "funcreg", ["model"] = description, ["epoch"] = position.Epoch.ToString(CultureInfo.InvariantCulture) });
        byte[] state = SafeTensors.Serialize(stateTensors, new Dictionary<string, string> { ["format"] = "funcreg-state" });
        string weightsSha = ManifestWriter.Sha256(weights), stateSha = ManifestWriter.Sha256(state);
        return CheckpointLayout.Publish(System.IO.Path.GetFullPath(directory), options.Checkpoint?.Keep ?? CheckpointOptions.DefaultKeep, sequence =>
        [
            (WeightsFile, weights),
            (StateFile, state),
            (ManifestFile, ManifestWriter.Write(new ManifestContent(
                sequence, description, model.Seed, options.Optimizer.ToString(), weightsSha, stateSha, model.Step, model.OptimizerIterations, model.LearningRate,
                position, batchSize, trainCount, options.Shuffle, stopReason, history.Epochs, callbacks))),
        ]);
    }

    /// <summary>
    /// Reads the checkpoint of <paramref name="directory"/> and checks that it fits <paramref name="model"/> and
    /// <paramref name="options"/> (model, seed, parameter and moment shapes, optimizer, callbacks, penalty terms,
    /// kept weights); nothing is changed yet.
    /// </summary>
    internal static TrainingCheckpoint Read(string directory, IModel model, FitOptions options)
    {
        TrainingCheckpoint c = ReadFiles(directory, out _);
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
            throw Error(manifest, $"$.payload.partial_epoch.penalty_sums: {c.Position.PenaltySums.Length} values; the model has {model.PenaltyNames.Count} penalty terms.");
        }
        CheckHistory(c, model);
        for (int i = 0; i < c.CallbackStates.Count; i++)
        {
            if (c.CallbackStates[i].GetArrays("best_weights") is { } list
                && (list.Length != model.Parameters.Count || list.Zip(model.Parameters).Any(p => p.First.Length != p.Second.Length)))
            {
                throw Error(c.StatePath, $"callbacks/{i}/best_weights ({list.Length} arrays) does not match the model's {model.Parameters.Count} parameters.");
            }
        }
        return c;
    }

    /// <summary>Every logged epoch names the model's penalty terms, and has an accuracy exactly when the loss is a classification loss.</summary>
    private static void CheckHistory(TrainingCheckpoint c, IModel model)
    {
        var terms = new HashSet<string>(model.PenaltyNames, StringComparer.Ordinal);
        bool classification = model.Spec.Loss != Loss.MeanSquaredError;
        for (int i = 0; i < c.History.Count; i++)
        {
            EpochLog log = c.History[i];
            string at = $"$.payload.history[{i}]";
            if (!terms.SetEquals(log.Penalties.Keys))
            {
                throw Error(c.ManifestPath, $"{at}.penalties: [{string.Join(", ", log.Penalties.Keys)}]; the model's penalty terms are [{string.Join(", ", model.PenaltyNames)}].");
            }
            if (log.ValPenalties is { } vp && !terms.SetEquals(vp.Keys))
            {
                throw Error(c.ManifestPath, $"{at}.val_penalties: [{string.Join(", ", vp.Keys)}]; the model's penalty terms are [{string.Join(", ", model.PenaltyNames)}].");
            }
            if ((log.Accuracy is not null) != classification || (log.ValAccuracy is not null) != (classification && log.ValDataLoss is not null))
            {
                throw Error(c.ManifestPath, $"{at}: {(classification ? "a classification loss logs accuracies" : "a regression loss logs no accuracy")}.");
            }
        }
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

    /// <summary>
    /// Reads the checkpoint of <paramref name="directory"/>: its newest published <c>checkpoint-N</c>, else the directory
    /// itself. A newest checkpoint that fails is reported with the older ones listed; none is taken in its place.
    /// </summary>
    private static TrainingCheckpoint ReadFiles(string directory, out IReadOnlyList<string> published)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string dir = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"checkpoint directory {directory} does not exist.");
        }
        for (int attempt = 1; ; attempt++)
        {
            published = [.. CheckpointLayout.Published(dir).Select(p => p.Path)];
            if (published.Count == 0)
            {
                return ManifestReader.Read(dir);
            }
            try
            {
                return ManifestReader.Read(published[^1]);
            }
            catch (Exception e) when (e is CheckpointFormatException or FileNotFoundException)
            {
                // A writer in another process may have published a newer one and pruned this one meanwhile: look again.
                if (attempt < 3 && !Directory.Exists(published[^1]) && CheckpointLayout.Published(dir) is { Count: > 0 } now && now[^1].Path != published[^1])
                {
                    continue;
                }
                throw Newest(e, dir, published);
            }
        }
    }

    /// <summary>The failure of the newest checkpoint, with the older ones listed (they are not tried: that would go back in time silently).</summary>
    private static CheckpointFormatException Newest(Exception e, string dir, IReadOnlyList<string> published)
    {
        string older = published.Count == 1
            ? $"it is the only checkpoint in {dir}."
            : $"it is the newest checkpoint in {dir}; older ones, not tried: {string.Join(", ", published.SkipLast(1).Reverse())} — give one of them to resume from it.";
        string file = (e as CheckpointFormatException)?.Path ?? (e as FileNotFoundException)?.FileName ?? published[^1];
        string message = e.Message.TrimEnd();
        return new CheckpointFormatException($"{(message.StartsWith(file, StringComparison.Ordinal) ? "" : file + ": ")}{message} Not resumable: {older}", e) { Path = file };
    }

    private static CheckpointFormatException Error(string path, string message) => new($"{path}: {message}") { Path = path };
}
