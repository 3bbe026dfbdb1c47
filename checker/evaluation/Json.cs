using System.Text;
using System.Text.Json;

namespace NotifierSpec.Checker;

/// <summary>A JSON-lines file that cannot be read as TLA+ values: where and why (file:line:col).</summary>
public sealed class JsonLinesError(string file, int line, int col, string message) : Exception(message)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Col { get; } = col;
    public override string ToString() => $"{File}:{Line}:{Col}: {Message}";
}

/// <summary>
/// The community modules' Json!ndJsonDeserialize and IOUtils!IOEnv as built-ins (as CCF's trace
/// validation uses them: tla/consensus/Traceccfraft.tla `JsonLog == ndJsonDeserialize(JsonFile)`,
/// `JsonFile == IOEnv.JSON`). JSON maps to TLA+ as in CommunityModules' Json.java: an object is a
/// record, an array a sequence (tuple), a string a string, an integer an integer, true/false
/// booleans. A field whose value is null is left out of its record (test it with `"f" \in DOMAIN r`);
/// a null elsewhere, a non-integer number and a duplicate
/// key are errors; {} is the function with the empty domain. Every error is one line `file:line:col: message`.
/// </summary>
public static class JsonLines
{
    /// <summary>Reads every non-blank line of path; each is one JSON value. Line numbers are the file's (1-based).</summary>
    public static List<(int Line, string Text, Value Value)> Read(string path, Interner interner)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JsonLinesError(path, 1, 1, $"cannot read {path}: {e.Message}");
        }
        var res = new List<(int, string, Value)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            res.Add((i + 1, lines[i], ParseLine(path, i + 1, lines[i], interner)));
        }
        return res;
    }

    public static Value ParseLine(string file, int line, string text, Interner interner)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read()) throw new JsonLinesError(file, line, 1, "malformed JSON: empty line");
            var v = ReadValue(ref reader, file, line, text, interner, inObject: false);
            if (reader.Read()) throw new JsonLinesError(file, line, Col(text, reader.TokenStartIndex), "malformed JSON: more than one value on the line");
            return v;
        }
        catch (JsonException e)
        {
            // BytePositionInLine is a byte offset: convert to a 1-based character column
            int col = e.BytePositionInLine is long b ? Col(text, b) : 1;
            string msg = e.Message;
            int cut = msg.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) msg = msg[..cut];
            throw new JsonLinesError(file, line, col, $"malformed JSON: {msg.TrimEnd('.', ' ')}");
        }
    }

    private static int Col(string text, long byteIndex)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        int n = (int)Math.Clamp(byteIndex, 0, bytes.Length);
        return Encoding.UTF8.GetCharCount(bytes, 0, n) + 1;
    }

    private static Value ReadValue(ref Utf8JsonReader r, string file, int line, string text, Interner interner, bool inObject)
    {
        int col = Col(text, r.TokenStartIndex);
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var keys = new List<Value>();
                var vals = new List<Value>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (true)
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    string name = r.GetString()!;
                    int kcol = Col(text, r.TokenStartIndex);
                    if (!seen.Add(name)) throw new JsonLinesError(file, line, kcol, $"malformed JSON: duplicate key \"{name}\"");
                    r.Read();
                    if (r.TokenType == JsonTokenType.Null) continue; // a null field is left out of the record
                    keys.Add(interner.Str(name));
                    vals.Add(ReadValue(ref r, file, line, text, interner, inObject: true));
                }
                // {} is the function with the empty domain (in TLA+ the same value as <<>>)
                return keys.Count == 0 ? TupleV.Empty : FcnBase.MakeUnsorted([.. keys], [.. vals]);
            }
            case JsonTokenType.StartArray:
            {
                var elems = new List<Value>();
                while (true)
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.EndArray) break;
                    elems.Add(ReadValue(ref r, file, line, text, interner, inObject: false));
                }
                return new TupleV([.. elems]);
            }
            case JsonTokenType.String:
                return interner.Str(r.GetString()!);
            case JsonTokenType.Number:
                if (r.TryGetInt64(out long n)) return IntV.Of(n);
                throw new JsonLinesError(file, line, col, "a JSON number that is not an integer has no TLA+ value");
            case JsonTokenType.True:
                return BoolV.True;
            case JsonTokenType.False:
                return BoolV.False;
            case JsonTokenType.Null:
                throw new JsonLinesError(file, line, col, "null has no TLA+ value here (only as a field's value, where the field is left out)");
            default:
                throw new JsonLinesError(file, line, col, $"malformed JSON: unexpected {r.TokenType}");
        }
    }

    /// <summary>ndJsonDeserialize(path): the sequence of the file's lines as values.</summary>
    public static Value NdJsonDeserialize(Ctx c, Value path)
    {
        if (path is not StrV s) throw new EvalError($"The argument of ndJsonDeserialize should be a string, but instead it is: {path.KindName} {Node.Trunc(path)}");
        try { return new TupleV([.. Read(s.S, c.In).Select(x => x.Value)]); }
        catch (JsonLinesError e) { throw new EvalError(e.ToString()); }
    }

    /// <summary>IOEnv: a record of the environment variables, the spec's own settings (Spec.Env) first.</summary>
    public static Value IoEnv(Ctx c)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) d[k] = v;
        foreach (var (k, v) in c.Spec.Env) d[k] = v;
        if (d.Count == 0) throw new EvalError("IOEnv: no environment variables (TLC has no empty record)");
        return FcnBase.MakeUnsorted([.. d.Keys.Select(k => (Value)c.In.Str(k))], [.. d.Values.Select(v => (Value)c.In.Str(v))]);
    }
}
