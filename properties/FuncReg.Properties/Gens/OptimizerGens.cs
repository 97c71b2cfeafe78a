using FuncReg.Properties.Support;

namespace FuncReg.Properties.Gens;

/// <summary>Several steps of one optimizer on one parameter: initial weights and a gradient per step.</summary>
internal sealed record OptimizerCase(Optimizer Optimizer, bool Decays, double[] W, double[][] Grads)
{
    public override string ToString() => Dump.Of(this);
}

/// <summary>Every optimizer and option: momentum, Nesterov, centered, AMSGrad, AdamW, both decays, each clipping kind.</summary>
internal static class OptimizerGens
{
    public static Gen<Optimizer> Rules =>
        Gen.OneOf<Optimizer>(
            from lr in TensorGens.Uniform(0.001, 0.5)
            from momentum in Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0.1, 0.95))
            from nesterov in Gen.Elements(false, true)
            select (Optimizer)new SGD(lr) { Momentum = momentum, Nesterov = nesterov },
            from lr in TensorGens.Uniform(0.0001, 0.05)
            from rho in Gen.OneOf(Gen.Constant(0.9), TensorGens.Uniform(0.5, 0.99))
            from momentum in Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0.1, 0.95))
            from centered in Gen.Elements(false, true)
            from eps in Gen.Elements(1e-7, 1e-3)
            select (Optimizer)new RMSprop(lr) { Rho = rho, Momentum = momentum, Centered = centered, Epsilon = eps },
            from lr in TensorGens.Uniform(0.0001, 0.05)
            from b1 in Gen.OneOf(Gen.Constant(0.9), TensorGens.Uniform(0.5, 0.99))
            from b2 in Gen.OneOf(Gen.Constant(0.999), TensorGens.Uniform(0.9, 0.9999))
            from amsgrad in Gen.Elements(false, true)
            from eps in Gen.Elements(1e-7, 1e-3)
            from w in Gen.Elements(false, true)
            select w ? (Optimizer)new AdamW(lr) { Beta1 = b1, Beta2 = b2, Amsgrad = amsgrad, Epsilon = eps } : new Adam(lr) { Beta1 = b1, Beta2 = b2, Amsgrad = amsgrad, Epsilon = eps });

    /// <summary>A rule with random decays (either, both or none) and at most one kind of per-tensor clipping.</summary>
    public static Gen<Optimizer> Optimizers =>
        from o in Rules
        from wd in Gen.OneOf(Gen.Constant(-1.0), Gen.Constant(0.0), TensorGens.Uniform(0.001, 0.1))
        from cwd in Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0.001, 0.1))
        from clip in Gen.Choose(0, 2)
        from c in TensorGens.Uniform(0.1, 2)
        select o with
        {
            WeightDecay = wd < 0 ? o.WeightDecay : wd,
            CoupledWeightDecay = cwd,
            ClipValue = clip == 1 ? c : null,
            ClipNorm = clip == 2 ? c : null,
        };

    public static Gen<OptimizerCase> Cases =>
        from o in Optimizers
        from decays in Gen.Elements(true, false)
        from len in Gen.Choose(1, 6)
        from steps in Gen.Choose(1, 4)
        from w in TensorGens.Values(len)
        from grads in TensorGens.Values(len, 3.0).ArrayOf(steps)
        select new OptimizerCase(o, decays, w, grads);
}
