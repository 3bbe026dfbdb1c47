using System.Text.Json;
using NotifierSpec.Cli;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier prove` and `notifier contract`: output and exit codes.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Prove_all_vocabularies_exits_0_with_a_table()
    {
        var (code, stdout, stderr) = Run("prove");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("## vocabulary v7, variant correct", stdout);
        Assert.Contains("## vocabulary v7-reviewed, variant correct", stdout);
        Assert.Contains("## vocabulary upstream, variant correct", stdout);
        Assert.Contains("pte_update => NoStaleDeviceMapping'", stdout);
        Assert.DoesNotContain(" CTI ", stdout);
        Assert.Matches(@"\n1140 queries in [0-9.]+ s; slowest", stdout);
    }

    [Fact]
    public void Prove_failing_variant_exits_12_with_counterexample_and_reproduce_line()
    {
        var (code, stdout, _) = Run("prove", "--variant", "unmap-at-end", "--quiet");
        Assert.Equal(12, code);
        Assert.Contains("breaking NoStaleDeviceMapping", stdout);
        Assert.Contains("reproduce: notifier prove --variant unmap-at-end", stdout);
    }

    [Theory]
    [InlineData("--variant", "nope", "notifier prove: unknown variant 'nope'")]
    [InlineData("--vocabulary", "v8", "notifier prove: unknown vocabulary 'v8' (v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)")]
    [InlineData("--depth", "x", "notifier prove: option --depth expects an integer, got 'x'")]
    [InlineData("--frobnicate", null, "notifier prove: unknown option --frobnicate")]
    [InlineData("--variant", "ignore-fork --vocabulary upstream", "notifier prove: variant 'ignore-fork' changes the reaction to MMU_FORK, which vocabulary 'upstream' does not have")]
    public void Prove_bad_usage_exits_255_with_one_line(string option, string? value, string message)
    {
        var args = value is null ? new[] { "prove", option } : new[] { "prove", option }.Concat(value.Split(' ')).ToArray();
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(message, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Contract_json_has_every_event_and_reaction()
    {
        var (code, stdout, stderr) = Run("contract", "--vocabulary", "v7-reviewed", "--json");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        var rows = JsonSchemas.Conforming("contract", stdout).EnumerateArray().ToList();
        Assert.Equal(11, rows.Count);
        var wp = rows.Single(r => r.GetProperty("event").GetString() == "MMU_WRITE_PROTECT");
        Assert.Equal("write-protect", wp.GetProperty("weakest_safe")[0].GetString());
        Assert.Equal(5, wp.GetProperty("cells").GetArrayLength());
        Assert.Equal("read-only", wp.GetProperty("new_protection").GetString());
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static string TraceFile(string name, Reference.Session s)
    {
        var path = Path.Combine(Path.GetTempPath(), $"refine-{Environment.ProcessId}-{name}.jsonl");
        Reference.TraceFile.Write(path, s);
        return path;
    }

    [Fact]
    public void Refine_a_scenario_trace_exits_0_with_counts()
    {
        var path = TraceFile("anon_write", Reference.Scenarios.Find("anon_write")!.Run().Session);
        var (code, stdout, stderr) = Run("refine", path);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Equal("", stderr);
        Assert.StartsWith($"{path}: refines spec/ (16 lines: 11 spec steps, 4 stutters; ", stdout);
        Assert.Matches(@"\n  pte_update\[fill\] +2\n", stdout);
        File.Delete(path);
    }

    [Fact]
    public void Refine_a_planted_bug_exits_12_at_its_line_with_the_action_and_the_conjunct()
    {
        var config = ReferenceCheck.Config(Reference.Vocabulary.Upstream, mirrors: 2, Reference.Mutant.RangeOnePageShort);
        var path = TraceFile("short", Reference.RandomRun.Run(config, 3, 51, stopAtViolation: false));
        var (code, stdout, stderr) = Run("refine", path);
        Assert.Equal(12, code);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n');
        Assert.StartsWith($"{path}:50: step does not refine spec/: cpu pte_update page=5 ", lines[0]);
        Assert.EndsWith(" is not an instance of pte_update", lines[0]);
        Assert.Contains("  violated: guard conjunct in_range[i0,p5] is false\n", stdout);
        Assert.Contains($"reproduce: notifier refine {path}\n", stdout);
        File.Delete(path);
    }

    [Theory]
    [InlineData("{\"kind\":\"config\"", ":1:", "malformed trace: invalid JSON")]
    [InlineData("{\"kind\":\"call\",\"actor\":\"cpu\",\"op\":\"fork\"}", ":1:", "malformed trace: field 'kind': the first line must be the config line")]
    public void Refine_malformed_input_exits_255_with_one_line(string firstLine, string at, string message)
    {
        var path = Path.Combine(Path.GetTempPath(), $"refine-{Environment.ProcessId}-bad.jsonl");
        File.WriteAllText(path, firstLine + "\n");
        var (code, stdout, stderr) = Run("refine", path);
        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(path + at, stderr);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        File.Delete(path);
    }

    [Fact]
    public void Refine_a_trace_spec_does_not_model_exits_20_with_one_line()
    {
        var path = TraceFile("tlb", Reference.Scenarios.Find("secondary_tlb_window")!.Run().Session);
        var (code, stdout, stderr) = Run("refine", path);
        Assert.Equal(20, code);
        Assert.Equal("", stdout);
        Assert.Equal($"{path}:1:1: not covered by spec/: mirror iommu0: a hardware TLB (secondary_tlb): spec/ models interval notifiers only\n", stderr);
        File.Delete(path);
    }
}
