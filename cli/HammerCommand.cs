using System.Diagnostics;
using System.Text.Json.Nodes;
using NotifierSpec.Properties;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier hammer [--seed S] [--count N | --time 10m] [--vocabulary V] [--property P] [--workers W] [--batch B]`
/// runs long FsCheck campaigns over the reference; `--mutants` prints the mutation matrix.
/// Batch k checks property (k mod #properties) with seed S + k, so a failure is reproduced by
/// `--seed S+k --count B --property P`, whatever the worker count.
/// </summary>
public static class HammerCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        string[] mutantModes = ["--mutants", "--mutant"], campaignOnly = ["--time", "--vocabulary", "--property", "--batch"];
        var args = Args.Parse("hammer", argv, ["--seed", "--count", "--time", "--vocabulary", "--property", "--workers", "--batch", "--mutant"], ["--mutants", "--quiet", "--json"],
            maxPositional: 0, exclusive: [["--count", "--time"], mutantModes, .. mutantModes.SelectMany(m => campaignOnly.Select(c => new[] { m, c }))]);
        ulong seed = args.GetULong("hammer", "--seed", 1);
        int workers = args.GetInt("hammer", "--workers", Math.Min(Environment.ProcessorCount, MaxWorkers), 1, MaxWorkers);
        int batch = args.GetInt("hammer", "--batch", 50, 1, MaxBatch);
        Vocabulary? vocab = null;
        if (args.Get("--vocabulary") is { } vs)
        {
            if (!EventTables.TryParse(vs, out var v)) throw new UsageException($"notifier hammer: unknown vocabulary '{vs}' (v7, v7-reviewed, upstream)");
            vocab = v;
        }
        if (args.Has("--mutants") || args.Get("--mutant") is not null)
        {
            int perCell = args.GetInt("hammer", "--count", Mutants.DefaultBudget, 1, int.MaxValue);
            IEnumerable<MutantCase>? only = null;
            if (args.Get("--mutant") is { } mn)
            {
                try { only = [Mutants.Find(mn)]; } catch (ArgumentException e) { throw new UsageException($"notifier hammer: {e.Message}"); }
            }
            var sw = Stopwatch.StartNew();
            var cells = Mutants.Matrix(perCell, seed, workers, only);
            int survived = cells.GroupBy(c => c.Mutant).Count(g => !g.Any(c => c.Killed));
            if (args.Has("--json"))
            {
                JsonOut.Write(stdout, new JsonObject
                {
                    ["mode"] = "mutants", ["exit"] = survived == 0 ? ExitCodes.Ok : ExitCodes.Violation, ["seed"] = seed, ["tests_per_cell"] = perCell,
                    ["mutants"] = new JsonArray(cells.GroupBy(c => c.Mutant).Select(g => (JsonNode?)new JsonObject
                    {
                        ["mutant"] = g.Key, ["killed"] = g.Any(c => c.Killed),
                        ["cells"] = new JsonArray(g.Select(c => (JsonNode?)new JsonObject { ["property"] = c.Property, ["killed"] = c.Killed, ["reason"] = c.Reason, ["tests"] = c.Tests }).ToArray()),
                    }).ToArray()),
                    ["killed"] = cells.Select(c => c.Mutant).Distinct().Count() - survived, ["total"] = cells.Select(c => c.Mutant).Distinct().Count(),
                    ["seconds"] = JsonOut.Seconds(sw.Elapsed.TotalSeconds),
                });
                return survived == 0 ? ExitCodes.Ok : ExitCodes.Violation;
            }
            stdout.Write(Mutants.Render(cells));
            stdout.WriteLine($"{cells.Select(c => c.Mutant).Distinct().Count() - survived}/{cells.Select(c => c.Mutant).Distinct().Count()} mutants killed ({perCell} tests per cell, seed {seed}, {sw.Elapsed.TotalSeconds:F1} s)");
            return survived == 0 ? ExitCodes.Ok : ExitCodes.Violation;
        }

        List<PropertyDef> props;
        try { props = args.Get("--property") is { } pn ? [NotifierProperties.Find(pn)] : [.. NotifierProperties.All]; }
        catch (ArgumentException e) { throw new UsageException($"notifier hammer: {e.Message}"); }
        TimeSpan? limit = args.GetDuration("hammer", "--time");
        // exactly `count` tests: full batches of `batch`, the last one smaller (a time limit runs full batches)
        long count = limit is null ? args.GetInt("hammer", "--count", 2000, 1, int.MaxValue) : long.MaxValue;
        long batches = limit is null ? (count + batch - 1) / batch : long.MaxValue;
        int SizeOf(long k) => (int)Math.Min(batch, count - k * batch);
        long tests = 0;

        var counter = new StepCounter();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw2 = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        for (long wave = 0; wave < batches; wave += workers)
        {
            if (limit is { } l && sw2.Elapsed >= l) break;
            int n = (int)Math.Min(workers, batches - wave);
            var results = new PropertyResult[n];
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
            {
                long k = wave + i;
                var def = props[(int)(k % props.Count)];
                results[i] = PropertyChecker.Check(def, new GenOptions(Vocabulary: vocab, Counter: counter), SizeOf(k), seed + (ulong)k);
            });
            if (!args.Has("--quiet") && sw2.Elapsed - lastProgress > TimeSpan.FromSeconds(0.5))
            {
                lastProgress = sw2.Elapsed;
                stderr.Write($"\rhammer: {counter.Programs} runs, {counter.Steps} steps, {counter.Steps / Math.Max(0.001, sw2.Elapsed.TotalSeconds):F0} steps/s, {sw2.Elapsed.TotalSeconds:F0} s   ");
            }
            for (int i = 0; i < n; i++)
            {
                tests += results[i].Tests;
                if (results[i].Passed) continue;
                long k = wave + i;
                if (!args.Has("--quiet")) stderr.WriteLine();
                string cmd = $"notifier hammer --property {results[i].Property} --seed {seed + (ulong)k} --count {SizeOf(k)} --batch {SizeOf(k)}{(vocab is { } vv ? $" --vocabulary {EventTables.Name(vv)}" : "")}";
                if (args.Has("--json"))
                    JsonOut.Write(stdout, new JsonObject
                    {
                        ["mode"] = "campaign", ["exit"] = ExitCodes.Violation, ["passed"] = false, ["tests"] = tests, ["program_runs"] = counter.Programs, ["steps"] = counter.Steps,
                        ["workers"] = workers, ["seed"] = seed, ["seconds"] = JsonOut.Seconds(sw2.Elapsed.TotalSeconds),
                        ["failure"] = new JsonObject { ["property"] = results[i].Property, ["seed"] = seed + (ulong)k, ["count"] = SizeOf(k), ["reproduce"] = cmd, ["report"] = results[i].Report(cmd) },
                    });
                else stdout.WriteLine(results[i].Report(cmd));
                return ExitCodes.Violation;
            }
        }
        if (!args.Has("--quiet")) stderr.WriteLine();
        double secs = Math.Max(0.001, sw2.Elapsed.TotalSeconds);
        double cpu = Math.Max(0.001, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        if (args.Has("--json"))
        {
            JsonOut.Write(stdout, new JsonObject
            {
                ["mode"] = "campaign", ["exit"] = ExitCodes.Ok, ["passed"] = true, ["tests"] = tests, ["program_runs"] = counter.Programs, ["steps"] = counter.Steps,
                ["workers"] = workers, ["seed"] = seed, ["seconds"] = JsonOut.Seconds(secs), ["failure"] = null,
            });
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"hammer: {tests} tests ({counter.Programs} program runs), {counter.Steps} checked steps in {secs:F1} s = {counter.Programs / secs:F0} program runs/s, {counter.Steps / secs:F0} steps/s; {counter.Steps / cpu:F0} steps per CPU-second ({workers} workers, seed {seed}): all properties hold");
        return ExitCodes.Ok;
    }

    public const int MaxWorkers = 1024, MaxBatch = 1_000_000;
}
