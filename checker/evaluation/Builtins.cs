namespace NotifierSpec.Checker;

/// <summary>A natively implemented operator. OpArities: the arity of each parameter when some parameter is an
/// operator (FoldSet(op(_,_), base, set) is [2, 0, 0]); null when all are values.</summary>
public sealed record Builtin(string Name, int Arity, Func<Ctx, Value[], Value> Fn, bool Constant = true, int[]? OpArities = null)
{
    /// <summary>Fn of two values without their array (BuiltinCall: an array per application was 13% of tlaplus/Examples
    /// MCBoulanger's bytes); null: only Fn.</summary>
    public Func<Ctx, Value, Value, Value>? Fn2 { get; init; }

    public static Builtin Binary(string name, Func<Ctx, Value, Value, Value> f) => new(name, 2, (c, a) => f(c, a[0], a[1])) { Fn2 = f };
}

/// <summary>The standard modules, implemented natively as TLC does (Naturals, Integers, Sequences, FiniteSets, TLC, Bags);
/// the community modules are in checker/evaluation/Community.cs.</summary>
public static partial class Builtins
{
    public static readonly Dictionary<string, Dictionary<string, Builtin>> Modules = Build();

    public static bool IsStandard(string module) => Modules.ContainsKey(module) && !CommunityNames.Contains(module);

    /// <summary>A community module provided natively (checker/evaluation/Community.cs): used only when no file of that name is
    /// found on the module search path, as SANY prefers a module file next to the spec to its library's copy.</summary>
    public static bool IsCommunity(string module) => CommunityNames.Contains(module);

    private static long I(Value v, string op) => v is IntV i ? i.N : throw new EvalError($"The {Ord(0)} argument of {op} should be an integer, but instead it is: {v.KindName} {Node.Trunc(v)}");
    private static string Ord(int i) => i == 0 ? "first" : "second";
    private static long I2(Value v, string op) => v is IntV i ? i.N : throw new EvalError($"The second argument of {op} should be an integer, but instead it is: {v.KindName} {Node.Trunc(v)}");
    private static SetBase S(Value v, string op) => v is SetBase s ? s : throw new EvalError($"The argument of {op} should be a set, but instead it is: {v.KindName} {Node.Trunc(v)}");
    private static TupleV Sq(Value v, string op)
    {
        if (v is TupleV t) return t;
        if (v is LazyFcnV l && l.Materialize() is TupleV t2) return t2;
        throw new EvalError($"The argument of {op} should be a sequence, but instead it is: {v.KindName} {Node.Trunc(v)}");
    }
    /// <summary>TLC's Sequences.Len, Head and Tail: EC.TLC_MODULE_ONE_ARGUMENT_ERROR (exit 255 in the next-state relation).</summary>
    private static TupleV Sq1(Value v, string op) => SeqOrNull(v)
        ?? throw new EvalError($"The argument of {op} should be a sequence, but instead it is:\n{Node.Trunc(v)}") { ModuleEvaluating = true };
    /// <summary>TLC's EC.TLC_MODULE_APPLY_EMPTY_SEQ (exit 255 in the next-state relation).</summary>
    private static EvalError EmptySeq(string op) => new($"Attempted to apply {op} to the empty sequence.") { ModuleEvaluating = true };
    private static TupleV? SeqOrNull(Value v) => v switch { TupleV t => t, LazyFcnV l => l.Materialize() as TupleV, _ => null };
    private static EvalError ModuleEvaluating(string form, string kind, Value v) =>
        new($"Evaluating an expression of the form {form} when s is not a {kind}:\n{Node.Trunc(v)}") { ModuleEvaluating = true };
    /// <summary>TLC's Naturals/Integers LT, LE, GT, GEQ of a non-integer: EC.TLC_MODULE_ARGUMENT_ERROR_AN (exit 255 in the
    /// next-state relation), the value without its kind.</summary>
    private static long Cmp(Value v, int arg, string op) => v is IntV i ? i.N
        : throw new EvalError($"The {Ord(arg)} argument of {op} should be an integer, but instead it is:\n{Node.Trunc(v)}") { ModuleEvaluating = true };
    /// <summary>TLC's EC.TLC_MODULE_ARGUMENT_ERROR ("The %1% argument of %2% should be a %3%, but instead it is:\n%4%"),
    /// thrown by a standard module's Java code: exit 255 in the next-state relation.</summary>
    private static EvalError ArgError(string nth, string op, string kind, Value v) =>
        new($"The {nth} argument of {op} should be a {kind}, but instead it is:\n{Node.Trunc(v)}") { ModuleEvaluating = true };
    private static EvalError NotInDomain(string nth, Value seq, long v) =>
        new($"The {nth} argument of SubSeq must be in the domain of its first argument:\n{Node.Trunc(seq)}\n, but instead it is\n{v}") { ModuleEvaluating = true };
    private static bool B(Value v, string op) => v is BoolV b ? b.B : throw new EvalError($"The argument of {op} should be a boolean, but instead it is: {v.KindName} {Node.Trunc(v)}");
    private static OpV Op(Value v, string op) => v is OpV o ? o : throw new EvalError($"The argument of {op} should be an operator");

