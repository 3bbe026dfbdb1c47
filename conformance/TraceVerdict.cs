using NotifierSpec.Reference;
using NotifierSpec.Spec;

namespace NotifierSpec.Conformance;

/// <summary>The three conformance checks of a reference trace (docs/trace-format.md).</summary>
public enum TraceCheckKind
{
    /// <summary>`notifier replay`: the reference's rules, line by line (reference/Replay)</summary>
    Replay,
    /// <summary>`notifier validate`: a behaviour of the TLA+ trace spec matches every line (tla/trace/TraceNotifierSpec.tla)</summary>
    Validate,
    /// <summary>`notifier refine`: every step is an instance of spec/'s Z3 transition relation (spec/Refinement.cs)</summary>
    Refine,
}

/// <summary>What a conformance check concluded; one exit code each (TraceVerdicts.Exit).</summary>
public enum VerdictKind
{
    /// <summary>the trace conforms (replay: accepted; validate: accepted; refine: refines)</summary>
    Accepted,
    /// <summary>a rule of the reference is violated at a line (replay)</summary>
    Violation,
    /// <summary>a line is not allowed: by the reference (replay, refine), by the TLA+ spec (validate), by spec/ (refine)</summary>
    Rejected,
    /// <summary>the trace uses a feature the checked model does not cover (Coverage)</summary>
    OutsideSpec,
    /// <summary>the trace ends inside an operation (without --allow-incomplete)</summary>
    Incomplete,
    /// <summary>the trace spec could not be evaluated on the trace (validate)</summary>
    EvalFailure,
    /// <summary>the trace (or the trace spec) cannot be read</summary>
    Malformed,
}

/// <summary>
/// The answer of replay, validate or refine. Message is the one line the command prints (on stderr when
/// ToStderr: the refusals, `file:line:col: message`; else on stdout), Detail what follows it on stdout.
/// The check's own result (Replay, Refinement, States and Seconds of validate) is kept for --json.
/// </summary>
public sealed record TraceVerdict(TraceCheckKind Check, VerdictKind Kind, int? Line, string Message, string? Detail = null)
{
    public int Exit => TraceVerdicts.Exit(Kind);
    public bool Accepted => Kind == VerdictKind.Accepted;
    /// <summary>A refusal to judge the trace (not a verdict on it): printed as one line on stderr, no --json.</summary>
    public bool ToStderr => TraceVerdicts.ToStderr(Kind);
    public ReplayResult? Replay { get; init; }
    public RefinementResult? Refinement { get; init; }
    public long States { get; init; }
    public double Seconds { get; init; }
    /// <summary>validate, accepted: lines where the trace spec's LineAction (what a rejected line is said to map to)
    /// names another action than the one TraceNext took for it; empty when the spec's two agree (TraceValidationTests).</summary>
    public IReadOnlyList<string> LineActionDifferences { get; init; } = [];
}

/// <summary>The one map from a verdict to its exit code (docs/exit-codes.md) and its output channel.</summary>
public static class TraceVerdicts
{
    public static int Exit(VerdictKind kind) => kind switch
    {
        VerdictKind.Accepted => ExitCodes.Ok,
        VerdictKind.Violation or VerdictKind.Rejected => ExitCodes.Violation,
        VerdictKind.OutsideSpec => ExitCodes.OutsideSpec,
        VerdictKind.Incomplete => ExitCodes.Incomplete,
        VerdictKind.EvalFailure => ExitCodes.EvalFailure,
        _ => ExitCodes.Error,
    };

    public static bool ToStderr(VerdictKind kind) =>
        kind is VerdictKind.OutsideSpec or VerdictKind.Incomplete or VerdictKind.EvalFailure or VerdictKind.Malformed;
}
