namespace NotifierSpec.Checker;

/// <summary>
/// Generates initial states and successors exactly as TLC's Tool.getInitStates/getNextStates do
/// (so "states generated" agree): a list of pending conjuncts; disjunctions, \E, IF/CASE and
/// user-defined operators are descended into; x' = e (x = e in Init) assigns an unassigned variable
/// and x' \in S enumerates; once every variable is assigned the remaining conjuncts are only
/// evaluated (no more branching); anything else is evaluated as a condition.
/// </summary>
public static class Enumerator
{
    private sealed class Found : Exception;

    /// <summary>What a pending conjunct asks of the step.</summary>
    private enum Pending
    {
        /// <summary>N holds (a predicate, or an action still to enumerate).</summary>
        Holds,
        /// <summary>N (the v of &lt;&lt;A&gt;&gt;_v) changes: the step is not a stuttering step of v.</summary>
        Changes,
    }

    /// <summary>Pending conjuncts: a list (acts, at) is Items[at..] of acts, then (Next, NextAt). A conjunction
    /// pushes one frame for all its conjuncts after the first (a frame per conjunct cost one object each).</summary>
    private sealed class Acts(Node[] items, Env? e, Pending kind, Acts? next, int nextAt)
    {
        public readonly Node[] Items = items;
        public readonly Env? E = e;
        public readonly Pending Kind = kind;
        public readonly Acts? Next = next;
        public readonly int NextAt = nextAt;
    }

    public static bool IsEnabled(Ctx c, Node action, Env? e)
    {
        var cur = c.Cur;
        c.Nxt = new Value?[c.Spec.Vars.Count];
        int saved = c.Assigned; c.Assigned = 0;
        long intermediate = c.Intermediate;
        try { Enum(c, action, e, () => throw new Found(), false); }
        catch (Found) { return true; }
        finally { c.Assigned = saved; c.Cur = cur; c.Intermediate = intermediate; }
        return false;
    }

    /// <summary>Calls emit for each way to satisfy n (the target array is c.Cur in Init, c.Nxt otherwise).</summary>
    public static void Enum(Ctx c, Node n, Env? e, Action emit, bool init)
    {
        var arr = init ? c.Cur : c.Nxt!;
        int cnt = 0;
        foreach (var x in arr) if (x is not null) cnt++;
        c.Assigned = cnt;
        E(c, n, e, null, 0, emit, init);
    }

    private static void Continue(Ctx c, Acts? acts, int at, Action emit, bool init)
    {
        while (acts is not null && at == acts.Items.Length) { at = acts.NextAt; acts = acts.Next; }
        if (acts is null) { emit(); return; }
        if (c.Assigned == c.Spec.Vars.Count)
        {
            for (var a = acts; a is not null; at = a.NextAt, a = a.Next)
                for (int i = at; i < a.Items.Length; i++)
                {
                    if (a.Kind == Pending.Changes) { if (Same(c, a.Items[i], a.E)) return; continue; }
                    if (!a.Items[i].EvalBool(c, a.E)) return;
                }
            emit();
            return;
        }
        var n = acts.Items[at];
        if (acts.Kind == Pending.Changes)
        {
            if (!Same(c, n, acts.E)) Continue(c, acts, at + 1, emit, init);
            return;
        }
        E(c, n, acts.E, acts, at + 1, emit, init);
    }

    private static bool Same(Ctx c, Node v, Env? e) => new UnchangedN(v, null) { Loc = v.Loc }.EvalBool(c, e);

