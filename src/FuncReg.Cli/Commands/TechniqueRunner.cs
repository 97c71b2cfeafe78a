using System.Diagnostics;
using FuncReg.Cli.Report;

namespace FuncReg.Cli.Commands;

/// <summary>Trains one technique of a comparison on the fused engine and measures what the table and the report show.</summary>
internal static class TechniqueRunner
{
    /// <summary>Cells per side of the decision-boundary grid.</summary>
    public const int GridResolution = 90;

    public static TechniqueResult Run(ComparisonSetup setup, CompareTechnique technique, long seed, int threads)
    {
        using var model = new CompiledModel(technique.Spec, seed, threads);
        FitOptions options = technique.Customize(setup.Options);
        var clock = Stopwatch.StartNew();
        History h = model.Fit(setup.Train, options);
        double seconds = clock.Elapsed.TotalSeconds;
        double[] valLoss = h.Series("val_loss");
        ProbabilityGrid? grid = null;
        if (setup.Train.SampleSize == 2 && model.OutputSize == 1)
        {
            float[] xs = [.. setup.Train.Features.ToArray(), .. setup.Test.Features.ToArray()];
            grid = ProbabilityGrid.Sample(
                p => model.Predict(p),
                ProbabilityGrid.Padded(xs.Where((_, i) => i % 2 == 0)),
                ProbabilityGrid.Padded(xs.Where((_, i) => i % 2 == 1)),
                GridResolution);
        }
        return new TechniqueResult
        {
            Key = technique.Key,
            Name = technique.Name,
            TrainAccuracy = model.Evaluate(setup.Train).Accuracy ?? double.NaN,
            ValAccuracy = model.Evaluate(setup.Validation).Accuracy ?? double.NaN,
            TestAccuracy = model.Evaluate(setup.Test).Accuracy ?? double.NaN,
            BestEpoch = h.RestoredEpoch is { } restored ? restored + 1 : ArgMin(valLoss) + 1,
            EpochsRun = h.Epochs.Count,
            NearZero = NearZeroFraction(model),
            Seconds = seconds,
            Loss = h.Series("loss"),
            ValLoss = valLoss,
            KernelWeights = [.. model.Parameters.Where(p => p.Role == ParameterRole.Kernel).SelectMany(p => p.Values.ToArray())],
            Boundary = grid,
        };
    }

    /// <summary>Share of kernel weights with |w| &lt; 1e-3.</summary>
    public static double NearZeroFraction(IModel model)
    {
        int total = 0, small = 0;
        foreach (Parameter p in model.Parameters.Where(p => p.Role == ParameterRole.Kernel))
        {
            foreach (float w in p.Values)
            {
                total++;
                small += Math.Abs(w) < 1e-3 ? 1 : 0;
            }
        }
        return total == 0 ? 0 : (double)small / total;
    }

    /// <summary>Index of the smallest finite value (the last index when none is finite).</summary>
    public static int ArgMin(double[] values)
    {
        int best = -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]) && (best < 0 || values[i] < values[best]))
            {
                best = i;
            }
        }
        return best < 0 ? values.Length - 1 : best;
    }
}
