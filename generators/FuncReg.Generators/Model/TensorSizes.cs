using System.Globalization;
using System.Linq;
using System.Numerics;

namespace FuncReg.Generators.Model
{
    /// <summary>
    /// The library's tensor size limit (<c>TensorLimits.MaxElements</c>, <c>Array.MaxLength</c>) at compile time, with the
    /// same checks as the records' <c>CheckSizes</c>: a sample at each layer, each parameter tensor and each Conv2D or
    /// pooling window must hold at most 2,147,483,591 values, so the generated constants and buffers never overflow.
    /// </summary>
    internal static class TensorSizes
    {
        public const long MaxElements = 0x7FFFFFC7;

        /// <summary>What is too large about an input shape (<c>"an input shape of 65536 × 65536 × 1 = 4294967296 values per sample"</c>, the fix), or null.</summary>
        public static (string What, string Fix)? InputShape(int[] shape) => Describe("an input shape", shape, "values per sample", "use smaller samples");

        /// <summary>The first tensor of <paramref name="layer"/> over <paramref name="input"/> (output <paramref name="output"/>) that is too large, or null.</summary>
        public static (string What, string Fix)? Oversized(LayerSpec layer, int[] input, int[] output)
        {
            switch (layer)
            {
                case DenseSpec d:
                    return Describe("an output", output, "values per sample", "use fewer units")
                        ?? Describe("a kernel", new[] { input[0], d.Units }, "weights", "use fewer units");
                case Conv2DSpec c:
                    return Describe("an output", output, "values per sample", "use fewer filters or larger strides")
                        ?? Describe("a kernel", new[] { c.KernelHeight, c.KernelWidth, input[2], c.Filters }, "weights", "use a smaller kernel or fewer filters")
                        ?? Describe("the im2col patches", new[] { output[0], output[1], c.KernelHeight, c.KernelWidth, input[2] }, "values per sample", "use a smaller kernel, larger strides or a smaller input");
                case Pooling2DSpec p:
                    return Describe("a pooling window", new[] { p.PoolHeight, p.PoolWidth, input[2] }, "values", "use a smaller pool");
                default:
                    return Describe("an output", output, "values per sample", "make the layer smaller");
            }
        }

        private static (string What, string Fix)? Describe(string subject, int[] dims, string unit, string fix)
        {
            BigInteger product = dims.Aggregate(BigInteger.One, (a, d) => a * d);
            if (product <= MaxElements)
            {
                return null;
            }
            string factors = string.Join(" × ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            return (subject + " of " + factors + " = " + product.ToString(CultureInfo.InvariantCulture) + " " + unit, fix);
        }
    }
}