    private static Dictionary<string, Dictionary<string, Builtin>> Build()
    {
        var nat = new Dictionary<string, Builtin>();
        void Add(Dictionary<string, Builtin> m, string name, int arity, Func<Ctx, Value[], Value> f, bool constant = true) => m[name] = new Builtin(name, arity, f, constant);

        // as TLC's Naturals/Integers member: a model value is in neither, any other non-integer is an error
        var natSet = new InfiniteSetV("Nat", v => v is IntV i ? i.N >= 0 : v is ModelV ? false : throw new EvalError($"Attempted to check if the value:\n{Node.Trunc(v)}\nis an element of Nat."));
        var intSet = new InfiniteSetV("Int", v => v is IntV || (v is ModelV ? false : throw new EvalError($"Attempted to check if the value:\n{Node.Trunc(v)}\nis an element of Int.")));
        Add(nat, "Nat", 0, (_, _) => natSet);
        nat["+"] = Builtin.Binary("+", (_, x, y) => IntV.Of(checked(I(x, "+") + I2(y, "+"))));
        nat["-"] = Builtin.Binary("-", (_, x, y) => IntV.Of(checked(I(x, "-") + -I2(y, "-"))));
        Add(nat, "*", 2, (_, a) => IntV.Of(checked(I(a[0], "*") * I2(a[1], "*"))));
        Add(nat, "^", 2, (_, a) =>
        {
            long b = I(a[0], "^"), x = I2(a[1], "^");
            if (x < 0) throw ArgError("second", "^", "natural number", a[1]);
            if (b == 0 && x == 0) throw new EvalError("0^0 is undefined.") { ModuleEvaluating = true };
            long r = 1; for (long k = 0; k < x; k++) r = checked(r * b);
            return IntV.Of(r);
        });
        nat["<"] = Builtin.Binary("<", (_, x, y) => BoolV.Of(Cmp(x, 0, "<") < Cmp(y, 1, "<")));
        nat[">"] = Builtin.Binary(">", (_, x, y) => BoolV.Of(Cmp(x, 0, ">") > Cmp(y, 1, ">")));
        nat["<="] = Builtin.Binary("<=", (_, x, y) => BoolV.Of(Cmp(x, 0, "<=") <= Cmp(y, 1, "<=")));
        nat[">="] = Builtin.Binary(">=", (_, x, y) => BoolV.Of(Cmp(x, 0, ">=") >= Cmp(y, 1, ">=")));
        Add(nat, "..", 2, (_, a) => new IntervalV(I(a[0], ".."), I2(a[1], "..")));
        Add(nat, "\\div", 2, (_, a) =>
        {
            long x = I(a[0], "\\div"), y = I2(a[1], "\\div");
            if (y == 0) throw new EvalError("The second argument of \\div is 0.") { ModuleEvaluating = true };
            long q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) q--; // floor division, as TLC
            return IntV.Of(q);
        });
        Add(nat, "%", 2, (_, a) =>
        {
            long x = I(a[0], "%"), y = I2(a[1], "%");
            if (y <= 0) throw ArgError("second", "%", "positive number", a[1]);
            long r = x % y; if (r < 0) r += y;
            return IntV.Of(r);
        });
        var ints = new Dictionary<string, Builtin>(nat);
        Add(ints, "Int", 0, (_, _) => intSet);
        Add(ints, "-.", 1, (_, a) => IntV.Of(checked(-I(a[0], "-"))));

