using System.Globalization;
using System.Text;
using FuncReg.Properties.Corruption;
using Xunit.Abstractions;

namespace FuncReg.Properties;

/// <summary>One damage done to a copy of a checkpoint directory holding two checkpoints.</summary>
/// <param name="Target">0 = the older checkpoint, 1 = the newest.</param>
/// <param name="File">The file damaged.</param>
/// <param name="Kind">bytes (<paramref name="Bytes"/>, the byte-level corruptions every fuzzer uses, or a whitespace
/// insertion), empty, delete, swap-file (with the same file of the other checkpoint), swap-dirs (the two checkpoints trade
/// names), delete-dir.</param>
/// <param name="Bytes">The byte-level corruption when <paramref name="Kind"/> is bytes.</param>
internal sealed record CheckpointDamage(int Target, string File, string Kind, Corruption.Corruption? Bytes)
{
    /// <summary>The kind for the tally: the byte-level corruption's type for bytes.</summary>
    public string Name => Bytes?.GetType().Name ?? Kind;

    public override string ToString() => $"{Name} {(Target == 1 ? "newest" : "older")}/{File}{(Bytes is null ? "" : $" {Bytes}")}";
}

/// <summary>
/// A seeded corruption fuzzer over checkpoint directories (issue 12). For each case a copy of a directory with two
/// checkpoints (an epoch-boundary one and a newer mid-epoch one) is damaged; then <see cref="Checkpoint.Inspect"/> and a
/// resume read (<see cref="Checkpoint.Read"/> + <see cref="TrainingCheckpoint.Apply"/> into a fresh model and callbacks)
/// must either throw <see cref="CheckpointFormatException"/> or <see cref="FileNotFoundException"/> with a one-line
/// message naming a file of the directory, or accept — and then everything loaded (weights, moments, counters, position,
/// history, callback states) equals the original of the checkpoint that was read, bit for bit. Any other exception is
/// a crash; anything else accepted is garbage. Both must be 0.
/// </summary>
public sealed class CheckpointCorruptionProperties(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Files = [Checkpoint.WeightsFile, Checkpoint.StateFile, Checkpoint.ManifestFile];

    private readonly string template = Path.Combine(Path.GetTempPath(), "funcreg-fuzz-" + Guid.NewGuid().ToString("N"));

    private static Gen<CheckpointDamage> Corruptions =>
        from target in Gen.Frequency((7, Gen.Constant(1)), (3, Gen.Constant(0)))
        from file in Gen.Elements(Files)
        from kind in Gen.Frequency(
            (18, Gen.Constant("bytes")),
            (1, Gen.Constant("empty")),
            (2, Gen.Constant("delete")),
            (2, Gen.Constant("swap-file")),
            (1, Gen.Constant("swap-dirs")),
            (1, Gen.Constant("delete-dir")))
        from bytes in Gen.Frequency(
            (9, CorruptionGens.Bytewise),
            (1, from p in CorruptionGens.Position from w in Gen.Elements(" \n\t\r".ToCharArray()) select (Corruption.Corruption)new Insert(p, [(byte)w])))
        select new CheckpointDamage(target, file, kind, kind == "bytes" ? bytes : null);

    /// <summary>The training whose checkpoints are damaged: dropout, an L2 penalty, Adam, kept best weights, a plateau schedule.</summary>
    private static (Dataset Train, Dataset Validation) Data()
    {
        var rng = new Random(3);
        int n = 40, features = 6;
        var x = new float[n * features];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int j = 0; j < features; j++)
            {
                x[(i * features) + j] = y[i] - 1 + (float)(rng.NextDouble() - 0.5);
            }
        }
        return Dataset.From(x, y, [features]).SplitLast(0.25);
    }

    private static IModel Model() => new CompiledModel(
        Sequential.Of(6, new Dense(8, Activation.Relu) { KernelRegularizer = Regularizer.L2(1e-3) }, new Dropout(0.2), new Dense(3, Activation.Softmax)), seed: 5);

    private static FitOptions Options(Dataset validation) => new()
    {
        Epochs = 6,
        BatchSize = 4,
        Optimizer = new Adam(0.01),
        Validation = validation,
        Callbacks = [new EarlyStopping { Monitor = "val_loss", Patience = 10, RestoreBestWeights = true }, new ReduceLROnPlateau { Monitor = "val_loss", Patience = 1 }],
    };

    public void Dispose()
    {
        if (Directory.Exists(template))
        {
            Directory.Delete(template, recursive: true);
        }
    }

    [Fact]
    public void Damaged_checkpoints_are_refused_with_a_message_or_read_exactly()
    {
        var (train, validation) = Data();
        using (var cts = new CancellationTokenSource())
        {
            // checkpoints after epochs 0 and 1 and in epoch 2 before batch 3; Keep 2 leaves checkpoint-000002 and -000003
            Model().Fit(train, Options(validation) with
            {
                Checkpoint = new CheckpointOptions(template),
                CancellationToken = cts.Token,
                Progress = new CancelAtBatch(cts, 2, 3),
            });
        }
        IReadOnlyList<string> published = Checkpoint.List(template);
        Assert.Equal(2, published.Count);
        var originals = published.ToDictionary(p => Path.GetFileName(p), p => (Info: Describe(Checkpoint.Inspect(p)), State: Load(p, validation)));
        Assert.NotEqual(originals.Values.First().State, originals.Values.Last().State);

        int cases = 0, rejected = 0, inspected = 0, resumed = 0, olderRead = 0;
        var kinds = new SortedDictionary<string, (int Rejected, int Accepted)>(StringComparer.Ordinal);
        string? firstMessage = null;
        Property property = Prop.ForAll(Corruptions.ToArbitrary(), c =>
        {
            string dir = Path.Combine(Path.GetTempPath(), "funcreg-fuzz-case-" + Guid.NewGuid().ToString("N"));
            try
            {
                CopyTree(template, dir);
                Damage(dir, c);
                cases++;
                bool rejectedHere = false;
                if (Outcome(() => Describe(Checkpoint.Inspect(dir)), dir, c, out string? info) is { } message)
                {
                    firstMessage ??= message;
                    rejectedHere = true;
                }
                else
                {
                    inspected++;
                    string read = Checkpoint.Inspect(dir).Path;
                    Assert.True(originals.TryGetValue(Path.GetFileName(read), out var original), $"{c}: accepted {read}, which is no original checkpoint");
                    Assert.True(original.Info == info, $"{c}: Inspect accepted {read} with other values:\n{info}\noriginal:\n{original.Info}");
                    olderRead += Path.GetFileName(read) == Path.GetFileName(published[0]) ? 1 : 0;
                }
                if (Outcome(() => Load(dir, validation), dir, c, out string? state) is null)
                {
                    resumed++;
                    string read = Checkpoint.Latest(dir)!;
                    Assert.True(originals.TryGetValue(Path.GetFileName(read), out var original), $"{c}: resumed from {read}, which is no original checkpoint");
                    Assert.True(original.State == state, $"{c}: the resume read accepted {read} with other values");
                    Assert.False(rejectedHere, $"{c}: Inspect refused what a resume accepted");
                }
                else
                {
                    rejectedHere = true;
                }
                rejected += rejectedHere ? 1 : 0;
                var (r, a) = kinds.GetValueOrDefault(c.Name);
                kinds[c.Name] = rejectedHere ? (r + 1, a) : (r, a + 1);
                return true;
            }
            finally
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        });
        Support.Run.CheckPinned(property, 600, seed: 20261205, gamma: 0x2545F4914F6CDD1D);

        output.WriteLine($"{cases} damaged checkpoint directories: {rejected} refused, {cases - rejected} accepted (Inspect {inspected}, resume read {resumed}; {olderRead} of them read the older checkpoint because the newest was gone), 0 crashes, 0 garbage");
        output.WriteLine(string.Join("; ", kinds.Select(k => $"{k.Key}: {k.Value.Rejected} refused, {k.Value.Accepted} accepted")));
        output.WriteLine($"e.g. {firstMessage}");
        Assert.True(cases >= 600, $"{cases} cases");
        Assert.True(rejected >= cases / 2, $"only {rejected} of {cases} refused: the damage generator is too gentle");
    }

    /// <summary>Runs <paramref name="read"/>: null when it accepted (its result in <paramref name="result"/>), the message when it refused as it should; throws on anything else.</summary>
    private static string? Outcome(Func<string> read, string dir, CheckpointDamage c, out string? result)
    {
        result = null;
        try
        {
            result = read();
            return null;
        }
        catch (Exception e) when (e is CheckpointFormatException or FileNotFoundException)
        {
            string? file = e is CheckpointFormatException f ? f.Path : ((FileNotFoundException)e).FileName;
            Assert.True(file is not null && file.StartsWith(dir, StringComparison.Ordinal), $"{c}: {e.GetType().Name} names no file of the directory: {e.Message}");
            Assert.True(e.Message.Contains(file, StringComparison.Ordinal), $"{c}: the message does not name {file}: {e.Message}");
            Assert.False(e.Message.Contains('\n', StringComparison.Ordinal), $"{c}: a message of more than one line: {e.Message}");
            return e.Message;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{c}: crashed with {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Reads the checkpoint of <paramref name="dir"/> as a resume does and describes everything it loaded, exactly.</summary>
    private static string Load(string dir, Dataset validation)
    {
        IModel model = Model();
        FitOptions options = Options(validation);
        model.Optimizer = options.Optimizer;
        TrainingCheckpoint c = Checkpoint.Read(dir, model, options);
        var history = new History();
        var position = new FitPosition(model.PenaltyNames.Count);
        c.Apply(model, options.Callbacks, history, position);
        var s = new StringBuilder();
        foreach (Parameter p in model.Parameters.Concat(model.OptimizerState))
        {
            s.Append(p.Name).Append('=').AppendLine(Bits(p.Values));
        }
        s.AppendLine(CultureInfo.InvariantCulture, $"step {model.Step} iterations {model.OptimizerIterations} lr {model.LearningRate:R}");
        s.AppendLine(CultureInfo.InvariantCulture, $"position {position.Epoch} {position.Batch} {position.DataSum:R} {position.CorrectSum:R} {string.Join(",", position.PenaltySums.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} {position.Seen} {position.Seconds:R} {position.LearningRate:R}");
        s.AppendLine(Logs(history.Epochs)).AppendLine(c.StopReason ?? "-");
        for (int i = 0; i < options.Callbacks.Count; i++)
        {
            var state = new CallbackState($"callback {i}");
            options.Callbacks[i].WriteState(state);
            foreach (var (k, v) in state.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"{i}.{k}={v?.ToString("R", CultureInfo.InvariantCulture) ?? "null"}");
            }
            foreach (var (k, arrays) in state.Arrays.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"{i}.{k}=[{string.Join(";", arrays.Select(a => Bits(a)))}]");
            }
        }
        return s.ToString();
    }

    private static string Describe(CheckpointInfo i) =>
        $"{i.Model}|{i.Seed}|{i.Optimizer}|{i.Epoch}|{i.Batch}|{i.Step}|{i.OptimizerIterations}|{i.LearningRate:R}|{i.StopReason}|{i.Sequence}|{Path.GetFileName(i.Path)}\n{Logs(i.History)}";

    private static string Logs(IEnumerable<EpochLog> logs) =>
        string.Join("\n", logs.Select(e => $"{e.Epoch} {e.Seconds:R} " + string.Join(";", e.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value:R}"))));

    private static string Bits(ReadOnlySpan<float> values) => Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string dir in Directory.GetDirectories(from))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private static void Damage(string dir, CheckpointDamage c)
    {
        string[] checkpoints = [.. Checkpoint.List(dir)];
        string target = checkpoints[c.Target], other = checkpoints[1 - c.Target];
        string file = Path.Combine(target, c.File);
        switch (c.Kind)
        {
            case "bytes":
                File.WriteAllBytes(file, c.Bytes!.Apply(File.ReadAllBytes(file)));
                break;
            case "empty":
                File.WriteAllBytes(file, []);
                break;
            case "delete":
                File.Delete(file);
                break;
            case "swap-file":
                string swap = Path.Combine(other, c.File);
                File.Move(file, file + ".swap");
                File.Move(swap, file);
                File.Move(file + ".swap", swap);
                break;
            case "swap-dirs":
                Directory.Move(target, target + ".swap");
                Directory.Move(other, target);
                Directory.Move(target + ".swap", other);
                break;
            case "delete-dir":
                Directory.Delete(target, recursive: true);
                break;
            default:
                throw new ArgumentException(c.Kind);
        }
    }

    /// <summary>Cancels once training reports <paramref name="batch"/> batches done in <paramref name="epoch"/>.</summary>
    private sealed class CancelAtBatch(CancellationTokenSource source, int epoch, int batch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Log is null && value.Epoch == epoch && value.Batch == batch)
            {
                source.Cancel();
            }
        }
    }
}
