using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NotifierSpec.Reference;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// A fuzzing harness for the trace readers (docs/fuzzing-traces.md): the scenario traces (`notifier
/// scenario --trace`) mutated with a fixed seed (lines dropped, duplicated, swapped, cut; values
/// changed to other values, wrong types, huge numbers; fields added, removed, given twice; bytes that
/// are not UTF-8; the file truncated; config sizes blown up), each given to `notifier replay`,
/// `validate` and `refine`. Every outcome must be a documented exit code, no exception may escape
/// Cli.Run, a refusal (255, 21) is exactly one line `file:line:col: message` on stderr, and the three
/// commands agree on validity (malformed / incomplete / well-formed), with the same line for a refusal.
/// </summary>
public static class TraceFuzz
{
    public delegate (int Code, string Out, string Err) Runner(string command, string path);

    public sealed record Case(int Index, string Mutation, string Path, Dictionary<string, (int Code, string Err)> Results);

    public sealed record Report(int Cases, List<string> Failures, SortedDictionary<string, SortedDictionary<string, int>> Outcomes)
    {
        /// <summary>A markdown table: mutation -> how many cases ended in each (agreed) outcome.</summary>
        public string Table()
        {
            var cols = Outcomes.Values.SelectMany(d => d.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var sb = new StringBuilder();
            sb.AppendLine($"| mutation | {string.Join(" | ", cols)} |");
            sb.AppendLine($"|---|{string.Concat(cols.Select(_ => "---:|"))}");
            foreach (var (m, d) in Outcomes) sb.AppendLine($"| {m} | {string.Join(" | ", cols.Select(c => d.GetValueOrDefault(c).ToString()))} |");
            return sb.ToString();
        }
    }

    public static readonly string[] Commands = ["replay", "validate", "refine"];

    /// <summary>The exit codes these three commands document (docs/exit-codes.md).</summary>
    public static readonly int[] Documented = [0, 12, 20, 21, 75, 255];

    public static Runner Cli => (cmd, path) =>
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run([cmd, path], o, e);
        return (code, o.ToString(), e.ToString());
    };

    private static List<byte[]>? _seeds;

    /// <summary>The scenario traces, as the bytes `notifier scenario NAME --trace FILE` writes.</summary>
    public static List<byte[]> Seeds()
    {
        if (_seeds is { } s) return s;
        var list = new List<byte[]>();
        foreach (var sc in Scenarios.All)
        {
            var w = new StringWriter();
            TraceFile.Write(w, sc.Run().Session);
            list.Add(new UTF8Encoding(false).GetBytes(w.ToString().Replace("\r\n", "\n")));
        }
        return _seeds = list;
    }

