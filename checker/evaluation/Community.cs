namespace NotifierSpec.Checker;

/// <summary>
/// The TLA+ Community Modules (github.com/tlaplus/CommunityModules) that tlaplus/Examples uses most, implemented
/// natively with TLC's semantics: where TLC evaluates an operator with a Java override (FoldSet, IsInjective,
/// SetToSeq, FoldLeft, ...), its results and iteration order; otherwise the meaning of the module's TLA+ definition,
/// with the evaluation error TLC reports for it (Max of the empty set is a CHOOSE that no element satisfies).
/// A module of the same name next to the spec (or on TLA_LIB) is used instead (ModuleLoader.IsNative).
/// </summary>
public static partial class Builtins
{
    private static readonly HashSet<string> CommunityNames = ["Folds", "Functions", "FiniteSetsExt", "SequencesExt", "UndirectedGraphs", "TLCExt", "Bitwise", "Randomization", "FunctionTheorems", "BagsExt", "Relation"];

    private static string Nth(int i) => i switch { 0 => "first", 1 => "second", 2 => "third", 3 => "fourth", _ => "fifth" };

    private static EvalError ArgErr(int i, string op, string kind, Value v) =>
        new($"The {Nth(i)} argument of {op} should be {(kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {kind}, but instead it is: {v.KindName} {Node.Trunc(v)}");

    /// <summary>The elements of a finite set, in TLC's order.</summary>
    private static Value[] Set(Value v, int i, string op)
    {
        if (v is not SetBase s) throw ArgErr(i, op, "set", v);
        if (!s.IsFinite) throw new EvalError($"The {Nth(i)} argument of {op} should be a finite set, but instead it is: {Node.Trunc(v)}");
        return s.Normalize().Elems;
    }

    private static FcnBase Fcn(Value v, int i, string op)
    {
        if (v is LazyFcnV l) return l.Materialize();
        return v as FcnBase ?? throw ArgErr(i, op, "function", v);
    }

    private static Value[] Seq(Value v, int i, string op)
    {
        if (v is TupleV t) return t.Elems;
        if (v is LazyFcnV l && l.Materialize() is TupleV t2) return t2.Elems;
        throw ArgErr(i, op, "sequence", v);
    }

    private static long Int(Value v, int i, string op) => v is IntV n ? n.N : throw ArgErr(i, op, "integer", v);

    private static bool Test(Ctx c, OpV op, Value x, string name, int i)
    {
        var r = op.Apply(c, [x]);
        return r is BoolV b ? b.B : throw new EvalError($"The {Nth(i)} argument of {name} should be a boolean-valued operator, but it returned: {r.KindName} {Node.Trunc(r)}");
    }

    private static SetV SetOf(IEnumerable<Value> xs) => new(xs.ToArray());

    /// <summary>f[x], with the error TLC reports when x is not in the domain of f.</summary>
    private static Value At(FcnBase f, Value x) => f.Apply(x)
        ?? throw new EvalError($"Attempted to apply function:\n{Node.Trunc(f)}\nto argument {Node.Trunc(x)}, which is not in the domain of the function.");

    private static EvalError NoChoice(Value s) =>
        new($"Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {Node.Trunc(s)}");

