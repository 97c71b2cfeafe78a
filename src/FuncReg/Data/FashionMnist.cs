namespace FuncReg;

/// <summary>
/// Zalando's Fashion-MNIST: 60,000 training and 10,000 test greyscale images of 28×28 pixels in 10 classes
/// (<see cref="ClassNames"/>), 6,000 and 1,000 per class. FuncReg does not download it: install Debian's
/// <c>dataset-fashion-mnist</c> package (files under <c>/usr/share/datasets/fashion-mnist</c>) or put the four
/// standard files in a directory of your choice.
/// </summary>
public static class FashionMnist
{
    /// <summary>The four standard file names, without the optional <c>.gz</c>.</summary>
    public static readonly IReadOnlyList<string> FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Class names by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Where the files are looked for when no directory is given, in order: the environment variable
    /// <c>FUNCREG_FASHION_MNIST</c>, the install directory of Debian's <c>dataset-fashion-mnist</c> package
    /// (<c>/usr/share/datasets</c>, searched recursively) and Keras's cache <c>~/.keras/datasets</c>.
    /// </summary>
    public static IReadOnlyList<string> SearchRoots
    {
        get
        {
            var roots = new List<string>();
            if (Environment.GetEnvironmentVariable("FUNCREG_FASHION_MNIST") is { Length: > 0 } env)
            {
                roots.Add(env);
            }
            roots.Add("/usr/share/datasets");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (home.Length > 0)
            {
                roots.Add(Path.Combine(home, ".keras", "datasets"));
            }
            return roots;
        }
    }

    /// <summary>
    /// Train and test sets with sample shape [28, 28, 1] (channels-last), pixels scaled by
    /// <paramref name="scaling"/> (default /255 into [0, 1]) and labels 0…9. With <paramref name="directory"/>
    /// the four files (plain or <c>.gz</c>) must be in it; without, <see cref="SearchRoots"/> are searched.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The given directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The files were not found; the message says how to get them.</exception>
    /// <exception cref="DataFormatException">A file was found but is malformed.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null, PixelScaling scaling = PixelScaling.UnitInterval)
    {
        string[] files = Locate(directory) ?? throw NotFound(directory);
        return (Idx.Load(files[0], files[1], scaling, classes: 10), Idx.Load(files[2], files[3], scaling, classes: 10));
    }

    /// <summary>The directory holding all four files, or null when none was found (never throws for a missing directory).</summary>
    public static string? Find(string? directory = null)
    {
        try
        {
            return Locate(directory) is { } files ? Path.GetDirectoryName(files[0]) : null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The four paths in <see cref="FileNames"/> order, or null.</summary>
    private static string[]? Locate(string? directory)
    {
        if (directory is not null)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Fashion-MNIST directory {directory} does not exist.");
            }
            return InDirectory(directory);
        }
        foreach (string root in SearchRoots)
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            if (InDirectory(root) is { } here)
            {
                return here;
            }
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 4 };
            foreach (string candidate in Directory.EnumerateFiles(root, FileNames[0] + "*", options).Order(StringComparer.Ordinal))
            {
                if (InDirectory(Path.GetDirectoryName(candidate)!) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    private static string[]? InDirectory(string directory)
    {
        var paths = new string[FileNames.Count];
        for (int i = 0; i < paths.Length; i++)
        {
            string plain = Path.Combine(directory, FileNames[i]);
            string? path = File.Exists(plain) ? plain : File.Exists(plain + ".gz") ? plain + ".gz" : null;
            if (path is null)
            {
                return null;
            }
            paths[i] = path;
        }
        return paths;
    }

    private static FileNotFoundException NotFound(string? directory)
    {
        string where = directory is null ? $"in {string.Join(", ", SearchRoots)}" : $"in {directory}";
        return new FileNotFoundException(
            $"Fashion-MNIST was not found {where}: expected the files {string.Join(", ", FileNames)} (each plain or .gz). "
            + "Install them with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu; files go to /usr/share/datasets/fashion-mnist), "
            + "or download them from https://github.com/zalandoresearch/fashion-mnist into a directory and pass it to FashionMnist.Load(directory) "
            + "or set FUNCREG_FASHION_MNIST.",
            Path.Combine(directory ?? "/usr/share/datasets/fashion-mnist", FileNames[0]));
    }
}
