using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 8: OptimizerOps.Update equals the Keras update rules, transcribed here independently; clipping bounds gradients.</summary>
public sealed class OptimizerProperties
{
    /// <summary>The documented step in plain double: clip, coupled decay, decoupled decay, rule.</summary>
    private sealed class KerasTranscription(Optimizer o, int length)
    {
        private readonly double[] a = new double[length], b = new double[length], c = new double[length];

        public void Step(long t, double lr, double[] w, double[] gIn, bool decays)
        {
            double[] g = (double[])gIn.Clone();
            if (o.ClipNorm is { } cn)
            {
                double norm = Math.Sqrt(g.Sum(v => v * v));
                if (norm > cn)
                {
                    for (int i = 0; i < g.Length; i++)
                    {
                        g[i] = g[i] * cn / norm;
                    }
                }
            }
            if (o.ClipValue is { } cv)
            {
                for (int i = 0; i < g.Length; i++)
                {
                    g[i] = Math.Min(cv, Math.Max(-cv, g[i]));
                }
            }
            for (int i = 0; i < w.Length; i++)
            {
                if (decays)
                {
                    g[i] += o.CoupledWeightDecay * w[i];
                    w[i] -= lr * o.WeightDecay * w[i];
                }
                switch (o)
                {
                    case SGD { Momentum: 0 }:
                        w[i] -= lr * g[i];
                        break;
                    case SGD s:
                        // Keras: m = μm − lr·g; w += m, or w += μm − lr·g (Nesterov)
                        a[i] = (s.Momentum * a[i]) - (lr * g[i]);
                        w[i] += s.Nesterov ? (s.Momentum * a[i]) - (lr * g[i]) : a[i];
                        break;
                    case RMSprop r:
                        // Keras: velocity = ρ·velocity + (1−ρ)g²; centered: average_grad likewise, denominator = velocity − average_grad² + ε
                        a[i] = (r.Rho * a[i]) + ((1 - r.Rho) * g[i] * g[i]);
                        double denominator = a[i] + r.Epsilon;
                        if (r.Centered)
                        {
                            b[i] = (r.Rho * b[i]) + ((1 - r.Rho) * g[i]);
                            denominator -= b[i] * b[i];
                        }
                        double increment = lr * g[i] / Math.Sqrt(denominator);
                        if (r.Momentum > 0)
                        {
                            c[i] = (r.Momentum * c[i]) + increment;
                            w[i] -= c[i];
                        }
                        else
                        {
                            w[i] -= increment;
                        }
                        break;
                    case Adam d:
                        // Keras: α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (g − m)(1−β₁); v += (g² − v)(1−β₂); AMSGrad v̂ = max(v̂, v); w −= α·m/(√v + ε)
                        double alpha = lr * Math.Sqrt(1 - Math.Pow(d.Beta2, t)) / (1 - Math.Pow(d.Beta1, t));
                        a[i] += (g[i] - a[i]) * (1 - d.Beta1);
                        b[i] += ((g[i] * g[i]) - b[i]) * (1 - d.Beta2);
                        double v = b[i];
                        if (d.Amsgrad)
                        {
                            c[i] = Math.Max(c[i], b[i]);
                            v = c[i];
                        }
                        w[i] -= alpha * a[i] / (Math.Sqrt(v) + d.Epsilon);
                        break;
                    default:
                        throw new NotSupportedException(o.GetType().Name);
                }
            }
        }
    }

    [Fact]
    public void Update_equals_an_independent_transcription_of_the_Keras_formulas()
    {
        Run.Check(Prop.ForAll(OptimizerGens.Cases.ToArbitrary(), c =>
        {
            double[] w = (double[])c.W.Clone(), expected = (double[])c.W.Clone();
            var state = new OptimizerSlots<double>(c.Optimizer.SlotCount, w.Length);
            var keras = new KerasTranscription(c.Optimizer, w.Length);
            for (int t = 1; t <= c.Grads.Length; t++)
            {
                double[] g = (double[])c.Grads[t - 1].Clone();
                OptimizerOps.Update<double>(c.Optimizer, c.Optimizer.LearningRate, t, w, g, state, c.Decays);
                keras.Step(t, c.Optimizer.LearningRate, expected, c.Grads[t - 1], c.Decays);
                Fd.AssertClose(w, expected, $"w after step {t}", 1e-10);
            }
        }), 300);
    }

    private sealed record ClipCase(double Clip, bool ByValue, double[] W, double[] G)
    {
        public override string ToString() => Dump.Of(this);
    }

    [Fact]
    public void ClipValue_and_ClipNorm_bound_the_gradient_that_reaches_the_update()
    {
        Gen<ClipCase> cases =
            from clip in TensorGens.Uniform(0.05, 3)
            from byValue in Gen.Elements(true, false)
            from len in Gen.Choose(1, 8)
            from w in TensorGens.Values(len)
            from g in TensorGens.Values(len, 5)
            select new ClipCase(clip, byValue, w, g);
        Run.Check(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var sgd = new SGD(1.0) { ClipValue = c.ByValue ? c.Clip : null, ClipNorm = c.ByValue ? null : c.Clip };
            double[] w = (double[])c.W.Clone(), g = (double[])c.G.Clone();
            OptimizerOps.Update<double>(sgd, 1.0, 1, w, g, new OptimizerSlots<double>(0, w.Length), decays: true);
            double[] applied = [.. c.W.Zip(w, (before, after) => before - after)];
            double norm = Math.Sqrt(c.G.Sum(v => v * v));
            double[] expected = c.ByValue
                ? [.. c.G.Select(v => Math.Clamp(v, -c.Clip, c.Clip))]
                : [.. c.G.Select(v => norm > c.Clip ? v * c.Clip / norm : v)];
            Fd.AssertClose(applied, expected, "applied gradient", 1e-12);
            double bound = c.ByValue ? applied.Max(Math.Abs) : Math.Sqrt(applied.Sum(v => v * v));
            return bound <= c.Clip * (1 + 1e-9);
        }), 300);
    }

    [Fact]
    public void GlobalClipNorm_scales_all_gradients_together_to_the_bound()
    {
        Gen<(NetCase Net, double Clip)> cases = SpecGens.Nets.Zip(TensorGens.Uniform(0.01, 2));
        Run.Check(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var net = new ReferenceNet<double>(c.Net.Spec, c.Net.Seed);
            Nets.Randomize(net, c.Net.ParamSeed);
            net.Loss(c.Net.X, new Targets<double>(c.Net.Labels, c.Net.Values), c.Net.N, new ForwardContext(true, false, c.Net.Seed, 0), default, gradients: true);
            ParamTensor<double>[] ps = [.. net.Parameters.Where(p => p.Trainable)];
            double[][] before = [.. ps.Select(p => (double[])p.Values.Clone())];
            double[][] grads = [.. ps.Select(p => (double[])p.Grad.Clone())];
            net.ApplyGradients(new SGD(1.0) { GlobalClipNorm = c.Clip }, 1.0);
            double global = Math.Sqrt(grads.Sum(g => g.Sum(v => v * v)));
            double scale = global > c.Clip ? c.Clip / global : 1.0;
            double appliedSq = 0;
            for (int i = 0; i < ps.Length; i++)
            {
                double[] applied = [.. before[i].Zip(ps[i].Values, (b, a) => b - a)];
                Fd.AssertClose(applied, [.. grads[i].Select(v => v * scale)], ps[i].Name, 1e-12);
                appliedSq += applied.Sum(v => v * v);
            }
            return Math.Sqrt(appliedSq) <= c.Clip * (1 + 1e-9);
        }), 100);
    }
}
