using FuncReg.Properties.Support;

namespace FuncReg.Properties.Gens;

/// <summary>Which loss function of <see cref="LossFunctions"/> a case exercises.</summary>
internal enum LossKind
{
    SoftmaxCrossEntropy,
    CategoricalCrossEntropy,
    SigmoidBinaryCrossEntropy,
    BinaryCrossEntropy,
    MeanSquaredError,
}

/// <summary>
/// One loss evaluation: inputs [rows × units] (logits, probabilities or outputs by kind), and either
/// integer labels (<see cref="Labels"/> non-empty) or float target rows.
/// </summary>
internal sealed record LossCase(LossKind Kind, int Rows, int Units, double Smoothing, double[] Input, int[] Labels, double[] Values)
{
    public override string ToString() => Dump.Of(this);

    public double Evaluate(double[] input, Span<double> grad)
    {
        var t = new Targets<double>(Labels, Values);
        return Kind switch
        {
            LossKind.SoftmaxCrossEntropy => LossFunctions.SoftmaxCrossEntropy<double>(input, t, Units, Smoothing, grad),
            LossKind.CategoricalCrossEntropy => LossFunctions.CategoricalCrossEntropy<double>(input, t, Units, Smoothing, grad),
            LossKind.SigmoidBinaryCrossEntropy => LossFunctions.SigmoidBinaryCrossEntropy<double>(input, t, Units, Smoothing, grad),
            LossKind.BinaryCrossEntropy => LossFunctions.BinaryCrossEntropy<double>(input, t, Units, Smoothing, grad),
            _ => LossFunctions.MeanSquaredError<double>(input, t, Units, grad),
        };
    }
}

/// <summary>Loss inputs kept away from the clip bounds ε and 1 − ε; labels or (soft) target rows; label smoothing on or off.</summary>
internal static class LossGens
{
    public static Gen<double> Smoothing => Gen.OneOf(Gen.Constant(0.0), TensorGens.Uniform(0, 0.3));

    public static Gen<LossCase> Any => Gen.OneOf(Softmax, Categorical, Sigmoid, Binary, Mse);

    /// <summary>Softmax CE from logits in [−5, 5]: labels, or soft rows.</summary>
    public static Gen<LossCase> Softmax =>
        from rows in Gen.Choose(1, 4)
        from k in Gen.Choose(2, 5)
        from s in Smoothing
        from z in TensorGens.Values(rows * k, 5.0)
        from useLabels in Gen.Elements(true, false)
        from labels in Gen.Choose(0, k - 1).ArrayOf(useLabels ? rows : 0)
        from values in useLabels ? Gen.Constant(Array.Empty<double>()) : SoftRows(rows, k)
        select new LossCase(LossKind.SoftmaxCrossEntropy, rows, k, s, z, labels, values);

    /// <summary>CCE from unnormalized probabilities in [0.05, 1]: after renormalization every entry is in (0.01, 0.96), far from the clip.</summary>
    public static Gen<LossCase> Categorical =>
        from rows in Gen.Choose(1, 4)
        from k in Gen.Choose(2, 5)
        from s in Smoothing
        from p in TensorGens.Vector(rows * k, TensorGens.Uniform(0.05, 1.0))
        from useLabels in Gen.Elements(true, false)
        from labels in Gen.Choose(0, k - 1).ArrayOf(useLabels ? rows : 0)
        from values in useLabels ? Gen.Constant(Array.Empty<double>()) : SoftRows(rows, k)
        select new LossCase(LossKind.CategoricalCrossEntropy, rows, k, s, p, labels, values);

    public static Gen<LossCase> Sigmoid =>
        from rows in Gen.Choose(1, 4)
        from units in Gen.Choose(1, 3)
        from s in Smoothing
        from z in TensorGens.Values(rows * units, 6.0)
        from useLabels in Gen.Elements(units == 1, false)
        from labels in Gen.Choose(0, 1).ArrayOf(useLabels ? rows : 0)
        from values in useLabels ? Gen.Constant(Array.Empty<double>()) : TensorGens.Vector(rows * units, TensorGens.Uniform(0, 1))
        select new LossCase(LossKind.SigmoidBinaryCrossEntropy, rows, units, s, z, labels, values);

    public static Gen<LossCase> Binary =>
        from rows in Gen.Choose(1, 4)
        from units in Gen.Choose(1, 3)
        from s in Smoothing
        from p in TensorGens.Vector(rows * units, TensorGens.Uniform(0.01, 0.99))
        from useLabels in Gen.Elements(units == 1, false)
        from labels in Gen.Choose(0, 1).ArrayOf(useLabels ? rows : 0)
        from values in useLabels ? Gen.Constant(Array.Empty<double>()) : TensorGens.Vector(rows * units, TensorGens.Uniform(0, 1))
        select new LossCase(LossKind.BinaryCrossEntropy, rows, units, s, p, labels, values);

    public static Gen<LossCase> Mse =>
        from rows in Gen.Choose(1, 4)
        from units in Gen.Choose(1, 3)
        from y in TensorGens.Values(rows * units, 3.0)
        from t in TensorGens.Values(rows * units, 3.0)
        select new LossCase(LossKind.MeanSquaredError, rows, units, 0.0, y, [], t);

    /// <summary>Rows that are one-hot, or normalized soft distributions, or unnormalized non-negative weights.</summary>
    private static Gen<double[]> SoftRows(int rows, int k) =>
        from kind in Gen.Choose(0, 2)
        from raw in TensorGens.SoftRow(rows * k)
        from hot in Gen.Choose(0, k - 1).ArrayOf(rows)
        select kind switch
        {
            0 => [.. Enumerable.Range(0, rows * k).Select(i => i % k == hot[i / k] ? 1.0 : 0.0)],
            1 => Normalize(raw, k),
            _ => raw,
        };

    private static double[] Normalize(double[] raw, int k)
    {
        var r = (double[])raw.Clone();
        for (int o = 0; o < r.Length; o += k)
        {
            double s = 1e-12;
            for (int j = 0; j < k; j++)
            {
                s += r[o + j];
            }
            for (int j = 0; j < k; j++)
            {
                r[o + j] /= s;
            }
        }
        return r;
    }
}
