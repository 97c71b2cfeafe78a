using FuncReg.Properties.Gens;
using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>A metric sequence and EarlyStopping's Keras arguments.</summary>
internal sealed record EarlyStoppingCase(double[] Values, string Monitor, MonitorMode Mode, int Patience, double MinDelta, double? Baseline, int StartFromEpoch, bool Restore)
{
    public override string ToString() => Dump.Of(this);

    public bool Maximize => Mode == MonitorMode.Max || (Mode == MonitorMode.Auto && Monitor.Contains("acc", StringComparison.Ordinal));
}

/// <summary>Property 9: EarlyStopping stops and restores exactly where Keras 3's algorithm does.</summary>
public sealed class EarlyStoppingProperties
{
    /// <summary>Values on a coarse grid (0.0–2.0 by 0.1) so ties and min_delta boundaries happen often.</summary>
    private static Gen<EarlyStoppingCase> Cases =>
        from epochs in Gen.Choose(1, 15)
        from values in Gen.Choose(0, 20).Select(i => i / 10.0).ArrayOf(epochs)
        from monitor in Gen.Elements("val_loss", "val_accuracy", "loss")
        from mode in Gen.Elements(MonitorMode.Auto, MonitorMode.Min, MonitorMode.Max)
        from patience in Gen.Choose(0, 5)
        from minDelta in Gen.Elements(0.0, 0.05, 0.1, 0.25)
        from baseline in Gen.OneOf(Gen.Constant((double?)null), Gen.Choose(0, 20).Select(i => (double?)(i / 10.0)))
        from start in Gen.Choose(0, 4)
        from restore in Gen.Elements(false, true)
        select new EarlyStoppingCase(values, monitor, mode, patience, minDelta, baseline, start, restore);

    /// <summary>Keras 3 <c>EarlyStopping</c> (on_train_begin / on_epoch_end / on_train_end), transcribed: (stopped epoch or null, epoch whose weights the model ends with).</summary>
    private static (int? Stopped, int FinalWeights) Keras(EarlyStoppingCase c)
    {
        double minDelta = c.Maximize ? c.MinDelta : -c.MinDelta;
        bool Improves(double value, double? reference) =>
            reference is not { } r || (c.Maximize ? value - minDelta > r : value - minDelta < r);
        int wait = 0, bestEpoch = 0;
        double? best = null;
        int? bestWeights = null;
        int last = 0;
        int? stopped = null;
        for (int epoch = 0; epoch < c.Values.Length && stopped is null; epoch++)
        {
            last = epoch;
            double current = c.Values[epoch];
            if (epoch < c.StartFromEpoch)
            {
                continue;
            }
            if (c.Restore && bestWeights is null)
            {
                bestWeights = epoch;
                bestEpoch = epoch;
            }
            wait++;
            if (Improves(current, best))
            {
                best = current;
                bestEpoch = epoch;
                if (c.Restore)
                {
                    bestWeights = epoch;
                }
                if (c.Baseline is null || Improves(current, c.Baseline))
                {
                    wait = 0;
                }
                continue;
            }
            if (wait >= c.Patience && epoch > 0)
            {
                stopped = epoch;
            }
        }
        return (stopped, c.Restore && bestWeights is { } b ? b : last);
    }

    private static EpochLog Log(int epoch, string monitor, double value) => new()
    {
        Epoch = epoch,
        DataLoss = monitor == "loss" ? value : 0.5,
        Penalties = new Dictionary<string, double>(),
        ValDataLoss = monitor == "val_loss" ? value : 0.25,
        ValAccuracy = monitor == "val_accuracy" ? value : 0.75,
        LearningRate = 0.01,
        Seconds = 0,
    };

    [Fact]
    public void Stop_epoch_and_restored_weights_match_Keras_3()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var model = new ReferenceModel(Sequential.Of(1, new Dense(1)), 0);
            var history = new History();
            var ctx = new TrainingContext(model, new FitOptions { ValidationSplit = 0.5 }, history);
            var callback = new EarlyStopping
            {
                Monitor = c.Monitor,
                Mode = c.Mode,
                Patience = c.Patience,
                MinDelta = c.MinDelta,
                Baseline = c.Baseline,
                StartFromEpoch = c.StartFromEpoch,
                RestoreBestWeights = c.Restore,
            };
            callback.OnTrainBegin(ctx);
            int? stopped = null;
            for (int epoch = 0; epoch < c.Values.Length && !ctx.StopRequested; epoch++)
            {
                ctx.Epoch = epoch;
                model.SetWeights([.. model.Parameters.Select(p => Enumerable.Repeat((float)epoch, p.Length).ToArray())]);
                callback.OnEpochEnd(ctx, Log(epoch, c.Monitor, c.Values[epoch]));
                stopped = ctx.StopRequested ? epoch : null;
            }
            callback.OnTrainEnd(ctx);
            int finalWeights = (int)model.Parameters[0].Values[0];
            (int? kerasStopped, int kerasWeights) = Keras(c);
            if (stopped != kerasStopped || finalWeights != kerasWeights)
            {
                throw new InvalidOperationException($"stopped at {stopped?.ToString() ?? "-"} with the weights of epoch {finalWeights}; Keras: {kerasStopped?.ToString() ?? "-"}, epoch {kerasWeights}");
            }
            if (c.Restore && history.RestoredEpoch is { } r && r != finalWeights)
            {
                throw new InvalidOperationException($"History.RestoredEpoch {r} but the weights are epoch {finalWeights}'s");
            }
            if ((callback.StoppedEpoch != 0 || stopped is > 0) && callback.StoppedEpoch != (stopped ?? 0))
            {
                throw new InvalidOperationException($"StoppedEpoch {callback.StoppedEpoch} vs {stopped}");
            }
        }), 500);
    }
}
