namespace FuncReg.Tests.Reliability;

/// <summary>A model trains in one Fit at a time: a second Fit throws at once instead of interleaving updates (issue 12).</summary>
public sealed class ConcurrentFitTests
{
    [Fact]
    public async Task A_second_fit_on_a_model_in_training_throws_at_once()
    {
        using var model = new CompiledModel(TestData.SmallClassifier(), seed: 1);
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 8);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => model.Fit(data, new FitOptions { Epochs = 2, Optimizer = new SGD(0.1), Callbacks = [new Gate(entered, release)] }));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
        long step = model.Step;
        float[][] weights = model.GetWeights();
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new SGD(0.1) }));
        Assert.Contains("already being trained", e.Message, StringComparison.Ordinal);
        Assert.Equal(step, model.Step); // the refused Fit changed nothing
        Assert.True(TestData.SameBits(weights, model.GetWeights()));
        release.Set();
        History h = await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, h.Epochs.Count);

        // Once the first has returned, the model trains again; another model trains alongside freely.
        model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new SGD(0.1) });
    }

    [Fact]
    public void Fit_from_a_callback_of_the_same_model_throws()
    {
        var model = new ScriptedModel([1, 1]);
        Dataset data = TestData.Indexed(1);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(data, new FitOptions { Epochs = 2, Optimizer = new SGD(1.0), Callbacks = [new Reentrant(data)] }));
        Assert.Contains("already being trained", e.Message, StringComparison.Ordinal);
        model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new SGD(1.0) }); // the failed Fit released the model
    }

    [Fact]
    public async Task Two_models_train_in_parallel()
    {
        Dataset data = TestData.Blobs(features: 2, classes: 2, perClass: 8);
        History[] runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() =>
        {
            using var m = new CompiledModel(TestData.SmallClassifier(), seed: 1);
            return m.Fit(data, new FitOptions { Epochs = 3, Optimizer = new SGD(0.1) });
        })));
        Assert.Equal(runs[0].Series("loss"), runs[1].Series("loss"));
    }

    private sealed class Gate(ManualResetEventSlim entered, ManualResetEventSlim release) : Callback
    {
        public override void OnEpochBegin(TrainingContext context, int epoch)
        {
            if (epoch == 0)
            {
                entered.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }

    private sealed class Reentrant(Dataset data) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, EpochLog log) => context.Model.Fit(data, new FitOptions { Epochs = 1, Optimizer = new SGD(1.0) });
    }
}
