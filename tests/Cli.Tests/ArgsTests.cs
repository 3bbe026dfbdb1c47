using System.Text.RegularExpressions;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// The shared argument checks (issue 11; System.CommandLine options with the project's validators, cli/Options.cs,
/// and its parse errors in the project's words, Cli.FirstError): contradictory, repeated or extra arguments and
/// integers out of range are refused by every command with one line on stderr and exit 255, never
/// ignored; `hammer --count N` runs exactly N tests. Completion: System.CommandLine's [suggest] directive.
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
    [InlineData("notifier prove: option --depth: 31 is out of range [0, 30]", "prove", "--depth", "31")]
    [InlineData("notifier kernel: option --pages: 1 is out of range [2, 1024]", "kernel", "--pages", "1")]
    [InlineData("notifier kernel: option --count: 0 is out of range [1, 2147483647]", "kernel", "--count", "0")]
    [InlineData("notifier check: option --workers needs a value", "check", "x.tla", "--workers")]
    [InlineData("notifier check: unknown option --frobnicate", "check", "--frobnicate", "x.tla")]
    [InlineData("notifier check: --checkpoint-every needs --checkpoint DIR", "check", "x.tla", "--checkpoint-every", "1m")]
    [InlineData("notifier replay: expected one TRACE.jsonl (notifier replay --help)", "replay")]
    [InlineData("notifier audit: expected one KERNEL_SOURCE_DIR (notifier audit --help)", "audit", "--found")]
    [InlineData("notifier hammer: option --seed: -1 is out of range [0, 18446744073709551615]", "hammer", "--seed=-1")]
    [InlineData("notifier contract: unknown vocabulary 'v8' (v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)", "contract", "--vocabulary", "v8")]
    [InlineData("notifier completion: unknown shell 'zsh' (bash)", "completion", "zsh")]
    [InlineData("notifier: unexpected argument 'x' after --version", "--version", "x")]
    [InlineData("notifier events: option --json is given twice", "events", "--json", "--json")] // System.CommandLine alone takes a repeated flag
    [InlineData("notifier hammer: option --count is given twice", "hammer", "--count", "5", "--count=6")]
    [InlineData("notifier scenario: option --trace needs a value", "scenario", "--trace")]
    [InlineData("@x.jsonl:1:1: cannot read @x.jsonl: no such file", "replay", "@x.jsonl")] // no response files: @x.jsonl is a trace
    public void Bad_arguments_are_one_line_and_exit_255(string message, params string[] args)
    {
        var (code, stdout, stderr) = TraceInputTests.Run(args);
        Assert.Equal((255, "", message), (code, stdout, stderr.TrimEnd('\n')));
    }

    /// <summary>System.CommandLine's `--name=value` form is the same option (and still checked).</summary>
    [Fact]
    public void An_option_value_after_an_equals_sign_is_parsed_and_checked()
    {
        Assert.Equal((255, "", "notifier hammer: option --count: 0 is out of range [1, 2147483647]\n"), TraceInputTests.Run("hammer", "--count=0"));
        Assert.Equal(0, TraceInputTests.Run("scenario", "anon_write", "--trace=/dev/null").Code);
    }

    /// <summary>`notifier [suggest:N] "LINE"` (what `notifier completion bash` calls): the words that can follow at N.</summary>
    [Theory]
    [InlineData("check --w", "--workers")]
    [InlineData("prove --vocabulary v", "v7\nv7-reviewed")]
    [InlineData("prove --variant unmap", "unmap-at-end")]
    [InlineData("hammer --mutant Unmap", "mm-unmap-at-end\nmigrate-copy-before-unmap")] // the catalogue's names (System.CommandLine: those that start with the word, then the others that contain it, ignoring case)
    [InlineData("kernel --mutant cow", "cow-forgets-write-protect")]
    [InlineData("help ev", "events")]
    [InlineData("scenario anon_write_", "anon_write_child\nanon_write_prot")]
    [InlineData("completion ", "--help\n-h\nbash")]
    public void Suggest_completes_commands_options_and_names(string line, string expected)
    {
        var (code, stdout, stderr) = TraceInputTests.Run($"[suggest:{line.Length}]", line);
        Assert.Equal((0, expected + "\n", ""), (code, stdout, stderr));
    }

    /// <summary>Issue 12: one name per planted bug at the command line. --mutant (hammer, kernel) and --variant (prove) take
    /// every name catalogue/vocabulary.json gives a planted bug (its one name, its reference/, spec/, tla/ names, its
    /// aliases) and resolve it to that bug's mutant or variant; unknown names are answered with the catalogue's names.</summary>
    [Fact]
    public void Every_catalogue_name_of_a_planted_bug_selects_its_mutant_and_variant()
    {
        foreach (var bug in NotifierSpec.Reference.Catalogue.Default.Bugs)
            foreach (var name in bug.AllNames)
            {
                if (bug.Reference is { } r) Assert.Equal(r, NotifierSpec.Properties.Mutants.Find(name).Name);
                else Assert.Throws<ArgumentException>(() => NotifierSpec.Properties.Mutants.Find(name));
                Assert.Equal(bug.Spec, Variant.Find(name, "")?.Name);
            }
        Assert.Contains("SkipReadRetry", NotifierSpec.Reference.Catalogue.Default.Bug("no-read-retry")!.AllNames);
        Assert.Equal("NoReadRetry", NotifierSpec.Properties.Mutants.Find("skip_read_retry").Name);
        Assert.Equal(NotifierSpec.Properties.Mutants.All.Length, NotifierSpec.Properties.Mutants.CatalogueNames.Distinct().Count());
        Assert.All(NotifierSpec.Properties.Mutants.CatalogueNames, n => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", n));
    }

    [Theory]
    [InlineData("hammer", "--mutant", "no-read-retry", "--count", "1", "--workers", "1", "--quiet")]
    [InlineData("hammer", "--mutant", "SkipReadRetry", "--count", "1", "--workers", "1", "--quiet")]
    [InlineData("hammer", "--mutant", "pass_end_early", "--count", "1", "--workers", "1", "--quiet")]
    [InlineData("prove", "--variant", "NoReadRetry", "--depth", "0", "--quiet")]
    [InlineData("prove", "--variant", "skip_read_retry", "--depth", "0", "--quiet")]
    public void A_planted_bug_is_taken_by_any_of_its_catalogue_names(params string[] args)
    {
        var (code, stdout, stderr) = TraceInputTests.Run(args);
        Assert.DoesNotContain("unknown", stderr);
        Assert.Equal("", stderr);
        if (args[0] == "hammer") Assert.Matches(args[2] is "pass_end_early" ? "^EndPassEarly " : "^NoReadRetry ", stdout.Split('\n').First(l => !l.StartsWith("mutant", StringComparison.Ordinal) && l.Length > 0));
        else Assert.Equal((12, "reproduce: notifier prove --variant no-read-retry"), (code, stdout.Split('\n').Single(l => l.StartsWith("reproduce:", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("hammer", "--mutant")]
    [InlineData("kernel", "--mutant")]
    public void An_unknown_mutant_lists_the_catalogue_names(string command, string option)
    {
        var (code, _, stderr) = TraceInputTests.Run(command, option, "bogus");
        Assert.Equal(255, code);
        Assert.Equal($"notifier {command}: unknown mutant 'bogus' (known: {string.Join(", ", NotifierSpec.Properties.Mutants.CatalogueNames)})", stderr.Trim());
        Assert.Contains("cow-forgets-write-protect", stderr);
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
