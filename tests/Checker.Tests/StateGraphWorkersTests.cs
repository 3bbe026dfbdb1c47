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
/// from an earlier batch). The planted bug PlantedGraphStateFirst (a step to the second new state of its finder
/// goes to the first) changes the lasso.
/// </summary>
public class StateGraphWorkersTests
{
    private const int Size = 150;

    private static string Spec(string fair, string prop) => $"""
        ---- MODULE Torus ----
        EXTENDS Naturals
        VARIABLES x, y
        vars == <<x, y>>
        Init == x = 0 /\ y = 0
        IncX == x' = (x + 1) % {Size} /\ y' = y
        IncY == y' = (y + 1) % {Size} /\ x' = x
        Next == IncX \/ IncY
        Spec == Init /\ [][Next]_vars /\ WF_vars({fair})
        Prop == {prop}
        ====
        """;

    private const string Cfg = "SPECIFICATION Spec\nPROPERTY Prop\n";

    private static (int Exit, CheckResult Result, string Out) Run(string fair, string prop, int workers, bool serial = false, bool planted = false)
    {
        var o = new StringWriter();
        var (exit, r, _) = TempSpec.Check("Torus", Spec(fair, prop), Cfg, new CheckOptions { Workers = workers, Out = o, SerialMerge = serial, PlantedGraphStateFirst = planted });
        Assert.NotNull(r);
        return (exit, r!, Stable(o.ToString()));
    }

    /// <summary>The output without the lines that name the number of workers or a time, and without the spec's
    /// temporary folder.</summary>
    private static string Stable(string output) => System.Text.RegularExpressions.Regex.Replace(
        string.Join("\n", output.Split('\n').Where(l =>
            !l.StartsWith("Running breadth-first") && !l.StartsWith("Finished in") && !l.StartsWith("Progress("))),
        @"[^ ]*spec-[0-9a-f]{32}/", "");

    private static string SameAtOneToThreeWorkers(string fair, string prop, int exit, string expected)
    {
        var serial = Run(fair, prop, 1, serial: true);
        Assert.Equal(exit, serial.Exit);
        Assert.Contains(expected, serial.Out);
        Assert.Contains($"{Size * Size} distinct states found", serial.Out);
        Assert.Equal(0, serial.Result.ParallelBatches);
        foreach (int workers in new[] { 1, 2, 3 })
        {
            var par = Run(fair, prop, workers);
            Assert.Equal(serial.Exit, par.Exit);
            Assert.Equal(serial.Out, par.Out);
            Assert.True(par.Result.ParallelBatches > 0, $"{workers} workers: no batch was merged in parallel");
        }
        return serial.Out;
    }

    [Fact]
    public void TheWholeOutputIsTheSerialMergesWhateverTheWorkers()
    {
        // a lasso: x stays at 1 while y goes round, so x = 0 only finitely often
        const string violated = "[]<>(x = 0)";
        var expected = SameAtOneToThreeWorkers("Next", violated, 13, "Error: Temporal property Prop was violated.");
        Assert.Contains("Back to state", expected);
        // no violation: IncX is taken, the first time from x = 0
        SameAtOneToThreeWorkers("IncX", "<>(x = 1)", 0, "Model checking completed. No error has been found.");
        // planted: a step to a state found first in the same batch as the second new state of its finder goes to the
        // first: the graph has other steps, and the lasso is another
        var planted = Run("Next", violated, 2, planted: true);
        Assert.NotEqual(expected, planted.Out);
    }
}
