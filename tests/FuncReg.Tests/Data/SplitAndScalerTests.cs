namespace FuncReg.Tests.Data;

public class SplitAndScalerTests
{
    /// <summary>Class c has 10·(c+1) samples; feature 0 is the sample index, feature 1 the label.</summary>
    private static Dataset Unbalanced()
    {
        int[] labels = [.. Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat(c, 10 * (c + 1)))];
        float[] x = [.. labels.SelectMany((c, i) => new[] { (float)i, c })];
        return Dataset.From(x, labels, [2]);
    }

    [Fact]
    public void Stratified_split_divides_every_class_in_the_same_proportion()
    {
        Dataset data = Unbalanced();
        (Dataset train, Dataset val) = data.Split(0.2, seed: 7);
        Assert.Equal(60, train.Count + val.Count);
        for (int c = 0; c < 3; c++)
        {
            int inVal = val.Labels.ToArray().Count(l => l == c);
            Assert.Equal(2 * (c + 1), inVal);
        }
        float[] ids = [.. Enumerable.Range(0, train.Count).Select(i => train.Sample(i)[0]).Concat(Enumerable.Range(0, val.Count).Select(i => val.Sample(i)[0]))];
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (float)i), ids.Order());
        Assert.True(Enumerable.Range(1, train.Count - 1).All(i => train.Sample(i)[0] > train.Sample(i - 1)[0]), "order kept");
    }

    [Fact]
    public void Stratified_split_is_deterministic_per_seed()
    {
        Dataset data = Unbalanced();
        Assert.Equal(data.Split(0.3, 5).Validation.Features.ToArray(), data.Split(0.3, 5).Validation.Features.ToArray());
        Assert.NotEqual(data.Split(0.3, 5).Validation.Features.ToArray(), data.Split(0.3, 6).Validation.Features.ToArray());
    }

    [Fact]
    public void Stratified_split_rejects_bad_fractions_and_float_targets()
    {
        Dataset data = Unbalanced();
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1, 1));
        Assert.Throws<ArgumentException>(() => Dataset.From([1f, 2f], [0.5f, 1f], [1], 1).Split(0.5, 1));
    }

    [Fact]
    public void Standard_scaler_fits_on_train_only_and_transforms_others()
    {
        Dataset train = Dataset.From([1, 10, 3, 10, 5, 10], [0, 1, 0], [2]);
        Dataset test = Dataset.From([7, 4], [1], [2]);
        StandardScaler s = StandardScaler.Fit(train);
        Assert.Equal([3f, 10f], s.Mean);
        Assert.Equal((float)Math.Sqrt(8.0 / 3), s.Scale[0]);
        Assert.Equal(1f, s.Scale[1]);
        Dataset z = s.Transform(train);
        Assert.Equal(0, z.Features.ToArray().Where((_, i) => i % 2 == 0).Sum(), 5);
        Assert.Equal(train.Labels.ToArray(), z.Labels.ToArray());
        Dataset t = s.Transform(test);
        Assert.Equal([4 / (float)Math.Sqrt(8.0 / 3), -6f], t.Features.ToArray());
        Assert.Equal([7f, 4f], test.Features.ToArray());
        Assert.Equal(s, StandardScaler.Fit(train));
        Assert.Throws<ShapeMismatchException>(() => s.Transform(Dataset.From([1f], [0], [1])));
    }

    [Fact]
    public void MinMax_scaler_maps_train_to_unit_interval()
    {
        Dataset train = Dataset.From([2, 5, 4, 5, 6, 5], [0, 1, 0], [2]);
        MinMaxScaler s = MinMaxScaler.Fit(train);
        Assert.Equal([0f, 0f, 0.5f, 0f, 1f, 0f], s.Transform(train).Features.ToArray());
        Assert.Equal([2f, -1f], s.Transform(Dataset.From([10, 4], [1], [2])).Features.ToArray());
        Assert.Equal([2], s.Transform(train).SampleShape);
    }
}
