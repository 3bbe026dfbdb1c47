namespace NotifierSpec.Cli;

public static class Program
{
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
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
        new("replay", "replay TRACE.jsonl [--partial]", ReplayCommand.Run),
        new("events", EventsCommand.Usage, EventsCommand.Run),
        new("hammer", "hammer [--seed S] [--count N | --time 10m] [--vocabulary V] [--property P] [--workers W] [--batch B] [--mutants | --mutant NAME]", HammerCommand.Run),
        new("bench-reference", "bench-reference [--steps N] [--seed S] [--pages P] [--runs R]", BenchCommand.Run),
        new("prove", ProveCommand.Usage, ProveCommand.Run),
        new("contract", ContractCommand.Usage, ContractCommand.Run),
        new("refine", RefineCommand.Usage, RefineCommand.Run),
        new("validate", ValidateCommand.Usage, ValidateCommand.Run),
        new("audit", AuditCommand.Usage, AuditCommand.Run),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine("usage: notifier <command> [options]");
            foreach (var c in Commands) stdout.WriteLine($"  notifier {c.Usage}");
            return args.Count == 0 ? ExitCodes.Error : ExitCodes.Ok;
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
