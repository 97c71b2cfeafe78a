namespace FuncReg;

/// <summary>Writing files so that a reader sees either the old or the new content, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="temporary"/> and flushes it to disk; deletes it again on failure.</summary>
    public static void WriteTemporary(string temporary, ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Deletes a file if it exists, ignoring failures (cleanup after an error).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
