namespace NotifierSpec.Checker;

/// <summary>An atom of a temporal formula: evaluated in a state, or on a step (s, t) that may be a stuttering step.</summary>
public abstract record LtlAtom;
/// <summary>A state predicate P (Level &lt;= 1), evaluated in one state.</summary>
public sealed record StateAtom(Node P, Env? Env) : LtlAtom;
/// <summary>An action A (Level 2, e.g. [B]_v or &lt;&lt;B&gt;&gt;_v), evaluated on a step, stuttering steps included.</summary>
public sealed record ActionAtom(Node A, Env? Env) : LtlAtom;
/// <summary>ENABLED &lt;&lt;A&gt;&gt;_v of a WF_v(A)/SF_v(A) written inside a property.</summary>
public sealed record EnabledAtom(Fairness F) : LtlAtom;
/// <summary>An &lt;&lt;A&gt;&gt;_v step of a WF_v(A)/SF_v(A) written inside a property.</summary>
public sealed record AngleAtom(Fairness F) : LtlAtom;

/// <summary>
/// A temporal formula in negation normal form over atoms: TRUE, FALSE, literals, /\, \/, [] and &lt;&gt;.
/// The TLA+ formula is translated as TLC's Liveness.astToLive does (tlc2/tool/liveness/Liveness.java):
/// IF c THEN F ELSE G is (c /\ F) \/ (~c /\ G), F => G is ~F \/ G, F ~> G is [](~F \/ &lt;&gt;G),
/// WF_v(A) is []&lt;&gt;(~ENABLED &lt;&lt;A&gt;&gt;_v \/ &lt;&lt;A&gt;&gt;_v), SF_v(A) is &lt;&gt;[]~ENABLED &lt;&lt;A&gt;&gt;_v \/ []&lt;&gt;&lt;&lt;A&gt;&gt;_v,
/// \A / \E over a constant set are conjunctions / disjunctions of the instances; anything else of
/// temporal level (&lt;=&gt;, CASE, \AA, \EE, quantifiers over sets that depend on the state) is refused,
/// as TLC refuses it ("TLC cannot handle the temporal formula").
/// </summary>
public sealed class Ltl
{
    public enum K { True, False, Lit, And, Or, Always, Eventually }
    public sealed record Fm(K Kind, int Atom, bool Neg, int[] Kids);

    public List<Fm> Fms { get; } = [];
    public List<LtlAtom> Atoms { get; } = [];
    private readonly Dictionary<string, int> _ids = [];
    private readonly Ctx _c;
    private readonly string _prop;

    private Ltl(Ctx c, string prop) { _c = c; _prop = prop; }

    /// <summary>The negation of the property formula n (in environment e), in negation normal form.</summary>
    public static (Ltl L, int Root) Negated(Ctx c, Node n, Env? e, string prop)
    {
        var l = new Ltl(c, prop);
        int root = l.Nnf(n, e, true);
        return (l, root);
    }

    /// <summary>
    /// A1 /\ ... /\ An /\ ~F: the negation of (A1 /\ ... /\ An) =&gt; F, in negation normal form. As TLC
    /// (tlc2/tool/liveness/Liveness.java: the spec's &lt;&gt;[]A and []&lt;&gt;A conjuncts become EAAction/AEState/AEAction
    /// conditions of the accepting component, not tableau formulas), a conjunct of an assumption that is
    /// &lt;&gt;[]L (L a literal) is returned in Ea (L holds on every step, both its states, of the component) and
    /// one that is []&lt;&gt;L in Ae (L holds in some state or on some step of it): without this, six
    /// &lt;&gt;[][WriteTx(n, tx)]_vars make a tableau of 2315 nodes (MCReplicatedLog).
    /// </summary>
    public static (Ltl L, int Root, List<(int Atom, bool Neg)> Ea, List<(int Atom, bool Neg)> Ae) NegatedUnder(
        Ctx c, IReadOnlyList<Assumption> assume, Node n, Env? e, string prop)
    {
        var l = new Ltl(c, prop);
        var kids = new List<int>();
        List<(int, bool)> ea = [], ae = [];
        foreach (var a in assume)
        {
            int r = l.Nnf(a.N, a.Env, false);
            foreach (int k in l.Fms[r].Kind == K.And ? l.Fms[r].Kids : [r])
            {
                var f = l.Fms[k];
                if (f.Kind is K.Eventually or K.Always && l.Fms[f.Kids[0]].Kind == (f.Kind == K.Eventually ? K.Always : K.Eventually)
                    && l.Fms[l.Fms[f.Kids[0]].Kids[0]] is { Kind: K.Lit } lit)
                    (f.Kind == K.Eventually ? ea : ae).Add((lit.Atom, lit.Neg));
                else kids.Add(k);
            }
        }
        kids.Add(l.Nnf(n, e, true));
        return (l, l.Junction(true, kids), ea, ae);
    }

