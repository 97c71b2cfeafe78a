using System.CommandLine;
using FuncReg.Cli.Commands;

var root = new RootCommand("funcreg — train regularized neural networks and compare regularization techniques.");
root.Subcommands.Add(CompareCommand.Create());
return root.Parse(args).Invoke();
