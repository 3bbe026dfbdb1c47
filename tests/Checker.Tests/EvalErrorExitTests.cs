using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// An evaluation error exits with TLC's code and starts with TLC's first error line(s), by where it happens
/// (tlc2.output.EC.ExitStatus.errorConstantToExitStatus): an invariant on a non-initial state, 76 ("Evaluating
/// invariant Inv failed."; a PROPERTY []P with P a state predicate is one); an ASSUME, 10 ("Evaluating assumption
/// line .. failed."); Len, Head or Tail of a non-sequence or Head or Tail of &lt;&lt;&gt;&gt; in the next-state relation, 255
/// (EC.TLC_MODULE_ONE_ARGUMENT_ERROR, TLC_MODULE_APPLY_EMPTY_SEQ, without the value's kind); a temporal PROPERTY's
/// predicate, 255 (TLC: "an unexpected exception"; on an initial state TLC prints the error yet exits 0, which this
/// checker does not copy: a silent pass). Exits and lines as TLC 2026.11.24 printed them for these specs
/// (-workers 1, 2026-12-05); before, every row exited 75 (Head/Tail/Len with "instead it is: integer 3").
/// </summary>
public class EvalErrorExitTests
{
    private const string Seq = "Init == x = 0\nNext == x < 2 /\\ x' = x + 1\n";
    private const string Loop = "Init == x = 0\nNext == x' = (x + 1) % 3\nSpec == Init /\\ [][Next]_x\n";

    [Theory]
    [InlineData(Seq + "Inv == x = 0 \\/ x + <<1>> > 0", "INIT Init\nNEXT Next\nINVARIANT Inv\n", 76,
        "Error: Evaluating invariant Inv failed.\nThe second argument of + should be an integer, but instead it is: function <<1>>\n",
        "M.tla:6:17: Evaluating invariant Inv failed. The second argument of + should be an integer, but instead it is: function <<1>>")]
    [InlineData(Seq + "Inv == x = 0 \\/ Head(<<>>) > 0", "INIT Init\nNEXT Next\nINVARIANT Inv\n", 76,
        "Error: Evaluating invariant Inv failed.\nAttempted to apply Head to the empty sequence.\n",
        "M.tla:6:17: Evaluating invariant Inv failed. Attempted to apply Head to the empty sequence.")]
    [InlineData(Seq + "Spec == Init /\\ [][Next]_x\nP == [](x = 0 \\/ Head(<<>>) > 0)", "SPECIFICATION Spec\nPROPERTY P\n", 76,
        "Error: Evaluating invariant P failed.\nAttempted to apply Head to the empty sequence.\n",
        "M.tla:7:18: Evaluating invariant P failed. Attempted to apply Head to the empty sequence.")]
    [InlineData("ASSUME 1 + <<1>> > 0\n" + Seq, "INIT Init\nNEXT Next\n", 10,
        "Error: Evaluating assumption line 4, col 8 to line 4, col 20 of module M failed.\nThe second argument of + should be an integer, but instead it is: function <<1>>\n",
        "M.tla:4:8: Evaluating assumption line 4, col 8 to line 4, col 20 of module M failed. The second argument of + should be an integer, but instead it is: function <<1>>")]
    [InlineData("ASSUME Head(<<>>) > 0\n" + Seq, "INIT Init\nNEXT Next\n", 10,
        "Error: Evaluating assumption line 4, col 8 to line 4, col 21 of module M failed.\nAttempted to apply Head to the empty sequence.\n",
        "M.tla:4:8: Evaluating assumption line 4, col 8 to line 4, col 21 of module M failed. Attempted to apply Head to the empty sequence.")]
    [InlineData("Init == x = 0\nNext == x < 2 /\\ x' = Head(3) + x", "INIT Init\nNEXT Next\n", 255,
        "Error: The argument of Head should be a sequence, but instead it is:\n3\nError: The behavior up to this point is:\n",
        "M.tla:5:23: The argument of Head should be a sequence, but instead it is: 3")]
    [InlineData("Init == x = 0\nNext == x < 2 /\\ x' = Head(<<>>) + x", "INIT Init\nNEXT Next\n", 255,
        "Error: Attempted to apply Head to the empty sequence.\nError: The behavior up to this point is:\n",
        "M.tla:5:23: Attempted to apply Head to the empty sequence.")]
    [InlineData("Init == x = 0\nNext == x < 2 /\\ x' = Len(Tail(3)) + x", "INIT Init\nNEXT Next\n", 255,
        "Error: The argument of Tail should be a sequence, but instead it is:\n3\nError: The behavior up to this point is:\n",
        "M.tla:5:27: The argument of Tail should be a sequence, but instead it is: 3")]
    [InlineData("Init == x = 0\nNext == x < 2 /\\ x' = Len(Tail(<<>>)) + x", "INIT Init\nNEXT Next\n", 255,
        "Error: Attempted to apply Tail to the empty sequence.\nError: The behavior up to this point is:\n",
        "M.tla:5:27: Attempted to apply Tail to the empty sequence.")]
    [InlineData("Init == x = 0\nNext == x < 2 /\\ x' = Len(3) + x", "INIT Init\nNEXT Next\n", 255,
        "Error: The argument of Len should be a sequence, but instead it is:\n3\nError: The behavior up to this point is:\n",
        "M.tla:5:23: The argument of Len should be a sequence, but instead it is: 3")]
    [InlineData(Loop + "P == <>(x # 0 /\\ x + <<1>> > 0)", "SPECIFICATION Spec\nPROPERTY P\n", 255,
        "Error: The error occurred when TLC was evaluating the nested\nexpressions at the following positions:\n",
        "M.tla:7:18: The second argument of + should be an integer, but instead it is: function <<1>>")]
    // session 8 (TLC 2026.11.24, 2026-12-06): a temporal property's predicate failing on a state after the initial
    // ones starts with TLC's "The error occurred when TLC was evaluating the nested" (before: the bare error), a failed
    // Assert there exits 14 as TLC (before: 255); on an initial state TLC prints the error and "While working on the
    // initial state:" (and exits 0, which this checker does not copy)
    [InlineData(Loop + "P == <>(x = 1 /\\ Head(<<>>) = 1)", "SPECIFICATION Spec\nPROPERTY P\n", 255,
        "Error: The error occurred when TLC was evaluating the nested\nexpressions at the following positions:\n0. Line 7, column 18",
        "M.tla:7:18: Attempted to apply Head to the empty sequence.")]
    [InlineData(Loop + "P == <>(x < \"a\")", "SPECIFICATION Spec\nPROPERTY P\n", 255,
        "Error: The second argument of < should be an integer, but instead it is:\n\"a\"\nWhile working on the initial state:\n",
        "M.tla:7:8: The second argument of < should be an integer, but instead it is: \"a\"")]
    // a PROPERTY that is a state predicate is checked on the initial states (TLC: impliedInits) and its error is
    // one of Init's, exit 75 (before: the liveness checker's, 255, after the whole search)
    [InlineData(Loop + "IP == x \\div x = 1", "SPECIFICATION Spec\nPROPERTY IP\n", 75,
        "Error: The second argument of \\div is 0.\n",
        "M.tla:7:7: The second argument of \\div is 0.")]
    public void AnEvaluationErrorExitsAsTlc(string defs, string cfg, int exit, string firstLines, string stderr)
    {
        var o = new StringWriter();
        var (code, r, err) = TempSpec.Check("M", $"---- MODULE M ----\nEXTENDS Sequences, Naturals\nVARIABLE x\n{defs}\n====\n", cfg, output: o);
        Assert.Equal(exit, code);
        Assert.Equal(exit, r!.ExitCode);
        var lines = o.ToString().Replace("\r", "");
        int first = lines.IndexOf("Error: ", StringComparison.Ordinal);
        Assert.True(first >= 0, lines);
        Assert.StartsWith(firstLines, lines[first..]);
        Assert.Equal(stderr + "\n", err.Replace("\r", ""));
    }

