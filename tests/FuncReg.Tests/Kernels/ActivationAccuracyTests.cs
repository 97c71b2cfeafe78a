using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

/// <summary>The vectorized activations against the exact functions in double, including arguments near 0.</summary>
public sealed class ActivationAccuracyTests
{
    [Theory]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void Vector_activations_are_accurate_and_keep_the_sign(Activation activation)
    {
        // Regression: Vector256.Exp returns 1 + ulp near 0, which made ELU(−2e−11) = +1.2e−7.
        var rng = new Random(1);
        var z = new float[4099];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = (float)(((rng.NextDouble() * 2) - 1) * Math.Pow(10, rng.Next(-12, 2)));
        }
        var y = new float[z.Length];
        ActivationKernels.Forward(activation, 1f, z, y);
        for (int i = 0; i < z.Length; i++)
        {
            double exact = activation switch
            {
                Activation.Elu => z[i] > 0 ? z[i] : ExpM1(z[i]),
                Activation.Sigmoid => 1 / (1 + Math.Exp(-z[i])),
                _ => Math.Tanh(z[i]),
            };
            double error = Math.Abs(y[i] - exact);
            Assert.True(error <= 1e-6 * Math.Abs(exact) + 1e-30, $"{activation}({z[i]:R}) = {y[i]:R}, exact {exact:R}");
            Assert.True(Math.Sign(y[i]) == Math.Sign(exact) || y[i] == 0, $"{activation}({z[i]:R}) has the wrong sign: {y[i]:R}");
        }
    }

    /// <summary>eᶻ − 1 without cancellation (double's ExpM1 is Exp(z) − 1).</summary>
    private static double ExpM1(double z) => Math.Abs(z) < 1e-3 ? z * (1 + (z / 2 * (1 + (z / 3 * (1 + (z / 4)))))) : Math.Exp(z) - 1;
}
