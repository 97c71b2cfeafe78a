namespace FuncReg.Tests.Augmentation;

using Augmentation = FuncReg.Augmentation;

public class AugmentationFitTests
{
    /// <summary>4×4×1 "images": class 0 bright on the left half, class 1 on the right.</summary>
    private static Dataset Images(int n = 32)
    {
        var x = new float[n * 16];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            for (int p = 0; p < 16; p++)
            {
                x[(i * 16) + p] = ((p % 4 < 2) == (y[i] == 0) ? 1f : 0f) + (0.01f * ((i + p) % 7));
            }
        }
        return Dataset.From(x, y, [4, 4, 1]);
    }

    private static IModel Model(long seed = 3) => Reference.Build(TestData.SmallClassifier(inputs: 16, classes: 2), seed);

    private static FitOptions Options(Augmentation? a) => new() { Epochs = 2, BatchSize = 8, Optimizer = new SGD(0.1), Augmentation = a };

    private static readonly Augmentation Everything = new()
    {
        HorizontalFlip = true,
        VerticalFlip = true,
        RotationRange = 20,
        WidthShiftRange = 0.2,
        HeightShiftRange = 1,
        ZoomRange = 0.1,
        FillMode = FillMode.Reflect,
        GaussianNoise = 0.05,
        ErasingProbability = 0.5,
        MixupAlpha = 0.4,
    };

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_augmentation_changes_training()
    {
        IModel a = Model(), b = Model(), plain = Model();
        a.Fit(Images(), Options(Everything));
        b.Fit(Images(), Options(Everything));
        plain.Fit(Images(), Options(null));
        Assert.True(TestData.SameBits(a.GetWeights(), b.GetWeights()));
        Assert.False(TestData.SameBits(a.GetWeights(), plain.GetWeights()));
    }

    [Fact]
    public void Default_options_train_exactly_as_no_augmentation()
    {
        IModel a = Model(), plain = Model();
        a.Fit(Images(), Options(new Augmentation()));
        plain.Fit(Images(), Options(null));
        Assert.True(TestData.SameBits(a.GetWeights(), plain.GetWeights()));
    }

    [Fact]
    public void Validation_data_is_not_augmented()
    {
        IModel m = Model();
        Dataset val = Images(8);
        History h = m.Fit(Images(), Options(Everything) with { Validation = val });
        Assert.Equal(m.Evaluate(val, 8).DataLoss, h.Epochs[^1].ValDataLoss);
    }

    [Fact]
    public void Image_options_on_flat_samples_name_the_option_and_change_nothing()
    {
        Dataset flat = Dataset.From(Images().Features.ToArray(), Images().Labels.ToArray(), [16]);
        IModel m = Model();
        float[][] before = m.GetWeights();
        var e = Assert.Throws<ShapeMismatchException>(() => m.Fit(flat, Options(new Augmentation { RotationRange = 10 })));
        Assert.Equal("Augmentation.RotationRange", e.ParamName);
        Assert.Contains("[16]", e.Message, StringComparison.Ordinal);
        Assert.True(TestData.SameBits(before, m.GetWeights()));
        Assert.Equal(0, m.Step);
    }

    [Fact]
    public void Noise_and_mixup_work_on_any_shape_with_labels_or_targets()
    {
        Dataset blobs = TestData.Blobs(features: 2, classes: 2, perClass: 10);
        History h = Reference.Build(TestData.SmallClassifier(), seed: 3).Fit(blobs, Options(new Augmentation { GaussianNoise = 0.1, MixupAlpha = 0.2 }) with { Epochs = 1 });
        Assert.True(double.IsFinite(h.Epochs[0].Loss));
        var reg = Reference.Build(Sequential.Of(2, new Dense(1)), seed: 1);
        Dataset targets = Dataset.From(blobs.Features.ToArray(), [.. blobs.Labels.ToArray().Select(l => (float)l)], [2], 1);
        Assert.True(double.IsFinite(reg.Fit(targets, Options(new Augmentation { MixupAlpha = 1 }) with { Epochs = 1 }).Epochs[0].Loss));
    }

    [Fact]
    public void Out_of_range_options_are_rejected_by_name()
    {
        Assert.Equal("RotationRange", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { RotationRange = -1 }).ParamName);
        Assert.Equal("ZoomRange", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { ZoomRange = 1 }).ParamName);
        Assert.Equal("ErasingProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { ErasingProbability = 1.5 }).ParamName);
        Assert.Equal("ErasingArea", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { ErasingArea = (0.5, 0.2) }).ParamName);
        Assert.Equal("MixupAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { MixupAlpha = double.NaN }).ParamName);
        Assert.Equal("GaussianNoise", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { GaussianNoise = -0.1 }).ParamName);
    }

    [Fact]
    public void Fill_modes_map_indices_as_documented()
    {
        // row abcd = 0..3, read at −2…5
        int[] Row(FillMode f) => [.. Enumerable.Range(-2, 8).Select(i => ImageOps.Map(i, 4, f))];
        Assert.Equal([0, 0, 0, 1, 2, 3, 3, 3], Row(FillMode.Nearest));
        Assert.Equal([2, 3, 0, 1, 2, 3, 0, 1], Row(FillMode.Wrap));
        Assert.Equal([1, 0, 0, 1, 2, 3, 3, 2], Row(FillMode.Reflect));
        Assert.Equal([-1, -1, 0, 1, 2, 3, -1, -1], Row(FillMode.Constant));
    }
}
