using System.Diagnostics;

namespace NotifierSpec.Checker;

/// <summary>
/// Breadth-first explicit-state model checker with TLC's semantics and output (TLC: tlc2/tool/ModelChecker).
/// The search runs level by level: the states of a level are taken from the queue in batches, expanded by the
/// workers in parallel (StateExpander), and merged as if in queue order, by all workers (ParallelMerge) or, for a
/// batch with something to report and for the runs ParallelMerge does not serve, by this thread (Merge), so
/// counts, depth and traces do not depend on the number of workers. Liveness is fed the state graph through an IStateGraphSink and
/// checked once the graph is complete.
/// </summary>
public sealed partial class ModelChecker(TlaSpec spec, CheckOptions opt)
{
    /// <summary>States taken from the queue at a time: expanded in parallel, then merged in order. Small, because
    /// everything a batch makes lives until its merge: with 2,048 the garbage collector promoted it (corpus
    /// CacheCoherence, 1 worker: 62/35/13 collections of generation 0/1/2, 2.65 CPU s; with 256: 50/19/4, 1.72 s;
    /// with 128: 48/5/2, 1.63 s).</summary>
    public const int Batch = 128;

    private readonly TextWriter _o = opt.Out;
    private IFingerprintSet _seen = null!;
    private TraceStore _trace = null!;
    private Fingerprinter _fingerprint = null!;
    private StateExpander _expander = null!;
    private TracePrinter _printer = null!;
    private IStateGraphSink _graph = NoStateGraph.Instance;
    private IStateQueue _current = null!, _next = null!;
    private long[] _actGen = [];
    private long[] _actNew = [];
    private long _generated;
    private int _level;
    private bool _deadlock;
    private long _peakQueue;
    private long _allocatedAtStart;
    private string? _spillDir;
    private long _spilledPages;
    private long _expandedAgain;
    private int _bestId = -1;
    private long _bestScore = long.MinValue;
    private readonly SearchStats? _stats = SearchStats.Enabled ? new SearchStats() : null;

    /// <summary>Runs the check on a thread with a deep stack (DeepStack): evaluation never overflows the process's stack.</summary>
    public CheckResult Run() => DeepStack.Run(RunOnThisThread);

    private CheckResult RunOnThisThread()
    {
        _stats?.Mark("start and parse");
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
            // TLC's first line is the message itself (the position goes to stderr, as every one-line error)
            _o.WriteLine("Error: " + e.Message);
        }
        catch (AssertError e)
        {
            res.Outcome = Outcome.Error;
            res.Message = Positioned(e);
            _o.WriteLine("Error: " + e.Message);
        }
        catch (CheckpointError e)
        {
            res.Outcome = Outcome.BadInput;
            res.Message = e.Message;
            _o.WriteLine("Error: " + e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the spill directory or the checkpoint cannot be written (e.g. the disk is full)
            res.Outcome = Outcome.BadInput;
            res.Message = $"{(opt.Checkpoint ?? _spillDir ?? "I/O")}: {e.Message.Replace('\n', ' ')}";
            _o.WriteLine("Error: " + res.Message);
        }
        finally
        {
            Dispose(_current); Dispose(_next);
            if (_seen is DiskFpSet d) res.Spills = _spilledPages + d.Flushes;
            res.ParallelBatches = _parallelBatches;
            res.BatchTableOverflows = _batchOverflows;
            res.ExpandedAgain = _expandedAgain;
            _seen?.Dispose();
            _trace?.Dispose();
            if (_graph is StateGraph g) { res.Spills += g.PagesWritten; g.Dispose(); }
            RemoveSpillDir();
        }
        res.Seconds = sw.Elapsed.TotalSeconds;
        return res;
    }

