namespace FuncReg;

/// <summary>
/// A whole model as records: the input shape, the layers in order and the loss. Built at run time with
/// <see cref="Of(int, Layer[])"/> (feature vectors) or <see cref="Of(InputShape, Layer[])"/> (e.g. images
/// [h, w, c], channels last), or emitted by the source generator as <c>YourModel.Spec</c>. Each layer's
/// output shape is inferred from its input shape (<see cref="ShapeAt"/>); a layer that does not fit its input
/// is rejected with a message naming it and the fix.
/// Two specs are equal when their input shapes, loss settings and layer records are equal, in order.
/// </summary>
public sealed record Sequential
{
    private readonly Layer[] layers;
    private readonly int[] inputShape;
    private int[][]? shapes;

    private Sequential(int[] inputShape, Layer[] layers, Loss loss)
    {
        this.inputShape = inputShape;
        Inputs = new InputShape(inputShape).Size;
        this.layers = layers;
        Loss = loss;
    }

    /// <summary>Values per sample (the product of <see cref="InputShape"/>), ≥ 1.</summary>
    public int Inputs { get; }

    /// <summary>Shape of one input sample: [features], or [height, width, channels] for images.</summary>
    public IReadOnlyList<int> InputShape => inputShape;

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => layers;

    public Loss Loss { get; init; }

    /// <summary>
    /// The last layer emits logits (linear activation) and the loss applies softmax/sigmoid itself,
    /// as Keras's <c>from_logits=True</c>. Predictions are then logits too.
    /// </summary>
    public bool FromLogits { get; init; }

    /// <summary>Label smoothing s ∈ [0, 1] for cross-entropy losses; see <see cref="FuncReg.Loss"/>.</summary>
    public double LabelSmoothing { get; init => field = Guard.UnitInterval(value, nameof(LabelSmoothing)); }

    /// <summary>Output units of the model.</summary>
    public int Outputs => ShapeOf(layers.Length);

    /// <summary>
    /// A model of <paramref name="inputs"/> features through <paramref name="layers"/>. The loss is
    /// inferred from the last activation: softmax → categorical cross-entropy, sigmoid → binary
    /// cross-entropy, anything else → mean squared error; override it with <c>with { Loss = … }</c>
    /// or the overload that takes one.
    /// </summary>
    public static Sequential Of(int inputs, params Layer[] layers) => Of([Guard.Positive(inputs, nameof(inputs))], layers);

    /// <summary>A model of <paramref name="inputShape"/> samples (e.g. <c>new InputShape(28, 28, 1)</c>); the loss is inferred as <see cref="Of(int, Layer[])"/>.</summary>
    public static Sequential Of(InputShape inputShape, params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return Of(inputShape.ToArray(), layers);
    }

    /// <summary>A model of <paramref name="inputShape"/> samples with an explicit loss.</summary>
    public static Sequential Of(InputShape inputShape, Loss loss, params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return Of(inputShape.ToArray(), loss, layers);
    }

    /// <summary>A model of samples of shape <paramref name="inputShape"/> (e.g. <c>[28, 28, 1]</c>); the loss is inferred as <see cref="Of(int, Layer[])"/>.</summary>
    public static Sequential Of(int[] inputShape, params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        Layer? last = layers.LastOrDefault(l => l is Dense or ActivationLayer);
        Activation a = last switch
        {
            Dense d => d.Activation,
            ActivationLayer al => al.Function,
            _ => Activation.Linear,
        };
        Loss loss = a switch
        {
            Activation.Softmax => Loss.CategoricalCrossEntropy,
            Activation.Sigmoid => Loss.BinaryCrossEntropy,
            _ => Loss.MeanSquaredError,
        };
        return Of(inputShape, loss, layers);
    }

    /// <summary>A model with an explicit loss.</summary>
    public static Sequential Of(int inputs, Loss loss, params Layer[] layers) => Of([Guard.Positive(inputs, nameof(inputs))], loss, layers);

    /// <summary>A model of samples of shape <paramref name="inputShape"/> with an explicit loss.</summary>
    public static Sequential Of(int[] inputShape, Loss loss, params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(layers);
        var s = new Sequential(new InputShape(inputShape).ToArray(), [.. layers], loss);
        s.Validate();
        return s;
    }

    /// <summary>The interpreted model of this spec (same as <see cref="Reference.Build"/>).</summary>
    public ReferenceModel Build(long seed = 0) => new(this, seed);

    /// <summary>Keras-style name of layer <paramref name="index"/>: <c>{kind}_{index}</c>.</summary>
    public string LayerName(int index) => $"{layers[index].Kind}_{index}";

