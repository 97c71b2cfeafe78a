using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>Property 1: every activation's backward pass is the vector–Jacobian product of its forward pass.</summary>
public sealed class ActivationProperties
{
    [Fact]
    public void Backward_equals_finite_differences_of_a_linear_functional_of_forward()
    {
        Run.Check(Prop.ForAll(LayerGens.Activations.ToArbitrary(), c =>
        {
            double[] z = (double[])c.Z.Clone();
            var y = new double[z.Length];
            ActivationFunctions.Forward<double>(c.Activation, c.Alpha, z, y, c.Units);
            var dz = new double[z.Length];
            ActivationFunctions.Backward<double>(c.Activation, c.Alpha, z, y, c.C, dz, c.Units);
            double F()
            {
                var yy = new double[z.Length];
                ActivationFunctions.Forward<double>(c.Activation, c.Alpha, z, yy, c.Units);
                return Fd.Dot(c.C, yy);
            }
            Fd.AssertClose(dz, Fd.Gradient(F, z), $"{c.Activation} dz");
        }), 300);
    }
}
