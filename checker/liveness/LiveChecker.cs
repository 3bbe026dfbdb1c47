namespace NotifierSpec.Checker;

/// <summary>
/// Liveness under fairness on the complete state graph: for each property, the negation is searched as
/// a fair strongly connected component (stuttering allowed everywhere) reachable through the states the
/// property constrains; WF/SF are handled as in Emerson-Lei refinement. Produces a lasso.
/// </summary>
public sealed partial class LiveChecker(TlaSpec spec, IReadOnlyList<Value[]> states, IReadOnlyList<int[]> succ, List<int> parent, List<int> inits)
{
    private Func<int, int, bool>? _edgeOk;
    private bool Ok(int s, int t) => _edgeOk is null || _edgeOk(s, t);
    private bool[][] _en = [];      // [fairness][state]: ENABLED <<A>>_v
    private Taken[][] _tk = []; // [fairness][state]: successors t with <<A>>_v on (s, t)

    /// <summary>The successors t of a state with an &lt;&lt;A&gt;&gt;_v step (s, t), sorted: a few bytes per state
    /// where a HashSet took a hundred (every state of the graph has one per fairness condition).</summary>
    private readonly struct Taken(int[] sorted) : IEnumerable<int>
    {
        private readonly int[] _t = sorted;
        public static readonly Taken None = new([]);
        public int Count => _t.Length;
        public bool Contains(int t) => _t.Length != 0 && Array.BinarySearch(_t, t) >= 0;
        public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_t).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public sealed record Lasso(string Property, List<int> Prefix, List<int> Cycle);

    /// <summary>Bytes the tableau product and the search of its components may take (--max-memory); beyond it
    /// the check stops with LivenessOutOfMemory. Null: no limit.</summary>
    public long? MemoryBudget { get; init; }

    /// <summary>NOTIFIER_SEARCH_STATS: told the name of each part of the check as it ends (SearchStats.Mark).</summary>
    public Action<string>? Mark { get; init; }

    /// <summary>Threads that evaluate the per-state labels and state predicates (the search's --workers); 1: this
    /// thread only. Only with the states in memory (a spilled graph reads its pages on one thread).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>A planted bug for LivenessWorkersTests: the parallel evaluation's results are kept beyond the first
    /// state whose evaluation failed in the parallel phase (the serial redo from it is skipped).</summary>
    public bool PlantedNoRedo { get; init; }

    /// <summary>body(c, slot, s) for every state s in [0, n), as this thread would do it in the order of s: on
    /// Workers threads (PerState), then on this thread from the first state whose evaluation failed there.</summary>
    private void PerState(Ctx c, int n, Action<Ctx, int, int> body)
    {
        int from = states is List<Value[]> ? Checker.PerState.Run(spec, c, Workers, n, body) : 0;
        if (PlantedNoRedo && from > 0) from = n;
        for (int v = from; v < n; v++) body(c, 0, v);
        c.Nxt = null;
    }

    /// <summary>Bytes of the product's nodes, edges and Tarjan's arrays for them: over MemoryBudget, the check
    /// stops with a one-line error (TLC: "Java ran out of memory during liveness checking", exit 255).</summary>
    private void WithinBudget(LiveAtom a, long bytes, int nodes)
    {
        if (MemoryBudget is not { } max || bytes <= max) return;
        throw new LivenessOutOfMemory($"the liveness check of {a.Property} ran out of memory: the product of the state graph " +
            $"and the tableau of the property's negation needs more than --max-memory ({max} bytes) at {nodes} nodes", a.P.Loc);
    }

    private void Label(Ctx c)
    {
        var fair = spec.FairnessList;
        _en = new bool[fair.Count][];
        _tk = new Taken[fair.Count][];
        for (int k = 0; k < fair.Count; k++) (_en[k], _tk[k]) = LabelOf(c, fair[k]);
        c.Nxt = null;
    }

    /// <summary>For each state: ENABLED &lt;&lt;A&gt;&gt;_v, and the successors reached by an &lt;&lt;A&gt;&gt;_v step.</summary>
    private (bool[] En, Taken[] Tk) LabelOf(Ctx c, Fairness f)
    {
        int nv = spec.Vars.Count;
        var enArr = new bool[states.Count];
        var tk = new Taken[states.Count];
        var sets = new List<int>[Math.Max(1, Workers)];
        PerState(c, states.Count, (c, slot, s) =>
        {
            var set = sets[slot] ??= [];
            set.Clear();
            foreach (var t in succ[s])
            {
                c.Cur = states[s]; c.Nxt = states[t];
                if (!Changed(c, f)) continue;
                if (f.A.EvalBool(c, f.Env)) set.Add(t);
            }
            if (set.Count == 0) tk[s] = Taken.None;
            else { var arr = set.ToArray(); Array.Sort(arr); tk[s] = new Taken(arr); }
            bool en = set.Count > 0;
            if (!en)
            {
                c.Cur = states[s];
                c.Nxt = new Value?[nv];
                try
                {
                    Enumerator.Enum(c, f.A, f.Env, () =>
                    {
                        var save = c.Cur; var full = (Value[])c.Nxt!.Clone()!;
                        if (full.Any(x => x is null)) return;
                        var savedN = c.Nxt;
                        c.Nxt = full;
                        bool ch = Changed(c, f);
                        c.Cur = save; c.Nxt = savedN;
                        if (ch) throw new FoundEnabled();
                    }, false);
                }
                catch (FoundEnabled) { en = true; }
            }
            enArr[s] = en;
        });
        return (enArr, tk);
    }

    private sealed class FoundEnabled : Exception;

    private static bool Changed(Ctx c, Fairness f) => !new UnchangedN(f.V, null) { Loc = f.V.Loc }.EvalBool(c, f.Env);

