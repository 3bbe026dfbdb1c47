namespace NotifierSpec.Checker;

/// <summary>A successor of a state with what the checks said about it (found by a worker, judged by the merge).</summary>
public sealed class Successor
{
    /// <summary>The state; null once judged when the merge cannot need it (in the model, already in the fingerprint
    /// set, no action property violated: only its fingerprint and action count), so that the batch does not keep
    /// the states it has seen before alive (they made most of what the garbage collector copied).</summary>
    public Value[]? State;
    public long Fp;
    public int Action;
    public bool InModel;
    public string? InvViolated;
    public Exception? InvError; // evaluating an invariant on this state failed (reported at this state, as TLC)
    public string? InvErrorName; // the invariant or state property whose evaluation failed
    public string? ActPropViolated;
    /// <summary>Evaluating the action property ActPropErrorName on the step to this state failed (reported at this
    /// step, after the state is counted, as TLC's Worker.doNextCheckImplied).</summary>
    public Exception? ActPropError;
    /// <summary>Evaluating a state or action constraint on this successor failed: TLC counts the state as generated
    /// and its trace ends in it (Worker.doNext: doNextFailed(curState, succState)); nothing else is judged.</summary>
    public Exception? ConstraintError;
    public string? ActPropErrorName;
    /// <summary>In the model and not in the fingerprint set when it was judged: maybe a new state.</summary>
    public bool Fresh;
    /// <summary>Set by the parallel merge: the first occurrence of a fresh state in the batch's order.</summary>
    public bool New;
}

/// <summary>
/// What a worker does with one state (TLC: tlc2/tool/Worker with Tool.getNextStates): generate its successors
/// action by action, then for each the constraints, its fingerprint, the invariants (only for a state not
/// seen before) and the action properties. Safe to run in several workers at once, each with its own Ctx.
/// </summary>
public sealed class StateExpander(TlaSpec spec, Fingerprinter fingerprint, IFingerprintSet seen)
{
    /// <summary>The first invariant or state property that st violates, or null; evaluating: the one being
    /// evaluated when an evaluation error is thrown (TLC: "Evaluating invariant NAME failed.").</summary>
    public string? FirstViolation(Ctx c, Value[] st, ref string? evaluating)
    {
        c.Cur = st; c.Nxt = null;
        foreach (var inv in spec.Invariants) { evaluating = inv.Name; if (!inv.Node.EvalBool(c, null)) return inv.Name; }
        foreach (var p in spec.StateProps) { evaluating = p.Name; if (!p.Node.EvalBool(c, null)) return p.Name; }
        return null;
    }

    /// <summary>The successors of st, a state of the given BFS level: TLCGet("level") is that level in the actions,
    /// action constraints and action properties, and level + 1 in the new state's constraints and invariants.
    /// intermediate: the intermediate states of \cdot steps (TLC counts them as generated).</summary>
    public List<Successor> Expand(Ctx c, Value[] st, int level, out long intermediate)
    {
        c.Intermediate = 0;
        var res = Generate(c, st, level);
        foreach (var s in res)
        {
            Judge(c, st, s, level);
            if (s.ConstraintError is not null) { res.RemoveRange(res.IndexOf(s) + 1, res.Count - res.IndexOf(s) - 1); break; }
        }
        intermediate = c.Intermediate;
        return res;
    }

    private List<Successor> Generate(Ctx c, Value[] st, int level)
    {
        var g = new Generation(spec, c);
        c.Level = level;
        // one next-state array for all actions: the enumerator assigns a variable and unassigns it when it
        // backtracks, so the array is empty again after each action (cleared anyway); successors are copies
        var nxt = new Value?[spec.Vars.Count];
        foreach (var a in spec.Actions)
        {
            c.Cur = st;
            Array.Clear(nxt);
            c.Nxt = nxt;
            g.Action = a;
            Enumerator.Enum(c, a.Run, a.RunEnv, g.Emit, false);
        }
        return g.Res;
    }

    /// <summary>The successors of one state, collected action by action: one object and one delegate per state
    /// (a lambda per action allocated its closure and its delegate for every action of every state).</summary>
    private sealed class Generation
    {
        private readonly TlaSpec _spec;
        private readonly Ctx _c;
        public readonly List<Successor> Res = [];
        public ActionDef Action = null!;
        public readonly Action Emit;

        public Generation(TlaSpec spec, Ctx c) { _spec = spec; _c = c; Emit = Add; }

        private void Add()
        {
            var nx = _c.Nxt!;
            for (int i = 0; i < nx.Length; i++)
                if (nx[i] is null)
                    throw new EvalError($"Successor state is not completely specified by action {Action.Name}. The following variable is not assigned: {_spec.Vars[i]}.") { Where = Action.Def?.Loc ?? _spec.Next.Loc };
            Res.Add(new Successor { State = ValueArrays.Copy(nx), Action = Action.Index });
        }
    }

    /// <summary>Constraints, fingerprint and (for a state not seen before this level) invariants of s, a successor of st.</summary>
    private void Judge(Ctx c, Value[] st, Successor s, int level)
    {
        var state = s.State!;
        c.Cur = state; c.Nxt = null; c.Level = level + 1;
        bool inModel = true;
        try
        {
            foreach (var p in spec.Constraints) if (!p.Node.EvalBool(c, null)) { inModel = false; break; }
            if (inModel && spec.ActionConstraints.Count > 0)
            {
                c.Cur = st; c.Nxt = state; c.Level = level;
                foreach (var p in spec.ActionConstraints) if (!p.Node.EvalBool(c, null)) { inModel = false; break; }
                c.Cur = state; c.Nxt = null; c.Level = level + 1;
            }
        }
        catch (Exception e) when (e is EvalError or AssertError) { s.ConstraintError = e; c.Nxt = null; c.Level = level + 1; return; }
        s.InModel = inModel;
        s.Fp = fingerprint.Of(c, state);
        s.Fresh = inModel && !seen.Contains(s.Fp);
        if (!inModel || s.Fresh)
        {
            var fine = c.Fine;
            if (fine is not null && fine.Holds(s.Fp)) fine.Skipped++;
            else
            {
                long effects = c.Effects;
                try { s.InvViolated = FirstViolation(c, state, ref s.InvErrorName); }
                catch (Exception e) when (e is EvalError or AssertError) { s.InvError = e; }
                if (fine is not null)
                {
                    fine.Evaluated++;
                    if (s.InvViolated is null && s.InvError is null && (c.Effects == effects || fine.IgnoresEffects)) fine.Add(s.Fp);
                }
            }
        }
        if (spec.ActionProps.Count > 0)
        {
            c.Cur = st; c.Nxt = state; c.Level = level;
            foreach (var p in spec.ActionProps)
            {
                try { if (!p.Node.EvalBool(c, null)) { s.ActPropViolated = p.Name; break; } }
                catch (Exception e) when (e is EvalError or AssertError) { s.ActPropError = e; s.ActPropErrorName = p.Name; break; }
            }
            c.Nxt = null; c.Level = level + 1;
        }
        if (inModel && !s.Fresh && s.ActPropViolated is null && s.ActPropError is null) s.State = null;
    }
}
