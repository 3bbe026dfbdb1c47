using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NotifierSpec.Reference;

/// <summary>
/// The bounds every trace is held to (docs/trace-format.md, "Bounds"); a trace or config that names
/// more is refused at its position, before anything is allocated for it.
/// </summary>
public static class TraceLimits
{
    /// <summary>Bytes in one line (without its newline): a vma_update of 4096 one-page VMAs takes about 450 KB.</summary>
    public const int MaxLineBytes = 1 << 20;
    /// <summary>Lines in one trace.</summary>
    public const int MaxLines = 1_000_000;
    public const int MaxPages = 4096;
    /// <summary>Frames: four per page at most (the scenarios and the hammer use three or four).</summary>
    public const int MaxFrames = 4 * MaxPages;
    public const int MaxMirrors = 16;
    /// <summary>Characters in a mirror or policy name, and in a result string.</summary>
    public const int MaxName = 64;
    public const int MaxResult = 200;
    /// <summary>JSON nesting (a config line needs 4: mirrors, policy, reactions).</summary>
    public const int MaxDepth = 16;
}

/// <summary>One line of a trace as read: its 1-based number, its text and its JSON object, or the
/// position and message of why it cannot be read (the reader stops after such a line).</summary>
public sealed record TraceRecord(int Line, string Raw, JsonObject? Obj, int ErrorColumn = 0, string? Error = null)
{
    public static TraceRecord Fail(int line, int column, string message) => new(line, "", null, column, message);
}

/// <summary>
/// Reads a JSON-lines trace (docs/trace-format.md) strictly and in bounded memory: lines longer than
/// TraceLimits.MaxLineBytes are refused before they are held whole, bytes that are not UTF-8 are refused
/// at their position (never replaced by U+FFFD), blank lines, duplicated keys and non-objects are refused.
/// The first line that cannot be read is yielded as a failed record and ends the sequence.
/// Shared by `notifier replay`, `validate` and `refine` (through TraceCheck).
/// </summary>
public static class TraceReader
{
    private static readonly JsonDocumentOptions DocOptions = new() { AllowDuplicateProperties = false, MaxDepth = TraceLimits.MaxDepth };
    private static readonly UTF8Encoding Strict = new(false, true);

    /// <summary>The records of a file; a missing file or a directory is a failed record at 1:1.</summary>
    public static IEnumerable<TraceRecord> ReadFile(string path)
    {
        if (Directory.Exists(path)) { yield return TraceRecord.Fail(1, 1, $"cannot read {path}: it is a directory"); yield break; }
        if (!File.Exists(path)) { yield return TraceRecord.Fail(1, 1, $"cannot read {path}: no such file"); yield break; }
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buf = new byte[1 << 16];
        var line = new MemoryStream();
        bool tooLong = false, first = true;
        int n = 0;
        while (true)
        {
            int got = fs.Read(buf, 0, buf.Length);
            int start = 0;
            for (int i = 0; i < got; i++)
            {
                if (buf[i] != (byte)'\n') continue;
                Append(line, buf, start, i - start, ref tooLong);
                start = i + 1;
                var rec = Finish(++n, line, tooLong, ref first);
                yield return rec;
                if (rec.Error is not null) yield break;
                line.SetLength(0);
                tooLong = false;
            }
            if (got == 0)
            {
                if (line.Length > 0 || tooLong) yield return Finish(++n, line, tooLong, ref first);
                yield break;
            }
            Append(line, buf, start, got - start, ref tooLong);
            if (tooLong) { yield return Finish(n + 1, line, true, ref first); yield break; }
        }
    }

    private static void Append(MemoryStream line, byte[] buf, int start, int count, ref bool tooLong)
    {
        if (tooLong) return;
        if (line.Length + count > TraceLimits.MaxLineBytes) { tooLong = true; return; }
        line.Write(buf, start, count);
    }

    private static TraceRecord Finish(int n, MemoryStream line, bool tooLong, ref bool first)
    {
        if (n > TraceLimits.MaxLines) return TraceRecord.Fail(n, 1, $"more than {TraceLimits.MaxLines} lines");
        if (tooLong) return TraceRecord.Fail(n, TraceLimits.MaxLineBytes + 1, $"line longer than {TraceLimits.MaxLineBytes} bytes");
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (first && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        first = false;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        string raw;
        try { raw = Strict.GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            int at = Math.Clamp(e.Index, 0, bytes.Length);
            int col = Encoding.UTF8.GetCharCount(bytes[..at]) + 1;
            return TraceRecord.Fail(n, col, $"invalid UTF-8: byte 0x{(at < bytes.Length ? bytes[at] : 0):X2} at byte {at + 1} of the line");
        }
        return ParseLine(n, raw);
    }

    /// <summary>The records of lines already in memory (tests, spec/'s refinement of a session).</summary>
    public static IEnumerable<TraceRecord> FromLines(IEnumerable<string> lines)
    {
        int n = 0;
        foreach (var raw in lines)
        {
            n++;
            TraceRecord rec = n > TraceLimits.MaxLines ? TraceRecord.Fail(n, 1, $"more than {TraceLimits.MaxLines} lines")
                : Encoding.UTF8.GetByteCount(raw) > TraceLimits.MaxLineBytes ? TraceRecord.Fail(n, TraceLimits.MaxLineBytes + 1, $"line longer than {TraceLimits.MaxLineBytes} bytes")
                : ParseLine(n, raw);
            yield return rec;
            if (rec.Error is not null) yield break;
        }
    }

    /// <summary>One line: a JSON object without duplicated keys, or a failed record with the position.</summary>
    public static TraceRecord ParseLine(int n, string raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return TraceRecord.Fail(n, 1, "empty line");
        try
        {
            if (JsonNode.Parse(raw, null, DocOptions) is JsonObject o) return new(n, raw, o);
            return TraceRecord.Fail(n, 1, "expected a JSON object");
        }
        catch (JsonException e)
        {
            int col = (int)(e.BytePositionInLine ?? 0) + 1;
            // a duplicated key: .NET gives no position; the key's second occurrence is where it goes wrong
            var dup = System.Text.RegularExpressions.Regex.Match(e.Message, "^Duplicate property '([^']*)'");
            if (dup.Success)
            {
                int at = raw.LastIndexOf($"\"{dup.Groups[1].Value}\"", StringComparison.Ordinal);
                return TraceRecord.Fail(n, at < 0 ? 1 : at + 1, $"invalid JSON: the key '{dup.Groups[1].Value}' appears twice in the object");
            }
            return TraceRecord.Fail(n, col, $"invalid JSON: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string m)
    {
        int i = m.IndexOf(". ", StringComparison.Ordinal);
        m = i < 0 ? m : m[..(i + 1)];
        // .NET's messages end with "Path: $ | LineNumber: 0 | BytePositionInLine: 12." when they are one sentence
        int p = m.IndexOf(" Path: ", StringComparison.Ordinal);
        return p < 0 ? m : m[..p];
    }
}
