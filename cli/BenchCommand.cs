using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier bench-reference [--steps N] [--seed S] [--pages P] [--runs R] [--json] [--quiet]`: steps per second through
/// the reference with every rule checked after every step (64 pages, 2 device mirrors, trace recording off), one thread.
/// The text streams a row per run; --json prints one object at the end (docs/schemas/bench-reference.schema.json).
/// </summary>
public static class BenchCommand
{
    private static readonly Option<int> Steps = Opt.Int("--steps", "N", "steps per run", 200_000, 1, 100_000_000);
    private static readonly Option<int> Seed = Opt.Int("--seed", "S", "first seed", 1);
    // the same bounds as a trace's config (reference/TraceLimits): 4 frames per page
    private static readonly Option<int> Pages = Opt.Int("--pages", "P", "pages", 64, 4, TraceLimits.MaxPages);
    private static readonly Option<int> Runs = Opt.Int("--runs", "R", "runs", 5, 1, 1000);
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");
    private static readonly Option<bool> Json = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("bench-reference", "Measures checked steps per second through the reference MMU (every rule checked after every step, one thread).")
        {
            Steps, Seed, Pages, Runs, Quiet, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        int steps = args.GetValue(Steps), seed = args.GetValue(Seed), pages = args.GetValue(Pages), runs = args.GetValue(Runs);
        var cfg = new MmConfig(pages, 4, pages * 4, Vocabulary.Upstream, [new MirrorConfig("dev0", Policy: Policy.Hmm), new MirrorConfig("dev1")]);
        RandomRun.Run(cfg, seed, Math.Min(steps, 20_000), record: false, allowExit: false); // warm-up (JIT)
        bool json = args.GetValue(Json);
        var rates = new List<double>();
        var runRows = new JsonArray();
        StreamedTable? table = json ? null : new StreamedTable(stdout, (new("run", Right: true), 3), (new("steps", Right: true), 11), (new("ms", Right: true), 9), (new("steps/s", Right: true), 11));
        table?.Header();
        // the text prints a row per run as it is done: on the terminal, that is its progress
        string? violation = Progress.Run("bench-reference", stderr, args.GetValue(Quiet), progress =>
        {
            for (int r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                var s = RandomRun.Run(cfg, seed + r, steps, record: false, allowExit: false);
                sw.Stop();
                if (s.FirstViolation is { } v) return $"bench-reference: unexpected violation with seed {seed + r}: {v}";
                double rate = s.Lines / sw.Elapsed.TotalSeconds;
                rates.Add(rate);
                table?.Row($"{r + 1}", $"{s.Lines}", $"{sw.Elapsed.TotalMilliseconds:F0}", $"{rate:F0}");
                runRows.Add(new JsonObject { ["run"] = r + 1, ["seed"] = seed + r, ["steps"] = s.Lines, ["seconds"] = JsonOut.Seconds(sw.Elapsed.TotalSeconds), ["steps_per_second"] = Math.Round(rate) });
                progress.Report($"{r + 1}/{runs} runs");
            }
            return null;
        }, streamsTo: json ? null : stdout);
        rates.Sort();
        double? median = violation is null ? rates[rates.Count / 2] : null;
        int exit = violation is null ? ExitCodes.Ok : ExitCodes.Violation;
        if (violation is not null) stderr.WriteLine(violation);
        if (json)
            JsonOut.Write(stdout, new JsonObject
            {
                ["exit"] = exit, ["steps"] = steps, ["seed"] = seed, ["pages"] = pages, ["mirrors"] = cfg.MirrorList.Length, ["runs"] = runRows,
                ["median_steps_per_second"] = median is { } m ? Math.Round(m) : null, ["violation"] = violation,
            });
        else if (median is { } m)
            stdout.WriteLine($"median: {m:F0} checked steps/s ({pages} pages, 2 mirrors, all rules after every step, 1 thread)");
        return exit;
    }
}
