using System.Reflection;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier help [CMD]`, `notifier CMD --help | -h`, `notifier --version`: System.CommandLine writes the help from
/// each command's definition (its description, arguments and options); this adds the exit codes each command can
/// return. The exit codes are conformance/ExitCodes.cs's, with the meanings of docs/exit-codes.md (a test keeps the two equal).
/// </summary>
public static class Help
{
    /// <summary>Every exit code a command can return, with its one-line meaning (docs/exit-codes.md's table).</summary>
    public static readonly (int Code, string Meaning)[] ExitCodeTable =
    [
        (ExitCodes.Ok, "success: the check passed, the trace is accepted, the command did what was asked"),
        (ExitCodes.Assumption, "an ASSUME is false"),
        (ExitCodes.Deadlock, "a deadlock was reached"),
        (ExitCodes.Violation, "a rule, invariant or property is violated, a line is not allowed, a difference was found"),
        (ExitCodes.Liveness, "a temporal property is violated"),
        (ExitCodes.AssertFailed, "an Assert is FALSE in the next-state relation (TLC's VIOLATION_ASSERT)"),
        (ExitCodes.OutsideSpec, "the trace uses a feature the TLA+ spec (validate) or spec/ (refine) does not model"),
        (ExitCodes.Incomplete, "the trace ends inside an operation (--allow-incomplete accepts it)"),
        (KernelCommand.NoKvm, "kernel: no usable /dev/kvm"),
        (KernelCommand.Vacuous, "kernel: the run was vacuous (the guest's accesses did not run through KVM's shadow MMU)"),
        (ExitCodes.EvalFailure, "the spec could not be evaluated (TLC's FAILURE_SPEC_EVAL)"),
        (ExitCodes.InvariantEvalFailure, "an invariant could not be evaluated on a non-initial state (TLC's FAILURE_SAFETY_EVAL)"),
        (ExitCodes.Interrupted, "Ctrl-C / SIGINT"),
        (ExitCodes.Terminated, "SIGTERM"),
        (ExitCodes.SpecError, "TLA+ spec parse or semantic error"),
        (ExitCodes.ConfigError, ".cfg error"),
        (ExitCodes.Error, "bad input, bad usage, unknown command"),
    ];

    private const int Ok = ExitCodes.Ok, Sig = ExitCodes.Interrupted, Term = ExitCodes.Terminated, Err = ExitCodes.Error, Violation = ExitCodes.Violation;

    /// <summary>The exit codes each command can return (docs/exit-codes.md's commands column; a test keeps the two equal).</summary>
    public static readonly IReadOnlyDictionary<string, int[]> Exits = new Dictionary<string, int[]>
    {
        ["check"] = [Ok, ExitCodes.Assumption, ExitCodes.Deadlock, Violation, ExitCodes.Liveness, ExitCodes.AssertFailed, ExitCodes.EvalFailure, ExitCodes.InvariantEvalFailure, Sig, Term, ExitCodes.SpecError, ExitCodes.ConfigError, Err],
        ["scenario"] = [Ok, Violation, Sig, Term, Err],
        ["replay"] = [Ok, Violation, ExitCodes.Incomplete, Sig, Term, Err],
        ["events"] = [Ok, Sig, Term, Err],
        ["hammer"] = [Ok, Violation, Sig, Term, Err],
        ["bench-reference"] = [Ok, Violation, Sig, Term, Err],
        ["prove"] = [Ok, Violation, Sig, Term, Err],
        ["contract"] = [Ok, Sig, Term, Err],
        ["refine"] = [Ok, Violation, ExitCodes.OutsideSpec, ExitCodes.Incomplete, Sig, Term, Err],
        ["validate"] = [Ok, Violation, ExitCodes.OutsideSpec, ExitCodes.Incomplete, ExitCodes.EvalFailure, Sig, Term, ExitCodes.SpecError, Err],
        ["kernel"] = [Ok, Violation, KernelCommand.NoKvm, KernelCommand.Vacuous, Sig, Term, Err],
        ["audit"] = [Ok, Violation, Sig, Term, Err],
        ["help"] = [Ok, Sig, Term, Err],
        ["completion"] = [Ok, Sig, Term, Err],
    };

    /// <summary>Help's width, whatever the terminal's: the same text in a terminal, a pipe and the approved snapshots.</summary>
    public const int Width = 110;

    /// <summary>System.CommandLine's help (description, usage, arguments, options, subcommands) followed by the exit codes
    /// the command can return, or for `notifier --help` the whole table.</summary>
    public sealed class WithExitCodes : SynchronousCommandLineAction
    {
        private readonly HelpAction _help = new() { MaxWidth = Width };

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult p)
        {
            _help.Invoke(p);
            var w = p.InvocationConfiguration.Output;
            var command = p.CommandResult.Command;
            var rows = command is RootCommand ? ExitCodeTable : Exits[command.Name].Select(c => (Code: c, Meaning: Meaning(c))).ToArray();
            w.WriteLine(command is RootCommand ? "Exit codes (docs/exit-codes.md):" : "Exit codes:");
            foreach (var (c, m) in rows) w.WriteLine($"  {c,3}  {m}");
            w.WriteLine();
            return ExitCodes.Ok;
        }
    }

    /// <summary>`notifier --version`: `notifier VERSION` (this assembly's version: under a test host the entry assembly is not notifier).</summary>
    public sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult p)
        {
            p.InvocationConfiguration.Output.WriteLine($"notifier {Version}");
            return ExitCodes.Ok;
        }
    }

    public static string Meaning(int code) => Array.Find(ExitCodeTable, e => e.Code == code).Meaning
        ?? throw new ArgumentOutOfRangeException(nameof(code), code, "no such exit code");

    /// <summary>The version: the assembly's informational version (no git hash: the build is deterministic).</summary>
    public static string Version =>
        typeof(Help).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
