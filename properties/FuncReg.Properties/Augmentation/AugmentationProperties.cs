using FuncReg.Properties.Support;

namespace FuncReg.Properties.Augmentation;

using Augmentation = FuncReg.Augmentation;

/// <summary>Invariants of the augmentation transforms and of <see cref="Augmenter"/>.</summary>
public sealed class AugmentationProperties
{
    private static float[] Apply(Augmentation a, ImageBatch b, float[]? targets = null)
    {
        float[] x = [.. b.X];
        new Augmenter(a, b.Shape, b.Count, targets is null ? 0 : targets.Length / b.Count).Apply(x, targets ?? [], b.Count, b.Seed, b.Step);
        return x;
    }

    [Fact]
    public void Flip_twice_is_the_identity()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), b =>
        {
            float[] x = [.. b.X];
            for (int k = 0; k < b.Count; k++)
            {
                Span<float> s = x.AsSpan(k * b.Size, b.Size);
                ImageOps.FlipHorizontal(s, b.H, b.W, b.C);
                ImageOps.FlipHorizontal(s, b.H, b.W, b.C);
                ImageOps.FlipVertical(s, b.H, b.W, b.C);
                ImageOps.FlipVertical(s, b.H, b.W, b.C);
            }
            var flips = new Augmentation { HorizontalFlip = true, VerticalFlip = true };
            float[] twice = Apply(flips, b with { X = Apply(flips, b) });
            return x.SequenceEqual(b.X) && twice.SequenceEqual(b.X);
        }), 200);
    }

    [Fact]
    public void Default_options_and_zero_ranges_are_the_identity()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), AugmentationGens.Fill.ToArbitrary(), (b, fill) =>
        {
            var zero = new Augmentation { RotationRange = 0, WidthShiftRange = 0, HeightShiftRange = 0, ZoomRange = 0, GaussianNoise = 0, ErasingProbability = 0, MixupAlpha = 0, FillMode = fill };
            return Apply(new Augmentation(), b).SequenceEqual(b.X) && Apply(zero, b).SequenceEqual(b.X) && zero.IsIdentity;
        }), 200);
    }

    [Fact]
    public void Rotation_by_zero_is_the_identity()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), AugmentationGens.Fill.ToArbitrary(), (b, fill) =>
        {
            var y = new float[b.Size];
            ImageOps.Affine(b.X.AsSpan(0, b.Size), y, b.H, b.W, b.C, theta: 0, ty: 0, tx: 0, zy: 1, zx: 1, fill, cvalue: 7f);
            return y.SequenceEqual(b.X.Take(b.Size));
        }), 200);
    }

    [Fact]
    public void Whole_pixel_shifts_with_wrap_permute_the_pixels()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), Gen.Choose(1, 9).ToArbitrary(), Gen.Choose(0, 9).ToArbitrary(), (b, ws, hs) =>
        {
            float[] y = Apply(new Augmentation { WidthShiftRange = ws, HeightShiftRange = hs, FillMode = FillMode.Wrap }, b);
            bool permuted = true;
            for (int k = 0; k < b.Count; k++)
            {
                float[] before = [.. b.X.AsSpan(k * b.Size, b.Size)], after = [.. y.AsSpan(k * b.Size, b.Size)];
                Array.Sort(before);
                Array.Sort(after);
                permuted &= before.SequenceEqual(after) && Math.Abs(before.Sum(v => (double)v) - after.Sum(v => (double)v)) < 1e-9;
            }
            return permuted;
        }), 200);
    }

    [Fact]
    public void Shapes_and_labels_are_preserved_and_values_stay_finite()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), AugmentationGens.Options.ToArbitrary(), (b, a) =>
        {
            Dataset d = Dataset.From(b.X, b.Labels, b.Shape);
            float[] y = Apply(a, b);
            Dataset augmented = d.WithFeatures(y);
            return y.Length == b.X.Length && augmented.SampleShape.SequenceEqual(b.Shape) && augmented.Labels.SequenceEqual(b.Labels) && y.All(float.IsFinite);
        }), 200);
    }

    [Fact]
    public void Same_seed_and_step_give_the_same_batch()
    {
        Run.Check(Prop.ForAll(AugmentationGens.Batches.ToArbitrary(), AugmentationGens.Options.ToArbitrary(), (b, a) =>
        {
            float[] first = Apply(a, b), second = Apply(a, b);
            // a sample's draws depend on its index only, not on the batch it sits in
            float[] alone = Apply(a, b with { Count = 1, X = b.X[..b.Size], Labels = b.Labels[..1] });
            return first.SequenceEqual(second) && first.Take(b.Size).SequenceEqual(alone);
        }), 200);
    }

    [Fact]
    public void Mixup_keeps_target_rows_summing_to_one()
    {
        Gen<(ImageBatch, double, int)> gen =
            from b in AugmentationGens.Batches
            from alpha in Gen.Elements(0.1, 0.4, 1.0, 3.0)
            from units in Gen.Choose(2, 6)
            select (b, alpha, units);
        Run.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            (ImageBatch b, double alpha, int units) = t;
            var targets = new float[b.Count * units];
            Mixup.SoftTargets([.. b.Labels.Select(l => l % units)], units, targets);
            Apply(new Augmentation { MixupAlpha = alpha }, b, targets);
            return Enumerable.Range(0, b.Count).All(k =>
            {
                float[] row = targets[(k * units)..((k + 1) * units)];
                return Math.Abs(row.Sum() - 1) < 1e-5 && row.All(v => v >= 0 && v <= 1);
            });
        }), 200);
    }
}
