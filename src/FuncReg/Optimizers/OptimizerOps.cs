using System.Numerics;

namespace FuncReg;

/// <summary>Per-parameter optimizer state: the moments of one tensor.</summary>
public sealed class OptimizerSlots<T>
    where T : IFloatingPointIeee754<T>
{
    public OptimizerSlots(int count, int length)
    {
        Slots = new T[count][];
        for (int i = 0; i < count; i++)
        {
            Slots[i] = new T[length];
        }
    }

    /// <summary>The moment arrays, in the order the optimizer's doc names them.</summary>
    public T[][] Slots { get; }
}

/// <summary>The pure update rules of <see cref="Optimizer"/> and its gradient clipping.</summary>
public static class OptimizerOps
{
    /// <summary>Euclidean norm of g, accumulated in double.</summary>
    public static double Norm<T>(ReadOnlySpan<T> g)
        where T : IFloatingPointIeee754<T> => Math.Sqrt(SquaredNorm(g));

    public static double SquaredNorm<T>(ReadOnlySpan<T> g)
        where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (T v in g)
        {
            double d = double.CreateChecked(v);
            s += d * d;
        }
        return s;
    }

    /// <summary>Scale that brings a norm to at most <paramref name="clip"/>: <c>c / max(norm, c)</c>.</summary>
    public static double ClipScale(double norm, double clip) => clip / Math.Max(norm, clip);

    /// <summary>
    /// Clipping, decays, update rule: steps 1 (except the global norm, passed in as
    /// <paramref name="globalScale"/>), 2, 3 and 4 of <see cref="Optimizer"/>. <paramref name="g"/> is overwritten.
    /// <paramref name="t"/> is the 1-based step count.
    /// </summary>
    public static void Update<T>(Optimizer optimizer, double lr, long t, Span<T> w, Span<T> g, OptimizerSlots<T> state, bool decays, double globalScale = 1.0)
        where T : IFloatingPointIeee754<T>
    {
        double scale = globalScale;
        if (optimizer.ClipNorm is { } cn)
        {
            scale *= ClipScale(Norm<T>(g), cn);
        }
        if (scale != 1.0)
        {
            T s = T.CreateChecked(scale);
            for (int i = 0; i < g.Length; i++)
            {
                g[i] *= s;
            }
        }
        if (optimizer.ClipValue is { } cv)
        {
            T c = T.CreateChecked(cv);
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = T.Clamp(g[i], -c, c);
            }
        }
        if (decays && optimizer.CoupledWeightDecay > 0)
        {
            T wd = T.CreateChecked(optimizer.CoupledWeightDecay);
            for (int i = 0; i < g.Length; i++)
            {
                g[i] += wd * w[i];
            }
        }
        if (decays && optimizer.WeightDecay > 0)
        {
            T f = T.CreateChecked(lr * optimizer.WeightDecay);
            for (int i = 0; i < w.Length; i++)
            {
                w[i] -= w[i] * f;
            }
        }
        switch (optimizer)
        {
            case SGD sgd:
                Sgd(sgd, lr, w, g, state);
                break;
            case RMSprop rms:
                RmsProp(rms, lr, w, g, state);
                break;
            case Adam adam:
                AdamStep(adam, lr, t, w, g, state);
                break;
            default:
                throw new NotSupportedException($"optimizer {optimizer.GetType().Name} has no update rule");
        }
    }

    private static void Sgd<T>(SGD o, double lr, Span<T> w, ReadOnlySpan<T> g, OptimizerSlots<T> state)
        where T : IFloatingPointIeee754<T>
    {
        T eta = T.CreateChecked(lr);
        if (o.Momentum == 0)
        {
            for (int i = 0; i < w.Length; i++)
            {
                w[i] -= eta * g[i];
            }
            return;
        }
        T mu = T.CreateChecked(o.Momentum);
        T[] v = state.Slots[0];
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = (mu * v[i]) - (eta * g[i]);
            w[i] += o.Nesterov ? (mu * v[i]) - (eta * g[i]) : v[i];
        }
    }

    private static void RmsProp<T>(RMSprop o, double lr, Span<T> w, ReadOnlySpan<T> g, OptimizerSlots<T> state)
        where T : IFloatingPointIeee754<T>
    {
        T rho = T.CreateChecked(o.Rho), oneMinusRho = T.CreateChecked(1 - o.Rho);
        T eta = T.CreateChecked(lr), eps = T.CreateChecked(o.Epsilon), mu = T.CreateChecked(o.Momentum);
        T[] s = state.Slots[0];
        T[]? avg = o.Centered ? state.Slots[1] : null;
        T[]? mom = o.Momentum > 0 ? state.Slots[o.Centered ? 2 : 1] : null;
        for (int i = 0; i < w.Length; i++)
        {
            s[i] = (rho * s[i]) + (oneMinusRho * g[i] * g[i]);
            T denominator = s[i];
            if (avg is not null)
            {
                avg[i] = (rho * avg[i]) + (oneMinusRho * g[i]);
                denominator -= avg[i] * avg[i];
            }
            T increment = eta * g[i] / T.Sqrt(denominator + eps);
            if (mom is not null)
            {
                mom[i] = (mu * mom[i]) + increment;
                w[i] -= mom[i];
            }
            else
            {
                w[i] -= increment;
            }
        }
    }

    private static void AdamStep<T>(Adam o, double lr, long t, Span<T> w, ReadOnlySpan<T> g, OptimizerSlots<T> state)
        where T : IFloatingPointIeee754<T>
    {
        double alphaD = lr * Math.Sqrt(1 - Math.Pow(o.Beta2, t)) / (1 - Math.Pow(o.Beta1, t));
        T alpha = T.CreateChecked(alphaD);
        T b1 = T.CreateChecked(1 - o.Beta1), b2 = T.CreateChecked(1 - o.Beta2), eps = T.CreateChecked(o.Epsilon);
        T[] m = state.Slots[0], v = state.Slots[1];
        T[]? vhat = o.Amsgrad ? state.Slots[2] : null;
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += ((g[i] * g[i]) - v[i]) * b2;
            T vi = v[i];
            if (vhat is not null)
            {
                vhat[i] = T.Max(vhat[i], v[i]);
                vi = vhat[i];
            }
            w[i] -= alpha * m[i] / (T.Sqrt(vi) + eps);
        }
    }
}
