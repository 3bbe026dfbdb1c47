using System.Diagnostics;
using System.Text;

namespace NotifierSpec.Checker;

public enum Outcome { Success, Assumption, Deadlock, Safety, Liveness, Error, Interrupted }

public sealed class CheckOptions
{
    /// <summary>Search workers; results do not depend on it (successors are merged in queue order).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    public bool NoDeadlock { get; init; }
    public string? DumpTrace { get; init; }
    public TextWriter Out { get; init; } = TextWriter.Null;
    public CancellationToken Cancel { get; init; }
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(10);
    public bool Coverage { get; init; } = true;
    /// <summary>Trace validation (notifier validate): a score per distinct state (the trace spec's line
    /// counter). The checker remembers the first state found with the highest score and, when the search
    /// ends without an error, reconstructs the behaviour to it into CheckResult.Best.</summary>
    public Func<Value[], long>? Score { get; init; }
}

public sealed record TraceStep(int Index, string Action, Value[] State);

public sealed class CheckResult
{
    public Outcome Outcome { get; set; }
    public string? Violated { get; set; }
    public long Generated { get; set; }
    public long Distinct { get; set; }
    public long Left { get; set; }
    public int Depth { get; set; }
    public List<TraceStep>? Trace { get; set; }
    public int? LassoStart { get; set; }
    /// <summary>With CheckOptions.Score: a behaviour to the first state of the highest score, and that score.</summary>
    public List<TraceStep>? Best { get; set; }
    public long BestScore { get; set; } = long.MinValue;
    public bool Stuttering { get; set; }
    /// <summary>States of the counterexample as TLC counts them: its "State N:" lines, and for a lasso one more
    /// for the step that closes it ("State N+1: Stuttering" or the "Back to state K" step).</summary>
    public int? TraceLength => Trace is null ? null : Trace.Count + (Stuttering || LassoStart is not null ? 1 : 0);
    public string? Message { get; set; }
    public double Seconds { get; set; }
    public double BytesPerState { get; set; }
    public int ExitCode => Outcome switch
    {
        Outcome.Success => 0,
        Outcome.Assumption => 10,
        Outcome.Deadlock => 11,
        Outcome.Safety => 12,
        Outcome.Liveness => 13,
        Outcome.Error => 75,
        _ => 255,
    };
    public string ResultName => Outcome switch
    {
        Outcome.Success => "success",
        Outcome.Deadlock => "deadlock",
        Outcome.Safety => "safety",
        Outcome.Liveness => "liveness",
        Outcome.Assumption => "assumption",
        _ => "error",
    };
}

