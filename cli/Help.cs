using System.Reflection;
using System.Text;

namespace NotifierSpec.Cli;

/// <summary>One command's help: its usage line, what it does, its options and the exit codes it can return.</summary>
public sealed record CommandHelp(string Name, string Usage, string What, (string Option, string Meaning)[] Options, int[] Exits);

/// <summary>
/// `notifier help [CMD]`, `notifier CMD --help | -h`, `notifier --version`: the help text of every command, written
/// by hand next to the hand-written parser (cli/Args.cs); Cli.Run intercepts -h/--help before a command parses.
/// The exit codes are cli/ExitCodes.cs's, with the meanings of docs/exit-codes.md (a test keeps the two equal).
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
        (ExitCodes.OutsideSpec, "the trace uses a feature the TLA+ spec (validate) or spec/ (refine) does not model"),
        (ExitCodes.Incomplete, "the trace ends inside an operation (--allow-incomplete accepts it)"),
        (KernelCommand.NoKvm, "kernel: no usable /dev/kvm"),
        (KernelCommand.Vacuous, "kernel: the run was vacuous (the guest's accesses did not run through KVM's shadow MMU)"),
        (ExitCodes.EvalFailure, "the spec could not be evaluated (TLC's FAILURE_SPEC_EVAL)"),
        (ExitCodes.Interrupted, "Ctrl-C / SIGINT"),
        (ExitCodes.Terminated, "SIGTERM"),
        (ExitCodes.SpecError, "TLA+ spec parse or semantic error"),
        (ExitCodes.ConfigError, ".cfg error"),
        (ExitCodes.Error, "bad input, bad usage, unknown command"),
    ];

    private const int Ok = ExitCodes.Ok, Sig = ExitCodes.Interrupted, Term = ExitCodes.Terminated, Err = ExitCodes.Error;
    private static readonly (string, string) Json = ("--json", "print the result as one JSON object (snake_case keys; docs/schemas/)");
    private static readonly (string, string) AllowIncomplete = ("--allow-incomplete", "accept a trace that ends inside an operation");

    public static readonly CommandHelp[] Commands =
    [
        new("check", "check [SPEC.tla] [--config X.cfg] [--workers N] [--dump-trace FILE] [--no-deadlock] [--max-memory SIZE] [--checkpoint DIR [--checkpoint-every T]] [--recover DIR] [--manifest FILE | --all | --bench SPEC.tla] [--quiet] [--json]",
            "Checks a TLA+ spec with the project's own model checker (checker/), printing TLC's messages and returning TLC's exit codes. Without SPEC it checks every model of tla/manifest.json (the ci:true ones unless --all) and compares each with its recorded TLC result.",
            [("--config X.cfg", "the model's configuration (default: SPEC.cfg)"), ("--workers N", "worker threads (default: all cores); results do not depend on it"),
             ("--dump-trace FILE", "write the error trace to FILE"), ("--no-deadlock", "do not report deadlocks"),
             ("--max-memory SIZE", "spill the state queue and fingerprint set to disk beyond SIZE (e.g. 512M, 2G; at least 64K); same results"),
             ("--checkpoint DIR", "write the search's state to DIR/checkpoint.bin every --checkpoint-every T (default 30m; e.g. 30s, 10m, 1h)"),
             ("--recover DIR", "continue the run whose checkpoint DIR holds: same counts, depth and traces as an uninterrupted run"),
             ("--manifest FILE", "the manifest to check (default: tla/manifest.json above the working directory)"), ("--all", "also check the manifest's ci:false models"),
             ("--bench SPEC.tla", "distinct states per second with 1 and 2 workers"), ("--quiet", "with --json: no progress line on stderr"), Json],
            [Ok, ExitCodes.Assumption, ExitCodes.Deadlock, ExitCodes.Violation, ExitCodes.Liveness, ExitCodes.EvalFailure, Sig, Term, ExitCodes.SpecError, ExitCodes.ConfigError, Err]),
        new("scenario", "scenario [NAME...] [--list] [--verbose] [--trace FILE] [--json]",
            "Runs the named scenarios (all without NAME) through the reference MMU (reference/) and checks each outcome against the one the scenario expects: the rule it breaks, or none.",
            [("--list", "list the scenarios with their origins"), ("--verbose", "print each scenario's checks"), ("--trace FILE", "write the one scenario's trace (docs/trace-format.md)"), Json],
            [Ok, ExitCodes.Violation, Sig, Term, Err]),
        new("replay", ReplayCommand.Usage + " [--json]",
            "Replays a trace (docs/trace-format.md) through the reference MMU, checking every rule after every line; accepted when every line is allowed and every rule holds.",
            [("--partial", "accept lines that leave fields out (a coarser trace)"), AllowIncomplete, Json],
            [Ok, ExitCodes.Violation, ExitCodes.Incomplete, Sig, Term, Err]),
        new("events", EventsCommand.Usage,
            "Prints a vocabulary's table of kernel call sites and the mmu_notifier events they send, from catalogue/vocabulary.json.",
            [("--vocabulary NAME", "the vocabulary (default upstream)"), ("--json", "print the table as JSON (snake_case keys; docs/schemas/)"),
             ("--tla", "print the block of tla/NotifierEvents.tla generated from the catalogue"), ("--rules-md", "print the vocabularies as markdown")],
            [Ok, Sig, Term, Err]),
        new("hammer", "hammer [--seed S] [--count N | --time 10m] [--vocabulary V] [--property P] [--workers W] [--batch B] [--mutants | --mutant NAME] [--quiet] [--json]",
            "Runs FsCheck campaigns of random programs over the reference MMU and checks every property (properties/); a failure is shrunk and printed with the command that reproduces it. --mutants prints the mutation matrix instead.",
            [("--seed S", "first seed (default 1)"), ("--count N", "number of tests (default 2000)"), ("--time T", "run for a time such as 30s, 10m or 1h"),
             ("--vocabulary V", "v7, v7-reviewed or upstream"), ("--property P", "check only property P"), ("--workers W", "parallel workers"),
             ("--batch B", "tests per batch (default 50)"), ("--mutants", "print the mutation matrix"), ("--mutant NAME", "one row of the matrix"),
             ("--quiet", "no progress line on stderr"), Json],
            [Ok, ExitCodes.Violation, Sig, Term, Err]),
        new("bench-reference", "bench-reference [--steps N] [--seed S] [--pages P] [--runs R]",
            "Measures checked steps per second through the reference MMU (every rule checked after every step, one thread).",
            [("--steps N", "steps per run (default 200000)"), ("--seed S", "first seed"), ("--pages P", "pages (default 64)"), ("--runs R", "runs (default 5)")],
            [Ok, ExitCodes.Violation, Sig, Term, Err]),
        new("prove", ProveCommand.Usage + " [--json]",
            "Runs the Z3 proof set of spec/: every invariant inductive and every rule implied, per vocabulary, plus bounded model checking; a failing variant prints its counterexample.",
            [("--vocabulary NAME", "one vocabulary (default all)"), ("--variant NAME", "a variant of the listener (default correct)"),
             ("--depth K", "bounded model checking depth (0..30)"), ("--quiet", "print only the queries that do not hold"), Json],
            [Ok, ExitCodes.Violation, Sig, Term, Err]),
        new("contract", ContractCommand.Usage,
            "For each vocabulary and event, proves each listener reaction safe or refutes it (Z3), and names the weakest safe reaction.",
            [("--vocabulary NAME", "one vocabulary (default all)"), ("--json", "print the rows as JSON (snake_case keys; docs/schemas/)"), ("--counterexamples", "print the counterexample of each refuted cell"), ("--quiet", "no progress line on stderr")],
            [Ok, Sig, Term, Err]),
        new("refine", RefineCommand.Usage + " [--json]",
            "Checks that every step of a complete reference trace is an instance of spec/'s Z3 transition relation (or a stutter): step-level refinement.",
            [AllowIncomplete, Json],
            [Ok, ExitCodes.Violation, ExitCodes.OutsideSpec, ExitCodes.Incomplete, Sig, Term, Err]),
        new("validate", ValidateCommand.Usage + " [--json]",
            "Trace validation against the TLA+ spec (tla/trace/TraceNotifierSpec.tla): accepted when some behaviour of the spec matches every line; otherwise prints the first line no behaviour matches and the spec state before it.",
            [("--spec FILE", "the trace spec (default tla/trace/TraceNotifierSpec.tla)"), AllowIncomplete, ("--quiet", "no progress line on stderr"), Json],
            [Ok, ExitCodes.Violation, ExitCodes.OutsideSpec, ExitCodes.Incomplete, ExitCodes.EvalFailure, Sig, Term, ExitCodes.SpecError, Err]),
        new("kernel", KernelCommand.Usage + " [--json]",
            "Drives the live kernel (KVM's shadow MMU through /dev/kvm) and the reference MMU with the same operations and compares them; a mismatch is shrunk and printed with the command that reproduces it.",
            [("--count N", "operations (default 500)"), ("--time T", "run for a time such as 90s or 10m"), ("--seed S", "seed (default 1)"),
             ("--vocabulary V", "v7, v7-reviewed or upstream"), ("--mutant NAME", "plant a mutant in the reference"), ("--ops \"OP; ...\"", "run this sequence"),
             ("--pages P", "pages (2..64, default 16)"), ("--trace FILE", "write the reference's steps"), ("--no-trace", "do not compare call paths"), ("--quiet", "no progress line on stderr"), Json],
            [Ok, ExitCodes.Violation, KernelCommand.NoKvm, KernelCommand.Vacuous, Sig, Term, Err]),
        new("audit", AuditCommand.Usage,
            "Finds every call of the notifier API in a kernel source tree and compares it with the vocabulary's kernel call sites: sites it lacks, events or owners that differ, rows whose call is gone.",
            [("--vocabulary NAME", "the vocabulary (default upstream)"), ("--json", "print the findings as JSON (snake_case keys; docs/schemas/)"), ("--found", "print every call found instead")],
            [Ok, ExitCodes.Violation, Sig, Term, Err]),
    ];

    public static CommandHelp? Find(string name) => Array.Find(Commands, c => c.Name == name);

    public static string Meaning(int code) => Array.Find(ExitCodeTable, e => e.Code == code).Meaning
        ?? throw new ArgumentOutOfRangeException(nameof(code), code, "no such exit code");

    /// <summary>The version: the assembly's informational version (no git hash: the build is deterministic).</summary>
    public static string Version =>
        typeof(Help).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Text(CommandHelp h)
    {
        var sb = new StringBuilder();
        sb.Append("usage: notifier ").AppendLine(h.Usage).AppendLine().AppendLine(h.What).AppendLine();
        sb.AppendLine("options:");
        int w = Math.Max(h.Options.Max(o => o.Option.Length), "-h, --help".Length);
        foreach (var (o, m) in h.Options.Append(("-h, --help", "print this help")))
            sb.AppendLine($"  {o.PadRight(w)}  {m}");
        sb.AppendLine().AppendLine("exit codes:");
        foreach (int c in h.Exits) sb.AppendLine($"  {c,3}  {Meaning(c)}");
        return sb.ToString();
    }

    public static string TopLevel()
    {
        var sb = new StringBuilder();
        sb.AppendLine("usage: notifier <command> [options]    (notifier help COMMAND, notifier COMMAND --help: a command's help)");
        sb.AppendLine("       notifier --version").AppendLine().AppendLine("commands:");
        foreach (var c in Commands) sb.AppendLine($"  notifier {c.Usage}");
        sb.AppendLine().AppendLine("exit codes (docs/exit-codes.md):");
        foreach (var (c, m) in ExitCodeTable) sb.AppendLine($"  {c,3}  {m}");
        return sb.ToString();
    }
}
