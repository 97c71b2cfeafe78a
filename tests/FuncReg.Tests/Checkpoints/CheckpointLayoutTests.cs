namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// The checkpoint directory: one <c>checkpoint-N</c> subdirectory per checkpoint, the newest
/// <see cref="CheckpointOptions.Keep"/> kept, numbers never reused, left-overs of interrupted writes ignored and removed,
/// the newest read (or one given by name), the earlier single-directory layout still read.
/// </summary>
public class CheckpointLayoutTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Fixtures", name);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static string[] Entries(string dir) => [.. Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static History Train(string dir, int epochs, int keep = CheckpointOptions.DefaultKeep, string? resume = null, IModel? model = null)
    {
        var (train, validation) = CheckpointSetup.Data();
        return (model ?? CheckpointSetup.Build("compiled")).Fit(train, CheckpointSetup.Options(validation, epochs) with { Checkpoint = new CheckpointOptions(dir) { Keep = keep }, ResumeFrom = resume });
    }

    [Theory]
    [InlineData("v1-mid-epoch", 2, 4)] // cancelled in epoch 2 before batch 4 by the release before this layout
    [InlineData("v1-epoch-start", 3, 0)] // cancelled before epoch 3: the running sums of epoch 2 were written too
    public void Checkpoints_of_the_earlier_layout_still_resume_bit_identically(string fixture, int epoch, int batch)
    {
        var (train, validation) = CheckpointSetup.Data();
        IModel whole = CheckpointSetup.Build("compiled");
        History full = whole.Fit(train, CheckpointSetup.Options(validation));

        using var dir = new TempDirectory();
        CopyDirectory(Fixture(fixture), dir.Path);
        CheckpointInfo info = Checkpoint.Inspect(dir.Path);
        Assert.Equal((epoch, batch), (info.Epoch, info.Batch));
        Assert.Null(info.Sequence);
        Assert.Equal(dir.Path, info.Path);
        Assert.Empty(info.Checkpoints);
        Assert.Equal(dir.Path, Checkpoint.Latest(dir.Path));

        // resuming writes the new layout beside the old files; the newest is then the new one
        IModel second = CheckpointSetup.Build("compiled");
        History rest = Train(dir.Path, 8, resume: dir.Path, model: second);
        Assert.True(TestData.SameBits(whole.GetWeights(), second.GetWeights()), "resumed weights differ from the uninterrupted run");
        Assert.Equal(CheckpointSetup.Logs(full), CheckpointSetup.Logs(rest));
        Assert.Equal(dir["checkpoint-" + (8 - epoch).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)], Checkpoint.Latest(dir.Path));
        Assert.Contains(Checkpoint.ManifestFile, Entries(dir.Path)); // the earlier checkpoint is left as it was
    }

    [Fact]
    public void Keep_prunes_older_checkpoints_and_numbers_are_never_reused()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 5);
        Assert.Equal(["checkpoint-000004", "checkpoint-000005"], Entries(dir.Path));
        Assert.Equal([dir["checkpoint-000004"], dir["checkpoint-000005"]], Checkpoint.List(dir.Path));
        Assert.Equal(dir["checkpoint-000005"], Checkpoint.Latest(dir.Path));
        CheckpointInfo info = Checkpoint.Inspect(dir.Path);
        Assert.Equal(5, info.Sequence);
        Assert.Equal(dir["checkpoint-000005"], info.Path);
        Assert.Equal(Checkpoint.List(dir.Path), info.Checkpoints);

        Train(dir.Path, 7, keep: 3, resume: dir.Path); // epochs 5 and 6 continue the numbering
        Assert.Equal(["checkpoint-000005", "checkpoint-000006", "checkpoint-000007"], Entries(dir.Path));
        Train(dir.Path, 8, keep: 1, resume: dir.Path);
        Assert.Equal(["checkpoint-000008"], Entries(dir.Path));
        Assert.Equal(8, Checkpoint.Inspect(dir.Path).Epoch);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckpointOptions(dir.Path) { Keep = 0 });
    }

    [Fact]
    public void Left_overs_of_interrupted_writes_are_ignored_by_readers_and_removed_by_the_next_write()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 2);
        Directory.CreateDirectory(dir[".checkpoint-000009.tmp"]);
        File.WriteAllText(Path.Combine(dir[".checkpoint-000009.tmp"], Checkpoint.WeightsFile), "half written");
        Directory.CreateDirectory(dir[".checkpoint-000001.del"]);
        Assert.Equal(dir["checkpoint-000002"], Checkpoint.Latest(dir.Path));
        Assert.Equal(2, Checkpoint.Inspect(dir.Path).Epoch);

        Train(dir.Path, 3, resume: dir.Path);
        // number 9 may have been published before a crash: the next is 10
        Assert.Equal(["checkpoint-000002", "checkpoint-000010"], Entries(dir.Path));
    }

    [Fact]
    public void A_checkpoint_directory_given_by_name_is_read_even_when_newer_ones_exist()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 3, keep: 3);
        Assert.Equal(1, Checkpoint.Inspect(dir["checkpoint-000001"]).Epoch);
        Assert.Equal(dir["checkpoint-000001"], Checkpoint.Latest(dir["checkpoint-000001"]));
        History h = Train(dir["elsewhere"], 4, resume: dir["checkpoint-000001"]);
        Assert.Equal([0, 1, 2, 3], h.Epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void A_failing_newest_checkpoint_is_named_with_the_older_ones_and_never_skipped()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 3, keep: 3);
        string weights = Path.Combine(dir["checkpoint-000003"], Checkpoint.WeightsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1;
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
        Assert.Equal(weights, e.Path);
        Assert.StartsWith(weights + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"older ones, not tried: {dir["checkpoint-000002"]}, {dir["checkpoint-000001"]}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(2, Checkpoint.Inspect(dir["checkpoint-000002"]).Epoch);
    }

    [Fact]
    public void Checkpoint_directories_swapped_or_renamed_are_refused()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 2);
        Directory.Move(dir["checkpoint-000002"], dir["swap"]);
        Directory.Move(dir["checkpoint-000001"], dir["checkpoint-000002"]);
        Directory.Move(dir["swap"], dir["checkpoint-000001"]);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Inspect(dir.Path));
        Assert.Contains("$.payload.sequence: 1, but the files are in checkpoint-000002", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_diverged_model_is_not_written_and_the_last_good_checkpoint_stays()
    {
        using var dir = new TempDirectory();
        Train(dir.Path, 1);
        byte[] before = File.ReadAllBytes(Path.Combine(dir["checkpoint-000001"], Checkpoint.ManifestFile));
        var (train, validation) = CheckpointSetup.Data();
        IModel model = CheckpointSetup.Build("compiled");
        model.Parameters[2].Values[1] = float.NaN;
        FitOptions options = CheckpointSetup.Options(validation) with { Checkpoint = new CheckpointOptions(dir.Path) };
        var e = Assert.Throws<NonFiniteStateException>(() => Checkpoint.Write(dir.Path, model, options, new History(), new FitPosition(1), 7, train.Count, null));
        Assert.Equal(model.Parameters[2].Name, e.Tensor);
        Assert.Contains($"writing checkpoint {dir.Path} refused", e.Message, StringComparison.Ordinal);
        Assert.Equal(["checkpoint-000001"], Entries(dir.Path));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir["checkpoint-000001"], Checkpoint.ManifestFile)));

        // nothing touches the disk: not even the directory is created
        Assert.Throws<NonFiniteStateException>(() => Checkpoint.Write(dir["new"], model, options, new History(), new FitPosition(1), 7, train.Count, null));
        Assert.False(Directory.Exists(dir["new"]));
    }

    [Fact]
    public void Latest_and_List_of_empty_or_missing_directories()
    {
        using var dir = new TempDirectory();
        Assert.Null(Checkpoint.Latest(dir.Path));
        Assert.Null(Checkpoint.Latest(dir["missing"]));
        Assert.Empty(Checkpoint.List(dir.Path));
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Inspect(dir.Path));
        Assert.Contains("holds no checkpoint", e.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Inspect(dir["missing"]));
    }

    [Fact]
    public void Directories_are_flushed_to_disk()
    {
        using var dir = new TempDirectory();
        AtomicFile.FlushDirectory(dir.Path);
        if (!OperatingSystem.IsWindows())
        {
            var e = Assert.Throws<IOException>(() => AtomicFile.FlushDirectory(dir["missing"]));
            Assert.Contains(dir["missing"], e.Message, StringComparison.Ordinal);
        }
    }
}
