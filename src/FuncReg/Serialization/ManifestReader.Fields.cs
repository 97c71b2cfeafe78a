using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>Typed access to the manifest's JSON: every error names the file and the JSON path, on one line.</summary>
internal sealed partial class ManifestReader
{
    private CheckpointFormatException Error(string at, string problem) => new($"{path}: {at}: {problem}") { Path = path };

    /// <summary>The property <paramref name="name"/> of the object <paramref name="e"/>, of any kind; missing is an error.</summary>
    private JsonElement Get(JsonElement e, string name, string at)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(at, $"{Show(e)}, expected an object.");
        }
        return e.TryGetProperty(name, out JsonElement v) ? v : throw Error($"{at}.{name}", "missing.");
    }

    private JsonElement Get(JsonElement e, string name, string at, JsonValueKind kind)
    {
        JsonElement v = Get(e, name, at);
        string expected = kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            _ => "a number",
        };
        return v.ValueKind == kind ? v : throw Error($"{at}.{name}", $"{Show(v)}, expected {expected}.");
    }

    /// <summary>Refuses keys other than <paramref name="allowed"/> (and names that are not valid text).</summary>
    private void Keys(JsonElement e, string at, params string[] allowed)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(at, $"{Show(e)}, expected an object.");
        }
        foreach (JsonProperty p in e.EnumerateObject())
        {
            string name = Name(p, at);
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw Error($"{at}.{name}", $"unknown key; {at} holds {string.Join(", ", allowed)}.");
            }
        }
    }

    /// <summary>
    /// Refuses any string or key holding an escaped lone surrogate (<c>"\udc00"</c>: valid JSON, valid UTF-8, but not
    /// text; reading or comparing it throws <see cref="InvalidOperationException"/>), so nothing later meets one.
    /// </summary>
    private void Text(JsonElement e, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = e.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw Error(at, "not valid text (an escaped lone surrogate).");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    Text(item, $"{at}[{i++}]");
                }
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    Text(p.Value, $"{at}.{Name(p, at)}");
                }
                break;
        }
    }

    /// <summary>A property's name; an escaped lone surrogate (valid JSON, not text) is refused.</summary>
    private string Name(JsonProperty p, string at)
    {
        try
        {
            return p.Name;
        }
        catch (InvalidOperationException)
        {
            throw Error(at, "a key is not valid text (an escaped lone surrogate).");
        }
    }

    private string String(JsonElement e, string name, string at, bool nonEmpty = false)
    {
        JsonElement v = Get(e, name, at, JsonValueKind.String);
        string s;
        try
        {
            s = v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Error($"{at}.{name}", "not valid text (an escaped lone surrogate).");
        }
        return nonEmpty && s.Length == 0 ? throw Error($"{at}.{name}", "empty.") : s;
    }

    private string Sha(JsonElement e, string name, string at)
    {
        string s = String(e, name, at);
        return s.Length == 64 && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            ? s
            : throw Error($"{at}.{name}", $"{Show(Get(e, name, at))}, expected 64 lower-case hexadecimal digits.");
    }

    private long Long(JsonElement e, string name, string at, long min, long max, string? why = null)
    {
        JsonElement v = Get(e, name, at);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long x) && x >= min && x <= max)
        {
            return x;
        }
        bool tooLarge = v.ValueKind == JsonValueKind.Number && (!v.TryGetInt64(out long y) || y > max);
        string range = max is long.MaxValue or int.MaxValue && !tooLarge ? $"≥ {min}" : min == max ? $"{min}" : $"in [{min}, {max}]";
        throw Error($"{at}.{name}", $"{Show(v)}, expected a whole number {range}{(why is null ? "" : $" ({why})")}.");
    }

    private double Finite(JsonElement e, string name, string at, double min, bool exclusive) =>
        FiniteValue(Get(e, name, at), $"{at}.{name}", min, exclusive);

    private double FiniteValue(JsonElement v, string at, double min, bool exclusive)
    {
        double? x = NumberOrNull(v, at);
        return x is { } d && double.IsFinite(d) && (exclusive ? d > min : d >= min)
            ? d
            : throw Error(at, $"{Show(v)}, expected a finite number {(exclusive ? ">" : "≥")} {min.ToString(CultureInfo.InvariantCulture)}.");
    }

    private double Number(JsonElement v, string at) => NumberOrNull(v, at) ?? throw Error(at, "null, expected a number.");

    /// <summary>A JSON number, one of the strings "NaN", "Infinity", "-Infinity" (how the writer stores them), or null.</summary>
    private double? NumberOrNull(JsonElement v, string at)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when v.TryGetDouble(out double d) && double.IsFinite(d):
                return d;
            case JsonValueKind.String when v.ValueEquals("NaN"):
                return double.NaN;
            case JsonValueKind.String when v.ValueEquals("Infinity"):
                return double.PositiveInfinity;
            case JsonValueKind.String when v.ValueEquals("-Infinity"):
                return double.NegativeInfinity;
            default:
                throw Error(at, $"{Show(v)}, expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or null.");
        }
    }

    private static string Show(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The JSON text of a value, shortened, for messages (raw text: no lone surrogate is decoded).</summary>
    private static string Show(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Undefined)
        {
            return "nothing";
        }
        string raw = Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(v));
        raw = string.Concat(raw.Select(c => char.IsControl(c) ? ' ' : c));
        return raw.Length <= 40 ? raw : raw[..37] + "…";
    }

    private static string Reason(JsonException e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).Trim().TrimEnd('.');
    }
}
