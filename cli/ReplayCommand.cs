using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier replay TRACE.jsonl`: 0 accepted, 12 a rule is violated or a line is not allowed, 21 incomplete,
/// 255 malformed input (reference/TraceCheck, shared with validate and refine).</summary>
public static class ReplayCommand
{
    public const string Usage = "replay TRACE.jsonl [--partial] [--allow-incomplete]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("replay", argv, [], ["--partial", TraceInput.AllowIncomplete, "--json"], maxPositional: 1);
        if (args.Positional.Count != 1) throw new UsageException($"usage: notifier {Usage}");
        string path = args.Positional[0];
        if (TraceInput.Check(path, args.Has(TraceInput.AllowIncomplete), args.Has("--partial"), stderr, out var check) is int bad) return bad;
        var r = check.Replay!;
        if (args.Has("--json") && r.Verdict is ReplayVerdict.Accepted or ReplayVerdict.Violation or ReplayVerdict.Rejected)
        {
            bool ok = r.Verdict == ReplayVerdict.Accepted;
            JsonOut.Write(stdout, new JsonObject
            {
                ["file"] = path, ["verdict"] = r.Verdict switch { ReplayVerdict.Accepted => "accepted", ReplayVerdict.Violation => "violation", _ => "rejected" },
                ["exit"] = ok ? ExitCodes.Ok : ExitCodes.Violation, ["lines"] = r.Lines,
                ["line"] = ok ? null : r.Line, ["column"] = r.Verdict == ReplayVerdict.Rejected ? r.Column : null,
                ["rule"] = r.Verdict == ReplayVerdict.Violation ? r.Rule?.ToString() : null, ["message"] = ok ? null : r.Message,
            });
            return ok ? ExitCodes.Ok : ExitCodes.Violation;
        }
        switch (r.Verdict)
        {
            case ReplayVerdict.Accepted:
                stdout.WriteLine($"{path}: accepted ({r.Lines} lines, all rules hold)");
                return ExitCodes.Ok;
            case ReplayVerdict.Violation:
                stdout.WriteLine($"{path}:{r.Line}: rule {r.Rule} violated: {r.Message}");
                return ExitCodes.Violation;
            case ReplayVerdict.Rejected:
                stdout.WriteLine($"{path}:{r.Line}:{r.Column}: not allowed by the reference: {r.Message}");
                return ExitCodes.Violation;
            default:
                stderr.WriteLine($"{path}:{r.Line}:{r.Column}: malformed trace: {r.Message}");
                return ExitCodes.Error;
        }
    }
}