    private int Intern(K k, int atom = -1, bool neg = false, int[]? kids = null)
    {
        kids ??= [];
        string key = $"{(int)k}:{atom}:{(neg ? 1 : 0)}:{string.Join(",", kids)}";
        if (_ids.TryGetValue(key, out int id)) return id;
        id = Fms.Count;
        Fms.Add(new Fm(k, atom, neg, kids));
        _ids[key] = id;
        return id;
    }

    private int True => Intern(K.True);
    private int False => Intern(K.False);

    private int Atom(LtlAtom a, bool neg)
    {
        int i = Atoms.IndexOf(a);
        if (i < 0) { i = Atoms.Count; Atoms.Add(a); }
        return Intern(K.Lit, i, neg);
    }

    private int Junction(bool and, IEnumerable<int> items)
    {
        var k = and ? K.And : K.Or;
        var set = new SortedSet<int>();
        foreach (var i in items)
        {
            var f = Fms[i];
            if (f.Kind == (and ? K.True : K.False)) continue;
            if (f.Kind == (and ? K.False : K.True)) return i;
            if (f.Kind == k) set.UnionWith(f.Kids); else set.Add(i);
        }
        if (set.Count == 0) return and ? True : False;
        if (set.Count == 1) return set.Min;
        return Intern(k, kids: set.ToArray());
    }

    private int And(params int[] xs) => Junction(true, xs);
    private int Or(params int[] xs) => Junction(false, xs);
    private int Box(int x) => Fms[x].Kind is K.True or K.False ? x : Intern(K.Always, kids: [x]);
    private int Diamond(int x) => Fms[x].Kind is K.True or K.False ? x : Intern(K.Eventually, kids: [x]);

    private EvalError Refuse(Node n, string why) =>
        new($"TLC cannot handle the temporal formula in {_prop}: {why}") { Where = n.Loc };

    /// <summary>n (negated when neg) in negation normal form.</summary>
    private int Nnf(Node n, Env? e, bool neg)
    {
        if (!DeepStack.HasRoom()) throw new EvalError(DeepStack.Message(_prop)) { Where = n.Loc };
        if (n.Level <= 1) return Atom(new StateAtom(n, e), neg);
        if (n.Level == 2) return Atom(new ActionAtom(n, e), neg);
        switch (n)
        {
            case AndN a: return Junction(!neg, a.Items.Select(i => Nnf(i, e, neg)).ToList());
            case OrN o: return Junction(neg, o.Items.Select(i => Nnf(i, e, neg)).ToList());
            case NotN x: return Nnf(x.A, e, !neg);
            case ImpliesN im:
                // F => G is ~F \/ G
                return neg ? And(Nnf(im.A, e, false), Nnf(im.B, e, true)) : Or(Nnf(im.A, e, true), Nnf(im.B, e, false));
            case IfN f:
                {
                    // IF c THEN F ELSE G is (c /\ F) \/ (~c /\ G); negated: (c /\ ~F) \/ (~c /\ ~G)
                    int c0 = Nnf(f.C, e, false), nc = Nnf(f.C, e, true);
                    return Or(And(c0, Nnf(f.T, e, neg)), And(nc, Nnf(f.F, e, neg)));
                }
            case OpCall oc when oc.Def.Body is not null && !oc.Def.Recursive:
                return Nnf(oc.Def.Body, BindByName(_c, oc, e), neg);
            case LetN l: return Nnf(l.Body, l.Bind(e), neg);
            case BoundRef br when Env.Lookup(e, br.Slot) is Thunk t: return Nnf(t.Expr, t.Env, neg);
            case QuantN q:
                {
                    var kids = Instances(_c, q, e, _prop).Select(e2 => Nnf(q.Body, e2, neg)).ToList();
                    // \A: a conjunction (a disjunction when negated); \E: the other way round
                    return Junction(q.All != neg, kids);
                }
            case TemporalN t:
                switch (t.Op)
                {
                    case "[]": return neg ? Diamond(Nnf(t.Kids[0], e, true)) : Box(Nnf(t.Kids[0], e, false));
                    case "<>": return neg ? Box(Nnf(t.Kids[0], e, true)) : Diamond(Nnf(t.Kids[0], e, false));
                    case "~>":
                        // F ~> G is [](~F \/ <>G); negated: <>(F /\ []~G)
                        return neg ? Diamond(And(Nnf(t.Kids[0], e, false), Box(Nnf(t.Kids[1], e, true))))
                                   : Box(Or(Nnf(t.Kids[0], e, true), Diamond(Nnf(t.Kids[1], e, false))));
                    case "WF" or "SF":
                        {
                            var f = new Fairness(t.Op == "SF", t.Kids[0], t.Sub!, e, t.Op);
                            int en = Atom(new EnabledAtom(f), false), notEn = Atom(new EnabledAtom(f), true);
                            int step = Atom(new AngleAtom(f), false), noStep = Atom(new AngleAtom(f), true);
                            if (t.Op == "WF")
                                // []<>(~EN \/ <<A>>_v); negated: <>[](EN /\ ~<<A>>_v)
                                return neg ? Diamond(Box(And(en, noStep))) : Box(Diamond(Or(notEn, step)));
                            // <>[]~EN \/ []<><<A>>_v; negated: []<>EN /\ <>[]~<<A>>_v
                            return neg ? And(Box(Diamond(en)), Diamond(Box(noStep))) : Or(Diamond(Box(notEn)), Box(Diamond(step)));
                        }
                }
                throw Refuse(n, $"the operator {t.Op} is not supported");
        }
        throw Refuse(n, $"a {KindName(n)} of temporal formulas is not supported");
    }