        var seq = new Dictionary<string, Builtin>();
        Add(seq, "Seq", 1, (_, a) =>
        {
            var s = S(a[0], "Seq");
            // as TLC's Sequences.member: a value that is not a sequence is an error (s is never enumerated)
            var name = $"Seq({Node.Trunc(s)})";
            return new InfiniteSetV(name, v => (v is LazyFcnV l ? l.Materialize() : v) switch
            {
                TupleV t => t.Elems.All(s.Contains),
                ModelV => false,
                _ => throw new EvalError($"Attempted to check if the value:\n{Node.Trunc(v)}\nis an element of {name}."),
            });
        });
        // strings are sequences of characters to Len, \o, Tail and SubSeq as in TLC's tlc2/module/Sequences.java
        // (Len, Concat, Tail, SubSeq take a StringValue; the result is interned like any string: new StringValue)
        Add(seq, "Len", 1, (_, a) => IntV.Of(a[0] is StrV str ? str.S.Length : Sq1(a[0], "Len").Elems.Length));
        // TLC's Sequences.Concat and Append: EC.TLC_MODULE_EVALUATING, "Evaluating an expression of the form %1% when s is not a %2%:\n%3%"
        Add(seq, "\\o", 2, (c, a) => a[0] is StrV s1
            ? a[1] is StrV s2 ? c.In.Str(s1.S + s2.S) : throw ModuleEvaluating("t \\o s", "string", a[1])
            : new TupleV([.. SeqOrNull(a[0])?.Elems ?? throw ModuleEvaluating("s \\o t", "sequence", a[0]),
                          .. SeqOrNull(a[1])?.Elems ?? throw ModuleEvaluating("t \\o s", "sequence", a[1])]));
        Add(seq, "Append", 2, (_, a) => new TupleV([.. SeqOrNull(a[0])?.Elems ?? throw ModuleEvaluating("Append(s, v)", "sequence", a[0]), a[1]]));
        Add(seq, "Head", 1, (_, a) =>
        {
            var t = Sq1(a[0], "Head");
            return t.Elems.Length > 0 ? t.Elems[0] : throw EmptySeq("Head");
        });
        Add(seq, "Tail", 1, (c, a) =>
        {
            if (a[0] is StrV str) return str.S.Length > 0 ? c.In.Str(str.S[1..]) : throw EmptySeq("Tail");
            var t = Sq1(a[0], "Tail");
            return t.Elems.Length > 0 ? new TupleV(t.Elems[1..]) : throw EmptySeq("Tail");
        });
        Add(seq, "SubSeq", 3, (c, a) =>
        {
            // TLC's Sequences.SubSeq: EC.TLC_MODULE_ARGUMENT_ERROR / TLC_MODULE_ARGUMENT_NOT_IN_DOMAIN (exit 255 in Next)
            var str = a[0] as StrV;
            var t = str is null ? SeqOrNull(a[0]) ?? throw ArgError("first", "SubSeq", "sequence", a[0]) : null;
            long m = a[1] is IntV mi ? mi.N : throw ArgError("second", "SubSeq", "natural number", a[1]);
            long n = a[2] is IntV ni ? ni.N : throw ArgError("third", "SubSeq", "natural number", a[2]);
            if (m > n) return str is null ? TupleV.Empty : c.In.Str("");
            int len = str?.S.Length ?? t!.Elems.Length;
            if (m < 1 || m > len) throw NotInDomain("second", a[0], m);
            if (n < 1 || n > len) throw NotInDomain("third", a[0], n);
            return str is null ? new TupleV(t!.Elems[(int)(m - 1)..(int)n]) : c.In.Str(str.S[(int)(m - 1)..(int)n]);
        });
        Add(seq, "SelectSeq", 2, (c, a) =>
        {
            var t = Sq(a[0], "SelectSeq"); var op = Op(a[1], "SelectSeq");
            return new TupleV(t.Elems.Where(x => B(op.Apply(c, [x]), "SelectSeq")).ToArray());
        });

