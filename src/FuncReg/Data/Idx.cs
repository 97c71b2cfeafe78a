using System.Buffers.Binary;

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
/// Nothing may follow the data. Sizes are bounded (<see cref="MaxImagePixels"/> per image, <see cref="Array.MaxLength"/>
/// bytes in all), so a corrupt header is reported instead of allocated. Any other content throws
/// <see cref="DataFormatException"/> naming the file, the byte offset (in the decompressed stream) and what was
/// expected; a missing file throws <see cref="FileNotFoundException"/>.
/// </para>
/// <para>
/// A gzip file must hold a single gzip member that ends the file, whose trailer (CRC-32 and size, the last 8 bytes)
/// matches the decompressed data: a truncated or corrupt member, appended bytes and concatenated members are rejected.
/// Nothing is decompressed beyond the length the IDX header announces.
/// </para>
/// </summary>
public static class Idx
{
    /// <summary>Magic number of a 3-D unsigned-byte IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a 1-D unsigned-byte IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// The most pixels one image may have, rows·cols ≤ 2²⁴ (16,777,216, e.g. 4096 × 4096): larger sizes in a header are
    /// taken for corruption rather than allocated.
    /// </summary>
    public const int MaxImagePixels = 1 << 24;

    /// <summary>
    /// Images of an IDX3 file: the raw bytes (n·rows·cols, row-major) and the three sizes. Besides the layout, the
    /// header must give n ≥ 0 (offset 4), rows ≥ 1 (offset 8), cols ≥ 1 (offset 12), rows·cols ≤ <see cref="MaxImagePixels"/>
    /// and n·rows·cols ≤ <see cref="Array.MaxLength"/>.
    /// </summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        int n = 0, rows = 0, cols = 0;
        byte[] pixels = IdxSource.ReadPayload(path, 16, header =>
        {
            int magic = ReadInt(header, path, 0, "the magic number 0x00000803 (unsigned-byte images, 3 dimensions)");
            if (magic != ImagesMagic)
            {
                throw new DataFormatException(path, $"magic number is 0x{magic:X8}; an IDX image file starts with 0x{ImagesMagic:X8} (unsigned bytes, 3 dimensions).{Hint(magic)}", offset: 0);
            }
            n = ReadInt(header, path, 4, "the image count");
            rows = ReadInt(header, path, 8, "the row count");
            cols = ReadInt(header, path, 12, "the column count");
            if (n < 0)
            {
                throw new DataFormatException(path, $"image count {n} is negative; expected a count ≥ 0.", offset: 4);
            }
            if (rows <= 0)
            {
                throw new DataFormatException(path, $"row count {rows} is invalid; expected rows ≥ 1.", offset: 8);
            }
            if (cols <= 0)
            {
                throw new DataFormatException(path, $"column count {cols} is invalid; expected cols ≥ 1.", offset: 12);
            }
            long pixelsPerImage = (long)rows * cols;
            if (pixelsPerImage > MaxImagePixels)
            {
                throw new DataFormatException(path, $"images of {rows} × {cols} = {pixelsPerImage} pixels exceed the {MaxImagePixels} pixels (4096 × 4096) an IDX image may have here; the row or column count (offsets 8 and 12) is corrupt.", offset: 8);
            }
            long size = n * pixelsPerImage;
            if (size > Array.MaxLength)
            {
                throw new DataFormatException(path, $"{n} images of {rows} × {cols} bytes = {size} bytes exceed the {Array.MaxLength} one array can hold; the image count is corrupt, or split the file.", offset: 4);
            }
            return (size, $"{n} images of {rows}×{cols} bytes");
        });
        return (pixels, n, rows, cols);
    }

    /// <summary>Labels of an IDX1 file, each 0…255; the count (offset 4) must be 0 … <see cref="Array.MaxLength"/>.</summary>
    public static byte[] ReadLabels(string path) => IdxSource.ReadPayload(path, 8, header =>
    {
        int magic = ReadInt(header, path, 0, "the magic number 0x00000801 (unsigned-byte labels, 1 dimension)");
        if (magic != LabelsMagic)
        {
            throw new DataFormatException(path, $"magic number is 0x{magic:X8}; an IDX label file starts with 0x{LabelsMagic:X8} (unsigned bytes, 1 dimension).{Hint(magic)}", offset: 0);
        }
        int n = ReadInt(header, path, 4, "the label count");
        if (n < 0)
        {
            throw new DataFormatException(path, $"label count {n} is negative.", offset: 4);
        }
        if (n > Array.MaxLength)
        {
            throw new DataFormatException(path, $"label count {n} exceeds the {Array.MaxLength} one array can hold; the count is corrupt.", offset: 4);
        }
        return (n, $"{n} labels of one byte");
    });

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

    private static int ReadInt(ReadOnlySpan<byte> data, string path, int offset, string what)
    {
        if (data.Length < offset + 4)
        {
            throw new DataFormatException(path, $"file is truncated: expected {what} (4 bytes, big-endian), the file ends after {data.Length} bytes.", offset: data.Length);
        }
        return BinaryPrimitives.ReadInt32BigEndian(data.Slice(offset, 4));
    }
}