    public Lasso? Check(Ctx c, List<LiveAtom> atoms)
    {
        Label(c);
        Mark?.Invoke("liveness labels");

        foreach (var a in atoms)
        {
            var (myInits, reach) = Starts(c, a);
            bool R(int s) => reach is null || reach[s];
            _edgeOk = null;
            var lasso = a.Kind switch
            {
                LiveKind.Init => CheckInit(c, a, myInits),
                LiveKind.WeakFair or LiveKind.StrongFair or LiveKind.AlwaysEventuallyAction => CheckFairness(c, a, R),
                LiveKind.Always when a.InitAnywhere => CheckAlwaysFromAnywhere(c, a, myInits),
                LiveKind.Always => CheckAlways(c, a, R),
                LiveKind.LeadsTo or LiveKind.Eventually or LiveKind.AlwaysEventually => CheckEventually(c, a, myInits, R),
                LiveKind.General => CheckGeneral(c, a, myInits),
                LiveKind.EventuallyAlways => CheckEventuallyAlways(c, a, R),
                _ => throw new InvalidOperationException($"unknown temporal form {a.Kind}"),
            };
            Mark?.Invoke($"liveness {a.Kind}");
            if (lasso is not null) return lasso;
        }
        return null;
    }

    private bool Holds(Ctx c, LiveAtom a, Node p, int s) { c.Cur = states[s]; c.Nxt = null; return p.EvalBool(c, a.Env); }

    /// <summary>The states behaviours start from (P => F: only those where P holds; [](P => F): any reachable
    /// one where P holds) and, when restricted, the states reachable from them (null: all).</summary>
    private (List<int> Inits, bool[]? Reach) Starts(Ctx c, LiveAtom a)
    {
        if (a.InitIf is null) return (inits, null);
        var myInits = (a.InitAnywhere ? Enumerable.Range(0, states.Count) : inits)
            .Where(s => { c.Cur = states[s]; c.Nxt = null; return a.InitIf.EvalBool(c, a.InitEnv); }).ToList();
        var reach = new bool[states.Count];
        var q = new Queue<int>();
        foreach (var s in myInits) { reach[s] = true; q.Enqueue(s); }
        while (q.Count > 0) { int v = q.Dequeue(); foreach (var w in succ[v]) if (!reach[w]) { reach[w] = true; q.Enqueue(w); } }
        return (myInits, reach);
    }

    /// <summary>P: a state predicate, violated by an initial state.</summary>
    private Lasso? CheckInit(Ctx c, LiveAtom a, List<int> myInits)
    {
        foreach (var s in myInits)
            if (!Holds(c, a, a.P, s)) return new Lasso(a.Property, PathTo(s), []);
        return null;
    }

    /// <summary>WF/SF/[]&lt;&gt;&lt;&lt;A&gt;&gt;_v as a property: a fair component without an &lt;&lt;A&gt;&gt;_v step (WF: where A is always enabled; SF: where it is enabled somewhere).</summary>
    private Lasso? CheckFairness(Ctx c, LiveAtom a, Func<int, bool> R)
    {
        var (en, tk) = LabelOf(c, a.Act!);
        _edgeOk = (s, t) => !tk[s].Contains(t);
        try
        {
            var nodes = Enumerable.Range(0, states.Count).Where(s => R(s) && (a.Kind != LiveKind.WeakFair || en[s])).ToList();
            var fairNodes = FairComponents(nodes);
            foreach (var (node, comp) in fairNodes.OrderBy(kv => kv.Key))
            {
                if (a.Kind == LiveKind.StrongFair && !comp.Any(x => en[x])) continue;
                var prefix = PathTo(node);
                var cycle = Cycle(node, comp);
                return new Lasso(a.Property, prefix, cycle);
            }
            return null;
        }
        finally { _edgeOk = null; }
    }

    /// <summary>[](P => []Q): from a reachable P-state p, a path to a not-Q state s that continues fairly.</summary>
    private Lasso? CheckAlwaysFromAnywhere(Ctx c, LiveAtom a, List<int> myInits)
    {
        var all = Enumerable.Repeat(true, states.Count).ToArray();
        var fair = FairComponents(Enumerable.Range(0, states.Count).ToList());
        // P is evaluated only where the searches from myInits would evaluate it: the states they reach
        var fromP = new bool[states.Count];
        var fq = new Queue<int>();
        foreach (var p in myInits) if (!fromP[p]) { fromP[p] = true; fq.Enqueue(p); }
        while (fq.Count > 0) { int v = fq.Dequeue(); foreach (var w in succ[v]) if (!fromP[w] && Ok(v, w)) { fromP[w] = true; fq.Enqueue(w); } }
        var reachesBad = CanReach(all, Enumerable.Range(0, states.Count).Where(t => fromP[t] && !Holds(c, a, a.P, t)));
        foreach (int p in myInits.Where(x => reachesBad[x]).OrderBy(x => x))
        {
            var toBad = BfsPath(p, all, t => !Holds(c, a, a.P, t));
            if (toBad is null) continue;
            var toFair = BfsPath(toBad[^1], all, t => fair.ContainsKey(t));
            if (toFair is null) continue;
            var prefix = PathTo(p);
            prefix.AddRange(toBad.Skip(1));
            prefix.AddRange(toFair.Skip(1));
            return new Lasso(a.Property, prefix, Cycle(toFair[^1], fair[toFair[^1]]));
        }
        return null;
    }

    /// <summary>[]P: a reachable state where P is false.</summary>
    private Lasso? CheckAlways(Ctx c, LiveAtom a, Func<int, bool> R)
    {
        for (int s = 0; s < states.Count; s++)
            if (R(s) && !Holds(c, a, a.P, s)) return new Lasso(a.Property, PathTo(s), []);
        return null;
    }

