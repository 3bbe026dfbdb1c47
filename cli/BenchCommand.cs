using System.Diagnostics;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier bench-reference [--steps N] [--seed S] [--pages P]`: steps per second through the reference
/// with every rule checked after every step (64 pages, 2 device mirrors, trace recording off), one thread.
/// </summary>
public static class BenchCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("bench-reference", argv, ["--steps", "--seed", "--pages", "--runs"], [], maxPositional: 0);
        // the same bounds as a trace's config (reference/TraceLimits): 4 frames per page
        int steps = args.GetInt("bench-reference", "--steps", 200_000, 1, 100_000_000);
        int seed = args.GetInt("bench-reference", "--seed", 1);
        int pages = args.GetInt("bench-reference", "--pages", 64, 4, TraceLimits.MaxPages);
        int runs = args.GetInt("bench-reference", "--runs", 5, 1, 1000);
        var cfg = new MmConfig(pages, 4, pages * 4, Vocabulary.Upstream, [new MirrorConfig("dev0", Policy: Policy.Hmm), new MirrorConfig("dev1")]);
        RandomRun.Run(cfg, seed, Math.Min(steps, 20_000), record: false, allowExit: false); // warm-up (JIT)
        var rates = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            var s = RandomRun.Run(cfg, seed + r, steps, record: false, allowExit: false);
            sw.Stop();
            if (s.FirstViolation is { } v) { stderr.WriteLine($"bench-reference: unexpected violation with seed {seed + r}: {v}"); return ExitCodes.Violation; }
            rates.Add(s.Lines / sw.Elapsed.TotalSeconds);
            stdout.WriteLine($"run {r + 1}: {s.Lines} steps in {sw.Elapsed.TotalMilliseconds:F0} ms = {s.Lines / sw.Elapsed.TotalSeconds:F0} steps/s");
        }
        rates.Sort();
        stdout.WriteLine($"median: {rates[rates.Count / 2]:F0} checked steps/s ({pages} pages, 2 mirrors, all rules after every step, 1 thread)");
        return ExitCodes.Ok;
    }
}
