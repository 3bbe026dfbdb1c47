using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The community modules implemented natively (checker/evaluation/Community.cs): Folds, Functions, FiniteSetsExt, SequencesExt,
/// UndirectedGraphs, Bitwise, BagsExt, Relation, and TLC's TLCExt and Randomization.
/// Every expected value is what TLC (with CommunityModules 2024-12-19) printed for the same expression (PrintT);
/// the error cases are ours, one line with the position of the call, exit 75 as for other evaluation errors.
/// </summary>
public class CommunityModuleTests
{
    private const string Extends = "Integers, Sequences, FiniteSets, TLC, FiniteSetsExt, SequencesExt, Folds, UndirectedGraphs";

    private static string Eval(string expr, string extends = Extends)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), $"---- MODULE E ----\nEXTENDS {extends}\nVARIABLE v\nInit == v = 0\nNext == v' = v\nX == {expr}\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "INIT Init\nNEXT Next\n");
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), null);
            var def = ((DefSym)spec.Root.Top.Find("X")!).D;
            return Show.V(def.Body!.Eval(new Ctx(spec) { Cur = [IntV.Of(0)] }, null));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Checks a module M (with files: other modules next to it) and returns the exit code and stderr.</summary>
    internal static (int Exit, string Err) Check(string tla, params (string Name, string Text)[] files)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "M.tla"), tla);
            File.WriteAllText(Path.Combine(dir, "M.cfg"), "INIT Init\nNEXT Next\n");
            foreach (var (n, t) in files) File.WriteAllText(Path.Combine(dir, n), t);
            var err = new StringWriter();
            int exit = ModelRun.CheckOne(Path.Combine(dir, "M.tla"), null, new CheckOptions { Workers = 1 }, err, out _);
            return (exit, err.ToString().Replace(dir + Path.DirectorySeparatorChar, "").Replace("\r", ""));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string Init(string extends, string expr) => $"---- MODULE M ----\nEXTENDS {extends}\nVARIABLE x\nInit == x = {expr}\nNext == x' = x\n====\n";

    [Theory]
    [InlineData("MapThenFoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, LAMBDA q : q * 10, LAMBDA s : CHOOSE q \\in s : TRUE, {3, 1, 2})", "<<10, 20, 30>>")]
    [InlineData("MapThenFoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, LAMBDA q : q, LAMBDA s : CHOOSE q \\in s : \\A r \\in s : q >= r, {3, 1, 2})", "<<3, 2, 1>>")]
    public void FoldsMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, {3, 1, 2})", "<<3, 2, 1>>")]
    [InlineData("FoldSet(LAMBDA a, b : a - b, 0, {5, 1, 3})", "3")]
    [InlineData("FoldSet(LAMBDA a, b : a + b, 7, {})", "7")]
    [InlineData("SumSet({1, 2, 3})", "6")]
    [InlineData("SumSet({})", "0")]
    [InlineData("ProductSet({2, 3, 4})", "24")]
    [InlineData("ProductSet({})", "1")]
    [InlineData("ReduceSet(LAMBDA a, b : <<a>> \\o b, {4, 2}, <<>>)", "<<4, 2>>")]
    [InlineData("MapThenSumSet(LAMBDA q : q * q, {1, 2, 3})", "14")]
    [InlineData("FlattenSet({{1, 2}, {2, 3}, {}})", "{1, 2, 3}")]
    [InlineData("SymDiff({1, 2, 3}, {3, 4})", "{1, 2, 4}")]
    [InlineData("Quantify(1..10, LAMBDA q : q % 3 = 0)", "3")]
    [InlineData("kSubset(2, {\"a\", \"b\", \"c\"})", "{{\"a\", \"b\"}, {\"a\", \"c\"}, {\"b\", \"c\"}}")]
    [InlineData("kSubset(0, {1})", "{{}}")]
    [InlineData("kSubset(4, {1, 2})", "{}")]
    [InlineData("kSubset(-1, {1})", "{}")]
    [InlineData("Max({3, 1, 2})", "3")]
    [InlineData("Min({3, 1, 2})", "1")]
    [InlineData("Max({-5})", "-5")]
    [InlineData("Choices({{1, 2}, {3}})", "{{1, 3}, {2, 3}}")]
    [InlineData("Choices({})", "{{}}")]
    [InlineData("Choices({{1}, {}})", "{}")]
    [InlineData("ChooseUnique({1, 2, 3}, LAMBDA q : q > 2)", "3")]
    public void FiniteSetsExtMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("Restrict((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2), {\"a\", \"c\"})", "[a |-> 2, c |-> 2]")]
    [InlineData("RestrictDomain((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2), LAMBDA q : q # \"b\")", "[a |-> 2, c |-> 2]")]
    [InlineData("RestrictValues((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2), LAMBDA v : v = 1)", "[b |-> 1]")]
    [InlineData("IsRestriction(<<1, 2>>, <<1, 2, 3>>)", "TRUE")]
    [InlineData("IsRestriction(<<1, 2, 3>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsRestriction(<<1, 5>>, <<1, 2, 3>>)", "FALSE")]
    [InlineData("Range((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2))", "{1, 2}")]
    [InlineData("Range(<<>>)", "{}")]
    [InlineData("Pointwise(<<1, 2>>, <<10, 20>>, +)", "<<11, 22>>")]
    [InlineData("Inverse((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2), {\"a\", \"b\", \"c\"}, {1, 2, 3})", "<<\"b\", \"a\", \"a\">>")]
    [InlineData("Inverse(<<1, 1>>, {1, 2}, {1, 2, 3})", "<<1, 1, 1>>")]
    [InlineData("AntiFunction(<<\"x\", \"y\">>)", "[x |-> 1, y |-> 2]")]
    [InlineData("AntiFunction([k |-> 3, j |-> 1])", "(1 :> \"j\" @@ 3 :> \"k\")")]
    [InlineData("IsInjective((\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2))", "FALSE")]
    [InlineData("IsInjective(<<1, 2>>)", "TRUE")]
    [InlineData("IsInjective(<<>>)", "TRUE")]
    [InlineData("Injection({1, 2}, {\"a\", \"b\"})", "{<<\"a\", \"b\">>, <<\"b\", \"a\">>}")]
    [InlineData("Injection({}, {1})", "{<<>>}")]
    [InlineData("Surjection({1, 2, 3}, {\"a\", \"b\"})", "{<<\"a\", \"a\", \"b\">>, <<\"a\", \"b\", \"a\">>, <<\"a\", \"b\", \"b\">>, <<\"b\", \"a\", \"a\">>, <<\"b\", \"a\", \"b\">>, <<\"b\", \"b\", \"a\">>}")]
    [InlineData("Surjection({1}, {})", "{}")]
    [InlineData("Bijection({1, 2}, {1, 2})", "{<<1, 2>>, <<2, 1>>}")]
    [InlineData("ExistsInjection({1, 2, 3}, {1, 2})", "FALSE")]
    [InlineData("ExistsInjection({1}, {1, 2})", "TRUE")]
    [InlineData("ExistsSurjection({}, {})", "TRUE")]
    [InlineData("ExistsSurjection({}, {1})", "FALSE")]
    [InlineData("ExistsSurjection({1}, {})", "FALSE")]
    [InlineData("ExistsSurjection({1, 2, 3}, {1, 2})", "TRUE")]
    [InlineData("ExistsBijection({1}, {2})", "TRUE")]
    [InlineData("ExistsBijection({1}, {})", "FALSE")]
    [InlineData("FoldFunction(LAMBDA a, b : <<a>> \\o b, <<>>, (\"a\" :> 2 @@ \"b\" :> 1 @@ \"c\" :> 2))", "<<2, 1, 2>>")]
    [InlineData("FoldFunctionOnSet(LAMBDA a, b : <<a>> \\o b, <<>>, <<10, 20, 30>>, {3, 1})", "<<30, 10>>")]
    public void FunctionsMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("ToSet(<<3, 1, 3>>)", "{1, 3}")]
    [InlineData("SetToSeq({\"zz\", \"yy\"})", "<<\"zz\", \"yy\">>")]
    [InlineData("SetToSeq({3, 1, 2})", "<<1, 2, 3>>")]
    [InlineData("SetToSeq({})", "<<>>")]
    [InlineData("SetToSeqs({1, 2, 3})", "{<<1, 2, 3>>, <<1, 3, 2>>, <<2, 1, 3>>, <<2, 3, 1>>, <<3, 1, 2>>, <<3, 2, 1>>}")]
    [InlineData("SetToSeqs({})", "{<<>>}")]
    [InlineData("SetToSortSeq({1, 3, 2}, >)", "<<3, 2, 1>>")]
    [InlineData("SetToAllKPermutations({1, 2})", "{<<>>, <<1>>, <<2>>, <<1, 2>>, <<2, 1>>}")]
    [InlineData("TupleOf({0, 1}, 2)", "{<<0, 0>>, <<0, 1>>, <<1, 0>>, <<1, 1>>}")]
    [InlineData("SeqOf({0}, 2)", "{<<>>, <<0>>, <<0, 0>>}")]
    [InlineData("BoundedSeq({1, 2}, 1)", "{<<>>, <<1>>, <<2>>}")]
    [InlineData("<<1, 1>> \\in BoundedSeq({1, 2}, 2)", "TRUE")]
    [InlineData("<<1, 1, 1>> \\in SeqOf({1, 2}, 2)", "FALSE")]
    [InlineData("Contains(<<1, 2>>, 2)", "TRUE")]
    [InlineData("Contains(<<>>, 1)", "FALSE")]
    [InlineData("Reverse(<<1, 2, 3>>)", "<<3, 2, 1>>")]
    [InlineData("Remove(<<1, 2, 1, 3>>, 1)", "<<2, 3>>")]
    [InlineData("ReplaceAll(<<1, 2, 1>>, 1, 9)", "<<9, 2, 9>>")]
    [InlineData("SelectInSeq(<<1, 2, 3, 4>>, LAMBDA q : q > 1)", "2")]
    [InlineData("SelectLastInSeq(<<1, 2, 3, 4>>, LAMBDA q : q < 3)", "2")]
    [InlineData("SelectInSeq(<<>>, LAMBDA q : TRUE)", "0")]
    [InlineData("SelectInSubSeq(<<1, 2, 3, 4>>, 2, 4, LAMBDA q : q > 2)", "3")]
    [InlineData("SelectLastInSubSeq(<<1, 2, 3, 4>>, 1, 3, LAMBDA q : q < 4)", "3")]
    [InlineData("SelectInSubSeq(<<1, 2>>, 2, 1, LAMBDA q : TRUE)", "0")]
    [InlineData("InsertAt(<<1, 2>>, 1, 0)", "<<0, 1, 2>>")]
    [InlineData("InsertAt(<<1, 2>>, 3, 9)", "<<1, 2, 9>>")]
    [InlineData("ReplaceAt(<<1, 2>>, 2, 7)", "<<1, 7>>")]
    [InlineData("RemoveAt(<<1, 2, 3>>, 2)", "<<1, 3>>")]
    [InlineData("RemoveFirst(<<1, 2, 1>>, 1)", "<<2, 1>>")]
    [InlineData("RemoveFirst(<<1>>, 5)", "<<1>>")]
    [InlineData("RemoveFirstMatch(<<1, 2, 3>>, LAMBDA q : q > 1)", "<<1, 3>>")]
    [InlineData("Cons(0, <<1>>)", "<<0, 1>>")]
    [InlineData("Snoc(9, <<1>>)", "<<1, 9>>")]
    [InlineData("Front(<<1, 2, 3>>)", "<<1, 2>>")]
    [InlineData("Front(<<>>)", "<<>>")]
    [InlineData("Last(<<1, 2, 3>>)", "3")]
    [InlineData("IsPrefix(<<1>>, <<1, 2>>)", "TRUE")]
    [InlineData("IsPrefix(<<2>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsPrefix(<<>>, <<>>)", "TRUE")]
    [InlineData("IsPrefix(<<1, 2, 3>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsStrictPrefix(<<1, 2>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsStrictPrefix(<<1>>, <<1, 2>>)", "TRUE")]
    [InlineData("IsSuffix(<<2>>, <<1, 2>>)", "TRUE")]
    [InlineData("IsSuffix(<<1>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsStrictSuffix(<<1, 2>>, <<1, 2>>)", "FALSE")]
    [InlineData("IsPrefix(\"ab\", \"abc\")", "TRUE")]
    [InlineData("IsPrefix(\"b\", \"abc\")", "FALSE")]
    [InlineData("Prefixes(<<1, 2>>)", "{<<>>, <<1>>, <<1, 2>>}")]
    [InlineData("Suffixes(<<1, 2, 3>>)", "{<<>>, <<3>>, <<2, 3>>, <<1, 2, 3>>}")]
    [InlineData("CommonPrefixes({<<1, 2>>, <<1, 3>>})", "{<<>>, <<1>>}")]
    [InlineData("LongestCommonPrefix({<<1, 2, 3>>, <<1, 2>>, <<1, 2, 4>>})", "<<1, 2>>")]
    [InlineData("LongestCommonPrefix({<<1>>, <<2>>})", "<<>>")]
    [InlineData("LongestCommonPrefix({\"abc\", \"abd\"})", "\"ab\"")]
    [InlineData("LongestCommonPrefix({<<>>})", "<<>>")]
    [InlineData("SeqMod(6, 3)", "3")]
    [InlineData("SeqMod(7, 3)", "1")]
    [InlineData("FoldSeq(LAMBDA a, b : <<a>> \\o b, <<>>, <<1, 2, 3>>)", "<<3, 2, 1>>")]
    [InlineData("FoldLeft(LAMBDA a, b : a - b, 10, <<1, 2, 3>>)", "4")]
    [InlineData("FoldRight(LAMBDA a, b : a - b, <<1, 2, 3>>, 10)", "-8")]
    [InlineData("FoldLeftDomain(LAMBDA a, b : <<b>> \\o a, <<>>, <<\"x\", \"y\">>)", "<<2, 1>>")]
    [InlineData("FoldRightDomain(LAMBDA a, b : <<a>> \\o b, <<\"x\", \"y\">>, <<>>)", "<<1, 2>>")]
    [InlineData("FlattenSeq(<<<<1, 2>>, <<>>, <<3>>>>)", "<<1, 2, 3>>")]
    [InlineData("FlattenSeq(<<>>)", "<<>>")]
    [InlineData("Zip(<<1, 2, 3>>, <<\"a\", \"b\">>)", "<<<<1, \"a\">>, <<2, \"b\">>>>")]
    [InlineData("Interleave(<<1, 2>>, <<3, 4>>)", "<<<<1>>, <<3>>, <<2>>, <<4>>>>")]
    [InlineData("Interleave(<<>>, <<>>)", "<<<<>>, <<>>>>")]
    [InlineData("SubSeqs(<<1, 2, 3>>)", "{<<>>, <<1>>, <<2>>, <<3>>, <<1, 2>>, <<2, 3>>, <<1, 2, 3>>}")]
    [InlineData("AllSubSeqs(<<1, 2, 1>>)", "{<<>>, <<1>>, <<2>>, <<1, 1>>, <<1, 2>>, <<2, 1>>, <<1, 2, 1>>}")]
    [InlineData("IndexFirstSubSeq(<<2, 3>>, <<1, 2, 3, 2, 3>>)", "2")]
    [InlineData("IndexFirstSubSeq(<<>>, <<1, 2>>)", "1")]
    [InlineData("ReplaceSubSeqAt(2, <<9, 9>>, <<2, 3>>, <<1, 2, 3, 4>>)", "<<1, 9, 9, 4>>")]
    [InlineData("ReplaceFirstSubSeq(<<0>>, <<2>>, <<1, 2, 3, 2>>)", "<<1, 0, 3, 2>>")]
    [InlineData("ReplaceFirstSubSeq(<<0>>, <<5>>, <<1, 2>>)", "<<1, 2>>")]
    [InlineData("ReplaceAllSubSeqs(<<0>>, <<1, 1>>, <<1, 1, 1>>)", "<<0, 1>>")]
    [InlineData("ReplaceAllSubSeqs(<<0>>, <<>>, <<1, 2>>)", "<<0, 1, 0, 2>>")]
    [InlineData("ReplaceAllSubSeqs(<<7>>, <<1, 2>>, <<1, 2>>)", "<<7>>")]
    [InlineData("ReplaceAllSubSeqs(<<0>>, <<5>>, <<1>>)", "<<1>>")]
    [InlineData("ReplaceAllSubSeqs(<<0>>, <<2>>, <<2, 1, 2>>)", "<<0, 1, 0>>")]
    public void SequencesExtMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("IsUndirectedGraph([node |-> {1, 2, 3}, edge |-> {{1, 2}, {2, 3}}])", "TRUE")]
    [InlineData("IsUndirectedGraph([node |-> {1, 2}, edge |-> {{1, 3}}])", "FALSE")]
    [InlineData("IsUndirectedGraph([node |-> {1, 2}, edge |-> {{1}}])", "TRUE")]
    [InlineData("IsUndirectedGraph([node |-> {1, 2}, edge |-> {{}}])", "FALSE")]
    [InlineData("IsUndirectedGraph([node |-> {1, 2}, edge |-> {}, x |-> 1])", "FALSE")]
    [InlineData("IsUndirectedGraph([node |-> {}, edge |-> {}])", "TRUE")]
    [InlineData("IsLoopFreeUndirectedGraph([node |-> {1, 2}, edge |-> {{1}}])", "FALSE")]
    [InlineData("IsLoopFreeUndirectedGraph([node |-> {1, 2}, edge |-> {{1, 2}}])", "TRUE")]
    [InlineData("UndirectedSubgraph([node |-> {1, 2}, edge |-> {{1, 2}}])", "{[node |-> {}, edge |-> {}], [node |-> {1}, edge |-> {}], [node |-> {2}, edge |-> {}], [node |-> {1, 2}, edge |-> {}], [node |-> {1, 2}, edge |-> {{1, 2}}]}")]
    [InlineData("<<1, 2, 1>> \\in Path([node |-> {1, 2}, edge |-> {{1, 2}}])", "TRUE")]
    [InlineData("<<1, 3>> \\in Path([node |-> {1, 2, 3}, edge |-> {{1, 2}}])", "FALSE")]
    [InlineData("<<>> \\in Path([node |-> {1, 2}, edge |-> {{1, 2}}])", "FALSE")]
    [InlineData("<<2>> \\in Path([node |-> {1, 2}, edge |-> {}])", "TRUE")]
    [InlineData("SimplePath([node |-> {1, 2, 3}, edge |-> {{1, 2}, {2, 3}}])", "{<<1>>, <<2>>, <<3>>, <<1, 2>>, <<2, 1>>, <<2, 3>>, <<3, 2>>, <<1, 2, 3>>, <<3, 2, 1>>}")]
    [InlineData("SimplePath([node |-> {}, edge |-> {}])", "{}")]
    [InlineData("ConnectedComponents([node |-> {1, 2, 3, 4}, edge |-> {{1, 2}, {3, 4}}])", "{{1, 2}, {3, 4}}")]
    [InlineData("ConnectedComponents([node |-> {1, 2, 3, 4}, edge |-> {{1, 2}, {2, 3}, {4}}])", "{{4}, {1, 2, 3}}")]
    [InlineData("ConnectedComponents([node |-> {}, edge |-> {}])", "{}")]
    [InlineData("AreConnectedIn(1, 3, [node |-> {1, 2, 3}, edge |-> {{1, 2}, {2, 3}}])", "TRUE")]
    [InlineData("AreConnectedIn(1, 3, [node |-> {1, 2, 3}, edge |-> {{1, 2}}])", "FALSE")]
    [InlineData("IsStronglyConnected([node |-> {1, 2, 3}, edge |-> {{1, 2}, {2, 3}}])", "TRUE")]
    [InlineData("IsStronglyConnected([node |-> {1, 2, 3}, edge |-> {{1, 2}}])", "FALSE")]
    [InlineData("IsStronglyConnected([node |-> {}, edge |-> {}])", "FALSE")]
    [InlineData("IsStronglyConnected([node |-> {1}, edge |-> {}])", "TRUE")]
    public void UndirectedGraphsMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr, "Integers, Sequences, FiniteSets, TLC, UndirectedGraphs"));

    /// <summary>Bitwise; TLC's TLCExt and Randomization (random picks checked through properties that hold for any pick).
    /// Evaluated in one module, in this order: TLCGetAndSet and TLCGetOrDefault share the TLCSet registers.</summary>
    [Fact]
    public void BitwiseTlcExtAndRandomizationMatchTlc()
    {
        (string Expr, string Tlc)[] cases =
        [
            ("12 & 10", "8"),
            ("10 & 12", "8"),
            ("12 | 3", "15"),
            ("5 ^^ 3", "6"),
            ("0 & 7", "0"),
            ("Not(5)", "2"),
            ("Not(0)", "0"),
            ("Not(8)", "7"),
            ("Not(1)", "0"),
            ("shiftR(16, 2)", "4"),
            ("shiftR(7, 0)", "7"),
            ("shiftR(-8, 1)", "2147483644"),
            ("(-8) & 7", "0"),
            ("(-1) | 4", "-1"),
            ("AssertEq(<<1, 2>>, <<1, 2>>)", "TRUE"),
            ("AssertEq(1, 2)", "\"Assertion failed\" 1 2 FALSE"),
            ("TLCModelValue(\"m1\")", "m1"),
            ("TLCModelValue(\"m1\") = TLCModelValue(\"m1\")", "TRUE"),
            ("TLCNoOp({1})", "{1}"),
            ("TLCCache({1} \\cup {2}, [a |-> 1])", "{1, 2}"),
            ("TLCGetOrDefault(42, \"d\")", "\"d\""),
            ("TLCGetAndSet(7, +, 5, 10)", "10"),
            ("TLCGetAndSet(7, +, 5, 10)", "15"),
            ("TLCGetOrDefault(7, 0)", "20"),
            ("Cardinality(RandomSubset(2, 1..5))", "2"),
            ("RandomSubset(2, 1..5) \\subseteq 1..5", "TRUE"),
            ("RandomSubset(9, 1..3)", "{1, 2, 3}"),
            ("RandomSubset(0, 1..3)", "{}"),
            ("RandomSetOfSubsets(0, 1, {1, 2})", "{}"),
            ("Cardinality(RandomSetOfSubsets(3, 2, 1..2))", "1"),
            ("RandomSetOfSubsets(3, 0, 1..3)", "{{}}"),
        ];
        var dir = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var defs = string.Concat(cases.Select((c, i) => $"X{i} == {c.Expr}\n"));
            File.WriteAllText(Path.Combine(dir, "E.tla"), $"---- MODULE E ----\nEXTENDS Integers, Sequences, FiniteSets, TLC, Bitwise, TLCExt, Randomization\nVARIABLE v\nInit == v = 0\nNext == v' = v\n{defs}====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "INIT Init\nNEXT Next\n");
            var output = new StringWriter();
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), null, output);
            var ctx = new Ctx(spec) { Cur = [IntV.Of(0)] };
            var got = cases.Select((_, i) =>
            {
                var before = output.ToString().Length;
                var v = Show.V(((DefSym)spec.Root.Top.Find($"X{i}")!).D.Body!.Eval(ctx, null));
                var printed = output.ToString()[before..].Replace("\r", "").Replace("\n", " ");
                return printed + v;
            }).ToArray();
            Assert.Equal(cases.Select(c => c.Tlc), got);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>FoldSet(LAMBDA a, b : &lt;&lt;a&gt;&gt; \o b, &lt;&lt;&gt;&gt;, {3, 1, 2}) through the given implementation: TLC
    /// folds in its set order (acc := op(x, acc)), so it prints &lt;&lt;3, 2, 1&gt;&gt; (FiniteSetsExtMatchesTlc checks the
    /// same case through a spec).</summary>
    private static bool FoldSetAgreesWithTlc(Builtin foldSet)
    {
        var ctx = new Ctx(new TlaSpec());
        var prepend = new OpV("prepend", 2, (_, a) => new TupleV([a[0], .. ((TupleV)a[1]).Elems]));
        var set = new SetV([IntV.Of(3), IntV.Of(1), IntV.Of(2)]);
        return Show.V(foldSet.Fn(ctx, [prepend, TupleV.Empty, set])) == "<<3, 2, 1>>";
    }

    [Fact]
    public void AFoldSetMutantFoldingInTheWrongOrderIsKilled()
    {
        var real = Builtins.Modules["FiniteSetsExt"]["FoldSet"];
        Assert.True(FoldSetAgreesWithTlc(real));
        // the planted bug: the elements folded from the last to the first (as the TLA+ definition through
        // MapThenFoldSet would, rather than TLC's Java override)
        var mutant = real with
        {
            Fn = (c, a) =>
            {
                var acc = a[1];
                foreach (var x in ((SetBase)a[2]).Normalize().Elems.Reverse()) acc = ((OpV)a[0]).Apply(c, [x, acc]);
                return acc;
            },
        };
        Assert.False(FoldSetAgreesWithTlc(mutant));
    }

    [Fact]
    public void IOUtilsAtoiParsesAsJavaParseInt()
    {
        // TLC printed <<42, -7, 5, 7>>
        Assert.Equal("<<42, -7, 5, 7>>", Eval("<<atoi(\"42\"), atoi(\"-7\"), atoi(\"+5\"), atoi(\"007\")>>", "IOUtils"));
        var (exit, err) = Check(Init("IOUtils", "atoi(\"4 2\")"));
        Assert.Equal(ExitCodes.EvalFailure, exit);
        Assert.Equal("M.tla:4:13: The argument of atoi should be a string of an integer, but instead it is: string \"4 2\"\n", err);
    }

    /// <summary>Membership in kSubset, Injection, Surjection, Bijection does not enumerate them, as in TLC
    /// (kSubset(3, 1..10000) has 1.7e11 elements).</summary>
    [Theory]
    [InlineData("{1, 2} \\in kSubset(2, 1..100)", "TRUE")]
    [InlineData("{1} \\in kSubset(2, 1..100)", "FALSE")]
    [InlineData("{1, 200} \\in kSubset(2, 1..100)", "FALSE")]
    [InlineData("{7, 9, 11} \\in kSubset(3, 1..10000)", "TRUE")]
    [InlineData("Cardinality(kSubset(2, 1..5))", "10")]
    [InlineData("kSubset(2, 1..3) = {{1, 2}, {1, 3}, {2, 3}}", "TRUE")]
    [InlineData("<<1, 2>> \\in Injection({1, 2}, 1..1000)", "TRUE")]
    [InlineData("<<1, 1>> \\in Injection({1, 2}, 1..1000)", "FALSE")]
    [InlineData("<<1, 1>> \\in Injection({1, 2, 3}, 1..1000)", "FALSE")]
    [InlineData("<<1, 2>> \\in Bijection(1..2, 1..2)", "TRUE")]
    [InlineData("<<2, 2>> \\in Surjection(1..2, 1..2)", "FALSE")]
    [InlineData("<<3, 1, 2>> \\in Bijection(1..3, 1..3)", "TRUE")]
    [InlineData("Cardinality(Bijection(1..3, 1..3))", "6")]
    [InlineData("Cardinality(Surjection(1..3, 1..2))", "6")]
    public void MembershipIsLazyAndMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("BagAdd(SetToBag({1, 2}), 1)", "<<2, 1>>")]
    [InlineData("BagAdd(SetToBag({1, 2}), 3)", "<<1, 1, 1>>")]
    [InlineData("BagAdd(EmptyBag, \"a\")", "[a |-> 1]")]
    [InlineData("BagRemove(SetToBag({1, 2}), 1)", "(2 :> 1)")]
    [InlineData("BagRemove(BagAdd(SetToBag({1, 2}), 2), 2)", "<<1, 1>>")]
    [InlineData("BagRemove(SetToBag({1}), 5)", "<<1>>")]
    [InlineData("BagRemoveAll(BagAdd(SetToBag({1, 2}), 2), 2)", "<<1>>")]
    [InlineData("BagRemoveAll(SetToBag({1}), 5)", "<<1>>")]
    [InlineData("FoldBag(LAMBDA a, b : a \\o <<b>>, <<>>, BagAdd(SetToBag({1, 2}), 1))", "<<1, 1, 2>>")]
    [InlineData("SumBag(BagAdd(SetToBag({1, 2, 5}), 5))", "13")]
    [InlineData("SumBag(EmptyBag)", "0")]
    [InlineData("ProductBag(BagAdd(SetToBag({2, 3}), 3))", "18")]
    [InlineData("MapThenFoldBag(LAMBDA a, b : <<a, b>>, 0, LAMBDA x : x * 10, LAMBDA S : CHOOSE x \\in S : TRUE, BagAdd(SetToBag({1, 2}), 2))", "<<<<0, 10>>, <<<<<<0, 20>>, 20>>, 0>>>>")]
    [InlineData("MapThenFoldBag(LAMBDA a, b : a + b, 0, LAMBDA x : x, LAMBDA S : CHOOSE x \\in S : TRUE, BagAdd(SetToBag({1, 2}), 2))", "5")]
    public void BagsExtMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr, "Integers, Sequences, FiniteSets, TLC, Bags, BagsExt"));

    /// <summary>TLC folds (and SetToSeq lists) in its normalized order whatever built the set.</summary>
    [Theory]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, {x * (-1) : x \\in {1, 2, 3}})", "<<-1, -2, -3>>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, {3} \\cup {1, 2})", "<<3, 2, 1>>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, {x \\in {5, 4, 3} : x > 3})", "<<5, 4>>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, DOMAIN [x \\in {\"qq\", \"pp\"} |-> 1])", "<<\"pp\", \"qq\">>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, SUBSET {2, 1})", "<<{1, 2}, {2}, {1}, {}>>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, 3..1)", "<<>>")]
    [InlineData("FoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, {2, 1} \\X {0})", "<<<<2, 0>>, <<1, 0>>>>")]
    [InlineData("FoldFunction(LAMBDA a, b : <<a>> \\o b, <<>>, [x \\in {3, 1, 2} |-> x * 10])", "<<30, 20, 10>>")]
    [InlineData("FoldFunctionOnSet(LAMBDA a, b : <<a>> \\o b, <<>>, [x \\in 1..3 |-> x * 10], {x + 0 : x \\in {3, 1}})", "<<30, 10>>")]
    [InlineData("SetToSeq({x * (-1) : x \\in {1, 2, 3}})", "<<-3, -2, -1>>")]
    [InlineData("SetToSeq({3} \\cup {1, 2})", "<<1, 2, 3>>")]
    [InlineData("SumSet({x * (-1) : x \\in {1, 2, 3}})", "-6")]
    public void FoldOrderIsTlcsOrderForEverySetConstruction(string expr, string tlc) => Assert.Equal(tlc, Eval(expr));

    [Theory]
    [InlineData("IsReflexive([p \\in {1, 2} \\X {1, 2} |-> p[1] <= p[2]], {1, 2})", "TRUE")]
    [InlineData("IsReflexive([p \\in {1, 2} \\X {1, 2} |-> p[1] < p[2]], {1, 2})", "FALSE")]
    [InlineData("IsReflexiveUnder(<=, {1, 2, 3})", "TRUE")]
    [InlineData("IsIrreflexiveUnder(<, {1, 2, 3})", "TRUE")]
    [InlineData("IsIrreflexiveUnder(<=, {1, 2, 3})", "FALSE")]
    [InlineData("IsSymmetricUnder(LAMBDA a, b : a # b, {1, 2, 3})", "TRUE")]
    [InlineData("IsSymmetricUnder(<, {1, 2})", "FALSE")]
    [InlineData("IsAntiSymmetricUnder(<=, {1, 2, 3})", "TRUE")]
    [InlineData("IsAntiSymmetricUnder(LAMBDA a, b : TRUE, {1, 2})", "FALSE")]
    [InlineData("IsAsymmetricUnder(<, {1, 2, 3})", "TRUE")]
    [InlineData("IsAsymmetricUnder(<=, {1, 2, 3})", "FALSE")]
    [InlineData("IsTransitiveUnder(<, {1, 2, 3})", "TRUE")]
    [InlineData("IsTransitiveUnder(LAMBDA a, b : b = a + 1, {1, 2, 3})", "FALSE")]
    [InlineData("IsStrictlyPartiallyOrderedUnder(<, {1, 2, 3})", "TRUE")]
    [InlineData("IsPartiallyOrderedUnder(<=, {1, 2, 3})", "TRUE")]
    [InlineData("IsPartiallyOrderedUnder(LAMBDA a, b : a \\subseteq b, SUBSET {1, 2})", "TRUE")]
    [InlineData("IsStrictlyTotallyOrderedUnder(<, {1, 2, 3})", "TRUE")]
    [InlineData("IsStrictlyTotallyOrderedUnder(LAMBDA a, b : a \\subseteq b /\\ a # b, SUBSET {1, 2})", "FALSE")]
    [InlineData("IsTotallyOrderedUnder(<=, {1, 2, 3})", "TRUE")]
    [InlineData("IsTotallyOrderedUnder(LAMBDA a, b : a \\subseteq b, SUBSET {1, 2})", "FALSE")]
    [InlineData("TransitiveClosure([p \\in {1, 2, 3} \\X {1, 2, 3} |-> p[2] = p[1] + 1], {1, 2, 3})", "(<<1, 1>> :> FALSE @@ <<1, 2>> :> TRUE @@ <<1, 3>> :> TRUE @@ <<2, 1>> :> FALSE @@ <<2, 2>> :> FALSE @@ <<2, 3>> :> TRUE @@ <<3, 1>> :> FALSE @@ <<3, 2>> :> FALSE @@ <<3, 3>> :> FALSE)")]
    [InlineData("ReflexiveTransitiveClosure([p \\in {1, 2} \\X {1, 2} |-> p[2] = p[1] + 1], {1, 2})", "(<<1, 1>> :> TRUE @@ <<1, 2>> :> TRUE @@ <<2, 1>> :> FALSE @@ <<2, 2>> :> TRUE)")]
    [InlineData("TransitiveClosure([p \\in {} |-> TRUE], {})", "<<>>")]
    [InlineData("IsConnected([p \\in {1, 2, 3} \\X {1, 2, 3} |-> p[2] = p[1] + 1], {1, 2, 3})", "FALSE")]
    [InlineData("IsConnected([p \\in {1, 2, 3} \\X {1, 2, 3} |-> p[2] = p[1] + 1 \\/ p = <<3, 1>>], {1, 2, 3})", "TRUE")]
    [InlineData("IsTransitive([p \\in {\"aa\", \"bb\"} \\X {\"aa\", \"bb\"} |-> p[1] = p[2]], {\"aa\", \"bb\"})", "TRUE")]
    public void RelationMatchesTlc(string expr, string tlc) => Assert.Equal(tlc, Eval(expr, "Integers, Sequences, FiniteSets, TLC, Relation"));

    [Theory]
    [InlineData("Max({})", "Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {}")]
    [InlineData("Min({})", "Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {}")]
    [InlineData("ChooseUnique({1, 2}, LAMBDA q : q > 0)", "Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {1, 2}")]
    [InlineData("Max({<<1>>})", "The first argument of >= should be an integer, but instead it is: <<1>>")]
    [InlineData("Min({\"a\"})", "The first argument of <= should be an integer, but instead it is: \"a\"")]
    [InlineData("Last(<<>>)", "Attempted to apply function: <<>> to argument 0, which is not in the domain of the function.")]
    [InlineData("Restrict(<<1>>, {2})", "Attempted to apply function: <<1>> to argument 2, which is not in the domain of the function.")]
    [InlineData("AntiFunction(<<1, 1>>)", "AntiFunction: the value 1 occurs multiple times in the function domain.")]
    [InlineData("LongestCommonPrefix({})", "The argument of LongestCommonPrefix should be a non-empty set, but instead it is: {}")]
    [InlineData("kSubset(\"a\", {1})", "The first argument of kSubset should be an integer, but instead it is: string \"a\"")]
    [InlineData("Interleave(<<1>>, <<>>)", "Attempted to evaluate a CASE with no conditions true")]
    [InlineData("IndexFirstSubSeq(<<9>>, <<1>>)", "Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = 0..1")]
    [InlineData("Quantify({1}, LAMBDA q : 3)", "The second argument of Quantify should be a boolean-valued operator, but it returned: integer 3")]
    [InlineData("FoldSet(+, 0, 7)", "The third argument of FoldSet should be a set, but instead it is: integer 7")]
    [InlineData("Range(3)", "The first argument of Range should be a function, but instead it is: integer 3")]
    [InlineData("SumSet(Nat)", "The first argument of SumSet should be a finite set, but instead it is: Nat")]
    [InlineData("ConnectedComponents([node |-> {1}, edge |-> {{1, 2}}])", "Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {1}")]
    [InlineData("IsUndirectedGraph([node |-> {1}])", "Attempted to access nonexistent field 'edge' of record [node |-> {1}]")]
    [InlineData("SelectInSubSeq(<<1>>, 0, 1, LAMBDA q : TRUE)", "The second argument of SelectInSubSeq must be in the domain of its first argument: <<1>> , but instead it is 0")]
    public void EvaluationErrorsAreOneLineAtTheCall(string expr, string message)
    {
        var (exit, err) = Check(Init(Extends, expr));
        Assert.Equal(ExitCodes.EvalFailure, exit);
        Assert.Equal($"M.tla:4:13: {message}\n", err);
    }

    [Theory]
    [InlineData("MapThenFoldSet(+, 0, LAMBDA q : q, LAMBDA s : 7, {1, 2})", "MapThenFoldSet: choose returned 7, which is not an element of {1, 2}")]
    [InlineData("MapThenFoldSet(+, 0, LAMBDA q : q, LAMBDA s : CHOOSE q \\in s : TRUE, 3)", "The fifth argument of MapThenFoldSet should be a set, but instead it is: integer 3")]
    // as TLC: x & y first compares x >= y
    [InlineData("\"a\" & 1", "The first argument of >= should be an integer, but instead it is: \"a\"")]
    [InlineData("FoldBag(+, 0, <<0>>)", "FoldBag: the count of 1 should be an element of Nat \\ {0}, but it is 0")]
    [InlineData("IsReflexiveUnder(+, {1})", "IsReflexiveUnder: the relation's value for <<1, 1>> should be a boolean, but instead it is: integer 2")]
    [InlineData("IsReflexive(<<TRUE>>, {1})", "Attempted to apply function: <<TRUE>> to argument <<1, 1>>, which is not in the domain of the function.")]
    [InlineData("Not(TRUE)", "The first argument of Not should be an integer, but instead it is: boolean TRUE")]
    [InlineData("TLCModelValue(1)", "The first argument of TLCModelValue should be a string, but instead it is: integer 1")]
    [InlineData("AssertEq(1, \"a\")", "Attempted to check equality of integer 1 with string \"a\"")]
    [InlineData("RandomSubset(-1, {1})", "The first argument of RandomSubset should be a nonnegative integer, but instead it is: integer -1")]
    [InlineData("RandomSetOfSubsets(1, 5, {1})", "The second argument of RandomSetOfSubsets should be a nonnegative integer in range 0..Cardinality(S), but instead it is: 5")]
    [InlineData("RandomSetOfSubsets(9, 1, {1, 2})", "The first argument of RandomSetOfSubsets should be a nonnegative integer that is smaller than the subset's size of 2^2, but instead it is: 9")]
    public void FoldsBitwiseBagsExtRelationTlcExtAndRandomizationErrorsAreOneLineAtTheCall(string expr, string message)
    {
        var (exit, err) = Check(Init("Integers, Folds, Bitwise, TLCExt, Randomization, BagsExt, Relation", expr));
        Assert.Equal(ExitCodes.EvalFailure, exit);
        Assert.Equal($"M.tla:4:13: {message}\n", err);
    }

    [Theory]
    [InlineData("<<1, 3, 4, {5}>>", ExitCodes.Ok)]
    [InlineData("<<3, 1, 4, {5}>>", ExitCodes.Violation)]
    public void NamedAndUnnamedInstancesOfCommunityModules(string expected, int exit)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "M.tla"), "---- MODULE M ----\nEXTENDS Naturals, Sequences\nSE == INSTANCE SequencesExt\nINSTANCE FiniteSetsExt\nVARIABLE x\n"
                + "Init == x = SE!SetToSeq({3, 1}) \\o <<Max({4, 2}), Range(<<5>>)>>\nNext == x' = x\nInv == x = " + expected + "\n====\n");
            File.WriteAllText(Path.Combine(dir, "M.cfg"), "INIT Init\nNEXT Next\nINVARIANT Inv\n");
            Assert.Equal(exit, ModelRun.CheckOne(Path.Combine(dir, "M.tla"), null, new CheckOptions { Workers = 1 }, TextWriter.Null, out _));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AModuleFileNextToTheSpecIsUsedInsteadOfTheNativeOne()
    {
        const string spec = "---- MODULE M ----\nEXTENDS Functions\nVARIABLE x\nInit == x = 0\nNext == x' = x\nASSUME Range(<<1>>) = {42}\n====\n";
        Assert.Equal((ExitCodes.Ok, ""), Check(spec, ("Functions.tla", "---- MODULE Functions ----\nRange(f) == {42}\n====\n")));
        // the native Range(<<1>>) is {1}
        Assert.Equal(ExitCodes.Assumption, Check(spec).Exit);
    }

    [Fact]
    public void FiniteSetsExtExtendsFunctionsButSequencesExtExportsOnlyItsOwnOperators()
    {
        Assert.Equal((ExitCodes.Ok, ""), Check(Init("FiniteSetsExt", "Range(<<1>>)")));
        var (exit, err) = Check(Init("Sequences, SequencesExt", "Max({1})"));
        Assert.Equal(ExitCodes.SpecError, exit);
        Assert.Equal("M.tla:4:13: Unknown operator: `Max'.\n", err);
    }

    [Fact]
    public void AModuleTheCheckerDoesNotProvideIsStillAOneLineError()
    {
        var (exit, err) = Check(Init("Naturals, SVG", "0"));
        Assert.Equal(ExitCodes.SpecError, exit);
        Assert.StartsWith("M.tla:2:19: Cannot find source file for module SVG (looked in ", err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }
}

