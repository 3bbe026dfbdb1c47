using System.CommandLine;
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
    private static readonly Argument<string?> Spec = new("SPEC.tla") { Arity = ArgumentArity.ZeroOrOne, Description = "the spec to check (without it: every model of the manifest)" };
    private static readonly Option<string?> Config = Opt.Text("--config", "X.cfg", "the model's configuration (default: SPEC.cfg)");
    private static readonly Option<int?> Workers = Opt.IntOrNull("--workers", "N", "worker threads (default: all cores); results do not depend on it", 1, 1024);
    private static readonly Option<string?> DumpTrace = Opt.Text("--dump-trace", "FILE", "write the error trace to FILE");
    private static readonly Option<bool> NoDeadlock = Opt.Flag("--no-deadlock", "do not report deadlocks");
    private static readonly Option<long?> MaxMemory = Opt.Size("--max-memory", "SIZE", "spill the state queue and fingerprint set to disk beyond SIZE (e.g. 512M, 2G; at least 64K); same results");
    private static readonly Option<string?> Checkpoint = Opt.Text("--checkpoint", "DIR", "write the search's state to DIR/checkpoint.bin every --checkpoint-every T");
    private static readonly Option<TimeSpan?> CheckpointEvery = Opt.Duration("--checkpoint-every", "T", "how often to write the checkpoint (default 30m; e.g. 30s, 10m, 1h)", zeroAllowed: true);
    private static readonly Option<string?> Recover = Opt.Text("--recover", "DIR", "continue the run whose checkpoint DIR holds: same counts, depth and traces as an uninterrupted run");
    private static readonly Option<string?> ManifestFile = Opt.Text("--manifest", "FILE", "the manifest to check (default: tla/manifest.json above the working directory)");
    private static readonly Option<bool> All = Opt.Flag("--all", "also check the manifest's ci:false models");
    private static readonly Option<string?> BenchSpec = Opt.Text("--bench", "SPEC.tla", "distinct states per second with 1 and 2 workers");
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("check", "Checks a TLA+ spec with the project's own model checker (checker/), printing TLC's messages and returning TLC's exit codes. Without SPEC it checks every model of tla/manifest.json (the ci:true ones unless --all) and compares each with its recorded TLC result.")
        {
            Spec, Config, Workers, DumpTrace, NoDeadlock, MaxMemory, Checkpoint, CheckpointEvery, Recover, ManifestFile, All, BenchSpec, Quiet, JsonOption,
        };
        Option[][] exclusive = [[BenchSpec, ManifestFile], [BenchSpec, All], [BenchSpec, DumpTrace], [ManifestFile, Config], [ManifestFile, DumpTrace], [All, Config], [All, DumpTrace],
            [ManifestFile, NoDeadlock], [All, NoDeadlock], [BenchSpec, Checkpoint], [BenchSpec, Recover], [ManifestFile, Checkpoint], [ManifestFile, Recover], [All, Checkpoint], [All, Recover]];
        Opt.Exclusive(c, exclusive);
        // a SPEC runs one model; --manifest / --all select manifest models and --bench names its own spec
        c.Validators.Add(r =>
        {
            if (r.GetValue(Spec) is { } spec && new Option[] { BenchSpec, ManifestFile, All }.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } o)
                r.AddError($"{o.Name} cannot be given with SPEC '{spec}'");
            else if (r.GetResult(CheckpointEvery) is { Implicit: false } && r.GetResult(Checkpoint) is null)
                r.AddError("--checkpoint-every needs --checkpoint DIR");
        });
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult a)
    {
        var (stdout, stderr) = (a.InvocationConfiguration.Output, a.InvocationConfiguration.Error);
        // default: all cores; counts, depth and traces do not depend on the number of workers
        int workers = a.GetValue(Workers) ?? Environment.ProcessorCount;
        if (a.GetValue(BenchSpec) is { } benchFile) return Bench(benchFile, a.GetValue(Config), stdout, stderr, a.GetValue(JsonOption), a.GetValue(Quiet));
        if (a.GetValue(Spec) is not { } spec) return CheckManifest(a.GetValue(ManifestFile) ?? FindManifest(), a.GetValue(All), workers, stdout, stderr, a.GetValue(JsonOption), a.GetValue(Quiet));
        if (a.GetValue(DumpTrace) is { } dump && OutputPathProblem(dump) is { } problem)
            throw new UsageException($"notifier check: --dump-trace {dump}: {problem}");
        var (checkpoint, every, recover) = CheckpointOptions(a);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler h = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += h;
        try
        {
            bool json = a.GetValue(JsonOption);
            // without --json the checker prints its own Progress(N) lines on stdout, as TLC does
            var (exit, result) = Progress.Run("check", stderr, !json || a.GetValue(Quiet), progress => (ModelRun.CheckOne(spec, a.GetValue(Config), new CheckOptions
            {
                Workers = workers,
                NoDeadlock = a.GetValue(NoDeadlock),
                DumpTrace = a.GetValue(DumpTrace),
                Out = json ? progress.CheckerLines() : stdout, // --json: the checker's Progress lines become the progress line on stderr
                Cancel = cts.Token,
                Err = stderr,
                MaxMemory = a.GetValue(MaxMemory),
                Checkpoint = checkpoint, CheckpointEvery = every, Recover = recover,
            }, stderr, out var r), r));
            // --json: a summary object (docs/schemas/check.schema.json); a spec that does not load stays one line on stderr
            if (json && result is not null)
            {
                var o = Json(result);
                o.Insert(0, "spec", spec);
                o.Insert(1, "config", a.GetValue(Config));
                o.Insert(2, "exit", exit);
                JsonOut.Write(stdout, o);
            }
            return exit;
        }
        finally { Console.CancelKeyPress -= h; }
    }

    /// <summary>--checkpoint DIR (made if missing), --checkpoint-every (default 30m, TLC's) and --recover DIR (must hold a checkpoint).</summary>
    private static (string? Dir, TimeSpan Every, string? Recover) CheckpointOptions(ParseResult a)
    {
        var dir = a.GetValue(Checkpoint);
        var every = a.GetValue(CheckpointEvery) ?? TimeSpan.FromMinutes(30);
        if (dir is not null)
        {
            try { Directory.CreateDirectory(dir); }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { throw new UsageException($"notifier check: --checkpoint {dir}: {x.Message}"); }
        }
        var recover = a.GetValue(Recover);
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

    private static int CheckManifest(string manifest, bool all, int workers, TextWriter stdout, TextWriter stderr, bool json, bool quiet)
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
        // one row per model as soon as it is checked: status, name, what was found or how it differs
        var table = new StreamedTable(stdout, (new("status"), 4), (new("model"), models.Select(m => m.Name.Length).DefaultIfEmpty(0).Max()), (new("result"), null));
        // a row per model as it is done: on the terminal, that is the progress; --json or redirected, a progress line
        Progress.Run("check", stderr, quiet, progress =>
        {
            foreach (var m in models)
            {
                if (!m.Ci && !all)
                {
                    if (json) jsonModels.Add(new JsonObject { ["name"] = m.Name, ["status"] = "skip" });
                    else table.Row("SKIP", m.Name, "ci:false; use --all");
                    continue;
                }
                ran++;
                var sink = new StringWriter();
                var err = new StringWriter();
                progress.Report($"{m.Name} ({ran} of {models.Count(x => x.Ci || all)})");
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
                    table.Row("OK", m.Name, $"{r!.ResultName}{(r.Violated is null ? "" : " " + r.Violated)}, {r.Distinct} distinct states, depth {r.Depth}{(r.Trace is null ? "" : $", trace {r.TraceLength}")} ({r.Seconds:F1}s)");
                else
                {
                    failed++;
                    table.Row("FAIL", m.Name, string.Join("; ", diffs));
                }
            }
            return 0;
        }, streamsTo: json ? null : stdout);
        if (json) JsonOut.Write(stdout, new JsonObject { ["manifest"] = manifest, ["ran"] = ran, ["as_recorded"] = ran - failed, ["models"] = jsonModels });
        else stdout.WriteLine($"{ran - failed}/{ran} models as recorded in {manifest}");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }

    /// <summary>--bench SPEC.tla: distinct states per second with 1 and 2 workers (best of 3 runs each); --json: one
    /// object at the end (docs/schemas/check-bench.schema.json). A spec that does not load stays one line on stderr.</summary>
    private static int Bench(string tla, string? cfg, TextWriter stdout, TextWriter stderr, bool json, bool quiet)
    {
        StreamedTable? table = json ? null : new StreamedTable(stdout, (new("spec"), Path.GetFileName(tla).Length), (new("workers", Right: true), 7), (new("distinct", Right: true), 12),
            (new("generated", Right: true), 12), (new("best distinct states/s", Right: true), 22));
        table?.Header();
        var rows = new JsonArray();
        // the text prints a row per worker count as it is done: on the terminal, that is its progress
        int? failed = Progress.Run("check", stderr, quiet, progress =>
        {
            foreach (int w in new[] { 1, 2 })
            {
                double best = 0; CheckResult? last = null;
                for (int rep = 0; rep < 3; rep++)
                {
                    progress.Report($"{Path.GetFileName(tla)}, {w} worker{(w == 1 ? "" : "s")}, run {rep + 1} of 3");
                    int exit = ModelRun.CheckOne(tla, cfg, new CheckOptions { Workers = w, Out = TextWriter.Null, Coverage = false }, stderr, out var r);
                    if (r is null) return exit;
                    last = r;
                    best = Math.Max(best, r.Distinct / Math.Max(1e-6, r.Seconds));
                }
                table?.Row(Path.GetFileName(tla), $"{w}", $"{last!.Distinct}", $"{last.Generated}", $"{best:F0}");
                rows.Add(new JsonObject { ["workers"] = w, ["distinct"] = last!.Distinct, ["generated"] = last.Generated, ["best_distinct_per_second"] = Math.Round(best) });
            }
            return (int?)null;
        }, streamsTo: json ? null : stdout);
        if (failed is { } code) return code;
        if (json) JsonOut.Write(stdout, new JsonObject { ["spec"] = tla, ["config"] = cfg, ["exit"] = ExitCodes.Ok, ["runs"] = rows });
        return ExitCodes.Ok;
    }
}
