using System.Text;

namespace FuncReg.Tests.Checkpoints;

/// <summary>Corrupt, truncated, mismatched and other-model checkpoints are refused with a typed error; writes are atomic.</summary>
public class CheckpointFormatTests
{
    /// <summary>A two-epoch checkpoint of the shared setup in <paramref name="dir"/>.</summary>
    private static void WriteCheckpoint(TempDirectory dir, int epochs = 2)
    {
        var (train, validation) = CheckpointSetup.Data();
        CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, epochs) with { Checkpoint = new CheckpointOptions(dir.Path) });
    }

    /// <summary>Resumes into a fresh model and expects <typeparamref name="T"/>; the model must be left untouched.</summary>
    private static T Refused<T>(string directory, IModel? model = null, Func<FitOptions, FitOptions>? change = null)
        where T : Exception
    {
        var (train, validation) = CheckpointSetup.Data();
        model ??= CheckpointSetup.Build("compiled");
        float[][] before = model.GetWeights();
        long step = model.Step;
        FitOptions options = CheckpointSetup.Options(validation) with { ResumeFrom = directory };
        T e = Assert.Throws<T>(() => model.Fit(train, change is null ? options : change(options)));
        Assert.True(TestData.SameBits(before, model.GetWeights()), "the model was changed by a refused checkpoint");
        Assert.Equal(step, model.Step);
        return e;
    }

    /// <summary>A file of the newest checkpoint in <paramref name="dir"/>.</summary>
    private static string File(TempDirectory dir, string file) => Path.Combine(Checkpoint.Latest(dir.Path)!, file);

    private static CheckpointFormatException RefusedFile(TempDirectory dir, string file, string expected)
    {
        var e = Refused<CheckpointFormatException>(dir.Path);
        Assert.Equal(File(dir, file), e.Path);
        Assert.Contains(File(dir, file), e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData(Checkpoint.WeightsFile)]
    [InlineData(Checkpoint.StateFile)]
    public void A_truncated_tensor_file_fails_its_checksum(string file)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        byte[] bytes = System.IO.File.ReadAllBytes(File(dir, file));
        System.IO.File.WriteAllBytes(File(dir, file), bytes[..(bytes.Length / 2)]);
        RefusedFile(dir, file, "SHA-256 does not match");
        Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
    }

    [Fact]
    public void A_flipped_bit_in_the_weights_is_detected()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        byte[] bytes = System.IO.File.ReadAllBytes(File(dir, Checkpoint.WeightsFile));
        bytes[^5] ^= 0x10;
        System.IO.File.WriteAllBytes(File(dir, Checkpoint.WeightsFile), bytes);
        RefusedFile(dir, Checkpoint.WeightsFile, "SHA-256 does not match");
    }

    [Fact]
    public void An_edited_manifest_fails_its_checksum()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        string text = System.IO.File.ReadAllText(File(dir, Checkpoint.ManifestFile));
        Assert.Contains("\"epoch\": 2,", text, StringComparison.Ordinal);
        System.IO.File.WriteAllText(File(dir, Checkpoint.ManifestFile), text.Replace("\"epoch\": 2,", "\"epoch\": 1,", StringComparison.Ordinal));
        RefusedFile(dir, Checkpoint.ManifestFile, "payload does not match its SHA-256");
    }

    [Fact]
    public void A_truncated_manifest_is_not_valid_json()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        byte[] bytes = System.IO.File.ReadAllBytes(File(dir, Checkpoint.ManifestFile));
        System.IO.File.WriteAllBytes(File(dir, Checkpoint.ManifestFile), bytes[..(bytes.Length - 20)]);
        RefusedFile(dir, Checkpoint.ManifestFile, "not valid JSON");
    }

    [Fact]
    public void A_wrong_format_version_is_named_with_its_json_path()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        // rewrite the payload with another version and a matching checksum: the version check, not the checksum, fails
        string text = System.IO.File.ReadAllText(File(dir, Checkpoint.ManifestFile));
        int start = text.IndexOf("\"payload\": ", StringComparison.Ordinal) + "\"payload\": ".Length;
        string payload = text[start..text.LastIndexOf('}')].TrimEnd().Replace("\"version\": 2", "\"version\": 7", StringComparison.Ordinal);
        Assert.Contains("\"version\": 7", payload, StringComparison.Ordinal);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(payload)));
        System.IO.File.WriteAllText(File(dir, Checkpoint.ManifestFile), $"{{\"sha256\": \"{sha}\", \"payload\": {payload}}}");
        RefusedFile(dir, Checkpoint.ManifestFile, "$.payload.format is 'funcreg-checkpoint' version 7; expected 'funcreg-checkpoint' version 1");
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        Sequential other = Sequential.Of(16, new Dense(5, Activation.Relu), new Dropout(0.25), new Dense(3, Activation.Softmax));
        var e = Refused<CheckpointFormatException>(dir.Path, new CompiledModel(other, seed: 11));
        Assert.Contains("written for another model", e.Message, StringComparison.Ordinal);
        Assert.Contains("Units = 12", e.Message, StringComparison.Ordinal);
        Assert.Equal(File(dir, Checkpoint.ManifestFile), e.Path);
    }

    [Fact]
    public void A_checkpoint_of_another_seed_optimizer_or_callback_list_is_refused()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir);
        Assert.Contains("seed 11", Refused<CheckpointFormatException>(dir.Path, CheckpointSetup.Build("compiled", seed: 12)).Message, StringComparison.Ordinal);
        Assert.Contains("optimizer", Refused<CheckpointFormatException>(dir.Path, change: o => o with { Optimizer = new SGD(0.1) }).Message, StringComparison.Ordinal);
        Assert.Contains("callbacks [EarlyStopping, ReduceLROnPlateau]", Refused<CheckpointFormatException>(dir.Path, change: o => o with { Callbacks = [] }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mid_epoch_checkpoint_needs_the_same_batches()
    {
        using var dir = new TempDirectory();
        var (train, validation) = CheckpointSetup.Data();
        using var cts = new CancellationTokenSource();
        CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation) with { Checkpoint = new CheckpointOptions(dir.Path), CancellationToken = cts.Token, Progress = new CancelAt(cts, 0, 2) });
        var e = Refused<CheckpointFormatException>(dir.Path, change: o => o with { BatchSize = 5 });
        Assert.Contains("middle of epoch 0 (before batch 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directory_and_missing_files_name_the_path()
    {
        using var dir = new TempDirectory();
        string missing = dir["nope"];
        Assert.Contains(missing, Refused<DirectoryNotFoundException>(missing).Message, StringComparison.Ordinal);
        WriteCheckpoint(dir);
        string state = File(dir, Checkpoint.StateFile);
        System.IO.File.Delete(state);
        // a checkpoint directory given by name: the missing file
        var e = Refused<FileNotFoundException>(Checkpoint.Latest(dir.Path)!);
        Assert.Equal(state, e.FileName);
        // the parent: its newest checkpoint is incomplete, which is named (and not skipped)
        var newest = Refused<CheckpointFormatException>(dir.Path);
        Assert.Equal(state, newest.Path);
        Assert.Contains($"it is the newest checkpoint in {dir.Path}; older ones, not tried: {dir["checkpoint-000001"]}", newest.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_leave_no_temporary_files_and_a_failed_write_keeps_the_previous_checkpoint()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir, epochs: 1);
        Assert.Equal(["checkpoint-000001"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        string first = dir["checkpoint-000001"];
        Assert.Equal([Checkpoint.ManifestFile, Checkpoint.StateFile, Checkpoint.WeightsFile], Directory.GetFileSystemEntries(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        byte[][] before = [.. new[] { Checkpoint.WeightsFile, Checkpoint.StateFile, Checkpoint.ManifestFile }.Select(f => System.IO.File.ReadAllBytes(Path.Combine(first, f)))];

        // a file where the next checkpoint's directory must go makes the next write fail at its publishing rename
        System.IO.File.WriteAllText(dir["checkpoint-000002"], "in the way");
        var (train, validation) = CheckpointSetup.Data();
        Exception e = Assert.ThrowsAny<Exception>(() => CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, 1) with { Checkpoint = new CheckpointOptions(dir.Path), Callbacks = [] }));
        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        System.IO.File.Delete(dir["checkpoint-000002"]);

        Assert.Equal(["checkpoint-000001"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName)); // the temporary directory is gone
        byte[][] after = [.. new[] { Checkpoint.WeightsFile, Checkpoint.StateFile, Checkpoint.ManifestFile }.Select(f => System.IO.File.ReadAllBytes(Path.Combine(first, f)))];
        Assert.True(before.Zip(after).All(p => p.First.AsSpan().SequenceEqual(p.Second)));
        Assert.Equal(1, Checkpoint.Inspect(dir.Path).Epoch);
    }

    [Fact]
    public void Callback_state_round_trips_with_nulls_and_non_finite_values()
    {
        using var dir = new TempDirectory();
        var (train, validation) = CheckpointSetup.Data();
        var stopper = new EarlyStopping { Monitor = "val_loss", Patience = 5, RestoreBestWeights = true };
        var plateau = new ReduceLROnPlateau { Monitor = "val_loss" };
        var saver = new ModelCheckpoint(dir["best.safetensors"]);
        FitOptions options = CheckpointSetup.Options(validation, 3) with { Callbacks = [stopper, plateau, saver], Checkpoint = new CheckpointOptions(dir["ckpt"]) };
        CheckpointSetup.Build("compiled").Fit(train, options);

        var restored = new EarlyStopping { Monitor = "val_loss", Patience = 5, RestoreBestWeights = true };
        var saver2 = new ModelCheckpoint(dir["best.safetensors"]);
        IModel model = CheckpointSetup.Build("compiled");
        model.Fit(train, options with { Callbacks = [restored, new ReduceLROnPlateau { Monitor = "val_loss" }, saver2], Checkpoint = null, ResumeFrom = dir["ckpt"] });
        Assert.Equal(stopper.Best, restored.Best);
        Assert.Equal(stopper.BestEpoch, restored.BestEpoch);
        Assert.Equal(stopper.Wait, restored.Wait);
        Assert.Equal(saver.LastSavedEpoch, saver2.LastSavedEpoch);

        var bag = new CallbackState("test");
        bag.Set("nan", double.NaN);
        bag.Set("none", null);
        Assert.True(double.IsNaN(bag.GetDouble("nan")!.Value));
        Assert.Null(bag.GetDouble("none"));
        Assert.Contains("test: the checkpoint has no state 'other'", Assert.Throws<CheckpointFormatException>(() => bag.GetDouble("other")).Message, StringComparison.Ordinal);
    }
}