        var fin = new Dictionary<string, Builtin>();
        Add(fin, "IsFiniteSet", 1, (_, a) => BoolV.Of(S(a[0], "IsFiniteSet").IsFinite));
        Add(fin, "Cardinality", 1, (_, a) =>
        {
            // TLC's FiniteSets.Cardinality: EC.TLC_MODULE_COMPUTING_CARDINALITY for anything not enumerable (exit 255 in Next)
            if (a[0] is not SetBase { IsFinite: true } s) throw new EvalError($"Attempted to compute cardinality of the value\n{Node.Trunc(a[0])}") { ModuleEvaluating = true };
            return IntV.Of(s.Size);
        });

        var tlc = new Dictionary<string, Builtin>();
        Add(tlc, "Print", 2, (c, a) => { c.In.RequireSerial(); lock (c.Out) c.Out.WriteLine($"{Show.V(a[0])}  {Show.V(a[1])}"); return a[1]; }, false);
        Add(tlc, "PrintT", 1, (c, a) => { c.In.RequireSerial(); lock (c.Out) c.Out.WriteLine(Show.V(a[0])); return BoolV.True; }, false);
        Add(tlc, "Assert", 2, (_, a) =>
        {
            if (B(a[0], "Assert")) return BoolV.True;
            throw new AssertError($"The first argument of Assert evaluated to FALSE; the second argument was:\n{Show.V(a[1])}");
        }, false);
        Add(tlc, "JavaTime", 0, (_, _) => IntV.Of(DateTimeOffset.UtcNow.ToUnixTimeSeconds() & 0x7fffffff), false);
        Add(tlc, "TLCEval", 1, (_, a) => a[0]);
        Add(tlc, ":>", 2, (_, a) => FcnBase.Make([a[0]], [a[1]]));
        Add(tlc, "@@", 2, (_, a) =>
        {
            if (a[0] is not FcnBase f || a[1] is not FcnBase g) throw new EvalError("The arguments of @@ should be functions");
            var keys = new List<Value>(); var vals = new List<Value>();
            for (int i = 0; i < f.Count; i++) { keys.Add(f.KeyAt(i)); vals.Add(f.ValAt(i)); }
            for (int i = 0; i < g.Count; i++) if (f.Apply(g.KeyAt(i)) is null) { keys.Add(g.KeyAt(i)); vals.Add(g.ValAt(i)); }
            return FcnBase.MakeUnsorted(keys.ToArray(), vals.ToArray());
        });
        Add(tlc, "Permutations", 1, (_, a) =>
        {
            var s = S(a[0], "Permutations").Normalize().Elems;
            var res = new List<Value>();
            foreach (var p in Perms(s.Length)) res.Add(FcnBase.Make(s, p.Select(i => s[i]).ToArray()));
            return new SetV(res.ToArray());
        });
        Add(tlc, "SortSeq", 2, (c, a) =>
        {
            var t = Sq(a[0], "SortSeq"); var op = Op(a[1], "SortSeq");
            var arr = (Value[])t.Elems.Clone();
            var sorted = arr.OrderBy(x => x, Comparer<Value>.Create((x, y) => x.Equals(y) ? 0 : B(op.Apply(c, [x, y]), "SortSeq") ? -1 : 1)).ToArray();
            return new TupleV(sorted);
        });
        Add(tlc, "ToString", 1, (c, a) => c.In.Str(Show.V(a[0])));
        // TLC draws from its run's random generator; here the choice is a function of the set and of the state being
        // evaluated (its variables' hashes, by content), so a run is reproducible whatever the worker count, and
        // different states still get different elements
        Add(tlc, "RandomElement", 1, (c, a) =>
        {
            var s = S(a[0], "RandomElement").Normalize().Elems;
            if (s.Length == 0) throw new EvalError("RandomElement of the empty set");
            ulong h = Value.Mix(0x5eed, a[0].Hash);
            foreach (var v in c.Cur) if (v is not null) h = Value.Mix(h, v.Hash);
            h ^= h >> 33; h *= 0xff51afd7ed558ccdUL; h ^= h >> 33;
            return s[(int)(h % (ulong)s.Length)];
        }, false);
        Add(tlc, "Any", 0, (_, _) => new InfiniteSetV("Any", _ => true));
        Add(tlc, "TLCGet", 1, (c, a) => c.Spec.TlcGet(c, a[0]), false);
        Add(tlc, "TLCSet", 2, (c, a) => { c.In.RequireSerial(); c.Spec.TlcSet(a[0], a[1]); return BoolV.True; }, false);

