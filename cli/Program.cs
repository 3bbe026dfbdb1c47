using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
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
            // stderr is held to the end (Console.Error is a synchronized writer: its lock is the writer itself): the command's
            // thread, still running while the handlers undo its system state (LiveMm.RestoreSystem removes the trace instance
            // it reads), must not add a line after this one (seen: "reading .../trace_pipe failed: errno 19" after it);
            // the process-exit handlers run on this thread and may still write
            Monitor.Enter(Console.Error);
            Console.Out.Flush();
            // on a terminal, end the progress line of a command that shows one (Spectre.Console's status display,
            // cli/Progress.cs) first, and show the cursor it hid
            bool terminal = !Console.IsErrorRedirected;
            if (terminal) Console.Error.Write("\e[?25h");
            bool endLine = terminal && command is "contract" or "validate" or "check" or "hammer" or "kernel" or "audit" or "refine" or "prove" or "bench-reference";
            Console.Error.WriteLine($"{(endLine ? "\n" : "")}notifier{(command.Length > 0 ? " " + command : "")}: interrupted ({signal}), exit {code}");
            Console.Error.Flush();
            Environment.Exit(code);
        }
    }
}

/// <summary>
/// The `notifier` command: a System.CommandLine RootCommand with one subcommand per file (each *Command.Define()),
/// plus `help [COMMAND]` and `completion bash`. System.CommandLine parses, prints the help (`-h`, `--help`, with each
/// command's exit codes appended, cli/Help.cs), `--version` and the completions of the `[suggest]` directive; a parse
/// error is turned into the project's one line `notifier COMMAND: message` on stderr, exit 255 (FirstError).
/// </summary>
public static class Cli
{
    private static readonly HelpOption HelpOpt = new("--help", "-h") { Action = new Help.WithExitCodes() };
    private static readonly VersionOption VersionOpt = new() { Action = new Help.VersionAction() };
    private static readonly Argument<string?> HelpFor = new("COMMAND") { HelpName = "COMMAND", Description = "the command whose help to print (all commands without it)", Arity = ArgumentArity.ZeroOrOne };

    private static readonly RootCommand Root = Build();
    private static readonly SuggestDirective Suggest = Root.Directives.OfType<SuggestDirective>().Single();

    // the response files (`@file`) and POSIX bundling of System.CommandLine are off: a trace named @x.jsonl is a file
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    private static RootCommand Build()
    {
        var root = new RootCommand("A formal model of Linux's mmu_notifier: a reference MMU, a TLA+ spec with its own model checker, Z3 proofs, properties and the live kernel compared.")
        {
            HelpName = "notifier",
        };
        foreach (var o in root.Options.Where(o => o is HelpOption or VersionOption).ToList()) root.Options.Remove(o);
        root.Options.Add(HelpOpt);
        root.Options.Add(VersionOpt);
        // Each issue adds its commands here (one line each).
        Command[] commands =
        [
            CheckCommand.Define(), ScenarioCommand.Define(), ReplayCommand.Define(), EventsCommand.Define(), HammerCommand.Define(),
            BenchCommand.Define(), ProveCommand.Define(), ContractCommand.Define(), RefineCommand.Define(), ValidateCommand.Define(),
            KernelCommand.Define(), AuditCommand.Define(), HelpCommand(), CompletionCommand.Define(),
        ];
        foreach (var c in commands) root.Subcommands.Add(c);
        HelpFor.CompletionSources.Add(_ => Names);
        return root;
    }

    private static Command HelpCommand()
    {
        var c = new Command("help", "Prints a command's help (the same as notifier COMMAND --help), or without COMMAND every command and the exit codes.") { HelpFor };
        c.SetAction(p =>
        {
            string? name = p.GetValue(HelpFor);
            if (name is not null && !Names.Contains(name)) throw new UsageException($"notifier: unknown command '{name}' (try: notifier --help)");
            return Root.Parse(name is null ? ["--help"] : [name, "--help"], Parsing).Invoke(p.InvocationConfiguration);
        });
        return c;
    }

