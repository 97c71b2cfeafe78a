using FuncReg.Kernels;

namespace FuncReg.Tests.Kernels;

public sealed class GemmBenchmarkTests
{
    [Fact]
    public void ReturnsAPositiveFiniteRate()
    {
        double rate = GemmBenchmark.Run(17, 2, TimeSpan.FromMilliseconds(10));
        Assert.True(double.IsFinite(rate) && rate > 0, $"rate {rate}");
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.Run(0, 1, TimeSpan.Zero)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.Run(4, 0, TimeSpan.Zero)).ParamName);
        Assert.Equal(
            "minDuration",
            Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.Run(4, 1, TimeSpan.FromSeconds(-1))).ParamName);
    }
}
