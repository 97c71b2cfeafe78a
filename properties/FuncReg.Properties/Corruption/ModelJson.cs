using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FuncReg.Properties.Corruption;

/// <summary>How <see cref="ModelJson.Write"/> spells a model: every property or only those that differ from the defaults, and the shorthands.</summary>
internal sealed record JsonStyle(bool Complete, bool InputsShorthand, bool PairShorthand, bool Indented);

/// <summary>
/// A test-side writer of the CLI's JSON model format (the reader's inverse, written from its documentation) and the
/// fuzz oracle's comparison: does a JSON document say nothing that a parsed model does not hold?
/// </summary>
internal static class ModelJson
{
    private static readonly JsonStyle Full = new(Complete: true, InputsShorthand: false, PairShorthand: false, Indented: false);

    /// <summary>The model as a JSON object; with <see cref="JsonStyle.Complete"/> every property the reader knows is written.</summary>
    public static JsonObject Write(Sequential spec, JsonStyle? style = null)
    {
        style ??= Full;
        var root = new JsonObject();
        if (style.InputsShorthand && spec.InputShape.Count == 1)
        {
            root["inputs"] = spec.InputShape[0];
        }
        else
        {
            root["input_shape"] = new JsonArray([.. spec.InputShape.Select(d => (JsonNode)d)]);
        }
        root["loss"] = Snake(spec.Loss.ToString());
        Put(root, "from_logits", spec.FromLogits, !spec.FromLogits, style);
        Put(root, "label_smoothing", spec.LabelSmoothing, spec.LabelSmoothing == 0, style);
        root["layers"] = new JsonArray([.. spec.Layers.Select(l => (JsonNode)Layer(l, style))]);
        return root;
    }

