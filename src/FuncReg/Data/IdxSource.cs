using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace FuncReg;

/// <summary>
/// The bytes of an IDX file, plain or gzip-compressed, read in two steps so that nothing larger than the header
/// announces is ever read or decompressed: first the header (handed to a parser that validates it and says how many
/// payload bytes follow), then exactly that many payload bytes, which must end the (decompressed) file.
/// <para>
/// A gzip file must be a single gzip member (RFC 1952) that ends the file: the CRC-32 and the size (ISIZE) of the
/// decompressed data must equal the member trailer, the file's last 8 bytes. Corrupt deflate data, a truncated member
/// or trailer, bytes appended after the member and concatenated members all fail that check (System.IO.Compression does
/// not tell where the member ends, so the one thing that passes is an exact copy of the trailer appended to the file: its
/// data is still the original). Decompression stops one
/// byte after the announced length, so a gzip bomb costs at most the size the header announces (itself bounded by
/// <see cref="Array.MaxLength"/>).
/// </para>
/// </summary>
internal static class IdxSource
{
    private const int GzipMinimum = 18; // 10-byte header + empty deflate stream + 8-byte trailer, rounded down

    /// <summary>
    /// Validates the header bytes (fewer than the header length when the file ends early: the parser reports the truncation)
    /// and returns the payload length and a description of it ("3 images of 28×28 bytes") for the errors.
    /// </summary>
    public delegate (long Length, string What) PayloadOf(ReadOnlySpan<byte> header);

    /// <summary>The payload of the IDX file at <paramref name="path"/>, after a header of <paramref name="headerLength"/> bytes.</summary>
    public static byte[] ReadPayload(string path, int headerLength, PayloadOf payloadOf)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist.", path);
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return got == 2 && magic[0] == 0x1F && magic[1] == 0x8B
            ? Gzip(file, path, headerLength, payloadOf)
            : Plain(file, path, headerLength, payloadOf);
    }

    private static byte[] Plain(FileStream file, string path, int headerLength, PayloadOf payloadOf)
    {
        long fileLength = file.Length;
        var header = new byte[(int)Math.Min(headerLength, fileLength)];
        file.ReadExactly(header);
        (long length, string what) = payloadOf(header);
        long expected = headerLength + length;
        if (fileLength < expected)
        {
            throw Truncated(path, what, expected, fileLength);
        }
        if (fileLength > expected)
        {
            throw new DataFormatException(path, $"{fileLength - expected} unexpected bytes after {what}; expected the end of the file.", offset: expected);
        }
        var payload = new byte[length];
        file.ReadExactly(payload);
        return payload;
    }

    private static byte[] Gzip(FileStream file, string path, int headerLength, PayloadOf payloadOf)
    {
        long compressed = file.Length;
        if (compressed < GzipMinimum)
        {
            throw new DataFormatException(path, $"{compressed} bytes is too short for a gzip file (a 10-byte header and an 8-byte trailer at least); expected a complete gzip-compressed IDX file.");
        }
        Span<byte> trailer = stackalloc byte[8];
        file.Position = compressed - 8;
        file.ReadExactly(trailer);
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint storedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        file.Position = 0;

        var crc = new Crc32();
        byte[] payload;
        long expected;
        try
        {
            using var gz = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            var header = new byte[headerLength];
            int read = gz.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            crc.Append(header.AsSpan(0, read));
            (long length, string what) = payloadOf(header.AsSpan(0, read));
            expected = headerLength + length;
            payload = new byte[Math.Min(length, 1 << 20)];
            long filled = 0;
            while (filled < length)
            {
                if (filled == payload.Length)
                {
                    Array.Resize(ref payload, (int)Math.Min(length, 2L * payload.Length));
                }
                int n = gz.Read(payload, (int)filled, payload.Length - (int)filled);
                if (n == 0)
                {
                    throw Truncated(path, what, expected, headerLength + filled);
                }
                filled += n;
            }
            Span<byte> extra = stackalloc byte[1];
            if (gz.Read(extra) > 0)
            {
                throw new DataFormatException(path, $"the decompressed data continues past the {expected} bytes that {what} need; expected the end of the file.", offset: expected);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"gzip data is corrupt or truncated ({Utf8Text.OneLine(e.Message)}); expected a complete gzip-compressed IDX file.", inner: e);
        }
        crc.Append(payload);
        uint actualCrc = crc.GetCurrentHashAsUInt32();
        if (actualCrc != storedCrc || (uint)expected != storedSize)
        {
            throw new DataFormatException(path,
                $"the gzip trailer (the file's last 8 bytes, from byte {compressed - 8} of the compressed file) records CRC-32 0x{storedCrc:X8} and {storedSize} bytes, " +
                $"but the data decompresses to CRC-32 0x{actualCrc:X8} and {expected} bytes: the file is corrupt, truncated or has bytes appended " +
                "(FuncReg reads single-member gzip files, as gzip and Python's gzip module write them).");
        }
        return payload;
    }

    private static DataFormatException Truncated(string path, string what, long expected, long actual) =>
        new(path, $"file is truncated: {what} need {expected} bytes, the file ends after {actual}.", offset: actual);
}
