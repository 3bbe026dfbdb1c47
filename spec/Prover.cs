using System.Diagnostics;
using Microsoft.Z3;

namespace NotifierSpec.Spec;

public enum QueryVerdict
{
    /// <summary>unsat: the query's property holds</summary>
    Holds,
    /// <summary>consecution failed: a counterexample to induction (maybe unreachable)</summary>
    Cti,
    /// <summary>BMC found a trace from Init that breaks the rule</summary>
    Counterexample,
    /// <summary>BMC found no trace up to its depth</summary>
    NoTraceUpToDepth,
    /// <summary>the solver answered unknown (resource limit reached)</summary>
    Unknown,
    /// <summary>a non-vacuity check failed: Init or an action's guard is unsatisfiable</summary>
    Vacuous,
}

public sealed record QueryResult(string Query, QueryVerdict Verdict, double Millis, string? Report)
{
    public bool Failed => Verdict is QueryVerdict.Cti or QueryVerdict.Counterexample or QueryVerdict.Vacuous;
}

/// <summary>Thrown for errors that are not verdicts (Z3 unusable); printed as one line.</summary>
public sealed class SpecException(string message) : Exception(message);

/// <summary>
/// Runs the queries of one model on one Z3 context: initiation (Init ⇒ conjunct), consecution
/// (Inv ∧ action ⇒ conjunct') per action × conjunct, and BMC. Single-threaded by design: a
/// Z3 context belongs to the thread that created it (see spec/native/z3shim.c).
/// </summary>
public sealed class Prover
{
    public Model M { get; }
    private readonly Context _ctx;
    private readonly uint _rlimit;

    /// <summary>The conjuncts this prover checks (all of the model's unless given).</summary>
    public IReadOnlyList<Conjunct> Conjuncts { get; }

    public Prover(Model model, IReadOnlyList<Conjunct>? conjuncts = null, uint rlimit = 400_000_000)
    {
        M = model;
        Conjuncts = conjuncts ?? model.Conjuncts;
        _ctx = model.Ctx;
        _rlimit = rlimit;
    }

    /// <summary>
    /// A solver bounded by a resource limit, not a timeout: deterministic, and no timer thread
    /// (4.8.12's timers are shared by all contexts of the process; a wall-clock timeout under a
    /// loaded multi-threaded test host is exactly what should not decide a verdict).
    /// Without the array extensionality axiom: no query compares two arrays (states are compared
    /// element by element), and with it 4.8.12's model-based quantifier instantiation gives some
    /// satisfiable queries a model whose definitions are cyclic (the projection of the page sort
    /// decided by equalities between array values defined through that projection), on which
    /// Model.Eval allocates without end: the test host was OOM-killed rendering such a CTI
    /// (docs/spec.md, "Z3 on Linux"; tests/Spec.Tests CyclicModelTests). Fewer axioms can only
    /// turn unsat into sat, so a query that holds still holds with them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, bool> SolverOptions = new Dictionary<string, bool> { ["array.extensional"] = false };

    private Solver NewSolver()
    {
        var s = _ctx.MkSolver();
        var p = _ctx.MkParams();
        p.Add("rlimit", _rlimit);
        foreach (var (k, v) in SolverOptions) p.Add(k, v);
        s.Parameters = p;
        return s;
    }

    /// <summary>For tests: runs before every solver check (tests/Spec.Tests DeterminismTests runs a full GC there:
    /// when the GC finalizes the dropped terms must not change a verdict or a report).</summary>
    public Action? BeforeCheck { get; init; }

    private Status Check(Solver solver)
    {
        BeforeCheck?.Invoke();
        return solver.Check();
    }

    private BoolExpr Invariant(State s) => _ctx.MkAnd(Conjuncts.Select(c => M.Closed(c, s)).ToArray());

    private static QueryVerdict Map(Status st, QueryVerdict onSat) => st switch
    {
        Status.UNSATISFIABLE => QueryVerdict.Holds,
        Status.SATISFIABLE => onSat,
        _ => QueryVerdict.Unknown,
    };

    /// <summary>
    /// Non-vacuity: Init is satisfiable, and every action is enabled in some state satisfying
    /// the invariant (else the proofs below would hold for nothing).
    /// </summary>
    public IEnumerable<QueryResult> Sanity()
    {
        // run on a finite instance: a concrete witness there is one for every size, and the
        // queries stay quantifier-free (satisfiable quantified queries are hard for MBQI)
        if (M.Bounds is null) throw new InvalidOperationException("sanity checks need a model with finite sorts");
        var solver = NewSolver();
        var s = M.FreshState("");
        var sw = Stopwatch.StartNew();
        solver.Push();
        solver.Assert(M.Init(s));
        var st = Check(solver);
        solver.Pop();
        yield return new QueryResult($"init is satisfiable ({M.Bounds})", SatIsGood(st), sw.Elapsed.TotalMilliseconds, null);
        solver.Assert(Invariant(s));
        foreach (var a in M.Actions)
        {
            var inst = a.Build(s, "a");
            solver.Push();
            solver.Assert(inst.Guard);
            sw.Restart();
            st = Check(solver);
            solver.Pop();
            yield return new QueryResult($"{a.Name} enabled under the invariant ({M.Bounds})", SatIsGood(st), sw.Elapsed.TotalMilliseconds, null);
        }
    }

    private static QueryVerdict SatIsGood(Status st) => st switch
    {
        Status.SATISFIABLE => QueryVerdict.Holds,
        Status.UNSATISFIABLE => QueryVerdict.Vacuous,
        _ => QueryVerdict.Unknown,
    };

