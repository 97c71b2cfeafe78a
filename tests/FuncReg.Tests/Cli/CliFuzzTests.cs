using System.Globalization;
using FuncReg.Cli.Commands;
using FuncReg.Tests.Data;
using Xunit.Abstractions;

namespace FuncReg.Tests.Cli;

/// <summary>
/// The readers' fuzzers seen from the command line (issue 12): corrupted weights, model files and checkpoints given to
/// <c>funcreg</c> in-process, seeded. Oracle: the exit code is 0 or 2, never 70 (an internal error) or an escaped
/// exception; a 2 prints exactly one <c>error:</c> line naming the corrupted file; a 0 means the corruption changed
/// nothing the command reads (a resumed run must end bit-identical to a resume from the pristine checkpoint).
/// </summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public sealed class CliFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const string Net = """{"inputs": 2, "layers": [{"type": "dense", "units": 6, "activation": "relu", "kernel_regularizer": {"l2": 0.001}}, {"type": "dropout", "rate": 0.2}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}""";

    private readonly DataFixtures files = new();

    public void Dispose() => files.Dispose();

    private string TrainCsv() => files.Text("train.csv", "x1,x2,y\n" + string.Join("\n", Enumerable.Range(0, 24).Select(i => string.Create(CultureInfo.InvariantCulture, $"{(i % 5) - 2.5},{(i % 7) * 0.3},{i % 2}"))) + "\n");

    [Fact]
    public void Corrupted_weights_files_given_to_evaluate()
    {
        string weights = files.Path("w.safetensors");
        Reference.Build(ModelSelection.FootballSpec, seed: 1).Save(weights);
        byte[] pristine = File.ReadAllBytes(weights);
        var tally = new Tally("evaluate --weights");
        var rng = new System.Random(12);
        for (int i = 0; i < 300; i++)
        {
            string path = files.Write($"w{i}.safetensors", Corruption.Apply(pristine, rng));
            tally.Add(CliRunner.Run("evaluate", "--preset", "football", "--weights", path), path, accepted: null);
        }
        tally.Check(output);
    }

    [Fact]
    public void Corrupted_model_files_given_to_train()
    {
        string csv = TrainCsv();
        byte[] pristine = System.Text.Encoding.UTF8.GetBytes(Net);
        var tally = new Tally("train --model");
        var rng = new System.Random(13);
        for (int i = 0; i < 300; i++)
        {
            string path = files.Write($"m{i}.json", Corruption.Apply(pristine, rng));
            tally.Add(CliRunner.Run("train", "--model", path, "--csv", csv, "--label", "y", "--epochs", "1", "--validation-split", "0"), path, accepted: null);
        }
        tally.Check(output);
    }

    [Fact]
    public void Corrupted_checkpoints_given_to_train_resume()
    {
        string csv = TrainCsv(), model = files.Text("net.json", Net);
        string[] Train(string dir, int epochs, params string[] more) =>
            ["train", "--model", model, "--csv", csv, "--label", "y", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch-size", "8", "--early-stopping", "5", "--checkpoint", dir, .. more];
        string pristine = files.Path("pristine");
        Assert.Equal(0, CliRunner.Run(Train(pristine, 2)).Code);
        string reference = files.Path("reference.safetensors");
        string copy = files.Path("copy");
        CopyDirectory(pristine, copy);
        var first = CliRunner.Run(Train(copy, 4, "--resume", copy, "--save", reference));
        Assert.True(first.Code == 0, first.Err);
        byte[] expected = File.ReadAllBytes(reference);

        // The files of the checkpoint a resume reads (the newest; damage to an older one is never read).
        string newest = Checkpoint.Latest(pristine)!;
        string[] targets = [.. Directory.EnumerateFiles(newest).Select(f => Path.GetRelativePath(pristine, f)).Order(StringComparer.Ordinal)];
        var tally = new Tally("train --resume");
        var rng = new System.Random(14);
        for (int i = 0; i < 200; i++)
        {
            string dir = files.Path($"c{i}");
            CopyDirectory(pristine, dir);
            string target = Path.Combine(dir, targets[i % targets.Length]);
            File.WriteAllBytes(target, Corruption.Apply(File.ReadAllBytes(target), rng));
            string save = files.Path($"s{i}.safetensors");
            tally.Add(CliRunner.Run(Train(dir, 4, "--resume", dir, "--save", save)), dir, accepted: () => File.ReadAllBytes(save).AsSpan().SequenceEqual(expected));
        }
        tally.Check(output);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories).Prepend(from))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        }
        foreach (string f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
        }
    }

    /// <summary>Counts outcomes and keeps the first few violations of the oracle.</summary>
    private sealed class Tally(string what)
    {
        private readonly List<string> violations = [];

        public int Cases { get; private set; }

        public int Rejected { get; private set; }

        public int Accepted { get; private set; }

        /// <param name="run">The command's outcome.</param>
        /// <param name="named">What a rejection must name (the file or checkpoint directory).</param>
        /// <param name="accepted">For exit 0: whether the result is what the pristine input gives (null: any result is fine).</param>
        public void Add((int Code, string Out, string Err) run, string named, Func<bool>? accepted)
        {
            Cases++;
            string[] lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (run.Code == CliErrors.BadInput && lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal) && lines[0].Contains(named, StringComparison.Ordinal))
            {
                Rejected++;
            }
            else if (run.Code == 0 && (accepted is null || accepted()))
            {
                Accepted++;
            }
            else if (violations.Count < 5)
            {
                violations.Add($"{named}: exit {run.Code}: {run.Err.Trim()}");
            }
        }

        public void Check(ITestOutputHelper output)
        {
            output.WriteLine($"{what}: {Cases} corrupted inputs, {Rejected} rejected with one line, {Accepted} accepted, {Cases - Rejected - Accepted} violations");
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
    }
}

/// <summary>Seeded random corruptions of a file's bytes: flips, overwrites, truncation, insertion, deletion, appended bytes.</summary>
internal static class Corruption
{
    public static byte[] Apply(byte[] original, System.Random rng)
    {
        var bytes = new List<byte>(original);
        int kind = rng.Next(7);
        int at = bytes.Count == 0 ? 0 : rng.Next(bytes.Count);
        switch (kind)
        {
            case 0: // one bit
                bytes[at] ^= (byte)(1 << rng.Next(8));
                break;
            case 1: // one byte, any value (≠ the old one)
                bytes[at] = (byte)(bytes[at] + 1 + rng.Next(255));
                break;
            case 2: // truncation
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 3: // insertion
                bytes.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => (byte)rng.Next(256)));
                break;
            case 4: // deletion
                bytes.RemoveRange(at, Math.Min(1 + rng.Next(8), bytes.Count - at));
                break;
            case 5: // appended garbage
                bytes.AddRange(Enumerable.Range(0, 1 + rng.Next(16)).Select(_ => (byte)rng.Next(256)));
                break;
            default: // a burst of random bytes, often invalid UTF-8
                for (int k = at; k < Math.Min(bytes.Count, at + 1 + rng.Next(6)); k++)
                {
                    bytes[k] = (byte)(0x80 + rng.Next(128));
                }
                break;
        }
        return [.. bytes];
    }
}
