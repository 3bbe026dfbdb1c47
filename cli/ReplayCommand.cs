using System.CommandLine;
using System.Text.Json.Nodes;

namespace NotifierSpec.Cli;

/// <summary>`notifier replay TRACE.jsonl`: 0 accepted, 12 a rule is violated or a line is not allowed, 21 incomplete,
/// 255 malformed input (conformance/TraceChecks.Replay).</summary>
public static class ReplayCommand
{
    private static readonly Argument<string> Trace = TraceOutput.TraceArgument();
    private static readonly Option<bool> Partial = Opt.Flag("--partial", "accept lines that leave fields out (a coarser trace)");
    private static readonly Option<bool> AllowIncomplete = TraceOutput.AllowIncompleteOption();
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("replay", "Replays a trace (docs/trace-format.md) through the reference MMU, checking every rule after every line; accepted when every line is allowed and every rule holds.")
        {
            Trace, Partial, AllowIncomplete, JsonOption,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        string path = args.GetValue(Trace)!;
        var v = TraceChecks.Replay(path, args.GetValue(AllowIncomplete), args.GetValue(Partial));
        return TraceOutput.Print(v, args.InvocationConfiguration.Output, args.InvocationConfiguration.Error, args.GetValue(JsonOption) ? Json : null);

        JsonObject Json(TraceVerdict v)
        {
            var r = v.Replay!;
            return new JsonObject
            {
                ["file"] = path, ["verdict"] = v.Kind switch { VerdictKind.Accepted => "accepted", VerdictKind.Violation => "violation", _ => "rejected" },
                ["exit"] = v.Exit, ["lines"] = r.Lines,
                ["line"] = v.Accepted ? null : r.Line, ["column"] = v.Kind == VerdictKind.Rejected ? r.Column : null,
                ["rule"] = v.Kind == VerdictKind.Violation ? r.Rule?.ToString() : null, ["message"] = v.Accepted ? null : r.Message,
            };
        }
    }
}
