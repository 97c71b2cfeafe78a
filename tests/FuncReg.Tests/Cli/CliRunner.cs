using FuncReg.Cli;
using Spectre.Console;

namespace FuncReg.Tests.Cli;

/// <summary>Runs <c>funcreg</c> in-process, exactly as Program does, with stdout and stderr captured.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args) => RunWithWidth(400, args);

    /// <summary>As <see cref="Run"/> on a console of <paramref name="width"/> columns.</summary>
    public static (int Code, string Out, string Err) RunWithWidth(int width, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        IAnsiConsole previousAnsi = AnsiConsole.Console;
        TextWriter previousOut = Console.Out, previousError = Console.Error;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        AnsiConsole.Console.Profile.Width = width;
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = CliApp.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
            AnsiConsole.Console = previousAnsi;
        }
    }
}
