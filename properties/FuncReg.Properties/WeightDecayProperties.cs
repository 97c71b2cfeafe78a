using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 6: Keras L2(λ) under SGD = coupled decay 2λ = decoupled decay 2λ; decays skip biases and normalization parameters by default.</summary>
public sealed class WeightDecayProperties
{
    private sealed record DecayCase(Sequential Plain, Sequential WithL2, double Lambda, double Lr, int Steps, int N, double[] X, int[] Labels, double[] Values, long Seed, int ParamSeed)
    {
        public override string ToString() => $"DecayCase {{ Plain = {string.Join(" → ", Plain.Layers)}, {Dump.Of(this with { })} }}";
    }

    /// <summary>Dense stacks (with dropout and batch norm) ending in softmax + CE or linear + MSE; the L2 twin puts L2(λ) on every kernel.</summary>
    private static Gen<DecayCase> Cases =>
        from inputs in Gen.Choose(1, 3)
        from hidden in Gen.Choose(1, 2)
        from units in Gen.Choose(1, 4).ArrayOf(hidden)
        from act in Gen.Elements(Activation.Tanh, Activation.Sigmoid, Activation.Elu)
        from dropout in Gen.Elements(0.0, 0.3)
        from bn in Gen.Elements(false, true)
        from classify in Gen.Elements(false, true)
        from k in Gen.Choose(2, 3)
        from lambda in TensorGens.Uniform(1e-4, 0.05)
        from lr in TensorGens.Uniform(0.01, 0.3)
        from steps in Gen.Choose(1, 5)
        from n in Gen.Choose(2, 4)
        from x in TensorGens.Values(n * inputs)
        from labels in Gen.Choose(0, k - 1).ArrayOf(classify ? n : 0)
        from values in TensorGens.Values(classify ? 0 : n)
        from seed in TensorGens.Seed
        from paramSeed in Gen.Choose(0, int.MaxValue)
        let layers = Build(units, act, dropout, bn, classify ? new Dense(k, Activation.Softmax) : new Dense(1))
        let plain = Sequential.Of(inputs, [.. layers])
        let l2 = Sequential.Of(inputs, [.. layers.Select(l => l is Dense d ? d with { KernelRegularizer = Regularizer.L2(lambda) } : l)])
        select new DecayCase(plain, l2, lambda, lr, steps, n, x, labels, values, seed, paramSeed);

    private static List<Layer> Build(int[] units, Activation act, double dropout, bool bn, Dense head)
    {
        var layers = new List<Layer>();
        foreach (int u in units)
        {
            layers.Add(new Dense(u, act));
            if (bn)
            {
                layers.Add(new BatchNormalization());
            }
            if (dropout > 0)
            {
                layers.Add(new Dropout(dropout));
            }
        }
        layers.Add(head);
        return layers;
    }

    private static ReferenceNet<double> Train(Sequential spec, Optimizer optimizer, DecayCase c)
    {
        var net = new ReferenceNet<double>(spec, c.Seed);
        Nets.Randomize(net, c.ParamSeed);
        for (int s = 0; s < c.Steps; s++)
        {
            net.Loss(c.X, new Targets<double>(c.Labels, c.Values), c.N, new ForwardContext(true, true, c.Seed, s), default, gradients: true);
            net.ApplyGradients(optimizer, c.Lr);
        }
        return net;
    }