    public static Report Run(int seed, int cases, Runner run, string dir)
    {
        var rnd = new Random(seed);
        var seeds = Seeds();
        var failures = new List<string>();
        var outcomes = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        for (int i = 0; i < cases; i++)
        {
            var input = seeds[rnd.Next(seeds.Count)];
            var (name, bytes) = Mutate(input, rnd);
            string path = Path.Combine(dir, $"case{i}.jsonl");
            File.WriteAllBytes(path, bytes);
            var results = new Dictionary<string, (int Code, string Err)>();
            foreach (var cmd in Commands)
            {
                try
                {
                    var (code, _, err) = run(cmd, path);
                    results[cmd] = (code, err);
                }
                catch (Exception e)
                {
                    failures.Add($"case {i} ({name}): {cmd}: exception escaped Cli.Run: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                    results[cmd] = (-1, "");
                }
            }
            foreach (var f in Judge(i, name, path, results)) failures.Add(f);
            string outcome = string.Join("/", results.Values.Select(r => r.Code).Distinct());
            var row = outcomes.TryGetValue(name, out var d) ? d : outcomes[name] = new(StringComparer.Ordinal);
            row[outcome] = row.GetValueOrDefault(outcome) + 1;
            if (failures.Count == 0) File.Delete(path);
        }
        return new(cases, failures, outcomes);
    }

    private static readonly Regex OneLine = new(@"^(?<pos>[^\n]*?:\d+:\d+): [^\n]+\n$", RegexOptions.CultureInvariant);

    private static IEnumerable<string> Judge(int i, string name, string path, Dictionary<string, (int Code, string Err)> results)
    {
        string Where(string cmd) => $"case {i} ({name}, {path}): {cmd}";
        var kinds = new Dictionary<string, string>();
        var positions = new Dictionary<string, string>();
        foreach (var (cmd, (code, err)) in results)
        {
            if (code == -1) continue;
            if (!Documented.Contains(code)) yield return $"{Where(cmd)}: exit {code} is not documented";
            if (code is 255 or 21)
            {
                var m = OneLine.Match(err);
                if (!m.Success || !err.StartsWith(path + ":", StringComparison.Ordinal)) { yield return $"{Where(cmd)}: exit {code} without one line file:line:col: message on stderr: {err.Trim()}"; continue; }
                positions[cmd] = err;
            }
            if (err.Contains("   at ", StringComparison.Ordinal) || err.Contains("Exception", StringComparison.Ordinal)) yield return $"{Where(cmd)}: a stack trace or exception on stderr: {err.Trim()}";
            kinds[cmd] = code switch { 255 => "malformed", 21 => "incomplete", _ => "well-formed" };
        }
        if (kinds.Values.Distinct().Count() > 1)
            yield return $"case {i} ({name}, {path}): the commands disagree on validity: {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value} (exit {results[k.Key].Code})"))}";
        else if (positions.Values.Distinct().Count() > 1)
            yield return $"case {i} ({name}, {path}): the commands refuse with different lines: {string.Join(" | ", positions.Select(p => $"{p.Key}: {p.Value.Trim()}"))}";
    }

    private static readonly string[] Mutations =
    [
        "drop line", "duplicate line", "swap lines", "cut after line", "blank line", "value: other integer", "value: huge number",
        "value: wrong type", "value: unknown string", "add field", "remove field", "duplicate key", "invalid UTF-8", "truncate bytes",
        "config: size", "config: mirror", "flip byte",
    ];

    /// <summary>One mutation of a trace, chosen and applied with `rnd` (deterministic for a seed).</summary>
    public static (string Name, byte[] Bytes) Mutate(byte[] input, Random rnd)
    {
        string name = Mutations[rnd.Next(Mutations.Length)];
        var text = Encoding.UTF8.GetString(input);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        int L() => rnd.Next(lines.Count);
        int L1() => lines.Count > 1 ? 1 + rnd.Next(lines.Count - 1) : 0;
        byte[] Join() => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        switch (name)
        {
            case "drop line": lines.RemoveAt(L()); return (name, Join());
            case "duplicate line": { int k = L(); lines.Insert(k, lines[k]); return (name, Join()); }
            case "swap lines": { int a = L(), b = L(); (lines[a], lines[b]) = (lines[b], lines[a]); return (name, Join()); }
            case "cut after line": lines = lines.Take(1 + rnd.Next(lines.Count)).ToList(); return (name, Join());
            case "blank line": lines.Insert(rnd.Next(lines.Count + 1), rnd.Next(2) == 0 ? "" : "   "); return (name, Join());
            case "truncate bytes": return (name, input[..rnd.Next(input.Length)]);
            case "invalid UTF-8":
            {
                int at = rnd.Next(input.Length);
                byte[][] bad = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80]];
                return (name, [.. input[..at], .. bad[rnd.Next(bad.Length)], .. input[at..]]);
            }
            case "flip byte":
            {
                var b = (byte[])input.Clone();
                int at = rnd.Next(b.Length);
                const string Chars = "{}[]\":,0-9aZ \\";
                b[at] = (byte)Chars[rnd.Next(Chars.Length)];
                return (name, b);
            }
        }
        // JSON-level mutations of one line (the config line for config:*)
        int li = name.StartsWith("config", StringComparison.Ordinal) ? 0 : L1();
        var o = JsonNode.Parse(lines[li])!.AsObject();
        switch (name)
        {
            case "config: size":
            {
                string[] fields = ["pages", "frames", "huge_page_size"];
                long[] sizes = [0, -1, 1, 2, 3, 4096, 4097, 16384, 16385, 2147483647, 2147483648, 1L << 40];
                o[fields[rnd.Next(fields.Length)]] = sizes[rnd.Next(sizes.Length)];
                if (rnd.Next(3) == 0 && o["mirrors"] is JsonArray { Count: > 0 } ma) ma[0]!["fault_chunk"] = sizes[rnd.Next(sizes.Length)];
                break;
            }
            case "config: mirror":
            {
                var ma = o["mirrors"]!.AsArray();
                switch (rnd.Next(4))
                {
                    case 0 when ma.Count > 0: ma.Add(ma[0]!.DeepClone()); break;                     // two mirrors, one name
                    case 1 when ma.Count > 0: ma[0]!["name"] = rnd.Next(2) == 0 ? "cpu" : ""; break;
                    case 2: for (int k = 0; k < 17; k++) ma.Add(new JsonObject { ["name"] = $"x{k}", ["kind"] = "interval" }); break;
                    default: if (ma.Count > 0) ma[0]!["policy"] = new JsonObject { ["default"] = "explode" }; break;
                }
                break;
            }
            case "add field": o[rnd.Next(2) == 0 ? "zzz" : "pages"] = 1; break;
            case "remove field":
            {
                var keys = o.Select(kv => kv.Key).ToList();
                o.Remove(keys[rnd.Next(keys.Count)]);
                break;
            }
            case "duplicate key":
            {
                var keys = o.Select(kv => kv.Key).ToList();
                string k = keys[rnd.Next(keys.Count)];
                string line = o.ToJsonString();
                lines[li] = line[..^1] + $",\"{k}\":{o[k]?.ToJsonString() ?? "null"}}}";
                return (name, Join());
            }
            default:
            {
                // a value: pick a path to a leaf (a field of the line, or of an object/array inside it)
                var (parent, key, index) = Leaf(o, rnd);
                JsonNode? v = name switch
                {
                    "value: other integer" => JsonValue.Create(rnd.Next(-3, 40)),
                    "value: huge number" => new[] { JsonNode.Parse("2147483648"), JsonNode.Parse("-2147483649"), JsonNode.Parse("1099511627776"), JsonNode.Parse("1e400"), JsonNode.Parse("0.5"), JsonNode.Parse("99999999999999999999999999") }[rnd.Next(6)],
                    "value: wrong type" => new JsonNode?[] { null, JsonValue.Create("zero"), JsonValue.Create(true), new JsonArray(), new JsonObject() }[rnd.Next(5)],
                    _ => JsonValue.Create(new[] { "rwx", "MMU_BOGUS", "explode", "dev9", "", "3", "cpu" }[rnd.Next(7)]),
                };
                if (parent is JsonObject po) po[key!] = v; else if (parent is JsonArray pa) pa[index] = v;
                break;
            }
        }
        lines[li] = o.ToJsonString();
        return (name, Join());
    }

    private static (JsonNode Parent, string? Key, int Index) Leaf(JsonObject o, Random rnd)
    {
        JsonNode parent = o;
        for (int depth = 0; ; depth++)
        {
            if (parent is JsonObject po)
            {
                var keys = po.Select(kv => kv.Key).Where(k => depth > 0 || k != "kind").ToList();
                if (keys.Count == 0) return (po, "zzz", 0);
                string k = keys[rnd.Next(keys.Count)];
                if (po[k] is JsonObject or JsonArray && rnd.Next(2) == 0 && ((po[k] as JsonArray)?.Count ?? 1) > 0) { parent = po[k]!; continue; }
                return (po, k, 0);
            }
            var pa = (JsonArray)parent;
            int i = rnd.Next(pa.Count);
            if (pa[i] is JsonObject or JsonArray && rnd.Next(2) == 0 && ((pa[i] as JsonArray)?.Count ?? 1) > 0) { parent = pa[i]!; continue; }
            return (pa, null, i);
        }
    }
}
