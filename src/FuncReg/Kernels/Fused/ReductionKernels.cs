using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FuncReg.Kernels;

/// <summary>Reductions of the fused engine.</summary>
public static class ReductionKernels
{
    /// <summary>
    /// <c>sums[j] = Σᵣ x[r, j]</c> over a row-major [rows × columns] block, each column summed in row order
    /// from zero (bit-identical to adding the rows one after another), columns in vectors of 8 floats.
    /// </summary>
    public static void ColumnSums(ReadOnlySpan<float> x, int rows, int columns, Span<float> sums)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (x.Length < (long)rows * columns || sums.Length < columns)
        {
            throw new ArgumentException($"a {rows}×{columns} block needs {(long)rows * columns} values and {columns} sums", nameof(x));
        }
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float sr = ref MemoryMarshal.GetReference(sums);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= columns - 32; j += 32)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int r = 0; r < rows; r++)
                {
                    nuint o = (nuint)((r * columns) + j);
                    s0 += Vector256.LoadUnsafe(ref xr, o);
                    s1 += Vector256.LoadUnsafe(ref xr, o + 8);
                    s2 += Vector256.LoadUnsafe(ref xr, o + 16);
                    s3 += Vector256.LoadUnsafe(ref xr, o + 24);
                }
                s0.StoreUnsafe(ref sr, (nuint)j);
                s1.StoreUnsafe(ref sr, (nuint)j + 8);
                s2.StoreUnsafe(ref sr, (nuint)j + 16);
                s3.StoreUnsafe(ref sr, (nuint)j + 24);
            }
            if (columns is > 8 and < 32)
            {
                NarrowColumnSums(x, rows, columns, sums);
                return;
            }
            for (; j <= columns - 8; j += 8)
            {
                Vector256<float> s0 = default;
                for (int r = 0; r < rows; r++)
                {
                    s0 += Vector256.LoadUnsafe(ref xr, (nuint)((r * columns) + j));
                }
                s0.StoreUnsafe(ref sr, (nuint)j);
            }
            int width = columns - j;
            if (width > 0)
            {
                // The last < 8 columns: one vector per row whose extra lanes (the next row's values) are
                // ignored; each kept lane still sums its column in row order. Rows whose vector would run
                // past the end of x are added by the scalar loop below.
                int vectorRows = Math.Min(rows, (x.Length - j - 8) / columns + 1);
                if (x.Length - j < 8)
                {
                    vectorRows = 0;
                }
                Vector256<float> s0 = default;
                for (int r = 0; r < vectorRows; r++)
                {
                    s0 += Vector256.LoadUnsafe(ref xr, (nuint)((r * columns) + j));
                }
                Span<float> lanes = stackalloc float[8];
                s0.CopyTo(lanes);
                for (int r = vectorRows; r < rows; r++)
                {
                    for (int c = 0; c < width; c++)
                    {
                        lanes[c] += x[(r * columns) + j + c];
                    }
                }
                lanes[..width].CopyTo(sums[j..]);
            }
            return;
        }
        Span<float> tail = sums[j..columns];
        tail.Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.Slice((r * columns) + j, columns - j);
            for (int c = 0; c < row.Length; c++)
            {
                tail[c] += row[c];
            }
        }
    }

    /// <summary>
    /// 9..31 columns: the whole 8-column groups and the last partial group summed in one pass over the rows
    /// (independent chains instead of one pass per group); each column still summed in row order from zero.
    /// </summary>
    private static void NarrowColumnSums(ReadOnlySpan<float> x, int rows, int columns, Span<float> sums)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int groups = columns / 8, whole = groups * 8, width = columns - whole;
        // Rows whose partial-group vector stays inside x (its extra lanes, the next row's values, are ignored).
        int vectorRows = width == 0 || x.Length - whole < 8 ? 0 : Math.Min(rows, ((x.Length - whole - 8) / columns) + 1);
        Vector256<float> s0 = default, s1 = default, s2 = default, st = default;
        for (int r = 0; r < rows; r++)
        {
            nuint o = (nuint)(r * columns);
            s0 += Vector256.LoadUnsafe(ref xr, o);
            if (groups > 1)
            {
                s1 += Vector256.LoadUnsafe(ref xr, o + 8);
                if (groups > 2)
                {
                    s2 += Vector256.LoadUnsafe(ref xr, o + 16);
                }
            }
            if (r < vectorRows)
            {
                st += Vector256.LoadUnsafe(ref xr, o + (nuint)whole);
            }
        }
        ref float sr = ref MemoryMarshal.GetReference(sums);
        s0.StoreUnsafe(ref sr, 0);
        if (groups > 1)
        {
            s1.StoreUnsafe(ref sr, 8);
            if (groups > 2)
            {
                s2.StoreUnsafe(ref sr, 16);
            }
        }
        if (width > 0)
        {
            Span<float> lanes = stackalloc float[8];
            st.CopyTo(lanes);
            for (int r = vectorRows; r < rows; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    lanes[c] += x[(r * columns) + whole + c];
                }
            }
            lanes[..width].CopyTo(sums[whole..]);
        }
    }
}
