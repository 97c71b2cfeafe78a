namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// A checkpoint write interrupted at any of its disk steps (an exception thrown from <see cref="AtomicFile.StepHook"/>,
/// in process) leaves a checkpoint that reads: the previous one or the new one, never a mix. The SIGKILL version of
/// this test, with no cleanup at all, is <c>KillDuringCheckpointTests</c/>.
/// </summary>
[Collection(StepHookCollection.Name)]
public class CrashDuringWriteTests
{
    private sealed class SimulatedCrash : Exception
    {
    }

    [Fact]
    public void A_crash_at_any_step_of_a_write_leaves_a_readable_checkpoint()
    {
        var (train, validation) = CheckpointSetup.Data();
        int crashes = 0;
        for (int k = 1; ; k++)
        {
            using var dir = new TempDirectory();
            CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, 1) with { Checkpoint = new CheckpointOptions(dir.Path) });
            int steps = 0;
            AtomicFile.StepHook = step =>
            {
                if (step.Contains(dir.Path, StringComparison.Ordinal) && ++steps == k)
                {
                    throw new SimulatedCrash();
                }
            };
            try
            {
                CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, 2) with { ResumeFrom = dir.Path, Checkpoint = new CheckpointOptions(dir.Path) });
            }
            catch (SimulatedCrash)
            {
                crashes++;
            }
            finally
            {
                AtomicFile.StepHook = null;
            }
            if (steps < k)
            {
                break; // the write has fewer steps than k: every step was crashed at
            }
            CheckpointInfo info = Checkpoint.Inspect(dir.Path);
            Assert.True(info.Epoch is 1 or 2, $"crash at step {k}: epoch {info.Epoch}");

            // the next write removes whatever the interrupted one left and publishes under a new number
            CheckpointSetup.Build("compiled").Fit(train, CheckpointSetup.Options(validation, 3) with { ResumeFrom = dir.Path, Checkpoint = new CheckpointOptions(dir.Path) });
            Assert.DoesNotContain(Directory.GetDirectories(dir.Path), d => Path.GetFileName(d).StartsWith('.'));
            Assert.Equal(3, Checkpoint.Inspect(dir.Path).Epoch);
            Assert.True(Checkpoint.Inspect(dir.Path).Sequence > info.Sequence);
        }
        Assert.True(crashes >= 20, $"only {crashes} steps");
    }
}

/// <summary>Tests that set the process-wide <see cref="AtomicFile.StepHook"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StepHookCollection
{
    public const string Name = "AtomicFile.StepHook";
}
