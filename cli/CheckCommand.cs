using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Checker;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier check SPEC.tla [--config X.cfg] [--workers N] [--dump-trace FILE] [--no-deadlock]`
/// (--workers: default all cores, Environment.ProcessorCount): our
/// TLA+ model checker (checker/), speaking TLC's output and exit codes. Without SPEC it checks every
/// model of tla/manifest.json (ci:true ones unless --all) against its recorded TLC result.
/// </summary>
public static class CheckCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var a = Args.Parse("check", argv, ["--config", "--workers", "--dump-trace", "--manifest", "--bench", "--max-memory", "--checkpoint", "--checkpoint-every", "--recover"], ["--no-deadlock", "--all", "--quiet", "--json"], maxPositional: 1,
            exclusive: [["--bench", "--json"], ["--bench", "--manifest"], ["--bench", "--all"], ["--bench", "--dump-trace"], ["--manifest", "--config"], ["--manifest", "--dump-trace"], ["--all", "--config"], ["--all", "--dump-trace"], ["--manifest", "--no-deadlock"], ["--all", "--no-deadlock"], ["--bench", "--checkpoint"], ["--bench", "--recover"], ["--manifest", "--checkpoint"], ["--manifest", "--recover"], ["--all", "--checkpoint"], ["--all", "--recover"]]);
        // default: all cores; counts, depth and traces do not depend on the number of workers
        int workers = a.GetInt("check", "--workers", Environment.ProcessorCount, 1, 1024);
        // a SPEC runs one model; --manifest / --all select manifest models and --bench names its own spec
        if (a.Positional.Count == 1 && (a.Has("--manifest") || a.Has("--all") || a.Has("--bench")))
            throw new UsageException($"notifier check: {(a.Has("--bench") ? "--bench" : a.Has("--manifest") ? "--manifest" : "--all")} cannot be given with SPEC '{a.Positional[0]}'");
        if (a.Get("--bench") is { } benchFile) return Bench(benchFile, a.Get("--config"), stdout, stderr);
        if (a.Positional.Count == 0) return CheckManifest(a.Get("--manifest") ?? FindManifest(), a.Has("--all"), workers, stdout, stderr, a.Has("--json"));
        if (a.Positional.Count > 1) throw new UsageException("notifier check: expected one SPEC.tla");
        if (a.Get("--dump-trace") is { } dump && OutputPathProblem(dump) is { } problem)
            throw new UsageException($"notifier check: --dump-trace {dump}: {problem}");
        long? maxMemory = a.Get("--max-memory") is { } mm ? Sizes.Memory(mm, out var mmWhy) ?? throw new UsageException($"notifier check: --max-memory: {mmWhy}") : null;
        var (checkpoint, every, recover) = CheckpointOptions(a);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler h = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += h;
        try
        {
            bool json = a.Has("--json");
            var progress = Progress.For("check", stderr, a.Has("--quiet"));
            int exit = CheckOne(a.Positional[0], a.Get("--config"), new CheckOptions
            {
                Workers = workers,
                NoDeadlock = a.Has("--no-deadlock"),
                DumpTrace = a.Get("--dump-trace"),
                Out = json ? progress.CheckerLines() : stdout, // --json: the checker's Progress lines become the progress line on stderr
                Cancel = cts.Token,
                MaxMemory = maxMemory,
                Checkpoint = checkpoint, CheckpointEvery = every, Recover = recover,
            }, stderr, out var result);
            progress.Done();
            // --json: a summary object (docs/schemas/check.schema.json); a spec that does not load stays one line on stderr
            if (json && result is not null)
            {
                var o = Json(result);
                o.Insert(0, "spec", a.Positional[0]);
                o.Insert(1, "config", a.Get("--config"));
                o.Insert(2, "exit", exit);
                JsonOut.Write(stdout, o);
            }
            return exit;
        }
        finally { Console.CancelKeyPress -= h; }
    }

    /// <summary>--checkpoint DIR (made if missing), --checkpoint-every (default 30m, TLC's) and --recover DIR (must hold a checkpoint).</summary>
    private static (string? Dir, TimeSpan Every, string? Recover) CheckpointOptions(Args a)
    {
        var dir = a.Get("--checkpoint");
        if (a.Get("--checkpoint-every") is { } ev && dir is null) throw new UsageException("notifier check: --checkpoint-every needs --checkpoint DIR");
        var every = a.Get("--checkpoint-every") is { } e ? Sizes.Interval(e, out var why) ?? throw new UsageException($"notifier check: --checkpoint-every: {why}") : TimeSpan.FromMinutes(30);
        if (dir is not null)
        {
            try { Directory.CreateDirectory(dir); }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { throw new UsageException($"notifier check: --checkpoint {dir}: {x.Message}"); }
        }
        var recover = a.Get("--recover");
        if (recover is not null && !File.Exists(Path.Combine(recover, ModelChecker.CheckpointFile)))
            throw new UsageException($"notifier check: --recover {recover}: no {ModelChecker.CheckpointFile} there");
        return (dir, every, recover);
    }

    /// <summary>Why a file cannot be written at path, checked before the search starts (a violation found after
    /// minutes must not end in an I/O error that hides its exit code); null when it can. A file that did not
    /// exist is removed again.</summary>
    public static string? OutputPathProblem(string path)
    {
        if (Directory.Exists(path)) return "is a directory";
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return e.Message; }
        var dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return $"the directory {dir} does not exist";
        bool existed = File.Exists(full);
        try
        {
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write)) { }
            if (!existed) File.Delete(full);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return e.Message; }
    }

    /// <summary>The stack of the thread that parses, compiles and checks a spec (reserved, committed as used):
    /// deeply nested expressions are recursive in the compiler and evaluator (TLC, with -Xss64m, checks 5,000
    /// nested parentheses or a 5,000-term sum). The parser refuses nesting beyond Parser.MaxDepth at its position.</summary>
    public const int CheckStackBytes = 1 << 30;

    /// <summary>Loads and checks one spec on a thread with a CheckStackBytes stack; spec/config errors are one
    /// line FILE:LINE:COL: message.</summary>
    public static int CheckOne(string tla, string? cfg, CheckOptions opt, TextWriter stderr, out CheckResult? result)
    {
        CheckResult? r = null;
        int exit = OnCheckThread(() => CheckOneHere(tla, cfg, opt, stderr, out r));
        result = r;
        return exit;
    }

    /// <summary>Runs work on a new thread with a CheckStackBytes stack; its exception is rethrown here.</summary>
    public static T OnCheckThread<T>(Func<T> work) => DeepStack.Run(work, CheckStackBytes);

    private static int CheckOneHere(string tla, string? cfg, CheckOptions opt, TextWriter stderr, out CheckResult? result)
    {
        result = null;
        if (Load(tla, cfg, opt.Out, stderr, out var spec) is { } failed) return failed;
        var mc = new ModelChecker(spec!, opt);
        result = mc.Run();
        if (result.Outcome is Outcome.Error or Outcome.BadInput && result.Message is not null) stderr.WriteLine(result.Message);
        opt.Out.WriteLine($"Finished in {result.Seconds:F2}s ({(result.Seconds > 0 ? result.Distinct / result.Seconds : 0):F0} distinct states/s).");
        return result.ExitCode;
    }

    /// <summary>The front end of a check (TLA+ modules and .cfg read, parsed, compiled): null when the spec
    /// loaded, else the exit code after one line FILE:LINE:COL: message on stderr (the fuzzing harness,
    /// tests/Checker.Tests/FuzzTests.cs, calls this as `notifier check` does).</summary>
    public static int? Load(string tla, string? cfg, TextWriter output, TextWriter stderr, out Spec? spec)
    {
        spec = null;
        try
        {
            spec = Spec.Load(tla, cfg, output);
            return null;
        }
        catch (TlaError e)
        {
            stderr.WriteLine(e.ToString().Replace('\n', ' '));
            return e.IsConfig ? ExitCodes.ConfigError : ExitCodes.SpecError;
        }
        catch (EvalError e)
        {
            var w = e.Where;
            stderr.WriteLine(w is null ? $"{tla}:1:1: {e.Message.Replace('\n', ' ')}" : $"{w.File}:{w.Line}:{w.Col}: {e.Message.Replace('\n', ' ')}");
            return ExitCodes.SpecError;
        }
    }

    private static string FindManifest()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "tla", "manifest.json");
            if (File.Exists(p)) return p;
        }
        return Path.Combine("tla", "manifest.json");
    }

    public sealed record ManifestModel(string Name, string Spec, string Config, bool Ci, string Result, string? Violated, long? DistinctStates, int? Depth, int? TraceLength);

    /// <summary>A manifest that cannot be read: the message is one line, file:line:col: bad manifest: ...</summary>
    public sealed class ManifestException(string message) : Exception(message);

    /// <summary>The results a manifest entry may record (CheckResult.ResultName).</summary>
    public static readonly string[] ManifestResults = ["success", "deadlock", "safety", "liveness", "assumption", "error"];

    /// <summary>Reads tla/manifest.json's format strictly: JSON errors, missing or mistyped fields and unknown results
    /// are a ManifestException placed at the line and column of the entry or field.</summary>
    public static List<ManifestModel> ReadManifest(string path)
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
                string result = S("result");
                if (!ManifestResults.Contains(result))
                    throw new ManifestException($"{At("result")}: bad manifest: model '{name}': result '{result}' is not one of {string.Join(", ", ManifestResults)}");
                list.Add(new ManifestModel(name, S("spec"), S("config"), ci, result, SN("violated"), L("distinctStates", long.MaxValue), (int?)L("depth", int.MaxValue), (int?)L("traceLength", int.MaxValue)));
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
        if (r.ResultName != m.Result) diffs.Add($"result {r.ResultName} (expected {m.Result}){(r.Message is null ? "" : ": " + r.Message)}");
        if (m.Violated != r.Violated && (m.Violated is not null || r.Violated is not null)) diffs.Add($"violated {r.Violated ?? "null"} (expected {m.Violated ?? "null"})");
        if (m.DistinctStates is { } ds && ds != r.Distinct) diffs.Add($"distinctStates {r.Distinct} (expected {ds})");
        if (m.Depth is { } d && d != r.Depth) diffs.Add($"depth {r.Depth} (expected {d})");
        int? tl = r.TraceLength;
        if (m.TraceLength != tl && (m.TraceLength is not null || m.Result != "success")) diffs.Add($"traceLength {tl?.ToString() ?? "null"} (expected {m.TraceLength?.ToString() ?? "null"})");
        return diffs;
    }

    /// <summary>A run's result as check --json prints it (snake_case keys).</summary>
    public static JsonObject Json(CheckResult r) => new()
    {
        ["result"] = r.ResultName, ["violated"] = r.Violated, ["message"] = r.Message, ["distinct"] = r.Distinct, ["generated"] = r.Generated,
        ["depth"] = r.Depth, ["trace_length"] = r.TraceLength, ["seconds"] = JsonOut.Seconds(r.Seconds),
    };

    private static int CheckManifest(string manifest, bool all, int workers, TextWriter stdout, TextWriter stderr, bool json = false)
    {
        var jsonModels = new JsonArray();
        if (!File.Exists(manifest) && !Directory.Exists(manifest)) { stderr.WriteLine($"{manifest}:1:1: manifest not found"); return ExitCodes.Error; }
        List<ManifestModel> models;
        try { models = ReadManifest(manifest); }
        catch (ManifestException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        int failed = 0, ran = 0;
        foreach (var m in models)
        {
            if (!m.Ci && !all)
            {
                if (json) jsonModels.Add(new JsonObject { ["name"] = m.Name, ["status"] = "skip" });
                else stdout.WriteLine($"SKIP {m.Name} (ci:false; use --all)");
                continue;
            }
            ran++;
            var sink = new StringWriter();
            var err = new StringWriter();
            int exit = CheckOne(Path.Combine(dir, m.Spec), Path.Combine(dir, m.Config), new CheckOptions { Workers = workers, Out = sink, Coverage = false }, err, out var r);
            var diffs = Compare(m, exit, r);
            if (r is null && err.ToString().Trim() is { Length: > 0 } e1) diffs.Add(e1);
            if (json)
            {
                var o = r is null ? new JsonObject() : Json(r);
                o.Insert(0, "name", m.Name);
                o.Insert(1, "status", diffs.Count == 0 ? "ok" : "fail");
                o.Insert(2, "exit", exit);
                o["differences"] = new JsonArray(diffs.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray());
                jsonModels.Add(o);
                if (diffs.Count > 0) failed++;
            }
            else if (diffs.Count == 0)
                stdout.WriteLine($"OK   {m.Name}: {r!.ResultName}{(r.Violated is null ? "" : " " + r.Violated)}, {r.Distinct} distinct states, depth {r.Depth}{(r.Trace is null ? "" : $", trace {r.TraceLength}")} ({r.Seconds:F1}s)");
            else
            {
                failed++;
                stdout.WriteLine($"FAIL {m.Name}: {string.Join("; ", diffs)}");
            }
        }
        if (json) JsonOut.Write(stdout, new JsonObject { ["manifest"] = manifest, ["ran"] = ran, ["as_recorded"] = ran - failed, ["models"] = jsonModels });
        else stdout.WriteLine($"{ran - failed}/{ran} models as recorded in {manifest}");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }

    /// <summary>--bench SPEC.tla: distinct states per second with 1 and 2 workers (best of 3 runs each).</summary>
    private static int Bench(string tla, string? cfg, TextWriter stdout, TextWriter stderr)
    {
        foreach (int w in new[] { 1, 2 })
        {
            double best = 0; CheckResult? last = null;
            for (int rep = 0; rep < 3; rep++)
            {
                int exit = CheckOne(tla, cfg, new CheckOptions { Workers = w, Out = TextWriter.Null, Coverage = false }, stderr, out var r);
                if (r is null) return exit;
                last = r;
                best = Math.Max(best, r.Distinct / Math.Max(1e-6, r.Seconds));
            }
            stdout.WriteLine($"{Path.GetFileName(tla)} workers={w}: {last!.Distinct} distinct states, {last.Generated} generated, best {best:F0} distinct states/s");
        }
        return ExitCodes.Ok;
    }
}
