using System.Text.Json;

namespace NotifierSpec.Checker;

/// <summary>One model of a manifest (tla/manifest.json): its spec and config, whether CI runs it, and the result
/// TLC recorded for it (result, violated, distinctStates, stateDepth, traceLength: tlaplus/Examples' manifest names,
/// tla/manifest.schema.json).</summary>
public sealed record ManifestModel(string Name, string Spec, string Config, bool Ci, string Result, string? Violated, long? DistinctStates, int? StateDepth, int? TraceLength);

/// <summary>A manifest that cannot be read: the message is one line, file:line:col: bad manifest: ...</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>
/// tla/manifest.json: read strictly (Read) and a checker run compared with its recorded TLC result (Compare),
/// as `notifier check` without a SPEC does and the tests of tla/ and the corpus do.
/// </summary>
public static class Manifest
{
    /// <summary>The results a manifest entry may record: tlaplus/Examples' manifest-schema.json values, and our "error".</summary>
    public static readonly string[] Results = ["success", "deadlock failure", "safety failure", "liveness failure", "assumption failure", "error"];

    /// <summary>The fields a model entry may have (tla/manifest.schema.json); any other is refused, so that a field
    /// under an old or misspelt name (say "depth") is never silently left unchecked.</summary>
    public static readonly string[] Fields = ["name", "spec", "config", "ci", "result", "violated", "distinctStates", "totalStates", "stateDepth", "traceLength", "exit"];

    /// <summary>A run's result as a manifest records it (CheckResult.ResultName with Examples' " failure").</summary>
    public static string ResultOf(CheckResult r) => r.ResultName switch
    {
        "success" or "error" => r.ResultName,
        var other => other + " failure",
    };

