using System.Text.Json.Nodes;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier refine TRACE.jsonl`: the step-level refinement check (conformance/TraceChecks.Refine, spec/Refinement.cs):
/// every step of a complete reference trace is an instance of the Z3 transition relation of spec/ (or a stutter).
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
        var v = TraceChecks.Refine(path, args.Has(TraceInput.AllowIncomplete));
        return TraceOutput.Print(v, stdout, stderr, args.Has("--json") ? Json : null);

        JsonObject Json(TraceVerdict v)
        {
            var r = v.Refinement!;
            bool ok = v.Accepted, stepRejected = r.Verdict == RefinementVerdict.StepRejected;
            var actions = new JsonObject();
            foreach (var (name, count) in r.ActionCounts.OrderBy(x => x.Key, StringComparer.Ordinal)) actions[name] = count;
            return new JsonObject
            {
                ["file"] = path, ["verdict"] = ok ? "refines" : stepRejected ? "step_rejected" : "not_a_reference_run",
                ["exit"] = v.Exit, ["lines"] = r.Lines, ["spec_steps"] = r.SpecSteps, ["stutters"] = r.Stutters,
                ["actions"] = actions, ["line"] = ok ? null : r.Line, ["violated"] = stepRejected ? r.Violated : null,
                ["step"] = stepRejected ? r.Step?.ToString() : null,
                ["action"] = stepRejected ? r.Action?.ToString() : null,
                ["message"] = r.Verdict == RefinementVerdict.NotAReferenceRun ? r.Message : stepRejected ? r.Report : null,
                ["seconds"] = JsonOut.Seconds(r.Millis / 1000),
            };
        }
    }
}
