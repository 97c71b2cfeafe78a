using FuncReg.Properties.Support;

namespace FuncReg.Properties.Gens;

/// <summary>How a generated model ends: the last layer(s) and the loss they feed.</summary>
internal enum HeadKind
{
    /// <summary>Dense(K, softmax) + categorical CE (fused unless the layer has an activity penalty).</summary>
    SoftmaxCce,

    /// <summary>Dense(K, linear) + ActivationLayer(softmax) + categorical CE.</summary>
    SoftmaxLayerCce,

    /// <summary>Dense(K, linear) + categorical CE with FromLogits.</summary>
    LogitsCce,

    /// <summary>Dense(u, sigmoid) + binary CE (fused unless the layer has an activity penalty).</summary>
    SigmoidBce,

    /// <summary>Dense(u, linear) + binary CE with FromLogits.</summary>
    LogitsBce,

    /// <summary>Dense(u, element-wise activation) + mean squared error.</summary>
    Mse,
}

/// <summary>A generated model, a batch for it and the forward context (same masks in every pass).</summary>
internal sealed record NetCase(Sequential Spec, HeadKind Head, int N, double[] X, int[] Labels, double[] Values, long Seed, long Step, int ParamSeed, bool Training)
{
    public override string ToString() =>
        $"NetCase {{ Spec = {Spec}, Head = {Head}, FromLogits = {Spec.FromLogits}, LabelSmoothing = {Spec.LabelSmoothing:R}, " +
        string.Join(", ", Spec.Layers.Select((l, i) => $"L{i} = {l}")) + $", rest = {Dump.Of(this with { Spec = Spec })} }}";
}

/// <summary>Random <see cref="Sequential"/> specs of 1–4 layers mixing every layer kind, penalty and loss head.</summary>
internal static class SpecGens
{
    /// <summary>No penalty half of the time, else L1, L2 or L1L2 with factors in [0.001, 0.1].</summary>
    public static Gen<Regularizer?> OptionalRegularizer =>
        from kind in Gen.Choose(0, 5)
        from l1 in TensorGens.Uniform(0.001, 0.1)
        from l2 in TensorGens.Uniform(0.001, 0.1)
        select kind switch
        {
            3 => Regularizer.L1(l1),
            4 => Regularizer.L2(l2),
            5 => Regularizer.L1L2(l1, l2),
            _ => (Regularizer?)null,
        };

    public static Gen<Layer> HiddenDense =>
        from units in Gen.Choose(1, 4)
        from act in Gen.Elements(LayerGens.ElementWise)
        from alpha in LayerGens.Alpha(act)
        from useBias in Gen.Elements(true, true, false)
        from kr in OptionalRegularizer
        from br in OptionalRegularizer
        from ar in OptionalRegularizer
        select (Layer)new Dense(units, act) { Alpha = alpha, UseBias = useBias, KernelRegularizer = kr, BiasRegularizer = br, ActivityRegularizer = ar };

    public static Gen<Layer> Hidden => Gen.Frequency(
        (4, HiddenDense),
        (1, TensorGens.Uniform(0, 0.5).Select(r => (Layer)new Dropout(r))),
        (1, TensorGens.Uniform(0, 0.5).Select(r => (Layer)new GaussianDropout(r))),
        (1, TensorGens.Uniform(0, 0.5).Select(s => (Layer)new GaussianNoise(s))),
        (1, from eps in Gen.Elements(1e-3, 1e-2)
            from center in Gen.Elements(true, true, false)
            from scale in Gen.Elements(true, true, false)
            from gr in OptionalRegularizer
            from br in OptionalRegularizer
            select (Layer)new BatchNormalization { Epsilon = eps, Center = center, Scale = scale, GammaRegularizer = gr, BetaRegularizer = br }),
        (1, from center in Gen.Elements(true, true, false)
            from scale in Gen.Elements(true, true, false)
            select (Layer)new LayerNormalization { Center = center, Scale = scale }),
        (1, from act in Gen.Elements(LayerGens.ElementWise)
            from alpha in LayerGens.Alpha(act)
            select (Layer)new ActivationLayer(act) { Alpha = alpha }));

