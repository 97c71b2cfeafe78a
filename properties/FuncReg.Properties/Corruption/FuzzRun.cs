using Xunit.Abstractions;

namespace FuncReg.Properties.Corruption;

/// <summary>
/// The common half of every corruption fuzzer: runs a reader on one mutated file under a timeout, checks that a rejection
/// is a typed exception with a one-line message naming the file, and counts the outcomes. A failure (a crash: any other
/// exception type, a hang, a bad message, or garbage accepted) throws, so FsCheck reports the case as the counterexample.
/// </summary>
internal sealed class FuzzRun(string format, ITestOutputHelper output)
{
    /// <summary>Per case; a reader that takes longer is taken to hang (every file here is a few kilobytes).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, int> acceptedKinds = [];

    public int Cases { get; private set; }

    public int Rejected { get; private set; }

    public int Accepted { get; private set; }

    /// <summary>
    /// Runs <paramref name="read"/> on the file at <paramref name="path"/>. Returns its result when it accepts; returns default when it
    /// rejects with one of <paramref name="typed"/> (or <see cref="FileNotFoundException"/>) whose message is one non-empty line
    /// containing <paramref name="path"/>; throws <see cref="FuzzFailure"/> otherwise.
    /// </summary>
    public T? Read<T>(string path, Func<T> read, params Type[] typed)
        where T : class
    {
        Cases++;
        Task<T> task = Task.Run(read);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(Timeout))
        {
            throw new FuzzFailure($"{format}: the reader did not finish within {Timeout.TotalSeconds} s (a hang)");
        }
        try
        {
            T value = task.GetAwaiter().GetResult();
            Accepted++;
            return value;
        }
        catch (Exception e) when (e is not FuzzFailure)
        {
            bool allowed = e is FileNotFoundException || typed.Any(t => t.IsInstanceOfType(e));
            if (!allowed)
            {
                throw new FuzzFailure($"{format}: crash: {e.GetType().FullName}: {e.Message}", e);
            }
            if (string.IsNullOrWhiteSpace(e.Message) || e.Message.Contains('\n') || e.Message.Contains('\r'))
            {
                throw new FuzzFailure($"{format}: the message of {e.GetType().Name} is empty or spans lines: \"{e.Message}\"", e);
            }
            if (!e.Message.Contains(path, StringComparison.Ordinal))
            {
                throw new FuzzFailure($"{format}: the message does not name the file {path}: \"{e.Message}\"", e);
            }
            Rejected++;
            return null;
        }
    }

    /// <summary>Counts an accepted case by the way the oracle accounted for it ("identical", "respelled", "values changed"…).</summary>
    public void Note(string kind) => acceptedKinds[kind] = acceptedKinds.GetValueOrDefault(kind) + 1;

    /// <summary>Writes the counts and asserts the minimum number of cases (the property itself asserted 0 crashes and 0 garbage).</summary>
    public void Report(int minimumCases, TimeSpan elapsed)
    {
        string kinds = string.Join(", ", acceptedKinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));
        output.WriteLine($"{format}: {Cases} cases, {Rejected} rejected, {Accepted} accepted ({kinds}), 0 crashes, 0 garbage accepted, {elapsed.TotalSeconds:F2} s");
        Assert.True(Cases >= minimumCases, $"{format}: {Cases} cases, at least {minimumCases} expected");
        Assert.Equal(Cases, Rejected + Accepted);
        Assert.True(Rejected > 0 && Accepted > 0, $"{format}: a fuzzer that only rejects (or only accepts) tests too little: {Rejected} rejected, {Accepted} accepted");
    }
}

/// <summary>A case the reader got wrong: a crash, a hang, a bad message, or garbage accepted.</summary>
internal sealed class FuzzFailure(string message, Exception? inner = null) : Exception(message, inner);