/// <summary>An open-addressing set of 64-bit fingerprints (about 16 bytes per state at load 1/2).</summary>
public sealed class FpSet
{
    private long[] _t = new long[1 << 16];
    private int _mask = (1 << 16) - 1;
    public long Count { get; private set; }
    public long Bytes => _t.LongLength * 8;

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    public bool Contains(long fp)
    {
        fp = Norm(fp);
        int i = (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> 32) & _mask;
        while (true)
        {
            long x = _t[i];
            if (x == fp) return true;
            if (x == 0) return false;
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds fp; false if it was present. Not thread-safe (called from the sequential merge).</summary>
    public bool Add(long fp)
    {
        fp = Norm(fp);
        if ((Count + 1) * 2 > _t.Length) Grow();
        int i = (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> 32) & _mask;
        while (true)
        {
            long x = _t[i];
            if (x == fp) return false;
            if (x == 0) { _t[i] = fp; Count++; return true; }
            i = (i + 1) & _mask;
        }
    }

    private void Grow()
    {
        var old = _t;
        _t = new long[old.Length * 2];
        _mask = _t.Length - 1;
        Count = 0;
        foreach (var x in old) if (x != 0) Add(x);
    }
}

/// <summary>Breadth-first explicit-state model checker with TLC's semantics and output.</summary>
public sealed class ModelChecker(Spec spec, CheckOptions opt)
{
    private readonly TextWriter _o = opt.Out;
    private readonly FpSet _seen = new();
    private readonly List<long> _fps = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _levelOf = [];
    private long[] _actGen = [];
    private long[] _actNew = [];
    private Value[][]? _perms;
    private List<Dictionary<Value, Value>>? _maps;
    private bool _live;
    private long _peakQueue;
    private readonly List<Value[]> _states = [];
    private readonly List<List<int>> _succ = [];
    private readonly Dictionary<long, int> _idOf = [];
    private readonly List<int> _initIds = [];

    private int _bestId = -1;
    private long _bestScore = long.MinValue;

    private void Scored(int id, Value[] st)
    {
        if (opt.Score is not { } score) return;
        long v = score(st);
        if (v > _bestScore) { _bestScore = v; _bestId = id; }
    }

    private void LiveAdd(int id, long fp, Value[] st)
    {
        if (!_live) return;
        _states.Add(st); _succ.Add([]); _idOf[fp] = id;
    }

    private sealed class Succ
    {
        public required Value[] State;
        public long Fp;
        public int Action;
        public bool InModel;
        public string? InvViolated;
        public Exception? InvError; // evaluating an invariant on this state failed (reported at this state, as TLC)
        public string? ActPropViolated;
    }

    public long Fingerprint(Ctx c, Value[] st)
    {
        if (spec.View is not null)
        {
            var saved = c.Cur; c.Cur = st;
            try { return (long)spec.View.Eval(c, null).Hash; } finally { c.Cur = saved; }
        }
        if (_perms is not null) return SymFp(c, st);
        ulong h = 0xCBF29CE484222325UL;
        foreach (var v in st) h = Value.Mix(h, v.Hash);
        return (long)h;
    }

    /// <summary>As TLC: apply each permutation of the SYMMETRY set, keep the smallest state (variable by
    /// variable in TLC's value order), fingerprint that one.</summary>
    private long SymFp(Ctx c, Value[] st)
    {
        Value[] best = st;
        foreach (var perm in _maps!)
        {
            var cand = new Value[st.Length];
            int cmp = 0;
            for (int i = 0; i < st.Length; i++)
            {
                cand[i] = Permute(st[i], perm);
                if (cmp == 0)
                {
                    cmp = cand[i].CompareTo(best[i]);
                    if (cmp > 0) break; // as TLC: this permutation cannot give a smaller state
                }
            }
            if (cmp < 0) best = cand;
        }
        ulong h = 0xCBF29CE484222325UL;
        foreach (var v in best) h = Value.Mix(h, v.Hash);
        return (long)h;
    }

    /// <summary>The permutation group generated by the SYMMETRY set (TLC's MVPerm.permutationSubgroup).</summary>
    private static List<Dictionary<Value, Value>> Group(List<Dictionary<Value, Value>> gens)
    {
        static string Key(Dictionary<Value, Value> m) => string.Join(";", m.Where(kv => !kv.Key.Equals(kv.Value)).OrderBy(kv => kv.Key).Select(kv => kv.Key + ">" + kv.Value));
        var seen = new Dictionary<string, Dictionary<Value, Value>>();
        var queue = new Queue<Dictionary<Value, Value>>();
        foreach (var g in gens) if (seen.TryAdd(Key(g), g)) queue.Enqueue(g);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            foreach (var g in gens)
            {
                var comp = new Dictionary<Value, Value>();
                foreach (var k in a.Keys.Union(g.Keys))
                {
                    var x = g.TryGetValue(k, out var gx) ? gx : k;
                    comp[k] = a.TryGetValue(x, out var ax) ? ax : x;
                }
                if (seen.TryAdd(Key(comp), comp)) queue.Enqueue(comp);
                if (seen.Count > 100000) throw new EvalError("SYMMETRY group too large");
            }
        }
        return seen.Values.ToList();
    }

    private static Value Permute(Value v, Dictionary<Value, Value> map)
    {
        switch (v)
        {
            case IntV or BoolV or StrV: return v;
            case ModelV m: return map.TryGetValue(m, out var r) ? r : m;
            case SetBase s: return new SetV(s.Normalize().Elems.Select(x => Permute(x, map)).ToArray());
            case TupleV t: return new TupleV(t.Elems.Select(x => Permute(x, map)).ToArray());
            case FcnBase f:
                {
                    var ks = new Value[f.Count]; var vs = new Value[f.Count];
                    for (int i = 0; i < f.Count; i++) { ks[i] = Permute(f.KeyAt(i), map); vs[i] = Permute(f.ValAt(i), map); }
                    return FcnBase.MakeUnsorted(ks, vs);
                }
            default: return v;
        }
    }

    /// <summary>Runs the check on a thread with a deep stack (DeepStack): evaluation never overflows the process's stack.</summary>
    public CheckResult Run() => DeepStack.Run(RunOnThisThread);

    private CheckResult RunOnThisThread()
    {
        var sw = Stopwatch.StartNew();
        var res = new CheckResult();
        var c = new Ctx(spec);
        try
        {
            RunInner(c, res, sw);
        }
        catch (EvalError e)
        {
            res.Outcome = Outcome.Error;
            var w = e.Where;
            res.Message = w is null ? e.Message : $"{w.File}:{w.Line}:{w.Col}: {e.Message.Replace('\n', ' ')}";
            _o.WriteLine("Error: " + res.Message);
        }
        catch (AssertError e)
        {
            res.Outcome = Outcome.Error;
            res.Message = Positioned(e);
            _o.WriteLine("Error: " + e.Message);
        }
        res.Seconds = sw.Elapsed.TotalSeconds;
        return res;
    }

    private void RunInner(Ctx c, CheckResult res, Stopwatch sw)
    {
        int nv = spec.Vars.Count;
        bool deadlock = spec.CheckDeadlock && !opt.NoDeadlock;
        _actGen = new long[spec.Actions.Count];
        _actNew = new long[spec.Actions.Count];
        int workers = Math.Max(1, opt.Workers);
        _o.WriteLine($"Running breadth-first search Model-Checking with {workers} worker{(workers == 1 ? "" : "s")} on {Environment.ProcessorCount} cores.");
        spec.SetRunConfig(workers, deadlock);
        c.Level = 0;

        // ASSUME
        foreach (var (a, loc) in spec.Assumes)
        {
            if (!a.EvalBool(c, null))
            {
                res.Outcome = Outcome.Assumption;
                res.Message = $"Assumption line {loc.Line}, col {loc.Col} to line {loc.EndLine}, col {loc.EndCol} of module {loc.Module} is false.";
                _o.WriteLine("Error: " + res.Message);
                return;
            }
        }
        if (spec.NoBehavior)
        {
            res.Outcome = Outcome.Success;
            _o.WriteLine("No INIT or SPECIFICATION: only the assumptions were checked.");
            PrintStats(res);
            return;
        }
        if (spec.Symmetry is not null)
        {
            var sv = spec.Symmetry.EvalSet(c, null);
            _perms = sv.Normalize().Elems.Select(p => new[] { p }).ToArray();
            _maps = [];
            foreach (var p in _perms)
            {
                if (p[0] is not FcnBase f) throw new EvalError($"SYMMETRY {spec.Config.Symmetry!.Value.Name} must be a set of permutations (functions)") { Where = spec.Symmetry.Loc };
                var map = new Dictionary<Value, Value>();
                for (int i = 0; i < f.Count; i++) map[f.KeyAt(i)] = f.ValAt(i);
                _maps.Add(map);
            }
            _maps = Group(_maps);
        }
        // temporal properties are expanded before any state exists: a variable read there has no value
        c.Cur = new Value?[nv]; c.Nxt = null;
        var atoms = spec.Liveness.SelectMany(p => LiveChecker.Atoms(spec, c, p)).ToList();
        _live = atoms.Count > 0;

        _o.WriteLine("Computing initial states...");
        var frontier = new StateQueue(spec);
        var frontierIds = new List<int>();
        long generated = 0;
        c.InInit = true;
        c.Cur = new Value?[nv];
        c.Nxt = null;
        var inits = new List<Value[]>();
        Enumerator.Enum(c, spec.Init, null, () =>
        {
            var missing = Array.FindIndex(c.Cur, x => x is null);
            if (missing >= 0) throw new EvalError($"The variable {spec.Vars[missing]} is not assigned a value by the initial predicate") { Where = spec.Init.Loc };
            inits.Add((Value[])c.Cur.Clone()!);
        }, true);
        c.InInit = false;
        c.Level = 1;
        foreach (var st in inits)
        {
            generated++;
            c.Cur = st;
            if (!spec.Constraints.All(p => p.Node.EvalBool(c, null))) continue;
            long fp = Fingerprint(c, st);
            if (!_seen.Add(fp)) continue;
            int id = _fps.Count;
            _fps.Add(fp); _parent.Add(-1); _levelOf.Add(1);
            LiveAdd(id, fp, st); if (_live) _initIds.Add(id);
            Scored(id, st);
            string? bad;
            try { bad = FirstViolation(c, st); }
            catch (Exception e) when (e is EvalError or AssertError)
            {
                // TLC counts the initial state, and still has it on its queue, when its invariant fails to evaluate
                res.Generated = generated; res.Distinct = _fps.Count; res.Left = frontier.Count + 1; res.Depth = 1;
                ReportError(res, e, id, c);
                return;
            }
            var badInitProp = spec.InitProps.FirstOrDefault(p => { c.Cur = st; c.Nxt = null; return !p.Node.EvalBool(c, null); });
            if (bad is null && badInitProp is not null)
            {
                Report(res, Outcome.Safety, badInitProp.Name, generated, frontier.Count, 1, id, c, initProp: true);
                return;
            }
            if (bad is not null)
            {
                Report(res, Outcome.Safety, bad, generated, frontier.Count, 1, id, c);
                return;
            }
            frontier.Add(st); frontierIds.Add(id);
        }
        _o.WriteLine($"Finished computing initial states: {_fps.Count} distinct state{(_fps.Count == 1 ? "" : "s")} generated.");

        int level = 1;
        var lastProgress = sw.Elapsed;
        var ctxs = Enumerable.Range(0, workers).Select(_ => new Ctx(spec)).ToArray();
        using var pool = workers > 1 ? new WorkerThreads(workers) : null;
        while (frontier.Count > 0)
        {
            var next = new StateQueue(spec);
            var nextIds = new List<int>();
            const int Batch = 2048;
            for (int b0 = 0; b0 < frontier.Count; b0 += Batch)
            {
                if (opt.Cancel.IsCancellationRequested)
                {
                    res.Outcome = Outcome.Interrupted;
                    res.Generated = generated; res.Distinct = _fps.Count; res.Left = frontier.Count - b0 + next.Count; res.Depth = MaxLevel();
                    res.Message = "interrupted";
                    _o.WriteLine("Interrupted: stopping cleanly.");
                    PrintStats(res);
                    return;
                }
                int bn = Math.Min(Batch, frontier.Count - b0);
                var batch = new Value[bn][];
                for (int i = 0; i < bn; i++) batch[i] = frontier[b0 + i];
                var succs = new List<Succ>[bn];
                var extra = new long[bn];
                var errors = new Exception?[bn];
                if (workers == 1)
                {
                    for (int i = 0; i < bn; i++)
                    {
                        try { succs[i] = Expand(ctxs[0], batch[i], level, out extra[i]); }
                        catch (Exception e) when (e is EvalError or AssertError) { errors[i] = e; break; }
                    }
                }
                else
                {
                    int chunk = Math.Max(1, bn / (workers * 8));
                    int nChunks = (bn + chunk - 1) / chunk;
                    var ctxPool = new System.Collections.Concurrent.ConcurrentBag<Ctx>(ctxs);
                    pool!.For(nChunks, ch =>
                    {
                        if (!ctxPool.TryTake(out var wc)) wc = new Ctx(spec);
                        try
                        {
                            for (int i = ch * chunk; i < Math.Min(bn, (ch + 1) * chunk); i++)
                            {
                                try { succs[i] = Expand(wc, batch[i], level, out extra[i]); }
                                catch (Exception e) when (e is EvalError or AssertError) { errors[i] = e; break; }
                            }
                        }
                        finally { ctxPool.Add(wc); }
                    });
                }
                // sequential, deterministic merge in queue order
                for (int i = 0; i < bn; i++)
                {
                    var list = succs[i];
                    int parentId = frontierIds[b0 + i];
                    if (errors[i] is { } failure)
                    {
                        // the first failing state in queue order, as one worker meets it
                        res.Generated = generated; res.Distinct = _fps.Count; res.Left = frontier.Count - (b0 + i + 1) + next.Count; res.Depth = MaxLevel();
                        ReportError(res, failure, parentId, c);
                        return;
                    }
                    generated += extra[i];
                    foreach (var s in list)
                    {
                        generated++;
                        _actGen[s.Action]++;
                        int newId = -1;
                        if (s.InModel && _seen.Add(s.Fp))
                        {
                            newId = _fps.Count;
                            _fps.Add(s.Fp); _parent.Add(parentId); _levelOf.Add(level + 1);
                            _actNew[s.Action]++;
                            LiveAdd(newId, s.Fp, s.State);
                            Scored(newId, s.State);
                        }
                        if (_live && s.InModel)
                        {
                            int target = newId >= 0 ? newId : _idOf[s.Fp];
                            if (!_succ[parentId].Contains(target)) _succ[parentId].Add(target);
                        }
                        bool unseen = !s.InModel || newId >= 0;
                        if (unseen && s.InvError is { } invErr)
                        {
                            // TLC: "Evaluating invariant ... failed" after the state is counted; the trace ends in it
                            res.Generated = generated; res.Distinct = _fps.Count; res.Left = frontier.Count - (b0 + i + 1) + next.Count; res.Depth = MaxLevel();
                            if (newId >= 0) ReportError(res, invErr, newId, c);
                            else ReportError(res, invErr, parentId, c);
                            return;
                        }
                        if (unseen && s.InvViolated is not null)
                        {
                            long left = frontier.Count - (b0 + i + 1) + next.Count;
                            if (newId < 0)
                            {
                                // violation on a state excluded by a constraint: trace to it via its parent
                                Report(res, Outcome.Safety, s.InvViolated, generated, left, level + 1, parentId, c, s.State);
                            }
                            else Report(res, Outcome.Safety, s.InvViolated, generated, left, level + 1, newId, c);
                            return;
                        }
                        if (s.ActPropViolated is not null)
                        {
                            long left = frontier.Count - (b0 + i + 1) + next.Count;
                            Report(res, Outcome.Safety, s.ActPropViolated, generated, left, level + 1, parentId, c, s.State, actionProp: true);
                            return;
                        }
                        if (newId >= 0) { next.Add(s.State); nextIds.Add(newId); }
                    }
                    // TLC (tlc2/tool/Worker.java): deadlocked when nothing was generated, intermediate states of \cdot included
                    if (deadlock && list.Count == 0 && extra[i] == 0)
                    {
                        long left = frontier.Count - (b0 + i + 1) + next.Count;
                        Report(res, Outcome.Deadlock, null, generated, left, level, parentId, c);
                        return;
                    }
                }
                if (sw.Elapsed - lastProgress >= opt.ProgressEvery)
                {
                    lastProgress = sw.Elapsed;
                    double secs = Math.Max(0.001, sw.Elapsed.TotalSeconds);
                    _o.WriteLine($"Progress({level}): {generated} states generated ({generated / secs:F0} s/s), {_fps.Count} distinct states found ({_fps.Count / secs:F0} ds/s), {frontier.Count - b0 - bn + next.Count} states left on queue.");
                    _o.Flush();
                }
            }
            _peakQueue = Math.Max(_peakQueue, frontier.Bytes + next.Bytes);
            frontier = next; frontierIds = nextIds;
            if (frontier.Count > 0) level++;
        }
        res.Generated = generated; res.Distinct = _fps.Count; res.Left = 0; res.Depth = MaxLevel();
        if (_live)
        {
            _o.WriteLine($"Checking temporal properties for the complete state space with {_fps.Count} total distinct states");
            var lc = new LiveChecker(spec, _states, _succ, _parent, _initIds);
            var lasso = lc.Check(c, atoms);
            if (lasso is not null)
            {
                ReportLasso(res, lasso, c);
                return;
            }
        }
        foreach (var pc in spec.PostConditions)
        {
            // TLC evaluates a postcondition as an assumption: no state, TLCGet("level") = 0
            string where = pc.Node is OpCall { Def: { } pd } ? pd.Where : "?";
            c.Cur = new Value?[nv]; c.Nxt = null; c.Level = 0;
            string? failed = null;
            try { if (!pc.Node.EvalBool(c, null)) failed = $"Postcondition {pc.Name} at {where} is false."; }
            catch (Exception e) when (e is EvalError or AssertError) { failed = $"Evaluating postcondition {pc.Name} at {where} failed. {e.Message.Replace('\n', ' ')}"; }
            if (failed is not null)
            {
                res.Outcome = Outcome.Assumption;
                res.Message = failed;
                _o.WriteLine("Error: " + failed);
                PrintStats(res);
                return;
            }
        }
        res.Outcome = Outcome.Success;
        if (_bestId >= 0) { res.Best = Reconstruct(c, _bestId); res.BestScore = _bestScore; }
        _o.WriteLine("Model checking completed. No error has been found.");
        _o.WriteLine("  Estimates of the probability that TLC did not check all reachable states");
        _o.WriteLine("  because two distinct states had the same fingerprint:");
        double prob = res.Distinct * ((res.Generated - res.Distinct) / Math.Pow(2, 64));
        _o.WriteLine($"  calculated (optimistic):  val = {FormatProb(prob)}");
        PrintStats(res);
        if (res.Distinct > 0)
        {
            res.BytesPerState = (_seen.Bytes + _peakQueue) / (double)res.Distinct;
            _o.WriteLine($"Memory: fingerprint set {_seen.Bytes} bytes + peak queue {_peakQueue} bytes = {res.BytesPerState:F1} bytes per distinct state.");
        }
        PrintCoverage();
    }

    private void ReportLasso(CheckResult res, LiveChecker.Lasso lasso, Ctx c)
    {
        res.Outcome = Outcome.Liveness;
        res.Violated = lasso.Property;
        // the cycle ends where it started (the last prefix state): that state is not printed again
        var ids = lasso.Prefix.Concat(lasso.Cycle.Count > 0 ? lasso.Cycle.Take(lasso.Cycle.Count - 1) : []).ToList();
        var trace = new List<TraceStep> { new(1, "<Initial predicate>", _states[ids[0]]) };
        for (int i = 1; i < ids.Count; i++) trace.Add(new TraceStep(i + 1, StepAction(c, _states[ids[i - 1]], _states[ids[i]]), _states[ids[i]]));
        res.Trace = trace;
        _o.WriteLine($"Error: Temporal property {lasso.Property} was violated.");
        _o.WriteLine("Error: The following behavior constitutes a counter-example:");
        PrintTrace(trace, lasso.Cycle.Count == 0 ? null : _states[ids[lasso.Prefix.Count - 1]]);
        if (lasso.Cycle.Count == 0) { res.Stuttering = true; _o.WriteLine($"State {trace.Count + 1}: Stuttering"); }
        else
        {
            int back = lasso.Prefix.Count; // the cycle returns to the last state of the prefix
            res.LassoStart = back;
            _o.WriteLine($"Back to state {back}.");
        }
        _o.WriteLine();
        PrintStats(res);
        if (opt.DumpTrace is not null) DumpItf(opt.DumpTrace, trace);
    }

    private string StepAction(Ctx c, Value[] from, Value[] to)
    {
        foreach (var a in spec.Actions)
        {
            bool hit = false;
            c.Cur = from; c.Nxt = new Value?[spec.Vars.Count];
            try { Enumerator.Enum(c, a.Node, a.Env, () => { if (!hit && c.Nxt!.Zip(to).All(p => p.First!.Equals(p.Second))) hit = true; }, false); }
            catch (EvalError) { }
            if (hit) return a.Describe;
        }
        return "?";
    }

    private void ReportError(CheckResult res, Exception failure, int id, Ctx c)
    {
        res.Outcome = Outcome.Error;
        res.Message = Positioned(failure);
        _o.WriteLine("Error: " + failure.Message);
        var trace = Reconstruct(c, id);
        res.Trace = trace;
        _o.WriteLine("Error: The behavior up to this point is:");
        PrintTrace(trace);
        if (WhereOf(failure) is { } w2) _o.WriteLine($"The error occurred when evaluating the expression at {w2.File}:{w2.Line}:{w2.Col} (module {w2.Module}).");
        PrintStats(res);
        if (opt.DumpTrace is not null) DumpItf(opt.DumpTrace, trace);
    }

    private static Loc? WhereOf(Exception e) => e switch { EvalError ee => ee.Where, AssertError ae => ae.Where, _ => null };

    /// <summary>The one-line message of an evaluation error or failed Assert: FILE:LINE:COL: message.</summary>
    private static string Positioned(Exception e) =>
        WhereOf(e) is { } w ? $"{w.File}:{w.Line}:{w.Col}: {e.Message.Replace('\n', ' ')}" : e.Message.Replace('\n', ' ');

    private int MaxLevel() => _levelOf.Count == 0 ? 0 : _levelOf[^1];

    public static string FormatProb(double p)
    {
        if (p == 0) return "0.0";
        return p.ToString("0.0E0", System.Globalization.CultureInfo.InvariantCulture);
    }

    private void PrintStats(CheckResult r)
    {
        _o.WriteLine($"{r.Generated} states generated, {r.Distinct} distinct states found, {r.Left} states left on queue.");
        _o.WriteLine($"The depth of the complete state graph search is {r.Depth}.");
    }

    private void PrintCoverage()
    {
        if (!opt.Coverage) return;
        _o.WriteLine("Action coverage (generated / distinct new states):");
        var groups = spec.Actions.GroupBy(a => a.Describe).ToList();
        foreach (var g in groups)
            _o.WriteLine($"  {g.Key}: {g.Sum(a => _actGen[a.Index])} generated, {g.Sum(a => _actNew[a.Index])} distinct");
        var never = groups.Where(g => g.Sum(a => _actGen[a.Index]) == 0).Select(g => g.First().Name).Distinct().ToList();
        if (never.Count > 0) _o.WriteLine($"  never fired: {string.Join(", ", never)}");
    }

    private string? FirstViolation(Ctx c, Value[] st)
    {
        c.Cur = st; c.Nxt = null;
        foreach (var inv in spec.Invariants) if (!inv.Node.EvalBool(c, null)) return inv.Name;
        foreach (var p in spec.StateProps) if (!p.Node.EvalBool(c, null)) return p.Name;
        return null;
    }

    /// <summary>The successors of st, a state of the given BFS level: TLCGet("level") is that level in the actions,
    /// action constraints and action properties, and level + 1 in the new state's constraints and invariants.</summary>
    private List<Succ> Expand(Ctx c, Value[] st, int level, out long intermediate)
    {
        c.Intermediate = 0;
        var res = new List<Succ>();
        int nv = spec.Vars.Count;
        c.Level = level;
        foreach (var a in spec.Actions)
        {
            c.Cur = st;
            c.Nxt = new Value?[nv];
            int ai = a.Index;
            Enumerator.Enum(c, a.Node, a.Env, () =>
            {
                var nx = c.Nxt!;
                for (int i = 0; i < nv; i++)
                    if (nx[i] is null)
                        throw new EvalError($"Successor state is not completely specified by action {a.Name}. The following variable is not assigned: {spec.Vars[i]}.") { Where = a.Def?.Loc ?? spec.Next.Loc };
                var t = (Value[])nx.Clone()!;
                res.Add(new Succ { State = t, Action = ai });
            }, false);
        }
        // constraints, fingerprints and (for states not seen before this level) invariants
        foreach (var s in res)
        {
            c.Cur = s.State; c.Nxt = null; c.Level = level + 1;
            bool inModel = true;
            foreach (var p in spec.Constraints) if (!p.Node.EvalBool(c, null)) { inModel = false; break; }
            if (inModel && spec.ActionConstraints.Count > 0)
            {
                c.Cur = st; c.Nxt = s.State; c.Level = level;
                foreach (var p in spec.ActionConstraints) if (!p.Node.EvalBool(c, null)) { inModel = false; break; }
                c.Cur = s.State; c.Nxt = null; c.Level = level + 1;
            }
            s.InModel = inModel;
            s.Fp = Fingerprint(c, s.State);
            if (!inModel || !_seen.Contains(s.Fp))
            {
                try { s.InvViolated = FirstViolation(c, s.State); }
                catch (Exception e) when (e is EvalError or AssertError) { s.InvError = e; }
            }
            if (spec.ActionProps.Count > 0)
            {
                c.Cur = st; c.Nxt = s.State; c.Level = level;
                foreach (var p in spec.ActionProps) if (!p.Node.EvalBool(c, null)) { s.ActPropViolated = p.Name; break; }
                c.Nxt = null; c.Level = level + 1;
            }
        }
        intermediate = c.Intermediate;
        return res;
    }

    // ------------------------------------------------------------------ traces

    private void Report(CheckResult res, Outcome outcome, string? name, long generated, long left, int depth, int id, Ctx c, Value[]? extra = null, bool actionProp = false, bool initProp = false)
    {
        res.Outcome = outcome;
        res.Violated = name;
        res.Generated = generated;
        res.Distinct = _fps.Count;
        res.Left = left;
        res.Depth = Math.Max(MaxLevel(), 1);
        var trace = Reconstruct(c, id);
        if (extra is not null)
        {
            string act = "?";
            var last = trace[^1].State;
            foreach (var a in spec.Actions)
            {
                bool hit = false;
                c.Cur = last; c.Nxt = new Value?[spec.Vars.Count]; c.Level = trace.Count;
                try
                {
                    Enumerator.Enum(c, a.Node, a.Env, () => { if (!hit && c.Nxt!.Zip(extra).All(p => p.First!.Equals(p.Second))) hit = true; }, false);
                }
                catch (EvalError) { }
                if (hit) { act = a.Describe; break; }
            }
            trace.Add(new TraceStep(trace.Count + 1, act, extra));
        }
        res.Trace = trace;
        string msg = outcome switch
        {
            Outcome.Deadlock => "Error: Deadlock reached.",
            Outcome.Safety when actionProp => $"Error: Action property {name} is violated.",
            Outcome.Safety when initProp => $"Error: Property {name} is violated by the initial state.",
            _ => $"Error: Invariant {name} is violated.",
        };
        // TLC reports a violated PROPERTY [][A]_v or initial-state property as a temporal violation (exit 13);
        // a PROPERTY []P with P a state predicate is one of its invariants (exit 12, "Invariant P is violated")
        if (outcome == Outcome.Safety && (actionProp || initProp)) res.Outcome = Outcome.Liveness;
        _o.WriteLine(msg);
        _o.WriteLine("Error: The behavior up to this point is:");
        PrintTrace(trace);
        PrintStats(res);
        PrintCoverage();
        if (opt.DumpTrace is not null) DumpItf(opt.DumpTrace, trace);
    }

    private List<TraceStep> Reconstruct(Ctx c, int id)
    {
        var path = new List<int>();
        for (int x = id; x >= 0; x = _parent[x]) path.Add(x);
        path.Reverse();
        var trace = new List<TraceStep>();
        // initial state
        Value[]? cur = null;
        c.InInit = true;
        c.Cur = new Value?[spec.Vars.Count]; c.Nxt = null;
        var found = new List<Value[]>();
        Enumerator.Enum(c, spec.Init, null, () => found.Add((Value[])c.Cur.Clone()!), true);
        c.InInit = false;
        c.Level = 1;
        foreach (var st in found) if (Fingerprint(c, st) == _fps[path[0]]) { cur = st; break; }
        if (cur is null) throw new EvalError("internal: could not reconstruct the initial state of the trace");
        trace.Add(new TraceStep(1, "<Initial predicate>", cur));
        for (int k = 1; k < path.Count; k++)
        {
            long want = _fps[path[k]];
            Value[]? nextSt = null; string act = "?";
            foreach (var a in spec.Actions)
            {
                c.Cur = cur; c.Nxt = new Value?[spec.Vars.Count]; c.Level = k;
                Value[]? hit = null;
                Enumerator.Enum(c, a.Node, a.Env, () =>
                {
                    if (hit is not null) return;
                    var t = (Value[])c.Nxt!.Clone()!;
                    var save = c.Cur;
                    c.Level = k + 1;
                    if (Fingerprint(c, t) == want) hit = t;
                    c.Cur = save; c.Level = k;
                }, false);
                if (hit is not null) { nextSt = hit; act = a.Describe; break; }
            }
            if (nextSt is null) throw new EvalError("internal: could not reconstruct a step of the trace");
            trace.Add(new TraceStep(k + 1, act, nextSt));
            cur = nextSt;
        }
        return trace;
    }

    /// <summary>Prints a behavior as TLC's error trace: the first state whole, then each state's changes. With a cfg
    /// ALIAS, each state is shown as TLC shows it: the fields of the alias record evaluated in that state and its
    /// successor (the last state: itself, or the state a lasso goes back to), tlc2/tool/TLCTrace.java printTrace and
    /// tlc2/tool/impl/Tool.java evalAlias; an alias that fails to evaluate shows the variables and _ALIASEvalError.</summary>
    private void PrintTrace(List<TraceStep> trace, Value[]? after = null)
    {
        (string[] Names, Value[] Vals)? prev = null;
        for (int k = 0; k < trace.Count; k++)
        {
            var step = trace[k];
            var shown = Shown(step, k + 1 < trace.Count ? trace[k + 1].State : after ?? step.State);
            _o.WriteLine($"State {step.Index}: {step.Action}");
            if (prev is not { } p)
                for (int i = 0; i < shown.Names.Length; i++) _o.WriteLine($"/\\ {shown.Names[i]} = {Show.V(shown.Vals[i])}");
            else
            {
                int changed = 0;
                for (int i = 0; i < shown.Names.Length; i++)
                {
                    int j = Array.IndexOf(p.Names, shown.Names[i]);
                    if (j >= 0 && p.Vals[j].Equals(shown.Vals[i])) continue;
                    changed++;
                    if (j < 0) _o.WriteLine($"/\\ {shown.Names[i]} = {Show.V(shown.Vals[i])}");
                    else foreach (var line in Diff(shown.Names[i], p.Vals[j], shown.Vals[i])) _o.WriteLine("/\\ " + line);
                }
                if (changed == 0) _o.WriteLine("(no variable changed)");
            }
            _o.WriteLine();
            prev = shown;
        }
    }

    /// <summary>What a trace shows of a state: its variables, or the fields of the ALIAS record.</summary>
    private (string[] Names, Value[] Vals) Shown(TraceStep step, Value[] successor)
    {
        var vars = (spec.Vars.ToArray(), step.State);
        if (spec.Alias is null) return vars;
        try
        {
            var v = spec.Alias.Eval(new Ctx(spec) { Cur = step.State, Nxt = successor, Level = step.Index }, null);
            if (v is FcnBase f && f.IsRecord())
                return ([.. Enumerable.Range(0, f.Count).Select(i => ((StrV)f.KeyAt(i)).S)], [.. Enumerable.Range(0, f.Count).Select(f.ValAt)]);
            return Failed($"the ALIAS is not a record: {Show.V(v)}");
        }
        catch (Exception e) when (e is EvalError or AssertError) { return Failed(e.Message); }

        (string[], Value[]) Failed(string message) =>
            ([.. spec.Vars, "_ALIASEvalError"], [.. step.State, spec.Interner.Str(message)]);
    }

    /// <summary>Nested difference: the innermost changed components, as path = new (was old).</summary>
    public static IEnumerable<string> Diff(string path, Value a, Value b)
    {
        if (a is FcnBase fa && b is FcnBase fb && fa is not LazyFcnV && fb is not LazyFcnV && fa.Count == fb.Count && fa.Count > 0)
        {
            bool sameDom = true;
            for (int i = 0; i < fa.Count; i++) if (!fa.KeyAt(i).Equals(fb.KeyAt(i))) { sameDom = false; break; }
            if (sameDom)
            {
                bool rec = fa.IsRecord();
                for (int i = 0; i < fa.Count; i++)
                {
                    if (fa.ValAt(i).Equals(fb.ValAt(i))) continue;
                    var k = fa.KeyAt(i);
                    string p = rec ? $"{path}.{((StrV)k).S}" : $"{path}[{Show.V(k)}]";
                    foreach (var l in Diff(p, fa.ValAt(i), fb.ValAt(i))) yield return l;
                }
                yield break;
            }
        }
        yield return $"{path} = {Show.V(b)}  (was {Show.V(a)})";
    }

    private void DumpItf(string file, List<TraceStep> trace)
    {
        var sb = new StringBuilder();
        sb.Append("{\"#meta\":{\"format\":\"ITF\",\"format-description\":\"https://apalache-mc.org/docs/adr/015adr-trace.html\",\"source\":");
        Json(sb, Path.GetFileName(spec.File));
        sb.Append(",\"description\":\"counterexample from notifier check\"},\"vars\":[");
        sb.Append(string.Join(",", spec.Vars.Select(v => "\"" + v + "\"")));
        sb.Append("],\"states\":[");
        for (int s = 0; s < trace.Count; s++)
        {
            if (s > 0) sb.Append(',');
            sb.Append("{\"#meta\":{\"index\":").Append(s).Append(",\"action\":");
            Json(sb, trace[s].Action);
            sb.Append('}');
            for (int i = 0; i < spec.Vars.Count; i++)
            {
                sb.Append(',');
                Json(sb, spec.Vars[i]);
                sb.Append(':');
                Itf(sb, trace[s].State[i]);
            }
            sb.Append('}');
        }
        sb.Append("]}\n");
        File.WriteAllText(file, sb.ToString());
    }

    private static void Json(StringBuilder sb, string s) => sb.Append(System.Text.Json.JsonSerializer.Serialize(s));

    public static void Itf(StringBuilder sb, Value v)
    {
        switch (v)
        {
            case BoolV b: sb.Append(b.B ? "true" : "false"); break;
            case IntV i: sb.Append("{\"#bigint\":\"").Append(i.N).Append("\"}"); break;
            case StrV s: Json(sb, s.S); break;
            case ModelV m: sb.Append("{\"#unserializable\":"); Json(sb, m.Name); sb.Append('}'); break;
            case SetBase s:
                sb.Append("{\"#set\":[");
                var el = s.Normalize().Elems;
                for (int i = 0; i < el.Length; i++) { if (i > 0) sb.Append(','); Itf(sb, el[i]); }
                sb.Append("]}");
                break;
            case TupleV t:
                sb.Append('[');
                for (int i = 0; i < t.Elems.Length; i++) { if (i > 0) sb.Append(','); Itf(sb, t.Elems[i]); }
                sb.Append(']');
                break;
            case FcnBase f when f.IsRecord():
                sb.Append('{');
                for (int i = 0; i < f.Count; i++) { if (i > 0) sb.Append(','); Json(sb, ((StrV)f.KeyAt(i)).S); sb.Append(':'); Itf(sb, f.ValAt(i)); }
                sb.Append('}');
                break;
            case FcnBase f:
                sb.Append("{\"#map\":[");
                for (int i = 0; i < f.Count; i++) { if (i > 0) sb.Append(','); sb.Append('['); Itf(sb, f.KeyAt(i)); sb.Append(','); Itf(sb, f.ValAt(i)); sb.Append(']'); }
                sb.Append("]}");
                break;
            default: Json(sb, v.ToString()); break;
        }
    }
}
