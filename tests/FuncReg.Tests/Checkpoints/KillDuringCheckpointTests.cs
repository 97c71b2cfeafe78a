using System.Collections.Concurrent;
using System.Diagnostics;
using FuncReg.CrashHost;
using Xunit.Abstractions;

namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// Issue 12: checkpoints survive SIGKILL at any instruction. A child process (tests/FuncReg.CrashHost) runs
/// <see cref="CrashScenario.Interrupted"/> — six checkpoint writes, mid-epoch and epoch-end, with pruning — and is killed
/// (a) by itself at every disk step of the writer in turn (create, half-written, fsync, mkdir, rename, directory fsync,
/// prune rename and delete), (b) by itself while the next run deletes a left-over of an interrupted write, and (c) by
/// this process after seeded random delays. After each kill: a checkpoint exists whenever one had been published
/// (the child prints each publication), every published checkpoint passes <see cref="Checkpoint.Inspect"/>, and
/// resuming from the directory to the end (which also writes checkpoints there, removing left-overs) gives weights
/// bit-identical to an uninterrupted run.
/// </summary>
public class KillDuringCheckpointTests(ITestOutputHelper output)
{
    private const int RandomKills = 32;

    /// <summary>Every n-th step kill that left a temporary directory is followed by a kill of the run that deletes it.</summary>
    private const int CleanupEvery = 5;

    /// <summary>A child's exit code, output lines, whether it was killed, and the milliseconds from "ready" to its exit.</summary>
    private sealed record Run(int ExitCode, IReadOnlyList<string> Lines, bool Killed, double ReadyToExit);

    private static string Host => Path.Combine(AppContext.BaseDirectory, "FuncReg.CrashHost.dll");

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>Runs the child; <paramref name="killAfter"/> (ms after "ready") kills it from here.</summary>
    private static Run Child(string dir, long killAt, bool finish = false, bool list = false, int? killAfter = null)
    {
        var start = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DOTNET_TieredPGO"] = "0"; // a short-lived process: less JIT work, same results
        foreach (string a in (string[])[Host, dir, killAt.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(a);
        }
        if (finish)
        {
            start.ArgumentList.Add("--finish");
        }
        if (list)
        {
            start.ArgumentList.Add("--list");
        }
        var lines = new ConcurrentQueue<string>();
        using var ready = new ManualResetEventSlim();
        var sinceReady = new Stopwatch();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line == "ready")
                {
                    sinceReady.Start();
                    ready.Set();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue("stderr: " + line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool killedHere = false;
        if (killAfter is { } ms && ready.Wait(30_000))
        {
            Thread.Sleep(ms);
            try
            {
                process.Kill(); // SIGKILL
                killedHere = true;
            }
            catch (InvalidOperationException)
            {
                // it had finished already
            }
        }
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"the crash host did not finish: {string.Join(" | ", lines)}");
        }
        double readyToExit = sinceReady.Elapsed.TotalMilliseconds;
        process.WaitForExit(); // drains the output
        return new Run(process.ExitCode, [.. lines], process.ExitCode == 137 || (killedHere && process.ExitCode != 0), readyToExit);
    }

    /// <summary>"step 7: before create /…/weights.safetensors" → "before create"; renames as publish or prune.</summary>
    private static string Operation(string line)
    {
        string[] words = line.Split(' ');
        string what = $"{words[2]} {words[3]}";
        return words[3] == "rename" ? what + (line.EndsWith(".del", StringComparison.Ordinal) ? " (prune)" : " (publish)") : what;
    }

