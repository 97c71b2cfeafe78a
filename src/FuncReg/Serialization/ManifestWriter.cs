using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FuncReg;

/// <summary>What a checkpoint's manifest records besides the tensors (see <see cref="Checkpoint"/>).</summary>
internal sealed record ManifestContent(
    long Sequence,
    string Model,
    long Seed,
    string Optimizer,
    string WeightsSha256,
    string StateSha256,
    long Step,
    long OptimizerIterations,
    double LearningRate,
    FitPosition Position,
    int BatchSize,
    int TrainCount,
    bool Shuffle,
    string? StopReason,
    IReadOnlyList<EpochLog> History,
    IReadOnlyList<(string Type, CallbackState State)> Callbacks);

/// <summary>Writes <c>checkpoint.json</c>: <c>{"sha256": h, "payload": {...}}</c>, h the SHA-256 of the payload's exact bytes.</summary>
internal static class ManifestWriter
{
    public static byte[] Write(ManifestContent c)
    {
        using var payloadStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(payloadStream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Checkpoint.Format);
            w.WriteNumber("version", Checkpoint.Version);
            w.WriteNumber("sequence", c.Sequence);
            w.WriteString("model", c.Model);
            w.WriteNumber("seed", c.Seed);
            w.WriteString("optimizer", c.Optimizer);
            w.WriteStartObject("files");
            w.WriteString(Checkpoint.WeightsFile, c.WeightsSha256);
            w.WriteString(Checkpoint.StateFile, c.StateSha256);
            w.WriteEndObject();
            w.WriteNumber("step", c.Step);
            w.WriteNumber("optimizer_iterations", c.OptimizerIterations);
            WriteDouble(w, "learning_rate", c.LearningRate);
            FitPosition p = c.Position;
            w.WriteNumber("epoch", p.Epoch);
            w.WriteNumber("batch", p.Batch);
            w.WriteNumber("batch_size", c.BatchSize);
            w.WriteNumber("train_count", c.TrainCount);
            w.WriteBoolean("shuffle", c.Shuffle);
            // At an epoch boundary the running sums are not used (the next epoch starts them anew): written as zeros.
            bool boundary = p.Batch == 0;
            w.WriteStartObject("partial_epoch");
            WriteDouble(w, "data_sum", boundary ? 0 : p.DataSum);
            WriteDouble(w, "correct_sum", boundary ? 0 : p.CorrectSum);
            w.WriteStartArray("penalty_sums");
            foreach (double v in p.PenaltySums)
            {
                WriteDouble(w, null, boundary ? 0 : v);
            }
            w.WriteEndArray();
            w.WriteNumber("seen", boundary ? 0 : p.Seen);
            WriteDouble(w, "seconds", boundary ? 0 : p.Seconds);
            WriteDouble(w, "learning_rate", boundary ? 0 : p.LearningRate);
            w.WriteEndObject();
            if (c.StopReason is null)
            {
                w.WriteNull("stop_reason");
            }
            else
            {
                w.WriteString("stop_reason", c.StopReason);
            }
            w.WriteStartArray("history");
            foreach (EpochLog log in c.History)
            {
                WriteLog(w, log);
            }
            w.WriteEndArray();
            w.WriteStartArray("callbacks");
            foreach (var (type, state) in c.Callbacks)
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                w.WriteStartObject("values");
                foreach (var (k, v) in state.Values)
                {
                    WriteDouble(w, k, v);
                }
                w.WriteEndObject();
                w.WriteStartObject("arrays");
                foreach (var (k, a) in state.Arrays)
                {
                    w.WriteNumber(k, a.Length);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        byte[] payload = payloadStream.ToArray();
        return [.. Encoding.UTF8.GetBytes($"{{\n\"sha256\": \"{Sha256(payload)}\",\n\"payload\": "), .. payload, .. "\n}\n"u8];
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void WriteLog(Utf8JsonWriter w, EpochLog log)
    {
        w.WriteStartObject();
        w.WriteNumber("epoch", log.Epoch);
        WriteDouble(w, "data_loss", log.DataLoss);
        WriteMap(w, "penalties", log.Penalties);
        WriteDouble(w, "accuracy", log.Accuracy);
        WriteDouble(w, "val_data_loss", log.ValDataLoss);
        WriteMap(w, "val_penalties", log.ValPenalties);
        WriteDouble(w, "val_accuracy", log.ValAccuracy);
        WriteDouble(w, "learning_rate", log.LearningRate);
        WriteDouble(w, "seconds", log.Seconds);
        w.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, double>? map)
    {
        if (map is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            WriteDouble(w, k, v);
        }
        w.WriteEndObject();
    }

    /// <summary>Finite doubles as JSON numbers (round-trip exact), NaN and ±∞ as the strings "NaN", "Infinity", "-Infinity", null as null.</summary>
    private static void WriteDouble(Utf8JsonWriter w, string? name, double? value)
    {
        if (name is not null)
        {
            w.WritePropertyName(name);
        }
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case { } v when double.IsFinite(v):
                w.WriteNumberValue(v);
                break;
            case { } v:
                w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
                break;
        }
    }
}