    private static string KindName(Node n) => n switch
    {
        EquivN => "<=>",
        CaseN => "CASE",
        QuantN => "quantifier",
        _ => n.GetType().Name.Replace("N", "").ToLowerInvariant() + " expression",
    };

    /// <summary>Operator arguments of a temporal formula bound by name: a state-level argument must not be
    /// evaluated while the formula is expanded, where there is no state (TLC's astToLive binds them with
    /// getVal, lazily, for the same reason).</summary>
    public static Env? BindByName(Ctx c, OpCall oc, Env? e)
    {
        Env? ne = null;
        var ps = oc.Def.Params;
        for (int i = 0; i < oc.Args.Length; i++)
        {
            var a = oc.Args[i];
            object val = a is OpArgN oa ? oa.Eval(c, e) : a is Lit l ? l.V : a.Level == 0 ? a.Eval(c, e) : new Thunk(a, e);
            ne = new Env(ps[i].Slot, val, ne);
        }
        return ne;
    }

    /// <summary>The bindings of a quantifier over a temporal formula: its sets are enumerated while the formula
    /// is expanded, before any state exists, so they must not depend on the state (TLC's astToLive enumerates
    /// them in TLCState.Empty; otherwise "TLC cannot handle the temporal formula").</summary>
    public static List<Env?> Instances(Ctx c, QuantN q, Env? e, string prop)
    {
        try { return BoundN.All(q.Bounds, c, e).ToList(); }
        catch (EvalError err)
        {
            throw new EvalError($"TLC cannot handle the temporal formula in {prop}: the set of {string.Join(", ", q.Bounds.SelectMany(b => b.Names))} " +
                $"is not constant ({err.Message})") { Where = q.Loc };
        }
    }
}

/// <summary>
/// The Gerth-Peled-Vardi-Wolper tableau ("Simple on-the-fly automatic verification of linear temporal
/// logic", PSTV 1995) of a formula in negation normal form: a generalized Büchi automaton whose nodes carry
/// the literals that must hold at their position (a state literal in the current state, an action literal
/// on the step to the next state), with one acceptance set per &lt;&gt;F subformula.
/// </summary>
public sealed class Tableau
{
    public sealed record TNode(int Id, bool Initial, int[] Succ, (int Atom, bool Neg)[] StateLits, (int Atom, bool Neg)[] ActLits);