    private static void E(Ctx c, Node n, Env? e, Acts? acts, int at, Action emit, bool init)
    {
        switch (n)
        {
            case AndN a:
                {
                    if (a.Items.Length == 1) { E(c, a.Items[0], e, acts, at, emit, init); return; }
                    // leading conjuncts that E would only evaluate (pc[self] = "ncs" of a PlusCal action) are
                    // evaluated here, in the same order, before the frame of the rest is made: most actions of a
                    // state stop at their first conjunct
                    int k = 0;
                    while (k < a.Items.Length && Plain(a.Items[k], init))
                    {
                        if (!a.Items[k].EvalBool(c, e)) return;
                        k++;
                    }
                    if (k == 0) E(c, a.Items[0], e, new Acts(a.Items, e, Pending.Holds, acts, at), 1, emit, init);
                    else if (k == a.Items.Length) Continue(c, acts, at, emit, init);
                    else Continue(c, new Acts(a.Items, e, Pending.Holds, acts, at), k, emit, init);
                    return;
                }
            case OrN o:
                foreach (var i in o.Items) E(c, i, e, acts, at, emit, init);
                return;
            case QuantN { All: false } q when q.Bounds.Length == 1 && !q.Bounds[0].Tuple && q.Bounds[0].Set is not null:
                {
                    var set = q.Bounds[0].Set!.EvalSet(c, e);
                    if (!set.IsFinite) throw q.At(new EvalError($"Attempted to enumerate the infinite set {set}"));
                    // one node for the bound variable (see LoopEnv): pending conjuncts that hold it are done with
                    // by the time E returns
                    var le = new LoopEnv(q.Bounds[0].Slots[0], e);
                    if (set is SetV sv) // the array itself: no enumerator object
                        foreach (var v in sv.Elems) { le.Set(v); E(c, q.Body, le, acts, at, emit, init); }
                    else
                        foreach (var v in set.Elements()) { le.Set(v); E(c, q.Body, le, acts, at, emit, init); }
                    return;
                }
            case QuantN { All: false, AnyTuple: false } q:
                {
                    // every binding made as it is enumerated (no list of them): binding a non-tuple cannot fail
                    BoundN.Cursor cursor;
                    try { cursor = BoundN.Cursor.Start(q.Bounds, c, e); }
                    catch (EvalError err) when (q.Mark(err)) { throw; }
                    while (cursor.Next(out var e2)) E(c, q.Body, e2, acts, at, emit, init);
                    return;
                }
            case QuantN { All: false } q:
                {
                    List<Env?> envs;
                    try { envs = BoundN.All(q.Bounds, c, e).ToList(); }
                    catch (EvalError err) when (q.Mark(err)) { throw; }
                    foreach (var e2 in envs) E(c, q.Body, e2, acts, at, emit, init);
                    return;
                }
            case QuantN { All: true } q:
                {
                    List<Env?> envs;
                    try { envs = BoundN.All(q.Bounds, c, e).ToList(); }
                    catch (EvalError err) when (q.Mark(err)) { throw; }
                    if (envs.Count == 0) { Continue(c, acts, at, emit, init); return; }
                    var rest = acts; int restAt = at;
                    var body = q.BodyList;
                    for (int i = envs.Count - 1; i > 0; i--) { rest = new Acts(body, envs[i], Pending.Holds, rest, restAt); restAt = 0; }
                    E(c, q.Body, envs[0], rest, restAt, emit, init);
                    return;
                }
            case OpCall oc when oc.Def.Body is not null:
                {
                    Env? ne;
                    try
                    {
                        // as TLC: an argument that is an (unassigned) variable stays an expression, so that
                        // "v = 0" in the body assigns it
                        ne = null;
                        for (int i = 0; i < oc.Args.Length; i++)
                        {
                            var a = oc.Args[i];
                            object val = (init && a is VarRef) || (!init && a is PrimeN { Inner: VarRef }) ? new Thunk(a, e) :
                                a is BoundRef br && Env.Lookup(e, br.Slot) is Thunk passed ? passed :
                                a is OpArgN oa ? oa.Eval(c, e) : a is Lit l ? l.V :
                                (a.Level <= 1 && !oc.Def.Params[i].NeedsLazy) ? a.Eval(c, e) : new Thunk(a, e);
                            ne = new Env(oc.Def.Params[i].Slot, val, ne);
                        }
                    }
                    catch (EvalError err) when (oc.Mark(err)) { throw; }
                    oc.Enter(oc.Def.Name);
                    try { E(c, oc.Def.Body, ne, acts, at, emit, init); }
                    finally { DeepStack.Leave(); }
                    return;
                }
            case DynCall dc:
                {
                    var o = Env.Lookup(e, dc.Slot);
                    if (o is Closure cl)
                    {
                        var ne = cl.Env;
                        for (int i = 0; i < dc.Args.Length; i++) ne = new Env(cl.Def.Params[i].Slot, dc.Args[i].Eval(c, e), ne);
                        E(c, cl.Def.Body, ne, acts, at, emit, init);
                        return;
                    }
                    break;
                }
            case BoundRef br:
                {
                    var o = Env.Lookup(e, br.Slot);
                    if (o is Thunk t) { E(c, t.Expr, t.Env, acts, at, emit, init); return; }
                    if (o is Closure cl && cl.Def.Params.Length == 0) { E(c, cl.Def.Body, cl.Env, acts, at, emit, init); return; }
                    break;
                }
            case LetN l:
                E(c, l.Body, l.Bind(e), acts, at, emit, init);
                return;
            case IfN f:
                E(c, f.C.EvalBool(c, e) ? f.T : f.F, e, acts, at, emit, init);
                return;
            case CaseN cs:
                for (int i = 0; i < cs.Conds.Length; i++)
                    if (cs.Conds[i].EvalBool(c, e)) { E(c, cs.Vals[i], e, acts, at, emit, init); return; }
                if (cs.Other is not null) { E(c, cs.Other, e, acts, at, emit, init); return; }
                throw cs.At(new EvalError("In computing next states, TLC encountered a CASE with no conditions true."));
            case EqN { Neg: false } eq:
                {
                    int v = Target(c, eq.A, init, e);
                    if (v >= 0)
                    {
                        var val = eq.B.Eval(c, e);
                        Assign(c, v, val, acts, at, emit, init);
                        return;
                    }
                    break;
                }
            case InN { Neg: false } inn:
                {
                    int v = Target(c, inn.A, init, e);
                    if (v >= 0)
                    {
                        var s = inn.B.EvalSet(c, e);
                        if (!s.IsFinite) throw inn.At(new EvalError($"In computing next states, the right side of \\IN is not enumerable: {s}"));
                        foreach (var val in s.Elements()) Assign(c, v, val, acts, at, emit, init);
                        return;
                    }
                    break;
                }
            case UnchangedN { Vars: null, Inner: BoundRef ub } when !init && e is not null && Env.Lookup(e, ub.Slot) is Thunk ut && ThunkVar(ut) is VarRef uv:
                // UNCHANGED q with the parameter q given a variable: as UNCHANGED of that variable
                Unchanged(c, [uv], 0, acts, at, emit, init);
                return;
            case UnchangedN { Vars: not null } u when !init:
                Unchanged(c, u.Vars, 0, acts, at, emit, init);
                return;
            case BoxActN { Angle: false } ba when !init:
                E(c, ba.A, e, acts, at, emit, init);
                E(c, new UnchangedN(ba.V, CollectVars(ba.V)) { Loc = ba.Loc, Level = 2 }, e, acts, at, emit, init);
                return;
            case BoxActN { Angle: true } aa when !init:
                E(c, aa.A, e, new Acts([aa.V], e, Pending.Changes, acts, at), 0, emit, init);
                return;
            case CdotN cd when !init:
                Cdot(c, cd, e, acts, at, emit, init);
                return;
            case ImpliesN im:
                if (im.A.EvalBool(c, e)) E(c, im.B, e, acts, at, emit, init);
                else Continue(c, acts, at, emit, init);
                return;
        }
        if (n.EvalBool(c, e)) Continue(c, acts, at, emit, init);
    }

