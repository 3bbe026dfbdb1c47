using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Evaluation never overflows the process's stack (issue 11): an unbounded recursion in Init, Next, an action or
/// an invariant is an evaluation error at the recursive call (one line FILE:LINE:COL, exit 75; TLC reports its
/// StackOverflowError as an error too), with one worker and with the parallel search's workers; deeply nested
/// expressions are evaluated. Before the fix every Rec* spec below killed the process (.NET "Stack overflow.",
/// SIGABRT, exit 134; a segmentation fault on a thread-pool worker): a catch-and-rethrow at every level of the
/// recursion overflowed even where the old guard fired, and the thread-pool workers had 1.5 MB stacks.
/// </summary>
public class DeepEvaluationTests
{
    private const string Overflow = "the recursion is too deep (as TLC's StackOverflowError: probably a recursive definition that never reaches its base case)";

    private static (int Exit, CheckResult? Result, string Err) Check(string name, string body, string cfg, int workers) =>
        TempSpec.Check(name, $"---- MODULE {name} ----\nEXTENDS Naturals\nVARIABLE x\n{body}\n====\n", cfg, workers);

    private const string InitNext = "INIT Init\nNEXT Next\n";

    [Theory]
    [InlineData("RecInv", "RECURSIVE F(_)\nF(n) == F(n + 1)\nInit == x = 0\nNext == x' = x\nInv == F(x) > 0", InitNext + "INVARIANT Inv\n", "RecInv.tla:5:9: Stack overflow while evaluating F", 1)]
    [InlineData("RecInv", "RECURSIVE F(_)\nF(n) == F(n + 1)\nInit == x = 0\nNext == x' = x\nInv == F(x) > 0", InitNext + "INVARIANT Inv\n", "RecInv.tla:5:9: Stack overflow while evaluating F", 2)]
    [InlineData("RecInit", "RECURSIVE F(_)\nF(n) == F(n + 1)\nInit == x = F(0)\nNext == x' = x", InitNext, "RecInit.tla:5:9: Stack overflow while evaluating F", 1)]
    [InlineData("RecNext", "RECURSIVE F(_)\nF(n) == F(n + 1)\nInit == x = 0\nNext == x' = F(x)", InitNext, "RecNext.tla:5:9: Stack overflow while evaluating F", 2)]
    [InlineData("RecAct", "RECURSIVE A(_)\nA(n) == A(n + 1)\nInit == x = 0\nNext == A(x)", InitNext, "RecAct.tla:5:9: Stack overflow while evaluating A", 2)]
    [InlineData("RecFcn", "f[n \\in Nat] == f[n + 1]\nInit == x = 0\nNext == x' = f[x]", InitNext, "RecFcn.tla:4:17: Stack overflow while evaluating f", 2)]
    [InlineData("RecLet", "Init == x = 0\nNext == LET RECURSIVE G(_)\n            G(n) == G(n + 1) IN x' = G(x)", InitNext, "RecLet.tla:6:21: Stack overflow while evaluating G", 1)]
    public void UnboundedRecursionIsAnEvaluationErrorAtTheCall(string name, string body, string cfg, string error, int workers)
    {
        var (exit, r, err) = Check(name, body, cfg, workers);
        Assert.Equal(75, exit);
        Assert.Equal(Outcome.Error, r!.Outcome);
        Assert.Equal(error + ": " + Overflow + "\n", err);
    }

    public static IEnumerable<object[]> DeepExpressions()
    {
        var sum = string.Join(" + ", Enumerable.Repeat("1", 5000));
        var conj = string.Join(" /\\ ", Enumerable.Repeat("TRUE", 3000));
        var nest = new string('{', 3000) + "1" + new string('}', 3000);
        yield return ["Sum", $"Init == x = {sum}\nNext == x' = x", InitNext];
        yield return ["Conj", $"Init == x = 0\nNext == x' = x\nInv == {conj}", InitNext + "INVARIANT Inv\n"];
        yield return ["Nest", $"Init == x = 0\nNext == x' = x\nInv == {nest} # {{}}", InitNext + "INVARIANT Inv\n"];
        // a deep recursion that ends: 20,001 nested applications (TLC -Xss64m evaluates it too)
        yield return ["Deep", "RECURSIVE F(_)\nF(n) == IF n = 0 THEN 0 ELSE 1 + F(n - 1)\nInit == x = F(20000)\nNext == x' = x", InitNext];
    }

    [Theory]
    [MemberData(nameof(DeepExpressions))]
    public void DeeplyNestedExpressionsAreEvaluated(string name, string body, string cfg)
    {
        foreach (int workers in new[] { 1, 2 })
        {
            var (exit, r, err) = Check(name, body, cfg, workers);
            Assert.True(exit == 0, err);
            // as TLC: one initial state, its stuttering successor
            Assert.Equal(2, r!.Generated);
            Assert.Equal(1, r.Distinct);
        }
    }

    [Fact]
    public void TheDepthLimitIsACountNotTheStacksRoom()
    {
        // the limit falls at the same application whatever the JIT's frame sizes: F(n) opens n + 2 levels
        // (Init's x = F(n) + the n + 1 calls); the invariant-free spec passes below the limit and fails above it
        int ok = DeepStack.MaxDepth - 2, bad = DeepStack.MaxDepth - 1;
        string Spec(int n) => $"RECURSIVE F(_)\nF(n) == IF n = 0 THEN 0 ELSE F(n - 1)\nInit == x = F({n})\nNext == x' = x";
        Assert.Equal(0, Check("Limit", Spec(ok), InitNext, 1).Exit);
        var (exit, _, err) = Check("Limit", Spec(bad), InitNext, 1);
        Assert.Equal(75, exit);
        Assert.StartsWith("Limit.tla:5:30: Stack overflow while evaluating F", err);
    }
}
