namespace FuncReg.Kernels;

/// <summary>
/// Steps 1–4 of <see cref="Optimizer"/> plus the penalty, in one pass over a parameter: for each entry,
/// read the old w (accumulating the penalty value <c>l1·Σ|w| + l2·Σw²</c>), form
/// <c>g + l1·sign(w) + 2·l2·w</c>, scale (norm clipping), clamp (value clipping), add coupled decay,
/// apply decoupled decay, then the update rule. Same order and formulas as the reference
/// (<see cref="OptimizerOps.Update{T}"/> after <see cref="Regularizer.AddGradient{T}"/>).
/// </summary>
public static class FusedUpdate
{
    /// <summary>Σ (g + l1·sign(w) + 2·l2·w)², the squared norm of the total gradient, in double.</summary>
    public static double TotalGradientSquaredNorm(ReadOnlySpan<float> w, ReadOnlySpan<float> g, float l1, float l2)
    {
        double s = 0;
        float l2x2 = 2 * l2;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + (l1 * MathF.Sign(w[i])) + (l2x2 * w[i]);
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
        double abs = 0, sq = 0;
        float l2x2 = 2 * l2;
        float clip = rule.ClipValue;
        float coupled = decays ? rule.CoupledDecay : 0f;
        float decoupled = decays ? rule.DecoupledFactor : 0f;
        float lr = rule.LearningRate;
        bool penalized = l1 != 0 || l2 != 0;
        switch (rule.Kind)
        {
            case UpdateRule.RuleKind.Sgd:
                for (int i = 0; i < w.Length; i++)
                {
                    float wi = w[i];
                    float gi = Total(g[i], wi, l1, l2x2, gradScale, clip, coupled, penalized, ref abs, ref sq);
                    wi -= wi * decoupled;
                    w[i] = wi - (lr * gi);
                }
                break;
            case UpdateRule.RuleKind.Momentum:
            case UpdateRule.RuleKind.Nesterov:
                {
                    float[] v = slots[0];
                    bool nesterov = rule.Kind == UpdateRule.RuleKind.Nesterov;
                    for (int i = 0; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, l1, l2x2, gradScale, clip, coupled, penalized, ref abs, ref sq);
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
                    for (int i = 0; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, l1, l2x2, gradScale, clip, coupled, penalized, ref abs, ref sq);
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
                    for (int i = 0; i < w.Length; i++)
                    {
                        float wi = w[i];
                        float gi = Total(g[i], wi, l1, l2x2, gradScale, clip, coupled, penalized, ref abs, ref sq);
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
        return (l1 * abs) + (l2 * sq);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Total(float g, float w, float l1, float l2x2, float scale, float clip, float coupled, bool penalized, ref double abs, ref double sq)
    {
        if (penalized)
        {
            double d = w;
            abs += Math.Abs(d);
            sq += d * d;
            g += (l1 * MathF.Sign(w)) + (l2x2 * w);
        }
        g *= scale;
        g = Math.Clamp(g, -clip, clip);
        return g + (coupled * w);
    }
}