    public Ltl L { get; }
    public List<TNode> Nodes { get; } = [];
    /// <summary>Per &lt;&gt;F subformula: the nodes where it is fulfilled (F holds) or not pending.</summary>
    public List<bool[]> Accept { get; } = [];
    /// <summary>Literals that hold on every step of an accepting component (&lt;&gt;[]L assumptions).</summary>
    public List<(int Atom, bool Neg)> Ea { get; init; } = [];
    /// <summary>Literals that hold somewhere in an accepting component ([]&lt;&gt;L assumptions).</summary>
    public List<(int Atom, bool Neg)> Ae { get; init; } = [];

    private sealed class Work
    {
        public HashSet<int> Incoming = [];
        public SortedSet<int> New = [], Old = [], Next = [];
        public Work Copy() => new() { Incoming = [.. Incoming], New = [.. New], Old = [.. Old], Next = [.. Next] };
    }

    private const int InitId = -1;
    private readonly List<Work> _done = [];

    public Tableau(Ltl l, int root)
    {
        L = l;
        var w = new Work();
        w.Incoming.Add(InitId);
        w.New.Add(root);
        Expand(w);
        for (int i = 0; i < _done.Count; i++)
        {
            var d = _done[i];
            var lits = d.Old.Select(x => l.Fms[x]).Where(f => f.Kind == Ltl.K.Lit).ToList();
            Nodes.Add(new TNode(i, d.Incoming.Contains(InitId),
                Enumerable.Range(0, _done.Count).Where(j => _done[j].Incoming.Contains(i)).ToArray(),
                lits.Where(f => l.Atoms[f.Atom] is StateAtom or EnabledAtom).Select(f => (f.Atom, f.Neg)).ToArray(),
                lits.Where(f => l.Atoms[f.Atom] is ActionAtom or AngleAtom).Select(f => (f.Atom, f.Neg)).ToArray()));
        }
        for (int u = 0; u < l.Fms.Count; u++)
        {
            if (l.Fms[u].Kind != Ltl.K.Eventually) continue;
            int phi = l.Fms[u].Kids[0];
            Accept.Add(_done.Select(d => !d.Old.Contains(u) || d.Old.Contains(phi)).ToArray());
        }
    }

    private void Expand(Work n)
    {
        var fms = L.Fms;
        while (true)
        {
            if (n.New.Count == 0)
            {
                int same = _done.FindIndex(d => d.Old.SetEquals(n.Old) && d.Next.SetEquals(n.Next));
                if (same >= 0) { _done[same].Incoming.UnionWith(n.Incoming); return; }
                _done.Add(n);
                var next = new Work { New = [.. n.Next] };
                next.Incoming.Add(_done.Count - 1);
                n = next;
                continue;
            }
            int eta = n.New.Min;
            n.New.Remove(eta);
            if (n.Old.Contains(eta)) continue;
            var f = fms[eta];
            switch (f.Kind)
            {
                case Ltl.K.False: return;
                case Ltl.K.True: n.Old.Add(eta); continue;
                case Ltl.K.Lit:
                    {
                        bool clash = n.Old.Any(o => fms[o].Kind == Ltl.K.Lit && fms[o].Atom == f.Atom && fms[o].Neg != f.Neg);
                        if (clash) return;
                        n.Old.Add(eta);
                        continue;
                    }
                case Ltl.K.And:
                    foreach (var k in f.Kids) if (!n.Old.Contains(k)) n.New.Add(k);
                    n.Old.Add(eta);
                    continue;
                case Ltl.K.Or:
                    n.Old.Add(eta);
                    foreach (var k in f.Kids)
                    {
                        var m = n.Copy();
                        if (!m.Old.Contains(k)) m.New.Add(k);
                        Expand(m);
                    }
                    return;
                case Ltl.K.Eventually:
                    {
                        // <>F = F \/ (next <>F)
                        n.Old.Add(eta);
                        var now = n.Copy();
                        if (!now.Old.Contains(f.Kids[0])) now.New.Add(f.Kids[0]);
                        var later = n.Copy();
                        later.Next.Add(eta);
                        Expand(now);
                        Expand(later);
                        return;
                    }
                case Ltl.K.Always:
                    // []F = F /\ (next []F)
                    n.Old.Add(eta);
                    if (!n.Old.Contains(f.Kids[0])) n.New.Add(f.Kids[0]);
                    n.Next.Add(eta);
                    continue;
            }
        }
    }
}
