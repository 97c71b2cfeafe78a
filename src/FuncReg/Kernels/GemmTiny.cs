using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FuncReg.Kernels;

/// <summary>
/// Direct kernels for very narrow products (AVX2+FMA), tried by <see cref="GemmSmall"/> before its general
/// tiles, whose 8-wide register tiles would leave most lanes idle or run one long FMA chain per element:
/// <list type="bullet">
/// <item><b>Rows</b> (NN, NT with k ≤ 4): each row of C is <c>Σₚ A(i,p)·B(p,:)</c> in 8-column vectors (a
/// masked last vector, or scalar FMAs for 1–2 leftover columns), each element one FMA chain from zero in p
/// order — the same arithmetic as the packed path, so bit-identical results.</item>
/// <item><b>Dots</b> (NN, NT with n ≤ 4 and 4 &lt; k ≤ 256): each element is a dot product of a row of A with a
/// column of B, over p in vectors of 8 (B's columns copied as zero-padded rows), the four column sums of a
/// row reduced by one horizontal-add tree.</item>
/// <item><b>Reduce</b> (TN with min(m, n) ≤ 4, max(m, n) ≤ 64: the ∂W of a narrow layer, k = batch): vectors
/// run along the longer side of C, the shorter side is broadcast, and when a tile has at most 6
/// accumulators the even and odd p are summed separately (then added) to halve the FMA dependency chain.</item>
/// </list>
/// Dots and Reduce sum in a different order than the packed path (results agree to rounding, not bit for
/// bit); every order is fixed by the shape alone, and all run on the calling thread, so results never
/// depend on the thread count.
/// </summary>
internal static unsafe class GemmTiny
{
    private interface IConst
    {
        static abstract int Value { get; }
    }

    private struct One : IConst
    {
        public static int Value => 1;
    }

    private struct Two : IConst
    {
        public static int Value => 2;
    }

    private struct Three : IConst
    {
        public static int Value => 3;
    }

    private struct Four : IConst
    {
        public static int Value => 4;
    }

    /// <summary>Runs op on a tiny kernel when one fits its shape; false leaves it to the general small path.</summary>
    public static bool TryRun(in GemmOperands op, PackBuffers buffers) => TryRun(op, buffers, null, out _);

    /// <summary>
    /// As <see cref="TryRun(in GemmOperands, PackBuffers)"/>; when <paramref name="dense"/> is given and the Rows
    /// kernel runs (not accumulating), its bias and ReLU/linear output are written in the same pass
    /// (<paramref name="fused"/>: the epilogue is done), with the float operations of <see cref="DenseEpilogue.ApplyRows"/>.
    /// </summary>
    public static bool TryRun(in GemmOperands op, PackBuffers buffers, DenseEpilogue? dense, out bool fused)
    {
        fused = false;
        int m = op.M, n = op.N, k = op.K;
        if (op.Layout == GemmLayout.TN)
        {
            if (Math.Min(m, n) > 4 || Math.Max(m, n) > 64 || k < 8)
            {
                return false;
            }
            Reduce(op);
            return true;
        }
        if (k <= 4)
        {
            if (dense is { } d && !op.Accumulate && d.FusesIntoRows)
            {
                fixed (float* bias = d.Bias, y = d.Output)
                {
                    Rows(op, buffers, bias, y, d.IsRelu);
                }
                fused = true;
                return true;
            }
            Rows(op, buffers, null, null, false);
            return true;
        }
        if (n <= 4 && k <= GemmTiling.KC)
        {
            if (dense is { } d && !op.Accumulate && d.FusesIntoRows)
            {
                fixed (float* bias = d.Bias, y = d.Output)
                {
                    Dots(op, buffers, bias, y, d.IsRelu);
                }
                fused = true;
                return true;
            }
            Dots(op, buffers, null, null, false);
            return true;
        }
        return false;
    }

