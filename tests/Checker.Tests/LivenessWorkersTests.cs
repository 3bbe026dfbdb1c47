using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The per-state evaluations outside the search's batches done by several workers (checker/search/PerState.cs):
/// the initial states' constraints, fingerprints and invariants (ModelChecker.JudgeInitial), and the liveness
/// check's labels, awaited predicates and tableau state predicates (LiveChecker). The whole output is the one
/// worker's whatever the number of workers, also when an evaluation fails in the middle of the states (the first
/// error in the states' order is reported) or needs the serial order (a new string). Each spec has 1,000 states,
/// four chunks of PerState.Chunk, the failing one in the third. The same for the set filter the initial predicate
/// enumerates (PerState.Filter): 10,000 records, three ranges of PerState.FilterChunk, the failing one the second.
/// </summary>
public class LivenessWorkersTests
{
    private const string Cfg = "SPECIFICATION Spec\nPROPERTY Prop\n";

    private static string Spec(string name, string fair, string prop = "<>(x = 999)", int states = 1000) => $"""
        ---- MODULE {name} ----
        EXTENDS Naturals, Sequences, TLC
        VARIABLE x
        Init == x = 0
        Next == x' = (x + 1) % {states}
        A == Next /\ {fair}
        Spec == Init /\ [][Next]_x /\ WF_x(A)
        Prop == {prop}
        ====
        """;

    private static (int Exit, string Out, string Err) Run(string name, string tla, string cfg, int workers, bool noRedo = false, bool unjudged = false, bool filterNoRedo = false, bool productUnknownFalse = false)
    {
        var o = new StringWriter();
        var (exit, _, err) = TempSpec.Check(name, tla, cfg, new CheckOptions
        {
            Workers = workers, Out = o, PlantedLivenessNoRedo = noRedo, PlantedInitialUnjudged = unjudged, PlantedFilterNoRedo = filterNoRedo,
            PlantedProductUnknownFalse = productUnknownFalse,
        });
        return (exit, Stable(o.ToString()), err);
    }

    /// <summary>The output without the lines that name the number of workers or a time, and without the spec's
    /// temporary folder.</summary>
    private static string Stable(string output) => System.Text.RegularExpressions.Regex.Replace(
        string.Join("\n", output.Split('\n').Where(l =>
            !l.StartsWith("Running breadth-first") && !l.StartsWith("Finished in") && !l.StartsWith("Progress("))),
        @"[^ ]*spec-[0-9a-f]{32}/", "");

    private static void SameAsOneWorker(string name, string tla, string cfg, int exit, string expected)
    {
        var one = Run(name, tla, cfg, 1);
        Assert.Equal(exit, one.Exit);
        Assert.Contains(expected, one.Out + one.Err);
        foreach (int workers in new[] { 2, 3 })
        {
            var par = Run(name, tla, cfg, workers);
            Assert.Equal(one.Exit, par.Exit);
            Assert.Equal(one.Out, par.Out);
            Assert.Equal(one.Err, par.Err);
        }
    }

    [Fact]
    public void AFairnessLabelThatFailsAtOneStateIsTheOneWorkersError()
    {
        // the labels of WF_x(A) evaluate A on every step: 1 \div 0 at x = 700 only
        var tla = Spec("LabelErr", "(x = 700 => 1 \\div 0 = 0)");
        SameAsOneWorker("LabelErr", tla, Cfg, 255, "The second argument of \\div is 0.");
        // planted: the labels the workers left after the failing state are kept (a missing label crashes the check)
        (int Exit, string Out, string Err)? planted = null;
        var crash = Record.Exception(() => planted = Run("LabelErr", tla, Cfg, 2, noRedo: true));
        Assert.True(crash is not null || planted!.Value.Out != Run("LabelErr", tla, Cfg, 1).Out);
    }

    [Fact]
    public void AFairnessLabelThatMakesANewStringIsEvaluatedInOrder()
    {
        // a string made at x = 700 only: its token needs the serial order (SerialOnly in the parallel phase)
        var tla = Spec("LabelStr", "(x = 700 => Len(\"ab\" \\o ToString(x)) > 0)");
        SameAsOneWorker("LabelStr", tla, Cfg, 0, "Model checking completed. No error has been found.");
    }

