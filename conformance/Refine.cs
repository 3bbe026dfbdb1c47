using System.Globalization;
using System.Text;
using NotifierSpec.Spec;

namespace NotifierSpec.Conformance;

public static partial class TraceChecks
{
    /// <summary>`notifier refine`: the step-level refinement check (spec/Refinement.cs): every step of a complete
    /// reference trace is an instance of spec/'s Z3 transition relation (or a stutter).</summary>
    public static TraceVerdict Refine(string path, bool allowIncomplete = false, IReadOnlyList<CoverageRow>? coverage = null)
    {
        if (TraceInput.Check(TraceCheckKind.Refine, path, allowIncomplete, false, out _) is { } refused) return refused;
        RefinementResult r;
        try { r = Refinement.CheckFile(path, coverage is null ? Coverage.RefineScope : Coverage.Scope(coverage)); }
        catch (SpecException e) { return new(TraceCheckKind.Refine, VerdictKind.Malformed, null, e.Message); }
        TraceVerdict v;
        switch (r.Verdict)
        {
            case RefinementVerdict.Refines:
                double rate = r.Millis > 0 ? r.Lines / (r.Millis / 1000) : 0;
                var counts = new StringBuilder();
                foreach (var (name, count) in r.ActionCounts.OrderBy(x => x.Key, StringComparer.Ordinal))
                    counts.Append($"  {name,-34} {count,6}").Append('\n');
                v = new(TraceCheckKind.Refine, VerdictKind.Accepted, null,
                    $"{path}: refines spec/ ({r.Lines} lines: {r.SpecSteps} spec steps, {r.Stutters} stutters; {r.Millis.ToString("F0", CultureInfo.InvariantCulture)} ms, {rate.ToString("F0", CultureInfo.InvariantCulture)} lines/s)",
                    counts.Length == 0 ? null : counts.ToString());
                break;
            case RefinementVerdict.StepRejected:
                v = new(TraceCheckKind.Refine, VerdictKind.Rejected, r.Line, $"{path}:{r.Line}: step does not refine spec/: {r.Step} is not an instance of {r.Action}",
                    r.Report + $"reproduce: notifier refine {path}\n");
                break;
            case RefinementVerdict.NotAReferenceRun:
                v = new(TraceCheckKind.Refine, VerdictKind.Rejected, r.Line, $"{path}:{r.Line}:{r.Column}: not allowed by the reference: {r.Message}");
                break;
            case RefinementVerdict.NotCovered:
                v = new(TraceCheckKind.Refine, VerdictKind.OutsideSpec, r.Line, $"{path}:{r.Line}:{r.Column}: not covered by spec/: {r.Message}");
                break;
            default:
                v = new(TraceCheckKind.Refine, VerdictKind.Malformed, r.Line, $"{path}:{r.Line}:{r.Column}: malformed trace: {r.Message}");
                break;
        }
        return v with { Refinement = r, Seconds = r.Millis / 1000 };
    }
}
