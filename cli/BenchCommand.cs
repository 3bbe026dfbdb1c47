using System.CommandLine;
using System.Diagnostics;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier bench-reference [--steps N] [--seed S] [--pages P]`: steps per second through the reference
/// with every rule checked after every step (64 pages, 2 device mirrors, trace recording off), one thread.
/// </summary>
public static class BenchCommand
{
    private static readonly Option<int> Steps = Opt.Int("--steps", "N", "steps per run", 200_000, 1, 100_000_000);
    private static readonly Option<int> Seed = Opt.Int("--seed", "S", "first seed", 1);
    // the same bounds as a trace's config (reference/TraceLimits): 4 frames per page
    private static readonly Option<int> Pages = Opt.Int("--pages", "P", "pages", 64, 4, TraceLimits.MaxPages);
    private static readonly Option<int> Runs = Opt.Int("--runs", "R", "runs", 5, 1, 1000);

    public static Command Define()
    {
        var c = new Command("bench-reference", "Measures checked steps per second through the reference MMU (every rule checked after every step, one thread).")
        {
            Steps, Seed, Pages, Runs,
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
        var rates = new List<double>();
        var table = new StreamedTable(stdout, (new("run", Right: true), 3), (new("steps", Right: true), 11), (new("ms", Right: true), 9), (new("steps/s", Right: true), 11));
        table.Header();
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            var s = RandomRun.Run(cfg, seed + r, steps, record: false, allowExit: false);
            sw.Stop();
            if (s.FirstViolation is { } v) { stderr.WriteLine($"bench-reference: unexpected violation with seed {seed + r}: {v}"); return ExitCodes.Violation; }
            rates.Add(s.Lines / sw.Elapsed.TotalSeconds);
            table.Row($"{r + 1}", $"{s.Lines}", $"{sw.Elapsed.TotalMilliseconds:F0}", $"{s.Lines / sw.Elapsed.TotalSeconds:F0}");
        }
        rates.Sort();
        stdout.WriteLine($"median: {rates[rates.Count / 2]:F0} checked steps/s ({pages} pages, 2 mirrors, all rules after every step, 1 thread)");
        return ExitCodes.Ok;
    }
}
