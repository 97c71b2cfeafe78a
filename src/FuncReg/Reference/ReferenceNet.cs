using System.Numerics;

namespace FuncReg;

/// <summary>The loss and its parts for one batch.</summary>
public readonly record struct LossBreakdown(double DataLoss, double PenaltyLoss, double Correct, int Count)
{
    /// <summary>Data loss plus every penalty term.</summary>
    public double Total => DataLoss + PenaltyLoss;
}

/// <summary>
/// The reference interpreter of a <see cref="Sequential"/>, generic in the number type so it runs in
/// float for training and in double for gradient checks. Plain loops, fresh arrays on every pass: the
/// executable specification that generated code and kernels are held to.
/// </summary>
public sealed class ReferenceNet<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly LayerRuntime<T>[] layers;
    private readonly LossHead head;
    private readonly List<(ParamTensor<T>? Param, LayerRuntime<T>? Layer)> penaltySources = [];
    private OptimizerSlots<T>[] slots = [];

    public ReferenceNet(Sequential spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        Seed = seed;
        layers = new LayerRuntime<T>[spec.Layers.Count];
        int paramIndex = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            string name = spec.LayerName(i);
            IReadOnlyList<int> shape = spec.ShapeAt(i);
            int features = spec.ShapeOf(i);
            LayerRuntime<T> rt = spec.Layers[i] switch
            {
                Dense d => new DenseRuntime<T>(i, name, features, d),
                ActivationLayer a => new ActivationRuntime<T>(i, name, features, a),
                Dropout or GaussianDropout or GaussianNoise => new NoiseRuntime<T>(i, name, features, spec.Layers[i]),
                BatchNormalization b => new BatchNormRuntime<T>(i, name, features, shape[^1], b),
                LayerNormalization l => new LayerNormRuntime<T>(i, name, features, shape[^1], l),
                Conv2D c => new Conv2DRuntime<T>(i, name, shape, c),
                Pooling2D p => new Pooling2DRuntime<T>(i, name, shape, p),
                GlobalAveragePooling2D => new GlobalAveragePoolingRuntime<T>(i, name, shape),
                Flatten => new FlattenRuntime<T>(i, name, features),
                SpatialDropout2D sd => new SpatialDropoutRuntime<T>(i, name, shape, sd),
                _ => throw new NotSupportedException($"layer {name} ({spec.Layers[i].GetType().Name}) has no reference implementation"),
            };
            if (rt is DenseRuntime<T> dr)
            {
                dr.Initialize(seed, paramIndex);
            }
            else if (rt is Conv2DRuntime<T> cr)
            {
                cr.Initialize(seed, paramIndex);
            }
            paramIndex += rt.Parameters.Count;
            layers[i] = rt;
            foreach (ParamTensor<T> p in rt.Parameters.Where(p => p.Regularizer is not null))
            {
                penaltySources.Add((p, null));
            }
            if (rt.Activity is not null)
            {
                penaltySources.Add((null, rt));
            }
        }
        Parameters = [.. layers.SelectMany(l => l.Parameters)];
        PenaltyNames = [.. penaltySources.Select(s => s.Param?.Name ?? $"{s.Layer!.Name}.activity")];
        ModelRules.CheckFromLogits(spec);
        head = ModelRules.HeadOf(spec);
        layers[^1].FusedOutput = head != LossHead.Generic;
    }

    public Sequential Spec { get; }

    public long Seed { get; }

    public int Inputs => Spec.Inputs;

    public int Outputs => layers[^1].Outputs;

    /// <summary>All parameters in layer order (kernel, bias, gamma, beta, moving statistics).</summary>
    public IReadOnlyList<ParamTensor<T>> Parameters { get; }

    /// <summary>Names of the penalty terms, in the order <see cref="Loss"/> writes them.</summary>
    public IReadOnlyList<string> PenaltyNames { get; }

    /// <summary>The layers' runtimes, for tests that need to look inside a pass.</summary>
    internal IReadOnlyList<LayerRuntime<T>> Runtimes => layers;

    /// <summary>Optimizer moments per parameter (empty until <see cref="ResetOptimizer"/>).</summary>
    public IReadOnlyList<OptimizerSlots<T>> OptimizerSlots => slots;

    /// <summary>Optimizer steps applied so far.</summary>
    public long Iterations { get; set; }

    /// <summary>Forward pass; returns the model's outputs (probabilities, or logits with FromLogits).</summary>
    public T[] Forward(ReadOnlySpan<T> x, int n, ForwardContext ctx)
    {
        if (n <= 0 || x.Length != n * Inputs)
        {
            ModelRules.CheckBatch(Spec, Outputs, n, x.Length, [], n * Outputs);
        }
        T[] a = x.ToArray();
        foreach (LayerRuntime<T> l in layers)
        {
            a = l.Forward(a, n, ctx);
        }
        return a;
    }

    /// <summary>
    /// Forward pass, data loss, every penalty term (written to <paramref name="penalties"/> in
    /// <see cref="PenaltyNames"/> order) and, when <paramref name="gradients"/>, the gradient of the
    /// total loss in each parameter's <see cref="ParamTensor{T}.Grad"/>.
    /// </summary>
    public LossBreakdown Loss(ReadOnlySpan<T> x, Targets<T> targets, int n, ForwardContext ctx, Span<double> penalties, bool gradients)
    {
        ModelRules.CheckBatch(Spec, Outputs, n, x.Length, targets.Labels, targets.Values.Length);
        T[] output = Forward(x, n, ctx);
        int units = Outputs;
        T[] dOut = gradients ? new T[output.Length] : [];
        double smoothing = Spec.LabelSmoothing;
        double data = head switch
        {
            LossHead.SoftmaxLogits => LossFunctions.SoftmaxCrossEntropy(layers[^1].PreActivation!, targets, units, smoothing, dOut),
            LossHead.SigmoidLogits => LossFunctions.SigmoidBinaryCrossEntropy(layers[^1].PreActivation!, targets, units, smoothing, dOut),
            _ => Spec.Loss switch
            {
                FuncReg.Loss.CategoricalCrossEntropy => LossFunctions.CategoricalCrossEntropy<T>(output, targets, units, smoothing, dOut),
                FuncReg.Loss.BinaryCrossEntropy => LossFunctions.BinaryCrossEntropy<T>(output, targets, units, smoothing, dOut),
                _ => LossFunctions.MeanSquaredError<T>(output, targets, units, dOut),
            },
        };
        double correct = LossFunctions.CorrectCount<T>(Spec.Loss, output, targets, units, Spec.FromLogits);
        double penaltyTotal = 0;
        for (int i = 0; i < penaltySources.Count; i++)
        {
            var (p, l) = penaltySources[i];
            double v = p is not null ? p.Regularizer!.Penalty<T>(p.Values) : l!.Activity!.Penalty<T>(l.LastOutput) / n;
            penaltyTotal += v;
            if (i < penalties.Length)
            {
                penalties[i] = v;
            }
        }
        if (gradients)
        {
            foreach (ParamTensor<T> p in Parameters)
            {
                Array.Clear(p.Grad);
            }
            T[] d = dOut;
            for (int i = layers.Length - 1; i >= 0; i--)
            {
                d = layers[i].Backward(d, n);
            }
            foreach (ParamTensor<T> p in Parameters)
            {
                p.Regularizer?.AddGradient<T>(p.Values, p.Grad);
            }
        }
        return new LossBreakdown(data, penaltyTotal, correct, n);
    }

    /// <summary>Creates zeroed moments for <paramref name="optimizer"/> and resets the step count.</summary>
    public void ResetOptimizer(Optimizer optimizer)
    {
        optimizer.Validate();
        slots = [.. Parameters.Select(p => new OptimizerSlots<T>(p.Trainable ? optimizer.SlotCount : 0, p.Values.Length))];
        Iterations = 0;
    }

    /// <summary>One optimizer step on the gradients in place (steps 1–5 of <see cref="Optimizer"/>).</summary>
    public void ApplyGradients(Optimizer optimizer, double learningRate)
    {
        if (slots.Length != Parameters.Count)
        {
            ResetOptimizer(optimizer);
        }
        Iterations++;
        double globalScale = 1.0;
        if (optimizer.GlobalClipNorm is { } gc)
        {
            double sq = 0;
            foreach (ParamTensor<T> p in Parameters.Where(p => p.Trainable))
            {
                sq += OptimizerOps.SquaredNorm<T>(p.Grad);
            }
            globalScale = OptimizerOps.ClipScale(Math.Sqrt(sq), gc);
        }
        for (int i = 0; i < Parameters.Count; i++)
        {
            ParamTensor<T> p = Parameters[i];
            if (!p.Trainable)
            {
                continue;
            }
            bool decays = optimizer.DecayAllParameters || p.Role == ParameterRole.Kernel;
            OptimizerOps.Update<T>(optimizer, learningRate, Iterations, p.Values, p.Grad, slots[i], decays, globalScale);
            p.Constraint?.Apply<T>(p.Values, p.Rows, p.Columns);
        }
    }

}
