using NotifierSpec.Reference;

namespace NotifierSpec.Conformance;

/// <summary>
/// The shared front of replay, validate and refine: reference/TraceCheck on the file, refused the same way by
/// all three (one line `file:line:col: message`): malformed input (exit 255), an incomplete trace (exit 21).
/// </summary>
public static class TraceInput
{
    public const string AllowIncomplete = "--allow-incomplete";

    /// <summary>null when the trace is valid (its check in `result`), else the refusal.</summary>
    public static TraceVerdict? Check(TraceCheckKind check, string path, bool allowIncomplete, bool partial, out TraceCheckResult result)
    {
        result = TraceCheck.File(path, allowIncomplete, partial);
        switch (result.Validity)
        {
            case TraceValidity.Malformed:
                string what = result.Message.StartsWith("cannot read ", StringComparison.Ordinal) ? "" : "malformed trace: ";
                return new(check, VerdictKind.Malformed, result.Line, $"{path}:{result.Line}:{result.Column}: {what}{result.Message}");
            case TraceValidity.Incomplete:
                return new(check, VerdictKind.Incomplete, result.Line, $"{path}:{result.Line}:{result.Column}: incomplete trace: {result.Message}");
            default:
                return null;
        }
    }
}
