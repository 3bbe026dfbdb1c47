using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// The shared front of `replay`, `validate` and `refine`: reference/TraceCheck on the file, printed the
/// same way by all three (one line on stderr): malformed input exit 255, an incomplete trace exit 21.
/// </summary>
public static class TraceInput
{
    public const string AllowIncomplete = "--allow-incomplete";

    /// <summary>null when the trace is valid (its check in `result`), else the exit code after the one line.</summary>
    public static int? Check(string path, bool allowIncomplete, bool partial, TextWriter stderr, out TraceCheckResult result)
    {
        result = TraceCheck.File(path, allowIncomplete, partial);
        switch (result.Validity)
        {
            case TraceValidity.Malformed:
                string what = result.Message.StartsWith("cannot read ", StringComparison.Ordinal) ? "" : "malformed trace: ";
                stderr.WriteLine($"{path}:{result.Line}:{result.Column}: {what}{result.Message}");
                return ExitCodes.Error;
            case TraceValidity.Incomplete:
                stderr.WriteLine($"{path}:{result.Line}:{result.Column}: incomplete trace: {result.Message}");
                return ExitCodes.Incomplete;
            default:
                return null;
        }
    }
}