        var bags = new Dictionary<string, Builtin>();
        Add(bags, "EmptyBag", 0, (_, _) => TupleV.Empty);
        Add(bags, "IsABag", 1, (_, a) => BoolV.Of(a[0] is FcnBase f && Enumerable.Range(0, f.Count).All(i => f.ValAt(i) is IntV n && n.N > 0)));
        Add(bags, "BagToSet", 1, (_, a) => ((FcnBase)a[0]).Domain());
        Add(bags, "SetToBag", 1, (_, a) =>
        {
            var s = S(a[0], "SetToBag").Normalize().Elems;
            return FcnBase.Make(s, s.Select(_ => (Value)IntV.Of(1)).ToArray());
        });
        Add(bags, "BagIn", 2, (_, a) => BoolV.Of(a[1] is FcnBase f && f.Apply(a[0]) is not null));
        Add(bags, "CopiesIn", 2, (_, a) => a[1] is FcnBase f && f.Apply(a[0]) is { } n ? n : IntV.Of(0));
        Add(bags, "\\oplus", 2, (_, a) => BagOp((FcnBase)a[0], (FcnBase)a[1], 1));
        Add(bags, "\\ominus", 2, (_, a) => BagOp((FcnBase)a[0], (FcnBase)a[1], -1));
        Add(bags, "BagCardinality", 1, (_, a) => { var f = (FcnBase)a[0]; long n = 0; for (int i = 0; i < f.Count; i++) n += I(f.ValAt(i), "BagCardinality"); return IntV.Of(n); });
        Add(bags, "\\sqsubseteq", 2, (_, a) =>
        {
            var f = (FcnBase)a[0]; var g = (FcnBase)a[1];
            for (int i = 0; i < f.Count; i++) { var x = g.Apply(f.KeyAt(i)); if (x is null || ((IntV)x).N < ((IntV)f.ValAt(i)).N) return BoolV.False; }
            return BoolV.True;
        });
        Add(bags, "BagUnion", 1, (_, a) =>
        {
            FcnBase acc = TupleV.Empty;
            foreach (var b in S(a[0], "BagUnion").Elements()) acc = BagOp(acc, (FcnBase)b, 1);
            return acc;
        });
        Add(bags, "BagOfAll", 2, (c, a) =>
        {
            var op = Op(a[0], "BagOfAll"); var f = (FcnBase)a[1];
            FcnBase acc = TupleV.Empty;
            for (int i = 0; i < f.Count; i++) acc = BagOp(acc, FcnBase.Make([op.Apply(c, [f.KeyAt(i)])], [f.ValAt(i)]), 1);
            return acc;
        });
        Add(bags, "SubBag", 1, (_, a) => throw new EvalError("SubBag is not supported"));

