using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FuncReg;

/// <summary>What a running <see cref="Trainer.Fit"/> shares with its callbacks.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(IModel model, FitOptions options, History history)
    {
        Model = model;
        Options = options;
        History = history;
    }

    public IModel Model { get; }

    public FitOptions Options { get; }

    public History History { get; }

    /// <summary>Zero-based epoch in progress.</summary>
    public int Epoch { get; internal set; }

    public bool StopRequested { get; private set; }

    /// <summary>Ends training after the current batch (the epoch's end-of-epoch work still runs).</summary>
    public void RequestStop(string reason)
    {
        if (!StopRequested)
        {
            StopRequested = true;
            History.StopReason = reason;
        }
    }
}

/// <summary>Training, evaluation and prediction for any <see cref="IModel"/>, reference or generated.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> as Keras's <c>fit</c>: per epoch, shuffle
    /// (seeded), run every batch through <see cref="IModel.TrainStep"/>, evaluate the validation data,
    /// then run the callbacks' epoch-end hooks. With <see cref="FitOptions.Augmentation"/>, each gathered training
    /// batch is augmented in place (keyed by the model's seed and step) before the step.
    /// <para>
    /// Divergence: a non-finite loss throws <see cref="NonFiniteLossException"/> at once; at the end of every epoch the
    /// whole state (parameters, moving statistics, optimizer moments) is checked too, since a ReLU hides NaN weights
    /// from the loss, and a non-finite value throws <see cref="NonFiniteStateException"/>. Both happen before the
    /// epoch's callbacks and checkpoint, so no file and no kept weights ever hold a diverged model. With a
    /// <see cref="TerminateOnNaN"/> callback, training stops instead: the diverged epoch is logged in the history and
    /// reported to <see cref="FitOptions.Progress"/>, no callback's <see cref="Callback.OnEpochEnd"/> runs for it, no
    /// checkpoint is written, and <see cref="Callback.OnTrainEnd"/> runs (EarlyStopping restores its best weights).
    /// </para>
    /// A model trains in one <c>Fit</c> at a time: a second call on the same model while the first runs (from another
    /// thread, or from a callback) throws <see cref="InvalidOperationException"/> before touching anything.
    /// </summary>
    public static History Fit(this IModel model, Dataset train, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        // One Fit per model at a time: a second one would interleave its updates with the first's (and share the
        // fused engines' workspaces), so it fails at once instead.
        var owner = new FitOwner(Environment.CurrentManagedThreadId);
        if (!Training.TryAdd(model, owner))
        {
            int thread = Training.TryGetValue(model, out FitOwner? running) ? running.Thread : -1;
            throw new InvalidOperationException(
                $"This model is already being trained by another Fit (started on managed thread {thread}); a model trains in one Fit at a time. Wait for it to return, or train a separate model (same spec and seed) in parallel.");
        }
        try
        {
            return FitCore(model, train, options);
        }
        finally
        {
            Training.Remove(model);
        }
    }

    /// <summary>Models inside a <see cref="Fit"/>, weakly keyed so that a model is never kept alive by this table.</summary>
    private static readonly ConditionalWeakTable<IModel, FitOwner> Training = new();

    private sealed record FitOwner(int Thread);

    private static History FitCore(IModel model, Dataset train, FitOptions options)
    {
        Dataset? validation = options.Validation;
        if (options.ValidationSplit > 0)
        {
            if (validation is not null)
            {
                throw new ArgumentException("Give either Validation or ValidationSplit, not both.", nameof(options));
            }
            (train, validation) = train.SplitLast(options.ValidationSplit);
        }
        CheckData(model, train, nameof(train));
        if (validation is not null)
        {
            CheckData(model, validation, nameof(options.Validation));
        }
        options.Augmentation?.Validate(train.SampleShape);
        int n = train.Count, batchSize = Math.Min(options.BatchSize, n), batches = (n + batchSize - 1) / batchSize;
        // Everything in a checkpoint is read and checked before the model changes.
        TrainingCheckpoint? resume = options.ResumeFrom is { } from ? Checkpoint.Read(from, model, options) : null;
        resume?.CheckPosition(n, batchSize, options.Shuffle);
        if (!Equals(model.Optimizer, options.Optimizer))
        {
            model.Optimizer = options.Optimizer;
        }
        var history = new History();
        var ctx = new TrainingContext(model, options, history);
        foreach (Callback c in options.Callbacks)
        {
            c.OnTrainBegin(ctx);
        }
        int terms = model.PenaltyNames.Count;
        var position = new FitPosition(terms) { Epoch = options.InitialEpoch };
        if (resume is not null)
        {
            resume.Apply(model, options.Callbacks, history, position);
            if (resume.StopReason is { } reason)
            {
                ctx.RequestStop(reason);
            }
        }
        bool terminateOnNaN = options.Callbacks.Any(c => c is TerminateOnNaN);
        int inputs = train.SampleSize, targetSize = train.TargetSize;
        var x = new float[batchSize * inputs];
        var labels = train.HasLabels ? new int[batchSize] : [];
        var targets = train.HasLabels ? [] : new float[batchSize * targetSize];
        // Augmentation works in the batch buffers; mixup on integer labels trains on soft targets of the output size.
        Augmentation? augmentation = options.Augmentation;
        bool soft = augmentation is { MixupAlpha: > 0 } && train.HasLabels;
        int augTargetSize = soft ? model.OutputSize : train.HasLabels ? 0 : targetSize;
        Augmenter? augmenter = augmentation is { IsIdentity: false } ? new Augmenter(augmentation, train.SampleShape, batchSize, augTargetSize) : null;
        var softTargets = soft ? new float[batchSize * model.OutputSize] : [];
        var order = new int[n];
        var penalties = new double[terms];
        double[] penaltySums = position.PenaltySums;
        string? lossDiverged = null;
        for (; position.Epoch < options.Epochs && !ctx.StopRequested; position.Epoch++)
        {
            int epoch = position.Epoch;
            ctx.Epoch = epoch;
            var clock = Stopwatch.StartNew();
            if (position.Batch == 0)
            {
                if (options.CancellationToken.IsCancellationRequested)
                {
                    return Cancel(model, options, history, position, batchSize, n);
                }
                position.StartEpoch(model.LearningRate);
                foreach (Callback c in options.Callbacks)
                {
                    c.OnEpochBegin(ctx, epoch);
                }
                position.LearningRate = model.LearningRate; // the rate this epoch trains with, after any scheduler
            }
            Order(order, options.Shuffle, model.Seed, epoch);
            for (; position.Batch < batches && !ctx.StopRequested; position.Batch++)
            {
                int b = position.Batch;
                if (b > 0 && options.CancellationToken.IsCancellationRequested)
                {
                    position.Seconds += clock.Elapsed.TotalSeconds;
                    return Cancel(model, options, history, position, batchSize, n);
                }
                int start = b * batchSize, count = Math.Min(batchSize, n - start);
                Gather(train, order.AsSpan(start, count), x, labels, targets);
                if (soft)
                {
                    Mixup.SoftTargets(labels.AsSpan(0, count), model.OutputSize, softTargets);
                }
                augmenter?.Apply(x.AsSpan(0, count * inputs), soft ? softTargets.AsSpan(0, count * model.OutputSize) : targets.AsSpan(0, train.HasLabels ? 0 : count * targetSize), count, model.Seed, model.Step);
                var batch = soft
                    ? new Batch(x.AsSpan(0, count * inputs), default, softTargets.AsSpan(0, count * model.OutputSize), count)
                    : new Batch(x.AsSpan(0, count * inputs), labels.AsSpan(0, train.HasLabels ? count : 0), targets.AsSpan(0, train.HasLabels ? 0 : count * targetSize), count);
                StepResult r = model.TrainStep(batch, penalties);
                if (!double.IsFinite(r.Loss))
                {
                    string message = $"The training loss became {r.Loss} at epoch {epoch}, batch {b} (data loss {r.DataLoss}, penalties {r.PenaltyLoss}): lower the learning rate, add gradient clipping (ClipNorm) or check the inputs' scale.";
                    if (!terminateOnNaN)
                    {
                        throw new NonFiniteLossException(message, epoch, b);
                    }
                    lossDiverged ??= message;
                    ctx.RequestStop(message);
                }
                position.DataSum += r.DataLoss * count;
                position.CorrectSum += r.Correct;
                for (int t = 0; t < terms; t++)
                {
                    penaltySums[t] += penalties[t] * count;
                }
                position.Seen += count;
                foreach (Callback c in options.Callbacks)
                {
                    c.OnBatchEnd(ctx, b, r);
                }
                options.Progress?.Report(new TrainingProgress(epoch, options.Epochs, b + 1, batches, (position.DataSum + penaltySums.Sum()) / position.Seen, null));
            }
            position.Batch = 0;
            int seen = position.Seen;
            // A ReLU turns NaN pre-activations into 0, so the loss alone does not reveal every divergence: the whole
            // state is checked once per epoch, before any callback or checkpoint can keep or save it.
            string? diverged = lossDiverged;
            if (diverged is null && model.FindNonFinite() is { } bad)
            {
                diverged = $"The model diverged in epoch {epoch}: {bad.Tensor}[{bad.Index}] is {bad.Value} although the loss stayed finite. Lower the learning rate, add gradient clipping (ClipNorm) or scale the inputs.";
                if (!terminateOnNaN)
                {
                    throw new NonFiniteStateException(diverged, bad.Tensor, bad.Index);
                }
                ctx.RequestStop(diverged);
            }
            Evaluation? val = validation is null || diverged is not null ? null : model.Evaluate(validation, options.ValidationBatchSize ?? options.BatchSize);
            bool classification = model.Spec.Loss != Loss.MeanSquaredError;
            var log = new EpochLog
            {
                Epoch = epoch,
                DataLoss = position.DataSum / seen,
                Penalties = Named(model.PenaltyNames, penaltySums.Select(s => s / seen)),
                Accuracy = classification ? position.CorrectSum / seen : null,
                ValDataLoss = val?.DataLoss,
                ValPenalties = val?.Penalties,
                ValAccuracy = val?.Accuracy,
                LearningRate = position.LearningRate,
                Seconds = position.Seconds + clock.Elapsed.TotalSeconds,
            };
            history.Add(log);
            if (diverged is not null)
            {
                // TerminateOnNaN: the epoch is logged and reported, but no callback sees it and nothing is written, so
                // no file and no kept "best" weights can hold the diverged state; OnTrainEnd still runs (EarlyStopping
                // restores its best weights).
                options.Progress?.Report(new TrainingProgress(epoch, options.Epochs, batches, batches, log.Loss, log));
                position.Epoch++;
                break;
            }
            foreach (Callback c in options.Callbacks)
            {
                c.OnEpochEnd(ctx, log);
            }
            options.Progress?.Report(new TrainingProgress(epoch, options.Epochs, batches, batches, log.Loss, log));
            if (options.Checkpoint is { } checkpoint && ((epoch + 1) % checkpoint.EveryEpochs == 0 || epoch + 1 == options.Epochs || ctx.StopRequested))
            {
                var next = new FitPosition(terms) { Epoch = epoch + 1 };
                Checkpoint.Write(checkpoint.Directory, model, options, history, next, batchSize, n, ctx.StopRequested ? history.StopReason : null);
            }
        }
        foreach (Callback c in options.Callbacks)
        {
            c.OnTrainEnd(ctx);
        }
        return history;
    }

    /// <summary>Trains on from the checkpoint in <paramref name="checkpointDirectory"/>: <see cref="Fit"/> with <see cref="FitOptions.ResumeFrom"/> set.</summary>
    public static History Resume(this IModel model, string checkpointDirectory, Dataset train, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        return model.Fit(train, options with { ResumeFrom = checkpointDirectory });
    }

    private static History Cancel(IModel model, FitOptions options, History history, FitPosition position, int batchSize, int trainCount)
    {
        string where = position.Batch == 0 ? $"before epoch {position.Epoch}" : $"in epoch {position.Epoch} before batch {position.Batch}";
        string saved = "";
        if (options.Checkpoint is { } checkpoint)
        {
            Checkpoint.Write(checkpoint.Directory, model, options, history, position, batchSize, trainCount, null);
            saved = $"; checkpoint written to {checkpoint.Directory}";
        }
        history.Cancelled = true;
        history.StopReason = $"Cancelled {where}{saved}.";
        return history;
    }

    /// <summary>Loss (data + penalties) and accuracy in inference mode over <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(this IModel model, Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckData(model, data, nameof(data));
        Guard.Positive(batchSize);
        int terms = model.PenaltyNames.Count;
        var penalties = new double[terms];
        var penaltySums = new double[terms];
        double dataSum = 0, correct = 0;
        int inputs = data.SampleSize, targetSize = data.TargetSize;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            var batch = new Batch(
                data.Features.Slice(start * inputs, count * inputs),
                data.HasLabels ? data.Labels.Slice(start, count) : default,
                data.HasLabels ? default : data.Targets.Slice(start * targetSize, count * targetSize),
                count);
            StepResult r = model.EvaluateBatch(batch, penalties);
            dataSum += r.DataLoss * count;
            correct += r.Correct;
            for (int t = 0; t < terms; t++)
            {
                // weight penalties are the same for every batch; activity penalties are batch means
                penaltySums[t] += penalties[t] * count;
            }
        }
        return new Evaluation(
            dataSum / data.Count,
            Named(model.PenaltyNames, penaltySums.Select(s => s / data.Count)),
            model.Spec.Loss == Loss.MeanSquaredError ? null : correct / data.Count,
            data.Count);
    }

    /// <summary>Inference outputs (probabilities, or logits with FromLogits) for every sample of <paramref name="x"/>.</summary>
    public static float[] Predict(this IModel model, ReadOnlySpan<float> x)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (x.Length % model.InputSize != 0)
        {
            throw new ShapeMismatchException($"{x.Length} values is not a whole number of samples of {model.InputSize} features.", nameof(x));
        }
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                throw new ArgumentException($"feature {i % model.InputSize} of sample {i / model.InputSize} is {x[i]}; inputs must be finite (impute or drop such samples).", nameof(x));
            }
        }
        var output = new float[x.Length / model.InputSize * model.OutputSize];
        model.Predict(x, output);
        return output;
    }

    /// <summary>Inference outputs for every sample of <paramref name="data"/>.</summary>
    public static float[] Predict(this IModel model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(model, data, nameof(data));
        return model.Predict(data.Features);
    }

    /// <summary>A copy of every parameter's values (Keras <c>get_weights</c>).</summary>
    public static float[][] GetWeights(this IModel model) => [.. model.Parameters.Select(p => p.Values.ToArray())];

    /// <summary>
    /// Overwrites every parameter (Keras <c>set_weights</c>); all shapes and values are checked before anything is
    /// written: a wrong count or length throws <see cref="ShapeMismatchException"/>, a NaN or ±∞ value
    /// <see cref="ArgumentException"/> naming the parameter and index.
    /// </summary>
    public static void SetWeights(this IModel model, IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != model.Parameters.Count)
        {
            throw new ShapeMismatchException($"{weights.Count} arrays for {model.Parameters.Count} parameters.", nameof(weights));
        }
        for (int i = 0; i < weights.Count; i++)
        {
            if (weights[i].Length != model.Parameters[i].Length)
            {
                throw new ShapeMismatchException($"{model.Parameters[i].Name} has {model.Parameters[i].Length} values, got {weights[i].Length}.", nameof(weights));
            }
            if (ModelState.IndexOfNonFinite(weights[i]) is int at and >= 0)
            {
                throw new ArgumentException($"{model.Parameters[i].Name}[{at}] is {weights[i][at]}; weights must be finite numbers.", nameof(weights));
            }
        }
        for (int i = 0; i < weights.Count; i++)
        {
            weights[i].CopyTo(model.Parameters[i].Values);
        }
    }

    /// <summary>Training order of epoch <paramref name="epoch"/>: identity, or a Fisher–Yates shuffle keyed by (seed, shuffle stream, epoch).</summary>
    public static void Order(Span<int> order, bool shuffle, long seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        if (!shuffle)
        {
            return;
        }
        ulong key = CounterRandom.Key(seed, RandomStreams.Shuffle, epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = CounterRandom.NextInt(key, i, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static void Gather(Dataset data, ReadOnlySpan<int> indices, float[] x, int[] labels, float[] targets)
    {
        int size = data.SampleSize, ts = data.TargetSize;
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            data.Sample(i).CopyTo(x.AsSpan(k * size));
            if (data.HasLabels)
            {
                labels[k] = data.Labels[i];
            }
            else
            {
                data.Targets.Slice(i * ts, ts).CopyTo(targets.AsSpan(k * ts));
            }
        }
    }

    private static Dictionary<string, double> Named(IReadOnlyList<string> names, IEnumerable<double> values) =>
        names.Zip(values).ToDictionary(p => p.First, p => p.Second);

    private static void CheckFeatures(IModel model, Dataset data, string name)
    {
        if (data.SampleSize != model.InputSize)
        {
            throw new ShapeMismatchException($"{name} has {data.SampleSize} features per sample; the model takes {model.InputSize}.", name);
        }
    }

    /// <summary>
    /// Checks that <paramref name="data"/> fits <paramref name="model"/> as <see cref="Fit"/> and <see cref="Evaluate"/>
    /// would, without running anything: at least one sample, the model's features per sample, targets of its output
    /// size or labels in its range. Throws <see cref="ArgumentException"/> (or <see cref="ShapeMismatchException"/>)
    /// naming <paramref name="name"/>, so a tool can validate every input before it writes any file.
    /// </summary>
    public static void EnsureFits(this IModel model, Dataset data, string name = "data")
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckData(model, data, name);
    }

    private static void CheckData(IModel model, Dataset data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        if (data.Count == 0)
        {
            throw new ArgumentException($"{name} is empty; training and evaluation need at least one sample.", name);
        }
        CheckFeatures(model, data, name);
        if (!data.HasLabels && data.TargetSize != model.OutputSize)
        {
            throw new ShapeMismatchException($"{name} has {data.TargetSize} target values per sample; the model outputs {model.OutputSize}.", name);
        }
        if (data.HasLabels)
        {
            CheckLabels(model, data.Labels, name);
        }
    }

    /// <summary>
    /// Checks every label up front, so that a bad label late in the data (or in the validation set) is
    /// reported before any training step has changed the model.
    /// </summary>
    private static void CheckLabels(IModel model, ReadOnlySpan<int> labels, string name)
    {
        Loss loss = model.Spec.Loss;
        int units = model.OutputSize;
        if (loss != Loss.CategoricalCrossEntropy && units != 1)
        {
            throw new ShapeMismatchException($"{name}: integer labels need one output unit for {loss}, the model has {units}; give float targets of {units} values per sample.", "labels");
        }
        if (loss == Loss.MeanSquaredError)
        {
            return;
        }
        int classes = loss == Loss.CategoricalCrossEntropy ? units : 2;
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException("labels", labels[i], $"{name}: label {labels[i]} of sample {i} is outside [0, {classes - 1}] for a model with {units} output unit(s) and {loss}.");
            }
        }
    }
}
