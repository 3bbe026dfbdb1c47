using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// With a PROPERTY the search keeps the state graph, and the parallel merge (checker/search/ParallelMerge.cs) tells
/// it the batch's new states and every expanded state's successors from the workers (StateGraph.StateAt, SetSucc;
/// the fingerprint-to-id table GraphIds). The whole output is the serial merge's at 1, 2 and 3 workers. The spec:
/// a torus of Size x Size states walked by IncX and IncY from (0, 0); a level (a diagonal) has up to Size states,
/// two batches of ModelChecker.Batch; a state is reached from two states of its level before, usually one batch
/// (a step to a state found first in the same batch, often as the second new state of the state that found it)
/// and, past the torus's wrap, from a later level than the one that found it (a step to a state with an id
/// from an earlier batch).
/// </summary>
public class StateGraphWorkersTests
{
    private const int Size = 150;

    private static string Spec(string prop) => $"""
        ---- MODULE Torus ----
        EXTENDS Naturals
        VARIABLES x, y
        vars == <<x, y>>
        Init == x = 0 /\ y = 0
        IncX == x' = (x + 1) % {Size} /\ y' = y
        IncY == y' = (y + 1) % {Size} /\ x' = x
        Next == IncX \/ IncY
        Spec == Init /\ [][Next]_vars /\ WF_vars(Next)
        Prop == {prop}
        ====
        """;

    private const string Cfg = "SPECIFICATION Spec\nPROPERTY Prop\n";

    private static (int Exit, CheckResult Result, string Out) Run(string prop, int workers, bool serial = false, bool planted = false)
    {
        var o = new StringWriter();
        var (exit, r, _) = TempSpec.Check("Torus", Spec(prop), Cfg, new CheckOptions { Workers = workers, Out = o, SerialMerge = serial, PlantedGraphStateFirst = planted });
        Assert.NotNull(r);
        return (exit, r!, Stable(o.ToString()));
    }

    /// <summary>The output without the lines that name the number of workers or a time, and without the spec's
    /// temporary folder.</summary>
    private static string Stable(string output) => System.Text.RegularExpressions.Regex.Replace(
        string.Join("\n", output.Split('\n').Where(l =>
            !l.StartsWith("Running breadth-first") && !l.StartsWith("Finished in") && !l.StartsWith("Progress("))),
        @"[^ ]*spec-[0-9a-f]{32}/", "");

    private static string SameAtOneToThreeWorkers(string prop, int exit, string expected)
    {
        var serial = Run(prop, 1, serial: true);
        Assert.Equal(exit, serial.Exit);
        Assert.Contains(expected, serial.Out);
        Assert.Contains($"{Size * Size} distinct states found", serial.Out);
        Assert.Equal(0, serial.Result.ParallelBatches);
        foreach (int workers in new[] { 1, 2, 3 })
        {
            var par = Run(prop, workers);
            Assert.Equal(serial.Exit, par.Exit);
            Assert.Equal(serial.Out, par.Out);
            Assert.True(par.Result.ParallelBatches > 0, $"{workers} workers: no batch was merged in parallel");
        }
        return serial.Out;
    }

    [Fact]
    public void ALassoFoundInAGraphTheWorkersBuiltIsTheSerialMergesLasso()
    {
        // x stays at 1 while y goes round: x = 0 only finitely often
        const string prop = "[]<>(x = 0)";
        var expected = SameAtOneToThreeWorkers(prop, 13, "Error: Temporal property Prop was violated.");
        Assert.Contains("Back to state", expected);
        // planted: the steps to a state found in the same batch as the second new state of its finder go to the first
        var planted = Run(prop, 2, planted: true);
        Assert.NotEqual(expected, planted.Out);
    }

    [Fact]
    public void APropertyThatHoldsInAGraphTheWorkersBuiltHoldsAtAnyWorkers()
    {
        // every step moves x or y on: one of them comes back to 0 again and again
        SameAtOneToThreeWorkers("[]<>(x = 0) \\/ []<>(y = 0)", 0, "Model checking completed. No error has been found.");
    }
}