        // community modules used by trace validation (CCF's Trace*.tla): Json and IOUtils (checker/evaluation/Json.cs)
        var json = new Dictionary<string, Builtin>();
        Add(json, "ndJsonDeserialize", 1, (c, a) => JsonLines.NdJsonDeserialize(c, a[0]));
        var io = new Dictionary<string, Builtin>();
        Add(io, "IOEnv", 0, (c, _) => JsonLines.IoEnv(c));
        // atoi(str): as TLC's override, Java's Integer.parseInt (optional sign, decimal digits, 32 bits)
        Add(io, "atoi", 1, (_, a) => a[0] is StrV s && int.TryParse(s.S, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? IntV.Of(n) : throw new EvalError($"The argument of atoi should be a string of an integer, but instead it is: {a[0].KindName} {Node.Trunc(a[0])}"));

        var modules = new Dictionary<string, Dictionary<string, Builtin>>
        {
            ["Json"] = json, ["IOUtils"] = io,
            ["Naturals"] = nat, ["Integers"] = ints, ["Sequences"] = seq, ["FiniteSets"] = fin, ["TLC"] = tlc, ["Bags"] = bags,
            // TLAPS proof libraries: only theorems and proof pragmas, which model checking ignores
            ["TLAPS"] = [], ["NaturalsInduction"] = [], ["FiniteSetTheorems"] = [], ["SequenceTheorems"] = [], ["WellFoundedInduction"] = [],
        };
        AddCommunity(modules, nat, seq, tlc);
        return modules;
    }

    private static FcnBase BagOp(FcnBase f, FcnBase g, int sign)
    {
        var d = new SortedDictionary<Value, long>();
        for (int i = 0; i < f.Count; i++) d[f.KeyAt(i)] = ((IntV)f.ValAt(i)).N;
        for (int i = 0; i < g.Count; i++)
        {
            d.TryGetValue(g.KeyAt(i), out long n);
            d[g.KeyAt(i)] = n + sign * ((IntV)g.ValAt(i)).N;
        }
        var keep = d.Where(kv => kv.Value > 0).ToArray();
        return FcnBase.Make(keep.Select(k => k.Key).ToArray(), keep.Select(k => (Value)IntV.Of(k.Value)).ToArray());
    }

    private static IEnumerable<int[]> Perms(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        IEnumerable<int[]> Rec(int k)
        {
            if (k == n) { yield return (int[])a.Clone(); yield break; }
            for (int i = k; i < n; i++)
            {
                (a[k], a[i]) = (a[i], a[k]);
                foreach (var p in Rec(k + 1)) yield return p;
                (a[k], a[i]) = (a[i], a[k]);
            }
        }
        return Rec(0);
    }

    /// <summary>Which standard modules each standard module EXTENDS.</summary>
    public static IEnumerable<string> Closure(string m) => m switch
    {
        "Integers" => ["Naturals", "Integers"],
        "Bags" => ["Bags", "TLC"],
        "FiniteSetsExt" => ["FiniteSetsExt", "Folds", "Functions"],
        "FunctionTheorems" => ["FunctionTheorems", "Functions", "Naturals", "Integers", "FiniteSets"],
        _ => [m],
    };
}

/// <summary>A failed Assert (TLC's TLC_VALUE_ASSERT_FAILED); Where is the Assert application, filled in as it
/// passes its BuiltinCall (TLC's innermost "nested expression" position).</summary>
public sealed class AssertError(string message) : Exception(message)
{
    public Loc? Where { get; set; }
}
