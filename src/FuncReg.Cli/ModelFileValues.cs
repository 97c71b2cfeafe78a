using System.Globalization;
using System.Text.Json;

namespace FuncReg.Cli;

/// <summary>The value readers of <see cref="ModelFile"/>: each checks the JSON kind before touching the value.</summary>
internal static partial class ModelFile
{
    private sealed partial class Reader
    {
        /// <summary>A window size or stride: a whole number n (n×n) or [height, width].</summary>
        private (int Height, int Width) Pair(JsonElement v, string at)
        {
            if (v.ValueKind == JsonValueKind.Number)
            {
                int n = Int(v, at);
                return (n, n);
            }
            if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2)
            {
                return (Int(v[0], $"{at}[0]"), Int(v[1], $"{at}[1]"));
            }
            throw Error(at, $"expected a whole number or [height, width], got {Show(v)}.");
        }

        /// <summary>A property's value read by <paramref name="read"/>; absent or null gives <paramref name="fallback"/>. <paramref name="e"/> is an object (checked by <see cref="Object"/>).</summary>
        private T Optional<T>(JsonElement e, string name, string at, Func<JsonElement, string, T> read, T fallback) =>
            e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? read(v, $"{at}.{name}") : fallback;

        private JsonElement Required(JsonElement e, string name, string at)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(at, $"expected an object, got {Show(e)}.");
            }
            return e.TryGetProperty(name, out JsonElement v) ? v : throw Error($"{at}.{name}", "is missing.");
        }

        /// <summary>
        /// Checks that <paramref name="e"/> is an object whose properties are all among <paramref name="allowed"/>, each given once
        /// (a repeated property would leave it unclear which value counts).
        /// </summary>
        private void Object(JsonElement e, string at, params string[] allowed)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(at, $"expected an object, got {Show(e)}.");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in e.EnumerateObject())
            {
                string name = Name(p, at);
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    throw Error($"{at}.{Printable(name)}", $"unknown property; expected one of {string.Join(", ", allowed)}.");
                }
                if (!seen.Add(name))
                {
                    throw Error($"{at}.{name}", "is given more than once; keep one.");
                }
            }
        }

        /// <summary>A finite number (1e999 and the like overflow a double and are rejected).</summary>
        private double Number(JsonElement v, string at) =>
            v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d)
                ? d
                : throw Error(at, $"expected a finite number, got {Show(v)}.");

        private int Int(JsonElement v, string at) =>
            v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Error(at, $"expected a whole number from {int.MinValue} to {int.MaxValue}, got {Show(v)}.");

        private bool Bool(JsonElement v, string at) =>
            v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Error(at, $"expected true or false, got {Show(v)}.");

        /// <summary><c>"unit_norm": true</c>: the only value that asks for the constraint; false is an error (leave the constraint out instead).</summary>
        private T Flag<T>(JsonElement v, string at, T constraint) => v.ValueKind switch
        {
            JsonValueKind.True => constraint,
            JsonValueKind.False => throw Error(at, "false does not turn a constraint off: remove the constraint (or the whole property) for none."),
            _ => throw Error(at, $"expected true, got {Show(v)}."),
        };

        private string Text(JsonElement v, string at)
        {
            if (v.ValueKind != JsonValueKind.String)
            {
                throw Error(at, $"expected a string, got {Show(v)}.");
            }
            try
            {
                return v.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                throw Error(at, "the string holds a \\u escape that is not valid Unicode (a lone surrogate).", e);
            }
        }

        private string Name(JsonProperty p, string at)
        {
            try
            {
                return p.Name;
            }
            catch (InvalidOperationException e)
            {
                throw Error(at, "a property name holds a \\u escape that is not valid Unicode (a lone surrogate).", e);
            }
        }

        private T Enum<T>(JsonElement v, string at)
            where T : struct, Enum
        {
            string s = Text(v, at);
            foreach (T value in System.Enum.GetValues<T>())
            {
                if (Normalize(value.ToString()) == Normalize(s))
                {
                    return value;
                }
            }
            throw Error(at, $"'{Printable(s)}' is not one of {string.Join(", ", System.Enum.GetNames<T>().Select(Snake))}.");
        }

        /// <summary>A value for a message, on one line and short: the JSON text up to 40 characters, else its kind.</summary>
        private static string Show(JsonElement v)
        {
            string raw = v.GetRawText();
            return raw.Length <= 40 && !raw.Any(char.IsControl) ? raw : v.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => $"an array of {v.GetArrayLength()}",
                JsonValueKind.String => "a long string",
                _ => $"{raw[..37]}...",
            };
        }

        /// <summary>A name or string for a message: control characters escaped, at most 40 characters.</summary>
        private static string Printable(string s)
        {
            string clean = string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString(CultureInfo.InvariantCulture)));
            return clean.Length <= 40 ? clean : clean[..37] + "...";
        }
    }
}
