using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier replay TRACE.jsonl`: 0 accepted, 12 a rule is violated or a line is not allowed, 255 malformed input.</summary>
public static class ReplayCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("replay", argv, [], ["--partial"]);
        if (args.Positional.Count != 1) throw new UsageException("usage: notifier replay TRACE.jsonl [--partial]");
        string path = args.Positional[0];
        if (!File.Exists(path)) { stderr.WriteLine($"{path}:1:1: cannot read {path}: no such file"); return ExitCodes.Error; }
        var r = Replay.Run(File.ReadLines(path), partial: args.Has("--partial"));
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