    /// <summary>The last layer(s) for a head, its loss and FromLogits.</summary>
    public static Gen<(Layer[] Layers, Loss Loss, bool FromLogits, int Outputs)> HeadLayers(HeadKind head) =>
        from k in Gen.Choose(2, 4)
        from u in Gen.Choose(1, 3)
        from act in Gen.Elements(LayerGens.ElementWise)
        from kr in OptionalRegularizer
        from br in OptionalRegularizer
        from ar in OptionalRegularizer
        select head switch
        {
            HeadKind.SoftmaxCce => (new Layer[] { new Dense(k, Activation.Softmax) { KernelRegularizer = kr, BiasRegularizer = br, ActivityRegularizer = ar } }, Loss.CategoricalCrossEntropy, false, k),
            HeadKind.SoftmaxLayerCce => ([new Dense(k) { KernelRegularizer = kr, BiasRegularizer = br }, new ActivationLayer(Activation.Softmax)], Loss.CategoricalCrossEntropy, false, k),
            HeadKind.LogitsCce => ([new Dense(k) { KernelRegularizer = kr, BiasRegularizer = br }], Loss.CategoricalCrossEntropy, true, k),
            HeadKind.SigmoidBce => ([new Dense(u, Activation.Sigmoid) { KernelRegularizer = kr, BiasRegularizer = br, ActivityRegularizer = ar }], Loss.BinaryCrossEntropy, false, u),
            HeadKind.LogitsBce => ([new Dense(u) { KernelRegularizer = kr, BiasRegularizer = br }], Loss.BinaryCrossEntropy, true, u),
            _ => ([new Dense(u, act) { KernelRegularizer = kr, BiasRegularizer = br, ActivityRegularizer = ar }], Loss.MeanSquaredError, false, u),
        };

    public static Gen<(Sequential Spec, HeadKind Head)> Specs =>
        from head in Gen.Elements(Enum.GetValues<HeadKind>())
        from inputs in Gen.Choose(1, 4)
        from hiddenCount in Gen.Choose(0, head == HeadKind.SoftmaxLayerCce ? 2 : 3)
        from hidden in Hidden.ArrayOf(hiddenCount)
        from h in HeadLayers(head)
        from smoothing in h.Loss == Loss.MeanSquaredError ? Gen.Constant(0.0) : Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0, 0.2))
        select (Sequential.Of(inputs, h.Loss, [.. hidden, .. h.Layers]) with { FromLogits = h.FromLogits, LabelSmoothing = smoothing }, head);

    /// <summary>A spec with a batch of 1–4 samples and matching targets (labels or float rows).</summary>
    public static Gen<NetCase> Nets =>
        from s in Specs
        from n in Gen.Choose(1, 4)
        from x in TensorGens.Values(n * s.Spec.Inputs)
        from useLabels in Gen.Elements(true, false)
        from targets in Targets(s.Spec, n, useLabels)
        from seed in TensorGens.Seed
        from step in Gen.Choose(0, 10_000)
        from paramSeed in Gen.Choose(0, int.MaxValue)
        from training in Gen.Elements(true, true, false)
        select new NetCase(s.Spec, s.Head, n, x, targets.Labels, targets.Values, seed, step, paramSeed, training);

    internal static Gen<(int[] Labels, double[] Values)> Targets(Sequential spec, int n, bool useLabels)
    {
        int units = spec.Outputs;
        return spec.Loss switch
        {
            Loss.CategoricalCrossEntropy when useLabels => Gen.Choose(0, units - 1).ArrayOf(n).Select(l => (l, Array.Empty<double>())),
            Loss.CategoricalCrossEntropy => TensorGens.SoftRow(n * units).Select(v => (Array.Empty<int>(), v)),
            Loss.BinaryCrossEntropy when useLabels && units == 1 => Gen.Choose(0, 1).ArrayOf(n).Select(l => (l, Array.Empty<double>())),
            Loss.BinaryCrossEntropy => TensorGens.Vector(n * units, TensorGens.Uniform(0, 1)).Select(v => (Array.Empty<int>(), v)),
            _ => TensorGens.Values(n * units).Select(v => (Array.Empty<int>(), v)),
        };
    }
}
