using System.CommandLine;

namespace NotifierSpec.Cli;

/// <summary>How replay, validate and refine print a conformance verdict (conformance/TraceVerdict.cs): a refusal is its
/// one line on stderr; a verdict on the trace is its line and detail on stdout, or with --json the command's object.</summary>
public static class TraceOutput
{
    /// <summary>The trace replay, validate and refine read.</summary>
    public static Argument<string> TraceArgument() => new("TRACE.jsonl") { Description = "the trace (docs/trace-format.md)" };

    public static Option<bool> AllowIncompleteOption() => Opt.Flag(TraceInput.AllowIncomplete, "accept a trace that ends inside an operation");

    public static int Print(TraceVerdict v, TextWriter stdout, TextWriter stderr, Func<TraceVerdict, System.Text.Json.Nodes.JsonObject>? json)
    {
        if (v.ToStderr) stderr.WriteLine(v.Message);
        else if (json is not null) JsonOut.Write(stdout, json(v));
        else
        {
            stdout.WriteLine(v.Message);
            if (v.Detail is not null) stdout.Write(v.Detail);
        }
        return v.Exit;
    }
}
