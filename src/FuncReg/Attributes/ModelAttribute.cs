namespace FuncReg;

/// <summary>
/// Declares a model on a <c>partial class</c>: the FuncReg source generator reads this attribute and the
/// layer attributes that follow it in source order (<see cref="DenseAttribute"/>, <see cref="DropoutAttribute"/>,
/// <see cref="Conv2DAttribute"/>…) and emits the class's <c>Spec</c> (the same <see cref="Sequential"/> that
/// <see cref="Sequential.Of(int, Layer[])"/> or <see cref="Sequential.Of(FuncReg.InputShape, Loss, Layer[])"/> would
/// build), a constructor taking a seed and the <see cref="IModel"/> members. Give <see cref="Inputs"/> for feature
/// vectors or <see cref="InputShape"/> for images, not both.
/// <code>
/// [Model(Inputs = 784, Loss = Loss.CategoricalCrossEntropy)]
/// [Dense(256, Activation.Relu, L2 = 1e-4)]
/// [Dropout(0.3)]
/// [Dense(10, Activation.Softmax)]
/// public partial class FashionMlp;
///
/// [Model(InputShape = new[] { 28, 28, 1 }, Loss = Loss.CategoricalCrossEntropy)]
/// [Conv2D(32, 3, Activation.Relu, Padding = Padding.Same)]
/// [MaxPooling2D(2)]
/// [Flatten]
/// [Dense(10, Activation.Softmax)]
/// public partial class SmallCnn;
/// </code>
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>Features per sample, ≥ 1, for a model of feature vectors. Give this or <see cref="InputShape"/>.</summary>
    public int Inputs { get; set; }

    /// <summary>
    /// Shape of one image sample, channels last: <c>new[] { height, width, channels }</c>, three integers ≥ 1 (the
    /// <see cref="FuncReg.InputShape"/> of the model). Give this or <see cref="Inputs"/>.
    /// </summary>
    public int[]? InputShape { get; set; }

    /// <summary>
    /// The training loss. When not given it is inferred from the last activation as
    /// <see cref="Sequential.Of(int, Layer[])"/> does: softmax → categorical cross-entropy,
    /// sigmoid → binary cross-entropy, anything else → mean squared error.
    /// </summary>
    public Loss Loss { get; set; }

    /// <summary>The last layer emits logits and the loss applies softmax/sigmoid (Keras <c>from_logits=True</c>); see <see cref="Sequential.FromLogits"/>.</summary>
    public bool FromLogits { get; set; }

    /// <summary>Label smoothing s ∈ [0, 1] for the cross-entropy losses; see <see cref="Sequential.LabelSmoothing"/>.</summary>
    public double LabelSmoothing { get; set; }
}
