namespace FuncReg;

/// <summary>Result of <see cref="Trainer.Evaluate"/>: inference-mode loss (data + penalties) and accuracy.</summary>
public sealed record Evaluation(double DataLoss, IReadOnlyDictionary<string, double> Penalties, double? Accuracy, int Count)
{
    /// <summary>Data loss + every penalty term, as Keras's <c>evaluate</c> reports.</summary>
    public double Loss => DataLoss + Penalties.Values.Sum();
}
