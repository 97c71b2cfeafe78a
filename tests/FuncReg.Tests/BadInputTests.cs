namespace FuncReg.Tests;

/// <summary>Every bad input gets a typed exception that names the argument and what is allowed, and changes nothing.</summary>
public class BadInputTests
{
    private static readonly Dataset Blobs = TestData.Blobs(features: 2, classes: 2, perClass: 20);

    private static void AssertNames(ArgumentException e, string param, params string[] fragments)
    {
        Assert.Equal(param, e.ParamName);
        foreach (string f in fragments)
        {
            Assert.Contains(f, e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Dropout_rate_outside_0_1(double rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate));
        AssertNames(e, "Rate", "[0, 1)");
        Assert.Equal(rate, e.ActualValue);
    }

    [Fact]
    public void Dropout_rate_in_range_is_accepted()
    {
        Assert.Equal(0.0, new Dropout(0).Rate);
        Assert.Equal(0.99, new Dropout(0.99).Rate);
    }

    [Fact]
    public void Negative_penalty()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L2(-1)), "L2Factor", "≥ 0", "-1");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L1(-1e-3)), "L1Factor", "≥ 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L1L2(0, double.PositiveInfinity)), "L2Factor", "finite");
    }

    [Fact]
    public void Negative_patience()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { Patience = -1 }), "Patience", "≥ 0", "-1");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau { Patience = -1 }), "Patience", "≥ 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { StartFromEpoch = -2 }), "StartFromEpoch", "≥ 0");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Learning_rate_not_positive(double lr)
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(lr)), "LearningRate", "> 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(lr)), "LearningRate", "> 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(lr)), "LearningRate", "> 0");
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => model.LearningRate = lr), "LearningRate", "> 0");
    }

    [Fact]
    public void Optimizer_hyperparameters_out_of_range()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { Momentum = 1.0 }), "Momentum", "[0, 1)");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { Beta1 = -0.1 }), "Beta1", "[0, 1)");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1)), "WeightDecay", "≥ 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new SGD { ClipNorm = 0 }), "ClipNorm", "> 0");
    }

    [Fact]
    public void Dense_with_zero_units()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0)), "Units", "≥ 1", "0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(-3, Activation.Relu)), "Units", "≥ 1");
    }

    [Fact]
    public void Softmax_on_a_hidden_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(2, new Dense(4, Activation.Softmax), new Dense(2, Activation.Softmax)));
        AssertNames(e, "Layers", "dense_0", "softmax", "last layer");
    }

    [Fact]
    public void Categorical_cross_entropy_with_one_output_unit()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Of(2, Loss.CategoricalCrossEntropy, new Dense(4, Activation.Relu), new Dense(1)));
        AssertNames(e, "Loss", "≥ 2 output units", "has 1");
    }

    [Fact]
    public void From_logits_with_a_sigmoid_output()
    {
        Sequential spec = Sequential.Of(2, new Dense(1, Activation.Sigmoid)) with { FromLogits = true };
        var e = Assert.Throws<ArgumentException>(() => Reference.Build(spec, seed: 1));
        AssertNames(e, "FromLogits", "linear", "Sigmoid");
        e = Assert.Throws<ArgumentException>(spec.Validate);
        AssertNames(e, "FromLogits", "linear");
    }

    [Fact]
    public void Label_smoothing_outside_unit_interval()
    {
        Sequential spec = TestData.SmallClassifier();
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => spec with { LabelSmoothing = 1.5 }), "LabelSmoothing", "[0, 1]");
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Dataset_with_non_finite_features(float bad, string shown)
    {
        float[] x = [0, 1, 2, 3, 4, 5];
        x[3] = bad;
        var e = Assert.Throws<ArgumentException>(() => Dataset.From(x, [0, 1, 0], [2]));
        AssertNames(e, "features", "feature 1 of sample 1", shown, "finite");
    }

    [Fact]
    public void Dataset_with_non_finite_targets()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.From([0, 1, 2], [0.5f, float.NaN, 1], [1], targetSize: 1));
        AssertNames(e, "targets", "sample 1", "finite");
    }

    [Fact]
    public void Dataset_with_mismatched_lengths()
    {
        AssertNames(Assert.Throws<ShapeMismatchException>(() => Dataset.From([0, 1, 2, 3, 4], [0, 1], [2])), "features", "5 feature values", "2 values");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => Dataset.From([0, 1, 2, 3], [0, 1, 1], [2])), "labels", "2 samples", "3 labels");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => Dataset.From([0, 1, 2, 3], [0f, 1, 1], [2], targetSize: 2)), "targets", "need 4", "got 3");
        AssertNames(Assert.Throws<ArgumentException>(() => Dataset.From([0, 1], [0], [0])), "sampleShape", "≥ 1");
    }

    [Fact]
    public void Empty_dataset_to_fit()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        Dataset empty = Dataset.From([], Array.Empty<int>(), [2]);
        float[][] before = model.GetWeights();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(empty, new FitOptions()));
        AssertNames(e, "train", "empty", "at least one sample");
        AssertNames(Assert.Throws<ArgumentException>(() => model.Evaluate(empty)), "data", "empty");
        AssertNames(Assert.Throws<ArgumentException>(() => model.Fit(Blobs, new FitOptions { Validation = empty })), "Validation", "empty");
        Assert.True(TestData.SameBits(before, model.GetWeights()));
    }

    [Theory]
    [InlineData(10, "[0, 9]")]
    [InlineData(-1, "[0, 9]")]
    public void Label_out_of_range_for_categorical(int label, string range)
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(10, Activation.Softmax)), seed: 1);
        Dataset data = Dataset.From(new float[8], [0, 3, 9, label], [2]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, new FitOptions { BatchSize = 2 }));
        AssertNames(e, "labels", $"label {label}", range);
        Assert.Equal(label, e.ActualValue);
    }

    [Fact]
    public void Label_2_for_binary_cross_entropy()
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(1, Activation.Sigmoid)), seed: 1);
        Dataset data = Dataset.From(new float[6], [0, 1, 2], [2]);
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, new FitOptions())), "labels", "label 2", "[0, 1]");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(data)), "labels", "[0, 1]");
    }

    [Fact]
    public void Bad_label_in_a_late_batch_is_rejected_before_any_update()
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(3, Activation.Softmax)), seed: 1);
        var x = new float[40];
        int[] y = [.. Enumerable.Range(0, 20).Select(i => i == 19 ? 3 : i % 3)];
        float[][] before = model.GetWeights();
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(Dataset.From(x, y, [2]), new FitOptions { BatchSize = 4, Shuffle = false, Optimizer = new SGD(0.1) }));
        Assert.True(TestData.SameBits(before, model.GetWeights()), "weights changed before the bad label was reported");
        Assert.Equal(0, model.Step);
    }

    [Fact]
    public void Bad_label_in_validation_data_is_rejected_before_training()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        Dataset validation = Dataset.From(new float[4], [0, 5], [2]);
        float[][] before = model.GetWeights();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(Blobs, new FitOptions { Validation = validation }));
        Assert.Contains("[0, 1]", e.Message, StringComparison.Ordinal);
        Assert.True(TestData.SameBits(before, model.GetWeights()), "training ran before the validation labels were checked");
    }

    [Fact]
    public void Features_of_the_wrong_width()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        Dataset wide = Dataset.From(new float[9], [0, 1, 0], [3]);
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.Fit(wide, new FitOptions())), "train", "3 features", "takes 2");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.Fit(Blobs, new FitOptions { Validation = wide })), "Validation", "3 features");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.Evaluate(wide)), "data", "3 features");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.Predict(wide)), "data", "takes 2");
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.Predict(new float[5])), "x", "5 values", "2 features");
    }

    [Fact]
    public void Targets_of_the_wrong_width()
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(2)), seed: 1);
        Dataset data = Dataset.From(new float[4], new float[6], [2], targetSize: 3);
        var e = Assert.Throws<ShapeMismatchException>(() => model.Fit(data, new FitOptions()));
        AssertNames(e, "train", "3 target values", "outputs 2");
    }

    [Fact]
    public void Integer_labels_for_a_multi_output_regression()
    {
        var model = Reference.Build(Sequential.Of(2, new Dense(2)), seed: 1);
        float[][] before = model.GetWeights();
        var e = Assert.Throws<ShapeMismatchException>(() => model.Fit(Dataset.From(new float[4], [0, 1], [2]), new FitOptions()));
        AssertNames(e, "labels", "one output unit");
        Assert.True(TestData.SameBits(before, model.GetWeights()));
    }

    [Fact]
    public void Validation_and_validation_split_together()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Blobs, new FitOptions { Validation = Blobs, ValidationSplit = 0.2 }));
        AssertNames(e, "options", "Validation", "ValidationSplit", "not both");
    }

    [Fact]
    public void Validation_split_out_of_range()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = 1.5 }), "ValidationSplit", "[0, 1)");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = 1.0 }), "ValidationSplit", "[0, 1)");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { ValidationSplit = -0.1 }), "ValidationSplit", "[0, 1)");
    }

    [Theory]
    [InlineData("early")]
    [InlineData("plateau")]
    [InlineData("checkpoint")]
    public void Monitoring_val_metrics_without_validation_fails_before_training(string which)
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        float[][] before = model.GetWeights();
        Callback callback = which switch
        {
            "early" => new EarlyStopping { Monitor = "val_loss" },
            "plateau" => new ReduceLROnPlateau { Monitor = "val_accuracy" },
            _ => new ModelCheckpoint(Path.Combine(Path.GetTempPath(), $"funcreg-never-{Guid.NewGuid():N}.safetensors")),
        };
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Blobs, new FitOptions { Epochs = 2, Callbacks = [callback] }));
        AssertNames(e, "Validation", "no validation data", "ValidationSplit");
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void Validation_split_leaving_an_empty_part()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        Dataset three = Dataset.From(new float[6], [0, 1, 0], [2]);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(three, new FitOptions { ValidationSplit = 0.2 }));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_options_out_of_range()
    {
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { Epochs = 0 }), "Epochs", "≥ 1");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { BatchSize = 0 }), "BatchSize", "≥ 1");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new FitOptions { InitialEpoch = -1 }), "InitialEpoch", "≥ 0");
    }

    [Fact]
    public void Two_clip_kinds_at_once()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        float[][] before = model.GetWeights();
        var options = new FitOptions { Optimizer = new SGD(0.1) { ClipNorm = 1, ClipValue = 0.5 } };
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Blobs, options));
        Assert.Contains("at most one of ClipValue, ClipNorm and GlobalClipNorm", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.ParamName);
        Assert.True(TestData.SameBits(before, model.GetWeights()));
        Assert.Throws<ArgumentException>(() => model.Optimizer = new Adam { ClipValue = 1, GlobalClipNorm = 1 });
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(0.0)]
    public void Reduce_lr_factor_outside_0_1(double factor)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau { Factor = factor });
        AssertNames(e, "Factor", "(0, 1)");
    }

    [Fact]
    public void Set_weights_of_the_wrong_shape()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        float[][] w = model.GetWeights();
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.SetWeights(w[..^1])), "weights", "3 arrays", "4 parameters");
        w[2] = new float[3];
        float[][] before = model.GetWeights();
        w[0] = new float[w[0].Length];
        AssertNames(Assert.Throws<ShapeMismatchException>(() => model.SetWeights(w)), "weights", "dense_1.kernel");
        Assert.True(TestData.SameBits(before, model.GetWeights()), "SetWeights wrote some arrays before rejecting the shapes");
    }

    [Fact]
    public void Non_finite_inputs_to_predict()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Predict([0f, 1f, 2f, float.NaN]));
        AssertNames(e, "x", "feature 1 of sample 1", "NaN", "finite");
        AssertNames(Assert.Throws<ArgumentException>(() => model.Predict([float.NegativeInfinity, 1f])), "x", "-Infinity");
    }

    [Fact]
    public void Other_out_of_range_arguments()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(Blobs, batchSize: 0)), "batchSize", "≥ 1");
        AssertNames(Assert.Throws<ArgumentException>(() => new ModelCheckpoint(" ")), "path", "empty");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau { Cooldown = -1 }), "Cooldown", "≥ 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau { MinLearningRate = -1 }), "MinLearningRate", "≥ 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new MaxNorm(0)), "MaxValue", "> 0");
        AssertNames(Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianDropout(1)), "Rate", "[0, 1)");
    }

    [Fact]
    public void Monitoring_a_metric_that_is_not_logged()
    {
        var model = Reference.Build(TestData.SmallClassifier(), seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(Blobs, new FitOptions { Validation = Blobs, Callbacks = [new EarlyStopping { Monitor = "val_auc" }] }));
        Assert.Contains("val_auc", e.Message, StringComparison.Ordinal);
        Assert.Contains("available", e.Message, StringComparison.Ordinal);
    }
}
