using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties.Augmentation;

/// <summary>A batch of small channels-last images with labels, a seed and a step.</summary>
internal sealed record ImageBatch(int Count, int H, int W, int C, float[] X, int[] Labels, long Seed, long Step)
{
    public int[] Shape => [H, W, C];

    public int Size => H * W * C;

    public override string ToString() => Dump.Of(this);
}

/// <summary>Generators of image batches and augmentation options.</summary>
internal static class AugmentationGens
{
    public static Gen<ImageBatch> Batches =>
        from count in Gen.Choose(1, 5)
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from c in Gen.Choose(1, 3)
        from x in TensorGens.Values(count * h * w * c, 3).Select(v => v.Select(d => (float)d).ToArray())
        from labels in Gen.Choose(0, 3).ArrayOf(count)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 100_000)
        select new ImageBatch(count, h, w, c, x, labels, seed, step);

    public static Gen<FillMode> Fill => Gen.Elements(FillMode.Nearest, FillMode.Constant, FillMode.Reflect, FillMode.Wrap);

    /// <summary>Any valid options, mixup off.</summary>
    public static Gen<FuncReg.Augmentation> Options =>
        from flips in Gen.Choose(0, 3)
        from rotation in Gen.Elements(0.0, 15.0, 90.0)
        from ws in Gen.Elements(0.0, 0.2, 2.0)
        from hs in Gen.Elements(0.0, 0.3, 1.0)
        from zoom in Gen.Elements(0.0, 0.2)
        from fill in Fill
        from noise in Gen.Elements(0.0, 0.1)
        from erasing in Gen.Elements(0.0, 0.5, 1.0)
        select new FuncReg.Augmentation
        {
            HorizontalFlip = (flips & 1) != 0,
            VerticalFlip = (flips & 2) != 0,
            RotationRange = rotation,
            WidthShiftRange = ws,
            HeightShiftRange = hs,
            ZoomRange = zoom,
            FillMode = fill,
            CValue = 0.5f,
            GaussianNoise = noise,
            ErasingProbability = erasing,
        };
}
