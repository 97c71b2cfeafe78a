using System.Globalization;

namespace FuncReg.Properties.Corruption;

/// <summary>
/// One change to a file's bytes. Positions are drawn as large non-negative numbers and reduced modulo the length of the
/// bytes they are applied to, so the same corruption applies to a file of any length (a shrunk counterexample stays valid).
/// </summary>
internal abstract record Corruption
{
    public abstract byte[] Apply(byte[] bytes);

    protected static int At(int position, int length) => length == 0 ? 0 : position % length;

    protected static string Hex(byte[] bytes) => string.Join(" ", bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
}

/// <summary>Byte <c>Position</c> becomes <c>Value</c> (a different byte: Value is XORed in, never 0).</summary>
internal sealed record FlipByte(int Position, byte Value) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        if (b.Length > 0)
        {
            b[At(Position, b.Length)] ^= Value == 0 ? (byte)1 : Value;
        }
        return b;
    }
}

/// <summary>Bit <c>Bit</c> of byte <c>Position</c> flips.</summary>
internal sealed record FlipBit(int Position, int Bit) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        if (b.Length > 0)
        {
            b[At(Position, b.Length)] ^= (byte)(1 << (Bit & 7));
        }
        return b;
    }
}

/// <summary>Only the first <c>Position</c> mod length bytes remain (any length from 0 to length − 1).</summary>
internal sealed record Truncate(int Position) : Corruption
{
    public override byte[] Apply(byte[] bytes) => bytes[..At(Position, bytes.Length)];
}

/// <summary><c>Bytes</c> are inserted before byte <c>Position</c> (mod length + 1).</summary>
internal sealed record Insert(int Position, byte[] Bytes) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        int at = Position % (bytes.Length + 1);
        return [.. bytes[..at], .. Bytes, .. bytes[at..]];
    }

    public override string ToString() => $"Insert {{ Position = {Position}, Bytes = [{Hex(Bytes)}] }}";
}

/// <summary><c>Count</c> bytes from <c>Position</c> are removed.</summary>
internal sealed record Delete(int Position, int Count) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        int at = At(Position, bytes.Length);
        int end = Math.Min(bytes.Length, at + Count);
        return [.. bytes[..at], .. bytes[end..]];
    }
}

/// <summary><c>Bytes</c> are appended.</summary>
internal sealed record Append(byte[] Bytes) : Corruption
{
    public override byte[] Apply(byte[] bytes) => [.. bytes, .. Bytes];

    public override string ToString() => $"Append {{ Bytes = [{Hex(Bytes)}] }}";
}

/// <summary>The bytes from <c>Position</c> are overwritten with <c>Bytes</c> (a sequence that breaks UTF-8, or any bytes).</summary>
internal sealed record Overwrite(int Position, byte[] Bytes) : Corruption
{
    public override byte[] Apply(byte[] bytes)
    {
        byte[] b = [.. bytes];
        int at = At(Position, b.Length);
        for (int i = 0; i < Bytes.Length && at + i < b.Length; i++)
        {
            b[at + i] = Bytes[i];
        }
        return b;
    }

    public override string ToString() => $"Overwrite {{ Position = {Position}, Bytes = [{Hex(Bytes)}] }}";
}

/// <summary>Several corruptions, applied in order.</summary>
internal sealed record Several(Corruption[] Steps) : Corruption
{
    public override byte[] Apply(byte[] bytes) => Steps.Aggregate(bytes, (b, s) => s.Apply(b));

    public override string ToString() => $"Several [{string.Join(", ", Steps.Select(s => s.ToString()))}]";
}

/// <summary>The byte-level corruptions every fuzzer uses.</summary>
internal static class CorruptionGens
{
    /// <summary>Sequences that are not well-formed UTF-8: stray continuation, overlong, surrogate, beyond U+10FFFF, truncated, invalid lead bytes.</summary>
    public static readonly byte[][] Utf8Breakers =
    [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xE0, 0x80, 0x80],
    ];

    public static Gen<int> Position => Gen.Choose(0, int.MaxValue);

    public static Gen<byte> AnyByte => Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => AnyByte.ArrayOf(n));

    /// <summary>One byte-level corruption: flips, truncation at any length, insertion, deletion, appended garbage, UTF-8 breakers.</summary>
    public static Gen<Corruption> Single => Gen.Frequency(
        (4, from p in Position from v in AnyByte select (Corruption)new FlipByte(p, v)),
        (4, from p in Position from bit in Gen.Choose(0, 7) select (Corruption)new FlipBit(p, bit)),
        (3, Position.Select(p => (Corruption)new Truncate(p))),
        (2, from p in Position from b in Bytes(1, 8) select (Corruption)new Insert(p, b)),
        (2, from p in Position from n in Gen.Choose(1, 8) select (Corruption)new Delete(p, n)),
        (2, Bytes(1, 16).Select(b => (Corruption)new Append(b))),
        (3, from p in Position from b in Gen.Elements(Utf8Breakers) select (Corruption)new Overwrite(p, b)));

    /// <summary>One to three byte-level corruptions (mostly one).</summary>
    public static Gen<Corruption> Bytewise => Gen.Frequency(
        (3, Single),
        (1, Gen.Choose(2, 3).SelectMany(n => Single.ArrayOf(n)).Select(s => (Corruption)new Several(s))));
}
