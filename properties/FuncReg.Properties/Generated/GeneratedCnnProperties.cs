namespace FuncReg.Properties.Generated;

/// <summary>
/// Generated CNNs (declared with attributes in DeclaredCnns.cs) train like the reference interpreter: after k steps on
/// random inputs, batch sizes, seeds and optimizers, every parameter, optimizer slot and running statistic agrees within
/// 1e-5 relative (<see cref="GeneratedModelProperties.Train"/>: the same double rounding oracle and tolerance).
/// </summary>
public sealed class GeneratedCnnProperties
{
    internal static readonly DeclaredModel[] Cnns =
    [
        new(nameof(ConvBatchNormNet), ConvBatchNormNet.Spec, (s, t) => new ConvBatchNormNet(s, t)),
        new(nameof(SpatialDropoutGapNet), SpatialDropoutGapNet.Spec, (s, t) => new SpatialDropoutGapNet(s, t)),
        new(nameof(StridedLogitsNet), StridedLogitsNet.Spec, (s, t) => new StridedLogitsNet(s, t)),
        new(nameof(NoisyRegressionCnn), NoisyRegressionCnn.Spec, (s, t) => new NoisyRegressionCnn(s, t)),
    ];

    [Fact]
    public void Declared_cnns_cover_every_image_layer_padding_stride_and_option()
    {
        Layer[] layers = [.. Cnns.SelectMany(m => m.Spec.Layers)];
        Conv2D[] convs = [.. layers.OfType<Conv2D>()];
        Assert.Contains(convs, c => c.Padding == Padding.Same);
        Assert.Contains(convs, c => c.Padding == Padding.Valid);
        Assert.Contains(convs, c => c.Strides == (2, 2) && c.Padding == Padding.Same);
        Assert.Contains(convs, c => c.Strides == (2, 2) && c.Padding == Padding.Valid);
        Assert.Contains(convs, c => c.KernelSize == (1, 1));
        Assert.Contains(convs, c => c.KernelSize.Height != c.KernelSize.Width);
        Assert.Contains(convs, c => !c.UseBias);
        Assert.Contains(convs, c => c.KernelRegularizer is { L1Factor: > 0 });
        Assert.Contains(convs, c => c.KernelRegularizer is { L2Factor: > 0 });
        Assert.Contains(convs, c => c.BiasRegularizer is { L1Factor: > 0 });
        Assert.Contains(convs, c => c.BiasRegularizer is { L2Factor: > 0 });
        Assert.Contains(convs, c => c.ActivityRegularizer is { L1Factor: > 0 });
        Assert.Contains(convs, c => c.ActivityRegularizer is { L2Factor: > 0 });
        Assert.Contains(convs, c => c.KernelConstraint is MaxNorm);
        Assert.Contains(layers, l => l is MaxPooling2D { Strides: null });
        Assert.Contains(layers, l => l is MaxPooling2D { Strides: not null, Padding: Padding.Same });
        Assert.Contains(layers, l => l is AveragePooling2D { Strides: null, Padding: Padding.Valid });
        Assert.Contains(layers, l => l is AveragePooling2D { Strides: not null, Padding: Padding.Same });
        Assert.Contains(layers, l => l is GlobalAveragePooling2D);
        Assert.Contains(layers, l => l is Flatten);
        Assert.Contains(layers, l => l is SpatialDropout2D);
        Assert.Contains(Cnns, m => m.Spec.Layers.Select((l, i) => (l, i)).Any(p => p.l is BatchNormalization && m.Spec.ShapeAt(p.i).Count == 3));
        Assert.Contains(Cnns, m => m.Spec.Layers.Select((l, i) => (l, i)).Any(p => p.l is LayerNormalization && m.Spec.ShapeAt(p.i).Count == 3));
        Assert.All(Cnns, m => Assert.False(CompiledCnnProperties.Degenerate(m.Spec), m.Name + " compares rounding noise only"));
    }

    /// <remarks>Pinned seed, as the other generated-model properties: float rounding of two engines is compared.</remarks>
    [Fact]
    public void Generated_cnn_training_equals_the_reference_interpreter()
    {
        Support.Run.CheckPinned(Prop.ForAll(GeneratedModelGens.Cases(Gen.Elements(Cnns)).ToArbitrary(), c =>
        {
            GeneratedModelProperties.Train(c);
            return true;
        }), 120, seed: 20261122, gamma: 0x9E3779B97F4A7C15);
    }
}
