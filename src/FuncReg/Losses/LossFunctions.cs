using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FuncReg;

/// <summary>
/// Pure loss functions: each returns the batch-mean loss (in double) and, when <c>grad</c> is not
/// empty, writes ∂loss/∂input (already divided by the batch size). Formulas are in <see cref="Loss"/>.
/// </summary>
public static class LossFunctions
{
    /// <summary>Keras's clipping epsilon for losses computed from probabilities.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>Softmax cross-entropy from logits (stable log-sum-exp). Gradient <c>(p·Σq − q)/N</c>.</summary>
    public static double SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, Targets<T> targets, int classes, double smoothing, Span<T> grad)
        where T : IFloatingPointIeee754<T>
    {
        int n = logits.Length / classes;
        double total = 0;
        Span<double> q = classes <= 256 ? stackalloc double[classes] : new double[classes];
        for (int r = 0; r < n; r++)
        {
            int o = r * classes;
            TargetRow(targets, r, classes, smoothing, q);
            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++)
            {
                max = Math.Max(max, double.CreateChecked(logits[o + j]));
            }
            double sum = 0;
            for (int j = 0; j < classes; j++)
            {
                sum += Math.Exp(double.CreateChecked(logits[o + j]) - max);
            }
            double lse = max + Math.Log(sum);
            double qsum = 0;
            for (int j = 0; j < classes; j++)
            {
                total += q[j] * (lse - double.CreateChecked(logits[o + j]));
                qsum += q[j];
            }
            if (!grad.IsEmpty)
            {
                for (int j = 0; j < classes; j++)
                {
                    double p = Math.Exp(double.CreateChecked(logits[o + j]) - lse);
                    grad[o + j] = T.CreateChecked(((p * qsum) - q[j]) / n);
                }
            }
        }
        return total / n;
    }

    /// <summary>
    /// Categorical cross-entropy from probabilities, as Keras: rows renormalized to sum 1, clipped to
    /// [ε, 1 − ε], loss <c>−Σ q log p</c>. Clipped entries get no gradient.
    /// </summary>
    public static double CategoricalCrossEntropy<T>(ReadOnlySpan<T> probabilities, Targets<T> targets, int classes, double smoothing, Span<T> grad)
        where T : IFloatingPointIeee754<T>
    {
        int n = probabilities.Length / classes;
        double total = 0;
        Span<double> q = classes <= 256 ? stackalloc double[classes] : new double[classes];
        Span<double> dpn = classes <= 256 ? stackalloc double[classes] : new double[classes];
        for (int r = 0; r < n; r++)
        {
            int o = r * classes;
            TargetRow(targets, r, classes, smoothing, q);
            double s = 0;
            for (int j = 0; j < classes; j++)
            {
                s += double.CreateChecked(probabilities[o + j]);
            }
            double dot = 0;
            for (int j = 0; j < classes; j++)
            {
                double pn = double.CreateChecked(probabilities[o + j]) / s;
                double c = Math.Clamp(pn, Epsilon, 1 - Epsilon);
                total -= q[j] * Math.Log(c);
                dpn[j] = c == pn ? -q[j] / c : 0;
                dot += dpn[j] * pn;
            }
            if (!grad.IsEmpty)
            {
                for (int j = 0; j < classes; j++)
                {
                    grad[o + j] = T.CreateChecked((dpn[j] - dot) / s / n);
                }
            }
        }
        return total / n;
    }

    /// <summary>Sigmoid binary cross-entropy from logits: <c>max(z,0) − z·t + log(1 + e^−|z|)</c>; gradient <c>(σ(z) − t)/(N·units)</c>.</summary>
    public static double SigmoidBinaryCrossEntropy<T>(ReadOnlySpan<T> logits, Targets<T> targets, int units, double smoothing, Span<T> grad)
        where T : IFloatingPointIeee754<T>
    {
        int n = logits.Length / units;
        double total = 0, scale = 1.0 / ((double)n * units);
        int start = 0, count = n * units;
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated && (grad.IsEmpty || grad.Length >= count))
        {
            ReadOnlySpan<float> z = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(logits)), count);
            Span<float> g = grad.IsEmpty ? default : MemoryMarshal.CreateSpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(grad)), count);
            start = SigmoidBinaryCrossEntropyVector(z, targets, units, smoothing, scale, g, out total);
        }
        for (int e = start; e < count; e++)
        {
            double z = double.CreateChecked(logits[e]);
            double t = SmoothBinary(double.CreateChecked(targets.At(e / units, e % units, units)), smoothing);
            total += Math.Max(z, 0) - (z * t) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            if (!grad.IsEmpty)
            {
                grad[e] = T.CreateChecked((ActivationFunctions.Sigmoid(z) - t) * scale);
            }
        }
        return total * scale;
    }

    /// <summary>
    /// The float sigmoid cross-entropy over whole groups of 4 elements in <see cref="Vector256{T}"/> of double:
    /// the scalar formulas with <c>e = exp(−|z|)</c> shared by the loss and σ(z) (the value the scalar σ computes
    /// on either branch); exp and log are the vector ones, within an ulp of <see cref="Math.Exp"/> and
    /// <see cref="Math.Log(double)"/>. Returns where the scalar tail starts; <paramref name="total"/> is the unscaled sum so far.
    /// </summary>
    private static int SigmoidBinaryCrossEntropyVector<T>(ReadOnlySpan<float> logits, Targets<T> targets, int units, double smoothing, double scale, Span<float> grad, out double total)
        where T : IFloatingPointIeee754<T>
    {
        int count = logits.Length, end = count - (count % 4);
        Vector256<double> sum = Vector256<double>.Zero, one = Vector256<double>.One, zero = Vector256<double>.Zero, scaleV = Vector256.Create(scale);
        // One label per sample: the targets are the labels themselves, converted 4 at a time (int → double is
        // exact, as int → T → double is for the 0/1 labels a binary head accepts), then smoothed lane-wise.
        bool labels = units == 1 && targets.HasLabels && Avx.IsSupported && targets.Labels.Length >= end;
        ref int labelRef = ref MemoryMarshal.GetReference(targets.Labels);
        Vector256<double> keep = Vector256.Create(1 - smoothing), shift = Vector256.Create(0.5 * smoothing);
        ref float logitRef = ref MemoryMarshal.GetReference(logits);
        int e = 0;
        double wide = 0;
        if (labels && Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            // The same lane formulas 8 at a time (AVX-512), then 4 at a time for what is left.
            Vector512<double> sum8 = Vector512<double>.Zero, one8 = Vector512<double>.One, zero8 = Vector512<double>.Zero, scale8 = Vector512.Create(scale);
            Vector512<double> keep8 = Vector512.Create(1 - smoothing), shift8 = Vector512.Create(0.5 * smoothing);
            for (; e + 8 <= end; e += 8)
            {
                Vector512<double> z = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref logitRef, (nuint)e));
                Vector512<double> t = (Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref labelRef, (nuint)e)) * keep8) + shift8;
                Vector512<double> ex = Vector512.Exp(-Vector512.Abs(z));
                Vector512<double> onePlus = one8 + ex;
                sum8 += Vector512.Max(z, zero8) - (z * t) + Vector512.Log(onePlus);
                if (!grad.IsEmpty)
                {
                    Vector512<double> sigma = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(z, zero8), one8, ex) / onePlus;
                    Vector512.Narrow((sigma - t) * scale8, Vector512<double>.Zero).GetLower().StoreUnsafe(ref MemoryMarshal.GetReference(grad), (nuint)e);
                }
            }
            wide = Vector512.Sum(sum8);
        }
        for (; e < end; e += 4)
        {
            Vector256<double> z = Avx.IsSupported
                ? Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref logitRef, (nuint)e))
                : Vector256.Create((double)logits[e], logits[e + 1], logits[e + 2], logits[e + 3]);
            Vector256<double> t = labels
                ? (Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref labelRef, (nuint)e)) * keep) + shift
                : Vector256.Create(
                    SmoothBinary(Target(targets, e, units), smoothing),
                    SmoothBinary(Target(targets, e + 1, units), smoothing),
                    SmoothBinary(Target(targets, e + 2, units), smoothing),
                    SmoothBinary(Target(targets, e + 3, units), smoothing));
            Vector256<double> ex = Vector256.Exp(-Vector256.Abs(z));
            Vector256<double> onePlus = one + ex;
            sum += Vector256.Max(z, zero) - (z * t) + Vector256.Log(onePlus);
            if (!grad.IsEmpty)
            {
                Vector256<double> sigma = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, zero), one, ex) / onePlus;
                Vector128<float> g = Vector256.Narrow((sigma - t) * scaleV, Vector256<double>.Zero).GetLower();
                g.StoreUnsafe(ref MemoryMarshal.GetReference(grad), (nuint)e);
            }
        }
        total = wide + Vector256.Sum(sum);
        return end;
    }

    /// <summary>Binary cross-entropy from probabilities clipped to [ε, 1 − ε]; clipped entries get no gradient.</summary>
    public static double BinaryCrossEntropy<T>(ReadOnlySpan<T> probabilities, Targets<T> targets, int units, double smoothing, Span<T> grad)
        where T : IFloatingPointIeee754<T>
    {
        int n = probabilities.Length / units;
        double total = 0, scale = 1.0 / ((double)n * units);
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < units; j++)
            {
                double raw = double.CreateChecked(probabilities[(r * units) + j]);
                double p = Math.Clamp(raw, Epsilon, 1 - Epsilon);
                double t = SmoothBinary(double.CreateChecked(targets.At(r, j, units)), smoothing);
                total -= (t * Math.Log(p)) + ((1 - t) * Math.Log(1 - p));
                if (!grad.IsEmpty)
                {
                    double g = p == raw ? (-(t / p) + ((1 - t) / (1 - p))) * scale : 0;
                    grad[(r * units) + j] = T.CreateChecked(g);
                }
            }
        }
        return total * scale;
    }

    /// <summary>Mean squared error; gradient <c>2(y − t)/(N·units)</c>.</summary>
    public static double MeanSquaredError<T>(ReadOnlySpan<T> outputs, Targets<T> targets, int units, Span<T> grad)
        where T : IFloatingPointIeee754<T>
    {
        int n = outputs.Length / units;
        double total = 0, scale = 1.0 / ((double)n * units);
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < units; j++)
            {
                double d = double.CreateChecked(outputs[(r * units) + j]) - double.CreateChecked(targets.At(r, j, units));
                total += d * d;
                if (!grad.IsEmpty)
                {
                    grad[(r * units) + j] = T.CreateChecked(2 * d * scale);
                }
            }
        }
        return total * scale;
    }

    /// <summary>
    /// Sum over the batch of per-sample accuracy: categorical — argmax of the output equals the label
    /// (or the argmax of the target row); binary — the share of units with <c>[y &gt; threshold] = [t &gt; 0.5]</c>,
    /// threshold 0.5 on probabilities or 0 on logits.
    /// </summary>
    public static double CorrectCount<T>(Loss loss, ReadOnlySpan<T> outputs, Targets<T> targets, int units, bool logits)
        where T : IFloatingPointIeee754<T>
    {
        int n = outputs.Length / units;
        double correct = 0;
        if (loss == Loss.CategoricalCrossEntropy)
        {
            for (int r = 0; r < n; r++)
            {
                int predicted = ArgMax(outputs.Slice(r * units, units));
                int actual = targets.HasLabels ? targets.Labels[r] : ArgMax(targets.Values.Slice(r * units, units));
                correct += predicted == actual ? 1 : 0;
            }
        }
        else if (loss == Loss.BinaryCrossEntropy)
        {
            T threshold = logits ? T.Zero : T.CreateChecked(0.5);
            T half = T.CreateChecked(0.5);
            for (int r = 0; r < n; r++)
            {
                int hits = 0;
                for (int j = 0; j < units; j++)
                {
                    bool p = outputs[(r * units) + j] > threshold;
                    bool t = targets.At(r, j, units) > half;
                    hits += p == t ? 1 : 0;
                }
                correct += units == 1 ? hits : (double)hits / units;
            }
        }
        return correct;
    }

    private static int ArgMax<T>(ReadOnlySpan<T> row)
        where T : IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }
        return best;
    }

    /// <summary>The target of flat element <paramref name="e"/> (row e / units, column e % units) as a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Target<T>(Targets<T> targets, int e, int units)
        where T : IFloatingPointIeee754<T> =>
        double.CreateChecked(units == 1 ? targets.At(e, 0, 1) : targets.At(e / units, e % units, units));

    private static double SmoothBinary(double t, double smoothing) => (t * (1 - smoothing)) + (0.5 * smoothing);

    private static void TargetRow<T>(Targets<T> targets, int r, int classes, double smoothing, Span<double> q)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < classes; j++)
        {
            double t = double.CreateChecked(targets.At(r, j, classes));
            q[j] = (t * (1 - smoothing)) + (smoothing / classes);
        }
    }
}
