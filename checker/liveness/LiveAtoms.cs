namespace NotifierSpec.Checker;

/// <summary>A fairness conjunct WF_v(A) / SF_v(A) of the specification, instantiated.</summary>
public sealed record Fairness(bool Strong, Node A, Node V, Env? Env, string Text);

/// <summary>A temporal conjunct of the specification other than WF/SF, in its environment.</summary>
public sealed record Assumption(Node N, Env? Env);

/// <summary>The form of a checked temporal formula (P, Q state predicates, A an action).</summary>
public enum LiveKind
{
    /// <summary>P: a state predicate, true in every initial state.</summary>
    Init,
    /// <summary>WF_v(A) written as a property.</summary>
    WeakFair,
    /// <summary>SF_v(A) written as a property.</summary>
    StrongFair,
    /// <summary>[]&lt;&gt;&lt;&lt;A&gt;&gt;_v.</summary>
    AlwaysEventuallyAction,
    /// <summary>[]P.</summary>
    Always,
    /// <summary>P ~&gt; Q.</summary>
    LeadsTo,
    /// <summary>&lt;&gt;P.</summary>
    Eventually,
    /// <summary>[]&lt;&gt;P.</summary>
    AlwaysEventually,
    /// <summary>&lt;&gt;[]P.</summary>
    EventuallyAlways,
    /// <summary>Any other temporal formula: checked through the tableau Tab of its negation.</summary>
    General,
}

/// <summary>One checked temporal formula of kind Kind.
/// InitIf: only behaviors starting in a state where it holds (P => F); from every reachable such state when
/// InitAnywhere ([](P => F)), else from the initial states.</summary>
public sealed record LiveAtom(LiveKind Kind, Node P, Node? Q, Env? Env, string Property, Node? InitIf = null, Env? InitEnv = null, Fairness? Act = null, bool InitAnywhere = false, Tableau? Tab = null);

/// <summary>The temporal properties of the specification taken apart into the forms LiveChecker searches for
/// (TLC: tlc2/tool/liveness/Liveness.processLiveness).</summary>
public sealed partial class LiveChecker
{
    public static IEnumerable<LiveAtom> Atoms(TlaSpec spec, Ctx c, NamedPred p) =>
        spec.Assumptions.Count > 0 ? Assumed(spec, c, p.Node, null, p.Name) : Expand(spec, c, p.Node, null, p.Name, null, null);

    /// <summary>
    /// With assumptions A1..An (temporal conjuncts of the specification other than WF/SF), each conjunct F of
    /// the property is checked as (A1 /\ ... /\ An) =&gt; F: the tableau of A1 /\ ... /\ An /\ ~F.
    /// </summary>
    private static IEnumerable<LiveAtom> Assumed(TlaSpec spec, Ctx c, Node n, Env? e, string prop)
    {
        switch (n)
        {
            case AndN a:
                foreach (var i in a.Items) foreach (var x in Assumed(spec, c, i, e, prop)) yield return x;
                yield break;
            case OpCall oc when oc.Def.Body is not null && !oc.Def.Recursive:
                foreach (var x in Assumed(spec, c, oc.Def.Body, Ltl.BindByName(c, oc, e), prop)) yield return x;
                yield break;
            case LetN l:
                foreach (var x in Assumed(spec, c, l.Body, l.Bind(e), prop)) yield return x;
                yield break;
            case QuantN { All: true } q:
                foreach (var e2 in Ltl.Instances(c, q, e, prop))
                    foreach (var x in Assumed(spec, c, q.Body, e2, prop)) yield return x;
                yield break;
        }
        if (n is BoxActN) throw new EvalError($"unsupported: an action formula as a temporal property in {prop}") { Where = n.Loc };
        if (n.Level == 2) throw new EvalError($"unsupported temporal property form in {prop}: an action that is not [][A]_v") { Where = n.Loc };
        var (ltl, root, ea, ae) = Ltl.NegatedUnder(c, spec.Assumptions, n, e, prop);
        yield return new LiveAtom(LiveKind.General, n, null, e, prop, Tab: new Tableau(ltl, root) { Ea = ea, Ae = ae });
    }

    private static IEnumerable<LiveAtom> Expand(TlaSpec spec, Ctx c, Node n, Env? e, string prop, Node? initIf, Env? initEnv)
    {
        foreach (var a in Expand0(spec, c, n, e, prop)) yield return a with { InitIf = a.InitIf ?? initIf, InitEnv = a.InitIf is null ? initEnv : a.InitEnv };
    }

