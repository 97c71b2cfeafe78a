using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 4 (networks): every parameter gradient of a random model is the derivative of its total loss.</summary>
public sealed class NetworkGradientProperties
{
    [Fact]
    public void Every_parameter_gradient_equals_finite_differences_of_data_plus_penalty_loss()
    {
        Run.Check(Prop.ForAll(SpecGens.Nets.ToArbitrary(), c =>
        {
            var net = new ReferenceNet<double>(c.Spec, c.Seed);
            Nets.Randomize(net, c.ParamSeed);
            var ctx = new ForwardContext(Training: c.Training, UpdateStatistics: false, c.Seed, c.Step);
            double[] output = net.Forward(c.X, c.N, ctx);
            return Prop.When(Nets.AwayFromKinks(net, output), () => Check(net, c, ctx));
        }), 150);
    }

    [Fact]
    public void Every_parameter_gradient_of_a_random_small_CNN_equals_finite_differences()
    {
        Run.Check(Prop.ForAll(ConvGens.Nets.ToArbitrary(), c =>
        {
            var net = new ReferenceNet<double>(c.Spec, c.Seed);
            Nets.Randomize(net, c.ParamSeed);
            var ctx = new ForwardContext(Training: c.Training, UpdateStatistics: false, c.Seed, c.Step);
            double[] output = net.Forward(c.X, c.N, ctx);
            return Prop.When(Nets.AwayFromKinks(net, output), () => Check(net, c, ctx));
        }), 100);
    }

    [Fact]
    public void Every_loss_head_is_generated()
    {
        HashSet<HeadKind> seen = [.. SpecGens.Nets.Sample(200).Select(c => c.Head)];
        Assert.Equal(Enum.GetValues<HeadKind>().Length, seen.Count);
    }

    internal static void Check(ReferenceNet<double> net, NetCase c, ForwardContext ctx)
    {
        var targets = new Targets<double>(c.Labels, c.Values);
        var penalties = new double[net.PenaltyNames.Count];
        LossBreakdown b = net.Loss(c.X, targets, c.N, ctx, penalties, gradients: true);
        if (Math.Abs(penalties.Sum() - b.PenaltyLoss) > 1e-12 * (1 + b.PenaltyLoss))
        {
            throw new InvalidOperationException($"penalty terms sum to {penalties.Sum():R}, PenaltyLoss is {b.PenaltyLoss:R}");
        }
        ParamTensor<double>[] trainable = [.. net.Parameters.Where(p => p.Trainable)];
        double[][] analytic = [.. trainable.Select(p => (double[])p.Grad.Clone())];
        double Total() => net.Loss(c.X, new Targets<double>(c.Labels, c.Values), c.N, ctx, default, gradients: false).Total;
        for (int i = 0; i < trainable.Length; i++)
        {
            Fd.AssertClose(analytic[i], Fd.Gradient(Total, trainable[i].Values), trainable[i].Name);
        }
    }
}
