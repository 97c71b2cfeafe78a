using System.Numerics;

namespace FuncReg;

/// <summary>
/// Forward and backward of <see cref="BatchNormalization"/> (statistics over the rows, per feature) and
/// <see cref="LayerNormalization"/> (statistics over the features, per row). Formulas in those records.
/// </summary>
public static class NormalizationOps
{
    /// <summary>
    /// Batch-norm training forward: writes <c>xhat</c>, <c>y = γ·xhat + β</c>, the batch mean and
    /// biased variance per feature, and 1/√(σ² + ε) per feature.
    /// </summary>
    public static void BatchForwardTraining<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double epsilon, Span<T> xhat, Span<T> y, Span<T> mean, Span<T> variance, Span<T> invStd, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(n);
        for (int j = 0; j < features; j++)
        {
            T m = T.Zero;
            for (int r = 0; r < n; r++)
            {
                m += x[(r * features) + j];
            }
            m /= count;
            T v = T.Zero;
            for (int r = 0; r < n; r++)
            {
                T d = x[(r * features) + j] - m;
                v += d * d;
            }
            v /= count;
            T inv = T.One / T.Sqrt(v + T.CreateChecked(epsilon));
            mean[j] = m;
            variance[j] = v;
            invStd[j] = inv;
            for (int r = 0; r < n; r++)
            {
                int k = (r * features) + j;
                xhat[k] = (x[k] - m) * inv;
                y[k] = (gamma[j] * xhat[k]) + beta[j];
            }
        }
    }

    /// <summary>Batch-norm inference: <c>y = γ·(x − m)/√(v + ε) + β</c> with the running statistics.</summary>
    public static void BatchForwardInference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> movingMean, ReadOnlySpan<T> movingVariance, double epsilon, Span<T> y, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < features; j++)
        {
            T inv = T.One / T.Sqrt(movingVariance[j] + T.CreateChecked(epsilon));
            for (int r = 0; r < n; r++)
            {
                int k = (r * features) + j;
                y[k] = (gamma[j] * (x[k] - movingMean[j]) * inv) + beta[j];
            }
        }
    }

    /// <summary><c>running ← momentum·running + (1 − momentum)·batch</c>.</summary>
    public static void UpdateRunning<T>(Span<T> running, ReadOnlySpan<T> batch, double momentum)
        where T : IFloatingPointIeee754<T>
    {
        T mo = T.CreateChecked(momentum), one = T.CreateChecked(1 - momentum);
        for (int j = 0; j < running.Length; j++)
        {
            running[j] = (running[j] * mo) + (batch[j] * one);
        }
    }

    /// <summary>
    /// Batch-norm training backward, with <c>ĝ = dy·γ</c>:
    /// <c>dx = invStd/N·(N·ĝ − Σĝ − xhat·Σ(ĝ·xhat))</c>, <c>dγ += Σ dy·xhat</c>, <c>dβ += Σ dy</c>.
    /// </summary>
    public static void BatchBackwardTraining<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> xhat, ReadOnlySpan<T> gamma, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(n);
        for (int j = 0; j < features; j++)
        {
            T sumG = T.Zero, sumGx = T.Zero, sumDy = T.Zero, sumDyX = T.Zero;
            for (int r = 0; r < n; r++)
            {
                int k = (r * features) + j;
                T g = dy[k] * gamma[j];
                sumG += g;
                sumGx += g * xhat[k];
                sumDy += dy[k];
                sumDyX += dy[k] * xhat[k];
            }
            if (!dgamma.IsEmpty)
            {
                dgamma[j] += sumDyX;
            }
            if (!dbeta.IsEmpty)
            {
                dbeta[j] += sumDy;
            }
            T scale = invStd[j] / count;
            for (int r = 0; r < n; r++)
            {
                int k = (r * features) + j;
                dx[k] = scale * ((count * dy[k] * gamma[j]) - sumG - (xhat[k] * sumGx));
            }
        }
    }

    /// <summary>Batch-norm inference backward: <c>dx = dy·γ/√(v + ε)</c>, <c>dγ += Σ dy·x̂</c>, <c>dβ += Σ dy</c>.</summary>
    public static void BatchBackwardInference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> gamma, ReadOnlySpan<T> movingMean, ReadOnlySpan<T> movingVariance, double epsilon, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < features; j++)
        {
            T inv = T.One / T.Sqrt(movingVariance[j] + T.CreateChecked(epsilon));
            for (int r = 0; r < n; r++)
            {
                int k = (r * features) + j;
                dx[k] = dy[k] * gamma[j] * inv;
                if (!dgamma.IsEmpty)
                {
                    dgamma[j] += dy[k] * (x[k] - movingMean[j]) * inv;
                }
                if (!dbeta.IsEmpty)
                {
                    dbeta[j] += dy[k];
                }
            }
        }
    }

    /// <summary>Layer-norm forward per row: writes xhat, y and 1/√(σ² + ε) per row.</summary>
    public static void LayerForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double epsilon, Span<T> xhat, Span<T> y, Span<T> invStd, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(features);
        for (int r = 0; r < n; r++)
        {
            int o = r * features;
            T m = T.Zero;
            for (int j = 0; j < features; j++)
            {
                m += x[o + j];
            }
            m /= count;
            T v = T.Zero;
            for (int j = 0; j < features; j++)
            {
                T d = x[o + j] - m;
                v += d * d;
            }
            v /= count;
            T inv = T.One / T.Sqrt(v + T.CreateChecked(epsilon));
            invStd[r] = inv;
            for (int j = 0; j < features; j++)
            {
                xhat[o + j] = (x[o + j] - m) * inv;
                y[o + j] = (gamma[j] * xhat[o + j]) + beta[j];
            }
        }
    }

    /// <summary>Layer-norm backward per row, with ĝ = dy·γ: <c>dx = invStd/F·(F·ĝ − Σĝ − xhat·Σ(ĝ·xhat))</c>.</summary>
    public static void LayerBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> xhat, ReadOnlySpan<T> gamma, ReadOnlySpan<T> invStd, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int n, int features)
        where T : IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(features);
        for (int r = 0; r < n; r++)
        {
            int o = r * features;
            T sumG = T.Zero, sumGx = T.Zero;
            for (int j = 0; j < features; j++)
            {
                T g = dy[o + j] * gamma[j];
                sumG += g;
                sumGx += g * xhat[o + j];
                if (!dgamma.IsEmpty)
                {
                    dgamma[j] += dy[o + j] * xhat[o + j];
                }
                if (!dbeta.IsEmpty)
                {
                    dbeta[j] += dy[o + j];
                }
            }
            T scale = invStd[r] / count;
            for (int j = 0; j < features; j++)
            {
                dx[o + j] = scale * ((count * dy[o + j] * gamma[j]) - sumG - (xhat[o + j] * sumGx));
            }
        }
    }
}