    /// <summary>Values per sample entering layer <paramref name="index"/> (index = count gives the output size): the product of <see cref="ShapeAt"/>.</summary>
    public int ShapeOf(int index) => ShapeAt(index).Aggregate(1, (a, b) => checked(a * b));

    /// <summary>
    /// Per-sample shape entering layer <paramref name="index"/> (index = count gives the model's output shape),
    /// inferred layer by layer; throws <see cref="ArgumentException"/> naming the first layer that does not fit.
    /// </summary>
    public IReadOnlyList<int> ShapeAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, layers.Length);
        return Shapes()[index];
    }

    /// <summary>The output shape of every layer, in order.</summary>
    public IReadOnlyList<IReadOnlyList<int>> OutputShapes => [.. Shapes().Skip(1)];

    private int[][] Shapes()
    {
        if (shapes is { } known)
        {
            return known;
        }
        var all = new int[layers.Length + 1][];
        all[0] = inputShape;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is null)
            {
                throw new ArgumentNullException(nameof(Layers), $"layer {i} is null");
            }
            string name = LayerName(i);
            all[i + 1] = layers[i].OutputShape(all[i], name);
            layers[i].CheckSizes(all[i], all[i + 1], name);
            TensorLimits.Check($"{name}: an output", all[i + 1], "values per sample", "make the layer smaller");
        }
        return shapes = all;
    }

    /// <summary>
    /// Checks the whole model; throws <see cref="ArgumentException"/> naming the layer and the fix. Besides the shapes and
    /// the loss, every tensor the model needs must fit <see cref="TensorLimits.MaxElements"/> (2,147,483,591) values: a
    /// sample at each layer, each parameter tensor and each convolution or pooling window (see <see cref="TensorLimits"/>).
    /// </summary>
    public void Validate()
    {
        if (layers.Length == 0)
        {
            throw new ArgumentException("A model needs at least one layer.", nameof(Layers));
        }
        Shapes();
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is null)
            {
                throw new ArgumentNullException(nameof(Layers), $"layer {i} is null");
            }
            bool softmax = layers[i] is Dense { Activation: Activation.Softmax } or ActivationLayer { Function: Activation.Softmax };
            if (softmax && i != layers.Length - 1)
            {
                throw new ArgumentException($"{LayerName(i)}: softmax is only allowed on the last layer; use relu (or another element-wise activation) for hidden layers.", nameof(Layers));
            }
        }
        Activation last = layers[^1] switch
        {
            Dense d => d.Activation,
            ActivationLayer a => a.Function,
            _ => Activation.Linear,
        };
        int outputs = Outputs;
        if (FromLogits && last != Activation.Linear)
        {
            throw new ArgumentException($"FromLogits needs a linear last layer, but it is {last}: drop the activation or set FromLogits = false.", nameof(FromLogits));
        }
        if (Loss == Loss.CategoricalCrossEntropy && outputs < 2)
        {
            throw new ArgumentException($"categorical cross-entropy needs ≥ 2 output units, the model has {outputs}; use BinaryCrossEntropy with a sigmoid unit.", nameof(Loss));
        }
        if (Loss == Loss.CategoricalCrossEntropy && last == Activation.Sigmoid)
        {
            throw new ArgumentException("categorical cross-entropy with a sigmoid output: use a softmax output (or BinaryCrossEntropy for independent labels).", nameof(Loss));
        }
        if (Loss == Loss.BinaryCrossEntropy && last == Activation.Softmax)
        {
            throw new ArgumentException("binary cross-entropy with a softmax output: use a sigmoid output, or CategoricalCrossEntropy.", nameof(Loss));
        }
    }

    public bool Equals(Sequential? other) =>
        other is not null && inputShape.AsSpan().SequenceEqual(other.inputShape) && Loss == other.Loss && FromLogits == other.FromLogits &&
        LabelSmoothing.Equals(other.LabelSmoothing) && layers.AsSpan().SequenceEqual(other.layers);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in inputShape)
        {
            h.Add(d);
        }
        h.Add(Loss);
        h.Add(FromLogits);
        h.Add(LabelSmoothing);
        foreach (Layer l in layers)
        {
            h.Add(l);
        }
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"Sequential({string.Join("×", inputShape)} → {string.Join(" → ", layers.Select(l => l.ToString()))}; {Loss})";
}

/// <summary>Entry point of the reference interpreter.</summary>
public static class Reference
{
    /// <summary>The interpreted, allocating model of <paramref name="spec"/>: the executable specification.</summary>
    public static ReferenceModel Build(Sequential spec, long seed = 0) => new(spec, seed);
}