    /// <summary>P ~> Q, &lt;&gt;P, []&lt;&gt;P: from a start (a P-state, an initial state, any state), a fair component
    /// reached while the awaited predicate stays false.</summary>
    private Lasso? CheckEventually(Ctx c, LiveAtom a, List<int> myInits, Func<int, bool> R)
    {
        var inX = new bool[states.Count];
        var awaited = a.Kind == LiveKind.LeadsTo ? a.Q! : a.P;
        PerState(c, states.Count, (c, _, s) => inX[s] = R(s) && !Holds(c, a, awaited, s));
        IEnumerable<int> starts = a.Kind switch
        {
            LiveKind.LeadsTo => Enumerable.Range(0, states.Count).Where(s => inX[s] && Holds(c, a, a.P, s)),
            LiveKind.Eventually => myInits.Where(s => inX[s]),
            _ => Enumerable.Range(0, states.Count).Where(s => inX[s]),
        };
        var fairNodes = FairComponents(Enumerable.Range(0, states.Count).Where(s => inX[s]).ToList());
        // the states of X from which a fair component is reachable inside X, found once backwards
        // (a breadth-first search from every start would be quadratic when nothing is found)
        var reachesFair = CanReach(inX, fairNodes.Keys);
        foreach (int st in starts.Where(s => reachesFair[s]).OrderBy(s => s))
        {
            // reach a fair component from st staying in X
            var path = BfsPath(st, inX, t => fairNodes.ContainsKey(t));
            if (path is null) continue;
            var comp = fairNodes[path[^1]];
            var prefix = PathTo(st);
            prefix.AddRange(path.Skip(1));
            var cycle = Cycle(path[^1], comp);
            return new Lasso(a.Property, prefix, cycle);
        }
        return null;
    }

    /// <summary>&lt;&gt;[]P: a fair component entered at a state where P is false.</summary>
    private Lasso? CheckEventuallyAlways(Ctx c, LiveAtom a, Func<int, bool> R)
    {
        var bad = new bool[states.Count];
        for (int s = 0; s < states.Count; s++) bad[s] = !Holds(c, a, a.P, s);
        var fairNodes = FairComponents(Enumerable.Range(0, states.Count).Where(R).ToList());
        foreach (var (node, comp) in fairNodes.OrderBy(kv => kv.Key))
        {
            if (!bad[node]) continue;
            var prefix = PathTo(node);
            return new Lasso(a.Property, prefix, Cycle(node, comp));
        }
        return null;
    }

