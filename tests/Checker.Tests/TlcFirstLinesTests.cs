using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The first two lines of an evaluation error are TLC's (the lines from its first "Error:"), for the corpus models
/// whose exit code and counts corpus/manifest.json records; TLC 2026.11.24 -workers 1 printed exactly these
/// (2026-12-06). Before session 8 every one of these exited 75 but ConcatNotString, and the lines differed: the
/// Assert in a constraint stopped at its parent with 2 states generated, SubSeq named its second argument for the
/// third, Cardinality said "the cardinality of the infinite set Nat", %, &lt; and ^ gave the value's kind on the same
/// line, an action property's error had no "Evaluating action property AP failed." and its trace stopped before
/// the step. The errors TLC reports as "TLC threw an unexpected exception." (CHOOSE with no element, a comparison
/// of incomparable values, TLCGet(42), exit 75 in both) keep this checker's message on their first line.
/// </summary>
public class TlcFirstLinesTests
{
    [Theory]
    [InlineData("AssertInNext", "Error: The first argument of Assert evaluated to FALSE; the second argument was:\n\"x reached two\"\n")]
    [InlineData("AssertInConstraint", "Error: The first argument of Assert evaluated to FALSE; the second argument was:\n\"x reached two\"\n")]
    [InlineData("ConcatNotString", "Error: Evaluating an expression of the form t \\o s when s is not a string:\n1\n")]
    [InlineData("CardinalityInfinite", "Error: Attempted to compute cardinality of the value\nNat\n")]
    [InlineData("DivByZero", "Error: The second argument of \\div is 0.\nError: The behavior up to this point is:\n")]
    [InlineData("LessNotInt", "Error: The second argument of < should be an integer, but instead it is:\n\"a\"\n")]
    [InlineData("SubSeqDomain", "Error: The third argument of SubSeq must be in the domain of its first argument:\n<<1, 2>>\n")]
    [InlineData("ActionPropEvalError", "Error: Evaluating action property AP failed.\nThe second argument of \\div is 0.\n")]
    [InlineData("InitPropEvalError", "Error: The second argument of \\div is 0.\n")]
    public void FirstErrorLinesAreTlcs(string name, string lines)
    {
        var (_, _, output, _) = CorpusTests.Run(name, 1);
        var o = output.Replace("\r", "");
        int first = o.IndexOf("Error: ", StringComparison.Ordinal);
        Assert.True(first >= 0, o);
        Assert.StartsWith(lines, o[first..]);
    }

    /// <summary>A postcondition that fails to evaluate: TLC's line, then the error on the next lines (exit 10; before,
    /// the error followed on the same line).</summary>
    [Fact]
    public void APostconditionsErrorFollowsTlcsLine()
    {
        var o = new StringWriter();
        var (code, r, err) = TempSpec.Check("M", "---- MODULE M ----\nEXTENDS Naturals, TLC\nVARIABLE x\nInit == x = 0\nNext == x' = (x + 1) % 3\nSpec == Init /\\ [][Next]_x\n" +
            "Post == Assert(FALSE, \"boom\")\n====\n", "SPECIFICATION Spec\nPOSTCONDITION Post\n", output: o);
        Assert.Equal(10, code);
        Assert.Contains("\nError: Evaluating postcondition Post at line 7, col 9 to line 7, col 29 of module M failed.\n" +
            "The first argument of Assert evaluated to FALSE; the second argument was:\n\"boom\"\n", o.ToString().Replace("\r", ""));
        Assert.Equal("Evaluating postcondition Post at line 7, col 9 to line 7, col 29 of module M failed. The first argument of Assert evaluated to FALSE; the second argument was: \"boom\"", r!.Message);
        Assert.Equal("", err);
    }

    /// <summary>The step's new state ends the trace of an action property's (and a constraint's) evaluation error, as
    /// TLC's (4 and 3 states there; before: 3 and 2, the trace stopped at the step's first state).</summary>
    [Theory]
    [InlineData("ActionPropEvalError", 4, "3")]
    [InlineData("AssertInConstraint", 3, "2")]
    public void TheTraceEndsInTheStepsNewState(string name, int states, string last)
    {
        var (_, r, _, _) = CorpusTests.Run(name, 1);
        Assert.Equal(states, r!.Trace!.Count);
        Assert.Equal(last, Show.V(r.Trace[^1].State[0]));
    }
}
