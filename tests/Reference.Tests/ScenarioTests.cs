using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

public class ScenarioTests
{
    public static TheoryData<string> Names() { var d = new TheoryData<string>(); foreach (var s in Scenarios.All) d.Add(s.Name); return d; }

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario_has_its_exact_outcome(string name)
    {
        var sc = Scenarios.Find(name)!;
        var r = sc.Run();
        Assert.Equal(sc.ExpectedRule, r.ActualRule);
        Assert.All(r.Checks, c => Assert.True(c.Ok, $"{c.What}: expected {c.Expected}, got {c.Actual}"));
        Assert.NotEmpty(r.Checks);
    }

    [Fact]
    public void There_are_at_least_twelve_scenarios_with_distinct_names()
    {
        Assert.True(Scenarios.All.Length >= 12);
        Assert.Equal(Scenarios.All.Length, Scenarios.All.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void The_seed_debate_mprotect_to_none_breaks_only_under_v7()
    {
        var v7 = Scenarios.Find("mprotect_none_v7_wp_listener")!.Run();
        var reviewed = Scenarios.Find("mprotect_none_v7_reviewed_wp_listener")!.Run();
        Assert.Equal(Rules.NoStaleDeviceMapping, v7.ActualRule);
        Assert.Null(reviewed.ActualRule);
        // the violation is reported at the pte_update of mprotect, naming the device and the PTE
        var line = v7.Session.Trace[v7.Session.FirstViolationLine!.Value - 1];
        Assert.Equal("pte_update", line.Op);
        // chunk 2: the read of page 1 also mapped page 0 (the zero page), which mprotect changes first
        Assert.Equal("dev0 maps page 0 -> frame 0.0 r but the CPU PTE is frame 0 none soft-dirty", v7.Session.FirstViolation!.Message);
    }

    [Fact]
    public void Scenario_command_prints_every_outcome_and_exits_zero()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario"], o, e);
        Assert.Equal(0, rc);
        Assert.Contains($"{Scenarios.All.Length}/{Scenarios.All.Length} scenarios as expected", o.ToString());
        Assert.Contains("breaks NoStaleDeviceMapping", o.ToString());
    }

    [Fact]
    public void Unknown_scenario_is_a_one_line_error()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario", "nope"], o, e);
        Assert.Equal(255, rc);
        Assert.Equal("notifier scenario: unknown scenario 'nope' (notifier scenario --list)", e.ToString().Trim());
    }
}

public class CliInputTests
{
    [Fact]
    public void An_unwritable_trace_path_is_a_one_line_error()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario", "anon_read", "--trace", "/nonexistent-dir/x.jsonl"], o, e);
        Assert.Equal(255, rc);
        Assert.Single(e.ToString().Trim().Split('\n'));
        Assert.StartsWith("notifier scenario: Could not find a part of the path", e.ToString());
    }

    [Fact]
    public void A_missing_trace_file_is_a_one_line_error()
    {
        foreach (var command in new[] { "replay", "refine" })
        {
            var o = new StringWriter(); var e = new StringWriter();
            Assert.Equal(255, NotifierSpec.Cli.Cli.Run([command, "/nonexistent.jsonl"], o, e));
            Assert.Equal("/nonexistent.jsonl:1:1: cannot read /nonexistent.jsonl: no such file", e.ToString().Trim());
        }
    }

    [Fact]
    public void Unknown_commands_and_options_are_one_line_errors()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["frobnicate"], o, e));
        Assert.Equal("notifier: unknown command 'frobnicate' (try: notifier --help)", e.ToString().Trim());
        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["bench-reference", "--steps", "many"], o, e));
        Assert.Equal("notifier bench-reference: option --steps expects an integer, got 'many'", e.ToString().Trim());
    }
}