    /// <summary>
    /// A temporal formula of any other shape: the product of the tableau of its negation with the state graph
    /// (every state may also stutter), searched for a reachable strongly connected component that is fair
    /// (the spec's WF/SF, Emerson-Lei as above), has a step, and meets every acceptance set of the tableau.
    /// The lasso is the shortest product path to such a component, then a cycle through it; its states are
    /// the product's states without repetitions caused by stuttering steps.
    /// </summary>
    private Lasso? CheckGeneral(Ctx c, LiveAtom a, List<int> starts)
    {
        var tab = a.Tab!;
        var atoms = tab.L.Atoms;
        var stateVal = new sbyte[atoms.Count][];
        var stepVal = new Dictionary<(int, int), bool>[atoms.Count];
        var labels = new Dictionary<Fairness, (bool[] En, Taken[] Tk)>();
        (bool[] En, Taken[] Tk) Lab(Fairness f)
        {
            if (!labels.TryGetValue(f, out var l)) labels[f] = l = LabelOf(c, f);
            return l;
        }
        bool StateLit(int atom, bool neg, int s)
        {
            var arr = stateVal[atom] ??= new sbyte[states.Count];
            if (arr[s] == 0)
            {
                bool v;
                switch (atoms[atom])
                {
                    case StateAtom sa: c.Cur = states[s]; c.Nxt = null; v = sa.P.EvalBool(c, sa.Env); break;
                    case EnabledAtom ea: v = Lab(ea.F).En[s]; break;
                    default: throw new InvalidOperationException("not a state atom");
                }
                arr[s] = (sbyte)(v ? 1 : 2);
            }
            return (arr[s] == 1) != neg;
        }
        bool StepLit(int atom, bool neg, int s, int t)
        {
            var d = stepVal[atom] ??= [];
            if (!d.TryGetValue((s, t), out bool v))
            {
                switch (atoms[atom])
                {
                    case ActionAtom aa: c.Cur = states[s]; c.Nxt = states[t]; v = aa.A.EvalBool(c, aa.Env); c.Nxt = null; break;
                    case AngleAtom ga: v = s != t && Lab(ga.F).Tk[s].Contains(t); break;
                    default: throw new InvalidOperationException("not an action atom");
                }
                d[(s, t)] = v;
            }
            return v != neg;
        }
        PrecomputeStateAtoms(c, atoms, stateVal, starts);
        bool StateOk(Tableau.TNode q, int s) => q.StateLits.All(l => StateLit(l.Atom, l.Neg, s));
        bool StepOk(Tableau.TNode q, int s, int t) => q.ActLits.All(l => StepLit(l.Atom, l.Neg, s, t));

        // the product, explored breadth-first from the start states: node ids in BFS order, so the nodes
        // still to expand are those after the one being expanded
        var nodes = new ProductNodes();
        var pOut = new OutLists();
        // with several workers, the start nodes and then each level's successors (the nodes added while a level is
        // expanded are the next level) are found by the workers where every literal they need is known (Known), and
        // added here in order; from the first start or node that needs an evaluation on, this thread does it
        var pool = Workers > 1 && states is List<Value[]> ? new WorkerThreads(Workers - 1) : null;
        try
        {
            var known = new Known(atoms, stateVal, stepVal, labels, PlantedProductUnknownFalse);
            var sorted = starts.ToArray();
            Array.Sort(sorted);
            var initial = tab.Nodes.Where(q => q.Initial).ToArray();
            for (int i = pool is null ? 0 : ProductStarts(pool, known, sorted, initial, nodes); i < sorted.Length; i++)
                foreach (var q in initial)
                    if (StateOk(q, sorted[i])) nodes.Add(sorted[i], q.Id, -1, out _);
            for (int lo = 0; lo < nodes.Count;)
            {
                int hi = nodes.Count;
                int u = pool is null ? lo : ProductLevel(pool, known, a, tab, nodes, pOut, lo, hi);
                for (; u < hi; u++)
                {
                    if ((u & 1023) == 0) WithinBudget(a, nodes.Bytes + pOut.Bytes, nodes.Count);
                    int s = nodes.State(u);
                    var q = tab.Nodes[nodes.Tab(u)];
                    foreach (int t in succ[s].Where(t => t != s).Prepend(s))
                    {
                        if (!StepOk(q, s, t)) continue;
                        foreach (int q2 in q.Succ)
                            if (StateOk(tab.Nodes[q2], t)) pOut.Add(nodes.Add(t, q2, u, out _));
                    }
                    pOut.End(u);
                }
                lo = hi;
            }
        }
        finally { pool?.Dispose(); }
        c.Nxt = null;
        nodes.Seal();
        Mark?.Invoke($"liveness product ({nodes.Count} nodes)");
        int[] pSt = nodes.StateArray(), pQ = nodes.TabArray();

        bool Takes(int k, int u, int v) => _tk[k][pSt[u]].Contains(pSt[v]);
        // <>[]L assumptions: the component keeps only the steps where L holds
        bool Lit((int Atom, bool Neg) l, int s, int t) =>
            atoms[l.Atom] is StateAtom or EnabledAtom ? StateLit(l.Atom, l.Neg, s) && StateLit(l.Atom, l.Neg, t) : StepLit(l.Atom, l.Neg, s, t);
        var cOut = pOut;
        if (tab.Ea.Count > 0)
        {
            cOut = new OutLists();
            for (int u = 0; u < pOut.Count; u++)
            {
                foreach (int v in pOut[u]) if (tab.Ea.All(l => Lit(l, pSt[u], pSt[v]))) cOut.Add(v);
                cOut.End(u);
            }
        }
        c.Nxt = null;
        WithinBudget(a, nodes.Bytes + pOut.Bytes + (cOut == pOut ? 0 : cOut.Bytes) + TarjanScratch.BytesPerNode * (long)nodes.Count, nodes.Count);
        var fairComps = FairComponentsOf(nodes.Count, null, u => cOut[u], u => pSt[u], (_, _) => true,
            (comp, k) => comp.Any(u => cOut[u].Any(v => comp.Contains(v) && Takes(k, u, v))));
        Mark?.Invoke("liveness components");
        // []<>L assumptions: L in some state (on some step) of the component
        bool AeOk(NodeSet comp, (int Atom, bool Neg) l) => atoms[l.Atom] is StateAtom or EnabledAtom
            ? comp.Any(u => StateLit(l.Atom, l.Neg, pSt[u]))
            : comp.Any(u => cOut[u].Any(v => comp.Contains(v) && StepLit(l.Atom, l.Neg, pSt[u], pSt[v])));
        List<(Func<int, bool> At, Func<int, int, bool>? Step)> AeGoals(NodeSet comp) => tab.Ae.Select(l =>
            atoms[l.Atom] is StateAtom or EnabledAtom
                ? ((Func<int, bool>)(u => StateLit(l.Atom, l.Neg, pSt[u])), (Func<int, int, bool>?)null)
                : (u => cOut[u].Any(v => comp.Contains(v) && StepLit(l.Atom, l.Neg, pSt[u], pSt[v])), (u, v) => StepLit(l.Atom, l.Neg, pSt[u], pSt[v]))).ToList();
        bool Good(NodeSet comp) =>
            comp.Any(u => cOut[u].Any(comp.Contains)) && tab.Accept.All(acc => comp.Any(u => acc[pQ[u]])) && tab.Ae.All(l => AeOk(comp, l));
        // lasso candidates: the first product nodes (breadth-first order) in a good component; the shortest
        // lasso wins, the first one on a tie
        var goodComps = new Dictionary<NodeSet, bool>(ReferenceEqualityComparer.Instance);
        var candidates = fairComps.Keys.OrderBy(u => u)
            .Where(u => { var comp = fairComps[u]; if (!goodComps.TryGetValue(comp, out bool g)) goodComps[comp] = g = Good(comp); return g; })
            .Take(MaxLassoCandidates).ToList();
        if (candidates.Count == 0) return null;
        (List<int> Pre, List<int> Cyc)? best = null;
        foreach (int target in candidates)
        {
            var l = LassoThrough(target, fairComps[target], pSt, pQ, cOut, nodes, tab, AeGoals(fairComps[target]));
            if (best is null || l.Pre.Count + l.Cyc.Count < best.Value.Pre.Count + best.Value.Cyc.Count) best = l;
        }
        return new Lasso(a.Property, best!.Value.Pre, best.Value.Cyc);
    }

    private const int MaxLassoCandidates = 32;

    /// <summary>A planted bug for LivenessWorkersTests: a state predicate the product's workers find not evaluated
    /// is taken as false (Known), instead of leaving that node to this thread, which evaluates it.</summary>
    public bool PlantedProductUnknownFalse { get; init; }

