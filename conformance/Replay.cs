using NotifierSpec.Reference;

namespace NotifierSpec.Conformance;

public static partial class TraceChecks
{
    /// <summary>`notifier replay`: the reference's rules, line by line (reference/Replay through TraceCheck).</summary>
    public static TraceVerdict Replay(string path, bool allowIncomplete = false, bool partial = false)
    {
        if (TraceInput.Check(TraceCheckKind.Replay, path, allowIncomplete, partial, out var check) is { } refused) return refused;
        var r = check.Replay!;
        return r.Verdict switch
        {
            ReplayVerdict.Accepted => new TraceVerdict(TraceCheckKind.Replay, VerdictKind.Accepted, null, $"{path}: accepted ({r.Lines} lines, all rules hold)"),
            ReplayVerdict.Violation => new TraceVerdict(TraceCheckKind.Replay, VerdictKind.Violation, r.Line, $"{path}:{r.Line}: rule {r.Rule} violated: {r.Message}"),
            ReplayVerdict.Rejected => new TraceVerdict(TraceCheckKind.Replay, VerdictKind.Rejected, r.Line, $"{path}:{r.Line}:{r.Column}: not allowed by the reference: {r.Message}"),
            _ => new TraceVerdict(TraceCheckKind.Replay, VerdictKind.Malformed, r.Line, $"{path}:{r.Line}:{r.Column}: malformed trace: {r.Message}"),
        } with { Replay = r };
    }
}
