using System.Runtime.InteropServices;

namespace NotifierSpec.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Ctrl-C / SIGINT exits 130 and SIGTERM 143 (128 + signal, as shells report them), saying so on stderr.
        // `check` stops cooperatively (its own CancelKeyPress handler: statistics first) within a grace period.
        string command = args.Length > 0 ? args[0] : "";
        int signalled = 0;
        void On(PosixSignalContext ctx, int code, string name)
        {
            ctx.Cancel = true;
            if (Interlocked.CompareExchange(ref signalled, code, 0) != 0) return;
            var grace = command == "check" && ctx.Signal == PosixSignal.SIGINT ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
            Task.Delay(grace).ContinueWith(_ => Interrupted(command, code, name));
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => On(c, ExitCodes.Interrupted, "SIGINT"));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => On(c, ExitCodes.Terminated, "SIGTERM"));
        int rc = Cli.Run(args, Console.Out, Console.Error);
        int sig = Volatile.Read(ref signalled);
        if (sig != 0) Interrupted(command, sig, sig == ExitCodes.Interrupted ? "SIGINT" : "SIGTERM");
        return rc;
    }

    private static readonly Lock Exiting = new();

    private static void Interrupted(string command, int code, string signal)
    {
        lock (Exiting)
        {
            Console.Out.Flush();
            // hammer's progress line on stderr has no new line: end it first
            Console.Error.WriteLine($"{(command == "hammer" ? "\n" : "")}notifier{(command.Length > 0 ? " " + command : "")}: interrupted ({signal}), exit {code}");
            Console.Error.Flush();
            Environment.Exit(code);
        }
    }
}

/// <summary>The `notifier` command: one entry per subcommand; each lives in its own file.</summary>
public static class Cli
{
    private sealed record Entry(string Name, string Usage, Func<IReadOnlyList<string>, TextWriter, TextWriter, int> Run);

    // Each issue adds its commands here (one line each).
    private static readonly Entry[] Commands =
    [
        new("check", "check SPEC.tla [--config X.cfg] [--workers N (default: all cores)] [--dump-trace FILE] [--no-deadlock]", CheckCommand.Run),
        new("scenario", "scenario [NAME...] [--list] [--verbose] [--trace FILE]", ScenarioCommand.Run),
        new("replay", ReplayCommand.Usage, ReplayCommand.Run),
        new("events", EventsCommand.Usage, EventsCommand.Run),
        new("hammer", "hammer [--seed S] [--count N | --time 10m] [--vocabulary V] [--property P] [--workers W] [--batch B] [--mutants | --mutant NAME]", HammerCommand.Run),
        new("bench-reference", "bench-reference [--steps N] [--seed S] [--pages P] [--runs R]", BenchCommand.Run),
        new("prove", ProveCommand.Usage, ProveCommand.Run),
        new("contract", ContractCommand.Usage, ContractCommand.Run),
        new("refine", RefineCommand.Usage, RefineCommand.Run),
        new("validate", ValidateCommand.Usage, ValidateCommand.Run),
        new("kernel", KernelCommand.Usage, KernelCommand.Run),
        new("audit", AuditCommand.Usage, AuditCommand.Run),
    ];

    /// <summary>The commands' names, in the order of the top-level help (each has a Help.Commands entry).</summary>
    public static IEnumerable<string> Names => Commands.Select(c => c.Name);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" || args is ["help"] or ["help", "-h" or "--help"])
        {
            stdout.Write(Help.TopLevel());
            return args.Count == 0 ? ExitCodes.Error : ExitCodes.Ok;
        }
        if (args[0] == "--version")
        {
            if (args.Count > 1) { stderr.WriteLine($"notifier: unexpected argument '{args[1]}' after --version"); return ExitCodes.Error; }
            stdout.WriteLine($"notifier {Help.Version}");
            return ExitCodes.Ok;
        }
        // help before any parsing: `notifier help CMD`, `notifier CMD --help`, `notifier CMD -h` (anywhere after CMD)
        string? helpFor = args[0] == "help" ? args[1] : args.Skip(1).Any(a => a is "-h" or "--help") ? args[0] : null;
        if (helpFor is not null)
        {
            if (args[0] == "help" && args.Count > 2) { stderr.WriteLine($"notifier help: unexpected argument '{args[2]}'"); return ExitCodes.Error; }
            if (Help.Find(helpFor) is not { } h) { stderr.WriteLine($"notifier: unknown command '{helpFor}' (try: notifier --help)"); return ExitCodes.Error; }
            stdout.Write(Help.Text(h));
            return ExitCodes.Ok;
        }
        var entry = Array.Find(Commands, c => c.Name == args[0]);
        if (entry is null)
        {
            stderr.WriteLine($"notifier: unknown command '{args[0]}' (try: notifier --help)");
            return ExitCodes.Error;
        }
        try
        {
            return entry.Run(args.Skip(1).ToArray(), stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a file that cannot be read or written: one line, never a stack trace
            stderr.WriteLine($"notifier {args[0]}: {e.Message}");
            return ExitCodes.Error;
        }
    }
}
