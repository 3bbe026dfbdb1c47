using System.CommandLine;
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
    private static readonly Option<ulong> Seed = Opt.ULong("--seed", "S", "first seed", 1);
    private static readonly Option<int?> Count = Opt.IntOrNull("--count", "N", $"number of tests (default 2000; with --mutants or --mutant: per cell, default {Mutants.DefaultBudget})", 1, int.MaxValue);
    private static readonly Option<TimeSpan?> Time = Opt.Duration("--time", "T", "run for a time such as 30s, 10m or 1h");
    private static readonly Option<string?> VocabularyOption = Opt.Text("--vocabulary", "V", $"the vocabulary: {Vocabularies.NameList}",
        vs => EventTables.TryParse(vs, out _) ? null : $"unknown vocabulary '{vs}' ({Vocabularies.NameList})", () => Vocabularies.Names);
    private static readonly Option<string?> Property = Opt.Text("--property", "P", "check only property P",
        Opt.Known(NotifierProperties.Find), () => NotifierProperties.All.Select(p => p.Name).Append(NotifierProperties.V7MprotWriteProtectUnsafe.Name));
    private static readonly Option<int?> Workers = Opt.IntOrNull("--workers", "W", "parallel workers (default: all cores)", 1, MaxWorkers);
    private static readonly Option<int> Batch = Opt.Int("--batch", "B", "tests per batch", 50, 1, MaxBatch);
    private static readonly Option<bool> MutantsOption = Opt.Flag("--mutants", "print the mutation matrix");
    private static readonly Option<string?> Mutant = Opt.Text("--mutant", "NAME", "one row of the matrix: a planted bug's name in catalogue/vocabulary.json (or its reference/, spec/, tla/ name or alias)", Opt.Known(Mutants.Find), () => Mutants.CatalogueNames);
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");
    private static readonly Option<bool> Json = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("hammer", "Runs FsCheck campaigns of random programs over the reference MMU and checks every property (properties/); a failure is shrunk and printed with the command that reproduces it. --mutants prints the mutation matrix instead.")
        {
            Seed, Count, Time, VocabularyOption, Property, Workers, Batch, MutantsOption, Mutant, Quiet, Json,
        };
        Option[] mutantModes = [MutantsOption, Mutant], campaignOnly = [Time, VocabularyOption, Property, Batch];
        Opt.Exclusive(c, [[Count, Time], mutantModes, .. mutantModes.SelectMany(m => campaignOnly.Select(o => new[] { m, o }))]);
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        ulong seed = args.GetValue(Seed);
        int workers = args.GetValue(Workers) ?? Math.Min(Environment.ProcessorCount, MaxWorkers);
        int batch = args.GetValue(Batch);
        Vocabulary? vocab = null;
        if (args.GetValue(VocabularyOption) is { } vs && EventTables.TryParse(vs, out var v)) vocab = v;
        if (args.GetValue(MutantsOption) || args.GetValue(Mutant) is not null)
        {
            int perCell = args.GetValue(Count) ?? Mutants.DefaultBudget;
            IEnumerable<MutantCase>? only = args.GetValue(Mutant) is { } mn ? [Mutants.Find(mn)] : null;
            var sw = Stopwatch.StartNew();
            var cells = Progress.Run("hammer", stderr, args.GetValue(Quiet), progress =>
                Mutants.Matrix(perCell, seed, workers, only, (done, rows) => progress.Report($"{done}/{rows} mutants")));
            int survived = cells.GroupBy(c => c.Mutant).Count(g => !g.Any(c => c.Killed));
            if (args.GetValue(Json))
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
            var (header, rows) = Mutants.Table(cells);
            var table = Tables.Plain(true, header.Select(h => new Tables.Column(h)).ToArray());
            foreach (var row in rows) table.Row(row);
            Tables.Write(stdout, table);
            stdout.WriteLine($"{cells.Select(c => c.Mutant).Distinct().Count() - survived}/{cells.Select(c => c.Mutant).Distinct().Count()} mutants killed ({perCell} tests per cell, seed {seed}, {sw.Elapsed.TotalSeconds:F1} s)");
            return survived == 0 ? ExitCodes.Ok : ExitCodes.Violation;
        }

        List<PropertyDef> props = args.GetValue(Property) is { } pn ? [NotifierProperties.Find(pn)] : [.. NotifierProperties.All];
        TimeSpan? limit = args.GetValue(Time);
        // exactly `count` tests: full batches of `batch`, the last one smaller (a time limit runs full batches)
        long count = limit is null ? args.GetValue(Count) ?? 2000 : long.MaxValue;
        long batches = limit is null ? (count + batch - 1) / batch : long.MaxValue;
        int SizeOf(long k) => (int)Math.Min(batch, count - k * batch);
        long tests = 0;

        var counter = new StepCounter();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw2 = Stopwatch.StartNew();
        // the first failing batch (its number and result), printed after the progress line is gone
        var failed = Progress.Run("hammer", stderr, args.GetValue(Quiet), progress =>
        {
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
                progress.Report($"{counter.Programs} runs, {counter.Steps} steps, {counter.Steps / Math.Max(0.001, sw2.Elapsed.TotalSeconds):F0} steps/s");
                for (int i = 0; i < n; i++)
                {
                    tests += results[i].Tests;
                    if (!results[i].Passed) return (Batch: wave + i, Result: results[i]);
                }
            }
            return ((long Batch, PropertyResult Result)?)null;
        });
        if (failed is { } f)
        {
            var (k, result) = f;
            string cmd = $"notifier hammer --property {result.Property} --seed {seed + (ulong)k} --count {SizeOf(k)} --batch {SizeOf(k)}{(vocab is { } vv ? $" --vocabulary {EventTables.Name(vv)}" : "")}";
            if (args.GetValue(Json))
                JsonOut.Write(stdout, new JsonObject
                {
                    ["mode"] = "campaign", ["exit"] = ExitCodes.Violation, ["passed"] = false, ["tests"] = tests, ["program_runs"] = counter.Programs, ["steps"] = counter.Steps,
                    ["workers"] = workers, ["seed"] = seed, ["seconds"] = JsonOut.Seconds(sw2.Elapsed.TotalSeconds),
                    ["failure"] = new JsonObject { ["property"] = result.Property, ["seed"] = seed + (ulong)k, ["count"] = SizeOf(k), ["reproduce"] = cmd, ["report"] = result.Report(cmd) },
                });
            else stdout.WriteLine(result.Report(cmd));
            return ExitCodes.Violation;
        }
        double secs = Math.Max(0.001, sw2.Elapsed.TotalSeconds);
        double cpu = Math.Max(0.001, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        if (args.GetValue(Json))
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
