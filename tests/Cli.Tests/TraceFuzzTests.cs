using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>The trace fuzzing harness (TraceFuzz, docs/fuzzing-traces.md): a bounded run in the default
/// test run (NOTIFIER_FUZZ_CASES sets the number of cases, NOTIFIER_FUZZ_SEED the seed,
/// NOTIFIER_FUZZ_REPORT a file for the outcome table), and the harness seen failing on planted bugs.</summary>
public class TraceFuzzTests(ITestOutputHelper output)
{
    public const int DefaultCases = 120, DefaultSeed = 11;

    private static int Env(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    private static string Dir() => Directory.CreateTempSubdirectory("trace-fuzz").FullName;

    [Fact]
    public void Mutated_scenario_traces_get_a_documented_answer_one_line_refusals_and_the_same_validity_from_replay_validate_and_refine()
    {
        int cases = Env("NOTIFIER_FUZZ_CASES", DefaultCases), seed = Env("NOTIFIER_FUZZ_SEED", DefaultSeed);
        var report = TraceFuzz.Run(seed, cases, TraceFuzz.Cli, Dir());
        output.WriteLine($"{report.Cases} cases, seed {seed}:");
        output.WriteLine(report.Table());
        if (Environment.GetEnvironmentVariable("NOTIFIER_FUZZ_REPORT") is { Length: > 0 } file)
            File.WriteAllText(file, $"{report.Cases} cases, seed {seed}, {report.Failures.Count} failures\n\n{report.Table()}");
        Assert.True(report.Failures.Count == 0, string.Join("\n", report.Failures.Take(10)));
        // the run reached every kind of answer: refusals, incomplete traces, accepted and rejected ones
        var codes = report.Outcomes.Values.SelectMany(d => d.Keys).ToHashSet();
        Assert.Superset(new HashSet<string> { "0", "12", "21", "255" }, codes);
    }

    [Fact]
    public void The_mutations_are_deterministic_for_a_seed()
    {
        var seeds = TraceFuzz.Seeds();
        for (int seed = 1; seed <= 3; seed++)
        {
            var a = new Random(seed); var b = new Random(seed);
            for (int i = 0; i < 50; i++)
            {
                var x = TraceFuzz.Mutate(seeds[i % seeds.Count], a);
                var y = TraceFuzz.Mutate(seeds[i % seeds.Count], b);
                Assert.Equal(x.Name, y.Name);
                Assert.Equal(x.Bytes, y.Bytes);
            }
        }
    }

    /// <summary>Planted bug: validate reads traces leniently as it did before issue 11 (blank lines skipped,
    /// unknown fields ignored): the harness finds replay and validate disagreeing.</summary>
    [Fact]
    public void Planted_bug_a_lenient_validate_reader_is_caught_as_a_disagreement()
    {
        TraceFuzz.Runner lenient = (cmd, path) =>
        {
            if (cmd != "validate") return TraceFuzz.Cli(cmd, path);
            var kept = File.ReadAllLines(path).Where(l => !string.IsNullOrWhiteSpace(l))
                .Select(l => l.Replace(",\"zzz\":1", "", StringComparison.Ordinal)).ToArray();
            string copy = path + ".lenient";
            File.WriteAllLines(copy, kept);
            var r = TraceFuzz.Cli(cmd, copy);
            return (r.Code, r.Out, r.Err.Replace(copy, path));
        };
        var report = TraceFuzz.Run(DefaultSeed, DefaultCases, lenient, Dir());
        Assert.Contains(report.Failures, f => f.Contains("the commands disagree on validity: replay malformed (exit 255), validate well-formed", StringComparison.Ordinal));
    }

    /// <summary>Planted bugs: an exception escaping Cli.Run and a refusal on two lines are reported.</summary>
    [Fact]
    public void Planted_bug_an_escaping_exception_or_a_two_line_refusal_is_caught()
    {
        TraceFuzz.Runner throwing = (cmd, path) =>
        {
            var r = TraceFuzz.Cli(cmd, path);
            if (cmd == "refine" && r.Code == 255 && r.Err.Contains("empty line", StringComparison.Ordinal)) throw new InvalidOperationException("planted");
            if (cmd == "replay" && r.Code == 21) return (r.Code, r.Out, r.Err + "   at NotifierSpec.Reference.Replay.Run()\n");
            return r;
        };
        var report = TraceFuzz.Run(DefaultSeed, DefaultCases, throwing, Dir());
        Assert.Contains(report.Failures, f => f.Contains("refine: exception escaped Cli.Run: InvalidOperationException: planted", StringComparison.Ordinal));
        Assert.Contains(report.Failures, f => f.Contains("replay: exit 21 without one line file:line:col: message on stderr", StringComparison.Ordinal));
    }
}