    /// <summary>Whether E(n) is only `if (n.EvalBool(c, e)) Continue(...)`: n is none of the forms E enumerates or
    /// descends into, and not an equality or membership that could assign a variable (Target).</summary>
    private static bool Plain(Node n, bool init) => n switch
    {
        EqN { Neg: true } or InN { Neg: true } => true,
        EqN q => NoTarget(q.A, init),
        InN m => NoTarget(m.A, init),
        NotN or BuiltinCall or Lit or ConstN or FcnAppN => true,
        _ => false,
    };

    /// <summary>Target(c, lhs, init, e) is -1 whatever the state and environment.</summary>
    private static bool NoTarget(Node lhs, bool init) => lhs is not (BoundRef or PrimeN) && !(init && lhs is VarRef);

    /// <summary>A \cdot B, apart from E: its lambda's captured c would be allocated on every entry to E.</summary>
    private static void Cdot(Ctx c, CdotN cd, Env? e, Acts? acts, int at, Action emit, bool init)
    {
        // as TLC (tlc2/tool/impl/Tool.java, getNextStates, OPCODE_cdot): s -A-> t with t starting from the
        // current values of the variables already assigned, each t continued with the pending conjuncts;
        // then t -B-> u from the partial next state as it was, continued with the pending conjuncts again
        var s0 = c.Cur; var s1 = c.Nxt!; int assigned = c.Assigned;
        var t0 = new Value?[s1.Length];
        for (int i = 0; i < s1.Length; i++) if (s1[i] is not null) t0[i] = s0[i];
        var mids = new List<Value?[]>();
        c.Nxt = t0;
        try { E(c, cd.A, e, acts, at, () => mids.Add((Value?[])c.Nxt!.Clone()), init); }
        finally { c.Nxt = s1; c.Assigned = assigned; }
        c.Intermediate += mids.Count;
        foreach (var t in mids)
        {
            var u = (Value?[])s1.Clone();
            c.Cur = t; c.Nxt = u; c.Assigned = assigned;
            try { E(c, cd.B, e, acts, at, emit, init); }
            finally { c.Cur = s0; c.Nxt = s1; c.Assigned = assigned; }
        }
    }

