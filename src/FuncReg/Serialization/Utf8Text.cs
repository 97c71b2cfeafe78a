using System.Text;
using System.Text.Unicode;

namespace FuncReg;

/// <summary>Strict UTF-8 checks for the readers: where the first byte that is not well-formed UTF-8 is.</summary>
internal static class Utf8Text
{
    /// <summary>
    /// The index of the first byte of <paramref name="bytes"/> that does not start a well-formed UTF-8 sequence
    /// (overlong forms, surrogates, code points above U+10FFFF and truncated sequences included), or −1 when all are well formed.
    /// </summary>
    public static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }
        int i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }
            i += consumed;
        }
        return -1;
    }

    /// <summary>The message in one line: line breaks become spaces (library messages may span lines).</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
