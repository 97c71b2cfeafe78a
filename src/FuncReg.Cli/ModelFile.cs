using System.Globalization;
using System.Text.Json;

namespace FuncReg.Cli;

/// <summary>A JSON model file that does not map onto the records: names the file, the JSON path and what was expected.</summary>
internal sealed class ModelFileException(string path, string jsonPath, string message, Exception? inner = null)
    : Exception($"{path}: {jsonPath}: {message}", inner)
{
    public string File { get; } = path;

    public string JsonPath { get; } = jsonPath;
}

/// <summary>
/// Reads a model as JSON, mapping onto the records (<see cref="Sequential"/>, <see cref="Dense"/>…); names are
/// snake_case, enum values case-insensitive with or without underscores:
/// <code>
/// { "inputs": 784, "loss": "categorical_cross_entropy", "from_logits": false, "label_smoothing": 0,
///   "layers": [
///     { "type": "dense", "units": 256, "activation": "relu", "kernel_regularizer": { "l2": 1e-4 },
///       "kernel_constraint": { "max_norm": 3 }, "kernel_initializer": "he_normal" },
///     { "type": "dropout", "rate": 0.3 },
///     { "type": "dense", "units": 10, "activation": "softmax" } ] }
/// </code>
/// Layer types: dense (units, activation, alpha, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
/// bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint), dropout (rate), gaussian_dropout
/// (rate), gaussian_noise (stddev), batch_norm (momentum, epsilon, center, scale, gamma_regularizer, beta_regularizer),
/// layer_norm (epsilon, center, scale), activation (activation, alpha). Regularizers are <c>{ "l1": a, "l2": b }</c>;
/// constraints <c>{ "max_norm": c }</c>, <c>{ "unit_norm": true }</c>, <c>{ "non_neg": true }</c> or
/// <c>{ "min_max_norm": [min, max] }</c>. "loss" may be left out (inferred from the last activation).
/// Images: <c>"input_shape": [h, w, c]</c> instead of "inputs", and the layer types conv2d (filters, kernel_size,
/// strides, padding "valid"|"same", activation, alpha, use_bias, initializers, regularizers and constraints as dense),
/// max_pooling2d and average_pooling2d (pool_size, strides, padding), global_average_pooling2d, flatten and
/// spatial_dropout2d (rate); kernel_size, strides and pool_size are a whole number or [height, width]:
/// <code>
/// { "input_shape": [28, 28, 1], "layers": [
///     { "type": "conv2d", "filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu" },
///     { "type": "max_pooling2d", "pool_size": 2 }, { "type": "flatten" },
///     { "type": "dense", "units": 10, "activation": "softmax" } ] }
/// </code>
/// </summary>
internal static partial class ModelFile
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The largest model file read, 16 MiB: a model description is a few kilobytes; anything larger is not one.</summary>
    public const int MaxBytes = 16 << 20;

    /// <summary>
    /// Reads <paramref name="path"/>. The bytes must be UTF-8 (a byte order mark is skipped) and JSON (comments and trailing
    /// commas allowed); every property must be known and given once, with a value of the right kind. Throws
    /// <see cref="ModelFileException"/> naming the file and the JSON path (or the byte offset, for text that is not UTF-8 or
    /// not JSON); a missing file throws <see cref="FileNotFoundException"/>.
    /// </summary>
    public static Sequential Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"model file {path} does not exist.", path);
        }
        long length = new FileInfo(path).Length;
        if (length > MaxBytes)
        {
            throw new ModelFileException(path, "$", $"the file is {length} bytes; a JSON model description is at most {MaxBytes} bytes: is this the right file?");
        }
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith(Utf8Bom) ? 3 : 0;
        int bad = Utf8Text.FirstInvalid(bytes.AsSpan(start));
        if (bad >= 0)
        {
            throw new ModelFileException(path, $"byte offset {start + bad}", $"byte 0x{bytes[start + bad]:X2} is not valid UTF-8; save the file as UTF-8.");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.AsMemory(start), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"line {e.LineNumber + 1}, byte {e.BytePositionInLine}", $"not valid JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        using (doc)
        {
            return new Reader(path).Model(doc.RootElement);
        }
    }

    private sealed partial class Reader(string path)
    {
        public Sequential Model(JsonElement root)
        {
            Object(root, "$", "inputs", "input_shape", "loss", "from_logits", "label_smoothing", "layers");
            int[] inputs = InputShape(root);
            JsonElement layersElement = Required(root, "layers", "$");
            if (layersElement.ValueKind != JsonValueKind.Array || layersElement.GetArrayLength() == 0)
            {
                throw Error("$.layers", "expected a non-empty array of layers.");
            }
            var layers = new List<Layer>();
            int i = 0;
            foreach (JsonElement l in layersElement.EnumerateArray())
            {
                layers.Add(Layer(l, $"$.layers[{i++}]"));
            }
            Sequential spec;
            try
            {
                spec = root.TryGetProperty("loss", out JsonElement loss)
                    ? Sequential.Of(inputs, Enum<Loss>(loss, "$.loss"), [.. layers])
                    : Sequential.Of(inputs, [.. layers]);
                if (root.TryGetProperty("from_logits", out JsonElement fl))
                {
                    spec = spec with { FromLogits = Bool(fl, "$.from_logits") };
                }
                if (root.TryGetProperty("label_smoothing", out JsonElement ls))
                {
                    spec = spec with { LabelSmoothing = Number(ls, "$.label_smoothing") };
                }
                spec.Validate();
            }
            catch (ArgumentException e)
            {
                throw Error(ModelPath(e, root), Commands.CliErrors.Clean(e), e);
            }
            return spec;
        }

        /// <summary>"inputs": n (a vector of n features) or "input_shape": [h, w, c] (or any list of dimensions), not both.</summary>
        private int[] InputShape(JsonElement root)
        {
            bool vector = root.TryGetProperty("inputs", out JsonElement n), shaped = root.TryGetProperty("input_shape", out JsonElement shape);
            if (vector == shaped)
            {
                throw Error("$", vector ? "give either \"inputs\" or \"input_shape\", not both." : "\"inputs\" (features per sample) or \"input_shape\" ([height, width, channels]) is missing.");
            }
            if (vector)
            {
                return [Int(n, "$.inputs")];
            }
            if (shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() == 0)
            {
                throw Error("$.input_shape", $"expected an array of dimensions such as [28, 28, 1], got {Show(shape)}.");
            }
            int[] dims = [.. shape.EnumerateArray().Select((d, i) => Int(d, $"$.input_shape[{i}]"))];
            for (int i = 0; i < dims.Length; i++)
            {
                if (dims[i] < 1)
                {
                    throw Error($"$.input_shape[{i}]", $"expected a dimension ≥ 1, got {dims[i]}.");
                }
            }
            return dims;
        }

        /// <summary>Where a model-level check failed: the inputs, the layer a shape error names (<c>conv2d_3: …</c> → <c>$.layers[3]</c>), or the model.</summary>
        private static string ModelPath(ArgumentException e, JsonElement root)
        {
            if (e.ParamName is "inputs" or "dimensions")
            {
                return root.TryGetProperty("inputs", out _) ? "$.inputs" : "$.input_shape";
            }
            System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(e.Message, @"^[a-z0-9_]+?_(\d+):");
            return m.Success ? $"$.layers[{m.Groups[1].Value}]" : "$";
        }

        private Layer Layer(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(at, $"expected a layer object such as {{\"type\": \"dense\", \"units\": 10}}, got {Show(e)}.");
            }
            string type = Text(Required(e, "type", at), $"{at}.type");
            try
            {
                switch (Normalize(type))
                {
                    case "dense":
                        {
                            Object(e, at, "type", "units", "activation", "alpha", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
                            var d = new Dense(Int(Required(e, "units", at), $"{at}.units"), Optional(e, "activation", at, Enum<Activation>, Activation.Linear));
                            return d with
                            {
                                Alpha = Optional<double?>(e, "alpha", at, (v, p) => Number(v, p), null),
                                UseBias = Optional(e, "use_bias", at, Bool, true),
                                KernelInitializer = Optional(e, "kernel_initializer", at, Enum<Initializer>, Initializer.GlorotUniform),
                                BiasInitializer = Optional(e, "bias_initializer", at, Enum<Initializer>, Initializer.Zeros),
                                KernelRegularizer = Optional(e, "kernel_regularizer", at, Regularizer, null),
                                BiasRegularizer = Optional(e, "bias_regularizer", at, Regularizer, null),
                                ActivityRegularizer = Optional(e, "activity_regularizer", at, Regularizer, null),
                                KernelConstraint = Optional(e, "kernel_constraint", at, Constraint, null),
                                BiasConstraint = Optional(e, "bias_constraint", at, Constraint, null),
                            };
                        }
                    case "dropout":
                        Object(e, at, "type", "rate");
                        return new Dropout(Number(Required(e, "rate", at), $"{at}.rate"));
                    case "gaussiandropout":
                        Object(e, at, "type", "rate");
                        return new GaussianDropout(Number(Required(e, "rate", at), $"{at}.rate"));
                    case "gaussiannoise":
                        Object(e, at, "type", "stddev");
                        return new GaussianNoise(Number(Required(e, "stddev", at), $"{at}.stddev"));
                    case "batchnorm" or "batchnormalization":
                        {
                            Object(e, at, "type", "momentum", "epsilon", "center", "scale", "gamma_regularizer", "beta_regularizer");
                            var b = new BatchNormalization();
                            return b with
                            {
                                Momentum = Optional(e, "momentum", at, Number, b.Momentum),
                                Epsilon = Optional(e, "epsilon", at, Number, b.Epsilon),
                                Center = Optional(e, "center", at, Bool, true),
                                Scale = Optional(e, "scale", at, Bool, true),
                                GammaRegularizer = Optional(e, "gamma_regularizer", at, Regularizer, null),
                                BetaRegularizer = Optional(e, "beta_regularizer", at, Regularizer, null),
                            };
                        }
                    case "layernorm" or "layernormalization":
                        {
                            Object(e, at, "type", "epsilon", "center", "scale");
                            var l = new LayerNormalization();
                            return l with
                            {
                                Epsilon = Optional(e, "epsilon", at, Number, l.Epsilon),
                                Center = Optional(e, "center", at, Bool, true),
                                Scale = Optional(e, "scale", at, Bool, true),
                            };
                        }
                    case "conv2d":
                        {
                            Object(e, at, "type", "filters", "kernel_size", "strides", "padding", "activation", "alpha", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
                            var c = new Conv2D(Int(Required(e, "filters", at), $"{at}.filters"), Pair(Required(e, "kernel_size", at), $"{at}.kernel_size"), Optional(e, "activation", at, Enum<Activation>, Activation.Linear));
                            return c with
                            {
                                Strides = Optional(e, "strides", at, Pair, (1, 1)),
                                Padding = Optional(e, "padding", at, Enum<Padding>, Padding.Valid),
                                Alpha = Optional<double?>(e, "alpha", at, (v, p) => Number(v, p), null),
                                UseBias = Optional(e, "use_bias", at, Bool, true),
                                KernelInitializer = Optional(e, "kernel_initializer", at, Enum<Initializer>, Initializer.GlorotUniform),
                                BiasInitializer = Optional(e, "bias_initializer", at, Enum<Initializer>, Initializer.Zeros),
                                KernelRegularizer = Optional(e, "kernel_regularizer", at, Regularizer, null),
                                BiasRegularizer = Optional(e, "bias_regularizer", at, Regularizer, null),
                                ActivityRegularizer = Optional(e, "activity_regularizer", at, Regularizer, null),
                                KernelConstraint = Optional(e, "kernel_constraint", at, Constraint, null),
                                BiasConstraint = Optional(e, "bias_constraint", at, Constraint, null),
                            };
                        }
                    case "maxpooling2d" or "averagepooling2d":
                        {
                            Object(e, at, "type", "pool_size", "strides", "padding");
                            (int, int) size = Optional(e, "pool_size", at, Pair, (2, 2));
                            Pooling2D p = Normalize(type) == "maxpooling2d" ? new MaxPooling2D(size) : new AveragePooling2D(size);
                            return p with
                            {
                                Strides = Optional<(int, int)?>(e, "strides", at, (v, q) => Pair(v, q), null),
                                Padding = Optional(e, "padding", at, Enum<Padding>, Padding.Valid),
                            };
                        }
                    case "globalaveragepooling2d":
                        Object(e, at, "type");
                        return new GlobalAveragePooling2D();
                    case "flatten":
                        Object(e, at, "type");
                        return new Flatten();
                    case "spatialdropout2d":
                        Object(e, at, "type", "rate");
                        return new SpatialDropout2D(Number(Required(e, "rate", at), $"{at}.rate"));
                    case "activation":
                        Object(e, at, "type", "activation", "alpha");
                        return new ActivationLayer(Enum<Activation>(Required(e, "activation", at), $"{at}.activation")) { Alpha = Optional<double?>(e, "alpha", at, (v, p) => Number(v, p), null) };
                    default:
                        throw Error($"{at}.type", $"unknown layer type '{type}'; expected dense, dropout, gaussian_dropout, gaussian_noise, batch_norm, layer_norm, activation, conv2d, max_pooling2d, average_pooling2d, global_average_pooling2d, flatten or spatial_dropout2d.");
                }
            }
            catch (ArgumentException x)
            {
                // a record rejected a value (out of range): name the property it came from
                string property = x.ParamName is { Length: > 0 } p ? $"{at}.{Snake(p)}" : at;
                throw Error(property, Commands.CliErrors.Clean(x), x);
            }
        }

        private Regularizer? Regularizer(JsonElement e, string at)
        {
            Object(e, at, "l1", "l2");
            return new Regularizer(Optional(e, "l1", at, Number, 0), Optional(e, "l2", at, Number, 0));
        }

        private Constraint? Constraint(JsonElement e, string at)
        {
            Object(e, at, "max_norm", "unit_norm", "non_neg", "min_max_norm");
            var props = e.EnumerateObject().ToArray();
            if (props.Length != 1)
            {
                throw Error(at, "expected exactly one of max_norm, unit_norm, non_neg, min_max_norm.");
            }
            JsonProperty c = props[0];
            string p = $"{at}.{c.Name}";
            return c.Name switch
            {
                "max_norm" => new MaxNorm(Number(c.Value, p)),
                "unit_norm" => Flag(c.Value, p, new UnitNorm()),
                "non_neg" => Flag(c.Value, p, new NonNeg()),
                _ when c.Value.ValueKind == JsonValueKind.Array && c.Value.GetArrayLength() == 2 => new MinMaxNorm(Number(c.Value[0], $"{p}[0]"), Number(c.Value[1], $"{p}[1]")),
                _ => throw Error(p, $"expected [min, max], got {Show(c.Value)}."),
            };
        }

        private ModelFileException Error(string at, string message, Exception? inner = null) => new(path, at, message, inner);

        private static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

        private static string Snake(string pascal) =>
            string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLower(c, CultureInfo.InvariantCulture) : c.ToString()));
    }
}