    /// <summary>The commands' names, in the order of the top-level help (each has a Help.Exits entry).</summary>
    public static IEnumerable<string> Names => Root.Subcommands.Select(c => c.Name);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var invocation = new InvocationConfiguration
        {
            Output = stdout, Error = stderr,
            EnableDefaultExceptionHandler = false, // exceptions reach the catch below: one line, never a stack trace
            ProcessTerminationTimeout = null,      // SIGINT/SIGTERM stay with Program.Main (130/143)
        };
        if (args.Count == 0)
        {
            Root.Parse(["--help"], Parsing).Invoke(invocation);
            return ExitCodes.Error; // no command: the help, as a usage error
        }
        var p = Root.Parse(args, Parsing);
        string command = p.CommandResult.Command is RootCommand ? "notifier" : $"notifier {p.CommandResult.Command.Name}";
        // -h/--help anywhere after the command and the [suggest] directive win over everything else on the line
        if (p.Action is not Help.WithExitCodes && p.GetResult(Suggest) is null && FirstError(p) is { } error)
        {
            stderr.WriteLine(error);
            // kernel --json: a usage error is an error verdict on stdout too (docs/schemas/kernel.schema.json)
            if (p.CommandResult.Command.Name == "kernel" && args.Contains("--json")) KernelCommand.WriteError(stdout, ExitCodes.Error, error);
            return ExitCodes.Error;
        }
        try
        {
            return p.Invoke(invocation);
        }
        catch (UsageException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a file that cannot be read or written: one line, never a stack trace
            stderr.WriteLine($"{command}: {e.Message}");
            return ExitCodes.Error;
        }
    }

    /// <summary>
    /// The first problem of a parse as one line `notifier COMMAND: message`, null when there is none: problems at a token
    /// in command-line order (an unknown option, an unexpected argument, an option's bad, missing or repeated value),
    /// then a missing argument, then the command's own validators (exclusive options and the like).
    /// System.CommandLine takes an unknown `--x` for an argument, and its own wording for a repeated option, a missing
    /// value or an unmatched token is replaced by the project's.
    /// </summary>
    private static string? FirstError(ParseResult p)
    {
        var cmd = p.CommandResult;
        if (cmd.Command is RootCommand)
        {
            if (p.Given(VersionOpt))
                return p.UnmatchedTokens.Count > 0 ? $"notifier: unexpected argument '{p.UnmatchedTokens[0]}' after --version" : null;
            return $"notifier: unknown command '{(p.UnmatchedTokens.Count > 0 ? p.UnmatchedTokens[0] : args0(p))}' (try: notifier --help)";
        }
        string prefix = $"notifier {cmd.Command.Name}: ";
        var tokens = p.Tokens;
        int IndexOf(Token? t) { for (int i = 0; i < tokens.Count; i++) if (ReferenceEquals(tokens[i], t)) return i; return int.MaxValue; }
        var claimed = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        var positional = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        foreach (var child in cmd.Children)
        {
            claimed.UnionWith(child.Tokens);
            if (child is ArgumentResult) positional.UnionWith(child.Tokens);
        }
        var found = new List<(int At, string Message)>();
        bool afterDash = false;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Type == TokenType.DoubleDash) afterDash = true;
            if (t.Type != TokenType.Argument || (claimed.Contains(t) && !positional.Contains(t))) continue;
            if (!afterDash && t.Value.Length > 1 && t.Value[0] == '-') found.Add((i, $"unknown option {t.Value}"));
            else if (!claimed.Contains(t))
            {
                string hint = i > 0 && tokens[i - 1].Type == TokenType.Option && cmd.Command.Options.Any(o => o.Name == tokens[i - 1].Value && o.Arity.MaximumNumberOfValues == 0)
                    ? $" ({tokens[i - 1].Value} takes no value)" : "";
                found.Add((i, $"unexpected argument '{t.Value}'{hint}"));
            }
        }
        foreach (var e in p.Errors)
        {
            var option = e.SymbolResult as OptionResult ?? (e.SymbolResult as ArgumentResult)?.Parent as OptionResult;
            if (option is null) continue;
            string name = option.Option.Name;
            string message = option.IdentifierTokenCount > 1 ? $"option {name} is given twice"
                : option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0 ? $"option {name} needs a value"
                : e.Message;
            found.Add((IndexOf(option.IdentifierToken), message));
        }
        if (found.Count > 0) return prefix + found.OrderBy(f => f.At).First().Message;
        foreach (var a in cmd.Command.Arguments)
            if ((p.GetResult(a)?.Tokens.Count ?? 0) < a.Arity.MinimumNumberOfValues)
                return $"{prefix}expected {(a.Arity.MaximumNumberOfValues == 1 ? "one " : "")}{a.Name} (notifier {cmd.Command.Name} --help)";
        foreach (var e in p.Errors)
        {
            // the command's validators; System.CommandLine's "unrecognized argument" errors were reported above
            if (e.SymbolResult is OptionResult || e.SymbolResult is ArgumentResult { Parent: OptionResult }) continue;
            if (e.SymbolResult is CommandResult && p.UnmatchedTokens.Any(u => e.Message.Contains($"'{u}'", StringComparison.Ordinal))) continue;
            return prefix + e.Message;
        }
        return null;

        static string args0(ParseResult p) => p.Tokens.Count > 0 ? p.Tokens[0].Value : "";
    }
}
