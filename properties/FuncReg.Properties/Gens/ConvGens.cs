using FuncReg.Properties.Support;

namespace FuncReg.Properties.Gens;

/// <summary>A Conv2D over a random small batch, probed with Σ c·z.</summary>
internal sealed record ConvCase(int N, Window2D Window, int Filters, bool UseBias, double[] X, double[] K, double[] B, double[] C, double[] DkStart)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>A pooling (or another per-image layer) over a random small batch, probed with Σ c·y.</summary>
internal sealed record ImageCase(Layer Layer, int N, int[] Shape, double[] X, double[] C, long Seed, long Step)
{
    public int Size => Shape.Aggregate(1, (a, b) => a * b);

    public override string ToString() => $"ImageCase {{ Layer = {Layer}, Shape = [{string.Join(", ", Shape)}], {Dump.Of(this with { Layer = null! })} }}";
}

/// <summary>Convolutions, poolings, spatial dropout, channel batch norm and whole small CNN specs.</summary>
internal static class ConvGens
{
    public static Gen<Padding> Paddings => Gen.Elements(Padding.Valid, Padding.Same);

    /// <summary>h, w in 1..7, kernel 1..3 (fitting a valid-padded input), strides 1..2, cin 1..3, filters 1..3, batch 1..2.</summary>
    public static Gen<ConvCase> Conv =>
        from padding in Paddings
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from kh in Gen.Choose(1, padding == Padding.Valid ? Math.Min(3, h) : 3)
        from kw in Gen.Choose(1, padding == Padding.Valid ? Math.Min(3, w) : 3)
        from sh in Gen.Choose(1, 2)
        from sw in Gen.Choose(1, 2)
        from cin in Gen.Choose(1, 3)
        from filters in Gen.Choose(1, 3)
        from n in Gen.Choose(1, 2)
        from useBias in Gen.Elements(true, false)
        let g = Window2D.TryCreate(h, w, cin, (kh, kw), (sh, sw), padding)!.Value
        from x in TensorGens.Values(n * g.InputSize)
        from k in TensorGens.Values(g.PatchSize * filters, 1.0)
        from b in TensorGens.Values(useBias ? filters : 0, 1.0)
        from c in TensorGens.Values(n * g.OutputPixels * filters)
        from dk0 in TensorGens.Values(g.PatchSize * filters, 1.0)
        select new ConvCase(n, g, filters, useBias, x, k, b, c, dk0);

    /// <summary>Pool 1..3, strides = pool or 1..2, either padding; inputs are distinct values (no ties for max) at random places.</summary>
    public static Gen<ImageCase> Pooling =>
        from max in Gen.Elements(true, false)
        from padding in Paddings
        from h in Gen.Choose(1, 7)
        from w in Gen.Choose(1, 7)
        from ph in Gen.Choose(1, padding == Padding.Valid ? Math.Min(3, h) : 3)
        from pw in Gen.Choose(1, padding == Padding.Valid ? Math.Min(3, w) : 3)
        from explicitStrides in Gen.Elements(true, false)
        from sh in Gen.Choose(1, 2)
        from sw in Gen.Choose(1, 2)
        from ch in Gen.Choose(1, 3)
        from n in Gen.Choose(1, 2)
        let strides = explicitStrides ? ((int, int)?)(sh, sw) : null
        let layer = max
            ? (Layer)new MaxPooling2D((ph, pw)) { Strides = strides, Padding = padding }
            : new AveragePooling2D((ph, pw)) { Strides = strides, Padding = padding }
        let shape = new[] { h, w, ch }
        from x in Distinct(n * h * w * ch)
        from c in TensorGens.Values(n * Sequential.Of(shape, layer, new Flatten()).Outputs)
        select new ImageCase(layer, n, shape, x, c, 0, 0);