    /// <summary>What the product's workers may read of the literals without evaluating anything: the state
    /// predicates and steps already evaluated (stateVal and stepVal as the product and PrecomputeStateAtoms left
    /// them) and the labels already made; null where a literal needs an evaluation. Read only while the workers run.</summary>
    private sealed class Known(List<LtlAtom> atoms, sbyte[][] stateVal, Dictionary<(int, int), bool>[] stepVal,
        Dictionary<Fairness, (bool[] En, Taken[] Tk)> labels, bool plantedUnknownFalse)
    {
        /// <summary>As StateLit gives it before its negation.</summary>
        public bool? State(int atom, int s) => atoms[atom] switch
        {
            StateAtom => stateVal[atom] is { } arr && arr[s] != 0 ? arr[s] == 1 : plantedUnknownFalse ? false : null,
            EnabledAtom ea => labels.TryGetValue(ea.F, out var l) ? l.En[s] : null,
            _ => throw new InvalidOperationException("not a state atom"),
        };
        /// <summary>As StepLit gives it before its negation.</summary>
        public bool? Step(int atom, int s, int t) => atoms[atom] switch
        {
            ActionAtom => stepVal[atom] is { } d && d.TryGetValue((s, t), out bool v) ? v : null,
            AngleAtom ga => s == t ? false : labels.TryGetValue(ga.F, out var l) ? l.Tk[s].Contains(t) : null,
            _ => throw new InvalidOperationException("not an action atom"),
        };
        /// <summary>StateOk(q, s), stopping at the first literal that is false, as it does.</summary>
        public bool? StateOk(Tableau.TNode q, int s)
        {
            foreach (var l in q.StateLits)
            {
                var v = State(l.Atom, s);
                if (v is null) return null;
                if (v.Value == l.Neg) return false;
            }
            return true;
        }
    }

    /// <summary>The start nodes (each start state in order, with each initial tableau node where StateOk) found by the
    /// workers from what is Known, PerState.Chunk states at a time, and added here in order. Returns the index of
    /// the first start state a worker could not do (this thread does it and the rest), sorted.Length when none, 0
    /// with too few.</summary>
    private static int ProductStarts(WorkerThreads pool, Known known, int[] sorted, Tableau.TNode[] initial, ProductNodes nodes)
    {
        const int chunk = Checker.PerState.Chunk;
        int n = sorted.Length;
        if (n < 2 * chunk) return 0;
        int chunks = (n + chunk - 1) / chunk;
        var ok = new bool[n * initial.Length];
        var failedAt = new int[chunks];
        Array.Fill(failedAt, int.MaxValue);
        pool.For(chunks, (k, _) =>
        {
            for (int i = k * chunk, end = Math.Min(n, i + chunk); i < end; i++)
                for (int j = 0; j < initial.Length; j++)
                {
                    var v = known.StateOk(initial[j], sorted[i]);
                    if (v is null) { failedAt[k] = i; return; }
                    ok[i * initial.Length + j] = v.Value;
                }
        }, blocks: true);
        int first = Math.Min(n, failedAt.Min());
        for (int i = 0; i < first; i++)
            for (int j = 0; j < initial.Length; j++)
                if (ok[i * initial.Length + j]) nodes.Add(sorted[i], initial[j].Id, -1, out _);
        return first;
    }

    /// <summary>The product nodes [lo, hi) of one breadth-first level expanded by the workers (PerState.Chunk nodes
    /// at a time, from what is Known), each node's successors (t, q2) in the order the serial loop finds them; then
    /// added here in node order, as the serial loop adds them (the same ids, parents and edges). Returns the first
    /// node a worker could not expand (a literal not known: this thread evaluates it in its order, so an evaluation
    /// error is the one one thread meets), hi when none; lo with too few nodes.</summary>
    private int ProductLevel(WorkerThreads pool, Known known, LiveAtom a, Tableau tab, ProductNodes nodes, OutLists pOut, int lo, int hi)
    {
        const int chunk = Checker.PerState.Chunk;
        if (hi - lo < 2 * chunk) return lo;
        int chunks = (hi - lo + chunk - 1) / chunk;
        var pairs = new List<int>[chunks];
        var ends = new int[hi - lo];
        var failedAt = new int[chunks];
        Array.Fill(failedAt, int.MaxValue);
        // the step (s, t) from tableau node q: its successors added to mine; false when a literal is not known
        bool Expand(Tableau.TNode q, int s, int t, List<int> mine)
        {
            foreach (var l in q.ActLits)
            {
                var v = known.Step(l.Atom, s, t);
                if (v is null) return false;
                if (v.Value == l.Neg) return true; // StepOk is false: nothing else evaluated
            }
            foreach (int q2 in q.Succ)
            {
                var v = known.StateOk(tab.Nodes[q2], t);
                if (v is null) return false;
                if (v.Value) { mine.Add(t); mine.Add(q2); }
            }
            return true;
        }
        pool.For(chunks, (k, _) =>
        {
            var mine = pairs[k] = [];
            for (int u = lo + k * chunk, end = Math.Min(hi, u + chunk); u < end; u++)
            {
                int s = nodes.State(u);
                var q = tab.Nodes[nodes.Tab(u)];
                bool known = Expand(q, s, s, mine);
                foreach (int t in succ[s])
                    if (known && t != s) known = Expand(q, s, t, mine);
                if (!known) { failedAt[k] = u; return; }
                ends[u - lo] = mine.Count;
            }
        }, blocks: true);
        int first = Math.Min(hi, failedAt.Min());
        for (int u = lo; u < first; u++)
        {
            if ((u & 1023) == 0) WithinBudget(a, nodes.Bytes + pOut.Bytes, nodes.Count);
            int k = (u - lo) / chunk;
            var mine = pairs[k];
            for (int i = u == lo + k * chunk ? 0 : ends[u - lo - 1]; i < ends[u - lo]; i += 2)
                pOut.Add(nodes.Add(mine[i], mine[i + 1], u, out _));
            pOut.End(u);
        }
        return first;
    }

