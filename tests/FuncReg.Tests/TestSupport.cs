namespace FuncReg.Tests;

/// <summary>An <see cref="IProgress{T}"/> that records every report synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class RecordingProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value) => Reports.Add(value);
}

/// <summary>Small deterministic data sets for tests.</summary>
internal static class TestData
{
    /// <summary>
    /// <paramref name="classes"/> Gaussian blobs in <paramref name="features"/> dimensions, <paramref name="perClass"/>
    /// samples each, interleaved (sample i has label i mod classes).
    /// </summary>
    public static Dataset Blobs(int features, int classes, int perClass, int seed = 1, float spread = 0.5f)
    {
        var rng = new System.Random(seed);
        var centres = new float[classes * features];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)((rng.NextDouble() * 4) - 2);
        }
        int n = classes * perClass;
        var x = new float[n * features];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            y[i] = c;
            for (int j = 0; j < features; j++)
            {
                x[(i * features) + j] = centres[(c * features) + j] + (spread * (float)Normal(rng));
            }
        }
        return Dataset.From(x, y, [features]);
    }

    /// <summary>One feature per sample whose value is the sample's index; every label 0.</summary>
    public static Dataset Indexed(int n, int label = 0) =>
        Dataset.From([.. Enumerable.Range(0, n).Select(i => (float)i)], [.. Enumerable.Repeat(label, n)], [1]);

    public static double Normal(System.Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>[2, 8, 2] relu/softmax classifier for 2-D blobs.</summary>
    public static Sequential SmallClassifier(int inputs = 2, int classes = 2) =>
        Sequential.Of(inputs, new Dense(8, Activation.Relu), new Dense(classes, Activation.Softmax));

    public static bool SameBits(float[][] a, float[][] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));
}

/// <summary>
/// A fake <see cref="IModel"/> with one input, one sigmoid output (binary cross-entropy) and one parameter.
/// Train step k (zero-based, counted over the model's life) reports the scripted loss <c>Losses[k]</c> and
/// accuracy <c>Accuracies[k]</c> and sets the parameter to k (NaN when the loss is not finite), so the
/// parameter tells which step's weights the model holds. Evaluation reports the loss of the last train
/// step. Every feature row seen is recorded.
/// </summary>
internal sealed class ScriptedModel : IModel
{
    private readonly float[] weight = [-1f];

    public ScriptedModel(double[]? losses = null, double[]? accuracies = null)
    {
        Losses = losses ?? [];
        Accuracies = accuracies ?? [];
        Parameters = [new Parameter("dense_0.kernel", [1, 1], ParameterRole.Kernel, weight)];
    }

    public double[] Losses { get; }

    public double[] Accuracies { get; }

    /// <summary>From this train step on the parameter is NaN while the scripted loss stays finite (a ReLU hiding the divergence).</summary>
    public int PoisonFromStep { get; init; } = int.MaxValue;

    public int TrainSteps { get; private set; }

    public List<float[]> TrainedFeatures { get; } = [];

    public List<float[]> EvaluatedFeatures { get; } = [];

    public Sequential Spec { get; } = Sequential.Of(1, new Dense(1, Activation.Sigmoid));

    public long Seed => 0;

    public int InputSize => 1;

    public int OutputSize => 1;

    public IReadOnlyList<Parameter> Parameters { get; }

    public IReadOnlyList<string> PenaltyNames => [];

    public Optimizer Optimizer
    {
        get;
        set
        {
            field = value;
            LearningRate = value.LearningRate;
        }
    } = new SGD(1.0);

    public double LearningRate { get; set; } = 1.0;

    public long Step { get; set; }

    public IReadOnlyList<Parameter> OptimizerState => [];

    public long OptimizerIterations { get; set; }

    public float Weight => weight[0];

    public StepResult TrainStep(in Batch batch, Span<double> penalties)
    {
        TrainedFeatures.Add(batch.Features.ToArray());
        int k = TrainSteps++;
        Step++;
        double loss = k < Losses.Length ? Losses[k] : 1.0;
        double acc = k < Accuracies.Length ? Accuracies[k] : 0.5;
        weight[0] = double.IsFinite(loss) && k < PoisonFromStep ? k : float.NaN;
        return new StepResult(loss, 0, acc * batch.Count, batch.Count);
    }

    public StepResult EvaluateBatch(in Batch batch, Span<double> penalties)
    {
        EvaluatedFeatures.Add(batch.Features.ToArray());
        int k = TrainSteps - 1;
        double loss = k >= 0 && k < Losses.Length ? Losses[k] : 1.0;
        double acc = k >= 0 && k < Accuracies.Length ? Accuracies[k] : 0.5;
        return new StepResult(loss, 0, acc * batch.Count, batch.Count);
    }

    public void Predict(ReadOnlySpan<float> x, Span<float> output) => output.Fill(0.5f);
}