    /// <summary>An image batch through a per-image layer that keeps the shape or reduces it (global pooling, flatten, spatial dropout).</summary>
    public static Gen<ImageCase> Image(Gen<Layer> layers) =>
        from layer in layers
        from h in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 5)
        from ch in Gen.Choose(1, 4)
        from n in Gen.Choose(1, 3)
        let shape = new[] { h, w, ch }
        from x in TensorGens.Values(n * h * w * ch)
        from c in TensorGens.Values(n * Sequential.Of(shape, layer, new Flatten()).Outputs)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 1000)
        select new ImageCase(layer, n, shape, x, c, seed, step);

    public static Gen<Layer> SpatialDropout => TensorGens.Uniform(0, 0.9).Select(r => (Layer)new SpatialDropout2D(r));

    /// <summary>Distinct values 0.01 apart (shuffled, shifted into about [−2, 2]): max pooling never meets a tie.</summary>
    public static Gen<double[]> Distinct(int length) =>
        from keys in Gen.Choose(0, int.MaxValue).ArrayOf(length)
        from offset in TensorGens.Uniform(-2, 0)
        select keys.Select((k, i) => (k, i)).OrderBy(p => p.k).ThenBy(p => p.i).Select((p, rank) => (p.i, v: offset + (0.01 * rank)))
            .OrderBy(p => p.i).Select(p => p.v).ToArray();

    /// <summary>A hidden image layer: convolution (any padding/stride/activation/penalty), pooling, spatial dropout, BN, activation.</summary>
    public static Gen<Layer> ImageLayer => Gen.Frequency(
        (4, from filters in Gen.Choose(1, 3)
            from kh in Gen.Choose(1, 3)
            from kw in Gen.Choose(1, 3)
            from sh in Gen.Choose(1, 2)
            from sw in Gen.Choose(1, 2)
            from padding in Paddings
            from act in Gen.Elements(LayerGens.ElementWise)
            from alpha in LayerGens.Alpha(act)
            from useBias in Gen.Elements(true, true, false)
            from kr in SpecGens.OptionalRegularizer
            from br in SpecGens.OptionalRegularizer
            from ar in SpecGens.OptionalRegularizer
            select (Layer)new Conv2D(filters, (kh, kw), act) { Strides = (sh, sw), Padding = padding, Alpha = alpha, UseBias = useBias, KernelRegularizer = kr, BiasRegularizer = br, ActivityRegularizer = ar }),
        (1, from pool in Gen.Choose(1, 2)
            from padding in Paddings
            select (Layer)new MaxPooling2D(pool) { Padding = padding }),
        (1, from pool in Gen.Choose(1, 2)
            from stride in Gen.Choose(1, 2)
            from padding in Paddings
            select (Layer)new AveragePooling2D(pool) { Strides = (stride, stride), Padding = padding }),
        (1, TensorGens.Uniform(0, 0.5).Select(r => (Layer)new SpatialDropout2D(r))),
        (1, from eps in Gen.Elements(1e-3, 1e-2)
            from center in Gen.Elements(true, true, false)
            from scale in Gen.Elements(true, true, false)
            from gr in SpecGens.OptionalRegularizer
            select (Layer)new BatchNormalization { Epsilon = eps, Center = center, Scale = scale, GammaRegularizer = gr }),
        (1, from act in Gen.Elements(LayerGens.ElementWise)
            from alpha in LayerGens.Alpha(act)
            select (Layer)new ActivationLayer(act) { Alpha = alpha }));

    /// <summary>Random small CNNs: image [3..6, 3..6, 1..2] → 1–3 image layers → Flatten or GlobalAveragePooling2D → optional Dense → a head.</summary>
    public static Gen<(Sequential Spec, HeadKind Head)> Specs =>
        from head in Gen.Elements(Enum.GetValues<HeadKind>())
        from h in Gen.Choose(3, 6)
        from w in Gen.Choose(3, 6)
        from c in Gen.Choose(1, 2)
        from count in Gen.Choose(1, 3)
        from image in ImageLayer.ArrayOf(count)
        from reduce in Gen.Elements<Layer>(new Flatten(), new GlobalAveragePooling2D())
        from dense in Gen.Elements(true, false)
        from hidden in SpecGens.HiddenDense
        from hl in SpecGens.HeadLayers(head)
        let layers = (Layer[])[.. image, reduce, .. dense ? [hidden] : Array.Empty<Layer>(), .. hl.Layers]
        let spec = TryOf(new InputShape(h, w, c), hl.Loss, layers)
        where spec is not null
        select (spec! with { FromLogits = hl.FromLogits }, head);

    public static Gen<NetCase> Nets =>
        from s in Specs
        from n in Gen.Choose(1, 3)
        from x in TensorGens.Values(n * s.Spec.Inputs)
        from useLabels in Gen.Elements(true, false)
        from targets in SpecGens.Targets(s.Spec, n, useLabels)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 10_000)
        from paramSeed in Gen.Choose(0, int.MaxValue)
        from training in Gen.Elements(true, true, false)
        select new NetCase(s.Spec, s.Head, n, x, targets.Labels, targets.Values, seed, step, paramSeed, training);

    private static Sequential? TryOf(InputShape shape, Loss loss, Layer[] layers)
    {
        try
        {
            return Sequential.Of(shape, loss, layers);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
