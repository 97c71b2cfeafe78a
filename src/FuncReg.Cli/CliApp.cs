using System.CommandLine;
using FuncReg.Cli.Commands;

namespace FuncReg.Cli;

/// <summary>The <c>funcreg</c> command tree and its one entry point (used by Program and by in-process tests).</summary>
internal static class CliApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("funcreg — train regularized neural networks and compare regularization techniques.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Every command's action runs inside <see cref="CliErrors.Run"/>; this
    /// catches whatever could escape around them (parsing, help), so no exception leaves the process as a stack trace.
    /// </summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        try
        {
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            if (output is not null)
            {
                config.Output = output;
            }
            if (error is not null)
            {
                config.Error = error;
            }
            return CreateRoot().Parse(args).Invoke(config);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, error ?? Console.Error);
        }
    }
}
