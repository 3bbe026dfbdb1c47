using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// A failed Assert is one line with the position of the Assert application (issue 11: it had none), as TLC's
/// innermost "nested expression" position. TLC 2026.11.24 on the same specs (-workers 1): 3 states generated,
/// 3 distinct, a 3-state trace, the message "The first argument of Assert evaluated to FALSE; the second
/// argument was:\n"x reached two"", and for the Assert in Next "0. Line 5, column 9 to line 5, column 52 ...
/// 2. Line 5, column 23 to line 5, column 52 in As2". (TLC exits with 14, VIOLATION_ASSERT, for the Assert in
/// Next, with 76, FAILURE_SAFETY_EVAL, for the one in an invariant and with 10 for the one in an ASSUME, which it
/// reports as "Evaluating assumption line 6, col 8 to line 6, col 37 of module As3 failed."; this checker exits
/// 76 and 10 as TLC for those two (EvalErrorExitTests), and 14 for the one in Next: it exited 75 there until
/// session 8.) Before the fix the line had no position.
/// </summary>
public class AssertTests
{
    private static (int Exit, CheckResult? Result, string Err) Check(string name, string defs, string cfg) =>
        TempSpec.Check(name, $"---- MODULE {name} ----\nEXTENDS Naturals, TLC\nVARIABLE x\nInit == x = 0\n{defs}\n====\n", cfg);

    private const string Message = "The first argument of Assert evaluated to FALSE; the second argument was: \"x reached two\"";

    [Theory]
    [InlineData("As", "Next == x < 2 /\\ x' = x + 1\nInv == Assert(x < 2, \"x reached two\")", "INIT Init\nNEXT Next\nINVARIANT Inv\n", "As.tla:6:8: Evaluating invariant Inv failed.", 76)]
    [InlineData("As2", "Next == x' = x + 1 /\\ Assert(x < 2, \"x reached two\")", "INIT Init\nNEXT Next\n", "As2.tla:5:23:", 14)]
    public void AFailedAssertIsOneLineAtTheAssert(string name, string defs, string cfg, string where, int code)
    {
        var (exit, r, err) = Check(name, defs, cfg);
        Assert.Equal(code, exit);
        Assert.Equal($"{where} {Message}\n", err);
        Assert.Equal(3, r!.Generated);
        Assert.Equal(3, r.Distinct);
        Assert.Equal(3, r.Trace!.Count);
    }

    [Fact]
    public void AFailedAssertInAnAssumptionHasItsPosition()
    {
        var (exit, _, err) = Check("As3", "Next == x' = x\nASSUME Assert(1 > 2, \"x reached two\")", "INIT Init\nNEXT Next\n");
        Assert.Equal(10, exit);
        Assert.Equal($"As3.tla:6:8: Evaluating assumption line 6, col 8 to line 6, col 37 of module As3 failed. {Message}\n", err);
    }
}
