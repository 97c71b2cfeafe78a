using System.Globalization;
using System.Text.Json;
using FuncReg.Cli.Commands;
using FuncReg.Tests.Checkpoints;
using FuncReg.Tests.Data;

namespace FuncReg.Tests.Cli;

/// <summary>The image side of the CLI: the <c>cnn</c> preset, image layers in JSON model files and the overrides, <c>compare --model cnn</c> and <c>bench cnn</c>, on tiny synthetic data.</summary>
[Collection(nameof(CliTests))] // swaps the process-wide console writers
public class CnnCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    /// <summary>A Fashion-MNIST-layout directory of 28×28 images: <paramref name="train"/> training and 20 test images, labels i mod 10.</summary>
    private static DataFixtures FashionDirectory(int train = 40)
    {
        var d = new DataFixtures();
        d.Images("train-images-idx3-ubyte", train, 28, 28);
        d.Labels("train-labels-idx1-ubyte", [.. Enumerable.Range(0, train).Select(i => (byte)(i % 10))]);
        d.Images("t10k-images-idx3-ubyte", 20, 28, 28);
        d.Labels("t10k-labels-idx1-ubyte", [.. Enumerable.Range(0, 20).Select(i => (byte)(i % 10))]);
        return d;
    }

    private static double Accuracy(string output, string split)
    {
        string line = Assert.Single(output.Split('\n'), l => l.StartsWith(split + ": loss", StringComparison.Ordinal));
        return double.Parse(line.Split("accuracy ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Cnn_preset_is_the_peer_workload()
    {
        Sequential spec = ModelSelection.CnnSpec;
        Assert.Equal([28, 28, 1], spec.InputShape);
        Assert.Equal([7, 7, 64], spec.ShapeAt(8)); // entering Flatten
        Assert.Equal(3136, spec.ShapeOf(9));
        Assert.Equal(Loss.CategoricalCrossEntropy, spec.Loss);
        var (benchSpec, optimizer, batch, data) = BenchCommand.Workload("cnn");
        Assert.Same(spec, benchSpec);
        Assert.Equal(new Adam(1e-3), optimizer);
        Assert.Equal(128, batch);
        Assert.Equal([28, 28, 1], data.SampleShape);
    }

    [Fact]
    public void Cnn_workload_declared_with_attributes_is_the_preset()
    {
        Assert.Equal(ModelSelection.CnnSpec, FuncReg.Cli.CnnWorkload.Spec);
        using var generated = new FuncReg.Cli.CnnWorkload(seed: 3);
        using var compiled = new CompiledModel(ModelSelection.CnnSpec, seed: 3);
        Assert.Equal(compiled.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))), generated.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))));
        Assert.All(compiled.Parameters.Zip(generated.Parameters), p => Assert.True(p.First.Values.SequenceEqual(p.Second.Values), p.First.Name + " is initialized differently"));
    }

    [Fact]
    public void Train_cnn_preset_with_augmentation_reports_the_accuracies()
    {
        using DataFixtures d = FashionDirectory();
        var (code, output, error) = Run("train", "--preset", "cnn", "--data", d.Directory, "--epochs", "1", "--validation-split", "0.25", "--flip", "--shift", "2", "--batch-size", "16");
        Assert.True(code == 0, error);
        Assert.Contains("cnn: 28×28×1 → conv2d 32 3×3 same → batch_norm → relu → max-pool 2×2 → conv2d 64 3×3 same → batch_norm → relu → max-pool 2×2 → flatten → dropout 0.5 → dense 128 relu → dense 10 softmax; CategoricalCrossEntropy", output, StringComparison.Ordinal);
        Assert.Contains("epoch 1/1  loss ", output, StringComparison.Ordinal);
        Assert.InRange(Accuracy(output, "test"), 0, 1);
        Assert.InRange(Accuracy(output, "val"), 0, 1);
    }

    [Fact]
    public void Overrides_reach_conv_kernels_and_spatial_dropout()
    {
        Sequential spec = ModelSelection.Override(ModelSelection.CnnSpec, null, 1e-4, 0.2, 3);
        Conv2D conv = Assert.IsType<Conv2D>(spec.Layers[4]);
        Assert.Equal(Regularizer.L2(1e-4), conv.KernelRegularizer);
        Assert.Equal(new MaxNorm(3), conv.KernelConstraint);
        Assert.Equal(0.2, Assert.IsType<Dropout>(spec.Layers[9]).Rate);
        Assert.Null(Assert.IsType<Dense>(spec.Layers[11]).KernelConstraint); // the output layer keeps none
        Assert.Equal(ModelSelection.CnnSpec.InputShape, spec.InputShape);

        Sequential spatial = Sequential.Of(new InputShape(8, 8, 2), new Conv2D(4, 3), new SpatialDropout2D(0.1), new GlobalAveragePooling2D(), new Dense(3, Activation.Softmax));
        Assert.Equal(0.4, Assert.IsType<SpatialDropout2D>(ModelSelection.Override(spatial, null, null, 0.4, null).Layers[1]).Rate);
        Assert.Equal(Regularizer.L1(1e-3), Assert.IsType<Conv2D>(ModelSelection.Override(spatial, 1e-3, null, null, null).Layers[0]).KernelRegularizer);
    }

    [Fact]
    public void Train_cnn_with_overrides_describes_them()
    {
        using DataFixtures d = FashionDirectory(20);
        var (code, output, error) = Run("train", "--preset", "cnn", "--data", d.Directory, "--epochs", "1", "--validation-split", "0", "--l2", "1e-4", "--max-norm", "3", "--dropout", "0.2");
        Assert.True(code == 0, error);
        Assert.Contains("conv2d 32 3×3 same L2(0.0001) max-norm 3", output, StringComparison.Ordinal);
        Assert.Contains("dropout 0.2 → dense 128 relu L2(0.0001) max-norm 3 → dense 10 softmax L2(0.0001)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_image_model_trains_on_fashion_layout_data()
    {
        using DataFixtures d = FashionDirectory(20);
        string model = d.Text("m.json", """
            { "input_shape": [28, 28, 1],
              "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": [3, 3], "strides": 2, "activation": "relu", "kernel_regularizer": { "l2": 1e-4 } },
                          { "type": "spatial_dropout2d", "rate": 0.1 },
                          { "type": "max_pooling2d", "pool_size": 2, "padding": "same" },
                          { "type": "conv2d", "filters": 6, "kernel_size": 3, "padding": "same", "use_bias": false },
                          { "type": "batch_norm" },
                          { "type": "average_pooling2d", "pool_size": [2, 2], "strides": 1 },
                          { "type": "global_average_pooling2d" },
                          { "type": "dense", "units": 10, "activation": "softmax" } ] }
            """);
        var (code, output, error) = Run("train", "--model", model, "--data", d.Directory, "--epochs", "2", "--validation-split", "0");
        Assert.True(code == 0, error);
        Assert.Contains("m.json: 28×28×1 → conv2d 4 3×3 stride 2×2 relu L2(0.0001) → spatial dropout 0.1 → max-pool 2×2 same → conv2d 6 3×3 same → batch_norm → average-pool 2×2 → global_average_pooling2d → dense 10 softmax", output, StringComparison.Ordinal);
        Assert.InRange(Accuracy(output, "test"), 0, 1);

        string flat = d.Text("flat.json", """{ "input_shape": [28, 28, 1], "layers": [ { "type": "average_pooling2d", "pool_size": 4 }, { "type": "flatten" }, { "type": "dense", "units": 10, "activation": "softmax" } ] }""");
        (code, output, error) = Run("train", "--model", flat, "--data", d.Directory, "--epochs", "1", "--validation-split", "0");
        Assert.True(code == 0, error);
        Assert.Contains("average-pool 4×4 → flatten → dense 10 softmax", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "input_shape": [28, 28], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": 3 }, { "type": "flatten" }, { "type": "dense", "units": 2, "activation": "softmax" } ] }""", "$.layers[0]: conv2d_0: needs a 3-D [height, width, channels] input")]
    [InlineData("""{ "input_shape": [28, 28, 1], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": 0 } ] }""", "$.layers[0].kernel_size: ")]
    [InlineData("""{ "input_shape": [28, 28, 1], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": "3" } ] }""", "$.layers[0].kernel_size: expected a whole number or [height, width]")]
    [InlineData("""{ "input_shape": [28, 28, 1], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": [3, 3.5] } ] }""", "$.layers[0].kernel_size[1]: expected a whole number")]
    [InlineData("""{ "input_shape": [28, 28, 1], "layers": [ { "type": "conv2d", "kernel_size": 3 } ] }""", "$.layers[0].filters: is missing.")]
    [InlineData("""{ "input_shape": [28, 28, 1], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": 3, "padding": "full" } ] }""", "$.layers[0].padding: 'full' is not one of valid, same")]
    [InlineData("""{ "input_shape": [4, 4, 1], "layers": [ { "type": "conv2d", "filters": 4, "kernel_size": 3 }, { "type": "max_pooling2d", "pool_size": 3 }, { "type": "flatten" }, { "type": "dense", "units": 2, "activation": "softmax" } ] }""", "$.layers[1]: max_pooling2d_1: the 3×3 pool does not fit its 2×2 input")]
    [InlineData("""{ "input_shape": [8, 8, 1], "layers": [ { "type": "spatial_dropout2d", "rate": 1.5 } ] }""", "$.layers[0].rate: Rate must be in [0, 1), got 1.5.")]
    [InlineData("""{ "input_shape": [8, 8, 1], "layers": [ { "type": "flatten", "rate": 1 } ] }""", "$.layers[0].rate: unknown property; expected one of type.")]
    [InlineData("""{ "input_shape": [8, 8, 1], "layers": [ { "type": "average_pooling2d", "strides": [1] } ] }""", "$.layers[0].strides: expected a whole number or [height, width]")]
    [InlineData("""{ "input_shape": [8, 0, 1], "layers": [ { "type": "flatten" } ] }""", "$.input_shape[1]: expected a dimension ≥ 1, got 0.")]
    [InlineData("""{ "input_shape": 784, "layers": [ { "type": "flatten" } ] }""", "$.input_shape: expected an array of dimensions")]
    [InlineData("""{ "inputs": 784, "input_shape": [28, 28, 1], "layers": [ { "type": "flatten" } ] }""", "$: give either \"inputs\" or \"input_shape\", not both.")]
    [InlineData("""{ "layers": [ { "type": "flatten" } ] }""", "$: \"inputs\" (features per sample) or \"input_shape\" ([height, width, channels]) is missing.")]
    [InlineData("""{ "inputs": 784, "layers": [ { "type": "conv", "filters": 1 } ] }""", "conv2d, max_pooling2d, average_pooling2d, global_average_pooling2d, flatten or spatial_dropout2d.")]
    public void Image_model_file_errors_name_the_json_path(string json, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["m.json"], json);
        var (code, output, error) = Run("train", "--model", dir["m.json"], "--csv", dir["none.csv"], "--label", "y");
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_model_cnn_runs_the_conv_techniques_on_fashion_layout_data()
    {
        using DataFixtures d = FashionDirectory(40);
        var (code, output, error) = Run("compare", "--dataset", "fashion-mnist", "--model", "cnn", "--data", d.Directory, "--subset", "40", "--epochs", "1",
            "--techniques", "none,batchnorm,augmentation,l2", "--threads", "1", "--no-report");
        Assert.True(code == 0, error);
        Assert.Contains("conv 32-pool-conv 64-pool-128-10", output, StringComparison.Ordinal);
        foreach (string technique in new[] { "none", "batch norm", "augmentation (flip, ±2 px, ±10°)", "L2 (0.01)" })
        {
            Assert.Contains(technique, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compare_cnn_techniques_differ_only_in_their_regularization()
    {
        var techniques = FashionMnistComparison.Techniques(10, FashionMnistComparison.Cnn).ToDictionary(t => t.Key);
        Sequential none = techniques["none"].Spec;
        Assert.Equal([28, 28, 1], none.InputShape);
        Assert.DoesNotContain(none.Layers, l => l is Dropout or BatchNormalization);
        Assert.All(techniques["l2"].Spec.Layers.OfType<Conv2D>(), c => Assert.Equal(Regularizer.L2(1e-2), c.KernelRegularizer));
        Assert.Equal(2, techniques["batchnorm"].Spec.Layers.Count(l => l is BatchNormalization));
        Assert.Equal(0.5, Assert.Single(techniques["dropout"].Spec.Layers.OfType<Dropout>()).Rate);
        Assert.Equal(none, techniques["augmentation"].Spec);
        Assert.Equal(2, none.Layers.Count(l => l is Conv2D));
    }

    [Theory]
    [InlineData("--model applies to --dataset fashion-mnist only", "--model", "cnn")]
    [InlineData("--model must be mlp or cnn", "--dataset", "fashion-mnist", "--model", "resnet")]
    public void Compare_rejects_a_bad_model(string message, params string[] args)
    {
        var (code, _, error) = Run(["compare", .. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_names_the_model_in_its_command_line()
    {
        var (settings, error) = CompareCommand.Validate("fashion-mnist", null, null, null, 3, null, null, null, null, "cnn");
        Assert.Null(error);
        Assert.Contains("--model cnn", settings!.CommandLine, StringComparison.Ordinal);
        (settings, _) = CompareCommand.Validate("fashion-mnist", null, null, null, 3, null, null, null, null);
        Assert.DoesNotContain("--model", settings!.CommandLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_cnn_prints_a_human_line_then_json()
    {
        var (code, output, error) = Run("bench", "cnn", "--seconds", "0.05", "--threads", "1");
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cnn: ", lines[^2], StringComparison.Ordinal);
        Assert.Contains("generated engine, batch 128", lines[^2], StringComparison.Ordinal); // the attribute-declared CnnWorkload
        using JsonDocument json = JsonDocument.Parse(lines[^1]);
        Assert.Equal("cnn", json.RootElement.GetProperty("workload").GetString());
        Assert.True(json.RootElement.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("steps_per_second").GetDouble() > 0);
        Assert.Equal(1, json.RootElement.GetProperty("threads").GetInt32());
    }
}
