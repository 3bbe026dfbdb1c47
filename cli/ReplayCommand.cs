using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier replay TRACE.jsonl`: 0 accepted, 12 a rule is violated or a line is not allowed, 21 incomplete,
/// 255 malformed input (reference/TraceCheck, shared with validate and refine).</summary>
public static class ReplayCommand
{
    public const string Usage = "replay TRACE.jsonl [--partial] [--allow-incomplete]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("replay", argv, [], ["--partial", TraceInput.AllowIncomplete], maxPositional: 1);
        if (args.Positional.Count != 1) throw new UsageException($"usage: notifier {Usage}");
        string path = args.Positional[0];
        if (TraceInput.Check(path, args.Has(TraceInput.AllowIncomplete), args.Has("--partial"), stderr, out var check) is int bad) return bad;
        var r = check.Replay!;
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
