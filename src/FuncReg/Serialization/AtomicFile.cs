using System.Runtime.InteropServices;

namespace FuncReg;

/// <summary>
/// Writing files so that a reader sees either the old or the new content, never a mix, and so that what was
/// published survives a crash: file contents are flushed to disk (fsync) before they are renamed into place, and on
/// Unix the directory holding a rename is flushed too (a rename lives in its directory, not in the file).
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>
    /// Test hook: called before and after every step that changes the disk (create, write, fsync, rename, delete) of
    /// the durable operations below, with a description such as <c>"before rename /a/.checkpoint-000002.tmp -> /a/checkpoint-000002"</c>.
    /// The crash tests kill the process inside it; it is null otherwise.
    /// </summary>
    internal static Action<string>? StepHook;

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

    /// <summary>Creates the new file <paramref name="path"/> (it must not exist), writes <paramref name="bytes"/> and flushes them to disk.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        Step("before create", path);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        int half = bytes.Length / 2;
        file.Write(bytes[..half]);
        file.Flush(flushToDisk: false);
        Step("half written", path);
        file.Write(bytes[half..]);
        file.Flush(flushToDisk: false);
        Step("before fsync", path);
        file.Flush(flushToDisk: true);
        Step("after fsync", path);
    }

    /// <summary>Creates the directory <paramref name="path"/> (and its parents).</summary>
    public static void CreateDirectory(string path)
    {
        Step("before mkdir", path);
        Directory.CreateDirectory(path);
        Step("after mkdir", path);
    }

    /// <summary>Renames a directory in one step (<c>rename(2)</c>); <paramref name="to"/> must not exist.</summary>
    public static void MoveDirectory(string from, string to)
    {
        Step("before rename", $"{from} -> {to}");
        Directory.Move(from, to);
        Step("after rename", $"{from} -> {to}");
    }

    /// <summary>Deletes a directory and everything in it.</summary>
    public static void DeleteDirectory(string path)
    {
        Step("before delete", path);
        Directory.Delete(path, recursive: true);
        Step("after delete", path);
    }

    /// <summary>
    /// Flushes a directory's entries (created, renamed and deleted names) to disk: <c>open(O_RDONLY)</c> + <c>fsync</c>
    /// on Linux and macOS (.NET cannot open a directory as a file handle); nothing on Windows, where a directory cannot
    /// be flushed this way and NTFS journals renames. A file system that does not support flushing a directory
    /// (<c>EINVAL</c>) is taken as having nothing to flush.
    /// </summary>
    public static void FlushDirectory(string path)
    {
        Step("before fsync", path);
        if (!OperatingSystem.IsWindows())
        {
            int fd = Native.Open(path, OperatingSystem.IsLinux() ? Native.LinuxCloseOnExec : 0);
            if (fd < 0)
            {
                throw Failure("open", path);
            }
            try
            {
                if (Native.Fsync(fd) != 0 && Marshal.GetLastPInvokeError() != Native.EINVAL)
                {
                    throw Failure("fsync", path);
                }
            }
            finally
            {
                _ = Native.Close(fd);
            }
        }
        Step("after fsync", path);
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

    /// <summary>Deletes a directory tree if it exists, ignoring failures (cleanup after an error).</summary>
    public static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void Step(string what, string path) => StepHook?.Invoke($"{what} {path}");

    private static IOException Failure(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); the directory could not be flushed to disk.");
    }

    private static partial class Native
    {
        public const int EINVAL = 22;

        /// <summary>O_CLOEXEC on Linux (the same on x86-64 and arm64).</summary>
        public const int LinuxCloseOnExec = 0x80000;

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