    private static VarRef[]? CollectVars(Node v)
    {
        var list = new List<VarRef>();
        bool Walk(Node x)
        {
            switch (x)
            {
                case VarRef r: list.Add(r); return true;
                case TupleN t: return t.Elems.All(Walk);
                case OpCall { Args.Length: 0 } oc when oc.Def.Body is not null: return Walk(oc.Def.Body);
                default: return false;
            }
        }
        return Walk(v) ? list.ToArray() : null;
    }

    private static int Target(Ctx c, Node lhs, bool init, Env? e = null)
    {
        if (lhs is BoundRef br && e is not null && Env.Lookup(e, br.Slot) is Thunk t) return Target(c, t.Expr, init, t.Env);
        if (init)
        {
            if (lhs is VarRef v && c.Cur[v.Idx] is null) return v.Idx;
            return -1;
        }
        if (lhs is PrimeN { Inner: VarRef pv } && c.Nxt![pv.Idx] is null) return pv.Idx;
        // q' where the operator parameter q was given a variable (Lose(q) == ... q' = ... with Lose(msgQ),
        // Specifying Systems' AlternatingBit): as TLC, the argument is substituted, so this assigns msgQ'
        if (lhs is PrimeN { Inner: BoundRef pb } && e is not null && Env.Lookup(e, pb.Slot) is Thunk pt && ThunkVar(pt) is VarRef iv && c.Nxt![iv.Idx] is null) return iv.Idx;
        return -1;
    }

    /// <summary>The variable a parameter's argument is, through parameters passed on; null if it is another expression.</summary>
    private static VarRef? ThunkVar(Thunk t)
    {
        var inner = t.Expr; var ie = t.Env;
        while (inner is BoundRef ib && ie is not null && Env.Lookup(ie, ib.Slot) is Thunk it) { inner = it.Expr; ie = it.Env; }
        return inner as VarRef;
    }

    private static void Assign(Ctx c, int v, Value val, Acts? acts, int at, Action emit, bool init)
    {
        var arr = init ? c.Cur : c.Nxt!;
        arr[v] = val;
        c.Assigned++;
        try { Continue(c, acts, at, emit, init); }
        finally { arr[v] = null; c.Assigned--; }
    }

    private static void Unchanged(Ctx c, VarRef[] vars, int i, Acts? acts, int at, Action emit, bool init)
    {
        if (i == vars.Length) { Continue(c, acts, at, emit, init); return; }
        var v = vars[i].Idx;
        var now = c.Cur[v]!;
        if (c.Nxt![v] is null)
        {
            c.Nxt[v] = now;
            c.Assigned++;
            try { Unchanged(c, vars, i + 1, acts, at, emit, init); }
            finally { c.Nxt[v] = null; c.Assigned--; }
            return;
        }
        if (c.Nxt[v]!.Equals(now)) Unchanged(c, vars, i + 1, acts, at, emit, init);
    }
}
