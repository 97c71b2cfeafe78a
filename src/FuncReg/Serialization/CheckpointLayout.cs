using System.Globalization;

namespace FuncReg;

/// <summary>
/// Where checkpoints live in a checkpoint directory: each in its own subdirectory <c>checkpoint-000007</c> (sequence
/// numbers increase and are never reused), published by one rename of a complete, flushed temporary directory
/// <c>.checkpoint-000007.tmp</c>. Pruned checkpoints are first renamed to <c>.checkpoint-000005.del</c>, so a
/// half-deleted one is never taken for a checkpoint. Names starting with a dot are left-overs of an interrupted write
/// or prune: readers ignore them and the next write deletes them.
/// </summary>
internal static class CheckpointLayout
{
    private const string Prefix = "checkpoint-";
    private const string Temporary = ".tmp";
    private const string Deleting = ".del";

    /// <summary>The subdirectory name of checkpoint <paramref name="sequence"/>: <c>checkpoint-000007</c>.</summary>
    public static string Name(long sequence) => Prefix + sequence.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The sequence number of a published checkpoint's directory name, or null for any other name.</summary>
    public static long? Sequence(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && Digits(name.AsSpan(Prefix.Length)) is { } n ? n : null;

    /// <summary>Published checkpoints in <paramref name="root"/>, oldest (lowest sequence) first.</summary>
    public static IReadOnlyList<(long Sequence, string Path)> Published(string root) =>
        [.. Subdirectories(root).Select(d => (Sequence: Sequence(System.IO.Path.GetFileName(d)), Path: d))
            .Where(c => c.Sequence is not null)
            .Select(c => (c.Sequence!.Value, c.Path))
            .OrderBy(c => c.Item1)];

    /// <summary>
    /// Writes <paramref name="files"/> (given the new sequence number) as a new checkpoint in <paramref name="root"/>
    /// and returns its directory. Order: delete left-overs of interrupted writes; write every file into
    /// <c>.checkpoint-N.tmp</c> and flush it; flush that directory; rename it to <c>checkpoint-N</c> (the one step that
    /// publishes); flush <paramref name="root"/>; only then prune all but the newest <paramref name="keep"/>.
    /// A failure before the rename deletes the temporary directory and leaves every published checkpoint as it was.
    /// </summary>
    public static string Publish(string root, int keep, Func<long, IReadOnlyList<(string Name, byte[] Bytes)>> files)
    {
        if (!Directory.Exists(root))
        {
            AtomicFile.CreateDirectory(root);
            if (System.IO.Path.GetDirectoryName(root) is { } parent)
            {
                AtomicFile.FlushDirectory(parent);
            }
        }
        IReadOnlyList<(long Sequence, string Path)> published = Published(root);
        var leftOvers = LeftOvers(root).ToList();
        long sequence = published.Select(p => p.Sequence).Concat(leftOvers.Select(l => l.Sequence)).DefaultIfEmpty(0).Max() + 1;
        foreach (var (_, path) in leftOvers)
        {
            TryDelete(path);
        }
        IReadOnlyList<(string Name, byte[] Bytes)> contents = files(sequence);
        string temporary = System.IO.Path.Combine(root, "." + Name(sequence) + Temporary);
        string final = System.IO.Path.Combine(root, Name(sequence));
        try
        {
            AtomicFile.CreateDirectory(temporary);
            foreach (var (name, bytes) in contents)
            {
                AtomicFile.WriteNew(System.IO.Path.Combine(temporary, name), bytes);
            }
            AtomicFile.FlushDirectory(temporary);
            AtomicFile.MoveDirectory(temporary, final);
        }
        catch
        {
            AtomicFile.TryDeleteDirectory(temporary);
            throw;
        }
        AtomicFile.FlushDirectory(root);
        foreach (var (old, path) in published.Where(p => p.Sequence < sequence).SkipLast(keep - 1))
        {
            string doomed = System.IO.Path.Combine(root, "." + Name(old) + Deleting);
            try
            {
                AtomicFile.MoveDirectory(path, doomed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // kept for now; the next write tries again
            }
            TryDelete(doomed);
        }
        return final;
    }

    /// <summary>Temporary and half-deleted directories (<c>.checkpoint-N.tmp</c>, <c>.checkpoint-N.del</c>).</summary>
    private static IEnumerable<(long Sequence, string Path)> LeftOvers(string root)
    {
        foreach (string dir in Subdirectories(root))
        {
            string name = System.IO.Path.GetFileName(dir);
            if (name.StartsWith('.') && (name.EndsWith(Temporary, StringComparison.Ordinal) || name.EndsWith(Deleting, StringComparison.Ordinal))
                && Sequence(name[1..^4]) is { } n)
            {
                yield return (n, dir);
            }
        }
    }

    private static string[] Subdirectories(string root) => Directory.Exists(root) ? Directory.GetDirectories(root) : [];

    /// <summary>Deletes a left-over directory; one that cannot be deleted now is tried again at the next write.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            AtomicFile.DeleteDirectory(path);
        }
        catch (IOException)
        {
            // tried again at the next write
        }
        catch (UnauthorizedAccessException)
        {
            // tried again at the next write
        }
    }

    /// <summary>1 to 18 ASCII digits as a number ≥ 1 (no sign, no spaces), or null.</summary>
    private static long? Digits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 18)
        {
            return null;
        }
        long n = 0;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
            n = (n * 10) + (c - '0');
        }
        return n >= 1 ? n : null;
    }
}
