using System.CommandLine;
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
    private static readonly Argument<string> Trace = TraceOutput.TraceArgument();
    private static readonly Option<bool> AllowIncomplete = TraceOutput.AllowIncompleteOption();
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", JsonOut.Help);
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");

    public static Command Define()
    {
        var c = new Command("refine", "Checks that every step of a complete reference trace is an instance of spec/'s Z3 transition relation (or a stutter): step-level refinement.")
        {
            Trace, AllowIncomplete, Quiet, JsonOption,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        string path = args.GetValue(Trace)!;
        var v = Progress.Run("refine", args.InvocationConfiguration.Error, args.GetValue(Quiet), progress =>
        {
            progress.Report($"checking {path}");
            return TraceChecks.Refine(path, args.GetValue(AllowIncomplete));
        });
        return TraceOutput.Print(v, args.InvocationConfiguration.Output, args.InvocationConfiguration.Error, args.GetValue(JsonOption) ? Json : null);

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