    /// <summary>With several workers, the tableau's state predicates on every state the product can reach (from
    /// starts), in parallel, before the product is built (which asks for them one at a time, in its own order):
    /// stateVal[atom][s] 1 true, 2 false; 0 where the evaluation failed (an error, or SerialOnly), so that the
    /// product evaluates it again itself when it needs it, in its order, as one thread does.</summary>
    private void PrecomputeStateAtoms(Ctx c, List<LtlAtom> atoms, sbyte[][] stateVal, List<int> starts)
    {
        if (Workers <= 1 || states is not List<Value[]>) return;
        var predicates = Enumerable.Range(0, atoms.Count).Where(k => atoms[k] is StateAtom).ToArray();
        if (predicates.Length == 0) return;
        var reach = new bool[states.Count];
        var q = new Queue<int>();
        foreach (int s in starts) if (!reach[s]) { reach[s] = true; q.Enqueue(s); }
        while (q.Count > 0) { int v = q.Dequeue(); foreach (var w in succ[v]) if (!reach[w]) { reach[w] = true; q.Enqueue(w); } }
        foreach (int k in predicates) stateVal[k] = new sbyte[states.Count];
        // not LiveChecker.PerState: nothing is evaluated again on this thread (with the interner not frozen, a new
        // string would get its token before the product asks for it), and with too few states nothing is done
        Checker.PerState.Run(spec, c, Workers, states.Count, (c, _, s) =>
        {
            if (!reach[s]) return;
            foreach (int k in predicates)
            {
                var sa = (StateAtom)atoms[k];
                try { c.Cur = states[s]; c.Nxt = null; stateVal[k][s] = (sbyte)(sa.P.EvalBool(c, sa.Env) ? 1 : 2); }
                catch (Exception e) when (Checker.PerState.Failed(e)) { }
            }
        });
        Mark?.Invoke("liveness state predicates");
    }

    /// <summary>The product's edges, node after node in id order (compressed rows: 4 bytes an edge, where a list
    /// per node took about 60 bytes more).</summary>
    private sealed class OutLists
    {
        private readonly List<int> _end = [];
        private int[] _to = new int[1 << 10];
        private int _n;
        /// <summary>Nodes whose edges are complete.</summary>
        public int Count => _end.Count;
        /// <summary>Bytes held by the arrays.</summary>
        public long Bytes => 4L * (_to.Length + _end.Capacity);
        /// <summary>An edge of node Count (the node being completed).</summary>
        public void Add(int v)
        {
            if (_n == _to.Length) Array.Resize(ref _to, 2 * _to.Length);
            _to[_n++] = v;
        }
        /// <summary>Node u (which must be Count) has all its edges.</summary>
        public void End(int u)
        {
            if (u != _end.Count) throw new InvalidOperationException($"product node {u} completed as node {_end.Count}");
            _end.Add(_n);
        }
        public ArraySegment<int> this[int u]
        {
            get
            {
                int from = u == 0 ? 0 : _end[u - 1];
                return new ArraySegment<int>(_to, from, _end[u] - from);
            }
        }
    }

    /// <summary>The lasso (states) of the product: the BFS path to target, then a cycle through target in its
    /// component that meets the fairness and acceptance conditions.</summary>
    private (List<int> Pre, List<int> Cyc) LassoThrough(int target, NodeSet inComp, int[] pSt, int[] pQ,
        OutLists pOut, ProductNodes nodes, Tableau tab, List<(Func<int, bool> At, Func<int, int, bool>? Step)> aeGoals)
    {
        bool Takes(int k, int u, int v) => _tk[k][pSt[u]].Contains(pSt[v]);

        List<int>? Path(int from, Func<int, bool> goal, bool atLeastOneStep = false)
        {
            var prev = new Dictionary<int, int>();
            var q = new Queue<int>();
            if (atLeastOneStep) { foreach (var w in pOut[from]) if (inComp.Contains(w) && prev.TryAdd(w, from)) q.Enqueue(w); }
            else { prev[from] = -1; q.Enqueue(from); }
            while (q.Count > 0)
            {
                int v = q.Dequeue();
                if (goal(v))
                {
                    var path = new List<int>();
                    for (int x = v; ; x = prev[x]) { path.Add(x); if (x == from && (!atLeastOneStep || path.Count > 1)) break; }
                    path.Reverse();
                    return path;
                }
                foreach (var w in pOut[v]) if (inComp.Contains(w) && prev.TryAdd(w, v)) q.Enqueue(w);
            }
            return null;
        }

        var prefix = new List<int>();
        for (int x = target; x >= 0; x = nodes.Parent(x)) prefix.Add(x);
        prefix.Reverse();
        // the cycle: an <<A>>_v step of every fairness taken in the component, a state where a weak fairness
        // action is disabled when none is taken, a node of every acceptance set, back to the start
        // (each time to the nearest node that does it, breadth-first in the product's edge order)
        var cycle = new List<int>();
        int cur = target;
        void Go(Func<int, bool> goal)
        {
            if (goal(cur)) return;
            var p = Path(cur, goal)!;
            cycle.AddRange(p.Skip(1));
            cur = p[^1];
        }
        var fair = spec.FairnessList;
        for (int k = 0; k < fair.Count; k++)
        {
            bool From(int u) => pOut[u].Any(v => inComp.Contains(v) && Takes(k, u, v));
            if (!inComp.Any(From)) continue;
            Go(From);
            int dst = pOut[cur].First(v => inComp.Contains(v) && Takes(k, cur, v));
            cycle.Add(dst); cur = dst;
        }
        for (int k = 0; k < fair.Count; k++)
        {
            if (fair[k].Strong || inComp.Any(u => pOut[u].Any(v => inComp.Contains(v) && Takes(k, u, v)))) continue;
            Go(u => !_en[k][pSt[u]]);
        }
        foreach (var acc in tab.Accept) Go(u => acc[pQ[u]]);
        foreach (var (at, step) in aeGoals)
        {
            Go(at);
            if (step is null) continue;
            int dst = pOut[cur].First(v => inComp.Contains(v) && step(cur, v));
            cycle.Add(dst); cur = dst;
        }
        if (cur != target) Go(x => x == target);
        else if (cycle.Count == 0) cycle.AddRange(Path(target, x => x == target, true)!.Skip(1));

        // product nodes to states: a stuttering step repeats a state, it is not shown
        // (from an initial state: the start may be any reachable state for [](P => F))
        var pre = PathTo(pSt[prefix[0]]);
        foreach (var u in prefix) if (pre[^1] != pSt[u]) pre.Add(pSt[u]);
        var cyc = new List<int>();
        int last = pre[^1];
        foreach (var u in cycle) if (pSt[u] != last) { cyc.Add(pSt[u]); last = pSt[u]; }
        // the same sequence of states with the loop entered earlier: p0..pk (c1..cm)^w with cm = pk and
        // p(k-1) = c(m-1) is p0..p(k-1) (cm c1..c(m-1))^w
        while (cyc.Count >= 2 && pre.Count >= 2 && pre[^2] == cyc[^2])
        {
            pre.RemoveAt(pre.Count - 1);
            cyc.Insert(0, cyc[^1]);
            cyc.RemoveAt(cyc.Count - 1);
        }
        return (pre, cyc);
    }