    public static string Text(JsonObject o, JsonStyle style) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = style.Indented });

    private static JsonObject Layer(Layer layer, JsonStyle s)
    {
        var o = new JsonObject { ["type"] = layer.Kind };
        switch (layer)
        {
            case Dense d:
                o["units"] = d.Units;
                Put(o, "activation", Snake(d.Activation.ToString()), d.Activation == Activation.Linear, s);
                Common(o, d.Alpha, d.UseBias, d.KernelInitializer, d.BiasInitializer, d.KernelRegularizer, d.BiasRegularizer, d.ActivityRegularizer, d.KernelConstraint, d.BiasConstraint, s);
                break;
            case Conv2D c:
                o["filters"] = c.Filters;
                o["kernel_size"] = Pair(c.KernelSize, s);
                Put(o, "strides", Pair(c.Strides, s), c.Strides == (1, 1), s);
                Put(o, "padding", Snake(c.Padding.ToString()), c.Padding == Padding.Valid, s);
                Put(o, "activation", Snake(c.Activation.ToString()), c.Activation == Activation.Linear, s);
                Common(o, c.Alpha, c.UseBias, c.KernelInitializer, c.BiasInitializer, c.KernelRegularizer, c.BiasRegularizer, c.ActivityRegularizer, c.KernelConstraint, c.BiasConstraint, s);
                break;
            case Pooling2D p:
                Put(o, "pool_size", Pair(p.PoolSize, s), p.PoolSize == (2, 2), s);
                if (p.Strides is { } st)
                {
                    o["strides"] = Pair(st, s);
                }
                Put(o, "padding", Snake(p.Padding.ToString()), p.Padding == Padding.Valid, s);
                break;
            case SpatialDropout2D sd:
                o["rate"] = sd.Rate;
                break;
            case Dropout dr:
                o["rate"] = dr.Rate;
                break;
            case GaussianDropout g:
                o["rate"] = g.Rate;
                break;
            case GaussianNoise n:
                o["stddev"] = n.Stddev;
                break;
            case BatchNormalization b:
                Put(o, "momentum", b.Momentum, b.Momentum == 0.99, s);
                Put(o, "epsilon", b.Epsilon, b.Epsilon == 1e-3, s);
                Put(o, "center", b.Center, b.Center, s);
                Put(o, "scale", b.Scale, b.Scale, s);
                PutRegularizer(o, "gamma_regularizer", b.GammaRegularizer);
                PutRegularizer(o, "beta_regularizer", b.BetaRegularizer);
                break;
            case LayerNormalization l:
                Put(o, "epsilon", l.Epsilon, l.Epsilon == 1e-3, s);
                Put(o, "center", l.Center, l.Center, s);
                Put(o, "scale", l.Scale, l.Scale, s);
                break;
            case ActivationLayer a:
                o["activation"] = Snake(a.Function.ToString());
                if (a.Alpha is { } alpha)
                {
                    o["alpha"] = alpha;
                }
                break;
        }
        return o;
    }

    private static void Common(JsonObject o, double? alpha, bool useBias, Initializer ki, Initializer bi, Regularizer? kr, Regularizer? br, Regularizer? ar, Constraint? kc, Constraint? bc, JsonStyle s)
    {
        if (alpha is { } a)
        {
            o["alpha"] = a;
        }
        Put(o, "use_bias", useBias, useBias, s);
        Put(o, "kernel_initializer", Snake(ki.ToString()), ki == Initializer.GlorotUniform, s);
        Put(o, "bias_initializer", Snake(bi.ToString()), bi == Initializer.Zeros, s);
        PutRegularizer(o, "kernel_regularizer", kr);
        PutRegularizer(o, "bias_regularizer", br);
        PutRegularizer(o, "activity_regularizer", ar);
        PutConstraint(o, "kernel_constraint", kc);
        PutConstraint(o, "bias_constraint", bc);
    }

    private static void Put(JsonObject o, string name, JsonNode value, bool isDefault, JsonStyle s)
    {
        if (s.Complete || !isDefault)
        {
            o[name] = value;
        }
    }

    private static void PutRegularizer(JsonObject o, string name, Regularizer? r)
    {
        if (r is not null)
        {
            o[name] = new JsonObject { ["l1"] = r.L1Factor, ["l2"] = r.L2Factor };
        }
    }

    private static void PutConstraint(JsonObject o, string name, Constraint? c)
    {
        JsonObject? value = c switch
        {
            MaxNorm m => new JsonObject { ["max_norm"] = m.MaxValue },
            UnitNorm => new JsonObject { ["unit_norm"] = true },
            NonNeg => new JsonObject { ["non_neg"] = true },
            MinMaxNorm mm => new JsonObject { ["min_max_norm"] = new JsonArray(mm.MinValue, mm.MaxValue) },
            _ => null,
        };
        if (value is not null)
        {
            o[name] = value;
        }
    }

    private static JsonNode Pair((int Height, int Width) p, JsonStyle s) =>
        s.PairShorthand && p.Height == p.Width ? JsonValue.Create(p.Height) : new JsonArray(p.Height, p.Width);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>The reader's spelling-insensitive form of a name: no underscores, lower case.</summary>
    private static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "batchnormalization" => "batchnorm",
        "layernormalization" => "layernorm",
        string n => n,
    };

    private static readonly HashSet<string> PairProperties = ["kernel_size", "strides", "pool_size"];

    /// <summary>
    /// Whether everything <paramref name="given"/> (the accepted mutant) says is held by <paramref name="full"/> (the parsed model
    /// written completely): every property of an object is present with an equal value — numbers by value, enum and type strings
    /// by the reader's spelling-insensitive form, <c>n</c> for <c>[n, n]</c> in window sizes, <c>"inputs": n</c> for
    /// <c>"input_shape": [n]</c>; a property whose value is null counts as absent (the reader's documented default). Returns the
    /// JSON path of the first difference, or null.
    /// </summary>
    public static string? Unheld(JsonElement given, JsonNode? full, string at = "$")
    {
        if (full is null)
        {
            return at;
        }
        switch (given.ValueKind)
        {
            case JsonValueKind.Object when full is JsonObject fo:
                foreach (JsonProperty p in given.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    string path = $"{at}.{p.Name}";
                    if (at == "$" && p.Name == "inputs")
                    {
                        if (fo["input_shape"] is not JsonArray { Count: 1 } shape || Unheld(p.Value, shape[0], path) is not null)
                        {
                            return path;
                        }
                        continue;
                    }
                    JsonNode? value = fo[p.Name];
                    if (PairProperties.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Number && value is JsonArray { Count: 2 } pair)
                    {
                        if (Unheld(p.Value, pair[0], path) is not null || Unheld(p.Value, pair[1], path) is not null)
                        {
                            return path;
                        }
                        continue;
                    }
                    if (Unheld(p.Value, value, path) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.Array when full is JsonArray fa:
                if (given.GetArrayLength() != fa.Count)
                {
                    return at;
                }
                int i = 0;
                foreach (JsonElement e in given.EnumerateArray())
                {
                    if (Unheld(e, fa[i], $"{at}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                    i++;
                }
                return null;
            case JsonValueKind.Number when full.GetValueKind() == JsonValueKind.Number:
                return given.GetDouble() == double.Parse(full.ToJsonString(), CultureInfo.InvariantCulture) ? null : at;
            case JsonValueKind.String when full.GetValueKind() == JsonValueKind.String:
                return Normalize(given.GetString()!) == Normalize(full.GetValue<string>()) ? null : at;
            case JsonValueKind.True or JsonValueKind.False when full.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return given.GetBoolean() == full.GetValue<bool>() ? null : at;
            default:
                return at;
        }
    }

    /// <summary>A number as the JSON writer would print it (for counterexamples).</summary>
    public static string Show(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
