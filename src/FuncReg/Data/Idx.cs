using System.Buffers.Binary;
using System.IO.Compression;

namespace FuncReg;

/// <summary>How the bytes 0…255 of an image become features.</summary>
public enum PixelScaling
{
    /// <summary><c>x = byte / 255</c> (correctly rounded float division), in [0, 1] (Keras's usual <c>x_train / 255.0</c>).</summary>
    UnitInterval,

    /// <summary><c>x = byte</c>, the raw values 0…255 as floats (for your own scaler).</summary>
    Raw,
}

/// <summary>
/// Reader of IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed (recognised by the gzip
/// magic bytes 1F 8B, not by the file name).
/// <para>
/// Layout (all sizes big-endian 32-bit): a magic number <c>0x00000803</c> for images followed by n, rows and
/// cols and then n·rows·cols unsigned bytes; <c>0x00000801</c> for labels followed by n and n unsigned bytes.
/// Nothing may follow the data. Any other content throws <see cref="DataFormatException"/> naming the file,
/// the byte offset (in the decompressed stream) and what was expected; a missing file throws
/// <see cref="FileNotFoundException"/>.
/// </para>
/// </summary>
public static class Idx
{
    /// <summary>Magic number of a 3-D unsigned-byte IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a 1-D unsigned-byte IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Images of an IDX3 file: the raw bytes (n·rows·cols, row-major) and the three sizes.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        byte[] data = ReadAll(path);
        int magic = ReadInt(data, path, 0, "the magic number 0x00000803 (unsigned-byte images, 3 dimensions)");
        if (magic != ImagesMagic)
        {
            throw new DataFormatException(path, $"magic number is 0x{magic:X8}; an IDX image file starts with 0x{ImagesMagic:X8} (unsigned bytes, 3 dimensions).{Hint(magic)}", offset: 0);
        }
        int n = ReadInt(data, path, 4, "the image count");
        int rows = ReadInt(data, path, 8, "the row count");
        int cols = ReadInt(data, path, 12, "the column count");
        if (n < 0 || rows <= 0 || cols <= 0)
        {
            throw new DataFormatException(path, $"sizes {n} × {rows} × {cols} are invalid; expected a count ≥ 0 and rows, cols ≥ 1.", offset: 4);
        }
        long size = (long)n * rows * cols;
        CheckLength(data, path, 16, size, $"{n} images of {rows}×{cols} bytes");
        return (data[16..], n, rows, cols);
    }

    /// <summary>Labels of an IDX1 file, each 0…255.</summary>
    public static byte[] ReadLabels(string path)
    {
        byte[] data = ReadAll(path);
        int magic = ReadInt(data, path, 0, "the magic number 0x00000801 (unsigned-byte labels, 1 dimension)");
        if (magic != LabelsMagic)
        {
            throw new DataFormatException(path, $"magic number is 0x{magic:X8}; an IDX label file starts with 0x{LabelsMagic:X8} (unsigned bytes, 1 dimension).{Hint(magic)}", offset: 0);
        }
        int n = ReadInt(data, path, 4, "the label count");
        if (n < 0)
        {
            throw new DataFormatException(path, $"label count {n} is negative.", offset: 4);
        }
        CheckLength(data, path, 8, n, $"{n} labels of one byte");
        return data[8..];
    }

    /// <summary>
    /// An image data set from an IDX image file and its IDX label file: sample shape <c>[rows, cols, 1]</c>
    /// (channels-last, as Keras's NHWC), features scaled by <paramref name="scaling"/>, labels checked to lie in
    /// [0, <paramref name="classes"/>) when <paramref name="classes"/> is given.
    /// </summary>
    public static Dataset Load(string imagesPath, string labelsPath, PixelScaling scaling = PixelScaling.UnitInterval, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        if (classes is { } k)
        {
            Guard.Positive(k, nameof(classes));
        }
        (byte[] pixels, int n, int rows, int cols) = ReadImages(imagesPath);
        byte[] raw = ReadLabels(labelsPath);
        if (raw.Length != n)
        {
            throw new DataFormatException(labelsPath, $"{raw.Length} labels, but {imagesPath} holds {n} images; the two files must describe the same samples.", offset: 4);
        }
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (classes is { } c && raw[i] >= c)
            {
                throw new DataFormatException(labelsPath, $"label {raw[i]} of sample {i} is outside [0, {c - 1}] ({c} classes expected).", offset: 8 + i);
            }
            labels[i] = raw[i];
        }
        var features = new float[pixels.Length];
        var table = new float[256];
        for (int b = 0; b < table.Length; b++)
        {
            table[b] = scaling == PixelScaling.UnitInterval ? b / 255f : b;
        }
        for (int i = 0; i < pixels.Length; i++)
        {
            features[i] = table[pixels[i]];
        }
        return Dataset.FromOwned(features, labels, [rows, cols, 1]);
    }

    private static string Hint(int magic) => magic switch
    {
        LabelsMagic => " This looks like a label file; images and labels may have been swapped.",
        ImagesMagic => " This looks like an image file; images and labels may have been swapped.",
        _ => "",
    };

    private static void CheckLength(byte[] data, string path, long header, long size, string what)
    {
        long expected = header + size;
        if (data.Length < expected)
        {
            throw new DataFormatException(path, $"file is truncated: {what} need {expected} bytes, the file ends after {data.Length}.", offset: data.Length);
        }
        if (data.Length > expected)
        {
            throw new DataFormatException(path, $"{data.Length - expected} unexpected bytes after {what}; expected the end of the file.", offset: expected);
        }
    }

    private static int ReadInt(byte[] data, string path, int offset, string what)
    {
        if (data.Length < offset + 4)
        {
            throw new DataFormatException(path, $"file is truncated: expected {what} (4 bytes, big-endian), the file ends after {data.Length} bytes.", offset: data.Length);
        }
        return BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset, 4));
    }

    /// <summary>The whole file, decompressed when it starts with the gzip magic bytes.</summary>
    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist.", path);
        }
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B)
        {
            return bytes;
        }
        try
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream(bytes.Length * 4);
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"gzip data is corrupt or truncated ({e.Message}); expected a complete gzip-compressed IDX file.", inner: e);
        }
    }
}