    /// <summary>Node -> its fair component (a set of nodes), for the subgraph induced by nodes.</summary>
    private Dictionary<int, NodeSet> FairComponents(List<int> nodes) =>
        FairComponentsOf(states.Count, [.. nodes], v => succ[v], v => v, Ok, (comp, k) => comp.Any(s => _tk[k][s].Any(t => comp.Contains(t) && Ok(s, t))));

    /// <summary>Emerson-Lei refinement on a graph whose nodes stand for states (st): the maximal strongly
    /// connected components that satisfy every WF/SF of the specification (taken: an &lt;&lt;A&gt;&gt;_v step of
    /// fairness k inside the component), of the subgraph induced by nodes (null: all of 0..universe-1).
    /// A component is judged as Tarjan's search finds it and kept only when fair or to be refined (most
    /// components of a graph are single nodes that are not fair: none of them stays in memory).</summary>
    private Dictionary<int, NodeSet> FairComponentsOf(int universe, int[]? nodes, Func<int, IReadOnlyList<int>> outs, Func<int, int> st,
        Func<int, int, bool> edgeOk, Func<NodeSet, int, bool> takenIn)
    {
        var res = new Dictionary<int, NodeSet>();
        var work = new Stack<NodeSet>();
        var scratch = new TarjanScratch(universe);
        var fair = spec.FairnessList;
        if (nodes is not null) Array.Sort(nodes);
        void Judge(NodeSet comp)
        {
            bool ok = true;
            HashSet<int>? remove = null;
            for (int k = 0; k < fair.Count && ok; k++)
            {
                if (takenIn(comp, k)) continue;
                if (!fair[k].Strong)
                {
                    if (comp.All(s => _en[k][st(s)])) ok = false;
                }
                else if (comp.Any(s => _en[k][st(s)]))
                {
                    ok = false;
                    remove = comp.Where(s => _en[k][st(s)]).ToHashSet();
                }
            }
            if (ok) { foreach (var s in comp) res[s] = comp; return; }
            if (remove is null) return;
            comp.Rest = [.. comp.Where(s => !remove.Contains(s))];
            if (comp.Rest.Length > 0) work.Push(comp);
        }
        Sccs(nodes, outs, edgeOk, scratch, Judge);
        while (work.Count > 0)
        {
            var rest = work.Pop().Rest!;
            Array.Sort(rest);
            Sccs(rest, outs, edgeOk, scratch, work.Push);
            while (work.Count > 0 && work.Peek().Rest is null) Judge(work.Pop());
        }
        return res;
    }

    /// <summary>A strongly connected component: its nodes in the order Tarjan popped them (the order a HashSet
    /// of them enumerated); membership by a stamp of the component in an array over all nodes, shared by the
    /// components of one FairComponentsOf (those alive at one time are disjoint: a refinement's components
    /// are stamped over the one they refine, which is then dropped).</summary>
    private sealed class NodeSet : IEnumerable<int>
    {
        private readonly int[] _nodes, _stamp;
        private readonly int _id;
        /// <summary>For a component to refine: its nodes that stay (sorted later).</summary>
        public int[]? Rest;
        public NodeSet(int[] nodes, int[] stamp, int id)
        {
            _nodes = nodes; _stamp = stamp; _id = id;
            foreach (int v in nodes) stamp[v] = id;
        }
        public int Count => _nodes.Length;
        public bool Contains(int v) => _stamp[v] == _id;
        public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_nodes).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Tarjan's arrays over the nodes 0..n-1, shared by the Sccs calls of one FairComponentsOf (each
    /// call leaves them as it found them: Index -1, In and OnStack false), so a call costs what its set holds;
    /// and the components' stamps (0: none; Stamps numbers them).</summary>
    private sealed class TarjanScratch
    {
        public readonly int[] Index, Low, Stamp;
        public readonly bool[] In, OnStack;
        public int Stamps;
        /// <summary>Bytes of the arrays per node.</summary>
        public const int BytesPerNode = 3 * 4 + 2;
        public TarjanScratch(int n)
        {
            Index = new int[n]; Array.Fill(Index, -1);
            Low = new int[n]; In = new bool[n]; OnStack = new bool[n]; Stamp = new int[n];
        }
    }

