using System.Text.RegularExpressions;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// The shared argument checks (cli/Args.cs, issue 11): contradictory, repeated or extra arguments and
/// integers out of range are refused by every command with one line on stderr and exit 255, never
/// ignored; `hammer --count N` runs exactly N tests.
/// </summary>
public class ArgsTests
{
    [Theory]
    [InlineData("notifier hammer: option --count: -1 is out of range [1, 2147483647]", "hammer", "--count", "-1")]
    [InlineData("notifier hammer: option --count: 0 is out of range [1, 2147483647]", "hammer", "--count", "0")]
    [InlineData("notifier hammer: option --count: 99999999999 is out of range [1, 2147483647]", "hammer", "--count", "99999999999")]
    [InlineData("notifier hammer: option --count expects an integer, got '1e3'", "hammer", "--count", "1e3")]
    [InlineData("notifier hammer: option --workers: 0 is out of range [1, 1024]", "hammer", "--workers", "0")]
    [InlineData("notifier hammer: option --seed: 99999999999999999999999 is out of range [0, 18446744073709551615]", "hammer", "--seed", "99999999999999999999999")]
    [InlineData("notifier hammer: --count and --time cannot be given together", "hammer", "--count", "10", "--time", "1s")]
    [InlineData("notifier hammer: --mutants and --mutant cannot be given together", "hammer", "--mutants", "--mutant", "X")]
    [InlineData("notifier hammer: --mutants and --property cannot be given together", "hammer", "--mutants", "--property", "X")]
    [InlineData("notifier hammer: option --seed is given twice", "hammer", "--seed", "1", "--seed", "2")]
    [InlineData("notifier hammer: unexpected argument 'now'", "hammer", "now")]
    [InlineData("notifier events: unexpected argument 'yes' (--json takes no value)", "events", "--json", "yes")]
    [InlineData("notifier events: unexpected argument 'extra'", "events", "extra")]
    [InlineData("notifier replay: unexpected argument 'b.jsonl'", "replay", "a.jsonl", "b.jsonl")]
    [InlineData("notifier refine: unexpected argument 'b.jsonl'", "refine", "a.jsonl", "b.jsonl")]
    [InlineData("notifier validate: unexpected argument 'b.jsonl'", "validate", "a.jsonl", "b.jsonl")]
    [InlineData("notifier bench-reference: option --pages: 100000000 is out of range [4, 4096]", "bench-reference", "--pages", "100000000")]
    [InlineData("notifier bench-reference: option --steps: 0 is out of range [1, 100000000]", "bench-reference", "--steps", "0")]
    [InlineData("notifier check: option --workers: 5000 is out of range [1, 1024]", "check", "--workers", "5000", "x.tla")]
    [InlineData("notifier check: unexpected argument 'y.tla'", "check", "x.tla", "y.tla")]
    [InlineData("notifier check: --all cannot be given with SPEC 'x.tla'", "check", "x.tla", "--all")]
    [InlineData("notifier check: --manifest and --config cannot be given together", "check", "--manifest", "m.json", "--config", "x.cfg")]
    [InlineData("notifier prove: unexpected argument 'now'", "prove", "now")]
    [InlineData("notifier contract: unexpected argument 'now'", "contract", "now")]
    public void Bad_arguments_are_one_line_and_exit_255(string message, params string[] args)
    {
        var (code, stdout, stderr) = TraceInputTests.Run(args);
        Assert.Equal((255, "", message), (code, stdout, stderr.TrimEnd('\n')));
    }

    [Theory]
    [InlineData(210, 50)]
    [InlineData(7, 3)]
    public void Hammer_count_runs_exactly_that_many_tests(int count, int batch)
    {
        var (code, stdout, _) = TraceInputTests.Run("hammer", "--count", count.ToString(), "--batch", batch.ToString(), "--workers", "2", "--quiet");
        Assert.Equal(0, code);
        Assert.Matches(new Regex($"^hammer: {count} tests \\([0-9]+ program runs\\), "), stdout);
    }
}
