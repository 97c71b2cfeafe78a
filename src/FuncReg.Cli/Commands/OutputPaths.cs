namespace FuncReg.Cli.Commands;

/// <summary>Checks of the places a command will write to, made before any work starts (nothing is created here).</summary>
internal static class OutputPaths
{
    /// <summary>
    /// <paramref name="path"/> can become a file: it is not a directory, and its directory exists or can be created
    /// (the nearest existing ancestor is a directory, not a file).
    /// </summary>
    public static void CheckFile(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} {path} is a directory; give a file name such as {Path.Combine(path, "model.safetensors")}.");
        }
        CheckAncestors(Path.GetDirectoryName(full), option, path);
    }

    /// <summary><paramref name="path"/> can be (or already is) a directory: it is not a file, nor inside one.</summary>
    public static void CheckDirectory(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new UsageException($"{option} {path} is a file; a checkpoint is a directory: give a directory path.");
        }
        CheckAncestors(Path.GetDirectoryName(full), option, path);
    }

    private static void CheckAncestors(string? dir, string option, string path)
    {
        for (string? d = dir; d is not null; d = Path.GetDirectoryName(d))
        {
            if (Directory.Exists(d))
            {
                return;
            }
            if (File.Exists(d))
            {
                throw new UsageException($"{option} {path}: {d} is a file, so nothing can be created under it.");
            }
        }
    }
}
