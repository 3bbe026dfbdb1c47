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
}