    /// <summary>C = A·B (NN) or A·Bᵀ (NT) for k ≤ 4, row by row.</summary>
    /// <remarks>With <paramref name="y"/>: z = (acc + bias) into C and y = relu(z) or z, element by element.</remarks>
    private static void Rows(in GemmOperands op, PackBuffers buffers, float* bias, float* y, bool relu)
    {
        switch (op.K)
        {
            case 1: Rows<One>(op, buffers, bias, y, relu); break;
            case 2: Rows<Two>(op, buffers, bias, y, relu); break;
            case 3: Rows<Three>(op, buffers, bias, y, relu); break;
            default: Rows<Four>(op, buffers, bias, y, relu); break;
        }
    }

    /// <summary><see cref="Rows(in GemmOperands, PackBuffers, float*, float*, bool)"/> with k a constant, so only its registers live.</summary>
    private static void Rows<TK>(in GemmOperands op, PackBuffers buffers, float* bias, float* y, bool relu)
        where TK : struct, IConst
    {
        int m = op.M, n = op.N, k = TK.Value;
        float* b = op.B;
        if (op.Layout == GemmLayout.NT)
        {
            // B is stored n×k: copy it as k rows of n.
            buffers.Ensure(0, k * n);
            b = buffers.B;
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    b[(p * n) + j] = op.B[(j * k) + p];
                }
            }
        }
        int whole = n & ~7, tail = n - whole;
        bool maskedTail = tail > 2;
        Vector256<float> mask = ColumnMask(tail);
        // The last partial vector of B's rows, loaded once.
        Vector256<float> t0 = Avx.MaskLoad(b + whole, mask);
        Vector256<float> t1 = k > 1 ? Avx.MaskLoad(b + n + whole, mask) : default;
        Vector256<float> t2 = k > 2 ? Avx.MaskLoad(b + (2 * n) + whole, mask) : default;
        Vector256<float> t3 = k > 3 ? Avx.MaskLoad(b + (3 * n) + whole, mask) : default;
        // The first two whole vectors of B's rows, loaded once.
        Vector256<float> f00 = default, f01 = default, f02 = default, f03 = default, f10 = default, f11 = default, f12 = default, f13 = default;
        if (whole is > 0 and <= 16)
        {
            f00 = Avx.LoadVector256(b);
            f01 = k > 1 ? Avx.LoadVector256(b + n) : default;
            f02 = k > 2 ? Avx.LoadVector256(b + (2 * n)) : default;
            f03 = k > 3 ? Avx.LoadVector256(b + (3 * n)) : default;
            if (whole > 8)
            {
                f10 = Avx.LoadVector256(b + 8);
                f11 = k > 1 ? Avx.LoadVector256(b + n + 8) : default;
                f12 = k > 2 ? Avx.LoadVector256(b + (2 * n) + 8) : default;
                f13 = k > 3 ? Avx.LoadVector256(b + (3 * n) + 8) : default;
            }
        }
        float b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        if (n == 1)
        {
            b0 = b[0];
            b1 = k > 1 ? b[1] : 0;
            b2 = k > 2 ? b[2] : 0;
            b3 = k > 3 ? b[3] : 0;
        }
        bool accumulate = op.Accumulate;
        float* end = op.C + ((long)m * n);
        bool hasBias = bias != null;
        Vector256<float> bias0 = default, bias1 = default, biasTail = default;
        if (hasBias)
        {
            bias0 = whole > 0 ? Avx.LoadVector256(bias) : default;
            bias1 = whole > 8 ? Avx.LoadVector256(bias + 8) : default;
            biasTail = Avx.MaskLoad(bias + whole, mask);
        }
        for (int i = 0; i < m; i++)
        {
            float* a = op.A + ((long)i * k);
            float* c = op.C + ((long)i * n);
            float* yr = y == null ? null : y + ((long)i * n);
            if (n == 1)
            {
                float s = MathF.FusedMultiplyAdd(a[0], b0, 0f);
                if (k > 1)
                {
                    s = MathF.FusedMultiplyAdd(a[1], b1, s);
                    if (k > 2)
                    {
                        s = MathF.FusedMultiplyAdd(a[2], b2, s);
                        if (k > 3)
                        {
                            s = MathF.FusedMultiplyAdd(a[3], b3, s);
                        }
                    }
                }
                Put(c, yr, 0, accumulate ? c[0] + s : s, bias, relu);
                continue;
            }
            Vector256<float> a0 = Vector256.Create(a[0]);
            Vector256<float> a1 = k > 1 ? Vector256.Create(a[1]) : default;
            Vector256<float> a2 = k > 2 ? Vector256.Create(a[2]) : default;
            Vector256<float> a3 = k > 3 ? Vector256.Create(a[3]) : default;
            if (whole <= 16)
            {
                // Up to two whole vectors per row, with B held in registers.
                if (whole > 0)
                {
                    Emit(c, yr, Chain(k, a0, a1, a2, a3, f00, f01, f02, f03, accumulate, c), hasBias, bias0, relu);
                    if (whole > 8)
                    {
                        Emit(c + 8, yr == null ? null : yr + 8, Chain(k, a0, a1, a2, a3, f10, f11, f12, f13, accumulate, c + 8), hasBias, bias1, relu);
                    }
                }
            }
            else
            {
                for (int j = 0; j < whole; j += 8)
                {
                    Vector256<float> acc = Chain(k, a0, a1, a2, a3, Avx.LoadVector256(b + j), k > 1 ? Avx.LoadVector256(b + n + j) : default, k > 2 ? Avx.LoadVector256(b + (2 * n) + j) : default, k > 3 ? Avx.LoadVector256(b + (3 * n) + j) : default, accumulate, c + j);
                    Emit(c + j, yr == null ? null : yr + j, acc, hasBias, hasBias ? Avx.LoadVector256(bias + j) : default, relu);
                }
            }
            if (maskedTail)
            {
                Vector256<float> acc = Chain(k, a0, a1, a2, a3, t0, t1, t2, t3, false, c);
                float* ct = c + whole;
                if (!accumulate && ct + 8 <= end)
                {
                    // A whole-vector store: the lanes past the row land in later rows of C, which are written
                    // after this one (rows go in order), so only the valid lanes survive.
                    Emit(ct, yr == null ? null : yr + whole, acc, hasBias, biasTail, relu);
                }
                else
                {
                    acc = accumulate ? Avx.MaskLoad(ct, mask) + acc : acc;
                    if (yr == null)
                    {
                        Avx.MaskStore(ct, mask, acc);
                    }
                    else
                    {
                        Vector256<float> z = hasBias ? acc + biasTail : acc;
                        Avx.MaskStore(ct, mask, z);
                        Avx.MaskStore(yr + whole, mask, relu ? Relu(z) : z);
                    }
                }
            }
            else
            {
                for (int j = whole; j < n; j++)
                {
                    float s = MathF.FusedMultiplyAdd(a[0], b[j], 0f);
                    for (int p = 1; p < k; p++)
                    {
                        s = MathF.FusedMultiplyAdd(a[p], b[(p * n) + j], s);
                    }
                    Put(c, yr, j, accumulate ? c[j] + s : s, bias, relu);
                }
            }
        }
    }

    /// <summary>Stores one vector of C, or z = acc (+ bias) into C and relu(z) or z into y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit(float* c, float* y, Vector256<float> acc, bool hasBias, Vector256<float> bias, bool relu)
    {
        if (y == null)
        {
            Avx.Store(c, acc);
            return;
        }
        Vector256<float> z = hasBias ? acc + bias : acc;
        Avx.Store(c, z);
        Avx.Store(y, relu ? Relu(z) : z);
    }

    /// <summary>The scalar <see cref="Emit"/> of column j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, float* y, int j, float value, float* bias, bool relu)
    {
        if (y == null)
        {
            c[j] = value;
            return;
        }
        float z = bias != null ? value + bias[j] : value;
        c[j] = z;
        y[j] = relu ? (z > 0 ? z : 0f) : z;
    }

    /// <summary>ReLU as <see cref="ActivationKernels"/> computes it: z where z &gt; 0, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Relu(Vector256<float> z) => Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z, Vector256<float>.Zero);

    /// <summary>One 8-column vector of a row: Σₚ aₚ·bₚ by FMAs from zero in p order (plus C when accumulating).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Chain(int k, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, Vector256<float> b0, Vector256<float> b1, Vector256<float> b2, Vector256<float> b3, bool accumulate, float* c)
    {
        Vector256<float> acc = Fma.MultiplyAdd(a0, b0, Vector256<float>.Zero);
        if (k > 1)
        {
            acc = Fma.MultiplyAdd(a1, b1, acc);
            if (k > 2)
            {
                acc = Fma.MultiplyAdd(a2, b2, acc);
                if (k > 3)
                {
                    acc = Fma.MultiplyAdd(a3, b3, acc);
                }
            }
        }
        return accumulate ? Avx.LoadVector256(c) + acc : acc;
    }

    /// <summary>C = A·B (NN) or A·Bᵀ (NT) for n ≤ 4: four dot products per row, reduced together.</summary>
    /// <remarks>With <paramref name="y"/>: z = (sum + bias) into C and y = relu(z) or z, element by element.</remarks>
    private static void Dots(in GemmOperands op, PackBuffers buffers, float* bias, float* y, bool relu)
    {
        switch (op.N)
        {
            case 1: Dots<One>(op, buffers, bias, y, relu); break;
            case 2: Dots<Two>(op, buffers, bias, y, relu); break;
            case 3: Dots<Three>(op, buffers, bias, y, relu); break;
            default: Dots<Four>(op, buffers, bias, y, relu); break;
        }
    }

    /// <summary><see cref="Dots(in GemmOperands, PackBuffers, float*, float*, bool)"/> with n a constant: only n column sums are accumulated.</summary>
    private static void Dots<TN>(in GemmOperands op, PackBuffers buffers, float* bias, float* y, bool relu)
        where TN : struct, IConst
    {
        int m = op.M, n = op.N, k = op.K;
        int kp = (k + 7) & ~7;
        // Bᵀ as 4 rows of kp floats, zero past k and past column n.
        buffers.Ensure(0, 4 * kp);
        float* bt = buffers.B;
        new Span<float>(bt, 4 * kp).Clear();
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                bt[(j * kp) + p] = op.Layout == GemmLayout.NT ? op.B[(j * k) + p] : op.B[(p * n) + j];
            }
        }
        int whole = k & ~7;
        Vector256<float> mask = ColumnMask(k - whole);
        bool accumulate = op.Accumulate;
        Vector128<float> outMask = Vector128.LessThan(Vector128.Create(0f, 1f, 2f, 3f), Vector128.Create((float)n));
        float* end = op.C + ((long)m * n);
        bool hasBias = bias != null;
        Vector128<float> biasV = hasBias ? Avx.MaskLoad(bias, outMask) : default;
        for (int i = 0; i < m; i++)
        {
            float* a = op.A + ((long)i * k);
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int p = 0;
            for (; p < whole; p += 8)
            {
                Vector256<float> av = Avx.LoadVector256(a + p);
                s0 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + p), s0);
                if (TN.Value > 1)
                {
                    s1 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + kp + p), s1);
                }
                if (TN.Value > 2)
                {
                    s2 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + (2 * kp) + p), s2);
                }
                if (TN.Value > 3)
                {
                    s3 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + (3 * kp) + p), s3);
                }
            }
            if (p < k)
            {
                Vector256<float> av = Avx.MaskLoad(a + p, mask);
                s0 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + p), s0);
                if (TN.Value > 1)
                {
                    s1 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + kp + p), s1);
                }
                if (TN.Value > 2)
                {
                    s2 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + (2 * kp) + p), s2);
                }
                if (TN.Value > 3)
                {
                    s3 = Fma.MultiplyAdd(av, Avx.LoadVector256(bt + (3 * kp) + p), s3);
                }
            }
            // [Σs0 Σs1 Σs2 Σs3] by one horizontal-add tree.
            Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
            Vector128<float> sums = h.GetLower() + h.GetUpper();
            float* c = op.C + ((long)i * n);
            float* yr = y == null ? null : y + ((long)i * n);
            if (yr != null)
            {
                sums = hasBias ? sums + biasV : sums;
                Vector128<float> act = relu ? Vector128.ConditionalSelect(Vector128.GreaterThan(sums, Vector128<float>.Zero), sums, Vector128<float>.Zero) : sums;
                if (c + 4 <= end)
                {
                    // Whole 4-lane stores: lanes past the row land in later rows, written after this one.
                    sums.Store(c);
                    act.Store(yr);
                }
                else
                {
                    Avx.MaskStore(c, outMask, sums);
                    Avx.MaskStore(yr, outMask, act);
                }
            }
            else if (accumulate)
            {
                Avx.MaskStore(c, outMask, Avx.MaskLoad(c, outMask) + sums);
            }
            else if (c + 4 <= end)
            {
                // A whole 4-lane store: lanes past the row land in later rows, written after this one.
                sums.Store(c);
            }
            else
            {
                Avx.MaskStore(c, outMask, sums);
            }
        }
    }

    /// <summary>C = Aᵀ·B (A stored k×m, B k×n) with the shorter side of C broadcast and vectors along the longer.</summary>
    private static void Reduce(in GemmOperands op)
    {
        int m = op.M, n = op.N, k = op.K;
        // C(i, j) = Σₚ A[p·m + i]·B[p·n + j]. "Inner" runs along vectors, "outer" is broadcast.
        bool alongColumns = n >= m;
        int innerCount = alongColumns ? n : m, outerCount = alongColumns ? m : n;
        float* inner = alongColumns ? op.B : op.A;
        float* outer = alongColumns ? op.A : op.B;
        nint innerStride = alongColumns ? n : m, outerStride = alongColumns ? m : n;
        Vector256<float>* result = stackalloc Vector256<float>[12];
        for (int o = 0; o < outerCount; o += 4)
        {
            int oc = Math.Min(4, outerCount - o);
            for (int v = 0; v < innerCount; v += 24)
            {
                int width = Math.Min(24, innerCount - v);
                int vectors = (width + 7) / 8;
                Vector256<float> mask = ColumnMask(width - ((vectors - 1) * 8));
                float* ip = inner + v, opp = outer + o;
                switch ((oc * 4) + vectors)
                {
                    case 5: Tile<One, One>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 6: Tile<One, Two>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 7: Tile<One, Three>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 9: Tile<Two, One>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 10: Tile<Two, Two>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 11: Tile<Two, Three>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 13: Tile<Three, One>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 14: Tile<Three, Two>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 15: Tile<Three, Three>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 17: Tile<Four, One>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    case 18: Tile<Four, Two>(opp, outerStride, ip, innerStride, k, mask, result); break;
                    default: Tile<Four, Three>(opp, outerStride, ip, innerStride, k, mask, result); break;
                }
                float* lanes = (float*)result;
                for (int oo = 0; oo < oc; oo++)
                {
                    for (int w = 0; w < width; w++)
                    {
                        float s = lanes[(((oo * 3) + (w >> 3)) * 8) + (w & 7)];
                        long e = alongColumns ? ((long)(o + oo) * n) + v + w : ((long)(v + w) * n) + o + oo;
                        op.C[e] = op.Accumulate ? op.C[e] + s : s;
                    }
                }
            }
        }
    }

    /// <summary>
    /// result[o·3 + v] = Σₚ outer[p·os + o]·inner[p·is + 8v .. 8v + 8) for o &lt; TO, v &lt; TV (the last vector masked).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TO, TV>(float* outer, nint outerStride, float* inner, nint innerStride, int k, Vector256<float> mask, Vector256<float>* result)
        where TO : struct, IConst
        where TV : struct, IConst
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default, c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector256<float> d00 = default, d01 = default, d02 = default, d10 = default, d11 = default, d12 = default, d20 = default, d21 = default, d22 = default, d30 = default, d31 = default, d32 = default;
        int p = 0;
        if (TO.Value * TV.Value <= 6)
        {
            // Few accumulators: two interleaved partial sums (even and odd p) halve the FMA dependency chain.
            for (; p + 1 < k; p += 2)
            {
                {
                    float* ip = inner + ((p + 0) * innerStride);
                    float* op = outer + ((p + 0) * outerStride);
                    Vector256<float> i0 = TV.Value == 1 ? Avx.MaskLoad(ip, mask) : Avx.LoadVector256(ip);
                    Vector256<float> i1 = TV.Value == 2 ? Avx.MaskLoad(ip + 8, mask) : TV.Value > 2 ? Avx.LoadVector256(ip + 8) : default;
                    Vector256<float> i2 = TV.Value == 3 ? Avx.MaskLoad(ip + 16, mask) : default;
                    {
                        Vector256<float> b = Vector256.Create(op[0]);
                        c00 = Fma.MultiplyAdd(b, i0, c00);
                        if (TV.Value > 1) c01 = Fma.MultiplyAdd(b, i1, c01);
                        if (TV.Value > 2) c02 = Fma.MultiplyAdd(b, i2, c02);
                    }
                    if (TO.Value > 1)
                    {
                        Vector256<float> b = Vector256.Create(op[1]);
                        c10 = Fma.MultiplyAdd(b, i0, c10);
                        if (TV.Value > 1) c11 = Fma.MultiplyAdd(b, i1, c11);
                        if (TV.Value > 2) c12 = Fma.MultiplyAdd(b, i2, c12);
                    }
                    if (TO.Value > 2)
                    {
                        Vector256<float> b = Vector256.Create(op[2]);
                        c20 = Fma.MultiplyAdd(b, i0, c20);
                        if (TV.Value > 1) c21 = Fma.MultiplyAdd(b, i1, c21);
                        if (TV.Value > 2) c22 = Fma.MultiplyAdd(b, i2, c22);
                    }
                    if (TO.Value > 3)
                    {
                        Vector256<float> b = Vector256.Create(op[3]);
                        c30 = Fma.MultiplyAdd(b, i0, c30);
                        if (TV.Value > 1) c31 = Fma.MultiplyAdd(b, i1, c31);
                        if (TV.Value > 2) c32 = Fma.MultiplyAdd(b, i2, c32);
                    }
                }
                {
                    float* ip = inner + ((p + 1) * innerStride);
                    float* op = outer + ((p + 1) * outerStride);
                    Vector256<float> i0 = TV.Value == 1 ? Avx.MaskLoad(ip, mask) : Avx.LoadVector256(ip);
                    Vector256<float> i1 = TV.Value == 2 ? Avx.MaskLoad(ip + 8, mask) : TV.Value > 2 ? Avx.LoadVector256(ip + 8) : default;
                    Vector256<float> i2 = TV.Value == 3 ? Avx.MaskLoad(ip + 16, mask) : default;
                    {
                        Vector256<float> b = Vector256.Create(op[0]);
                        d00 = Fma.MultiplyAdd(b, i0, d00);
                        if (TV.Value > 1) d01 = Fma.MultiplyAdd(b, i1, d01);
                        if (TV.Value > 2) d02 = Fma.MultiplyAdd(b, i2, d02);
                    }
                    if (TO.Value > 1)
                    {
                        Vector256<float> b = Vector256.Create(op[1]);
                        d10 = Fma.MultiplyAdd(b, i0, d10);
                        if (TV.Value > 1) d11 = Fma.MultiplyAdd(b, i1, d11);
                        if (TV.Value > 2) d12 = Fma.MultiplyAdd(b, i2, d12);
                    }
                    if (TO.Value > 2)
                    {
                        Vector256<float> b = Vector256.Create(op[2]);
                        d20 = Fma.MultiplyAdd(b, i0, d20);
                        if (TV.Value > 1) d21 = Fma.MultiplyAdd(b, i1, d21);
                        if (TV.Value > 2) d22 = Fma.MultiplyAdd(b, i2, d22);
                    }
                    if (TO.Value > 3)
                    {
                        Vector256<float> b = Vector256.Create(op[3]);
                        d30 = Fma.MultiplyAdd(b, i0, d30);
                        if (TV.Value > 1) d31 = Fma.MultiplyAdd(b, i1, d31);
                        if (TV.Value > 2) d32 = Fma.MultiplyAdd(b, i2, d32);
                    }
                }
            }
        }
        for (; p < k; p++)
        {
            float* ip = inner + ((p + 0) * innerStride);
            float* op = outer + ((p + 0) * outerStride);
            Vector256<float> i0 = TV.Value == 1 ? Avx.MaskLoad(ip, mask) : Avx.LoadVector256(ip);
            Vector256<float> i1 = TV.Value == 2 ? Avx.MaskLoad(ip + 8, mask) : TV.Value > 2 ? Avx.LoadVector256(ip + 8) : default;
            Vector256<float> i2 = TV.Value == 3 ? Avx.MaskLoad(ip + 16, mask) : default;
            {
                Vector256<float> b = Vector256.Create(op[0]);
                c00 = Fma.MultiplyAdd(b, i0, c00);
                if (TV.Value > 1) c01 = Fma.MultiplyAdd(b, i1, c01);
                if (TV.Value > 2) c02 = Fma.MultiplyAdd(b, i2, c02);
            }
            if (TO.Value > 1)
            {
                Vector256<float> b = Vector256.Create(op[1]);
                c10 = Fma.MultiplyAdd(b, i0, c10);
                if (TV.Value > 1) c11 = Fma.MultiplyAdd(b, i1, c11);
                if (TV.Value > 2) c12 = Fma.MultiplyAdd(b, i2, c12);
            }
            if (TO.Value > 2)
            {
                Vector256<float> b = Vector256.Create(op[2]);
                c20 = Fma.MultiplyAdd(b, i0, c20);
                if (TV.Value > 1) c21 = Fma.MultiplyAdd(b, i1, c21);
                if (TV.Value > 2) c22 = Fma.MultiplyAdd(b, i2, c22);
            }
            if (TO.Value > 3)
            {
                Vector256<float> b = Vector256.Create(op[3]);
                c30 = Fma.MultiplyAdd(b, i0, c30);
                if (TV.Value > 1) c31 = Fma.MultiplyAdd(b, i1, c31);
                if (TV.Value > 2) c32 = Fma.MultiplyAdd(b, i2, c32);
            }
        }
        result[0] = c00 + d00;
        result[1] = c01 + d01;
        result[2] = c02 + d02;
        result[3] = c10 + d10;
        result[4] = c11 + d11;
        result[5] = c12 + d12;
        result[6] = c20 + d20;
        result[7] = c21 + d21;
        result[8] = c22 + d22;
        result[9] = c30 + d30;
        result[10] = c31 + d31;
        result[11] = c32 + d32;

    }

    /// <summary>All-ones in the first <paramref name="valid"/> lanes (clamped to 0..8), zero in the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ColumnMask(int valid) =>
        Vector256.LessThan(Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f), Vector256.Create((float)Math.Clamp(valid, 0, 8)));
}
