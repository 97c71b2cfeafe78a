using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties.Generated;

/// <summary>A declared model, how to construct its generated class, and its <c>Spec</c>.</summary>
internal sealed record DeclaredModel(string Name, Sequential Spec, Func<long, int, IModel> Create)
{
    public override string ToString() => Name;
}

/// <summary>
/// k training steps of one declared model: model seed, optimizer (every rule and option, clipping and decay
/// variants), batch sizes per step, and the seed and scale of the random inputs and labels.
/// </summary>
internal sealed record TrainingCase(DeclaredModel Model, long Seed, Optimizer Optimizer, int[] BatchSizes, int DataSeed, double InputScale)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>Generators for training the generated models against the reference interpreter.</summary>
internal static class GeneratedModelGens
{
    public static readonly DeclaredModel[] Models =
    [
        new(nameof(ActivationZoo), ActivationZoo.Spec, (s, t) => new ActivationZoo(s, t)),
        new(nameof(SigmoidDropoutNet), SigmoidDropoutNet.Spec, (s, t) => new SigmoidDropoutNet(s, t)),
        new(nameof(NormalizationNet), NormalizationNet.Spec, (s, t) => new NormalizationNet(s, t)),
        new(nameof(ActivationLayerNet), ActivationLayerNet.Spec, (s, t) => new ActivationLayerNet(s, t)),
        new(nameof(LogitsNet), LogitsNet.Spec, (s, t) => new LogitsNet(s, t)),
        new(nameof(BinaryLogitsNet), BinaryLogitsNet.Spec, (s, t) => new BinaryLogitsNet(s, t)),
        new(nameof(FirstLayerNet), FirstLayerNet.Spec, (s, t) => new FirstLayerNet(s, t)),
        new(nameof(BatchNormFirstNet), BatchNormFirstNet.Spec, (s, t) => new BatchNormFirstNet(s, t)),
        new(nameof(ConstraintNet), ConstraintNet.Spec, (s, t) => new ConstraintNet(s, t)),
    ];

    /// <summary><see cref="OptimizerGens.Optimizers"/> (every rule, both decays, value/norm clipping), sometimes with a global clip norm (when no per-tensor clipping is set) or decaying every parameter.</summary>
    public static Gen<Optimizer> Optimizers =>
        from o in OptimizerGens.Optimizers
        from global in Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0.1, 2))
        from all in Gen.Elements(false, true)
        select o with { GlobalClipNorm = global > 0 && o.ClipValue is null && o.ClipNorm is null ? global : null, DecayAllParameters = all };

    public static Gen<TrainingCase> Cases(Gen<DeclaredModel> model) =>
        from m in model
        from seed in TensorGens.Seed
        from optimizer in Optimizers
        from steps in Gen.Choose(1, 4)
        from sizes in Gen.Choose(1, 17).ArrayOf(steps)
        from dataSeed in Gen.Choose(0, int.MaxValue)
        from scale in Gen.Elements(0.5, 1.0, 3.0)
        select new TrainingCase(m, seed, optimizer, sizes, dataSeed, scale);

    /// <summary>Random features in [−scale, scale], and labels or targets that fit the model's loss.</summary>
    public static (float[] X, int[] Labels, float[] Targets) Batch(Sequential spec, int n, Random rng, double scale)
    {
        var x = new float[n * spec.Inputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(((rng.NextDouble() * 2) - 1) * scale);
        }
        if (spec.Loss == Loss.MeanSquaredError)
        {
            var t = new float[n * spec.Outputs];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = (float)((rng.NextDouble() * 2) - 1);
            }
            return (x, [], t);
        }
        int classes = spec.Loss == Loss.CategoricalCrossEntropy ? spec.Outputs : 2;
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.Next(classes);
        }
        return (x, labels, []);
    }
}
