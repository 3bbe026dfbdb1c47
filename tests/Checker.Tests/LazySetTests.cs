using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Membership in the set forms TLC never enumerates for membership (SetOfFcnsValue, SetOfRcdsValue, SetCupValue,
/// SetCapValue, SetDiffValue, SubsetValue, SetOfTuplesValue, UnionValue, SetPredValue, Seq): each form is built
/// over a set that fails the test when enumerated, so a membership test that enumerates an operand is caught.
/// The corpus models LazyMember/Lazy*.cfg carry TLC's numbers for the same forms inside a model.
/// </summary>
public class LazySetTests
{
    /// <summary>The naturals, refusing enumeration, cardinality and fingerprinting.</summary>
    private sealed class NoEnumSetV : SetBase
    {
        public override bool IsFinite => false;
        public override bool Contains(Value v) => v is IntV i && i.N >= 0;
        public override IEnumerable<Value> Elements() => throw new EnumeratedException();
        public override SetV Normalize() => throw new EnumeratedException();
        public override long Size => throw new EnumeratedException();
        protected override ulong ComputeHash() => throw new EnumeratedException();
        public override void Print(System.Text.StringBuilder sb) => sb.Append("N");
    }

    private sealed class EnumeratedException() : Exception("an operand of a membership test was enumerated");

    private static readonly Interner In = new();
    private static StrV Str(string s) => In.Str(s);
    private static IntV I(long n) => IntV.Of(n);
    private static SetV Set(params Value[] vs) => new(vs);
    private static FcnBase Rcd(params (string, Value)[] fs) => FcnBase.MakeUnsorted(fs.Select(f => (Value)Str(f.Item1)).ToArray(), fs.Select(f => f.Item2).ToArray());

    private static readonly SetBase N = new NoEnumSetV();
    private static readonly ModelV Nil = new("Nil", 100); // a model value: in no set of records (a string is an error)
    private static readonly RecSetV RecN = new([Str("a"), Str("b")], [N, Set(Str("u"), Str("v"))]);
    private static SetBase Seq(SetBase s) => (SetBase)Builtins.Modules["Sequences"]["Seq"].Fn(null!, [s]);

    /// <summary>(set, element, expected membership).</summary>
    public static IEnumerable<object[]> Cases()
    {
        var r1 = Rcd(("a", I(1)), ("b", Str("u")));
        var rNeg = Rcd(("a", I(-1)), ("b", Str("u")));
        var cup = new CupV(RecN, Set(Nil));
        yield return ["[D -> Rec(N) \\cup {Nil}]", new FcnSetV(Set(I(1), I(2)), cup), new TupleV([r1, Nil]), true];
        yield return ["[D -> Rec(N) \\cup {Nil}] (a = -1)", new FcnSetV(Set(I(1), I(2)), cup), new TupleV([rNeg, Nil]), false];
        yield return ["[a : N, b : {u, v}]", RecN, r1, true];
        yield return ["N \\cup {Nil}", new CupV(N, Set(Nil)), Nil, true];
        yield return ["N \\ {7}", new DiffV(N, Set(I(7))), I(7), false];
        yield return ["N \\ {7} (3)", new DiffV(N, Set(I(7))), I(3), true];
        yield return ["N \\cap N", new CapV(N, N), I(3), true];
        yield return ["SUBSET N", new SubsetV(N), Set(I(1), I(5)), true];
        yield return ["SUBSET N ({-1})", new SubsetV(N), Set(I(-1)), false];
        yield return ["N \\X Seq(N)", new ProductV([N, Seq(N)]), new TupleV([I(1), new TupleV([I(2), I(3)])]), true];
        yield return ["Seq(N)", Seq(N), new TupleV([I(0), I(-1)]), false];
        yield return ["Seq(Rec(N) \\cup {Nil})", Seq(cup), new TupleV([Nil, r1]), true];
        yield return ["UNION {Rec(N)}", new UnionV(Set(I(0)), [RecN]), r1, true];
        yield return ["{x \\in N : x < 3}", new FilterV(N, v => ((IntV)v).N < 3), I(2), true];
        yield return ["{x \\in N : x < 3} (5)", new FilterV(N, v => ((IntV)v).N < 3), I(5), false];
        yield return ["[r : [D -> Rec(N) \\cup {Nil}], t : SUBSET N]",
            new RecSetV([Str("r"), Str("t")], [new FcnSetV(Set(I(1)), cup), new SubsetV(N)]),
            Rcd(("r", new TupleV([r1])), ("t", Set(I(4)))), true];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MembershipNeverEnumeratesTheOperands(string form, SetBase set, Value elem, bool expected)
    {
        Assert.True(expected == set.Contains(elem), form);
    }

    /// <summary>The planted bug: membership by enumeration (the old `S \cup T` of a record set with a Nat field, the
    /// old SUBSET of an infinite set) is caught by the same sets.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EagerMembershipIsCaught(string form, SetBase set, Value elem, bool expected)
    {
        _ = expected;
        var ex = Assert.ThrowsAny<Exception>(() => set.Normalize().Contains(elem));
        // Seq(S) and N \cap N themselves refuse enumeration with TLC's error
        Assert.True(ex is EnumeratedException || ex is EvalError && ex.Message.StartsWith("Attempted to enumerate "), form + ": " + ex.Message);
    }

    [Fact]
    public void InfiniteSetsPrintInTheirFormWithoutEnumerating()
    {
        var cup = new CupV(RecN, Set(Nil));
        Assert.Equal("[a : N, b : {\"u\", \"v\"}] \\cup {Nil}", cup.ToString());
        Assert.Equal("[{1, 2} -> [a : N, b : {\"u\", \"v\"}] \\cup {Nil}]", new FcnSetV(Set(I(1), I(2)), cup).ToString());
        Assert.Equal("SUBSET N", new SubsetV(N).ToString());
        Assert.Equal("N \\X N", new ProductV([N, N]).ToString());
        Assert.Equal("N \\ {7}", new DiffV(N, Set(I(7))).ToString());
    }

    /// <summary>Evaluates expr as a constant definition of a module extending the standard modules.</summary>
    private static string Eval(string expr)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lazy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), $"---- MODULE E ----\nEXTENDS Integers, Sequences, FiniteSets, TLC\nVARIABLE v\nInit == v = 0\nNext == v' = v\nX == {expr}\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "INIT Init\nNEXT Next\n");
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), null);
            var def = ((DefSym)spec.Root.Top.Find("X")!).D;
            return Show.V(def.Body!.Eval(new Ctx(spec) { Cur = [IntV.Of(0)] }, null));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>What TLC 2026.11.24 printed for the same expressions (one PrintT of their tuple).</summary>
    [Theory]
    [InlineData("<<1, 2>> \\in [1..2 -> Nat]", "TRUE")]
    [InlineData("[a |-> 1] \\in [a : Nat] \\cup [b : Nat]", "TRUE")]
    [InlineData("[b |-> 1] \\in [a : Nat] \\cup [b : Nat]", "TRUE")]
    [InlineData("5 \\in {n \\in Nat : n > 3} \\cap {n \\in Int : n < 7}", "TRUE")]
    [InlineData("<<>> \\in [a : Nat]", "FALSE")]
    [InlineData("(1 :> 2) \\in Seq(Nat)", "TRUE")]
    [InlineData("[n \\in 1..2 |-> n] \\in Seq(Nat)", "TRUE")]
    [InlineData("{} \\in SUBSET Nat", "TRUE")]
    [InlineData("\"a\" \\in STRING \\cup Nat", "TRUE")]
    [InlineData("-1 \\in Nat \\cup Int", "TRUE")]
    [InlineData("<<1, \"a\">> \\in Nat \\X STRING", "TRUE")]
    [InlineData("[a |-> 1, b |-> 2] \\in [a : Nat]", "FALSE")]
    [InlineData("{1, 2} \\in SUBSET {n \\in Nat : n < 3}", "TRUE")]
    [InlineData("{1, 2} \\subseteq Nat", "TRUE")]
    [InlineData("[x \\in {1, 2} |-> x] \\in [{1, 2} -> Nat \\ {0}]", "TRUE")]
    [InlineData("{<<1>>} \\in SUBSET Seq(Nat)", "TRUE")]
    [InlineData("Cardinality({n \\in SUBSET (1..3) : Cardinality(n) = 2} \\cup {{7}})", "4")]
    [InlineData("{n \\in SUBSET (1..3) : Cardinality(n) = 2} \\ {{1, 2}}", "{{1, 3}, {2, 3}}")]
    [InlineData("(SUBSET (1..2)) \\cap {{1}, {3}}", "{{1}}")]
    [InlineData("{{1}, {3}} \\cap SUBSET (1..2)", "{{1}}")]
    [InlineData("IsFiniteSet(Nat \\ {1})", "FALSE")]
    [InlineData("IsFiniteSet({1} \\cap Nat)", "TRUE")]
    [InlineData("3 \\in {n \\in Nat : n > 1} \\ {n \\in Nat : n > 2}", "FALSE")]
    [InlineData("<<1, 2>> \\in Seq(Nat) \\cap [1..2 -> Nat]", "TRUE")]
    public void ValuesAreTlcs(string expr, string expected) => Assert.Equal(expected, Eval(expr));

    /// <summary>TLC's errors for a value of the wrong kind (tlc2/value/impl/*Value.member), as TLC printed them
    /// in the corpus models LazyErrNot*.</summary>
    [Fact]
    public void WrongKindsAreTlcsErrors()
    {
        Assert.StartsWith("Attempted to check if non-record\n1\nis in the set of records:", Assert.Throws<EvalError>(() => RecN.Contains(I(1))).Message);
        Assert.StartsWith("Attempted to check if \n\"a\"\nwhich is not a TLC function value, is in the set of functions:",
            Assert.Throws<EvalError>(() => new FcnSetV(Set(I(1)), N).Contains(Str("a"))).Message);
        Assert.Equal("Attempted to check if the non-enumerable value\n1\nis element of\nSUBSET N", Assert.Throws<EvalError>(() => new SubsetV(N).Contains(I(1))).Message);
        Assert.StartsWith("Attempted to check if non-tuple\n[a |-> 1]\nis in the set of tuples:", Assert.Throws<EvalError>(() => new ProductV([N, N]).Contains(Rcd(("a", I(1))))).Message);
        Assert.Equal("Attempted to check if the value:\n[a |-> 1]\nis an element of Seq(N).", Assert.Throws<EvalError>(() => Seq(N).Contains(Rcd(("a", I(1))))).Message);
        var nat = (SetBase)Builtins.Modules["Naturals"]["Nat"].Fn(null!, []);
        Assert.Equal("Attempted to check if the value:\n\"a\"\nis an element of Nat.", Assert.Throws<EvalError>(() => nat.Contains(Str("a"))).Message);
        // a model value is in none of them (untyped model values, TLC's modelValueMember)
        var mv = new ModelV("m", 99);
        Assert.False(RecN.Contains(mv));
        Assert.False(new SubsetV(N).Contains(mv));
        Assert.False(Seq(N).Contains(mv));
    }
}
