using System.Text.Json.Nodes;

namespace NotifierSpec.Cli;

/// <summary>`notifier replay TRACE.jsonl`: 0 accepted, 12 a rule is violated or a line is not allowed, 21 incomplete,
/// 255 malformed input (conformance/TraceChecks.Replay).</summary>
public static class ReplayCommand
{
    public const string Usage = "replay TRACE.jsonl [--partial] [--allow-incomplete]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("replay", argv, [], ["--partial", TraceInput.AllowIncomplete, "--json"], maxPositional: 1);
        if (args.Positional.Count != 1) throw new UsageException($"usage: notifier {Usage}");
        string path = args.Positional[0];
        var v = TraceChecks.Replay(path, args.Has(TraceInput.AllowIncomplete), args.Has("--partial"));
        return TraceOutput.Print(v, stdout, stderr, args.Has("--json") ? Json : null);

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
