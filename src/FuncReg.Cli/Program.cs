using System.CommandLine;
using FuncReg.Cli.Commands;

var root = new RootCommand("funcreg — train regularized neural networks and compare regularization techniques.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return root.Parse(args).Invoke();