    /// <summary>Reads tla/manifest.json's format strictly: JSON errors, missing or mistyped fields and unknown results
    /// are a ManifestException placed at the line and column of the entry or field.</summary>
    public static List<ManifestModel> Read(string path)
    {
        if (Directory.Exists(path)) throw new ManifestException($"{path}:1:1: cannot read {path}: it is a directory");
        byte[] bytes = File.ReadAllBytes(path);
        string Pos(long offset)
        {
            int line = 1, col = 1;
            for (long i = 0; i < offset && i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n') { line++; col = 1; }
                else if ((bytes[i] & 0xC0) != 0x80) col++;
            }
            return $"{path}:{line}:{col}";
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 }); }
        catch (JsonException e)
        {
            string msg = e.Message;
            int cut = msg.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut < 0) cut = msg.IndexOf(" LineNumber: ", StringComparison.Ordinal);
            if (DuplicateKey(bytes) is (long at, string key)) throw new ManifestException($"{Pos(at)}: bad manifest: the key '{key}' appears twice in the object");
            throw new ManifestException($"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: bad manifest: {(cut < 0 ? msg : msg[..cut])}");
        }
        // byte offsets of each model object and of its fields (JsonElement has no positions)
        var starts = new List<(long Start, Dictionary<string, long> Fields)>();
        var reader = new Utf8JsonReader(bytes);
        int depth = 0; bool inModels = false; string? topKey = null; int modelsDepth = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (depth == 1) topKey = reader.GetString();
                    else if (inModels && depth == modelsDepth + 2 && starts.Count > 0) starts[^1].Fields.TryAdd(reader.GetString()!, reader.TokenStartIndex);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (depth == 1 && topKey == "models" && reader.TokenType == JsonTokenType.StartArray) { inModels = true; modelsDepth = depth; }
                    else if (inModels && depth == modelsDepth + 1 && reader.TokenType == JsonTokenType.StartObject) starts.Add((reader.TokenStartIndex, new()));
                    depth++;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    depth--;
                    if (inModels && depth == modelsDepth) inModels = false;
                    break;
            }
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
                throw new ManifestException($"{path}:1:1: bad manifest: expected an object with a \"models\" array");
            var list = new List<ManifestModel>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            int i = 0;
            foreach (var m in models.EnumerateArray())
            {
                var (start, fields) = i < starts.Count ? starts[i] : (0, new Dictionary<string, long>());
                i++;
                string At(string k) => Pos(fields.TryGetValue(k, out var o) ? o : start);
                if (m.ValueKind != JsonValueKind.Object) throw new ManifestException($"{Pos(start)}: bad manifest: model entry {i}: expected an object");
                string S(string k) => m.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                    : throw new ManifestException($"{At(k)}: bad manifest: model entry {i}: field \"{k}\": {(m.TryGetProperty(k, out _) ? "expected a string" : "missing")}");
                string? SN(string k) => !m.TryGetProperty(k, out var v) || v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString()
                    : throw new ManifestException($"{At(k)}: bad manifest: model entry {i}: field \"{k}\": expected a string or null");
                long? L(string k, long max) => !m.TryGetProperty(k, out var v) || v.ValueKind == JsonValueKind.Null ? null
                    : v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) && n >= 0 && n <= max ? n
                    : throw new ManifestException($"{At(k)}: bad manifest: model entry {i}: field \"{k}\": expected an integer in [0, {max}] or null");
                string name = S("name");
                if (!names.Add(name)) throw new ManifestException($"{At("name")}: bad manifest: two models named '{name}'");
                bool ci = true;
                if (m.TryGetProperty("ci", out var civ))
                {
                    if (civ.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new ManifestException($"{At("ci")}: bad manifest: model '{name}': field \"ci\": expected true or false");
                    ci = civ.ValueKind == JsonValueKind.True;
                }
                foreach (var p in m.EnumerateObject())
                    if (!Fields.Contains(p.Name)) throw new ManifestException($"{At(p.Name)}: bad manifest: model '{name}': unknown field \"{p.Name}\" (fields: {string.Join(", ", Fields)})");
                string result = S("result");
                if (!Results.Contains(result))
                    throw new ManifestException($"{At("result")}: bad manifest: model '{name}': result '{result}' is not one of {string.Join(", ", Results)}");
                list.Add(new ManifestModel(name, S("spec"), S("config"), ci, result, SN("violated"), L("distinctStates", long.MaxValue), (int?)L("stateDepth", int.MaxValue), (int?)L("traceLength", int.MaxValue)));
            }
            return list;
        }
    }

    /// <summary>The offset and name of the first key given twice in one object (.NET reports no position for it).</summary>
    private static (long, string)? DuplicateKey(byte[] bytes)
    {
        var keys = new Stack<HashSet<string>>();
        var reader = new Utf8JsonReader(bytes);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartObject) keys.Push([]);
                else if (reader.TokenType == JsonTokenType.EndObject) keys.Pop();
                else if (reader.TokenType == JsonTokenType.PropertyName && !keys.Peek().Add(reader.GetString()!)) return (reader.TokenStartIndex, reader.GetString()!);
            }
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>Compares a run with its manifest entry; returns the differences (empty when equal).</summary>
    public static List<string> Compare(ManifestModel m, int exit, CheckResult? r)
    {
        var diffs = new List<string>();
        if (r is null) { diffs.Add($"did not run (exit {exit})"); return diffs; }
        if (ResultOf(r) != m.Result) diffs.Add($"result {ResultOf(r)} (expected {m.Result}){(r.Message is null ? "" : ": " + r.Message)}");
        if (m.Violated != r.Violated && (m.Violated is not null || r.Violated is not null)) diffs.Add($"violated {r.Violated ?? "null"} (expected {m.Violated ?? "null"})");
        if (m.DistinctStates is { } ds && ds != r.Distinct) diffs.Add($"distinctStates {r.Distinct} (expected {ds})");
        if (m.StateDepth is { } d && d != r.Depth) diffs.Add($"stateDepth {r.Depth} (expected {d})");
        int? tl = r.TraceLength;
        if (m.TraceLength != tl && (m.TraceLength is not null || m.Result != "success")) diffs.Add($"traceLength {tl?.ToString() ?? "null"} (expected {m.TraceLength?.ToString() ?? "null"})");
        return diffs;
    }
}