    /// <summary>A failed Assert in a temporal property's predicate exits 14 as TLC (before: 255), after TLC's nested
    /// expressions line; the trace goes to the state it failed on (x = 1: 2 states).</summary>
    [Fact]
    public void AFailedAssertInATemporalPropertyExits14()
    {
        var o = new StringWriter();
        var (code, r, err) = TempSpec.Check("M", $"---- MODULE M ----\nEXTENDS Naturals, TLC\nVARIABLE x\n{Loop}P == <>(x = 1 /\\ Assert(x = 0, \"boom\"))\n====\n",
            "SPECIFICATION Spec\nPROPERTY P\n", output: o);
        Assert.Equal(14, code);
        Assert.Equal(Outcome.AssertFailed, r!.Outcome);
        Assert.Equal(2, r.Trace!.Count);
        Assert.Equal("M.tla:7:18: The first argument of Assert evaluated to FALSE; the second argument was: \"boom\"\n", err.Replace("\r", ""));
        var lines = o.ToString().Replace("\r", "");
        Assert.Contains("Error: The error occurred when TLC was evaluating the nested\nexpressions at the following positions:\n", lines);
        Assert.Contains("\n\n\nError: The first argument of Assert evaluated to FALSE; the second argument was:\n\"boom\"\nError: The behavior up to this point is:\n", lines);
    }

    /// <summary>A PROPERTY that is a state predicate false in an initial state: TLC's "Property IP is violated by the
    /// initial state:" and the state, exit 13, nothing searched (before: the liveness checker's lasso after the whole
    /// search, "Temporal property IP was violated.", 3 distinct states).</summary>
    [Fact]
    public void AStatePropertyFalseInAnInitialStateIsTlcsInitialViolation()
    {
        var o = new StringWriter();
        var (code, r, _) = TempSpec.Check("M", $"---- MODULE M ----\nEXTENDS Sequences, Naturals\nVARIABLE x\n{Loop}IP == x = 1\n====\n",
            "SPECIFICATION Spec\nPROPERTY IP\n", output: o);
        Assert.Equal(13, code);
        Assert.Equal("IP", r!.Violated);
        Assert.Equal(1, r.Distinct);
        var lines = o.ToString().Replace("\r", "");
        Assert.Contains("\nError: Property IP is violated by the initial state:\n/\\ x = 0\n\n", lines);
    }

    /// <summary>On an initial state an invariant's evaluation error is TLC's bare error with exit 75 (as before).</summary>
    [Fact]
    public void AnInvariantFailingToEvaluateOnAnInitialStateExits75()
    {
        var (code, r, err) = TempSpec.Check("M", "---- MODULE M ----\nEXTENDS Sequences, Naturals\nVARIABLE x\nInit == x = 0\nNext == x' = x\nInv == x + <<1>> > 0\n====\n",
            "INIT Init\nNEXT Next\nINVARIANT Inv\n");
        Assert.Equal(75, code);
        Assert.Equal(Outcome.Error, r!.Outcome);
        Assert.Equal("M.tla:6:8: The second argument of + should be an integer, but instead it is: function <<1>>\n", err.Replace("\r", ""));
    }
}
