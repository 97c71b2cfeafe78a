using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Tests;

/// <summary>FR0022: a tensor over the 2,147,483,591 elements one array can hold is reported instead of emitted (the sizes would overflow int).</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void FR0022_dense_kernel_too_large() => AssertMessage(AssertReports("FR0022", """
        using FuncReg;
        [Model(Inputs = 2)]
        [[|Dense(2000000000, Activation.Relu)|]]
        [Dense(1, Activation.Sigmoid)]
        public partial class HugeDense;
        """), "dense_0: a kernel of 2 × 2000000000 = 4000000000 weights exceeds the 2147483591 elements one tensor can hold: use fewer units");

    [Fact]
    public void FR0022_input_shape_overflows_int() => AssertMessage(AssertReports("FR0022", """
        using FuncReg;
        [Model([|InputShape = new[] { 65536, 65536, 1 }|])]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class HugeImage;
        """), "[Model] on 'HugeImage': an input shape of 65536 × 65536 × 1 = 4294967296 values per sample exceeds");

    [Fact]
    public void FR0022_same_padded_kernel_of_int_max() => AssertMessage(AssertReports("FR0022", """
        using FuncReg;
        [Model(InputShape = new[] { 28, 28, 1 })]
        [[|Conv2D(8, 2147483647, Padding = Padding.Same)|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class HugeKernel;
        """), "conv2d_0: a kernel of 2147483647 × 2147483647 × 1 × 8 = ");

    [Fact]
    public void FR0022_conv_output_too_large() => AssertReports("FR0022", """
        using FuncReg;
        [Model(InputShape = new[] { 1024, 1024, 1 })]
        [[|Conv2D(4096, 1)|]]
        [Flatten]
        [Dense(1, Activation.Sigmoid)]
        public partial class WideConv;
        """);

    [Fact]
    public void A_kernel_larger_than_the_input_with_same_padding_is_still_fine()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using FuncReg;
            [Model(InputShape = new[] { 5, 5, 1 })]
            [Conv2D(2, 9, Padding = Padding.Same)]
            [Flatten]
            [Dense(1, Activation.Sigmoid)]
            public partial class PaddedKernel;
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