    /// <summary>Tarjan's SCCs of the subgraph induced by roots (sorted; null: all nodes), iterative, each told
    /// to found as soon as it is complete (found must not call Sccs).</summary>
    private static void Sccs(int[]? roots, Func<int, IReadOnlyList<int>> outs, Func<int, int, bool> edgeOk, TarjanScratch x, Action<NodeSet> found)
    {
        int[] index = x.Index, low = x.Low;
        bool[] inSet = x.In, onStack = x.OnStack;
        int n = roots?.Length ?? index.Length;
        if (roots is null) Array.Fill(inSet, true);
        else foreach (var v in roots) inSet[v] = true;
        var stack = new Stack<int>();
        int counter = 0;
        var comp = new List<int>();
        // a frame keeps its node's successors: outs may read them back from disk (StateGraph spilled)
        var call = new Stack<(int Node, int Edge, IReadOnlyList<int> Outs)>();
        for (int r = 0; r < n; r++)
        {
            int root = roots is null ? r : roots[r];
            if (index[root] >= 0) continue;
            call.Push((root, 0, outs(root)));
            index[root] = low[root] = counter++; stack.Push(root); onStack[root] = true;
            while (call.Count > 0)
            {
                var (v, ei, vo) = call.Pop();
                if (ei < vo.Count)
                {
                    call.Push((v, ei + 1, vo));
                    int w = vo[ei];
                    if (!inSet[w] || !edgeOk(v, w)) continue;
                    if (index[w] < 0)
                    {
                        index[w] = low[w] = counter++; stack.Push(w); onStack[w] = true;
                        call.Push((w, 0, outs(w)));
                    }
                    else if (onStack[w]) low[v] = Math.Min(low[v], index[w]);
                    continue;
                }
                if (low[v] == index[v])
                {
                    comp.Clear();
                    int w;
                    do { w = stack.Pop(); onStack[w] = false; comp.Add(w); } while (w != v);
                    found(new NodeSet([.. comp], x.Stamp, ++x.Stamps));
                }
                if (call.Count > 0) { var (u, _, _) = call.Peek(); low[u] = Math.Min(low[u], low[v]); }
            }
        }
        for (int r = 0; r < n; r++) { int v = roots is null ? r : roots[r]; inSet[v] = false; index[v] = -1; }
    }

    /// <summary>BFS tree path from an initial state to s (state ids).</summary>
    private List<int> PathTo(int s)
    {
        var p = new List<int>();
        for (int x = s; x >= 0; x = parent[x]) p.Add(x);
        p.Reverse();
        return p;
    }

    /// <summary>The allowed states from which one of goals is reachable through allowed states (goals
    /// included), over the edges BfsPath follows: linear in the graph, by a backward search from goals.</summary>
    private bool[] CanReach(bool[] allowed, IEnumerable<int> goals)
    {
        var preds = new List<int>?[states.Count];
        for (int v = 0; v < states.Count; v++)
        {
            if (!allowed[v]) continue;
            foreach (var w in succ[v]) if (allowed[w] && Ok(v, w)) (preds[w] ??= []).Add(v);
        }
        var seen = new bool[states.Count];
        var q = new Queue<int>();
        foreach (var g in goals) if (allowed[g] && !seen[g]) { seen[g] = true; q.Enqueue(g); }
        while (q.Count > 0)
        {
            int w = q.Dequeue();
            if (preds[w] is { } ps) foreach (var v in ps) if (!seen[v]) { seen[v] = true; q.Enqueue(v); }
        }
        return seen;
    }

    private List<int>? BfsPath(int from, bool[] allowed, Func<int, bool> goal)
    {
        var prev = new Dictionary<int, int> { [from] = -1 };
        var q = new Queue<int>(); q.Enqueue(from);
        while (q.Count > 0)
        {
            int v = q.Dequeue();
            if (goal(v))
            {
                var path = new List<int>();
                for (int x = v; x >= 0; x = prev[x]) path.Add(x);
                path.Reverse();
                return path;
            }
            foreach (var w in succ[v]) if (allowed[w] && Ok(v, w) && !prev.ContainsKey(w)) { prev[w] = v; q.Enqueue(w); }
        }
        return null;
    }

    /// <summary>A cycle from start through comp that takes every fairness action possible inside comp;
    /// returns the states after start, ending back at start (empty: stutter at start).</summary>
    private List<int> Cycle(int start, NodeSet comp)
    {
        var inComp = new bool[states.Count];
        foreach (var s in comp) inComp[s] = true;
        var cycle = new List<int>();
        int cur = start;
        var fair = spec.FairnessList;
        for (int k = 0; k < fair.Count; k++)
        {
            // take an A-step inside the component if one exists
            var src = comp.Where(s => _tk[k][s].Any(t => comp.Contains(t) && Ok(s, t))).OrderBy(s => s).FirstOrDefault(-1);
            if (src < 0) continue;
            var p = BfsPath(cur, inComp, x => x == src)!;
            cycle.AddRange(p.Skip(1));
            int dst = _tk[k][src].Where(t => comp.Contains(t) && Ok(src, t)).Min();
            cycle.Add(dst);
            cur = dst;
        }
        for (int k = 0; k < fair.Count; k++)
        {
            // weak fairness satisfied by a state where A is disabled: pass through one
            if (fair[k].Strong || comp.Any(s => _tk[k][s].Any(t => comp.Contains(t) && Ok(s, t)))) continue;
            var off = comp.Where(s => !_en[k][s]).OrderBy(s => s).FirstOrDefault(-1);
            if (off < 0 || off == cur) continue;
            var p = BfsPath(cur, inComp, x => x == off)!;
            cycle.AddRange(p.Skip(1));
            cur = off;
        }
        if (cur != start)
        {
            var back = BfsPath(cur, inComp, x => x == start)!;
            cycle.AddRange(back.Skip(1));
        }
        return cycle;
    }
}

/// <summary>The liveness check needs more memory than --max-memory allows (Where: the property).</summary>
public sealed class LivenessOutOfMemory(string message, Loc? where) : Exception(message)
{
    public Loc? Where { get; } = where;
}
