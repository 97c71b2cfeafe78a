using System.Buffers.Binary;
using System.IO.Compression;

namespace FuncReg.Tests.Data;

/// <summary>Small IDX and CSV files written into a fresh temporary directory, deleted on dispose.</summary>
internal sealed class DataFixtures : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("funcreg-data-").FullName;

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>IDX bytes: magic, big-endian sizes, then the payload.</summary>
    public static byte[] IdxBytes(int magic, int[] sizes, byte[] payload)
    {
        var bytes = new byte[4 + (4 * sizes.Length) + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), sizes[i]);
        }
        payload.CopyTo(bytes, 4 + (4 * sizes.Length));
        return bytes;
    }

    /// <summary>n images of rows×cols whose pixel k of image i is (i·rows·cols + k) mod 256.</summary>
    public static byte[] Pixels(int n, int rows, int cols) => [.. Enumerable.Range(0, n * rows * cols).Select(k => (byte)(k % 256))];

    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path(name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    public string Images(string name, int n, int rows, int cols, bool gzip = false) =>
        Write(name, IdxBytes(Idx.ImagesMagic, [n, rows, cols], Pixels(n, rows, cols)), gzip);

    public string Labels(string name, byte[] labels, bool gzip = false) =>
        Write(name, IdxBytes(Idx.LabelsMagic, [labels.Length], labels), gzip);

    public string Text(string name, string text)
    {
        string path = Path(name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
