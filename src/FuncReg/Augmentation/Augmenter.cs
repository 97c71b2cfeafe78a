namespace FuncReg;

/// <summary>
/// Applies an <see cref="Augmentation"/> to batches in place, with buffers allocated once for the largest batch.
/// Draws: the batch key is <c>Key(seed, Augmentation, step)</c>; sample k uses <c>Bits(batchKey, k)</c> as its own
/// key with fixed slots (below), so a sample's draws do not depend on the batch size or on other options; mixup
/// uses the key <c>Bits(batchKey, −1)</c>.
/// </summary>
public sealed class Augmenter
{
    private const int HFlip = 0, VFlip = 1, Rotation = 2, ShiftY = 3, ShiftX = 4, ZoomY = 5, ZoomX = 6, Erase = 7, ErasingTries = 8, NoiseBase = 64;
    private const int Tries = 10, SlotsPerTry = 4;

    private readonly Augmentation options;
    private readonly int h, w, c, size;
    private readonly float[] image;
    private readonly float[] xCopy;
    private readonly float[] tCopy;
    private readonly int[] pairing;

    /// <summary>Checks <paramref name="options"/> against <paramref name="sampleShape"/> and allocates for batches of up to <paramref name="maxBatch"/> samples with <paramref name="targetWidth"/> target values each.</summary>
    public Augmenter(Augmentation options, IReadOnlyList<int> sampleShape, int maxBatch, int targetWidth)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(sampleShape);
        this.options = options;
        size = sampleShape.Aggregate(1, (a, b) => a * b);
        (h, w, c) = sampleShape.Count == 3 ? (sampleShape[0], sampleShape[1], sampleShape[2]) : (1, size, 1);
        image = options.HasAffine ? new float[size] : [];
        bool mix = options.MixupAlpha > 0;
        xCopy = mix ? new float[maxBatch * size] : [];
        tCopy = mix ? new float[maxBatch * targetWidth] : [];
        pairing = mix ? new int[maxBatch] : [];
    }

    /// <summary>
    /// Augments <paramref name="count"/> samples of <paramref name="x"/> in place (and, with mixup, their float
    /// <paramref name="targets"/>, <paramref name="targets"/>.Length / count values each) for training step
    /// <paramref name="step"/> of a model seeded <paramref name="seed"/>.
    /// </summary>
    public void Apply(Span<float> x, Span<float> targets, int count, long seed, long step)
    {
        ulong batchKey = CounterRandom.Key(seed, RandomStreams.Augmentation, step);
        for (int k = 0; k < count; k++)
        {
            Sample(x.Slice(k * size, size), CounterRandom.Bits(batchKey, k));
        }
        if (options.MixupAlpha > 0 && count > 1)
        {
            ulong key = CounterRandom.Bits(batchKey, -1);
            long counter = 0;
            float lambda = (float)Mixup.Beta(options.MixupAlpha, key, ref counter);
            Span<int> pairs = pairing.AsSpan(0, count);
            for (int i = 0; i < count; i++)
            {
                pairs[i] = i;
            }
            for (int i = count - 1; i > 0; i--)
            {
                int j = CounterRandom.NextInt(key, counter + i, i + 1);
                (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
            }
            Mixup.Mix(x, xCopy, count, size, pairs, lambda);
            if (!targets.IsEmpty)
            {
                Mixup.Mix(targets, tCopy, count, targets.Length / count, pairs, lambda);
            }
        }
    }

    private void Sample(Span<float> s, ulong key)
    {
        Augmentation o = options;
        if (o.HasAffine)
        {
            double theta = o.RotationRange > 0 ? Symmetric(key, Rotation, o.RotationRange) * Math.PI / 180 : 0;
            double ty = Shift(key, ShiftY, o.HeightShiftRange, h), tx = Shift(key, ShiftX, o.WidthShiftRange, w);
            double zy = o.ZoomRange > 0 ? 1 + Symmetric(key, ZoomY, o.ZoomRange) : 1;
            double zx = o.ZoomRange > 0 ? 1 + Symmetric(key, ZoomX, o.ZoomRange) : 1;
            s.CopyTo(image);
            ImageOps.Affine(image, s, h, w, c, theta, ty, tx, zy, zx, o.FillMode, o.CValue);
        }
        if (o.HorizontalFlip && CounterRandom.Uniform(key, HFlip) < 0.5f)
        {
            ImageOps.FlipHorizontal(s, h, w, c);
        }
        if (o.VerticalFlip && CounterRandom.Uniform(key, VFlip) < 0.5f)
        {
            ImageOps.FlipVertical(s, h, w, c);
        }
        if (o.ErasingProbability > 0 && CounterRandom.UniformDouble(key, Erase) < o.ErasingProbability)
        {
            EraseRandom(s, key);
        }
        if (o.GaussianNoise > 0)
        {
            for (int i = 0; i < s.Length; i++)
            {
                s[i] += (float)(o.GaussianNoise * CounterRandom.Normal(key, NoiseBase + i));
            }
        }
    }

    private void EraseRandom(Span<float> s, ulong key)
    {
        Augmentation o = options;
        double logLo = Math.Log(o.ErasingAspect.Min), logHi = Math.Log(o.ErasingAspect.Max);
        for (int t = 0; t < Tries; t++)
        {
            int slot = ErasingTries + (t * SlotsPerTry);
            double area = h * w * (o.ErasingArea.Min + ((o.ErasingArea.Max - o.ErasingArea.Min) * CounterRandom.UniformDouble(key, slot)));
            double aspect = Math.Exp(logLo + ((logHi - logLo) * CounterRandom.UniformDouble(key, slot + 1)));
            int eh = (int)Math.Round(Math.Sqrt(area * aspect)), ew = (int)Math.Round(Math.Sqrt(area / aspect));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w)
            {
                continue;
            }
            int top = CounterRandom.NextInt(key, slot + 2, h - eh + 1), left = CounterRandom.NextInt(key, slot + 3, w - ew + 1);
            ImageOps.Erase(s, w, c, top, left, eh, ew, o.ErasingValue);
            return;
        }
    }

    /// <summary>U(−r, r).</summary>
    private static double Symmetric(ulong key, int slot, double r) => ((2 * CounterRandom.UniformDouble(key, slot)) - 1) * r;

    /// <summary>Fraction of the size for r &lt; 1, else whole pixels −⌊r⌋…⌊r⌋; 0 when r = 0.</summary>
    private static double Shift(ulong key, int slot, double r, int extent)
    {
        if (r == 0)
        {
            return 0;
        }
        if (r < 1)
        {
            return Symmetric(key, slot, r) * extent;
        }
        int m = (int)Math.Min(Math.Floor(r), int.MaxValue / 2);
        return CounterRandom.NextInt(key, slot, (2 * m) + 1) - m;
    }
}
