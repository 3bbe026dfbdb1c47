using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// &lt;&gt;P and P ~&gt; Q (pattern path, checker/Liveness.cs) when the first start cannot reach a fair
/// component outside P (Q) and a later one can only through states outside it: the starts that reach one are
/// found by one backward search (CanReach), not a search from every start. Expected outcomes are TLC's
/// (cc6b616cf, -workers 1, 2026-12-05): 7 generated, 6 distinct, the lasso x = 5, 6, 7 back to state 2.
/// Planted bug, killed by both cases (checked by hand, 2026-12-05, as GeneralTemporalTests' planted bugs):
/// CanReach returning only the fair components themselves (no backward propagation) finds no violation
/// here; of the rest of this project's tests only CorpusTests.MatchesTlc(BoxImpliesWrong) (the
/// [](P =&gt; []Q) path) saw it.
/// </summary>
public class LivenessReachTests
{
    private const string Spec = """
        ---- MODULE FarCycle ----
        EXTENDS Naturals
        VARIABLE x
        Init == x \in {0, 5}
        Next == \/ x \in {0, 1} /\ x' = x + 1
                \/ x = 5 /\ x' = 6
                \/ x = 6 /\ x' = 7
                \/ x = 7 /\ x' = 6
        Spec == Init /\ [][Next]_x /\ WF_x(Next)
        Eventually == <>(x = 2)
        LeadsTo == (x = 5) ~> (x = 2)
        ====
        """;

    [Theory]
    [InlineData("Eventually")]
    [InlineData("LeadsTo")]
    public void ALaterStartReachesTheFairCycle(string property)
    {
        var dir = Directory.CreateTempSubdirectory("far-cycle-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "FarCycle.tla"), Spec);
            File.WriteAllText(Path.Combine(dir, "FarCycle.cfg"), $"SPECIFICATION Spec\nPROPERTY {property}\nCHECK_DEADLOCK FALSE\n");
            var o = new StringWriter();
            int exit = ModelRun.CheckOne(Path.Combine(dir, "FarCycle.tla"), Path.Combine(dir, "FarCycle.cfg"),
                new CheckOptions { Workers = 1, Out = o }, TextWriter.Null, out var r);
            Assert.Equal(13, exit);
            Assert.Contains($"Error: Temporal property {property} was violated.", o.ToString());
            Assert.Equal(7, r!.Generated);
            Assert.Equal(6, r.Distinct);
            Assert.Equal("5 6 7", string.Join(" ", r.Trace!.Select(s => Show.V(s.State[0]))));
            Assert.False(r.Stuttering);
            Assert.Equal(2, r.LassoStart);
        }
        finally { Directory.Delete(dir, true); }
    }
}
