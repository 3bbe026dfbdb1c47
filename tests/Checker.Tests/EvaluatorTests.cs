using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Evaluator semantics against TLC's, for the tricky cases. Expected strings are what TLC 2026.11.24
/// printed for the same expressions (PrintT), unless noted.
/// </summary>
public class EvaluatorTests
{
    /// <summary>Evaluates expr in a module with constants p1, p2, p3 as model values (declared in that order).</summary>
    private static string Eval(string expr, string extends = "Integers, Sequences, FiniteSets, TLC, Bags")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ev-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), $"---- MODULE E ----\nEXTENDS {extends}\nCONSTANTS p1, p2, p3\nVARIABLE v\nInit == v = 0\nNext == v' = v\nX == {expr}\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "CONSTANTS p1 = p1  p2 = p2  p3 = p3\nINIT Init\nNEXT Next\n");
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), null);
            var def = ((DefSym)spec.Root.Top.Find("X")!).D;
            return Show.V(def.Body!.Eval(new Ctx(spec) { Cur = [IntV.Of(0)] }, null));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string Error(string expr)
    {
        var err = Assert.Throws<EvalError>(() => Eval(expr));
        return err.Message;
    }

    [Theory]
    // function, record and tuple equality: TLA+ does not distinguish them
    [InlineData("[i \\in {} |-> 0] = <<>>", "TRUE")]
    [InlineData("<<1, 2>> = [i \\in 1..2 |-> i]", "TRUE")]
    [InlineData("[a |-> 1, b |-> 2] = [b |-> 2, a |-> 1]", "TRUE")]
    [InlineData("[a |-> 1] = [a |-> 1, b |-> 2]", "FALSE")]
    [InlineData("(1 :> \"a\" @@ 2 :> \"b\")", "<<\"a\", \"b\">>")]
    [InlineData("(2 :> \"a\" @@ 3 :> \"b\")", "(2 :> \"a\" @@ 3 :> \"b\")")]
    // sequences are functions
    [InlineData("[<<5, 6>> EXCEPT ![1] = 9]", "<<9, 6>>")]
    [InlineData("DOMAIN <<\"x\", \"y\">>", "1..2")]
    [InlineData("<<1, 2>> \\o <<3>>", "<<1, 2, 3>>")]
    [InlineData("[i \\in 1..3 |-> i * i][2]", "4")]
    [InlineData("SubSeq(<<1, 2, 3>>, 2, 1)", "<<>>")]
    // set ordering: printing and CHOOSE follow TLC's normalized order
    [InlineData("{3, 1, 2}", "{1, 2, 3}")]
    [InlineData("{<<2>>, <<1, 1>>, <<>>}", "{<<>>, <<2>>, <<1, 1>>}")]
    [InlineData("{{2}, {1, 3}, {}}", "{{}, {2}, {1, 3}}")]
    [InlineData("CHOOSE s \\in SUBSET {1, 2} : Cardinality(s) = 1", "{1}")]
    [InlineData("CHOOSE x \\in {3, 1, 2} : x > 1", "2")]
    [InlineData("SUBSET {1, 2}", "{{}, {1}, {2}, {1, 2}}")]
    [InlineData("{1, 2} \\X {3}", "{<<1, 3>>, <<2, 3>>}")]
    [InlineData("[{1, 2} -> {0}]", "{<<0, 0>>}")]
    [InlineData("Permutations({1, 2})", "{<<1, 2>>, <<2, 1>>}")]
    [InlineData("{[a |-> 1], [a |-> 0, b |-> 1]}", "{[a |-> 1], [a |-> 0, b |-> 1]}")]
    [InlineData("1..3", "1..3")]
    [InlineData("{1, 2} \\cup 3..4", "{1, 2, 3, 4}")]
    // strings: TLC orders them by first appearance (UniqueString tokens), not alphabetically
    [InlineData("CHOOSE x \\in {\"zeta\", \"alpha\"} : TRUE", "\"zeta\"")]
    [InlineData("{\"zeta\", \"alpha\", \"mid\"}", "{\"zeta\", \"alpha\", \"mid\"}")]
    [InlineData("[zeta |-> 1, alpha |-> 2]", "[zeta |-> 1, alpha |-> 2]")]
    [InlineData("\"abc\" = \"abc\"", "TRUE")]
    [InlineData("ToString(<<\"a\", 1>>)", "\"<<\\\"a\\\", 1>>\"")]
    // integer division and modulus round towards minus infinity
    [InlineData("<<(-7) \\div 2, (-7) % 2, 7 \\div (-2), 7 % 3, (-1) % 5>>", "<<-4, 1, -4, 1, 4>>")]
    [InlineData("2^10", "1024")]
    // model values: equal only to themselves, ordered as declared
    [InlineData("{p3, p1, p2}", "{p1, p2, p3}")]
    [InlineData("p1 = p2", "FALSE")]
    [InlineData("p1 = 1", "FALSE")]
    [InlineData("CHOOSE p \\in {p2, p3, p1} : TRUE", "p1")]
    // LET, CASE, recursion, higher order
    [InlineData("LET f[n \\in 0..5] == IF n = 0 THEN 1 ELSE n * f[n - 1] IN f[5]", "120")]
    [InlineData("CASE 1 > 2 -> \"a\" [] OTHER -> \"b\"", "\"b\"")]
    [InlineData("SelectSeq(<<1, 2, 3, 4>>, LAMBDA x : x % 2 = 0)", "<<2, 4>>")]
    [InlineData("LET Twice(F(_), x) == F(F(x)) Inc(y) == y + 1 IN Twice(Inc, 3)", "5")]
    [InlineData("[r \\in [a : {1}, b : {2, 3}] |-> r.b][[a |-> 1, b |-> 3]]", "3")]
    [InlineData("[[a |-> [b |-> 1]] EXCEPT !.a.b = @ + 1]", "[a |-> [b |-> 2]]")]
    [InlineData("\\E <<x, y>> \\in {<<1, 2>>} : x + 1 = y", "TRUE")]
    [InlineData("BagToSet(SetToBag({1, 2}) (+) SetToBag({2})) = {1, 2}", "TRUE")]
    [InlineData("CopiesIn(2, SetToBag({1, 2}) (+) SetToBag({2}))", "2")]
    [InlineData("Cardinality({x \\in 1..10 : x % 3 = 0})", "3")]
    [InlineData("{x + y : x \\in 1..2, y \\in {10, 20}}", "{11, 12, 21, 22}")]
    // strings as sequences of characters (TLC's Sequences.java Len, Concat, Tail, SubSeq): TLC printed
    // <<"abcd", 3, "bc", "bcd", "", "x", 0>> for these seven
    [InlineData("\"ab\" \\o \"cd\"", "\"abcd\"")]
    [InlineData("Len(\"abc\")", "3")]
    [InlineData("Tail(\"abc\")", "\"bc\"")]
    [InlineData("SubSeq(\"abcde\", 2, 4)", "\"bcd\"")]
    [InlineData("SubSeq(\"ab\", 3, 2)", "\"\"")]
    [InlineData("\"\" \\o \"x\"", "\"x\"")]
    [InlineData("Len(\"\")", "0")]
    public void EvaluatesAsTlc(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    /// <summary>A nested EXCEPT builds each level of its path anew (ExceptN.Update, single-key and multi-key paths):
    /// the function it updates and that function's subvalues are shared (r below is the same object at both places of
    /// g), so none of them may change. TLC 2026.11.24 printed these values (PrintT; the third over several lines).
    /// With the copy of ExceptN.Update's FcnV level planted away (the old array updated in place) 4 of the 6 rows
    /// fail (g[p1][p2] and r[p2] become 1); with the TupleV level's planted away, the 3 rows with tuples.</summary>
    [Theory]
    [InlineData("LET r == [x \\in {p1, p2} |-> 0] g == [x \\in {p1, p2} |-> r] h == [g EXCEPT ![p1][p2] = 1] IN <<h[p1][p2], h[p2][p2], g[p1][p2], g[p2][p2], r[p2]>>", "<<1, 0, 0, 0, 0>>")]
    [InlineData("LET r == [x \\in {p1, p2} |-> 0] g == [x \\in {p1, p2} |-> r] h == [g EXCEPT ![p2] = [@ EXCEPT ![p1] = 3]] IN <<h[p2][p1], g[p2][p1], r[p1]>>", "<<3, 0, 0>>")]
    [InlineData("LET r == [x \\in {p1, p2} |-> 0] g == [x \\in {p1, p2} |-> r] h == [g EXCEPT ![p1][p2] = 1, ![p1][p1] = 2, ![p2][p1] = @ + 5] IN <<h, g, r>>",
        "<<(p1 :> (p1 :> 2 @@ p2 :> 1) @@ p2 :> (p1 :> 5 @@ p2 :> 0)), (p1 :> (p1 :> 0 @@ p2 :> 0) @@ p2 :> (p1 :> 0 @@ p2 :> 0)), (p1 :> 0 @@ p2 :> 0)>>")]
    [InlineData("LET r == <<0, 0>> g == <<r, r>> h == [g EXCEPT ![1][2] = 1] IN <<h, g, r>>", "<<<<<<0, 1>>, <<0, 0>>>>, <<<<0, 0>>, <<0, 0>>>>, <<0, 0>>>>")]
    [InlineData("LET r == <<0, 0>> g == <<r, r>> h == [g EXCEPT ![2] = 7] IN <<h, g>>", "<<<<<<0, 0>>, 7>>, <<<<0, 0>>, <<0, 0>>>>>>")]
    [InlineData("LET r == <<0, 0>> g == [a |-> r, b |-> r] h == [g EXCEPT !.a[2] = 1, !.b[1] = 4] IN <<h, g, r>>", "<<[a |-> <<0, 1>>, b |-> <<4, 0>>], [a |-> <<0, 0>>, b |-> <<0, 0>>], <<0, 0>>>>")]
    public void NestedExceptLeavesSharedSubvaluesUnchanged(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    /// <summary>Set constructors over a bound variable are evaluated for each binding, never kept as constants
    /// (Compiler.Closed: a bound variable has level 0 like a constant). Values TLC 2026.11.24 printed (PrintT). With
    /// Closed planted to take any level-0 node for a constant, each row keeps the value of the first binding
    /// and fails (seen: all five).</summary>
    [Theory]
    [InlineData("{ {x, 3} : x \\in 1..2 }", "{{1, 3}, {2, 3}}")]
    [InlineData("{ x \\X {0} : x \\in {{1}, {2}} }", "{{<<1, 0>>}, {<<2, 0>>}}")]
    [InlineData("{ [{x} -> {0}] : x \\in 1..2 }", "{{<<0>>}, {(2 :> 0)}}")]
    [InlineData("{ [a : {x}] : x \\in 1..2 }", "{{[a |-> 1]}, {[a |-> 2]}}")]
    [InlineData("{ SUBSET {x} : x \\in 1..2 }", "{{{}, {1}}, {{}, {2}}}")]
    public void ASetOverABoundVariableIsNotKept(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    /// <summary>\A and \E over several sets: one LoopEnv per bound variable, set to each combination (QuantN,
    /// BoundN.Cursor). TLC 2026.11.24 printed &lt;&lt;TRUE, FALSE, TRUE, TRUE, {1, 2, 3}&gt;&gt; for the five. With
    /// the Cursor planted to set the binders in reverse order (x gets y's value), all rows but the second
    /// (symmetric) fail (seen).</summary>
    [Theory]
    [InlineData("\\A x \\in {1, 2}, y \\in {10, 20} : x < y", "TRUE")]
    [InlineData("\\A x \\in 1..2, y \\in 1..2 : x + y < 4", "FALSE")]
    [InlineData("\\E x \\in {1, 2}, y \\in {3, 4} : x = 2 /\\ y = 3", "TRUE")]
    [InlineData("\\E x \\in 1..2, y \\in 5..6, z \\in 7..8 : x * 100 + y * 10 + z = 168", "TRUE")]
    [InlineData("{x \\in 1..3 : \\A y \\in 1..x, z \\in {x} : y <= z}", "{1, 2, 3}")]
    public void AQuantifierOverSeveralSetsBindsEachCombination(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    /// <summary>A set constructor whose operands are all constants is evaluated once and kept (ConstN): the
    /// function set of a type invariant is not rebuilt on every state. Seen failing with Compiler.Closed planted to
    /// answer false.</summary>
    [Fact]
    public void AConstructorOfConstantsIsKept()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ev-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), "---- MODULE E ----\nEXTENDS Integers\nCONSTANT N\nVARIABLE v\nProcs == 1..N\nInit == v = 0\nNext == v' = v\nX == [Procs -> Nat \\cup {-1}]\nY == \\A x \\in {1} : [{x} -> Procs] = {}\nZ == [k \\in Procs |-> 0]\nW == [k \\in Procs |-> k]\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "CONSTANT N = 2\nINIT Init\nNEXT Next\n");
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), null);
            var x = ((DefSym)spec.Root.Top.Find("X")!).D.Body!;
            var y = ((DefSym)spec.Root.Top.Find("Y")!).D.Body!;
            Assert.IsType<ConstN>(x);
            var c = new Ctx(spec) { Cur = [IntV.Of(0)] };
            var first = x.Eval(c, null);
            Assert.Same(first, x.Eval(c, null));
            var set = Assert.IsType<FcnSetV>(first);
            Assert.True(set.Contains(new TupleV([IntV.Of(3), IntV.Of(-1)])));
            Assert.False(set.Contains(new TupleV([IntV.Of(-2), IntV.Of(0)])));
            Assert.False(set.Contains(new TupleV([IntV.Of(0)])));
            Assert.IsNotType<ConstN>(y);
            Assert.Equal("FALSE", Show.V(y.Eval(c, null)));
            var z = ((DefSym)spec.Root.Top.Find("Z")!).D.Body!;
            var w = ((DefSym)spec.Root.Top.Find("W")!).D.Body!;
            Assert.IsType<ConstN>(z);
            Assert.Same(z.Eval(c, null), z.Eval(c, null));
            Assert.Equal("<<0, 0>>", Show.V(z.Eval(c, null)));
            Assert.IsNotType<ConstN>(w);
            Assert.Equal("<<1, 2>>", Show.V(w.Eval(c, null)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("1 = \"a\"", "Attempted to check equality of integer 1 with string \"a\"")]
    [InlineData("{1, \"a\"}", "Attempted to compare")]
    [InlineData("Head(<<>>)", "Attempted to apply Head to the empty sequence.")]
    [InlineData("<<1>>[2]", "which is not in the domain of the function")]
    [InlineData("CHOOSE x \\in {1} : x > 5", "no element of S satisfied P")]
    [InlineData("5 % 0", "The second argument of % should be a positive number")]
    [InlineData("[a |-> 1].b", "nonexistent field 'b'")]
    [InlineData("\"a\" \\o <<1>>", "Evaluating an expression of the form t \\o s when s is not a string:\n<<1>>")]
    [InlineData("Tail(\"\")", "Attempted to apply Tail to the empty sequence.")]
    public void RefusesAsTlc(string expr, string message) => Assert.Contains(message, Error(expr));

    /// <summary>A loop's bound variable is one environment node set to each element in turn (LoopEnv); a lazy value
    /// or LET closure made in the body keeps the element of its own iteration (Env.Freeze), not the last one.
    /// Expected: TLC (cc6b616cf) PrintT. Without Freeze (planted: Env.Freeze returning e) all three give the
    /// last element's result: 3, TRUE, 3.</summary>
    [Theory]
    [InlineData("[x \\in 1..3 |-> [n \\in Nat |-> n + x]][1][0]", "1")]
    [InlineData("1 \\in [x \\in 1..3 |-> {y \\in Nat : y < x}][1]", "FALSE")]
    [InlineData("[x \\in 1..3 |-> LET g(n) == n + x IN [n \\in Nat |-> g(n)]][1][0]", "1")]
    public void AValueMadeInALoopKeepsItsOwnBinding(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    [Fact]
    public void StringsAreNotOrderedByLessThan() => Assert.Contains("should be an integer", Error("\"a\" < \"b\""));

    private static (int Exit, string Err) CheckText(string tla, string cfg)
    {
        var (exit, _, err) = TempSpec.Check("M", tla, cfg);
        return (exit, err);
    }

    [Theory]
    [InlineData("---- MODULE M ----\nVARIABLE x\nInit == x = 0\nNext == x' = Foo\n====\n", "M.tla:4:14: Unknown operator: `Foo'.")]
    [InlineData("---- MODULE M ----\nVARIABLE x\nInit == x = 0\nNext == x' = x + 1\n====\n", "M.tla:4:16: Unknown operator: `+'. (EXTENDS Naturals is missing)")]
    [InlineData("---- MODULE M ----\nVARIABLE x\nInit == x = \"abc\nNext == x' = x\n====\n", "M.tla:3:13: unterminated string")]
    [InlineData("---- MODULE M ----\nVARIABLE x\nInit == x = 1.5\nNext == x' = x\n====\n", "M.tla:3:13: unsupported construct: decimal number (TLC does not support reals)")]
    public void SpecErrorsAreOneLineWithPosition(string tla, string expected)
    {
        var (exit, err) = CheckText(tla, "INIT Init\nNEXT Next\n");
        Assert.Equal(ExitCodes.SpecError, exit);
        Assert.Equal(expected + "\n", err.Replace("\r", ""));
    }

    [Theory]
    [InlineData("INIT Init\nNEXT Next\nCONSTANT N = \n", "M.cfg:3:13: expected a value")]
    [InlineData("INIT Init\nNEXT\n", "M.cfg:2:5: expected an identifier but found ''")]
    [InlineData("INIT Init\nNEXT Next\nFOO Bar\n", "M.cfg:3:1: unknown configuration keyword 'FOO'")]
    [InlineData("INIT Init\n", "M.cfg:1:1: The configuration has INIT but no NEXT")]
    public void ConfigErrorsAreOneLineWithPosition(string cfg, string expected)
    {
        var (exit, err) = CheckText("---- MODULE M ----\nVARIABLE x\nInit == x = 0\nNext == x' = x\n====\n", cfg);
        Assert.Equal(ExitCodes.ConfigError, exit);
        Assert.StartsWith(expected, err.Replace("\r", ""));
    }

    [Fact]
    public void UnboundedQuantifierIsRefusedWhenEvaluated()
    {
        var (exit, err) = CheckText("---- MODULE M ----\nVARIABLE x\nInit == \\E y : x = y\nNext == x' = x\n====\n", "INIT Init\nNEXT Next\n");
        Assert.Equal(ExitCodes.EvalFailure, exit);
        Assert.StartsWith("M.tla:3:", err);
        Assert.Contains("unbounded quantifier over y", err);
    }

    /// <summary>TLC's Sequences.Concat and Append (tlc2/module/Sequences.java) report a non-sequence argument as
    /// EC.TLC_MODULE_EVALUATING, and ModelChecker.doNextFailed exits with that code's status, 255, when it is met in
    /// the next-state relation (in Init it is 75, as for every evaluation error). Messages and exits as TLC printed
    /// them for these specs (2026-12-05); the checker gave exit 75 and "The argument of \o should be a sequence"
    /// before.</summary>
    [Theory]
    [InlineData("<<1>> \\o 3", "Evaluating an expression of the form t \\o s when s is not a sequence:\n3")]
    [InlineData("\"ab\" \\o <<1>>", "Evaluating an expression of the form t \\o s when s is not a string:\n<<1>>")]
    [InlineData("3 \\o <<1>>", "Evaluating an expression of the form s \\o t when s is not a sequence:\n3")]
    [InlineData("<<1>> \\o \"ab\"", "Evaluating an expression of the form t \\o s when s is not a sequence:\n\"ab\"")]
    [InlineData("Append(3, 1)", "Evaluating an expression of the form Append(s, v) when s is not a sequence:\n3")]
    public void ASequenceOperatorGivenANonSequenceInNextExitsAsTlc(string expr, string message)
    {
        var o = new StringWriter();
        var (exit, r, err) = TempSpec.Check("M", $"---- MODULE M ----\nEXTENDS Sequences, Naturals\nVARIABLE x\nInit == x = 0\nNext == x < 2 /\\ x' = Len({expr}) + x\n====\n",
            "INIT Init\nNEXT Next\n", output: o);
        Assert.Equal(255, exit);
        Assert.Equal(Outcome.ModuleError, r!.Outcome);
        Assert.Equal("error", r.ResultName);
        Assert.Contains($"Error: {message}\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n", o.ToString().Replace("\r", ""));
        Assert.Equal($"M.tla:5:27: {message.Replace('\n', ' ')}\n", err.Replace("\r", ""));
        // the same error in Init: TLC exits 75 (FAILURE_SPEC_EVAL)
        var (initExit, initR, initErr) = TempSpec.Check("M", $"---- MODULE M ----\nEXTENDS Sequences, Naturals\nVARIABLE x\nInit == x = Len({expr})\nNext == x' = x\n====\n", "INIT Init\nNEXT Next\n");
        Assert.Equal(ExitCodes.EvalFailure, initExit);
        Assert.Equal(Outcome.Error, initR!.Outcome);
        Assert.Equal($"M.tla:4:17: {message.Replace('\n', ' ')}\n", initErr.Replace("\r", ""));
    }

    [Fact]
    public void MissingConstantIsAConfigError()
    {
        var (exit, err) = CheckText("---- MODULE M ----\nCONSTANT N\nVARIABLE x\nInit == x = N\nNext == x' = x\n====\n", "INIT Init\nNEXT Next\n");
        Assert.Equal(ExitCodes.ConfigError, exit);
        Assert.Equal("M.tla:2:10: The constant parameter N is not assigned a value by the configuration file.\n", err.Replace("\r", ""));
    }
}