    private static IEnumerable<LiveAtom> Expand0(TlaSpec spec, Ctx c, Node n, Env? e, string prop)
    {
        switch (n)
        {
            case ImpliesN im when im.A.Level <= 1 && im.B.Level == 3:
                // P => F: F must hold for the behaviors starting in a state where P holds
                foreach (var x in Expand(spec, c, im.B, e, prop, im.A, e)) yield return x;
                yield break;
            case TemporalN { Op: "[]" } bi when bi.Kids[0] is ImpliesN im && im.A.Level <= 1 && im.B.Level == 3:
                // [](P => F): F must hold for the behaviors starting in any reachable state where P holds
                // (Examples: Quiescence == [](terminated => []terminated))
                foreach (var x in Expand(spec, c, im.B, e, prop, im.A, e))
                    yield return ReferenceEquals(x.InitIf, im.A) ? x with { InitAnywhere = true } : x;
                yield break;
            case TemporalN { Op: "WF" or "SF" } f:
                yield return new LiveAtom(f.Op == "SF" ? LiveKind.StrongFair : LiveKind.WeakFair, f.Kids[0], null, e, prop, Act: new Fairness(f.Op == "SF", f.Kids[0], f.Sub!, e, f.Op));
                yield break;
            case TemporalN { Op: "[]" } t when t.Kids[0] is TemporalN { Op: "<>" } ev && ev.Kids[0] is BoxActN { Angle: true } aa:
                yield return new LiveAtom(LiveKind.AlwaysEventuallyAction, aa.A, null, e, prop, Act: new Fairness(false, aa.A, aa.V, e, "[]<><<A>>_v"));
                yield break;
            case AndN a:
                foreach (var i in a.Items) foreach (var x in Expand(spec, c, i, e, prop, null, null)) yield return x;
                yield break;
            case OpCall oc when oc.Def.Body is not null:
                foreach (var x in Expand(spec, c, oc.Def.Body, Ltl.BindByName(c, oc, e), prop, null, null)) yield return x;
                yield break;
            case LetN l:
                foreach (var x in Expand(spec, c, l.Body, l.Bind(e), prop, null, null)) yield return x;
                yield break;
            case QuantN { All: true } q:
                foreach (var e2 in Ltl.Instances(c, q, e, prop))
                    foreach (var x in Expand(spec, c, q.Body, e2, prop, null, null)) yield return x;
                yield break;
            case TemporalN { Op: "~>" } t when t.Kids[0].Level <= 1 && t.Kids[1].Level <= 1:
                yield return new LiveAtom(LiveKind.LeadsTo, t.Kids[0], t.Kids[1], e, prop);
                yield break;
            case TemporalN { Op: "<>" } t when t.Kids[0].Level <= 1:
                yield return new LiveAtom(LiveKind.Eventually, t.Kids[0], null, e, prop);
                yield break;
            case TemporalN { Op: "[]" } t when t.Kids[0] is TemporalN { Op: "<>" } inner && inner.Kids[0].Level <= 1:
                yield return new LiveAtom(LiveKind.AlwaysEventually, inner.Kids[0], null, e, prop);
                yield break;
            case TemporalN { Op: "<>" } t when t.Kids[0] is TemporalN { Op: "[]" } inner && inner.Kids[0].Level <= 1:
                yield return new LiveAtom(LiveKind.EventuallyAlways, inner.Kids[0], null, e, prop);
                yield break;
            case TemporalN { Op: "[]" } t when t.Kids[0].Level <= 1:
                yield return new LiveAtom(LiveKind.Always, t.Kids[0], null, e, prop);
                yield break;
            case TemporalN { Op: "[]" } t when t.Kids[0] is TemporalN { Op: "[]" or "<>" or "~>" }:
                foreach (var x in Expand(spec, c, t.Kids[0], e, prop, null, null)) yield return x;
                yield break;
        }
        if (n.Level <= 1) { yield return new LiveAtom(LiveKind.Init, n, null, e, prop); yield break; }
        if (n is BoxActN) throw new EvalError($"unsupported: an action formula as a temporal property in {prop}") { Where = n.Loc };
        if (n.Level == 2) throw new EvalError($"unsupported temporal property form in {prop}: an action that is not [][A]_v") { Where = n.Loc };
        // any other temporal formula: the tableau of its negation, searched in the product with the state graph
        var (ltl, root) = Ltl.Negated(c, n, e, prop);
        yield return new LiveAtom(LiveKind.General, n, null, e, prop, Tab: new Tableau(ltl, root));
    }

    /// <summary>
    /// The WF/SF conjuncts of a specification; any other temporal conjunct (e.g. &lt;&gt;[][A]_v, []&lt;&gt;P) is added
    /// to assume: as TLC (tlc2/tool/liveness/Liveness.processLiveness puts the spec's temporal conjuncts other
    /// than fairness into the tableau with the negated property), every PROPERTY conjunct F is then checked as
    /// (A1 /\ ... /\ An) =&gt; F through the tableau.
    /// </summary>
    public static IEnumerable<Fairness> FairnessOf(Ctx c, Node n, Env? e, List<Assumption> assume)
    {
        switch (n)
        {
            case AndN a:
                foreach (var i in a.Items) foreach (var x in FairnessOf(c, i, e, assume)) yield return x;
                yield break;
            case OpCall oc when oc.Def.Body is not null:
                foreach (var x in FairnessOf(c, oc.Def.Body, oc.BindArgs(c, e), assume)) yield return x;
                yield break;
            case QuantN { All: true } q:
                foreach (var e2 in BoundN.All(q.Bounds, c, e).ToList())
                    foreach (var x in FairnessOf(c, q.Body, e2, assume)) yield return x;
                yield break;
            case TemporalN { Op: "WF" or "SF" } f:
                yield return new Fairness(f.Op == "SF", f.Kids[0], f.Sub!, e, $"{f.Op}_ at {f.Loc.Line}:{f.Loc.Col}");
                yield break;
            case { Level: 3 }:
                assume.Add(new Assumption(n, e));
                yield break;
        }
        throw new EvalError("unsupported fairness conjunct (expected WF_v(A), SF_v(A), conjunctions and \\A of them)") { Where = n.Loc };
    }

}
