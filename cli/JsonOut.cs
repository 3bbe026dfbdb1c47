using System.Text.Json;
using System.Text.Json.Nodes;

namespace NotifierSpec.Cli;

/// <summary>`--json` output of every command: one indented JSON value on stdout, snake_case keys (as the trace
/// format), documented by docs/schemas/COMMAND.schema.json. Errors stay one line on stderr with their exit code.</summary>
public static class JsonOut
{
    /// <summary>The --json option's help.</summary>
    public const string Help = "print the result as one JSON object (snake_case keys; docs/schemas/)";

    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write(TextWriter stdout, JsonNode node) => stdout.WriteLine(node.ToJsonString(Options));

    /// <summary>A time in seconds rounded to milliseconds (the only value that differs between two runs).</summary>
    public static double Seconds(double s) => Math.Round(s, 3);
}
