using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Temporal conjuncts of the SPECIFICATION other than WF/SF (corpus/Assume.tla: &lt;&gt;[][Inc]_vars, []&lt;&gt;(x = 2))
/// are assumptions: each PROPERTY conjunct F is checked as (A1 /\ ... /\ An) =&gt; F through the tableau, as TLC
/// checks Spec =&gt; Prop. Verdicts and counts are TLC's (corpus/manifest.json, CorpusTests.MatchesTlc).
/// Planted bug "assumptions ignored" (Atoms taking the pattern path, checked by hand 2026-11-24): killed by
/// AssumptionMakesThePropertyHold (both rows) and MatchesTlc(AssumeOk, AssumeOften). Planted "&lt;&gt;[]L
/// condition ignored" (component steps not restricted): killed by the AssumeOk rows; planted "[]&lt;&gt;L
/// condition ignored": killed by the AssumeOften rows; planted "lasso cycle not through a []&lt;&gt;L state":
/// killed by LassoMeetsTheAlwaysEventuallyAssumption (all checked by hand 2026-11-24).
/// </summary>
public class AssumptionTests
{
    [Theory]
    // Often3 == []<>(x = 3) fails under Spec (AssumeNone: 0, 1 back to 0 by Reset); <>[][Inc]_vars with WF
    // leaves only the Inc cycle
    [InlineData("AssumeOk", "FinResetSpec", 1)]
    // Reach2 == <>(x = 2) holds only because []<>(x = 2) is assumed
    [InlineData("AssumeOften", "Often2Spec", 1)]
    public void AssumptionMakesThePropertyHold(string name, string spec, int assumptions)
    {
        var (exit, r, o, _) = CorpusTests.Run(name, 1);
        Assert.Equal(0, exit);
        Assert.Equal(Outcome.Success, r!.Outcome);
        Assert.Equal(4, r.Distinct);
        Assert.Contains("Model checking completed. No error has been found.", o);
        var e = CorpusTests.Manifest()[name].Model;
        var s = TlaSpec.Load(Path.Combine(CorpusTests.CorpusDir, e.Spec), Path.Combine(CorpusTests.CorpusDir, e.Config));
        Assert.Equal(spec, s.Config.Specification!.Value.Name);
        Assert.Equal(assumptions, s.Assumptions.Count);
    }

    [Fact]
    public void WithoutTheAssumptionTheSamePropertyFails()
    {
        var (exit, r, _, _) = CorpusTests.Run("AssumeNone", 1);
        Assert.Equal(13, exit);
        Assert.Equal(["0", "1"], r!.Trace!.Select(t => Show.V(t.State[0])));
        Assert.False(r.Stuttering);
    }

    [Fact]
    public void AssumptionWithoutFairnessStillAllowsStopping()
    {
        // <>[][Inc]_vars without WF: stuttering for ever at x = 0 satisfies it and violates Often3
        // (TLC: x = 0, 1, 2 then stuttering; ours is the shortest lasso)
        var (exit, r, o, _) = CorpusTests.Run("AssumeBad", 1);
        Assert.Equal(13, exit);
        Assert.Equal(["0"], r!.Trace!.Select(t => Show.V(t.State[0])));
        Assert.True(r.Stuttering);
        Assert.Contains("Error: Temporal property Often3 was violated.", o);
    }

    [Fact]
    public void LassoMeetsTheAlwaysEventuallyAssumption()
    {
        // []<>(x = 2) assumed, Often3 == []<>(x = 3) violated: the cycle must pass x = 2 (TLC's lasso: 0, 1, 2
        // back to state 1 by Reset); a lasso stuttering at x = 0 would violate the assumption
        var (exit, r, o, _) = CorpusTests.Run("AssumeOftenBad", 1);
        Assert.Equal(13, exit);
        Assert.Equal(["0", "1", "2"], r!.Trace!.Select(t => Show.V(t.State[0])));
        Assert.False(r.Stuttering);
        Assert.Equal(1, r.LassoStart);
        Assert.Contains("Back to state 1.", o);
    }
}