    private static void AssertSameWeights<T>(IReadOnlyList<ParamTensor<T>> a, IReadOnlyList<ParamTensor<T>> b, double tol)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < a.Count; i++)
        {
            double[] x = [.. a[i].Values.Select(double.CreateChecked)], y = [.. b[i].Values.Select(double.CreateChecked)];
            double diff = Math.Sqrt(x.Zip(y).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
            double norm = Math.Sqrt(y.Sum(v => v * v));
            if (diff > tol * (norm + 1e-3))
            {
                throw new InvalidOperationException($"{a[i].Name}: ‖Δ‖ = {diff:E3} vs ‖w‖ = {norm:E3}");
            }
        }
    }

    [Fact]
    public void Keras_L2_lambda_under_SGD_equals_coupled_weight_decay_two_lambda_in_double()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            ReferenceNet<double> l2 = Train(c.WithL2, new SGD(c.Lr), c);
            ReferenceNet<double> coupled = Train(c.Plain, new SGD(c.Lr) { CoupledWeightDecay = 2 * c.Lambda }, c);
            AssertSameWeights(l2.Parameters, coupled.Parameters, 1e-9);
        }), 100);
    }

    [Fact]
    public void Keras_L2_lambda_under_SGD_equals_coupled_weight_decay_two_lambda_in_float()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            ReferenceModel TrainF(Sequential spec, Optimizer o)
            {
                var model = new ReferenceModel(spec, c.Seed);
                Nets.Randomize(model.Net, c.ParamSeed);
                model.Optimizer = o;
                float[] x = [.. c.X.Select(v => (float)v)], t = [.. c.Values.Select(v => (float)v)];
                for (int s = 0; s < c.Steps; s++)
                {
                    model.TrainStep(new Batch(x, c.Labels, t, c.N), default);
                }
                return model;
            }
            ReferenceModel l2 = TrainF(c.WithL2, new SGD(c.Lr));
            ReferenceModel coupled = TrainF(c.Plain, new SGD(c.Lr) { CoupledWeightDecay = 2 * c.Lambda });
            AssertSameWeights(l2.Net.Parameters, coupled.Net.Parameters, 1e-5);
        }), 50);
    }

    [Fact]
    public void Decoupled_weight_decay_equals_coupled_decay_with_the_same_factor_under_plain_SGD()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            double wd = 2 * c.Lambda;
            ReferenceNet<double> decoupled = Train(c.Plain, new SGD(c.Lr) { WeightDecay = wd }, c);
            ReferenceNet<double> coupled = Train(c.Plain, new SGD(c.Lr) { CoupledWeightDecay = wd }, c);
            AssertSameWeights(decoupled.Parameters, coupled.Parameters, 1e-9);
        }), 100);
    }

    [Fact]
    public void Decays_touch_only_kernels_unless_DecayAllParameters()
    {
        Gen<(DecayCase Case, double Wd, double Cwd, bool All)> cases =
            from c in Cases
            from wd in TensorGens.Uniform(0, 0.2)
            from cwd in TensorGens.Uniform(0, 0.2)
            from all in Gen.Elements(false, true)
            select (c, wd, cwd, all);
        Run.Check(Prop.ForAll(cases.ToArbitrary(), p =>
        {
            DecayCase c = p.Case with { Steps = 1 };
            ReferenceNet<double> none = Train(c.Plain, new SGD(c.Lr), c);
            ReferenceNet<double> decayed = Train(c.Plain, new SGD(c.Lr) { WeightDecay = p.Wd, CoupledWeightDecay = p.Cwd, DecayAllParameters = p.All }, c);
            var start = new ReferenceNet<double>(c.Plain, c.Seed);
            Nets.Randomize(start, c.ParamSeed);
            for (int i = 0; i < start.Parameters.Count; i++)
            {
                ParamTensor<double> w0 = start.Parameters[i], plain = none.Parameters[i], dec = decayed.Parameters[i];
                if (!w0.Trainable)
                {
                    continue;
                }
                bool decays = p.All || w0.Role == ParameterRole.Kernel;
                for (int k = 0; k < w0.Values.Length; k++)
                {
                    // plain SGD: w1 = w0 − lr·g, so lr·g = w0 − w1
                    double lrG = w0.Values[k] - plain.Values[k];
                    double expected = decays
                        ? w0.Values[k] - (c.Lr * p.Wd * w0.Values[k]) - lrG - (c.Lr * p.Cwd * w0.Values[k])
                        : plain.Values[k];
                    if (!decays ? dec.Values[k] != expected : Math.Abs(dec.Values[k] - expected) > 1e-12 * (1 + Math.Abs(expected)))
                    {
                        throw new InvalidOperationException($"{w0.Name}[{k}] ({w0.Role}, decays {decays}): {dec.Values[k]:R} vs {expected:R}");
                    }
                }
            }
        }), 100);
    }
}
