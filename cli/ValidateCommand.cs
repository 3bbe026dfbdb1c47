using System.Text.Json.Nodes;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier validate TRACE.jsonl [--spec TraceNotifierSpec.tla]`: trace validation of a reference trace against
/// the TLA+ spec (conformance/TraceChecks.Validate, tla/trace/TraceNotifierSpec.tla).
/// Exit codes: 0 accepted, 12 rejected, 20 the trace uses a feature outside the spec (or leaves out a field the spec reads),
/// 21 incomplete, 75 the trace spec could not be evaluated, 255 malformed (reference/TraceCheck, as replay and refine).
/// </summary>
public static class ValidateCommand
{
    public const string Usage = "validate TRACE.jsonl [--spec TraceNotifierSpec.tla] [--allow-incomplete] [--quiet]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var a = Args.Parse("validate", argv, ["--spec"], [TraceInput.AllowIncomplete, "--json", "--quiet"], maxPositional: 1);
        if (a.Positional.Count != 1) throw new UsageException($"usage: notifier {Usage}");
        var progress = Progress.For("validate", stderr, a.Has("--quiet"));
        var v = TraceChecks.Validate(a.Positional[0], a.Get("--spec"), a.Has(TraceInput.AllowIncomplete), progress.CheckerLines());
        progress.Done();
        return TraceOutput.Print(v, stdout, stderr, a.Has("--json") ? Json : null);

        JsonObject Json(TraceVerdict v) => new()
        {
            ["file"] = a.Positional[0], ["verdict"] = v.Accepted ? "accepted" : "rejected", ["exit"] = v.Exit, ["line"] = v.Line,
            ["message"] = v.Message, ["detail"] = v.Detail, ["states"] = v.States, ["seconds"] = JsonOut.Seconds(v.Seconds),
        };
    }
}
