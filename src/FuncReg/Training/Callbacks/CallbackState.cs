namespace FuncReg;

/// <summary>
/// A callback's saved state in a checkpoint: named scalars (nullable doubles, stored exactly) and named lists of
/// float arrays (kept weights). Keys are the callback's own; they are stored under the callback's position.
/// </summary>
public sealed class CallbackState
{
    private readonly Dictionary<string, double?> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[][]> arrays = new(StringComparer.Ordinal);

    internal CallbackState(string owner) => Owner = owner;

    /// <summary>Which callback this is, as errors name it: <c>callback 0 (EarlyStopping)</c>.</summary>
    public string Owner { get; }

    public IReadOnlyDictionary<string, double?> Values => values;

    public IReadOnlyDictionary<string, float[][]> Arrays => arrays;

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

    /// <summary>The saved value (null when null was saved); throws when the key was never saved.</summary>
    public double? GetDouble(string key) =>
        values.TryGetValue(key, out double? v) ? v : throw new CheckpointFormatException($"{Owner}: the checkpoint has no state '{key}'.");

    /// <summary>A saved whole number.</summary>
    public int GetInt32(string key) => GetDouble(key) is { } v && v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue
        ? (int)v
        : throw new CheckpointFormatException($"{Owner}: state '{key}' is {GetDouble(key)?.ToString() ?? "null"}, expected a whole number.");

    /// <summary>The saved arrays, or null when none were saved under <paramref name="key"/>.</summary>
    public float[][]? GetArrays(string key) => arrays.TryGetValue(key, out float[][]? a) ? a : null;

    private static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return key.Contains('/', StringComparison.Ordinal) ? throw new ArgumentException($"state key '{key}' may not contain '/'.", nameof(key)) : key;
    }
}
