namespace NotifierSpec.Checker;

/// <summary>
/// Generates states from Init and successors from actions as TLC does: conjuncts left to right,
/// x' = e (x = e in Init) assigns an unassigned variable, x' \in S enumerates, disjunctions and
/// \E branch, everything else is evaluated as a condition.
/// </summary>
public static class Enumerator
{
    private sealed class Found : Exception;

    public static bool IsEnabled(Ctx c, Node action, Env? e)
    {
        c.Nxt = new Value?[c.Spec.Vars.Count];
        try { Enum(c, action, e, () => throw new Found(), false); }
        catch (Found) { return true; }
        return false;
    }

    public static void Enum(Ctx c, Node n, Env? e, Action k, bool init)
    {
        switch (n)
        {
            case AndN a:
                Conj(c, a.Items, 0, e, k, init);
                return;
            case OrN o:
                foreach (var i in o.Items) Enum(c, i, e, k, init);
                return;
            case QuantN { All: false } q:
                try
                {
                    foreach (var e2 in BoundN.All(q.Bounds, c, e)) Enum(c, q.Body, e2, k, init);
                }
                catch (EvalError err) { throw q.At(err); }
                return;
            case OpCall oc when (init ? oc.Level >= 1 : oc.Level >= 2) && oc.Def.Body is not null:
                {
                    Env? ne;
                    try { ne = oc.BindArgs(c, e); } catch (EvalError err) { throw oc.At(err); }
                    try { Enum(c, oc.Def.Body, ne, k, init); }
                    catch (InsufficientExecutionStackException) { throw oc.At(new EvalError($"Recursion too deep while evaluating {oc.Def.Name}")); }
                    return;
                }
            case DynCall dc when (init ? dc.Level >= 1 : dc.Level >= 2):
                {
                    var o = Env.Lookup(e, dc.Slot);
                    if (o is Closure cl)
                    {
                        var args = dc.Args.Select(a => (object)a.Eval(c, e)).ToArray();
                        var ne = cl.Env;
                        for (int i = 0; i < args.Length; i++) ne = new Env(cl.Def.Params[i].Slot, args[i], ne);
                        Enum(c, cl.Def.Body, ne, k, init);
                        return;
                    }
                    break;
                }
            case BoundRef br:
                {
                    var o = Env.Lookup(e, br.Slot);
                    if (o is Thunk t && t.Expr.Level >= (init ? 1 : 2)) { Enum(c, t.Expr, t.Env, k, init); return; }
                    if (o is Closure cl && cl.Def.Params.Length == 0 && cl.Def.Body.Level >= (init ? 1 : 2)) { Enum(c, cl.Def.Body, cl.Env, k, init); return; }
                    break;
                }
            case LetN l:
                Enum(c, l.Body, l.Bind(e), k, init);
                return;
            case IfN f:
                Enum(c, f.C.EvalBool(c, e) ? f.T : f.F, e, k, init);
                return;
            case CaseN cs:
                for (int i = 0; i < cs.Conds.Length; i++)
                    if (cs.Conds[i].EvalBool(c, e)) { Enum(c, cs.Vals[i], e, k, init); return; }
                if (cs.Other is not null) { Enum(c, cs.Other, e, k, init); return; }
                throw cs.At(new EvalError("Attempted to evaluate a CASE with no conditions true"));
            case EqN { Neg: false } eq:
                {
                    int v = Target(c, eq.A, init);
                    if (v >= 0)
                    {
                        var val = eq.B.Eval(c, e);
                        Assign(c, v, val, k, init);
                        return;
                    }
                    break;
                }
            case InN { Neg: false } inn:
                {
                    int v = Target(c, inn.A, init);
                    if (v >= 0)
                    {
                        var s = inn.B.EvalSet(c, e);
                        if (!s.IsFinite) throw inn.At(new EvalError($"Attempted to enumerate the infinite set {s} to assign a variable"));
                        foreach (var val in s.Elements()) Assign(c, v, val, k, init);
                        return;
                    }
                    break;
                }
            case UnchangedN { Vars: not null } u when !init:
                Unchanged(c, u.Vars, 0, k);
                return;
            case BoxActN { Angle: false } ba when !init:
                Enum(c, ba.A, e, k, init);
                Enum(c, new UnchangedN(ba.V, CollectVars(ba.V)) { Loc = ba.Loc, Level = 2 }, e, k, init);
                return;
            case BoxActN { Angle: true } aa when !init:
                Enum(c, aa.A, e, () => { if (!new UnchangedN(aa.V, null) { Loc = aa.Loc }.EvalBool(c, e)) k(); }, init);
                return;
            case ImpliesN im:
                if (!im.A.EvalBool(c, e)) { k(); return; }
                Enum(c, im.B, e, k, init);
                return;
        }
        if (n.EvalBool(c, e)) k();
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

    private static void Conj(Ctx c, Node[] items, int i, Env? e, Action k, bool init)
    {
        if (i == items.Length) { k(); return; }
        Enum(c, items[i], e, () => Conj(c, items, i + 1, e, k, init), init);
    }

    private static int Target(Ctx c, Node lhs, bool init)
    {
        if (init)
        {
            if (lhs is VarRef v && c.Cur[v.Idx] is null) return v.Idx;
            return -1;
        }
        if (lhs is PrimeN { Inner: VarRef pv } && c.Nxt![pv.Idx] is null) return pv.Idx;
        return -1;
    }

    private static void Assign(Ctx c, int v, Value val, Action k, bool init)
    {
        var arr = init ? c.Cur : c.Nxt!;
        arr[v] = val;
        try { k(); }
        finally { arr[v] = null; }
    }

    private static void Unchanged(Ctx c, VarRef[] vars, int i, Action k)
    {
        if (i == vars.Length) { k(); return; }
        var v = vars[i].Idx;
        var now = c.Cur[v]!;
        if (c.Nxt![v] is null)
        {
            c.Nxt[v] = now;
            try { Unchanged(c, vars, i + 1, k); }
            finally { c.Nxt[v] = null; }
            return;
        }
        if (c.Nxt[v]!.Equals(now)) Unchanged(c, vars, i + 1, k);
    }
}