    private void RunInner(Ctx c, CheckResult res, Stopwatch sw)
    {
        int workers = Math.Max(1, opt.Workers);
        _deadlock = spec.CheckDeadlock && !opt.NoDeadlock;
        _actGen = new long[spec.Actions.Count];
        _actNew = new long[spec.Actions.Count];
        _printer = new TracePrinter(spec, _o);
        _o.WriteLine($"Running breadth-first search Model-Checking with {workers} worker{(workers == 1 ? "" : "s")} on {Environment.ProcessorCount} cores.");
        spec.SetRunConfig(workers, _deadlock);
        c.Level = 0;
        if (!AssumptionsHold(c, res)) return;
        if (spec.NoBehavior)
        {
            res.Outcome = Outcome.Success;
            _o.WriteLine("No INIT or SPECIFICATION: only the assumptions were checked.");
            PrintStats(res);
            return;
        }
        _fingerprint = new Fingerprinter(spec, c);
        _seen = NewFingerprintSet();
        var atoms = TemporalAtoms(c);
        // with --max-memory the graph's states and steps spill too (a quarter of the limit in memory)
        if (atoms.Count > 0) _graph = opt.MaxMemory is null ? new StateGraph() : new StateGraph(spec, SpillDir(), PageBytes, QueueBudget);
        _parallelMerge = _seen is FpSet && _graph is (NoStateGraph or StateGraph { InMemory: true }) && opt.Score is null && opt.MaxMemory is null && !opt.SerialMerge;
        // with --max-memory the trace goes to a file too, unless liveness needs every state's parent in memory
        _trace = new TraceStore(spec, _fingerprint, opt.MaxMemory is not null && atoms.Count == 0 ? Path.Combine(SpillDir(), "trace.bin") : null);
        _expander = new StateExpander(spec, _fingerprint, _seen);
        _current = NewQueue();
        if (opt.Recover is { } dir) Recover(dir);
        else if (!InitialStates(c, res)) return;
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _stats?.Mark("initial states");
        if (!Explore(c, res, sw, workers)) return;
        _stats?.Mark("search");
        Finish(c, res, atoms);
    }

    // ------------------------------------------------------------------ memory and disk

    private bool _graphOverLimit;

    /// <summary>With a PROPERTY the liveness graph spills its states and steps, but keeps an index of every state
    /// in memory whatever --max-memory says: the first time the heap holds more than the limit, one line on stderr says so.</summary>
    private void WarnIfGraphOverLimit()
    {
        if (_graphOverLimit || opt.MaxMemory is not { } max || _graph is not StateGraph) return;
        long heap = GC.GetTotalMemory(false);
        if (heap <= max) return;
        _graphOverLimit = true;
        opt.Err.WriteLine($"notifier check: warning: {heap} bytes in memory, over --max-memory ({max} bytes): with a PROPERTY the liveness graph keeps an index of every state in memory (its states and steps spill)");
    }

    /// <summary>Queue pages a run may keep in memory: a quarter of --max-memory for each of the two levels' queues.</summary>
    private long QueueBudget => opt.MaxMemory!.Value / 4;
    private int PageBytes => (int)Math.Clamp(opt.MaxMemory!.Value / 16, 4096, 1 << 22);

