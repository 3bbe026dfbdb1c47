using System.Text.Json;
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
        var a = Args.Parse("check", argv, ["--config", "--workers", "--dump-trace", "--manifest", "--bench"], ["--no-deadlock", "--all", "--quiet"]);
        // default: all cores; counts, depth and traces do not depend on the number of workers
        int workers = a.GetInt("check", "--workers", Environment.ProcessorCount);
        if (workers < 1) throw new UsageException("notifier check: --workers must be at least 1");
        if (a.Get("--bench") is { } benchFile) return Bench(benchFile, a.Get("--config"), stdout, stderr);
        if (a.Positional.Count == 0) return CheckManifest(a.Get("--manifest") ?? FindManifest(), a.Has("--all"), workers, stdout, stderr);
        if (a.Positional.Count > 1) throw new UsageException("notifier check: expected one SPEC.tla");
        if (a.Get("--dump-trace") is { } dump && OutputPathProblem(dump) is { } problem)
            throw new UsageException($"notifier check: --dump-trace {dump}: {problem}");
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler h = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += h;
        try
        {
            return CheckOne(a.Positional[0], a.Get("--config"), new CheckOptions
            {
                Workers = workers,
                NoDeadlock = a.Has("--no-deadlock"),
                DumpTrace = a.Get("--dump-trace"),
                Out = stdout,
                Cancel = cts.Token,
            }, stderr, out _);
        }
        finally { Console.CancelKeyPress -= h; }
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
    public static T OnCheckThread<T>(Func<T> work)
    {
        T res = default!;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? crash = null;
        var t = new Thread(() =>
        {
            try { res = work(); }
            catch (Exception e) { crash = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, CheckStackBytes) { Name = "notifier check" };
        t.Start();
        t.Join();
        crash?.Throw();
        return res;
    }

    private static int CheckOneHere(string tla, string? cfg, CheckOptions opt, TextWriter stderr, out CheckResult? result)
    {
        result = null;
        if (Load(tla, cfg, opt.Out, stderr, out var spec) is { } failed) return failed;
        var mc = new ModelChecker(spec!, opt);
        result = mc.Run();
        if (result.Outcome == Outcome.Error && result.Message is not null) stderr.WriteLine(result.Message);
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

    public static List<ManifestModel> ReadManifest(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<ManifestModel>();
        foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
        {
            string S(string k) => m.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"model entry without string \"{k}\"");
            string? SN(string k) => m.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long? L(string k) => m.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            bool ci = !m.TryGetProperty("ci", out var civ) || civ.ValueKind != JsonValueKind.False;
            list.Add(new ManifestModel(S("name"), S("spec"), S("config"), ci, S("result"), SN("violated"), L("distinctStates"), (int?)L("depth"), (int?)L("traceLength")));
        }
        return list;
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

    private static int CheckManifest(string manifest, bool all, int workers, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(manifest)) { stderr.WriteLine($"{manifest}:1:1: manifest not found"); return ExitCodes.Error; }
        List<ManifestModel> models;
        try { models = ReadManifest(manifest); }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            stderr.WriteLine($"{manifest}:1:1: bad manifest: {e.Message}");
            return ExitCodes.Error;
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        int failed = 0, ran = 0;
        foreach (var m in models)
        {
            if (!m.Ci && !all) { stdout.WriteLine($"SKIP {m.Name} (ci:false; use --all)"); continue; }
            ran++;
            var sink = new StringWriter();
            var err = new StringWriter();
            int exit = CheckOne(Path.Combine(dir, m.Spec), Path.Combine(dir, m.Config), new CheckOptions { Workers = workers, Out = sink, Coverage = false }, err, out var r);
            var diffs = Compare(m, exit, r);
            if (r is null && err.ToString().Trim() is { Length: > 0 } e1) diffs.Add(e1);
            if (diffs.Count == 0)
                stdout.WriteLine($"OK   {m.Name}: {r!.ResultName}{(r.Violated is null ? "" : " " + r.Violated)}, {r.Distinct} distinct states, depth {r.Depth}{(r.Trace is null ? "" : $", trace {r.TraceLength}")} ({r.Seconds:F1}s)");
            else
            {
                failed++;
                stdout.WriteLine($"FAIL {m.Name}: {string.Join("; ", diffs)}");
            }
        }
        stdout.WriteLine($"{ran - failed}/{ran} models as recorded in {manifest}");
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
