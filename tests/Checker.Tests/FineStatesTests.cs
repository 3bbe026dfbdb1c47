using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// A worker does not evaluate the invariants again on a state it has judged (checker/search/FineStates.cs): a state
/// reached from several states of one batch, or outside the model (CONSTRAINT) and generated again. Nothing
/// observable may change: not the counts, not a violation found outside the model under VIEW (where states with one
/// fingerprint differ), not what an invariant prints.
/// </summary>
public class FineStatesTests
{
    private static (int Exit, CheckResult Result, string Out) Run(string name, string tla, string cfg, int workers = 1,
        bool plantedView = false, bool plantedEffects = false)
    {
        var o = new StringWriter();
        var (exit, r, _) = TempSpec.Check(name, tla, cfg,
            new CheckOptions { Workers = workers, Out = o, PlantedFineUnderView = plantedView, PlantedFineIgnoresEffects = plantedEffects });
        Assert.NotNull(r);
        return (exit, r!, o.ToString());
    }

    /// <summary>GridWalkAll (corpus, TLC's counts): almost every state is reached from several states of its batch.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AStateReachedAgainInItsBatchIsJudgedOnceWithTlcsCounts(int workers)
    {
        var e = CorpusTests.Manifest()["GridWalkAll"];
        int exit = ModelRun.CheckOne(Path.Combine(CorpusTests.CorpusDir, e.Model.Spec), Path.Combine(CorpusTests.CorpusDir, e.Model.Config),
            new CheckOptions { Workers = workers, Out = TextWriter.Null }, TextWriter.Null, out var r);
        Assert.Equal(0, exit);
        Assert.Equal(143361L, r!.Generated);
        Assert.Equal(32768L, r.Distinct);
        Assert.Equal(36, r.Depth);
        Assert.True(r.InvariantsSkipped > 30000, $"{r.InvariantsSkipped} skipped");
    }

    private const string ViewOut = """
        ---- MODULE ViewOut ----
        EXTENDS Naturals
        VARIABLES x, y
        Init == x = 0 /\ y = 0
        Next == \/ x' = x + 1 /\ y' = 0
                \/ x' = x + 1 /\ y' = 1
        Inv == y = 0 \/ x < 3
        InModel == x < 3
        View == x
        ====
        """;

    /// <summary>x = 3 is outside the model, where TLC judges every state generated: (3, 0) holds, (3, 1) of the same VIEW
    /// violates Inv. TLC (cc6b616cf, -workers 1): Inv violated, 7 generated, 3 distinct, depth 3, a 4-state trace ending
    /// in x = 3, y = 1. Planted: remembered by fingerprint under VIEW too, (3, 1) passes for (3, 0) and no error is found.</summary>
    [Fact]
    public void UnderViewAStateOfAJudgedFingerprintIsJudgedAgain()
    {
        const string cfg = "INIT Init\nNEXT Next\nINVARIANT Inv\nCONSTRAINT InModel\nVIEW View\n";
        var r = Run("ViewOut", ViewOut, cfg);
        Assert.Equal(12, r.Exit);
        Assert.Equal("Inv", r.Result.Violated);
        Assert.Equal(7L, r.Result.Generated);
        Assert.Equal(3L, r.Result.Distinct);
        Assert.Equal(4, r.Result.Trace!.Count);
        Assert.Equal("3,1", string.Join(",", r.Result.Trace![^1].State.Select(Show.V)));
        var planted = Run("ViewOut", ViewOut, cfg, plantedView: true);
        Assert.Equal(0, planted.Exit);
    }

    private const string PrintDiamond = """
        ---- MODULE PrintDiamond ----
        EXTENDS Naturals, TLC
        VARIABLES x, y
        Init == x = 0 /\ y = 0
        Next == \/ x < 3 /\ x' = x + 1 /\ y' = y
                \/ y < 3 /\ y' = y + 1 /\ x' = x
        Inv == PrintT(<<"judged", x, y>>)
        Whole == <<x, y>>
        ====
        """;

    /// <summary>An invariant that prints is evaluated whenever it was before: the output is the one of the same run
    /// under a VIEW of the whole state (where nothing is remembered). (1, 1) is reached from (1, 0) and (0, 1) in one
    /// batch: it prints twice (TLC prints once per distinct state; this checker judges each fresh successor).
    /// Planted: remembered although it printed, (1, 1) prints once and the outputs differ.</summary>
    [Fact]
    public void AnInvariantThatPrintsIsEvaluatedAsOftenAsBefore()
    {
        const string cfg = "INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n";
        var plain = Run("PrintDiamond", PrintDiamond, cfg);
        var view = Run("PrintDiamond", PrintDiamond, cfg + "VIEW Whole\n");
        Assert.Equal(0, plain.Exit);
        Assert.Equal(16L, plain.Result.Distinct);
        static string[] Printed(string o) => o.Split('\n').Where(l => l.Contains("\"judged\"")).ToArray();
        Assert.Equal(Printed(view.Out), Printed(plain.Out));
        Assert.True(Printed(plain.Out).Length > 16);
        var planted = Run("PrintDiamond", PrintDiamond, cfg, plantedEffects: true);
        Assert.Equal(16L, planted.Result.Distinct);
        Assert.NotEqual(Printed(view.Out), Printed(planted.Out));
    }
}