    private static void AddCommunity(Dictionary<string, Dictionary<string, Builtin>> modules, Dictionary<string, Builtin> nat, Dictionary<string, Builtin> seq, Dictionary<string, Builtin> tlc)
    {
        static void Add(Dictionary<string, Builtin> m, string name, int[] arities, Func<Ctx, Value[], Value> f, bool constant = true) =>
            m[name] = new Builtin(name, arities.Length, f, constant, arities.Any(a => a > 0) ? arities : null);
        var plus = nat["+"].Fn; var times = nat["*"].Fn; var geq = nat[">="].Fn; var leq = nat["<="].Fn;
        var subSeq = seq["SubSeq"].Fn; var sortSeq = tlc["SortSeq"].Fn;

        // ---------------------------------------------------------------- Folds
        var folds = new Dictionary<string, Builtin>();
        // MapThenFoldSet(op, base, f, choose, S): picks x1 = choose(S), x2 = choose(S without x1), ... and
        // gives op(f(x1), op(f(x2), ... op(f(xn), base)))
        Value MapThenFold(Ctx c, Func<Value, Value, Value> op, Value b, Func<Value, Value> f, Func<SetV, Value> choose, SetV s)
        {
            var xs = new List<Value>();
            while (s.Elems.Length > 0)
            {
                var x = choose(s);
                if (!s.Contains(x)) throw new EvalError($"MapThenFoldSet: choose returned {Node.Trunc(x)}, which is not an element of {Node.Trunc(s)}");
                xs.Add(x);
                s = new SetV(s.Elems.Where(y => !y.Equals(x)).ToArray(), true);
            }
            var ys = xs.Select(f).ToArray();
            var acc = b;
            for (int k = ys.Length - 1; k >= 0; k--) acc = op(ys[k], acc);
            return acc;
        }
        Add(folds, "MapThenFoldSet", [2, 0, 1, 1, 0], (c, a) =>
        {
            var op = Op(a[0], "MapThenFoldSet"); var f = Op(a[2], "MapThenFoldSet"); var ch = Op(a[3], "MapThenFoldSet");
            var s = new SetV(Set(a[4], 4, "MapThenFoldSet"), true);
            return MapThenFold(c, (x, y) => op.Apply(c, [x, y]), a[1], x => f.Apply(c, [x]), t => ch.Apply(c, [t]), s);
        });

        // ---------------------------------------------------------------- Functions
        var fns = new Dictionary<string, Builtin>();
        Value Restrict(FcnBase f, Value[] dom) => FcnBase.Make(dom, dom.Select(x => At(f, x)).ToArray());
        Value[] Dom(FcnBase f) { var d = new Value[f.Count]; for (int i = 0; i < d.Length; i++) d[i] = f.KeyAt(i); return d; }
        Value[] Vals(FcnBase f) { var d = new Value[f.Count]; for (int i = 0; i < d.Length; i++) d[i] = f.ValAt(i); return d; }
        SetV Range(FcnBase f) => SetOf(Vals(f));
        bool Injective(FcnBase f)
        {
            var v = Vals(f);
            for (int i = 0; i < v.Length; i++) for (int j = i + 1; j < v.Length; j++) if (v[i].Equals(v[j])) return false;
            return true;
        }
        bool Surjective(FcnBase f, Value[] t) { var r = Range(f); return t.All(r.Contains); }
        Add(fns, "Restrict", [0, 0], (_, a) => Restrict(Fcn(a[0], 0, "Restrict"), Set(a[1], 1, "Restrict")));
        Add(fns, "RestrictDomain", [0, 1], (c, a) =>
        {
            var f = Fcn(a[0], 0, "RestrictDomain"); var t = Op(a[1], "RestrictDomain");
            return Restrict(f, Dom(f).Where(x => Test(c, t, x, "RestrictDomain", 1)).ToArray());
        });
        Add(fns, "RestrictValues", [0, 1], (c, a) =>
        {
            var f = Fcn(a[0], 0, "RestrictValues"); var t = Op(a[1], "RestrictValues");
            return Restrict(f, Dom(f).Where(x => Test(c, t, At(f, x), "RestrictValues", 1)).ToArray());
        });
        Add(fns, "IsRestriction", [0, 0], (_, a) =>
        {
            var n = Fcn(a[0], 0, "IsRestriction"); var w = Fcn(a[1], 1, "IsRestriction");
            return BoolV.Of(Dom(n).All(x => w.Apply(x) is { } y && EqN.ValEq(At(n, x), y)));
        });
        Add(fns, "Range", [0], (_, a) => Range(Fcn(a[0], 0, "Range")));
        Add(fns, "Pointwise", [0, 0, 2], (c, a) =>
        {
            var f = Fcn(a[0], 0, "Pointwise"); var g = Fcn(a[1], 1, "Pointwise"); var t = Op(a[2], "Pointwise");
            var d = Dom(f);
            return FcnBase.Make(d, d.Select(x => t.Apply(c, [At(f, x), At(g, x)])).ToArray());
        });
        // Inverse(f, S, T): each t of T maps to the first s of S (TLC's order) with f[s] = t, or to the first s of
        // S when t is not a value of f
        Value Inverse(FcnBase f, Value[] s, Value[] t)
        {
            var r = Range(f);
            return FcnBase.Make(t, t.Select(y =>
            {
                foreach (var x in s) if (!r.Contains(y) || EqN.ValEq(At(f, x), y)) return x;
                throw NoChoice(new SetV(s, true));
            }).ToArray());
        }
        Add(fns, "Inverse", [0, 0, 0], (_, a) => Inverse(Fcn(a[0], 0, "Inverse"), Set(a[1], 1, "Inverse"), Set(a[2], 2, "Inverse")));
        // TLC's override swaps domain and values: a value that occurs twice is an error
        Add(fns, "AntiFunction", [0], (_, a) =>
        {
            var f = Fcn(a[0], 0, "AntiFunction"); var v = Vals(f);
            for (int i = 0; i < v.Length; i++) for (int j = i + 1; j < v.Length; j++)
                    if (v[i].Equals(v[j])) throw new EvalError($"AntiFunction: the value {Node.Trunc(v[i])} occurs multiple times in the function domain.");
            return FcnBase.MakeUnsorted(v, Dom(f));
        });
        Add(fns, "IsInjective", [0], (_, a) => BoolV.Of(Injective(Fcn(a[0], 0, "IsInjective"))));
        // { M \in [S -> T] : P(M) }: membership tests M \in [S -> T] and P(M) without enumerating [S -> T]
        Value FcnSet(Value s, Value t, string op, Func<FcnBase, Value[], bool> p)
        {
            var d = Set(s, 0, op); var r = Set(t, 1, op);
            var fs = new FcnSetV(new SetV(d, true), new SetV(r, true));
            return new LazySetV(v => fs.Contains(v) && p(Fcn(v, 0, op), r), () => fs.Normalize().Elems.Where(f => p((FcnBase)f, r)));
        }
        Add(fns, "Injection", [0, 0], (_, a) => FcnSet(a[0], a[1], "Injection", (f, _) => Injective(f)));
        Add(fns, "Surjection", [0, 0], (_, a) => FcnSet(a[0], a[1], "Surjection", Surjective));
        Add(fns, "Bijection", [0, 0], (_, a) => FcnSet(a[0], a[1], "Bijection", (f, r) => Injective(f) && Surjective(f, r)));
        // |S| <= |T|, |T| <= |S| (and S empty iff T empty), |S| = |T|: the sets of functions need not be built
        Add(fns, "ExistsInjection", [0, 0], (_, a) => BoolV.Of(Set(a[0], 0, "ExistsInjection").Length <= Set(a[1], 1, "ExistsInjection").Length));
        Add(fns, "ExistsSurjection", [0, 0], (_, a) =>
        {
            int s = Set(a[0], 0, "ExistsSurjection").Length, t = Set(a[1], 1, "ExistsSurjection").Length;
            return BoolV.Of(t == 0 ? s == 0 : s > 0 && t <= s);
        });
        Add(fns, "ExistsBijection", [0, 0], (_, a) => BoolV.Of(Set(a[0], 0, "ExistsBijection").Length == Set(a[1], 1, "ExistsBijection").Length));
        // TLC's override (Functions.java): acc := op(fun[x], acc) for x in the (sub)domain, in TLC's order
        Value FoldFunctionOnSet(Ctx c, OpV op, Value b, FcnBase f, Value[] xs)
        {
            var acc = b;
            foreach (var x in xs) acc = op.Apply(c, [At(f, x), acc]);
            return acc;
        }
        Add(fns, "FoldFunction", [2, 0, 0], (c, a) => { var f = Fcn(a[2], 2, "FoldFunction"); return FoldFunctionOnSet(c, Op(a[0], "FoldFunction"), a[1], f, Dom(f)); });
        Add(fns, "FoldFunctionOnSet", [2, 0, 0, 0], (c, a) => FoldFunctionOnSet(c, Op(a[0], "FoldFunctionOnSet"), a[1], Fcn(a[2], 2, "FoldFunctionOnSet"), Set(a[3], 3, "FoldFunctionOnSet")));

        // ---------------------------------------------------------------- FiniteSetsExt (EXTENDS Folds, Functions)
        var fse = new Dictionary<string, Builtin>();
        // TLC's override (FiniteSetsExt.java): acc := op(x, acc) for x in the set, in TLC's order
        Value FoldSet(Ctx c, Func<Ctx, Value[], Value> op, Value b, Value[] xs)
        {
            var acc = b;
            foreach (var x in xs) acc = op(c, [x, acc]);
            return acc;
        }
        Add(fse, "FoldSet", [2, 0, 0], (c, a) => { var op = Op(a[0], "FoldSet"); return FoldSet(c, op.Apply, a[1], Set(a[2], 2, "FoldSet")); });
        Add(fse, "SumSet", [0], (c, a) => FoldSet(c, plus, IntV.Of(0), Set(a[0], 0, "SumSet")));
        Add(fse, "ProductSet", [0], (c, a) => FoldSet(c, times, IntV.Of(1), Set(a[0], 0, "ProductSet")));
        Add(fse, "ReduceSet", [2, 0, 0], (c, a) => { var op = Op(a[0], "ReduceSet"); return FoldSet(c, op.Apply, a[2], Set(a[1], 1, "ReduceSet")); });
        Add(fse, "MapThenSumSet", [1, 0], (c, a) =>
        {
            var f = Op(a[0], "MapThenSumSet");
            return MapThenFold(c, (x, y) => plus(c, [x, y]), IntV.Of(0), x => f.Apply(c, [x]), s => s.Elems[0], new SetV(Set(a[1], 1, "MapThenSumSet"), true));
        });
        Add(fse, "FlattenSet", [0], (_, a) => SetOf(Set(a[0], 0, "FlattenSet").SelectMany(x => Set(x, 0, "UNION"))));
        Add(fse, "SymDiff", [0, 0], (_, a) =>
        {
            var x = Set(a[0], 0, "SymDiff"); var y = Set(a[1], 1, "SymDiff");
            var sx = new SetV(x, true); var sy = new SetV(y, true);
            return SetOf(x.Where(v => !sy.Contains(v)).Concat(y.Where(v => !sx.Contains(v))));
        });
        Add(fse, "Quantify", [0, 1], (c, a) => { var p = Op(a[1], "Quantify"); return IntV.Of(Set(a[0], 0, "Quantify").Count(x => Test(c, p, x, "Quantify", 1))); });
        Add(fse, "kSubset", [0, 0], (_, a) =>
        {
            var s = Set(a[1], 1, "kSubset"); long k = Int(a[0], 0, "kSubset");
            var ss = new SetV(s, true);
            IEnumerable<Value> Enumerate()
            {
                var res = new List<Value>();
                void Rec(int from, List<Value> cur)
                {
                    if (cur.Count == k) { res.Add(new SetV(cur.ToArray(), true)); return; }
                    for (int i = from; i <= s.Length - (k - cur.Count); i++) { cur.Add(s[i]); Rec(i + 1, cur); cur.RemoveAt(cur.Count - 1); }
                }
                if (k >= 0 && k <= s.Length) Rec(0, []);
                return res;
            }
            // as TLC's KSubsetValue: membership is a k-element subset of S, without enumerating the k-subsets
            return new LazySetV(v => v is SetBase x && x.Size == k && x.Elements().All(ss.Contains), Enumerate);
        });
        // Max(S) (Min(S)) is a CHOOSE of an element no smaller (no larger) than all others: the first such
        // element in TLC's order, each comparison with >= (=<) and its errors
        Value Extreme(Value sv, string name, Func<Ctx, Value[], Value> cmp, Ctx c)
        {
            var s = Set(sv, 0, name);
            // integers only (no comparison can fail): the set's last or first element, which that CHOOSE picks
            if (s.Length > 0 && s.All(x => x is IntV)) return name == "Max" ? s[^1] : s[0];
            foreach (var x in s)
                if (s.All(y => ((BoolV)cmp(c, [x, y])).B)) return x;
            throw NoChoice(sv);
        }
        Add(fse, "Max", [0], (c, a) => Extreme(a[0], "Max", geq, c));
        Add(fse, "Min", [0], (c, a) => Extreme(a[0], "Min", leq, c));
        // Choices(Sets): the set of the ranges of the choice functions (one element picked from each set)
        Add(fse, "Choices", [0], (_, a) =>
        {
            var sets = Set(a[0], 0, "Choices").Select(x => Set(x, 0, "Choices")).ToArray();
            var res = new List<Value>();
            var pick = new Value[sets.Length];
            void Rec(int i)
            {
                if (i == sets.Length) { res.Add(SetOf(pick)); return; }
                foreach (var x in sets[i]) { pick[i] = x; Rec(i + 1); }
            }
            Rec(0);
            return SetOf(res);
        });
        Add(fse, "ChooseUnique", [0, 1], (c, a) =>
        {
            var s = Set(a[0], 0, "ChooseUnique"); var p = Op(a[1], "ChooseUnique");
            foreach (var x in s)
                if (Test(c, p, x, "ChooseUnique", 1) && s.All(y => !Test(c, p, y, "ChooseUnique", 1) || EqN.ValEq(y, x))) return x;
            throw NoChoice(a[0]);
        });

        // ---------------------------------------------------------------- SequencesExt
        var sx = new Dictionary<string, Builtin>();
        TupleV T(IEnumerable<Value> xs) => new(xs.ToArray());
        Value[] Sub(Value[] s, long m, long n) => ((TupleV)subSeq(null!, [new TupleV(s), IntV.Of(m), IntV.Of(n)])).Elems;
        bool IsPrefix(Value[] s, Value[] t) => s.Length <= t.Length && s.Select((x, i) => x.Equals(t[i])).All(b => b);
        IEnumerable<Value[]> SubSeqs(Value[] s)
        {
            yield return [];
            for (int i = 0; i < s.Length; i++) for (int j = i + 1; j <= s.Length; j++) yield return s[i..j];
        }
        // the start (1-based) of the first occurrence of s in t, 0 if none (s = <<>> starts at 1)
        int IndexOf(Value[] s, Value[] t)
        {
            for (int i = 0; i + s.Length <= t.Length; i++)
                if (s.Select((x, k) => x.Equals(t[i + k])).All(b => b)) return i + 1;
            return 0;
        }
        Add(sx, "ToSet", [0], (_, a) => Range(Fcn(a[0], 0, "ToSet")));
        // TLC's override: the elements in TLC's order
        Add(sx, "SetToSeq", [0], (_, a) => new TupleV((Value[])Set(a[0], 0, "SetToSeq").Clone()));
        IEnumerable<Value[]> Perms(Value[] s)
        {
            foreach (var p in Builtins.Perms(s.Length)) yield return p.Select(i => s[i]).ToArray();
        }
        Add(sx, "SetToSeqs", [0], (_, a) => SetOf(Perms(Set(a[0], 0, "SetToSeqs")).Select(p => (Value)new TupleV(p))));
        Add(sx, "SetToSortSeq", [0, 2], (c, a) => sortSeq(c, [new TupleV((Value[])Set(a[0], 0, "SetToSortSeq").Clone()), a[1]]));
        Add(sx, "SetToAllKPermutations", [0], (_, a) =>
        {
            var s = Set(a[0], 0, "SetToAllKPermutations");
            return SetOf(new SubsetV(new SetV(s, true)).Elements().SelectMany(x => Perms(((SetBase)x).Normalize().Elems)).Select(p => (Value)new TupleV(p)));
        });
        Add(sx, "TupleOf", [0, 0], (_, a) => new FcnSetV(new IntervalV(1, Int(a[1], 1, "TupleOf")), a[0] as SetBase ?? throw ArgErr(0, "TupleOf", "set", a[0])));
        Value SeqOf(Value[] a, string name)
        {
            var s = a[0] as SetBase ?? throw ArgErr(0, name, "set", a[0]);
            long n = Int(a[1], 1, name);
            var sets = new List<SetBase>();
            for (long m = 0; m <= n; m++) sets.Add(new FcnSetV(new IntervalV(1, m), s));
            return new UnionV(new IntervalV(0, n), sets.ToArray());
        }
        Add(sx, "SeqOf", [0, 0], (_, a) => SeqOf(a, "SeqOf"));
        Add(sx, "BoundedSeq", [0, 0], (_, a) => SeqOf(a, "BoundedSeq"));
        Add(sx, "Contains", [0, 0], (_, a) => BoolV.Of(Seq(a[0], 0, "Contains").Any(x => x.Equals(a[1]))));
        Add(sx, "Reverse", [0], (_, a) => T(Seq(a[0], 0, "Reverse").Reverse()));
        Add(sx, "Remove", [0, 0], (_, a) => T(Seq(a[0], 0, "Remove").Where(x => !EqN.ValEq(x, a[1]))));
        Add(sx, "ReplaceAll", [0, 0, 0], (_, a) => T(Seq(a[0], 0, "ReplaceAll").Select(x => EqN.ValEq(x, a[1]) ? a[2] : x)));
        // TLC's overrides: the first (last) index whose element passes the test, 0 if none
        Value SelectIn(Ctx c, Value sv, long from, long to, Value opv, string name, bool last, bool sub)
        {
            var s = Seq(sv, 0, name); var op = Op(opv, name);
            if (!sub) { from = 1; to = s.Length; }
            else
            {
                if (from > to) return IntV.Of(0);
                if (from < 1 || from > s.Length) throw new EvalError($"The second argument of {name} must be in the domain of its first argument:\n{Node.Trunc(sv)}\n, but instead it is\n{from}");
                if (to < 1 || to > s.Length) throw new EvalError($"The third argument of {name} must be in the domain of its first argument:\n{Node.Trunc(sv)}\n, but instead it is\n{to}");
            }
            int ti = sub ? 3 : 1;
            if (!last) { for (long i = from; i <= to; i++) if (Test(c, op, s[i - 1], name, ti)) return IntV.Of(i); }
            else { for (long i = to; i >= from; i--) if (Test(c, op, s[i - 1], name, ti)) return IntV.Of(i); }
            return IntV.Of(0);
        }
        Add(sx, "SelectInSeq", [0, 1], (c, a) => SelectIn(c, a[0], 0, 0, a[1], "SelectInSeq", false, false));
        Add(sx, "SelectLastInSeq", [0, 1], (c, a) => SelectIn(c, a[0], 0, 0, a[1], "SelectLastInSeq", true, false));
        Add(sx, "SelectInSubSeq", [0, 0, 0, 1], (c, a) => SelectIn(c, a[0], Int(a[1], 1, "SelectInSubSeq"), Int(a[2], 2, "SelectInSubSeq"), a[3], "SelectInSubSeq", false, true));
        Add(sx, "SelectLastInSubSeq", [0, 0, 0, 1], (c, a) => SelectIn(c, a[0], Int(a[1], 1, "SelectLastInSubSeq"), Int(a[2], 2, "SelectLastInSubSeq"), a[3], "SelectLastInSubSeq", true, true));
        // InsertAt(s, i, e): the elements before i, e, then the rest, cut with SubSeq (so SubSeq's errors when i is
        // outside 1..Len(s)+1)
        Add(sx, "InsertAt", [0, 0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "InsertAt"); long i = Int(a[1], 1, "InsertAt");
            return T([.. Sub(s, 1, i - 1), a[2], .. Sub(s, i, s.Length)]);
        });
        // ReplaceAt(s, i, e) is an EXCEPT at i: TLC leaves s unchanged when i is not in its domain
        Add(sx, "ReplaceAt", [0, 0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "ReplaceAt");
            if (a[1] is not IntV { N: var i } || i < 1 || i > s.Length) return a[0];
            var r = (Value[])s.Clone(); r[i - 1] = a[2];
            return new TupleV(r);
        });
        Add(sx, "RemoveAt", [0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "RemoveAt"); long i = Int(a[1], 1, "RemoveAt");
            return T([.. Sub(s, 1, i - 1), .. Sub(s, i + 1, s.Length)]);
        });
        Add(sx, "RemoveFirst", [0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "RemoveFirst");
            int k = Array.FindIndex(s, x => x.Equals(a[1]));
            return k < 0 ? new TupleV(s) : T(s.Where((_, i) => i != k));
        });
        Add(sx, "RemoveFirstMatch", [0, 1], (c, a) =>
        {
            var s = Seq(a[0], 0, "RemoveFirstMatch"); var op = Op(a[1], "RemoveFirstMatch");
            int k = -1;
            for (int i = 0; i < s.Length && k < 0; i++) if (Test(c, op, s[i], "RemoveFirstMatch", 1)) k = i;
            return k < 0 ? new TupleV(s) : T(s.Where((_, i) => i != k));
        });
        Add(sx, "Cons", [0, 0], (_, a) => T([a[0], .. Seq(a[1], 1, "Cons")]));
        Add(sx, "Snoc", [0, 0], (_, a) => T([.. Seq(a[1], 1, "Snoc"), a[0]]));
        Add(sx, "Front", [0], (_, a) => { var s = Seq(a[0], 0, "Front"); return T(Sub(s, 1, s.Length - 1)); });
        // Last(s) applies s to Len(s) (the function application error for <<>>)
        Add(sx, "Last", [0], (_, a) => { var s = Seq(a[0], 0, "Last"); return At(new TupleV(s), IntV.Of(s.Length)); });
        Value Prefix(Value[] a, string name, bool strict, bool suffix)
        {
            if (!suffix && a[0] is StrV p && a[1] is StrV q) return BoolV.Of(q.S.StartsWith(p.S, StringComparison.Ordinal) && !(strict && p.S == q.S));
            var s = Seq(a[0], 0, name); var t = Seq(a[1], 1, name);
            if (suffix) { s = s.Reverse().ToArray(); t = t.Reverse().ToArray(); }
            return BoolV.Of(IsPrefix(s, t) && !(strict && s.Length == t.Length));
        }
        Add(sx, "IsPrefix", [0, 0], (_, a) => Prefix(a, "IsPrefix", false, false));
        Add(sx, "IsStrictPrefix", [0, 0], (_, a) => Prefix(a, "IsStrictPrefix", true, false));
        Add(sx, "IsSuffix", [0, 0], (_, a) => Prefix(a, "IsSuffix", false, true));
        Add(sx, "IsStrictSuffix", [0, 0], (_, a) => Prefix(a, "IsStrictSuffix", true, true));
        Add(sx, "Prefixes", [0], (_, a) => { var s = Seq(a[0], 0, "Prefixes"); return SetOf(Enumerable.Range(0, s.Length + 1).Select(l => (Value)new TupleV(s[..l]))); });
        Add(sx, "Suffixes", [0], (_, a) => { var s = Seq(a[0], 0, "Suffixes"); return SetOf(Enumerable.Range(0, s.Length + 1).Select(l => (Value)new TupleV(s[l..]))); });
        Add(sx, "CommonPrefixes", [0], (_, a) =>
        {
            var ss = Set(a[0], 0, "CommonPrefixes").Select(x => Seq(x, 0, "CommonPrefixes")).ToArray();
            var all = ss.SelectMany(s => Enumerable.Range(0, s.Length + 1).Select(l => s[..l]));
            return SetOf(all.Where(p => ss.All(t => IsPrefix(p, t))).Select(p => (Value)new TupleV(p)));
        });
        // TLC's override: the set's first element (its shortest) cut at the first difference with each other element
        Add(sx, "LongestCommonPrefix", [0], (c, a) =>
        {
            var s = Set(a[0], 0, "LongestCommonPrefix");
            if (s.Length == 0) throw new EvalError($"The argument of LongestCommonPrefix should be a non-empty set, but instead it is: {Node.Trunc(a[0])}");
            if (s[0] is StrV)
            {
                var strs = s.Select(x => x as StrV ?? throw new EvalError($"The argument of LongestCommonPrefix should be a set of strings, but instead it is: {Node.Trunc(a[0])}")).Select(x => x.S).ToArray();
                int n = strs.Min(x => x.Length), k = 0;
                while (k < n && strs.All(x => x[k] == strs[0][k])) k++;
                return c.In.Str(strs[0][..k]);
            }
            var seqs = s.Select(x => Seq(x, 0, "LongestCommonPrefix")).ToArray();
            int len = seqs.Min(x => x.Length), j = 0;
            while (j < len && seqs.All(x => x[j].Equals(seqs[0][j]))) j++;
            return new TupleV(seqs[0][..j]);
        });
        Add(sx, "SeqMod", [0, 0], (c, a) =>
        {
            var r = (IntV)nat["%"].Fn(c, a);
            return r.N == 0 ? a[1] : r;
        });
        Add(sx, "FoldSeq", [2, 0, 0], (c, a) => { var f = Fcn(a[2], 2, "FoldSeq"); return FoldFunctionOnSet(c, Op(a[0], "FoldSeq"), a[1], f, Dom(f)); });
        Add(sx, "FoldLeft", [2, 0, 0], (c, a) =>
        {
            var op = Op(a[0], "FoldLeft"); var acc = a[1];
            foreach (var x in Seq(a[2], 2, "FoldLeft")) acc = op.Apply(c, [acc, x]);
            return acc;
        });
        Add(sx, "FoldRight", [2, 0, 0], (c, a) =>
        {
            var op = Op(a[0], "FoldRight"); var acc = a[2]; var s = Seq(a[1], 1, "FoldRight");
            for (int i = s.Length - 1; i >= 0; i--) acc = op.Apply(c, [s[i], acc]);
            return acc;
        });
        Add(sx, "FoldLeftDomain", [2, 0, 0], (c, a) =>
        {
            var op = Op(a[0], "FoldLeftDomain"); var acc = a[1]; var s = Seq(a[2], 2, "FoldLeftDomain");
            for (int i = 1; i <= s.Length; i++) acc = op.Apply(c, [acc, IntV.Of(i)]);
            return acc;
        });
        Add(sx, "FoldRightDomain", [2, 0, 0], (c, a) =>
        {
            var op = Op(a[0], "FoldRightDomain"); var acc = a[2]; var s = Seq(a[1], 1, "FoldRightDomain");
            for (int i = s.Length; i >= 1; i--) acc = op.Apply(c, [IntV.Of(i), acc]);
            return acc;
        });
        Add(sx, "FlattenSeq", [0], (_, a) =>
        {
            var s = Seq(a[0], 0, "FlattenSeq");
            return s.Length == 0 ? a[0] : T(s.SelectMany(x => Seq(x, 0, "\\o")));
        });
        Add(sx, "Zip", [0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "Zip"); var t = Seq(a[1], 1, "Zip");
            return T(Enumerable.Range(0, Math.Min(s.Length, t.Length)).Select(i => (Value)new TupleV([s[i], t[i]])));
        });
        Add(sx, "Interleave", [0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "Interleave"); var t = Seq(a[1], 1, "Interleave");
            if (s.Length != t.Length) throw new EvalError("Attempted to evaluate a CASE with no conditions true");
            if (s.Length == 0) return new TupleV([TupleV.Empty, TupleV.Empty]);
            return T(Enumerable.Range(0, s.Length).SelectMany(i => new Value[] { new TupleV([s[i]]), new TupleV([t[i]]) }));
        });
        Add(sx, "SubSeqs", [0], (_, a) => SetOf(SubSeqs(Seq(a[0], 0, "SubSeqs")).Select(x => (Value)new TupleV(x))));
        Add(sx, "AllSubSeqs", [0], (_, a) =>
        {
            var s = Seq(a[0], 0, "AllSubSeqs");
            if (s.Length > 30) throw new EvalError($"AllSubSeqs of a sequence of length {s.Length}: too many subsequences");
            return SetOf(Enumerable.Range(0, 1 << s.Length).Select(m => (Value)T(s.Where((_, j) => (m & (1 << j)) != 0))));
        });
        Add(sx, "IndexFirstSubSeq", [0, 0], (_, a) =>
        {
            var s = Seq(a[0], 0, "IndexFirstSubSeq"); var t = Seq(a[1], 1, "IndexFirstSubSeq");
            int k = IndexOf(s, t);
            if (k == 0) throw NoChoice(new IntervalV(0, t.Length));
            return IntV.Of(k);
        });
        Value ReplaceSubSeqAt(long i, Value[] r, Value[] s, Value[] t) => T([.. Sub(t, 1, i - 1), .. r, .. Sub(t, i + s.Length, t.Length)]);
        Add(sx, "ReplaceSubSeqAt", [0, 0, 0, 0], (_, a) => ReplaceSubSeqAt(Int(a[0], 0, "ReplaceSubSeqAt"), Seq(a[1], 1, "ReplaceSubSeqAt"), Seq(a[2], 2, "ReplaceSubSeqAt"), Seq(a[3], 3, "ReplaceSubSeqAt")));
        Add(sx, "ReplaceFirstSubSeq", [0, 0, 0], (c, a) =>
        {
            if (a[0] is StrV rs && a[1] is StrV ss && a[2] is StrV ts)
            {
                int k = ts.S.IndexOf(ss.S, StringComparison.Ordinal);
                return k < 0 ? ts : c.In.Str(ts.S[..k] + rs.S + ts.S[(k + ss.S.Length)..]);
            }
            var r = Seq(a[0], 0, "ReplaceFirstSubSeq"); var s = Seq(a[1], 1, "ReplaceFirstSubSeq"); var t = Seq(a[2], 2, "ReplaceFirstSubSeq");
            int i = IndexOf(s, t);
            return i == 0 ? a[2] : ReplaceSubSeqAt(i, r, s, t);
        });
        // every occurrence of s in t, leftmost first and not overlapping, replaced by r; with s = <<>>, r before each element
        Add(sx, "ReplaceAllSubSeqs", [0, 0, 0], (c, a) =>
        {
            if (a[0] is StrV rs && a[1] is StrV ss && a[2] is StrV ts)
                return c.In.Str(ss.S.Length == 0 ? string.Concat(ts.S.Select(ch => rs.S + ch)) + (ts.S.Length == 0 ? rs.S : "") : ts.S.Replace(ss.S, rs.S, StringComparison.Ordinal));
            var r = Seq(a[0], 0, "ReplaceAllSubSeqs"); var s = Seq(a[1], 1, "ReplaceAllSubSeqs"); var t = Seq(a[2], 2, "ReplaceAllSubSeqs");
            if (s.Length == t.Length && IsPrefix(s, t)) return a[0];
            if (s.Length == 0) return T(t.SelectMany(x => r.Append(x)));
            var res = new List<Value>();
            for (int i = 0; i < t.Length;)
            {
                if (i + s.Length <= t.Length && s.Select((x, k) => x.Equals(t[i + k])).All(b => b)) { res.AddRange(r); i += s.Length; }
                else res.Add(t[i++]);
            }
            return T(res);
        });

        // ---------------------------------------------------------------- UndirectedGraphs
        // a graph is a record [node |-> N, edge |-> E], an edge a set {a, b} of nodes (a = b is a loop)
        var ug = new Dictionary<string, Builtin>();
        (Value[] Nodes, Value[] Edges) Graph(Ctx c, Value g, string op)
        {
            if (g is not FcnBase f) throw new EvalError($"Attempted to access field 'node' of non-record {g.KindName} {Node.Trunc(g)}");
            Value Field(string n) => f.Apply(c.In.Str(n)) ?? throw new EvalError($"Attempted to access nonexistent field '{n}' of record {Node.Trunc(g)}");
            return (Set(Field("node"), 0, op + " (G.node)"), Set(Field("edge"), 0, op + " (G.edge)"));
        }
        bool IsGraphRecord(Ctx c, Value g) => g is FcnBase f && f.Count == 2 && f.Apply(c.In.Str("node")) is not null && f.Apply(c.In.Str("edge")) is not null;
        // e is {a, b} for some nodes a, b (two distinct ones when loopFree); comparing e with a set errs as TLC's =
        bool IsEdge(Value e, SetV nodes, bool loopFree)
        {
            if (nodes.Elems.Length == 0) return false;
            if (e is not SetBase es) { EqN.ValEq(e, nodes); return false; }
            var x = es.Normalize().Elems;
            return (x.Length == 2 || x.Length == 1 && !loopFree) && x.All(nodes.Contains);
        }
        Value IsGraph(Ctx c, Value g, string op, bool loopFree)
        {
            var (n, e) = Graph(c, g, op);
            if (!IsGraphRecord(c, g)) return BoolV.False;
            var ns = new SetV(n, true);
            return BoolV.Of(e.All(x => IsEdge(x, ns, loopFree)));
        }
        Add(ug, "IsUndirectedGraph", [0], (c, a) => IsGraph(c, a[0], "IsUndirectedGraph", false));
        Add(ug, "IsLoopFreeUndirectedGraph", [0], (c, a) => IsGraph(c, a[0], "IsLoopFreeUndirectedGraph", true));
        Value GraphRec(Ctx c, Value n, Value e) => FcnBase.MakeUnsorted([c.In.Str("node"), c.In.Str("edge")], [n, e]);
        Add(ug, "UndirectedSubgraph", [0], (c, a) =>
        {
            var (n, e) = Graph(c, a[0], "UndirectedSubgraph");
            var res = new List<Value>();
            foreach (var ns in new SubsetV(new SetV(n, true)).Normalize().Elems.Cast<SetBase>())
            {
                var nn = ns.Normalize();
                foreach (var es in new SubsetV(new SetV(e, true)).Normalize().Elems.Cast<SetBase>())
                    if (es.Normalize().Elems.All(x => IsEdge(x, nn, false))) res.Add(GraphRec(c, ns, es));
            }
            return SetOf(res);
        });
        bool IsPath(Value[] p, SetV edges) => p.Length > 0 && Enumerable.Range(0, p.Length - 1).All(i => edges.Contains(SetOf([p[i], p[i + 1]])));
        // Path(G): the non-empty sequences of nodes whose consecutive nodes are joined by an edge: infinite, membership only
        Add(ug, "Path", [0], (c, a) =>
        {
            var (n, e) = Graph(c, a[0], "Path");
            var ns = new SetV(n, true); var es = new SetV(e, true);
            return new InfiniteSetV($"Path({Node.Trunc(a[0])})", v => v is TupleV t && t.Elems.All(ns.Contains) && IsPath(t.Elems, es));
        });
        Add(ug, "SimplePath", [0], (c, a) =>
        {
            var (n, e) = Graph(c, a[0], "SimplePath");
            var es = new SetV(e, true);
            var res = new List<Value>();
            var cur = new List<Value>();
            void Rec()
            {
                if (cur.Count > 0) res.Add(new TupleV(cur.ToArray()));
                foreach (var x in n)
                    if (!cur.Contains(x) && (cur.Count == 0 || es.Contains(SetOf([cur[^1], x])))) { cur.Add(x); Rec(); cur.RemoveAt(cur.Count - 1); }
            }
            Rec();
            return SetOf(res);
        });
        // the connected components (MapThenFoldSet merging the components of each edge's two nodes; an edge with a
        // node outside G.node is the CHOOSE error of its firstNode/secondNode)
        SetV Components(Ctx c, Value g, string op)
        {
            var (n, e) = Graph(c, g, op);
            var ns = new SetV(n, true);
            var comp = n.ToDictionary(x => x, x => new HashSet<Value> { x });
            foreach (var edge in e)
            {
                if (edge is not SetBase es || es.Normalize().Elems is not { Length: 1 or 2 } ends || !ends.All(ns.Contains)) throw NoChoice(ns);
                var ca = comp[ends[0]]; var cb = comp[ends[^1]];
                if (ReferenceEquals(ca, cb)) continue;
                ca.UnionWith(cb);
                foreach (var x in cb) comp[x] = ca;
            }
            return SetOf(comp.Values.Distinct().Select(h => (Value)SetOf(h)));
        }
        Add(ug, "ConnectedComponents", [0], (c, a) => Components(c, a[0], "ConnectedComponents"));
        Add(ug, "AreConnectedIn", [0, 0, 0], (c, a) => BoolV.Of(Components(c, a[2], "AreConnectedIn").Elems.Any(x => ((SetBase)x).Contains(a[0]) && ((SetBase)x).Contains(a[1]))));
        Add(ug, "IsStronglyConnected", [0], (c, a) => BoolV.Of(Components(c, a[0], "IsStronglyConnected").Elems.Length == 1));

        // ---------------------------------------------------------------- Bitwise (TLC's overrides: Java int operations)
        var bw = new Dictionary<string, Builtin>();
        int I32(Value v, int i, string op) => v is IntV n ? (int)n.N : throw ArgErr(i, op, "integer", v);
        // x & y first compares x >= y (the module's definition does), then TLC's override computes the Java int &
        Func<Ctx, Value[], Value> Bits(string op, Func<int, int, int> f) => (c, a) =>
        {
            geq(c, a);
            return IntV.Of(f(I32(a[0], 0, op), I32(a[1], 1, op)));
        };
        Add(bw, "&", [0, 0], Bits("&", (x, y) => x & y));
        Add(bw, "|", [0, 0], Bits("|", (x, y) => x | y));
        Add(bw, "^^", [0, 0], Bits("^^", (x, y) => x ^ y));
        // Not(a): the bits of a below its highest set bit, complemented (0 for 0 and for a negative a)
        Add(bw, "Not", [0], (_, a) =>
        {
            int x = I32(a[0], 0, "Not");
            int mask = int.MaxValue >> ((System.Numerics.BitOperations.LeadingZeroCount((uint)x) - 1) & 31);
            return IntV.Of(~x & mask);
        });
        // shiftR(n, pos): logical (unsigned) shift right of the 32-bit n
        Add(bw, "shiftR", [0, 0], (_, a) => IntV.Of((int)((uint)I32(a[0], 0, "shiftR") >> I32(a[1], 1, "shiftR"))));

        // ---------------------------------------------------------------- TLCExt (TLC's standard module)
        var tx = new Dictionary<string, Builtin>();
        Add(tx, "AssertEq", [0, 0], (c, a) =>
        {
            if (EqN.ValEq(a[0], a[1])) return BoolV.True;
            c.In.RequireSerial();
            lock (c.Out) { c.Out.WriteLine("\"Assertion failed\""); c.Out.WriteLine(Show.V(a[0])); c.Out.WriteLine(Show.V(a[1])); }
            return BoolV.False;
        }, false);
        Add(tx, "TLCModelValue", [0], (c, a) => a[0] is StrV s ? c.Spec.ModelValue(s.S) : throw ArgErr(0, "TLCModelValue", "string", a[0]));
        Add(tx, "TLCNoOp", [0], (_, a) => a[0]);
        Add(tx, "TLCCache", [0, 0], (_, a) => a[0]);
        Value GetOrDefault(Ctx c, Value key, Value dflt)
        {
            try { return c.Spec.TlcGet(c, key); }
            catch (EvalError e) when (e.Message.EndsWith("has no value", StringComparison.Ordinal)) { return dflt; }
        }
        Add(tx, "TLCGetOrDefault", [0, 0], (c, a) => GetOrDefault(c, a[0], a[1]), false);
        Add(tx, "TLCGetAndSet", [0, 2, 0, 0], (c, a) =>
        {
            var old = GetOrDefault(c, a[0], a[3]);
            c.Spec.TlcSet(a[0], Op(a[1], "TLCGetAndSet").Apply(c, [old, a[2]]));
            return old;
        }, false);

        // ---------------------------------------------------------------- Randomization (TLC's standard module)
        // TLC draws from its run's random seed; here a generator seeded by the arguments, so a run is reproducible
        var rnd = new Dictionary<string, Builtin>();
        Random Rng(Value[] a) { ulong h = 0x5eed; foreach (var v in a) h = Value.Mix(h, v.Hash); return new Random((int)(h ^ (h >> 32))); }
        Value[] Pick(Random r, Value[] s, long k) => s.OrderBy(_ => r.Next()).Take((int)Math.Min(k, s.Length)).ToArray();
        Add(rnd, "RandomSubset", [0, 0], (_, a) =>
        {
            long k = Int(a[0], 0, "RandomSubset");
            if (k < 0) throw ArgErr(0, "RandomSubset", "nonnegative integer", a[0]);
            return SetOf(Pick(Rng(a), Set(a[1], 1, "RandomSubset"), k));
        });
        Value SetOfSubsets(Value[] a, string op, long k, double p, Value[] s)
        {
            if (k < 0) throw ArgErr(0, op, "nonnegative integer", a[0]);
            if (s.Length < 31 && k > (1L << s.Length)) throw new EvalError($"The first argument of {op} should be a nonnegative integer that is smaller than the subset's size of 2^{s.Length}, but instead it is: {k}");
            var r = Rng(a);
            return SetOf(Enumerable.Range(0, (int)k).Select(_ => (Value)SetOf(s.Where(_ => r.NextDouble() < p))));
        }
        Add(rnd, "RandomSetOfSubsets", [0, 0, 0], (_, a) =>
        {
            long k = Int(a[0], 0, "RandomSetOfSubsets"), n = Int(a[1], 1, "RandomSetOfSubsets"); var s = Set(a[2], 2, "RandomSetOfSubsets");
            if (n < 0 || n > s.Length) throw new EvalError($"The second argument of RandomSetOfSubsets should be a nonnegative integer in range 0..Cardinality(S), but instead it is: {n}");
            return SetOfSubsets(a, "RandomSetOfSubsets", k, s.Length == 0 ? 0 : (double)n / s.Length, s);
        });
        // ---------------------------------------------------------------- BagsExt (a bag is a function to positive counts)
        var bx = new Dictionary<string, Builtin>();
        // the bag with e's count changed by `change` (its count computed from the old one, or null for a new e)
        Value BagWith(FcnBase b, Value e, Func<Value?, Value?> change)
        {
            var keys = new List<Value>(); var vals = new List<Value>(); bool seen = false;
            for (int i = 0; i < b.Count; i++)
            {
                var k = b.KeyAt(i);
                if (k.Equals(e)) { seen = true; if (change(b.ValAt(i)) is { } v) { keys.Add(k); vals.Add(v); } }
                else { keys.Add(k); vals.Add(b.ValAt(i)); }
            }
            if (!seen && change(null) is { } nv) { keys.Add(e); vals.Add(nv); }
            return FcnBase.MakeUnsorted(keys.ToArray(), vals.ToArray());
        }
        Add(bx, "BagAdd", [0, 0], (c, a) => BagWith(Fcn(a[0], 0, "BagAdd"), a[1], n => n is null ? IntV.Of(1) : plus(c, [n, IntV.Of(1)])));
        // BagRemove: a count of 1 removes the element, a larger one is decremented; an absent element leaves B as is
        Add(bx, "BagRemove", [0, 0], (c, a) =>
        {
            var b = Fcn(a[0], 0, "BagRemove");
            if (b.Apply(a[1]) is null) return a[0];
            return BagWith(b, a[1], n => EqN.ValEq(n!, IntV.Of(1)) ? null : nat["-"].Fn(c, [n!, IntV.Of(1)]));
        });
        Add(bx, "BagRemoveAll", [0, 0], (_, a) => BagWith(Fcn(a[0], 0, "BagRemoveAll"), a[1], _ => null));
        // TLC's override: for each element in TLC's order, acc := op(acc, x) as many times as x's count
        Value FoldBag(Ctx c, Func<Ctx, Value[], Value> op, Value b, Value bag)
        {
            var f = Fcn(bag, 2, "FoldBag");
            var acc = b;
            for (int i = 0; i < f.Count; i++)
            {
                if (f.ValAt(i) is not IntV { N: > 0 } n) throw new EvalError($"FoldBag: the count of {Node.Trunc(f.KeyAt(i))} should be an element of Nat \\ {{0}}, but it is {Node.Trunc(f.ValAt(i))}");
                for (long j = 0; j < n.N; j++) acc = op(c, [acc, f.KeyAt(i)]);
            }
            return acc;
        }
        Add(bx, "FoldBag", [2, 0, 0], (c, a) => FoldBag(c, Op(a[0], "FoldBag").Apply, a[1], a[2]));
        Add(bx, "SumBag", [0], (c, a) => FoldBag(c, plus, IntV.Of(0), a[0]));
        Add(bx, "ProductBag", [0], (c, a) => FoldBag(c, times, IntV.Of(1), a[0]));
        // MapThenFoldBag(op, base, f, choose, B): each element x of B (chosen first to last in TLC's order; the
        // definition does not use `choose`) becomes h(x) = op(...op(op(base, f(x)), f(x))..., f(x)) with as many f(x)
        // as x's count, then h(x1), ..., h(xn) are folded onto base as MapThenFoldSet does: op(h(x1), op(h(x2), ... base))
        Add(bx, "MapThenFoldBag", [2, 0, 1, 1, 0], (c, a) =>
        {
            var op = Op(a[0], "MapThenFoldBag"); var fx = Op(a[2], "MapThenFoldBag"); var b = Fcn(a[4], 4, "MapThenFoldBag");
            var hs = new Value[b.Count];
            for (int i = 0; i < b.Count; i++)
            {
                long n = Int(b.ValAt(i), 4, "MapThenFoldBag");
                if (n < 1) throw new EvalError($"MapThenFoldBag: the count of {Node.Trunc(b.KeyAt(i))} should be an element of Nat \\ {{0}}, but it is {n}");
                var y = fx.Apply(c, [b.KeyAt(i)]);
                var h = op.Apply(c, [a[1], y]);
                for (long j = 1; j < n; j++) h = op.Apply(c, [h, y]);
                hs[i] = h;
            }
            var acc = a[1];
            for (int i = hs.Length - 1; i >= 0; i--) acc = op.Apply(c, [hs[i], acc]);
            return acc;
        });

        // ---------------------------------------------------------------- Relation (R[x, y] a boolean for x, y in S)
        var rel = new Dictionary<string, Builtin>();
        // R[x, y] as a boolean, or op(x, y) for the ...Under variants (the function [<<x, y>> \in S \X S |-> op(x, y)],
        // which TLC evaluates at each application)
        Func<Value, Value, bool> Rel(Ctx c, Value r, bool under, string name) => (x, y) =>
        {
            var v = under ? Op(r, name).Apply(c, [x, y]) : At(Fcn(r, 0, name), new TupleV([x, y]));
            return v is BoolV b ? b.B : throw new EvalError($"{name}: the relation's value for <<{Node.Trunc(x)}, {Node.Trunc(y)}>> should be a boolean, but instead it is: {v.KindName} {Node.Trunc(v)}");
        };
        bool Reflexive(Func<Value, Value, bool> r, Value[] s) => s.All(x => r(x, x));
        bool Irreflexive(Func<Value, Value, bool> r, Value[] s) => s.All(x => !r(x, x));
        bool AntiSymmetric(Func<Value, Value, bool> r, Value[] s) => s.All(x => s.All(y => !(r(x, y) && r(y, x)) || EqN.ValEq(x, y)));
        bool Transitive(Func<Value, Value, bool> r, Value[] s) => s.All(x => s.All(y => s.All(z => !(r(x, y) && r(y, z)) || r(x, z))));
        var props = new (string Name, Func<Func<Value, Value, bool>, Value[], bool> P)[]
        {
            ("IsReflexive", Reflexive),
            ("IsIrreflexive", Irreflexive),
            ("IsSymmetric", (r, s) => s.All(x => s.All(y => r(x, y) == r(y, x)))),
            ("IsAntiSymmetric", AntiSymmetric),
            ("IsAsymmetric", (r, s) => s.All(x => s.All(y => !(r(x, y) && r(y, x))))),
            ("IsTransitive", Transitive),
            ("IsStrictlyPartiallyOrdered", (r, s) => Irreflexive(r, s) && AntiSymmetric(r, s) && Transitive(r, s)),
            ("IsPartiallyOrdered", (r, s) => Reflexive(r, s) && AntiSymmetric(r, s) && Transitive(r, s)),
            ("IsStrictlyTotallyOrdered", (r, s) => Irreflexive(r, s) && AntiSymmetric(r, s) && Transitive(r, s)
                && s.All(x => s.All(y => EqN.ValEq(x, y) || r(x, y) || r(y, x)))),
            ("IsTotallyOrdered", (r, s) => Reflexive(r, s) && AntiSymmetric(r, s) && Transitive(r, s) && s.All(x => s.All(y => r(x, y) || r(y, x)))),
        };
        foreach (var (pn, pf) in props)
        {
            Add(rel, pn, [0, 0], (c, a) => BoolV.Of(pf(Rel(c, a[0], false, pn), Set(a[1], 1, pn))));
            Add(rel, pn + "Under", [2, 0], (c, a) => BoolV.Of(pf(Rel(c, a[0], true, pn + "Under"), Set(a[1], 1, pn + "Under"))));
        }
        // the transitive closure as a boolean matrix over S (Warshall), S in TLC's order
        bool[,] Closure(Ctx c, Value r, Value[] s, string name)
        {
            var rr = Rel(c, r, false, name);
            int n = s.Length;
            var m = new bool[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = rr(s[i], s[j]);
            for (int k = 0; k < n; k++) for (int i = 0; i < n; i++) if (m[i, k]) for (int j = 0; j < n; j++) if (m[k, j]) m[i, j] = true;
            return m;
        }
        Value Matrix(Value[] s, Func<int, int, bool> m)
        {
            var keys = new List<Value>(); var vals = new List<Value>();
            for (int i = 0; i < s.Length; i++) for (int j = 0; j < s.Length; j++) { keys.Add(new TupleV([s[i], s[j]])); vals.Add(BoolV.Of(m(i, j))); }
            return FcnBase.MakeUnsorted(keys.ToArray(), vals.ToArray());
        }
        Add(rel, "TransitiveClosure", [0, 0], (c, a) =>
        {
            var s = Set(a[1], 1, "TransitiveClosure"); var m = Closure(c, a[0], s, "TransitiveClosure");
            return Matrix(s, (i, j) => m[i, j]);
        });
        Add(rel, "ReflexiveTransitiveClosure", [0, 0], (c, a) =>
        {
            var s = Set(a[1], 1, "ReflexiveTransitiveClosure"); var m = Closure(c, a[0], s, "ReflexiveTransitiveClosure");
            return Matrix(s, (i, j) => i == j || m[i, j]);
        });
        Add(rel, "IsConnected", [0, 0], (c, a) =>
        {
            var s = Set(a[1], 1, "IsConnected"); var m = Closure(c, a[0], s, "IsConnected");
            for (int i = 0; i < s.Length; i++) for (int j = 0; j < s.Length; j++) if (i != j && !m[i, j]) return BoolV.False;
            return BoolV.True;
        });

        foreach (var (name, m) in new[] { ("Relation", rel), ("BagsExt", bx), ("Folds", folds), ("Functions", fns), ("FiniteSetsExt", fse), ("SequencesExt", sx), ("UndirectedGraphs", ug),
                     ("Bitwise", bw), ("TLCExt", tx), ("Randomization", rnd) }) modules[name] = m;
        // only theorems about Functions' operators (EXTENDS Functions, Integers, FiniteSets), which model checking ignores
        modules["FunctionTheorems"] = [];
    }
}

/// <summary>A finite set defined by a membership test and an enumeration, as TLC keeps {x \in S : P(x)} (SetPredValue)
/// and kSubset (KSubsetValue): membership does not enumerate; enumerated (once) only when needed.</summary>
public sealed class LazySetV(Func<Value, bool> contains, Func<IEnumerable<Value>> enumerate) : SetBase
{
    private SetV? _norm;
    public override bool Contains(Value v) => contains(v);
    public override SetV Normalize() => _norm ??= new SetV(enumerate().ToArray());
    public override IEnumerable<Value> Elements() => Normalize().Elems;
}
