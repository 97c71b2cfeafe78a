using System.Diagnostics;
using System.Globalization;
using FuncReg;
using FuncReg.CrashHost;

// FuncReg.CrashHost DIR K [--list] [--finish]: runs CrashScenario.Interrupted into DIR (with --finish: CrashScenario.Finish,
// which resumes from what DIR holds) and sends itself SIGKILL at the K-th disk step of the checkpoint writer (K = 0: never).
// Prints "ready" when training starts, "published checkpoint-N" right after each publishing rename, "step i: what" for
// every step with --list, and "done STEPS" at the end.
if (args.Length < 2 || !long.TryParse(args[1], CultureInfo.InvariantCulture, out long killAt))
{
    Console.Error.WriteLine("usage: FuncReg.CrashHost DIR K [--list] [--finish]");
    return 2;
}
string directory = args[0];
bool list = args.Contains("--list");
long steps = 0;
AtomicFile.StepHook = step =>
{
    steps++;
    if (list)
    {
        Console.WriteLine($"step {steps}: {step}");
    }
    if (step.StartsWith("after rename ", StringComparison.Ordinal) && Path.GetFileName(step[(step.LastIndexOf(" -> ", StringComparison.Ordinal) + 4)..]) is { } name
        && name.StartsWith("checkpoint-", StringComparison.Ordinal))
    {
        Console.WriteLine($"published {name}");
    }
    if (steps == killAt)
    {
        Process.GetCurrentProcess().Kill(); // SIGKILL on Unix: no finally, no flush, no cleanup
        Thread.Sleep(Timeout.Infinite);
    }
};
Console.WriteLine("ready");
_ = args.Contains("--finish") ? CrashScenario.Finish(directory) : CrashScenario.Interrupted(directory);
Console.WriteLine($"done {steps}");
return 0;