    /// <summary>Init ⇒ C, one query per conjunct.</summary>
    public IEnumerable<QueryResult> Initiation()
    {
        var solver = NewSolver();
        var s = M.FreshState("");
        solver.Assert(M.Init(s));
        foreach (var c in Conjuncts)
        {
            var (vars, body) = c.Build(s);
            solver.Push();
            solver.Assert(_ctx.MkNot(body));
            var sw = Stopwatch.StartNew();
            var st = Check(solver);
            sw.Stop();
            string? report = st == Status.SATISFIABLE ? new Render(M, solver.Model).InitReport(s, c, vars) : null;
            solver.Pop();
            yield return new QueryResult($"init => {c.Name}", Map(st, QueryVerdict.Cti), sw.Elapsed.TotalMilliseconds, report);
        }
    }

    /// <summary>Inv ∧ guard(a) ⇒ C(post(a)), one query per action × conjunct.</summary>
    public IEnumerable<QueryResult> Consecution(Func<ModelAction, bool>? actionFilter = null, bool render = true)
    {
        var solver = NewSolver();
        var s = M.FreshState("");
        solver.Assert(Invariant(s));
        foreach (var a in M.Actions.Where(a => actionFilter?.Invoke(a) ?? true))
        {
            var inst = a.Build(s, "a");
            solver.Push();
            solver.Assert(inst.Guard);
            foreach (var c in Conjuncts)
            {
                var (vars, body) = c.Build(inst.Post);
                solver.Push();
                solver.Assert(_ctx.MkNot(body));
                var sw = Stopwatch.StartNew();
                var st = Check(solver);
                sw.Stop();
                string? report = st == Status.SATISFIABLE && render ? new Render(M, solver.Model).CtiReport(s, inst, c, vars)
                    : st == Status.UNKNOWN ? $"solver unknown: {solver.ReasonUnknown}" : null;
                solver.Pop();
                yield return new QueryResult($"{a.Name} => {c.Name}'", Map(st, QueryVerdict.Cti), sw.Elapsed.TotalMilliseconds, report);
            }
            solver.Pop();
        }
    }

    /// <summary>
    /// Bounded model checking from Init, depth 0..maxDepth, for a violation of any of the
    /// target rules; stops at the first (hence shortest) trace.
    /// </summary>
    public QueryResult Bmc(IReadOnlyList<string> targetRules, int maxDepth)
    {
        var solver = NewSolver();
        var states = new List<State> { M.FreshState("0") };
        var steps = new List<(IntExpr Selector, List<ActionInstance> Instances)>();
        if (M.Bounds is null) throw new InvalidOperationException("BMC needs a model with finite sorts (Bounds)");
        solver.Assert((BoolExpr)M.Init(states[0]).Simplify());
        var targets = Conjuncts.Where(c => targetRules.Contains(c.Name)).ToList();
        string name = $"bmc {string.Join(",", targetRules)} ({M.Bounds?.ToString() ?? "any size"})";
        var sw = Stopwatch.StartNew();
        for (int k = 0; ; k++)
        {
            var sk = states[k];
            var built = targets.Select(c => (c, c.Build(sk))).ToList();
            solver.Push();
            solver.Assert((BoolExpr)_ctx.MkOr(built.Select(b => _ctx.MkNot(b.Item2.Body)).ToArray()).Simplify());
            var st = Check(solver);
            if (st == Status.SATISFIABLE)
            {
                var model = solver.Model;
                var broken = built.First(b => model.Eval(_ctx.MkNot(b.Item2.Body), true).IsTrue);
                var report = new Render(M, model).TraceReport(states, steps, broken.c, broken.Item2.Vars);
                solver.Pop();
                sw.Stop();
                return new QueryResult($"{name} depth {k}", QueryVerdict.Counterexample, sw.Elapsed.TotalMilliseconds, report);
            }
            solver.Pop();
            if (st != Status.UNSATISFIABLE)
                return new QueryResult($"{name} depth {k}", QueryVerdict.Unknown, sw.Elapsed.TotalMilliseconds, $"solver unknown: {solver.ReasonUnknown}");
            if (k == maxDepth) break;
            // one more step: sel = which action; next state = that action's post-state
            var next = M.FreshState((k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var sel = _ctx.MkIntConst($"step#{k + 1}");
            var instances = new List<ActionInstance>();
            var disj = new List<BoolExpr>();
            for (int a = 0; a < M.Actions.Count; a++)
            {
                var inst = M.Actions[a].Build(sk, $"{k + 1}.{a}");
                instances.Add(inst);
                // pointwise next = post over the finite domain, beta-reduced to scalars
                var eqs = M.Vars.SelectMany(v => v.Domain.Length == 0
                    ? [_ctx.MkEq(next[v.Name], inst.Post[v.Name])]
                    : M.Tuples(v.Domain).Select(t => _ctx.MkEq(next.At(v.Name, t), inst.Post.At(v.Name, t))));
                disj.Add((BoolExpr)_ctx.MkAnd(new[] { _ctx.MkEq(sel, _ctx.MkInt(a)), inst.Guard }.Concat(eqs).ToArray()).Simplify());
            }
            solver.Assert(_ctx.MkOr(disj.ToArray()));
            states.Add(next);
            steps.Add((sel, instances));
        }
        sw.Stop();
        return new QueryResult($"{name} depth {maxDepth}", QueryVerdict.NoTraceUpToDepth, sw.Elapsed.TotalMilliseconds, null);
    }
}
