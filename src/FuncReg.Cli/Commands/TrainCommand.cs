using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace FuncReg.Cli.Commands;

/// <summary>
/// <c>funcreg train</c>: a preset or JSON model on Fashion-MNIST, CSV or the embedded football2d data, on the fused
/// engine, with every optimizer, penalty override, callback and augmentation option; checkpoints, resume, Ctrl-C.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Cancelled by Ctrl-C; tests may cancel it to simulate one.</summary>
    internal static Func<CancellationTokenSource> CancellationSource { get; set; } = () => new CancellationTokenSource();

    public static Command Create()
    {
        var selection = new ModelSelection();
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: the preset's; 10 for --model)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Samples per step (default: mlp 128, football 32, --model 32)." };
        var optimizer = new Option<string?>("--optimizer") { Description = "sgd | adam | adamw | rmsprop (default adam)." };
        optimizer.AcceptOnlyFromAmong("sgd", "adam", "adamw", "rmsprop");
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the preset's, else the optimizer's Keras default)." };
        var momentum = new Option<double>("--momentum") { Description = "SGD / RMSprop momentum in [0, 1)." };
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (SGD)." };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Decoupled weight decay w ← w − lr·wd·w (kernels only; AdamW default 0.004)." };
        var coupledDecay = new Option<double?>("--coupled-weight-decay") { Description = "PyTorch-style weight decay g ← g + wd·w." };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Rescale each gradient tensor to norm ≤ c." };
        var clipValue = new Option<double?>("--clip-value") { Description = "Clamp each gradient entry to [−c, c]." };
        var globalClipNorm = new Option<double?>("--global-clip-norm") { Description = "Rescale all gradients together to norm ≤ c." };
        var validationSplit = new Option<double>("--validation-split") { Description = "Fraction held out for validation (stratified, seeded); 0 for none.", DefaultValueFactory = _ => 0.1 };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "EarlyStopping with this patience on val_loss (loss without validation), best weights restored." };
        var reduceLr = new Option<int?>("--reduce-lr") { Description = "ReduceLROnPlateau with this patience (factor 0.5) on val_loss (loss without validation)." };
        var lrSchedule = new Option<string?>("--lr-schedule") { Description = "Learning-rate schedule per epoch: constant (default) | cosine | step | exponential (a LearningRateScheduler; not with --reduce-lr)." };
        lrSchedule.AcceptOnlyFromAmong("constant", "cosine", "step", "exponential");
        var warmupEpochs = new Option<int?>("--warmup-epochs") { Description = "cosine: W epochs of linear warm-up, epoch e < W at lr·(e+1)/(W+1), then the cosine from lr (default 0)." };
        var minLr = new Option<double?>("--min-lr") { Description = "cosine: the final rate, in [0, lr) (CosineDecay alpha = min-lr/lr; default 0)." };
        var decayEpochs = new Option<int?>("--decay-epochs") { Description = "cosine: epochs of decay after the warm-up (default epochs − warm-up); step: epochs between drops (required); exponential: epochs per factor decay-rate (default 1)." };
        var decayRate = new Option<double?>("--decay-rate") { Description = "step: factor per drop in (0, 1) (default 0.1); exponential: factor per decay-epochs in (0, 1) (default 0.9)." };
        var flip = new Option<bool>("--flip") { Description = "Augmentation: random horizontal flips (image data)." };
        var vflip = new Option<bool>("--vflip") { Description = "Augmentation: random vertical flips (image data)." };
        var rotation = new Option<double>("--rotation") { Description = "Augmentation: rotation range in degrees (image data)." };
        var shift = new Option<double>("--shift") { Description = "Augmentation: width and height shift range (< 1 fraction, ≥ 1 pixels; image data)." };
        var zoom = new Option<double>("--zoom") { Description = "Augmentation: zoom range in [0, 1) (image data)." };
        var noise = new Option<double>("--noise") { Description = "Augmentation: σ of additive Gaussian input noise." };
        var erasing = new Option<double>("--erasing") { Description = "Augmentation: random-erasing probability (image data)." };
        var mixup = new Option<double>("--mixup") { Description = "Augmentation: mixup α (> 0 turns it on)." };
        var checkpoint = new Option<DirectoryInfo?>("--checkpoint") { Description = "Write checkpoints to this directory, each a checkpoint-N subdirectory (weights.safetensors, state.safetensors, checkpoint.json), the newest two kept; also on Ctrl-C." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Checkpoint every N epochs (and after the last).", DefaultValueFactory = _ => 1 };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue from the newest checkpoint in this directory, or from the checkpoint-N directory given (same model, data, seed and options); checkpoints go there too unless --checkpoint is given." };
        var save = new Option<FileInfo?>("--save") { Description = "Write the final weights to this .safetensors file." };
        var logEvery = new Option<int>("--log-every") { Description = "Without a terminal: print every N-th epoch's line (and the last).", DefaultValueFactory = _ => 1 };

        var cmd = new Command("train", "Train a preset or JSON model (fused engine) and print train/validation/test accuracy. Ctrl-C writes a checkpoint and exits with code 130.");
        selection.AddTo(cmd);
        foreach (Option o in new Option[]
        {
            epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, coupledDecay, clipNorm, clipValue, globalClipNorm,
            validationSplit, earlyStopping, reduceLr, lrSchedule, warmupEpochs, minLr, decayEpochs, decayRate, flip, vflip, rotation, shift, zoom, noise, erasing, mixup,
            checkpoint, checkpointEvery, resume, save, logEvery,
        })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            IAnsiConsole console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 400); // one line per epoch, never wrapped
            }
            Workbench bench = selection.Resolve(parse);
            Sequential spec = bench.Spec;
            long seed = parse.GetValue(selection.Seed);
            double split = parse.GetValue(validationSplit);
            if (!(split >= 0 && split < 1))
            {
                throw new UsageException($"--validation-split must be in [0, 1), got {split}.");
            }
            int every = parse.GetValue(logEvery);
            if (every < 1 || parse.GetValue(checkpointEvery) < 1)
            {
                throw new UsageException("--log-every and --checkpoint-every must be ≥ 1.");
            }
            (Dataset train, Dataset? validation) = split == 0 ? (bench.Train, null)
                : bench.Train.HasLabels ? bench.Train.Split(split, seed) : bench.Train.SplitLast(split);
            string monitor = validation is null ? "loss" : "val_loss";
            var callbacks = new List<Callback>();
            if (parse.GetValue(earlyStopping) is { } patience)
            {
                callbacks.Add(new EarlyStopping { Monitor = monitor, Patience = patience, RestoreBestWeights = true });
            }
            if (parse.GetValue(reduceLr) is { } plateau)
            {
                callbacks.Add(new ReduceLROnPlateau { Monitor = monitor, Patience = plateau, Factor = 0.5 });
            }
            int epochCount = parse.GetValue(epochs) ?? bench.Epochs;
            var augmentation = new FuncReg.Augmentation
            {
                HorizontalFlip = parse.GetValue(flip),
                VerticalFlip = parse.GetValue(vflip),
                RotationRange = parse.GetValue(rotation),
                WidthShiftRange = parse.GetValue(shift),
                HeightShiftRange = parse.GetValue(shift),
                ZoomRange = parse.GetValue(zoom),
                GaussianNoise = parse.GetValue(noise),
                ErasingProbability = parse.GetValue(erasing),
                MixupAlpha = parse.GetValue(mixup),
            };
            string? resumeFrom = parse.GetValue(resume)?.FullName;
            string? checkpointDir = parse.GetValue(checkpoint)?.FullName ?? resumeFrom;
            Optimizer opt = BuildOptimizer(parse.GetValue(optimizer) ?? bench.Optimizer, parse.GetValue(lr) ?? bench.LearningRate, parse.GetValue(momentum), parse.GetValue(nesterov),
                parse.GetValue(weightDecay), parse.GetValue(coupledDecay), parse.GetValue(clipNorm), parse.GetValue(clipValue), parse.GetValue(globalClipNorm));

            LearningRateSchedule? schedule = BuildSchedule(parse.GetValue(lrSchedule), opt.LearningRate, epochCount,
                parse.GetValue(warmupEpochs), parse.GetValue(minLr), parse.GetValue(decayEpochs), parse.GetValue(decayRate));
            if (schedule is not null)
            {
                if (parse.GetValue(reduceLr) is not null)
                {
                    throw new UsageException("--lr-schedule and --reduce-lr both set the learning rate: the schedule would undo every reduction one epoch later. Give one of them.");
                }
                callbacks.Add(new LearningRateScheduler(schedule));
            }

            using CompiledModel model = selection.Build(parse, spec);
            // Every input is checked before anything is trained or written: the held-out data against the model,
            // and the places the run will write to.
            model.EnsureFits(train, "the training data");
            if (validation is not null)
            {
                model.EnsureFits(validation, "the validation data");
            }
            if (bench.Test is { } testData)
            {
                model.EnsureFits(testData, "the test data");
            }
            FileInfo? saveTo = parse.GetValue(save);
            if (saveTo is not null)
            {
                OutputPaths.CheckFile(saveTo.FullName, "--save");
            }
            if (checkpointDir is not null)
            {
                OutputPaths.CheckDirectory(checkpointDir, resumeFrom == checkpointDir ? "--resume" : "--checkpoint");
            }
            bool interactive = TrainingView.Interactive(console);
            var view = new TrainingView(console, every);
            using CancellationTokenSource cts = CancellationSource();
            var options = new FitOptions
            {
                Epochs = epochCount,
                BatchSize = parse.GetValue(batchSize) ?? bench.BatchSize,
                Optimizer = opt,
                Validation = validation,
                Callbacks = callbacks,
                Augmentation = augmentation.IsIdentity ? null : augmentation,
                Checkpoint = checkpointDir is null ? null : new CheckpointOptions(checkpointDir) { EveryEpochs = parse.GetValue(checkpointEvery) },
                ResumeFrom = resumeFrom,
                CancellationToken = cts.Token,
                Progress = view,
            };
            console.WriteLine($"{bench.Name}: {CliErrors.Describe(spec)}");
            console.WriteLine($"{train.Count} training, {validation?.Count ?? 0} validation, {bench.Test?.Count ?? 0} test samples; {CliErrors.Describe(opt)}{(schedule is null ? "" : $", {Describe(schedule)}")}; {options.Epochs} epochs, batch {options.BatchSize}, seed {seed}");
            if (resumeFrom is not null)
            {
                CheckpointInfo info = Checkpoint.Inspect(resumeFrom);
                console.WriteLine($"resuming from {info.Path}: epoch {info.Epoch + 1}, batch {info.Batch}, step {info.Step}");
            }
            void OnCancel(object? sender, ConsoleCancelEventArgs e)
            {
                e.Cancel = true;
                cts.Cancel();
            }
            Console.CancelKeyPress += OnCancel;
            History history;
            try
            {
                history = view.Run(interactive, () => model.Fit(train, options));
            }
            finally
            {
                Console.CancelKeyPress -= OnCancel;
            }
            if (history.Cancelled)
            {
                Console.Error.WriteLine(checkpointDir is null
                    ? $"interrupted: {history.StopReason} No --checkpoint was given, so nothing was saved."
                    : $"interrupted: {history.StopReason} Continue with: funcreg train … --resume {checkpointDir}");
                return CliErrors.Interrupted;
            }
            if (interactive)
            {
                foreach (EpochLog log in history.Epochs.TakeLast(1))
                {
                    console.WriteLine(TrainingView.Line(log, options.Epochs));
                }
            }
            if (history.StopReason is { } reason)
            {
                console.WriteLine($"stopped: {reason}");
            }
            if (history.RestoredEpoch is { } restored)
            {
                console.WriteLine($"restored the weights of epoch {restored + 1}");
            }
            if (saveTo is { } file)
            {
                model.Save(file.FullName);
                console.WriteLine($"weights saved to {file.FullName}");
            }
            Report(console, "train", model.Evaluate(train));
            if (validation is not null)
            {
                Report(console, "val", model.Evaluate(validation));
            }
            if (bench.Test is { } test)
            {
                Report(console, "test", model.Evaluate(test));
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The optimizer of <paramref name="name"/> with the command line's settings; a null rate keeps Keras's default.</summary>
    internal static Optimizer BuildOptimizer(string name, double? lr, double momentum, bool nesterov, double? weightDecay, double? coupled, double? clipNorm, double? clipValue, double? globalClipNorm)
    {
        Optimizer o = name switch
        {
            "sgd" => new SGD(lr ?? 0.01) { Momentum = momentum, Nesterov = nesterov },
            "rmsprop" => new RMSprop(lr ?? 0.001) { Momentum = momentum },
            "adamw" => new AdamW(lr ?? 0.001),
            _ => new Adam(lr ?? 0.001),
        };
        if (momentum != 0 && o is Adam)
        {
            throw new UsageException("--momentum applies to sgd and rmsprop; Adam's momentum is β₁.");
        }
        if (nesterov && o is not SGD)
        {
            throw new UsageException("--nesterov applies to sgd only.");
        }
        o = o with { ClipNorm = clipNorm, ClipValue = clipValue, GlobalClipNorm = globalClipNorm };
        if (weightDecay is { } wd)
        {
            o = o with { WeightDecay = wd };
        }
        if (coupled is { } cd)
        {
            o = o with { CoupledWeightDecay = cd };
        }
        o.Validate();
        return o;
    }

    /// <summary>
    /// The schedule of <c>--lr-schedule</c> for peak rate <paramref name="lr"/> over <paramref name="epochs"/> epochs, or null for
    /// constant; options that do not belong to the chosen schedule, or values out of range, throw <see cref="UsageException"/>.
    /// </summary>
    internal static LearningRateSchedule? BuildSchedule(string? kind, double lr, int epochs, int? warmup, double? minLr, int? decayEpochs, double? decayRate)
    {
        kind ??= "constant";
        void Only(bool given, string option, string kinds)
        {
            if (given)
            {
                throw new UsageException($"{option} applies to --lr-schedule {kinds} only{(kind == "constant" ? "; no --lr-schedule was given" : $", not {kind}")}.");
            }
        }
        Only(warmup is not null && kind != "cosine", "--warmup-epochs", "cosine");
        Only(minLr is not null && kind != "cosine", "--min-lr", "cosine");
        Only(decayEpochs is not null && kind == "constant", "--decay-epochs", "cosine, step and exponential");
        Only(decayRate is not null && kind is "constant" or "cosine", "--decay-rate", "step and exponential");
        if (decayEpochs is < 1)
        {
            throw new UsageException($"--decay-epochs must be ≥ 1, got {decayEpochs}.");
        }
        if (decayRate is { } r && !(r > 0 && r < 1))
        {
            throw new UsageException($"--decay-rate must be in (0, 1), got {r.ToString(CultureInfo.InvariantCulture)}.");
        }
        switch (kind)
        {
            case "cosine":
                int w = warmup ?? 0;
                if (w < 0 || w >= epochs)
                {
                    throw new UsageException($"--warmup-epochs must be in [0, epochs − 1] = [0, {epochs - 1}], got {w}.");
                }
                double min = minLr ?? 0;
                if (!(min >= 0 && min < lr))
                {
                    throw new UsageException($"--min-lr must be in [0, lr) = [0, {lr.ToString(CultureInfo.InvariantCulture)}), got {min.ToString(CultureInfo.InvariantCulture)}.");
                }
                int decay = decayEpochs ?? epochs - w;
                if (min == 0 && w + decay < epochs)
                {
                    throw new UsageException($"with --min-lr 0 and --decay-epochs {decay}, the rate reaches 0 at epoch {w + decay + 1} of {epochs}: give --min-lr > 0 or --decay-epochs ≥ {epochs - w}.");
                }
                // Epoch e < W trains at lr·(e+1)/(W+1): Keras's linear warm-up from lr/(W+1) to lr, which never trains at rate 0.
                return w == 0
                    ? new CosineDecay(lr, decay) { Alpha = min / lr }
                    : new CosineDecay(lr / (w + 1), decay) { Alpha = min / lr, WarmupTarget = lr, WarmupEpochs = w };
            case "step":
                return new StepDecay(lr, decayEpochs ?? throw new UsageException("--lr-schedule step needs --decay-epochs N: the rate is multiplied by --decay-rate (default 0.1) every N epochs."), decayRate ?? 0.1);
            case "exponential":
                return new ExponentialDecay(lr, decayEpochs ?? 1, decayRate ?? 0.9);
            default:
                return null;
        }
    }

    /// <summary><c>cosine decay over 58 epochs to 1e-05 after 2 warm-up epochs</c> and the like.</summary>
    internal static string Describe(LearningRateSchedule schedule)
    {
        static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        return schedule switch
        {
            CosineDecay c => $"cosine decay over {c.DecayEpochs} epochs to {G(c.Alpha * (c.WarmupTarget ?? c.InitialLearningRate))}{(c.WarmupEpochs > 0 ? $" after {c.WarmupEpochs} warm-up epochs from {G(c.InitialLearningRate)}" : "")}",
            StepDecay s => $"step decay ×{G(s.Factor)} every {s.StepEpochs} epochs",
            ExponentialDecay e => $"exponential decay ×{G(e.DecayRate)} per {e.DecayEpochs} epochs{(e.Staircase ? " (staircase)" : "")}",
            _ => schedule.ToString(),
        };
    }

    internal static void Report(IAnsiConsole console, string name, Evaluation e)
    {
        string accuracy = e.Accuracy is { } a ? $"  accuracy {a.ToString("F4", CultureInfo.InvariantCulture)}" : "";
        console.WriteLine($"{name}: loss {e.Loss.ToString("F4", CultureInfo.InvariantCulture)}{accuracy}  ({e.Count} samples)");
    }
}
