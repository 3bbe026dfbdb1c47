using System.CommandLine;
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
    private static readonly Argument<string> Trace = TraceOutput.TraceArgument();
    private static readonly Option<string?> Spec = Opt.Text("--spec", "FILE", "the trace spec (default tla/trace/TraceNotifierSpec.tla)");
    private static readonly Option<bool> AllowIncomplete = TraceOutput.AllowIncompleteOption();
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("validate", "Trace validation against the TLA+ spec (tla/trace/TraceNotifierSpec.tla): accepted when some behaviour of the spec matches every line; otherwise prints the first line no behaviour matches and the spec state before it.")
        {
            Trace, Spec, AllowIncomplete, Quiet, JsonOption,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult a)
    {
        var (stdout, stderr) = (a.InvocationConfiguration.Output, a.InvocationConfiguration.Error);
        string path = a.GetValue(Trace)!;
        var v = Progress.Run("validate", stderr, a.GetValue(Quiet), progress => TraceChecks.Validate(path, a.GetValue(Spec), a.GetValue(AllowIncomplete), progress.CheckerLines()));
        return TraceOutput.Print(v, stdout, stderr, a.GetValue(JsonOption) ? Json : null);

        JsonObject Json(TraceVerdict v) => new()
        {
            ["file"] = path, ["verdict"] = v.Accepted ? "accepted" : "rejected", ["exit"] = v.Exit, ["line"] = v.Line,
            ["message"] = v.Message, ["detail"] = v.Detail, ["states"] = v.States, ["seconds"] = JsonOut.Seconds(v.Seconds),
        };
    }
}
