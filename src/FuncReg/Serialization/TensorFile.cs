using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>The tensor files of a checkpoint: checksum, structure, shapes and finite values.</summary>
internal static class TensorFile
{
    /// <summary>Reads a safetensors file whose SHA-256 the manifest gave, and checks every tensor.</summary>
    public static Dictionary<string, NamedTensor> Read(string path, string sha)
    {
        byte[] bytes = ManifestReader.ReadFile(path);
        if (ManifestWriter.Sha256(bytes) != sha)
        {
            throw Error(path, $"the file's SHA-256 does not match the one in {Checkpoint.ManifestFile}: truncated, corrupted, or from another checkpoint.");
        }
        // The checksum matched, so the file is the one the manifest names; a file edited and signed again still goes
        // through the full validation of SafeTensors.Parse (strict UTF-8, checked shapes, offsets tiling the data, finite
        // values), whose errors name this path.
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (NamedTensor t in SafeTensors.Parse(bytes, path).Tensors)
        {
            byName[t.Name] = t;
        }
        return byName;
    }

    /// <summary>Splits <c>callbacks/{i}/{key}/{j}</c> (i &lt; <paramref name="callbacks"/>, 1-D) into its parts.</summary>
    public static (int Callback, string Key, int Index) CallbackTensor(string path, NamedTensor t, int callbacks)
    {
        string[] parts = t.Name.Split('/');
        if (parts.Length == 4 && Index(parts[1]) is { } i && i < callbacks && parts[2].Length > 0 && Index(parts[3]) is { } j && t.Shape.Length == 1)
        {
            return (i, parts[2], j);
        }
        throw Error(path, $"tensor '{t.Name}' is not a callback array of this checkpoint (callbacks/{{callback < {callbacks}}}/{{key}}/{{index}}, one dimension).");
    }

    /// <summary>A canonical non-negative decimal (no sign, no leading zero) below 10⁹, or null.</summary>
    private static int? Index(string s) =>
        s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0') ? int.Parse(s, CultureInfo.InvariantCulture) : null;

    private static CheckpointFormatException Error(string path, string message) => new($"{path}: {message}") { Path = path };
}
