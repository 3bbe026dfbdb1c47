using System.Globalization;
using System.Text.Json.Nodes;
using NotifierSpec.Invariants;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier refine TRACE.jsonl`: the step-level refinement check (spec/Refinement.cs): every step
/// of a complete reference trace is an instance of the Z3 transition relation of spec/ (or a stutter).
/// Exit 0 refines; 12 a step does not (or the reference itself does not allow a line); 20 the trace
/// uses something spec/ does not model (as `validate`); 21 incomplete; 255 malformed input (one line:
/// file:line:col: message).
/// </summary>
public static class RefineCommand
{
    public const string Usage = "refine TRACE.jsonl [--allow-incomplete]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("refine", argv, [], [TraceInput.AllowIncomplete, "--json"], maxPositional: 1);
        if (args.Positional.Count != 1) throw new UsageException($"usage: notifier {Usage}");
        string path = args.Positional[0];
        if (TraceInput.Check(path, args.Has(TraceInput.AllowIncomplete), false, stderr, out _) is int bad) return bad;
        RefinementResult r;
        try
        {
            r = Refinement.CheckFile(path);
        }
        catch (SpecException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        if (args.Has("--json") && r.Verdict is RefinementVerdict.Refines or RefinementVerdict.StepRejected or RefinementVerdict.NotAReferenceRun)
        {
            bool ok = r.Verdict == RefinementVerdict.Refines;
            var actions = new JsonObject();
            foreach (var (name, count) in r.ActionCounts.OrderBy(x => x.Key, StringComparer.Ordinal)) actions[name] = count;
            JsonOut.Write(stdout, new JsonObject
            {
                ["file"] = path, ["verdict"] = ok ? "refines" : r.Verdict == RefinementVerdict.StepRejected ? "step_rejected" : "not_a_reference_run",
                ["exit"] = ok ? ExitCodes.Ok : ExitCodes.Violation, ["lines"] = r.Lines, ["spec_steps"] = r.SpecSteps, ["stutters"] = r.Stutters,
                ["actions"] = actions, ["line"] = ok ? null : r.Line, ["violated"] = r.Verdict == RefinementVerdict.StepRejected ? r.Violated : null,
                ["step"] = r.Verdict == RefinementVerdict.StepRejected ? r.Step?.ToString() : null,
                ["action"] = r.Verdict == RefinementVerdict.StepRejected ? r.Action?.ToString() : null,
                ["message"] = r.Verdict == RefinementVerdict.NotAReferenceRun ? r.Message : r.Verdict == RefinementVerdict.StepRejected ? r.Report : null,
                ["seconds"] = JsonOut.Seconds(r.Millis / 1000),
            });
            return ok ? ExitCodes.Ok : ExitCodes.Violation;
        }
        switch (r.Verdict)
        {
            case RefinementVerdict.Refines:
                double rate = r.Millis > 0 ? r.Lines / (r.Millis / 1000) : 0;
                stdout.WriteLine($"{path}: refines spec/ ({r.Lines} lines: {r.SpecSteps} spec steps, {r.Stutters} stutters; {r.Millis.ToString("F0", CultureInfo.InvariantCulture)} ms, {rate.ToString("F0", CultureInfo.InvariantCulture)} lines/s)");
                foreach (var (name, count) in r.ActionCounts.OrderBy(x => x.Key, StringComparer.Ordinal))
                    stdout.WriteLine($"  {name,-34} {count,6}");
                return ExitCodes.Ok;
            case RefinementVerdict.StepRejected:
                stdout.WriteLine($"{path}:{r.Line}: step does not refine spec/: {r.Step} is not an instance of {r.Action}");
                stdout.Write(r.Report);
                stdout.WriteLine($"reproduce: notifier refine {path}");
                return ExitCodes.Violation;
            case RefinementVerdict.NotAReferenceRun:
                stdout.WriteLine($"{path}:{r.Line}:{r.Column}: not allowed by the reference: {r.Message}");
                return ExitCodes.Violation;
            case RefinementVerdict.NotCovered:
                stderr.WriteLine($"{path}:{r.Line}:{r.Column}: not covered by spec/: {r.Message}");
                return ExitCodes.OutsideSpec;
            default:
                stderr.WriteLine($"{path}:{r.Line}:{r.Column}: malformed trace: {r.Message}");
                return ExitCodes.Error;
        }
    }
}
