using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FuncReg.Kernels;

/// <summary>
/// Steps 1–4 of <see cref="Optimizer"/> plus the penalty, in one pass over a parameter: for each entry,
/// read the old w (accumulating the penalty value <c>l1·Σ|w| + l2·Σw²</c>), form
/// <c>g + l1·sign(w) + 2·l2·w</c>, scale (norm clipping), clamp (value clipping), add coupled decay,
/// apply decoupled decay, then the update rule. Same order and formulas as the reference
/// (<see cref="OptimizerOps.Update{T}"/> after <see cref="Regularizer.AddGradient{T}"/>).
/// </summary>
/// <remarks>
/// The body runs on <see cref="Vector256{T}"/> with the same float operations, in the same order, as the
/// scalar formulas (separate multiply and add, no FMA contraction), so every updated element, slot and
/// gradient is bit-identical to the scalar loop (<c>ApplyScalar</c>). The penalty sums are
/// accumulated in double: per lane (4 lanes of Σ|w| and Σw² for each half of a vector), then the lanes in
/// a fixed order, then the scalar tail — deterministic for a given length, within double rounding of the
/// sequential sum.
/// </remarks>
public static class FusedUpdate
{
    /// <summary>Σ (g + l1·sign(w) + 2·l2·w)², the squared norm of the total gradient, in double.</summary>
    public static double TotalGradientSquaredNorm(ReadOnlySpan<float> w, ReadOnlySpan<float> g, float l1, float l2)
    {
        if (g.Length < w.Length)
        {
            throw new ArgumentException("the gradient is shorter than the parameter", nameof(g));
        }
        float l2x2 = 2 * l2;
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && w.Length >= Vector256<float>.Count)
        {
            ref float wr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(w);
            ref float gr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(g);
            Vector256<float> l1v = Vector256.Create(l1), l2v = Vector256.Create(l2x2);
            Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
            for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> wv = Vector256.LoadUnsafe(ref wr, (nuint)i);
                Vector256<float> gv = Vector256.LoadUnsafe(ref gr, (nuint)i) + ((l1v * Sign(wv)) + (l2v * wv));
                (Vector256<double> a, Vector256<double> b) = Vector256.Widen(gv);
                lo += a * a;
                hi += b * b;
            }
            s = Vector256.Sum(lo) + Vector256.Sum(hi);
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i] + ((l1 * ScalarSign(w[i])) + (l2x2 * w[i]));
            s += (double)gi * gi;
        }
        return s;
    }

    /// <summary>
    /// Updates <paramref name="w"/> in place; returns the penalty of the weights before the update.
    /// Slots: SGD momentum [v]; RMSprop [s, ḡ if centered, m if momentum]; Adam [m, v, v̂ if AMSGrad].
    /// </summary>
    public static double Apply(in UpdateRule rule, Span<float> w, ReadOnlySpan<float> g, float[][] slots, float l1, float l2, bool decays, float gradScale)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (g.Length < w.Length)
        {
            throw new ArgumentException("the gradient is shorter than the parameter", nameof(g));
        }
        foreach (float[] slot in slots)
        {
            if (slot.Length < w.Length)
            {
                throw new ArgumentException("an optimizer slot is shorter than the parameter", nameof(slots));
            }
        }
        var c = new Coefficients(rule, l1, l2, decays, gradScale);
        int start = 0;
        Penalty penalty = default;
        if (Vector256.IsHardwareAccelerated)
        {
            start = ApplyVector(rule, c, w, g, slots, ref penalty);
        }
        ApplyScalar(rule, c, w, g, slots, start, ref penalty);
        return (l1 * penalty.Abs) + (l2 * penalty.Squares);
    }

    /// <summary>The scalar formulas over the whole parameter; the reference the vector body is tested against.</summary>
    internal static double ApplyScalar(in UpdateRule rule, Span<float> w, ReadOnlySpan<float> g, float[][] slots, float l1, float l2, bool decays, float gradScale)
    {
        Penalty penalty = default;
        ApplyScalar(rule, new Coefficients(rule, l1, l2, decays, gradScale), w, g, slots, 0, ref penalty);
        return (l1 * penalty.Abs) + (l2 * penalty.Squares);
    }

    /// <summary>The scalar formulas from <paramref name="start"/> on.</summary>
    private static void ApplyScalar(in UpdateRule rule, in Coefficients c, Span<float> w, ReadOnlySpan<float> g, float[][] slots, int start, ref Penalty penalty)
    {
        double abs = penalty.Abs, sq = penalty.Squares;
        float lr = rule.LearningRate, decoupled = c.Decoupled;
        switch (rule.Kind)
        {
            case UpdateRule.RuleKind.Sgd:
                for (int i = start; i < w.Length; i++)
                {
                    float wi = w[i];
                    float gi = Total(g[i], wi, c, ref abs, ref sq);
                    wi -= wi * decoupled;
                    w[i] = wi - (lr * gi);
                }
                break;
            case UpdateRule.RuleKind.Momentum:
            case UpdateRule.RuleKind.Nesterov:
                {
                    float[] v = slots[0];
                    bool nesterov = rule.Kind == UpdateRule.RuleKind.Nesterov;
                    for (int i = start; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, c, ref abs, ref sq);
                        wi -= wi * decoupled;
                        float vi = (rule.Mu * v[i]) - (lr * gi);
                        v[i] = vi;
                        w[i] = wi + (nesterov ? (rule.Mu * vi) - (lr * gi) : vi);
                    }
                    break;
                }
            case UpdateRule.RuleKind.RmsProp:
                {
                    float[] s = slots[0];
                    float[]? avg = rule.Centered ? slots[1] : null;
                    float[]? mom = rule.Mu > 0 ? slots[rule.Centered ? 2 : 1] : null;
                    float rho = rule.Rho, oneMinusRho = 1 - rule.Rho;
                    for (int i = start; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, c, ref abs, ref sq);
                        wi -= wi * decoupled;
                        float si = (rho * s[i]) + (oneMinusRho * gi * gi);
                        s[i] = si;
                        float denominator = si;
                        if (avg is not null)
                        {
                            float ai = (rho * avg[i]) + (oneMinusRho * gi);
                            avg[i] = ai;
                            denominator -= ai * ai;
                        }
                        float increment = lr * gi / MathF.Sqrt(denominator + rule.Epsilon);
                        if (mom is not null)
                        {
                            float mi = (rule.Mu * mom[i]) + increment;
                            mom[i] = mi;
                            w[i] = wi - mi;
                        }
                        else
                        {
                            w[i] = wi - increment;
                        }
                    }
                    break;
                }
            case UpdateRule.RuleKind.Adam:
                {
                    float[] m = slots[0], v = slots[1];
                    float[]? vhat = rule.Amsgrad ? slots[2] : null;
                    float b1 = rule.OneMinusBeta1, b2 = rule.OneMinusBeta2, step = rule.AdamStep, eps = rule.Epsilon;
                    for (int i = start; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, c, ref abs, ref sq);
                        wi -= wi * decoupled;
                        float mi = m[i] + ((gi - m[i]) * b1);
                        float vi = v[i] + (((gi * gi) - v[i]) * b2);
                        m[i] = mi;
                        v[i] = vi;
                        if (vhat is not null)
                        {
                            vi = MathF.Max(vhat[i], vi);
                            vhat[i] = vi;
                        }
                        w[i] = wi - (step * mi / (MathF.Sqrt(vi) + eps));
                    }
                    break;
                }
        }
        penalty = new Penalty(abs, sq);
    }

    /// <summary>The vector body over whole vectors; returns where the scalar tail starts.</summary>
    private static int ApplyVector(in UpdateRule rule, in Coefficients c, Span<float> w, ReadOnlySpan<float> g, float[][] slots, ref Penalty penalty)
    {
        const int N = 8;
        int end = w.Length - (w.Length % N);
        if (end == 0)
        {
            return 0;
        }
        ref float wr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(w);
        ref float gr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(g);
        var vc = new VectorCoefficients(c);
        var acc = default(VectorPenalty);
        Vector256<float> lr = Vector256.Create(rule.LearningRate), decoupled = Vector256.Create(c.Decoupled);
        switch (rule.Kind)
        {
            case UpdateRule.RuleKind.Sgd:
                for (int i = 0; i < end; i += N)
                {
                    Vector256<float> wi = Vector256.LoadUnsafe(ref wr, (nuint)i);
                    Vector256<float> gi = Total(Vector256.LoadUnsafe(ref gr, (nuint)i), wi, vc, ref acc);
                    wi -= wi * decoupled;
                    (wi - (lr * gi)).StoreUnsafe(ref wr, (nuint)i);
                }
                break;
            case UpdateRule.RuleKind.Momentum:
            case UpdateRule.RuleKind.Nesterov:
                {
                    ref float vr = ref slots[0][0];
                    bool nesterov = rule.Kind == UpdateRule.RuleKind.Nesterov;
                    Vector256<float> mu = Vector256.Create(rule.Mu);
                    for (int i = 0; i < end; i += N)
                    {
                        Vector256<float> wi = Vector256.LoadUnsafe(ref wr, (nuint)i);
                        Vector256<float> gi = Total(Vector256.LoadUnsafe(ref gr, (nuint)i), wi, vc, ref acc);
                        wi -= wi * decoupled;
                        Vector256<float> vi = (mu * Vector256.LoadUnsafe(ref vr, (nuint)i)) - (lr * gi);
                        vi.StoreUnsafe(ref vr, (nuint)i);
                        (wi + (nesterov ? (mu * vi) - (lr * gi) : vi)).StoreUnsafe(ref wr, (nuint)i);
                    }
                    break;
                }
            case UpdateRule.RuleKind.RmsProp:
                {
                    ref float sr = ref slots[0][0];
                    bool centered = rule.Centered, momentum = rule.Mu > 0;
                    ref float ar = ref centered ? ref slots[1][0] : ref sr;
                    ref float mr = ref momentum ? ref slots[centered ? 2 : 1][0] : ref sr;
                    Vector256<float> rho = Vector256.Create(rule.Rho), oneMinusRho = Vector256.Create(1 - rule.Rho);
                    Vector256<float> eps = Vector256.Create(rule.Epsilon), mu = Vector256.Create(rule.Mu);
                    for (int i = 0; i < end; i += N)
                    {
                        Vector256<float> wi = Vector256.LoadUnsafe(ref wr, (nuint)i);
                        Vector256<float> gi = Total(Vector256.LoadUnsafe(ref gr, (nuint)i), wi, vc, ref acc);
                        wi -= wi * decoupled;
                        Vector256<float> si = (rho * Vector256.LoadUnsafe(ref sr, (nuint)i)) + (oneMinusRho * gi * gi);
                        si.StoreUnsafe(ref sr, (nuint)i);
                        Vector256<float> denominator = si;
                        if (centered)
                        {
                            Vector256<float> ai = (rho * Vector256.LoadUnsafe(ref ar, (nuint)i)) + (oneMinusRho * gi);
                            ai.StoreUnsafe(ref ar, (nuint)i);
                            denominator -= ai * ai;
                        }
                        Vector256<float> increment = lr * gi / Vector256.Sqrt(denominator + eps);
                        if (momentum)
                        {
                            Vector256<float> mi = (mu * Vector256.LoadUnsafe(ref mr, (nuint)i)) + increment;
                            mi.StoreUnsafe(ref mr, (nuint)i);
                            (wi - mi).StoreUnsafe(ref wr, (nuint)i);
                        }
                        else
                        {
                            (wi - increment).StoreUnsafe(ref wr, (nuint)i);
                        }
                    }
                    break;
                }
            case UpdateRule.RuleKind.Adam:
                {
                    ref float mr = ref slots[0][0];
                    ref float vr = ref slots[1][0];
                    bool amsgrad = rule.Amsgrad;
                    ref float hr = ref amsgrad ? ref slots[2][0] : ref vr;
                    Vector256<float> b1 = Vector256.Create(rule.OneMinusBeta1), b2 = Vector256.Create(rule.OneMinusBeta2);
                    Vector256<float> step = Vector256.Create(rule.AdamStep), eps = Vector256.Create(rule.Epsilon);
                    for (int i = 0; i < end; i += N)
                    {
                        Vector256<float> wi = Vector256.LoadUnsafe(ref wr, (nuint)i);
                        Vector256<float> gi = Total(Vector256.LoadUnsafe(ref gr, (nuint)i), wi, vc, ref acc);
                        wi -= wi * decoupled;
                        Vector256<float> m = Vector256.LoadUnsafe(ref mr, (nuint)i);
                        Vector256<float> v = Vector256.LoadUnsafe(ref vr, (nuint)i);
                        Vector256<float> mi = m + ((gi - m) * b1);
                        Vector256<float> vi = v + (((gi * gi) - v) * b2);
                        mi.StoreUnsafe(ref mr, (nuint)i);
                        vi.StoreUnsafe(ref vr, (nuint)i);
                        if (amsgrad)
                        {
                            vi = Vector256.Max(Vector256.LoadUnsafe(ref hr, (nuint)i), vi);
                            vi.StoreUnsafe(ref hr, (nuint)i);
                        }
                        (wi - (step * mi / (Vector256.Sqrt(vi) + eps))).StoreUnsafe(ref wr, (nuint)i);
                    }
                    break;
                }
        }
        penalty = new Penalty(
            Vector256.Sum(acc.AbsLow) + Vector256.Sum(acc.AbsHigh),
            Vector256.Sum(acc.SquaresLow) + Vector256.Sum(acc.SquaresHigh));
        return end;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Total(float g, float w, in Coefficients c, ref double abs, ref double sq)
    {
        if (c.Penalized)
        {
            double d = w;
            abs += Math.Abs(d);
            sq += d * d;
            g += (c.L1 * ScalarSign(w)) + (c.L2x2 * w);
        }
        g *= c.Scale;
        if (c.Clips)
        {
            g = Math.Clamp(g, -c.Clip, c.Clip);
        }
        return g + (c.Coupled * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Total(Vector256<float> g, Vector256<float> w, in VectorCoefficients c, ref VectorPenalty acc)
    {
        if (c.Penalized)
        {
            (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(w);
            acc.AbsLow += Vector256.Abs(lo);
            acc.AbsHigh += Vector256.Abs(hi);
            acc.SquaresLow += lo * lo;
            acc.SquaresHigh += hi * hi;
            g += (c.L1 * Sign(w)) + (c.L2x2 * w);
        }
        g *= c.Scale;
        if (c.Clips)
        {
            g = Vector256.Min(Vector256.Max(g, -c.Clip), c.Clip);
        }
        return g + (c.Coupled * w);
    }

    /// <summary>sign(w) as a float: −1, 0 or 1 (0 for NaN, where <see cref="MathF.Sign(float)"/> throws).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ScalarSign(float w) => w > 0 ? 1f : w < 0 ? -1f : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sign(Vector256<float> w) =>
        (Vector256.GreaterThan(w, Vector256<float>.Zero) & Vector256<float>.One) -
        (Vector256.LessThan(w, Vector256<float>.Zero) & Vector256<float>.One);

    private readonly record struct Penalty(double Abs, double Squares);

    private readonly struct Coefficients
    {
        public Coefficients(in UpdateRule rule, float l1, float l2, bool decays, float gradScale)
        {
            L1 = l1;
            L2x2 = 2 * l2;
            Penalized = l1 != 0 || l2 != 0;
            Scale = gradScale;
            Clip = rule.ClipValue;
            Clips = !float.IsPositiveInfinity(rule.ClipValue);
            Coupled = decays ? rule.CoupledDecay : 0f;
            Decoupled = decays ? rule.DecoupledFactor : 0f;
        }

        public float L1 { get; }

        public float L2x2 { get; }

        public bool Penalized { get; }

        public float Scale { get; }

        public float Clip { get; }

        public bool Clips { get; }

        public float Coupled { get; }

        public float Decoupled { get; }
    }

    private readonly struct VectorCoefficients(in Coefficients c)
    {
        public Vector256<float> L1 { get; } = Vector256.Create(c.L1);

        public Vector256<float> L2x2 { get; } = Vector256.Create(c.L2x2);

        public bool Penalized { get; } = c.Penalized;

        public Vector256<float> Scale { get; } = Vector256.Create(c.Scale);

        public Vector256<float> Clip { get; } = Vector256.Create(c.Clip);

        public bool Clips { get; } = c.Clips;

        public Vector256<float> Coupled { get; } = Vector256.Create(c.Coupled);
    }

    private struct VectorPenalty
    {
        public Vector256<double> AbsLow, AbsHigh, SquaresLow, SquaresHigh;
    }
}
