using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 2: every loss's gradient is the derivative of the loss it returns; fused and unfused forms agree; logits are stable.</summary>
public sealed class LossProperties
{
    [Fact]
    public void Gradient_equals_finite_differences_of_the_returned_loss()
    {
        Run.Check(Prop.ForAll(LossGens.Any.ToArbitrary(), c =>
        {
            double[] input = (double[])c.Input.Clone();
            var grad = new double[input.Length];
            double loss = c.Evaluate(input, grad);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"loss {loss}");
            }
            double withoutGrad = c.Evaluate(input, default);
            if (withoutGrad != loss)
            {
                throw new InvalidOperationException($"loss depends on whether a gradient is asked for: {loss:R} vs {withoutGrad:R}");
            }
            Fd.AssertClose(grad, Fd.Gradient(() => c.Evaluate(input, default), input), $"{c.Kind} grad");
        }), 400);
    }

    [Fact]
    public void Softmax_cross_entropy_from_logits_equals_categorical_cross_entropy_of_softmax()
    {
        Run.Check(Prop.ForAll(LossGens.Softmax.ToArbitrary(), c =>
        {
            var p = new double[c.Input.Length];
            ActivationFunctions.Softmax<double>(c.Input, p, c.Units);
            var t = new Targets<double>(c.Labels, c.Values);
            double fused = LossFunctions.SoftmaxCrossEntropy<double>(c.Input, t, c.Units, c.Smoothing, default);
            double unfused = LossFunctions.CategoricalCrossEntropy<double>(p, t, c.Units, c.Smoothing, default);
            Fd.AssertClose(fused, unfused, "softmax CE vs CCE(softmax)", 1e-9);
        }), 200);
    }

    [Fact]
    public void Sigmoid_cross_entropy_from_logits_equals_binary_cross_entropy_of_sigmoid()
    {
        Run.Check(Prop.ForAll(LossGens.Sigmoid.ToArbitrary(), c =>
        {
            double[] p = [.. c.Input.Select(ActivationFunctions.Sigmoid)];
            var t = new Targets<double>(c.Labels, c.Values);
            double fused = LossFunctions.SigmoidBinaryCrossEntropy<double>(c.Input, t, c.Units, c.Smoothing, default);
            double unfused = LossFunctions.BinaryCrossEntropy<double>(p, t, c.Units, c.Smoothing, default);
            Fd.AssertClose(fused, unfused, "sigmoid BCE vs BCE(sigmoid)", 1e-9);
        }), 200);
    }

    [Fact]
    public void Logits_of_magnitude_1e4_give_finite_losses_and_gradients()
    {
        Gen<LossCase> huge = Gen.OneOf(LossGens.Softmax, LossGens.Sigmoid)
            .Zip(Gen.Elements(1e4, 3e4), (c, scale) => c with { Input = [.. c.Input.Select(z => z / 5.0 * scale)] });
        Run.Check(Prop.ForAll(huge.ToArbitrary(), c =>
        {
            var grad = new double[c.Input.Length];
            double loss = c.Evaluate(c.Input, grad);
            float[] zf = [.. c.Input.Select(z => (float)z)];
            float[] vf = [.. c.Values.Select(v => (float)v)];
            var gf = new float[zf.Length];
            var tf = new Targets<float>(c.Labels, vf);
            double lossF = c.Kind == LossKind.SoftmaxCrossEntropy
                ? LossFunctions.SoftmaxCrossEntropy<float>(zf, tf, c.Units, c.Smoothing, gf)
                : LossFunctions.SigmoidBinaryCrossEntropy<float>(zf, tf, c.Units, c.Smoothing, gf);
            return double.IsFinite(loss) && loss >= 0 && grad.All(double.IsFinite)
                && double.IsFinite(lossF) && lossF >= 0 && gf.All(float.IsFinite);
        }), 200);
    }
}