    private static long Published(Run run) =>
        run.Lines.Where(l => l.StartsWith("published checkpoint-", StringComparison.Ordinal)).Select(l => long.Parse(l["published checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    private static long Number(string checkpoint) => long.Parse(Path.GetFileName(checkpoint)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static string[] LeftOvers(string dir) => [.. Directory.GetDirectories(dir).Select(Path.GetFileName).Where(n => n!.StartsWith('.'))!];

    /// <summary>Checks the directory a killed child left; returns a problem, or null. <paramref name="before"/>: the newest publication the child reported.</summary>
    private static string? Verify(string dir, long before, float[][] expected, ref int resumedFromCheckpoint)
    {
        string? latest = Directory.Exists(dir) ? Checkpoint.Latest(dir) : null;
        if (before > 0 && (latest is null || Number(latest) < before))
        {
            return $"LOST: checkpoint-{before:D6} was published, the newest now is {latest ?? "none"}";
        }
        if (latest is not null)
        {
            foreach (string checkpoint in Checkpoint.List(dir))
            {
                try
                {
                    Checkpoint.Inspect(checkpoint);
                }
                catch (Exception e)
                {
                    return $"BAD: published {checkpoint} does not read: {e.Message}";
                }
            }
            resumedFromCheckpoint++;
        }
        float[][] weights = CrashScenario.Finish(dir);
        if (!TestData.SameBits(expected, weights))
        {
            return $"BAD RESUME: resuming from {latest ?? "nothing"} did not end with the uninterrupted run's weights";
        }
        string? after = Checkpoint.Latest(dir);
        if (after is null || (latest is not null && Number(after) < Number(latest)))
        {
            return $"after the resume the newest checkpoint is {after ?? "none"} (before: {latest})";
        }
        if (after == latest)
        {
            return null; // the run had ended: the resume trained nothing and wrote nothing
        }
        if (LeftOvers(dir) is { Length: > 0 } left)
        {
            return $"left-overs after a complete write: {string.Join(", ", left)}";
        }
        return Checkpoint.List(dir).Count > CheckpointOptions.DefaultKeep ? $"more than Keep after a complete write: {string.Join(", ", Checkpoint.List(dir).Select(Path.GetFileName))}" : null;
    }

    [Fact]
    public void Checkpoints_survive_SIGKILL_at_every_step_of_the_writer_and_at_random_times()
    {
        if (OperatingSystem.IsWindows())
        {
            output.WriteLine("skipped: SIGKILL and directory fsync are Unix; Windows runs the in-process crash test only");
            return;
        }
        var clock = Stopwatch.StartNew();
        float[][] expected = CrashScenario.Uninterrupted();
        using var root = new TempDirectory();

        // the uninterrupted child: the same weights, and the number of disk steps to sweep
        Run whole = Child(root["whole"], 0, list: true);
        Assert.True(whole.ExitCode == 0, string.Join("\n", whole.Lines));
        long steps = long.Parse(whole.Lines.Single(l => l.StartsWith("done ", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(steps >= 100, $"{steps} steps");
        Assert.Equal(6, Published(whole));
        Assert.True(TestData.SameBits(expected, CrashScenario.Finish(root["whole"])));
        var operations = whole.Lines.Where(l => l.StartsWith("step ", StringComparison.Ordinal)).Select(Operation).GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        int window = Math.Max(50, (int)(0.8 * Child(root["timing"], 0).ReadyToExit)); // random kills fall between "ready" and the end

        // every step of the first four writes (the first, the mid-epoch one, the first prunes, the resumed run's first);
        // every other step of the last two, which repeat the fourth's steps
        long fifth = whole.Lines.Where(l => l.StartsWith("step ", StringComparison.Ordinal) && l.Contains("mkdir", StringComparison.Ordinal) && l.EndsWith(".checkpoint-000005.tmp", StringComparison.Ordinal))
            .Select(l => long.Parse(l[5..l.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).First();
        var cases = new List<(string Name, long KillAt, int? Delay)>();
        for (long k = 1; k <= steps; k++)
        {
            if (k < fifth || (k - fifth) % 2 == 0)
            {
                cases.Add(($"step-{k}", k, null));
            }
        }
        int swept = cases.Count;
        var random = new Random(20261205);
        for (int i = 0; i < RandomKills; i++)
        {
            cases.Add(($"random-{i}", 0, random.Next(0, window)));
        }

        int kills = 0, cleanupKills = 0, randomKills = 0, finished = 0, ok = 0, resumed = 0, lost = 0, bad = 0;
        var problems = new ConcurrentBag<string>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 * Environment.ProcessorCount }, c =>
        {
            string dir = root[c.Name];
            Run run = Child(dir, c.KillAt, killAfter: c.Delay);
            if (!run.Killed)
            {
                Assert.True(run.ExitCode == 0, $"{c.Name}: exit {run.ExitCode}: {string.Join(" | ", run.Lines)}");
                Interlocked.Increment(ref finished);
                return;
            }
            Interlocked.Increment(ref kills);
            if (c.Delay is not null)
            {
                Interlocked.Increment(ref randomKills);
            }
            long published = Published(run);
            // a write interrupted before its rename leaves .checkpoint-N.tmp: kill the next run while it deletes it
            if (c.Delay is null && c.KillAt % CleanupEvery == 0 && Directory.Exists(dir) && LeftOvers(dir).Length > 0)
            {
                Run cleanup = Child(dir, 1 + (c.KillAt % 2), finish: true);
                if (cleanup.Killed)
                {
                    Interlocked.Increment(ref kills);
                    Interlocked.Increment(ref cleanupKills);
                    published = Math.Max(published, Published(cleanup));
                }
            }
            string? problem = Verify(dir, published, expected, ref resumed);
            if (problem is null)
            {
                Interlocked.Increment(ref ok);
            }
            else
            {
                Interlocked.Increment(ref problem.StartsWith("LOST", StringComparison.Ordinal) ? ref lost : ref bad);
                problems.Add($"{c.Name}: {problem}");
            }
            Directory.Delete(dir, recursive: true);
        });

        output.WriteLine($"{steps} disk steps in 6 checkpoint writes: {string.Join(", ", operations.Select(o => $"{o.Key} ×{o.Value}"))}");
        output.WriteLine($"{kills} SIGKILLs ({swept} at steps of the writer: each of the first {fifth - 1}, every other one of the last {steps - fifth + 1}; {cleanupKills} while the next run removed a left-over, {randomKills} at random times in a {window} ms window; {finished} random ones came too late); {ok + lost + bad} killed directories checked: {ok} ok ({resumed} resumed from a checkpoint to the uninterrupted weights, the others killed before the first publication and trained afresh), {lost} checkpoints lost, {bad} bad; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(10)));
        Assert.True(kills >= 100, $"only {kills} kills");
        Assert.True(randomKills >= 20, $"only {randomKills} random kills landed");
    }
}
