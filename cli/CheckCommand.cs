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
            int exit = ModelRun.CheckOne(a.Positional[0], a.Get("--config"), new CheckOptions
            {
                Workers = workers,
                NoDeadlock = a.Has("--no-deadlock"),
                DumpTrace = a.Get("--dump-trace"),
                Out = json ? progress.CheckerLines() : stdout, // --json: the checker's Progress lines become the progress line on stderr
                Cancel = cts.Token,
                Err = stderr,
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
        var every = a.GetDuration("check", "--checkpoint-every", zeroAllowed: true) ?? TimeSpan.FromMinutes(30);
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

    private static string FindManifest()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "tla", "manifest.json");
            if (File.Exists(p)) return p;
        }
        return Path.Combine("tla", "manifest.json");
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
        try { models = Manifest.Read(manifest); }
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
            int exit = ModelRun.CheckOne(Path.Combine(dir, m.Spec), Path.Combine(dir, m.Config), new CheckOptions { Workers = workers, Out = sink, Coverage = false }, err, out var r);
            var diffs = Manifest.Compare(m, exit, r);
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
                int exit = ModelRun.CheckOne(tla, cfg, new CheckOptions { Workers = w, Out = TextWriter.Null, Coverage = false }, stderr, out var r);
                if (r is null) return exit;
                last = r;
                best = Math.Max(best, r.Distinct / Math.Max(1e-6, r.Seconds));
            }
            stdout.WriteLine($"{Path.GetFileName(tla)} workers={w}: {last!.Distinct} distinct states, {last.Generated} generated, best {best:F0} distinct states/s");
        }
        return ExitCodes.Ok;
    }
}
