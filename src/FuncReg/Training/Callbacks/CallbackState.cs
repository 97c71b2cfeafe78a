using System.Globalization;

namespace FuncReg;

/// <summary>
/// A callback's saved state in a checkpoint: named scalars (nullable doubles, stored exactly) and named lists of
/// float arrays (kept weights). Keys are the callback's own; they are stored under the callback's position.
/// A callback's <see cref="Callback.ReadState"/> checks its values with the typed getters, which throw
/// <see cref="CheckpointFormatException"/> naming the file, the callback, the JSON path and the allowed range.
/// </summary>
public sealed class CallbackState
{
    private readonly Dictionary<string, double?> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[][]> arrays = new(StringComparer.Ordinal);

    internal CallbackState(string owner, string? file = null, string? location = null)
    {
        Owner = owner;
        File = file;
        Location = location;
    }

    /// <summary>Which callback this is, as errors name it: <c>callback 0 (EarlyStopping)</c>, with the file when read from one.</summary>
    public string Owner { get; }

    public IReadOnlyDictionary<string, double?> Values => values;

    public IReadOnlyDictionary<string, float[][]> Arrays => arrays;

    /// <summary>The manifest this state was read from, or null.</summary>
    internal string? File { get; }

    /// <summary>The callback's JSON path in the manifest (<c>$.payload.callbacks[0]</c>), or null.</summary>
    internal string? Location { get; }

    public void Set(string key, double? value) => values[Key(key)] = value;

    /// <summary>Keeps <paramref name="value"/> (copied); null removes the entry.</summary>
    public void SetArrays(string key, float[][]? value)
    {
        if (value is null)
        {
            arrays.Remove(Key(key));
        }
        else
        {
            arrays[Key(key)] = [.. value.Select(a => (float[])a.Clone())];
        }
    }

    /// <summary>The saved value (null when null was saved, NaN or ±∞ as saved); throws when the key was never saved.</summary>
    public double? GetDouble(string key) =>
        values.TryGetValue(key, out double? v) ? v : throw Error($"the checkpoint has no state '{key}'{(Location is null ? "" : $" ({Location}.values.{key} is missing)")}.");

    /// <summary>A saved whole number (any int).</summary>
    public int GetInt32(string key) => GetInt32(key, int.MinValue, int.MaxValue);

    /// <summary>A saved whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int GetInt32(string key, int min, int max) =>
        GetInt32OrNull(key, min, max) ?? throw Invalid(key, null, Whole(min, max));

    /// <summary>A saved whole number in [<paramref name="min"/>, <paramref name="max"/>], or null when null was saved.</summary>
    public int? GetInt32OrNull(string key, int min, int max)
    {
        double? v = GetDouble(key);
        return v switch
        {
            null => null,
            { } d when d == Math.Floor(d) && d >= min && d <= max => (int)d,
            _ => throw Invalid(key, v, Whole(min, max)),
        };
    }

    /// <summary>A saved finite number (not null, NaN or ±∞).</summary>
    public double GetFinite(string key) => GetFiniteOrNull(key) ?? throw Invalid(key, null, "a finite number");

    /// <summary>A saved finite number, or null when null was saved.</summary>
    public double? GetFiniteOrNull(string key)
    {
        double? v = GetDouble(key);
        return v is null || double.IsFinite(v.Value) ? v : throw Invalid(key, v, "a finite number or null");
    }

    /// <summary>The saved arrays, or null when none were saved under <paramref name="key"/>.</summary>
    public float[][]? GetArrays(string key) => arrays.TryGetValue(key, out float[][]? a) ? a : null;

    /// <summary>An error about this state: "<see cref="Owner"/>: <paramref name="message"/>", with the file as its path.</summary>
    internal CheckpointFormatException Error(string message) => new($"{Owner}: {message}") { Path = File };

    /// <summary>An error about the value of <paramref name="key"/>, named by its JSON path when read from a manifest.</summary>
    internal CheckpointFormatException Invalid(string key, double? value, string expected) =>
        Error($"{(Location is null ? $"state '{key}'" : $"{Location}.values.{key}")} is {Show(value)}, expected {expected}.");

    internal static string Show(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "null";

    private static string Whole(int min, int max) =>
        (min, max) switch
        {
            (int.MinValue, int.MaxValue) => "a whole number",
            (_, int.MaxValue) => $"a whole number ≥ {min}",
            _ => $"a whole number in [{min}, {max}]",
        };

    private static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return key.Contains('/', StringComparison.Ordinal) ? throw new ArgumentException($"state key '{key}' may not contain '/'.", nameof(key)) : key;
    }
}
