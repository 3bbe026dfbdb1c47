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
        "Error: The second argument of + should be an integer, but instead it is: function <<1>>\n",
        "M.tla:7:18: The second argument of + should be an integer, but instead it is: function <<1>>")]
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