    private string SpillDir()
    {
        if (_spillDir is not null) return _spillDir;
        var parent = opt.SpillDirectory ?? Path.GetTempPath();
        _spillDir = Path.Combine(parent, $"notifier-spill-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_spillDir);
        return _spillDir;
    }

    private IFingerprintSet NewFingerprintSet() =>
        opt.MaxMemory is { } max ? new DiskFpSet(SpillDir(), max / 2) : new FpSet();

    private IStateQueue NewQueue() =>
        opt.MaxMemory is null ? new StateQueue(spec) : new DiskStateQueue(spec, SpillDir(), PageBytes, QueueBudget);

    private void RemoveSpillDir()
    {
        if (_spillDir is null) return;
        try { Directory.Delete(_spillDir, true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _o.WriteLine($"Warning: could not remove {_spillDir}: {e.Message}"); }
    }

    private void Dispose(IStateQueue? q)
    {
        if (q is DiskStateQueue d) _spilledPages += d.PagesWritten;
        q?.Dispose();
    }

    private bool AssumptionsHold(Ctx c, CheckResult res)
    {
        foreach (var (a, loc) in spec.Assumes)
        {
            bool holds;
            try { holds = a.EvalBool(c, null); }
            catch (Exception e) when (e is EvalError or AssertError)
            {
                // TLC (EC.TLC_ASSUMPTION_EVALUATION_ERROR): exit 10, as a false assumption
                string failed = $"Evaluating assumption line {loc.Line}, col {loc.Col} to line {loc.EndLine}, col {loc.EndCol} of module {loc.Module} failed.";
                res.Outcome = Outcome.AssumptionError;
                var w = WhereOf(e) ?? loc;
                res.Message = $"{w.File}:{w.Line}:{w.Col}: {failed} {e.Message.Replace('\n', ' ')}";
                _o.WriteLine($"Error: {failed}\n{e.Message}");
                return false;
            }
            if (holds) continue;
            res.Outcome = Outcome.Assumption;
            res.Message = $"Assumption line {loc.Line}, col {loc.Col} to line {loc.EndLine}, col {loc.EndCol} of module {loc.Module} is false.";
            _o.WriteLine("Error: " + res.Message);
            return false;
        }
        return true;
    }

    /// <summary>The temporal properties taken apart; expanded before any state exists (a variable read there has no value).</summary>
    private List<LiveAtom> TemporalAtoms(Ctx c)
    {
        c.Cur = new Value?[spec.Vars.Count]; c.Nxt = null;
        return spec.Liveness.SelectMany(p => LiveChecker.Atoms(spec, c, p)).ToList();
    }

    private void Scored(int id, Value[] st)
    {
        if (opt.Score is not { } score) return;
        long v = score(st);
        if (v > _bestScore) { _bestScore = v; _bestId = id; }
    }

    // ------------------------------------------------------------------ initial states

    /// <summary>Init's states, each checked and queued; false when the run ended (reported).</summary>
    private bool InitialStates(Ctx c, CheckResult res)
    {
        _o.WriteLine("Computing initial states...");
        var inits = EnumerateInit(c);
        _stats?.Mark("initial states enumerated");
        var judged = JudgeInitial(c, inits);
        for (int i = 0; i < inits.Count; i++)
            if (!AddInitial(c, res, inits[i], judged?[i] ?? default)) return false;
        _o.WriteLine($"Finished computing initial states: {_trace.Count} distinct state{(_trace.Count == 1 ? "" : "s")} generated.");
        _level = 1;
        return true;
    }

    private List<Value[]> EnumerateInit(Ctx c)
    {
        int nv = spec.Vars.Count;
        c.InInit = true;
        c.Cur = new Value?[nv];
        c.Nxt = null;
        var inits = new List<Value[]>();
        // a large set filter the initial predicate enumerates is filtered by the workers (PerState.Filter)
        using var offer = PerState.Offering(spec, opt.Workers, opt.PlantedFilterNoRedo);
        Enumerator.Enum(c, spec.Init, null, () =>
        {
            var missing = Array.FindIndex(c.Cur, x => x is null);
            if (missing >= 0) throw new EvalError($"The variable {spec.Vars[missing]} is not assigned a value by the initial predicate") { Where = spec.Init.Loc };
            inits.Add((Value[])c.Cur.Clone()!);
        }, true);
        c.InInit = false;
        c.Level = 1;
        return inits;
    }

    /// <summary>What the workers found of an initial state before it is added: Known, its constraints were
    /// evaluated (InModel: they hold) and, when they hold, its fingerprint; Holds, its invariants, state properties
    /// and initial-state properties hold. What they could not evaluate (an error, or an evaluation that needs the
    /// serial order) is not known, and AddInitial evaluates it itself, in order.</summary>
    private readonly record struct Judged(bool Known, bool InModel, long Fp, bool Holds);

    /// <summary>With several workers, the initial states' constraints, fingerprints and invariants, evaluated in
    /// parallel (PerState: each worker with its own Ctx, the interner frozen); null with one worker. The states are
    /// then added in order by this thread (AddInitial), as one worker adds them: only a state's own evaluations are
    /// done here, the fingerprint set, the trace and the queue are not touched. A duplicate's invariants are
    /// evaluated too (one worker skips them), but what failed there is not reported: AddInitial evaluates a state
    /// it does not know itself.</summary>
    private Judged[]? JudgeInitial(Ctx c, List<Value[]> inits)
    {
        if (opt.Workers <= 1 || inits.Count < 2 * PerState.Chunk) return null;
        var judged = new Judged[inits.Count];
        PerState.Run(spec, c, opt.Workers, inits.Count, (cx, _, i) =>
        {
            var st = inits[i];
            cx.Cur = st; cx.Nxt = null;
            bool inModel, holds = false;
            long fp = 0;
            try
            {
                inModel = spec.Constraints.All(p => p.Node.EvalBool(cx, null));
                if (inModel) fp = _fingerprint.Of(cx, st);
            }
            catch (Exception e) when (PerState.Failed(e)) { return; }
            if (inModel && opt.PlantedInitialUnjudged) holds = true;
            else if (inModel)
            {
                try
                {
                    string? evaluating = null;
                    holds = _expander.FirstViolation(cx, st, ref evaluating) is null
                        && spec.InitProps.All(p => { cx.Cur = st; cx.Nxt = null; return p.Node.EvalBool(cx, null); });
                }
                catch (Exception e) when (PerState.Failed(e)) { }
            }
            judged[i] = new Judged(true, inModel, fp, holds);
        });
        c.Cur = new Value?[spec.Vars.Count]; c.Nxt = null;
        _stats?.Mark("initial states judged");
        return judged;
    }

    private bool AddInitial(Ctx c, CheckResult res, Value[] st, Judged judged)
    {
        _generated++;
        c.Cur = st;
        if (judged.Known ? !judged.InModel : !spec.Constraints.All(p => p.Node.EvalBool(c, null))) return true;
        long fp = judged.Known ? judged.Fp : _fingerprint.Of(c, st);
        if (!_seen.Add(fp)) return true;
        int id = _trace.Add(fp, -1, 1);
        _graph.State(id, fp, st, initial: true);
        Scored(id, st);
        if (judged.Holds)
        {
            _current.Enqueue(st, id);
            return true;
        }
        string? bad, evaluating = null;
        try { bad = _expander.FirstViolation(c, st, ref evaluating); }
        catch (Exception e) when (e is EvalError or AssertError)
        {
            // TLC counts the initial state, and still has it on its queue, when its invariant fails to evaluate
            res.Generated = _generated; res.Distinct = _trace.Count; res.Left = _current.Count + 1; res.Depth = 1;
            ReportError(res, e, id, c);
            return false;
        }
        NamedPred? badInitProp;
        try { badInitProp = bad is not null ? null : spec.InitProps.FirstOrDefault(p => { c.Cur = st; c.Nxt = null; return !p.Node.EvalBool(c, null); }); }
        catch (Exception e) when (e is EvalError or AssertError)
        {
            // TLC (ModelChecker.doInit): counted and queued, then the bare error, exit 75
            res.Generated = _generated; res.Distinct = _trace.Count; res.Left = _current.Count + 1; res.Depth = 1;
            ReportError(res, e, id, c);
            return false;
        }
        if (bad is null && badInitProp is not null)
        {
            Report(res, Outcome.Safety, badInitProp.Name, _current.Count, id, c, initProp: true);
            return false;
        }
        if (bad is not null)
        {
            Report(res, Outcome.Safety, bad, _current.Count, id, c);
            return false;
        }
        _current.Enqueue(st, id);
        return true;
    }

    // ------------------------------------------------------------------ breadth-first search

    /// <summary>One batch of states taken from the queue and what the workers found for each.</summary>
    private sealed class Expansion(int size)
    {
        public readonly Value[]?[] States = new Value[size][];
        public readonly int[] Ids = new int[size];
        public int Count;
        /// <summary>From an in-memory queue the states come as records, decoded by the workers.</summary>
        public StateQueue? Queue;
        public readonly byte[]?[] Bufs = new byte[size][];
        public readonly int[] Offs = new int[size];
        public readonly List<Successor>[] Succs = new List<Successor>[size];
        public readonly long[] Intermediate = new long[size];
        public readonly Exception?[] Errors = new Exception?[size];
        /// <summary>Successors of each state that were not in the fingerprint set (Successor.Fresh).</summary>
        public readonly int[] Fresh = new int[size];
        /// <summary>Some state of the batch has an error, a violation or a deadlock to look at: merged serially.</summary>
        public volatile bool Event;
        /// <summary>States whose expansion by the workers needed the serial order (SerialOnly): expanded again.</summary>
        public readonly bool[] Again = new bool[size];
        public volatile bool AnyAgain;
    }

    /// <summary>Level after level until the queue is empty; false when the run ended (reported).</summary>
    private bool Explore(Ctx c, CheckResult res, Stopwatch sw, int workers)
    {
        var lastProgress = sw.Elapsed;
        var lastCheckpoint = sw.Elapsed;
        // a worker's judged states are known by their fingerprints only when a fingerprint is of the whole state
        bool remember = spec.View is null && spec.Symmetry is null || opt.PlantedFineUnderView;
        var judged = FineStates.NewTable();
        var ctxs = Enumerable.Range(0, workers).Select(_ => new Ctx(spec) { Fine = remember ? new FineStates(opt.PlantedFineIgnoresEffects, judged) : null }).ToArray();
        using var pool = workers > 1 ? new WorkerThreads(workers - 1, measure: _stats is not null) : null; // and this thread
        _stats?.Start(pool);
        while (_current.Count > 0)
        {
            _next ??= NewQueue(); // a recovered run starts with the next level's queue so far
            while (_current.Count > 0)
            {
                if (opt.Checkpoint is { } dir && sw.Elapsed - lastCheckpoint >= opt.CheckpointEvery)
                {
                    WriteCheckpoint(dir);
                    lastCheckpoint = sw.Elapsed;
                }
                if (opt.Cancel.IsCancellationRequested) { Interrupted(res); return false; }
                var x = new Expansion(Batch);
                long t0 = _stats is null ? 0 : SearchStats.ThreadCpuNs();
                if (_current is StateQueue sq)
                {
                    x.Queue = sq;
                    x.Count = sq.DequeueRaw(x.Bufs, x.Offs, x.States, x.Ids);
                }
                else x.Count = _current.Dequeue(x.States!, x.Ids);
                if (_stats is not null) _stats.Dequeue(SearchStats.ThreadCpuNs() - t0);
                if (_parallelMerge) StartBatchTable();
                ExpandAll(x, ctxs, pool);
                t0 = _stats is null ? 0 : SearchStats.ThreadCpuNs();
                if (_parallelMerge && !x.Event) MergeParallel(x, workers, pool);
                else
                {
                    // as the parallel merge: the queue codes the batch's new atoms at its end
                    var q = _next as StateQueue;
                    q?.BeginBatch();
                    for (int i = 0; i < x.Count; i++)
                        if (!Merge(c, res, x, i)) return false;
                    q?.EndBatch();
                    if (_stats is not null) _stats.SerialBatches++;
                }
                if (_stats is not null) _stats.Merge(SearchStats.ThreadCpuNs() - t0);
                _peakQueue = Math.Max(_peakQueue, _current.Bytes + _next.Bytes);
                WarnIfGraphOverLimit();
                if (sw.Elapsed - lastProgress >= opt.ProgressEvery)
                {
                    lastProgress = sw.Elapsed;
                    PrintProgress(sw);
                }
            }
            EndLevel();
        }
        foreach (var w in ctxs)
        {
            res.InvariantsSkipped += w.Fine?.Skipped ?? 0;
            if (_stats is not null) { _stats.InvariantsEvaluated += w.Fine?.Evaluated ?? 0; _stats.InvariantsSkipped += w.Fine?.Skipped ?? 0; }
        }
        return true;
    }

    private void EndLevel()
    {
        _peakQueue = Math.Max(_peakQueue, _current.Bytes + _next.Bytes);
        Dispose(_current);
        _current = _next;
        _next = null!;
        if (_current.Count > 0) _level++;
    }

    private void Interrupted(CheckResult res)
    {
        res.Outcome = Outcome.Interrupted;
        res.Generated = _generated; res.Distinct = _trace.Count; res.Left = _current.Count + _next.Count; res.Depth = _trace.LastLevel;
        res.Message = "interrupted";
        _o.WriteLine("Interrupted: stopping cleanly.");
        PrintStats(res);
    }

    private void PrintProgress(Stopwatch sw)
    {
        double secs = Math.Max(0.001, sw.Elapsed.TotalSeconds);
        _o.WriteLine($"Progress({_level}): {_generated} states generated ({_generated / secs:F0} s/s), {_trace.Count} distinct states found ({_trace.Count / secs:F0} ds/s), {_current.Count + _next.Count} states left on queue.");
        _o.Flush();
    }

    /// <summary>The workers expand the batch's states (all of them, also after an evaluation error: the merge stops at
    /// the first error in the batch's order, and one worker stops there).
    /// While they do, no string gets a token (Interner.Frozen): a state whose expansion makes a new string (or
    /// prints, or uses a TLC register) is expanded again afterwards on this thread, these states in the batch's
    /// order, so that tokens (TLC's UniqueString order, which orders strings, sets of them and CHOOSE) are given
    /// as one worker gives them. The other states' expansions used only strings that had their tokens before the
    /// batch, which the states expanded again do not change: they are what one worker finds. No worker waits on
    /// another: the states expanded again are expanded after the parallel phase's barrier.</summary>
    private void ExpandAll(Expansion x, Ctx[] ctxs, WorkerThreads? pool)
    {
        int bn = x.Count;
        if (pool is null)
        {
            Phase(1, null, (_, _) => ExpandStates(x, ctxs[0], 0, bn));
            return;
        }
        // state by state, each worker from the start of its block of the batch, then helping with the others': at
        // the end a worker waits for at most one state; sibling states (whose successors overlap) go to one worker,
        // which judges a successor met again as it was (FineStates) instead of evaluating its invariants once per
        // worker; and the merge's chunks of a block go to the worker that made their successors (ForChunks)
        spec.Interner.Frozen = true;
        try { Phase(bn, pool, (i, slot) => ExpandOne(x, ctxs[slot], i), blocks: true); }
        finally { spec.Interner.Frozen = false; }
        if (x.AnyAgain) ExpandAgain(x, ctxs[0]);
    }

    /// <summary>The states whose expansion in the parallel phase needed the serial order, one after the other in
    /// the batch's order, up to the first state with an evaluation error (where one worker stops).</summary>
    private void ExpandAgain(Expansion x, Ctx c)
    {
        for (int k = 0; k < x.Count; k++)
        {
            int i = opt.PlantedAgainBackwards ? x.Count - 1 - k : k;
            if (x.Errors[i] is not null) break;
            if (!x.Again[i]) continue;
            x.Again[i] = false;
            _expandedAgain++;
            if (!ExpandOne(x, c, i)) break;
        }
    }

    /// <summary>body(i, slot) for every i in [0, n): on all the workers (slot: the worker's number, 0 for this
    /// thread), or on this thread with one worker; a barrier of the workers at the start and at the end.</summary>
    private void Phase(int n, WorkerThreads? pool, Action<int, int> body, bool blocks = false)
    {
        long t0 = _stats is null ? 0 : SearchStats.ThreadCpuNs();
        if (pool is null) for (int i = 0; i < n; i++) body(i, 0);
        else pool.For(n, body, blocks);
        _stats?.Phase(SearchStats.ThreadCpuNs() - t0, pool);
    }

    private void ExpandStates(Expansion x, Ctx c, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!ExpandOne(x, c, i)) break;
    }

    /// <summary>The batch's i-th state's successors and what the checks say of them; false at an evaluation error
    /// (recorded for the merge). In a parallel phase, an expansion that needs the serial order is left for
    /// ExpandAgain (a sort wraps what its comparison throws).</summary>
    private bool ExpandOne(Expansion x, Ctx c, int i)
    {
        try
        {
            var st = x.States[i] ??= x.Queue!.Decode(x.Bufs[i]!, x.Offs[i]);
            var list = x.Succs[i] = _expander.Expand(c, st, _level, out x.Intermediate[i]);
            int fresh = 0;
            bool ev = _deadlock && list.Count == 0 && x.Intermediate[i] == 0;
            foreach (var s in list)
            {
                if (s.Fresh) fresh++;
                if (s.ActPropViolated is not null || s.ActPropError is not null || s.ConstraintError is not null || ((!s.InModel || s.Fresh) && (s.InvViolated is not null || s.InvError is not null))) ev = true;
            }
            x.Fresh[i] = fresh;
            if (ev) x.Event = true;
            if (_parallelMerge && fresh > 0) PutFresh(x, i);
            return true;
        }
        catch (Exception e) when (e is EvalError or AssertError) { x.Errors[i] = e; x.Event = true; return false; }
        catch (Exception e) when (e is SerialOnly || e is InvalidOperationException { InnerException: SerialOnly })
        {
            x.Succs[i] = null!;
            x.Again[i] = true;
            x.AnyAgain = true;
            return true;
        }
    }

    /// <summary>Merges the successors of the batch's i-th state in order (the sequential, deterministic part);
    /// false when the run ended (reported).</summary>
    private bool Merge(Ctx c, CheckResult res, Expansion x, int i)
    {
        int parentId = x.Ids[i];
        if (x.Errors[i] is { } failure)
        {
            // the first failing state in queue order, as one worker meets it
            SetCounts(res, Left(x, i));
            ReportError(res, failure, parentId, c, inNext: true);
            return false;
        }
        var list = x.Succs[i];
        _generated += x.Intermediate[i];
        foreach (var s in list)
            if (!MergeSuccessor(c, res, s, parentId, x, i)) return false;
        // TLC (tlc2/tool/Worker.java): deadlocked when nothing was generated, intermediate states of \cdot included
        if (_deadlock && list.Count == 0 && x.Intermediate[i] == 0)
        {
            Report(res, Outcome.Deadlock, null, Left(x, i), parentId, c);
            return false;
        }
        return true;
    }

    /// <summary>States not yet expanded while the batch's i-th state is merged: the rest of the level and the next level so far.</summary>
    private long Left(Expansion x, int i) => _current.Count + (x.Count - i - 1) + _next.Count;

    private bool MergeSuccessor(Ctx c, CheckResult res, Successor s, int parentId, Expansion x, int i)
    {
        _generated++;
        _actGen[s.Action]++;
        if (s.ConstraintError is { } cErr)
        {
            SetCounts(res, Left(x, i));
            ReportError(res, cErr, parentId, c, inNext: true, extra: s.State);
            return false;
        }
        int newId = -1;
        if (s.InModel && _seen.Add(s.Fp))
        {
            newId = _trace.Add(s.Fp, parentId, _level + 1);
            _actNew[s.Action]++;
            _graph.State(newId, s.Fp, s.State!, initial: false); // new: it was fresh, so kept
            Scored(newId, s.State!);
        }
        if (s.InModel) _graph.Edge(parentId, newId, s.Fp);
        bool unseen = !s.InModel || newId >= 0;
        if (unseen && s.InvError is { } invErr)
        {
            // TLC: "Evaluating invariant ... failed" after the state is counted; the trace ends in it
            SetCounts(res, Left(x, i));
            ReportError(res, invErr, newId >= 0 ? newId : parentId, c, invariant: s.InvErrorName);
            return false;
        }
        if (unseen && s.InvViolated is not null)
        {
            // a violation on a state excluded by a constraint: the trace goes to it via its parent
            if (newId < 0) Report(res, Outcome.Safety, s.InvViolated, Left(x, i), parentId, c, s.State);
            else Report(res, Outcome.Safety, s.InvViolated, Left(x, i), newId, c);
            return false;
        }
        if (s.ActPropError is { } apErr)
        {
            SetCounts(res, Left(x, i));
            ReportError(res, apErr, parentId, c, actionProp: s.ActPropErrorName, extra: s.State);
            return false;
        }
        if (s.ActPropViolated is not null)
        {
            Report(res, Outcome.Safety, s.ActPropViolated, Left(x, i), parentId, c, s.State, actionProp: true);
            return false;
        }
        if (newId >= 0) _next.Enqueue(s.State!, newId);
        return true;
    }

    private void SetCounts(CheckResult res, long left)
    {
        res.Generated = _generated; res.Distinct = _trace.Count; res.Left = left; res.Depth = _trace.LastLevel;
    }

    // ------------------------------------------------------------------ the end of the search

    /// <summary>The state graph is complete: temporal properties, postconditions, the final report.</summary>
    private void Finish(Ctx c, CheckResult res, List<LiveAtom> atoms)
    {
        SetCounts(res, 0);
        if (_graph is StateGraph g)
        {
            _o.WriteLine($"Checking temporal properties for the complete state space with {_trace.Count} total distinct states");
            LiveChecker.Lasso? lasso;
            try { lasso = new LiveChecker(spec, g.States, g.Succ, _trace.Parents, g.Inits) { MemoryBudget = opt.MaxMemory, Mark = _stats is null ? null : _stats.Mark, Workers = Math.Max(1, opt.Workers), PlantedNoRedo = opt.PlantedLivenessNoRedo, PlantedProductUnknownFalse = opt.PlantedProductUnknownFalse }.Check(c, atoms); }
            catch (LivenessOutOfMemory e)
            {
                // TLC: "Java ran out of memory during liveness checking", exit 255
                res.Outcome = Outcome.BadInput;
                res.Message = e.Where is { } w ? $"{w.File}:{w.Line}:{w.Col}: {e.Message}" : e.Message;
                _o.WriteLine("Error: " + e.Message);
                return;
            }
            catch (Exception e) when (e is EvalError or AssertError)
            {
                ReportLiveError(res, e, g, c);
                return;
            }
            if (lasso is not null)
            {
                ReportLasso(res, lasso, g, c);
                return;
            }
        }
        if (PostconditionFails(c, res)) return;
        res.Outcome = Outcome.Success;
        if (_bestId >= 0) { res.Best = _trace.Behaviour(c, _bestId); res.BestScore = _bestScore; }
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
        // a measure of the evaluation's garbage for docs/measurements.md, not part of the output by default
        if (Environment.GetEnvironmentVariable("NOTIFIER_ALLOC_STATS") == "1" && res.Generated > 0)
        {
            long bytes = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
            _o.WriteLine($"Allocated: {bytes} bytes during the search = {bytes / (double)res.Generated:F1} bytes per generated state; collections gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}.");
        }
        _stats?.Print(_o);
        _stats?.PrintPhases(_o);
        if (opt.MaxMemory is not null) _o.WriteLine($"Spilled to disk: {_spilledPages} queue pages, {(_seen as DiskFpSet)?.Flushes ?? 0} fingerprint set merges{(_graph is StateGraph g2 ? $", {g2.PagesWritten} liveness graph pages" : "")}.");
        PrintCoverage();
    }

    private bool PostconditionFails(Ctx c, CheckResult res)
    {
        foreach (var pc in spec.PostConditions)
        {
            // TLC evaluates a postcondition as an assumption: no state, TLCGet("level") = 0
            string where = pc.Node is OpCall { Def: { } pd } ? pd.Where : "?";
            c.Cur = new Value?[spec.Vars.Count]; c.Nxt = null; c.Level = 0;
            string? failed = null, shown = null;
            try { if (!pc.Node.EvalBool(c, null)) failed = shown = $"Postcondition {pc.Name} at {where} is false."; }
            catch (Exception e) when (e is EvalError or AssertError)
            {
                // TLC: the error on the lines after "Evaluating postcondition ... failed." (stderr: one line)
                failed = $"Evaluating postcondition {pc.Name} at {where} failed. {e.Message.Replace('\n', ' ')}";
                shown = $"Evaluating postcondition {pc.Name} at {where} failed.\n{e.Message}";
            }
            if (failed is null) continue;
            res.Outcome = Outcome.Assumption;
            res.Message = failed;
            _o.WriteLine("Error: " + shown);
            PrintStats(res);
            return true;
        }
        return false;
    }
}
