using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace FuncReg.Cli.Commands;

/// <summary><c>funcreg evaluate</c>: loss, accuracy and per-class accuracy of saved weights on the test data.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var selection = new ModelSelection();
        var weights = new Option<FileInfo>("--weights") { Description = "The .safetensors weights (from train --save, a checkpoint's weights.safetensors, or ModelCheckpoint).", Required = true };
        var cmd = new Command("evaluate", "Evaluate saved weights on the test data (the training data when there is none): loss, accuracy, per-class accuracy.");
        selection.AddTo(cmd);
        cmd.Options.Add(weights);
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            IAnsiConsole console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 400); // one line per epoch, never wrapped
            }
            Workbench bench = selection.Resolve(parse);
            using CompiledModel model = selection.Build(parse, bench.Spec);
            model.Load(parse.GetValue(weights)!.FullName);
            (string name, Dataset data) = bench.Test is { } test ? ("test", test) : ("train", bench.Train);
            Evaluation e = model.Evaluate(data);
            console.WriteLine($"{bench.Name}: {CliErrors.Describe(bench.Spec)}");
            TrainCommand.Report(console, name, e);
            if (e.Accuracy is not null && data.HasLabels)
            {
                console.Write(PerClass(model, data, bench.ClassNames));
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Accuracy of each class: argmax of the outputs (≥ 0.5, or logit ≥ 0, for one sigmoid unit).</summary>
    internal static Table PerClass(IModel model, Dataset data, IReadOnlyList<string>? names)
    {
        float[] outputs = model.Predict(data);
        int units = model.OutputSize, classes = units == 1 ? 2 : units;
        var correct = new int[classes];
        var count = new int[classes];
        float threshold = model.Spec.FromLogits ? 0f : 0.5f;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = outputs.AsSpan(i * units, units);
            int predicted = units == 1 ? (row[0] >= threshold ? 1 : 0) : row.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(row));
            int label = data.Labels[i];
            count[label]++;
            correct[label] += predicted == label ? 1 : 0;
        }
        var table = new Table().AddColumn("class").AddColumn(new TableColumn("samples").RightAligned()).AddColumn(new TableColumn("accuracy").RightAligned());
        for (int c = 0; c < classes; c++)
        {
            string name = names is not null && c < names.Count ? $"{c} {names[c]}" : c.ToString(CultureInfo.InvariantCulture);
            string acc = count[c] == 0 ? "—" : ((double)correct[c] / count[c]).ToString("F4", CultureInfo.InvariantCulture);
            table.AddRow(Markup.Escape(name), count[c].ToString(CultureInfo.InvariantCulture), acc);
        }
        return table;
    }
}
