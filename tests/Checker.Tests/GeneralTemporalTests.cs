using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Temporal properties outside the pattern forms (corpus/GenTemporal.tla): checked through the tableau of
/// their negation in the product with the state graph. Verdicts and counts are TLC's (corpus/manifest.json,
/// asserted by CorpusTests.MatchesTlc); here: the lassos themselves, and the formulas TLC refuses.
/// Planted bugs in the general path, each killed by these tests and MatchesTlc(Gen*) (checked by hand,
/// 2026-11-24): acceptance sets ignored (GenTemporal*, GenValid, five lassos); no stuttering steps in the
/// product (GenStopBad); a component without a step accepted (GenTemporal, GenStopBad); fairness ignored
/// in the product (GenTemporal*, GenIfBad); [] applied to the first state only (GenTemporal*, GenStopBad,
/// GenValid); IF ignoring its condition (GenTemporal*).
/// </summary>
public class GeneralTemporalTests
{
    private static string Lasso(CheckResult r) =>
        string.Join(" ", r.Trace!.Select(s => $"{Show.V(s.State[0])}{Show.V(s.State[1])}")) +
        (r.Stuttering ? " stutter" : $" back{r.LassoStart}");

    [Theory]
    // IF y = 0 THEN <>(x = 3 /\ y = 1) ELSE <>(x = 3): y = 0 kept by every Reset, x = 3 never with y = 1
    [InlineData("GenIfBad", "00 10 20 30 back1")]
    // [](y = 0) => <>(x = 0 /\ y = 1): y stays 0
    [InlineData("GenImplBad", "00 10 20 30 back1")]
    // <>[](x = 3) \/ []<>(y = 1) under WF_vars(Next): the counter cycles with y = 0
    [InlineData("GenOrBad", "00 10 20 30 back1")]
    // <>[][Up]_vars \/ [](y = 1): Reset steps for ever, y = 0
    [InlineData("GenActBad", "00 10 20 30 back1")]
    // [](x = 3 => (<>[](x = 3) \/ [](y = 1))): from x = 3 (y = 0) the counter cycles on with y = 0
    [InlineData("GenBoxImplBad", "00 10 20 30 back1")]
    // <>[](x = 3) => [](y = 0): only a behavior that stops at x = 3 (with y = 1) violates it
    [InlineData("GenStopBad", "01 11 21 31 stutter")]
    public void LassoViolatesTheProperty(string name, string lasso)
    {
        var (exit, r, o, _) = CorpusTests.Run(name, 1);
        Assert.Equal(13, exit);
        Assert.Equal(lasso, Lasso(r!));
        Assert.Contains($"Error: Temporal property {CorpusTests.Manifest()[name].Model.Violated} was violated.", o);
    }

    /// <summary>
    /// (~(&lt;&gt;[](x = 0) ~&gt; &lt;&gt;[](x = 1))) ~&gt; [](x = 0) is valid: its premise is &lt;&gt;(&lt;&gt;[](x = 0) /\ ...), which
    /// implies the conclusion. TLC (cc6b616cf) reports "Temporal properties were violated" with the lasso
    /// x = 0, 1, 2, 3, 0 back to state 2, on which the premise never holds: a false alarm we do not copy.
    /// </summary>
    [Fact]
    public void ValidNestedLeadsToHolds()
    {
        var o = new StringWriter();
        int exit = ModelRun.CheckOne(Path.Combine(CorpusTests.CorpusDir, "GenTemporal.tla"), Path.Combine(CorpusTests.CorpusDir, "GenValid.cfg"),
            new CheckOptions { Workers = 1, Out = o }, TextWriter.Null, out var r);
        Assert.Equal(0, exit);
        Assert.Equal(Outcome.Success, r!.Outcome);
        Assert.Equal(8, r.Distinct);
        Assert.Contains("Model checking completed. No error has been found.", o.ToString());
    }

    [Theory]
    // TLC: "TLC cannot handle the temporal formula line 33, col 12 to line 33, col 35 of module GenTemporal"
    [InlineData("GenRefused", "GenTemporal.tla:33:12: TLC cannot handle the temporal formula in Refused: the set of v is not constant (The variable x has no value)")]
    // TLC: "TLC cannot handle the temporal formula line 34, col 17 to line 34, col 41 of module GenTemporal"
    [InlineData("GenRefusedEquiv", "GenTemporal.tla:34:17: TLC cannot handle the temporal formula in RefusedEquiv: a <=> of temporal formulas is not supported")]
    // TLC: "TLC cannot handle the temporal formula line 41, col 15 to line 41, col 38 of module GenTemporal"
    // (a \A over a temporal formula, expanded by the pattern path: it crashed evaluating {x} without a state)
    [InlineData("GenRefusedAll", "GenTemporal.tla:41:15: TLC cannot handle the temporal formula in RefusedAll: the set of v is not constant (The variable x has no value)")]
    public void FormulasTlcRefusesAreOneLineErrors(string cfg, string error)
    {
        var err = new StringWriter();
        int exit = ModelRun.CheckOne(Path.Combine(CorpusTests.CorpusDir, "GenTemporal.tla"), Path.Combine(CorpusTests.CorpusDir, cfg + ".cfg"),
            new CheckOptions { Workers = 1, Out = TextWriter.Null }, err, out _);
        Assert.Equal(ExitCodes.EvalFailure, exit);
        var text = err.ToString().Replace("\r", "");
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Equal(error, Path.GetFileName(text.TrimEnd('\n')));
    }
}