    [Fact]
    public void AnAwaitedPredicateThatFailsAtOneStateIsTheOneWorkersError()
    {
        // <>P evaluates P on every state: 1 \div 0 at x = 700
        var tla = Spec("AwaitErr", "TRUE", "<>(x = 999 \\/ (x = 700 /\\ 1 \\div 0 = 0))");
        SameAsOneWorker("AwaitErr", tla, Cfg, 255, "The second argument of \\div is 0.");
    }

    [Fact]
    public void AGeneralPropertyGivesTheOneWorkersCounterexample()
    {
        // a formula of no simpler form: the tableau's state predicates evaluated by the workers, the lasso the same
        var tla = Spec("GeneralLasso", "TRUE", "IF x = 0 THEN <>(x = 1001) ELSE <>(x = 1)");
        SameAsOneWorker("GeneralLasso", tla, Cfg, 13, "Error: Temporal property Prop was violated.");
        // a state predicate of the tableau that fails at x = 700: the workers leave it to the product, which meets it in its order
        var err = Spec("GeneralErr", "TRUE", "IF x = 0 THEN <>(x = 1001 \\/ (x = 700 /\\ 1 \\div 0 = 0)) ELSE <>(x = 1)");
        SameAsOneWorker("GeneralErr", err, Cfg, 255, "The second argument of \\div is 0.");
        var ok = Spec("GeneralOk", "TRUE", "IF x = 0 THEN <>(x = 999) ELSE <>(x = 1)");
        SameAsOneWorker("GeneralOk", ok, Cfg, 0, "Model checking completed. No error has been found.");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public void AStatePredicateTheProductNeverAsksForIsNotEvaluatedForIt(int states)
    {
        // from x = 0 the product takes only the THEN branch: PrintT(x) is never evaluated by one worker, so it prints
        // nothing; the workers' evaluation ahead of the product must not print (nor make a token) either: with
        // 1,000 states PrintT needs the serial order (SerialOnly, left to the product), with 10 nothing is done ahead
        var tla = Spec("GeneralPrint", "TRUE", "IF x = 0 THEN <>(x = 1) ELSE <>PrintT(x)", states);
        SameAsOneWorker("GeneralPrint", tla, Cfg, 0, "Model checking completed. No error has been found.");
        Assert.DoesNotContain("\n0\n", Run("GeneralPrint", tla, Cfg, 2).Out);
    }

    private const string InitTla = """
        ---- MODULE InitMany ----
        EXTENDS Naturals
        VARIABLE x
        Init == x \in 0..999
        Next == UNCHANGED x
        Inv == x # 700
        Bad == x # 800 \/ 1 \div 0 = 0
        ====
        """;

    [Fact]
    public void AnInitialStateViolatingAnInvariantIsTheOneWorkersViolation()
    {
        const string cfg = "INIT Init\nNEXT Next\nINVARIANT Inv\n";
        SameAsOneWorker("InitMany", InitTla, cfg, 12, "Error: Invariant Inv is violated.");
        var planted = Run("InitMany", InitTla, cfg, 2, unjudged: true);
        Assert.Equal(0, planted.Exit);
    }

    [Fact]
    public void AnInitialStateWhoseInvariantFailsIsTheOneWorkersError()
    {
        SameAsOneWorker("InitMany", InitTla, "INIT Init\nNEXT Next\nINVARIANT Bad\n", 75, "The second argument of \\div is 0.");
    }

    /// <summary>Init enumerates a set filter over 10,000 records (PerState.Filter with several workers); P is the
    /// filter's predicate, true on every record apart from what it adds.</summary>
    private static string FilterTla(string name, string p) => $$"""
        ---- MODULE {{name}} ----
        EXTENDS Naturals, Sequences, TLC
        VARIABLE r
        P(c) == {{p}}
        Init == r \in {c \in [a : 0..99, b : 0..99] : P(c)}
        Next == UNCHANGED r
        Inv == r.a + r.b # 150
        ====
        """;

    private const string FilterCfg = "INIT Init\nNEXT Next\nINVARIANT Inv\n";

    [Fact]
    public void AnInitFilterThatFailsInTheMiddleIsTheOneWorkersError()
    {
        // 1 \div 0 at record 7,003 (the second range), an assertion at 9,000 (the third, met first by a worker)
        var tla = FilterTla("FilterErr", "(c.a = 70 /\\ c.b = 3 => 1 \\div 0 = 0) /\\ (c.a = 90 /\\ c.b = 0 => Assert(FALSE, \"later\"))");
        const string cfg = "INIT Init\nNEXT Next\n";
        SameAsOneWorker("FilterErr", tla, cfg, 75, "The second argument of \\div is 0.");
        Assert.DoesNotContain("later", Run("FilterErr", tla, cfg, 2).Out);
        // planted: the records from the failing one on are dropped, not filtered again in order (no error)
        Assert.Equal(0, Run("FilterErr", tla, cfg, 2, filterNoRedo: true).Exit);
    }

    [Fact]
    public void AnInitFilterThatMakesANewStringOrPrintsIsFilteredInOrder()
    {
        // a string made (its token needs the serial order) and a line printed at records 7,003 and 9,000 only;
        // the first initial state violating Inv is the one the serial order meets first (a = 51, b = 99)
        var tla = FilterTla("FilterStr", "(c.a = 70 /\\ c.b = 3 => Len(\"ab\" \\o ToString(c.b)) > 0) /\\ (c.a = 90 /\\ c.b = 0 => PrintT(c))");
        SameAsOneWorker("FilterStr", tla, FilterCfg, 12, "Error: Invariant Inv is violated.");
        var one = Run("FilterStr", tla, FilterCfg, 1).Out;
        Assert.Contains("[a |-> 90, b |-> 0]", one);
        Assert.Contains("/\\ r = [a |-> 51, b |-> 99]", one);
        // planted: the records from 7,003 on are dropped (the printed line and the states after it are missing)
        Assert.NotEqual(one, Run("FilterStr", tla, FilterCfg, 2, filterNoRedo: true).Out);
    }

    /// <summary>1,000 initial states x &lt; 1000, each with one step to x + 1000, which then only stutters: the tableau
    /// product's levels have 1,000 nodes and more (ProductLevel expands them on the workers).</summary>
    private static string WideTla(string name, string prop) => $$"""
        ---- MODULE {{name}} ----
        EXTENDS Naturals
        VARIABLE x
        Init == x \in 0..999
        Next == IF x < 1000 THEN x' = x + 1000 ELSE UNCHANGED x
        Spec == Init /\ [][Next]_x /\ WF_x(Next)
        Prop == {{prop}}
        ====
        """;

    [Fact]
    public void AWideTableauProductGivesTheOneWorkersLassoAndError()
    {
        // a counterexample: no state reaches x = 5000
        var lasso = WideTla("WideLasso", "IF x < 1000 THEN <>(x = 5000) ELSE <>(x >= 1000)");
        SameAsOneWorker("WideLasso", lasso, Cfg, 13, "Error: Temporal property Prop was violated.");
        var ok = WideTla("WideOk", "IF x < 1000 THEN <>(x >= 1000) ELSE <>(x >= 1000)");
        SameAsOneWorker("WideOk", ok, Cfg, 0, "Model checking completed. No error has been found.");
        // 1 \div 0 at x = 1700, a successor: the workers leave its predicate to the product, which meets it on node x = 700
        var err = WideTla("WideErr", "IF x < 1000 THEN <>(x >= 1000 /\\ (x = 1700 => 1 \\div 0 = 0)) ELSE <>(x >= 1000)");
        SameAsOneWorker("WideErr", err, Cfg, 255, "The second argument of \\div is 0.");
        // planted: the product's workers take the predicate not evaluated at x = 1700 for false (no error)
        Assert.NotEqual(255, Run("WideErr", err, Cfg, 2, productUnknownFalse: true).Exit);
        // 1 \div 0 at x = 700, a start state: the workers leave it to the start nodes' loop, in its order
        var start = WideTla("WideStartErr", "IF x < 1000 THEN <>(x >= 1000 /\\ (x = 700 => 1 \\div 0 = 0)) /\\ (x # 700 \\/ 1 \\div 0 = 0) ELSE <>(x >= 1000)");
        SameAsOneWorker("WideStartErr", start, Cfg, 255, "The second argument of \\div is 0.");
        Assert.NotEqual(255, Run("WideStartErr", start, Cfg, 2, productUnknownFalse: true).Exit);
    }
}
