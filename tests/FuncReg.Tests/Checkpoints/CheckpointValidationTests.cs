using System.Text;
using System.Text.Json.Nodes;

namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// Regression tests of issue 12: checkpoints edited by hand and signed again (valid checksums) with values the trainer
/// cannot have written are refused with <see cref="CheckpointFormatException"/> naming the file and the JSON path, before
/// anything changes — not accepted, not an OutOfMemoryException, not an InvalidOperationException.
/// </summary>
public class CheckpointValidationTests
{
    /// <summary>A two-epoch checkpoint of the shared setup (EarlyStopping with kept weights, ReduceLROnPlateau).</summary>
    internal static void WriteCheckpoint(string dir, int epochs = 2)
    {
        var (train, validation) = CheckpointSetup.Data();
        CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, epochs) with { Checkpoint = new CheckpointOptions(dir) });
    }

    /// <summary>Resumes into a fresh model, expects a <see cref="CheckpointFormatException"/> and checks the model is untouched.</summary>
    internal static CheckpointFormatException Refused(string directory)
    {
        var (train, validation) = CheckpointSetup.Data();
        IModel model = CheckpointSetup.Build("compiled");
        float[][] before = model.GetWeights();
        var e = Assert.Throws<CheckpointFormatException>(() => model.Fit(train, CheckpointSetup.Options(validation) with { ResumeFrom = directory }));
        Assert.True(TestData.SameBits(before, model.GetWeights()), "the model was changed by a refused checkpoint");
        Assert.Equal(0, model.Step);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private static void RefusedWith(string dir, params string[] expected)
    {
        var e = Refused(dir);
        Assert.NotNull(e.Path);
        Assert.StartsWith(e.Path + ": ", e.Message, StringComparison.Ordinal);
        foreach (string s in expected)
        {
            Assert.Contains(s, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_batch_past_the_end_of_the_epoch_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        // 45 samples in batches of 7: batches 0…6; batch 7 would end the epoch with no sample seen (0/0 losses)
        ManifestEditor.Edit(dir.Path, p =>
        {
            p["batch"] = 7;
            p["partial_epoch"]!["seen"] = 49;
        });
        RefusedWith(dir.Path, "$.payload.batch");
    }

    [Theory]
    [InlineData("step")]
    [InlineData("optimizer_iterations")]
    public void Negative_counters_are_refused(string field)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.Edit(dir.Path, p => p[field] = -3);
        RefusedWith(dir.Path, $"$.payload.{field}");
    }

    [Theory]
    [InlineData("wait")]
    [InlineData("best_epoch")]
    [InlineData("stopped_epoch")]
    public void Negative_early_stopping_state_is_refused(string key)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.Edit(dir.Path, p => p["callbacks"]![0]!["values"]![key] = -2);
        RefusedWith(dir.Path, $"$.payload.callbacks[0].values.{key}", "EarlyStopping");
    }

    [Fact]
    public void NaN_optimizer_moments_are_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.EditState(dir.Path, t => t.Name == "dense_0.kernel/slot0" ? t with { Values = [.. t.Values.Select((v, i) => i == 5 ? float.NaN : v)] } : t);
        RefusedWith(dir.Path, Checkpoint.StateFile, "dense_0.kernel/slot0", "NaN");
    }

    [Fact]
    public void NaN_kept_weights_are_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.EditState(dir.Path, t => t.Name == "callbacks/0/best_weights/2" ? t with { Values = [.. t.Values.Select(_ => float.PositiveInfinity)] } : t);
        RefusedWith(dir.Path, Checkpoint.StateFile, "callbacks/0/best_weights/2");
    }

    [Fact]
    public void A_huge_array_count_is_refused_before_anything_is_allocated()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.Edit(dir.Path, p => p["callbacks"]![0]!["arrays"]!["best_weights"] = 2_000_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RefusedWith(dir.Path, "$.payload.callbacks[0].arrays.best_weights", "2000000000");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000_000, "the reader allocated for the claimed count");
        Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
    }

    [Fact]
    public void Invalid_utf8_in_a_signed_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        byte[] payload = ManifestEditor.RawPayload(dir.Path);
        int at = payload.AsSpan().IndexOf("\"model\": \""u8) + "\"model\": \"".Length;
        payload[at] = 0xFF; // a lone byte that is no UTF-8 sequence, inside a string
        ManifestEditor.Sign(dir.Path, payload);
        RefusedWith(dir.Path, Checkpoint.ManifestFile, "UTF-8");
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_the_checksum_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        string manifest = ManifestEditor.Manifest(dir.Path);
        byte[] bytes = File.ReadAllBytes(manifest);
        int at = bytes.AsSpan().IndexOf("\"sha256\": \""u8) + "\"sha256\": \"".Length;
        bytes[at] = 0xC3; // starts a two-byte sequence that the next hex digit does not continue
        File.WriteAllBytes(manifest, bytes);
        RefusedWith(dir.Path, Checkpoint.ManifestFile, "UTF-8");
    }

    [Fact]
    public void A_lone_surrogate_escape_in_a_signed_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        byte[] payload = ManifestEditor.RawPayload(dir.Path);
        string text = Encoding.UTF8.GetString(payload).Replace("\"stop_reason\": null", "\"stop_reason\": \"\\ud800\"", StringComparison.Ordinal);
        Assert.Contains("ud800", text, StringComparison.Ordinal);
        ManifestEditor.Sign(dir.Path, Encoding.UTF8.GetBytes(text));
        RefusedWith(dir.Path, "$.payload.stop_reason");
    }

    [Fact]
    public void What_the_trainer_can_write_reads_back_NaN_losses_and_a_non_finite_best_included()
    {
        // an epoch that TerminateOnNaN ended is logged with its NaN loss; a plateau's first best may be a non-finite val_loss
        using var dir = new TempDirectory();
        var (train, validation) = CheckpointSetup.Data();
        IModel model = CheckpointSetup.Build("compiled");
        var plateau = new ReduceLROnPlateau { Monitor = "val_loss" };
        var saved = new CallbackState("test");
        saved.Set("wait", 0);
        saved.Set("cooldown", 0);
        saved.Set("best", double.PositiveInfinity);
        plateau.ReadState(saved);
        FitOptions options = CheckpointSetup.Options(validation) with { Callbacks = [plateau, new TerminateOnNaN()], Checkpoint = new CheckpointOptions(dir.Path) };
        var history = new History();
        history.Add(new EpochLog
        {
            Epoch = 0,
            DataLoss = double.NaN,
            Penalties = new Dictionary<string, double> { ["dense_0.kernel"] = double.PositiveInfinity },
            Accuracy = 0.25,
            ValDataLoss = double.NegativeInfinity,
            ValPenalties = new Dictionary<string, double> { ["dense_0.kernel"] = 0.5 },
            ValAccuracy = 0,
            LearningRate = 0.02,
            Seconds = 0.1,
        });
        Checkpoint.Write(dir.Path, model, options, history, new FitPosition(1) { Epoch = 1 }, 7, train.Count, "The training loss became NaN at epoch 0, batch 3.");

        CheckpointInfo info = Checkpoint.Inspect(dir.Path);
        Assert.True(double.IsNaN(info.History[0].DataLoss));
        Assert.Equal(double.PositiveInfinity, info.History[0].Penalties["dense_0.kernel"]);
        Assert.Equal(double.NegativeInfinity, info.History[0].ValDataLoss);
        var fresh = new ReduceLROnPlateau { Monitor = "val_loss" };
        TrainingCheckpoint c = Checkpoint.Read(dir.Path, CheckpointSetup.Build("compiled"), options with { Callbacks = [fresh, new TerminateOnNaN()] });
        c.Apply(CheckpointSetup.Build("compiled"), [fresh, new TerminateOnNaN()], new History(), new FitPosition(1));
        var back = new CallbackState("back");
        fresh.WriteState(back);
        Assert.Equal(double.PositiveInfinity, back.GetDouble("best"));
        Assert.Equal("The training loss became NaN at epoch 0, batch 3.", info.StopReason);
    }

    [Theory]
    [InlineData("{\"m\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824,4],\"data_offsets\":[0,0]}}", "more than the 0 float32 values")] // 2⁶⁴ bytes: wraps to 0
    [InlineData("{\"m\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}", "more than the 0 float32 values")]
    [InlineData("{\"m\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,0]}}", "written as digits, got -4")]
    [InlineData("{\"m\xff\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", "not valid UTF-8")]
    [InlineData("{\"\\udc00\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", "lone surrogate")]
    public void A_signed_tensor_file_with_an_impossible_header_is_refused(string header, string expected)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        byte[] json = [.. Encoding.Latin1.GetBytes(header)];
        while (json.Length % 8 != 0)
        {
            json = [.. json, (byte)' '];
        }
        byte[] bytes = [.. BitConverter.GetBytes((ulong)json.Length), .. json];
        File.WriteAllBytes(Path.Combine(ManifestEditor.Newest(dir.Path), Checkpoint.StateFile), bytes);
        ManifestEditor.Edit(dir.Path, p => p["files"]![Checkpoint.StateFile] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        RefusedWith(dir.Path, Checkpoint.StateFile, expected);
    }

    [Fact]
    public void A_lone_surrogate_escape_in_a_key_of_a_signed_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        string text = Encoding.UTF8.GetString(ManifestEditor.RawPayload(dir.Path)).Replace("\"stop_reason\": null", "\"stop_reason\": null, \"\\udc00\": 1", StringComparison.Ordinal);
        ManifestEditor.Sign(dir.Path, Encoding.UTF8.GetBytes(text));
        RefusedWith(dir.Path, Checkpoint.ManifestFile, "not valid text");
    }

    [Theory]
    [InlineData("\"learning_rate\": 0.02,", "\"learning_rate\": \"\\udc00\",")]
    [InlineData("\"format\": \"funcreg-checkpoint\"", "\"format\": \"\\udc00\"")]
    [InlineData("\"best_epoch\": 1", "\"best_epoch\": \"N\\ud800N\"")]
    [InlineData("\"shuffle\": true", "\"shuffle\": \"\\udc00\"")]
    [InlineData("\"stop_reason\": null", "\"stop_reason\": \"x\\udc00\"")]
    public void A_lone_surrogate_escape_anywhere_in_a_signed_manifest_is_refused(string from, string to)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        string payload = Encoding.UTF8.GetString(ManifestEditor.RawPayload(dir.Path));
        Assert.Contains(from, payload, StringComparison.Ordinal);
        ManifestEditor.Sign(dir.Path, Encoding.UTF8.GetBytes(payload.Replace(from, to, StringComparison.Ordinal)));
        RefusedWith(dir.Path, Checkpoint.ManifestFile);
    }

    [Fact]
    public void Edits_that_keep_the_checkpoint_valid_are_accepted()
    {
        // the editor itself is sound: re-signing an unchanged payload (re-indented) resumes as before
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        ManifestEditor.Edit(dir.Path, _ => { });
        var (train, validation) = CheckpointSetup.Data();
        History h = CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, 3) with { ResumeFrom = dir.Path });
        Assert.Equal([0, 1, 2], h.Epochs.Select(e => e.Epoch));
        Assert.IsType<JsonObject>(ManifestEditor.Payload(dir.Path));
    }
}
