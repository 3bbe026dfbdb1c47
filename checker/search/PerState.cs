namespace NotifierSpec.Checker;

/// <summary>
/// The parallel part of a serial loop over states: body(c, slot, s) for s in [0, n), each s writing only its own
/// results, run by `workers` threads (WorkerThreads, blocks of 256 states) with the interner frozen
/// (Interner.Frozen: an evaluation that needs the serial order, a new string's token, Print, a TLC register, throws
/// SerialOnly), each thread with its own Ctx (the calling thread with c) and slot (for per-thread scratch). Run
/// returns the first state whose evaluation failed (an evaluation error, or SerialOnly; n when none): the
/// evaluations before it made no token, printed nothing and read no TLC register, so they are what one thread
/// finds; from it on the caller does the loop itself, in order, on its own thread (Serial), so the first error
/// is the one one thread meets. Used by the initial states (ModelChecker) and the liveness check (LiveChecker),
/// whose per-state evaluations are otherwise done by one thread while the others wait.
/// </summary>
public static class PerState
{
    /// <summary>States a thread takes at a time.</summary>
    public const int Chunk = 256;

    /// <summary>The first state whose evaluation failed in the parallel phase, n when none; with one worker, or
    /// fewer than two chunks of states, 0 (nothing done: the caller does the loop).</summary>
    public static int Run(TlaSpec spec, Ctx c, int workers, int n, Action<Ctx, int, int> body)
    {
        if (workers <= 1 || n < 2 * Chunk) return 0;
        int chunks = (n + Chunk - 1) / Chunk;
        var failedAt = new int[chunks];
        Array.Fill(failedAt, int.MaxValue);
        var ctxs = new Ctx[workers];
        ctxs[0] = c;
        for (int k = 1; k < workers; k++) ctxs[k] = new Ctx(spec) { Level = c.Level };
        spec.Interner.Frozen = true;
        try
        {
            using var pool = new WorkerThreads(workers - 1);
            pool.For(chunks, (k, slot) =>
            {
                var cx = ctxs[slot];
                for (int s = k * Chunk, end = Math.Min(n, s + Chunk); s < end; s++)
                {
                    try { body(cx, slot, s); }
                    catch (Exception e) when (Failed(e))
                    {
                        failedAt[k] = s;
                        return;
                    }
                }
            }, blocks: true);
        }
        finally { spec.Interner.Frozen = false; }
        c.Nxt = null;
        return Math.Min(n, failedAt.Min());
    }

    [ThreadStatic] private static TlaSpec? t_spec;
    [ThreadStatic] private static int t_workers;
    [ThreadStatic] private static bool t_plantedNoRedo;

    /// <summary>Offers this thread's evaluations `workers` threads (restored on Dispose): a set filter enumerated by
    /// it over a large indexed set (FilterV: the initial predicate's `x \in {y \in S : P}`) is cut into index ranges
    /// filtered in parallel (Filter). Only the search thread outside the search's parallel phases is offered them
    /// (ModelChecker: while Init is enumerated); while they run the offer is withdrawn, so they do not nest.</summary>
    /// <param name="plantedNoRedo">CheckOptions.PlantedFilterNoRedo</param>
    public static Offer Offering(TlaSpec spec, int workers, bool plantedNoRedo = false) => new(spec, workers, plantedNoRedo);

    public readonly struct Offer : IDisposable
    {
        private readonly TlaSpec? _spec;
        private readonly int _workers;
        private readonly bool _planted;
        internal Offer(TlaSpec spec, int workers, bool plantedNoRedo)
        {
            (_spec, _workers, _planted) = (t_spec, t_workers, t_plantedNoRedo);
            if (workers > 1) (t_spec, t_workers, t_plantedNoRedo) = (spec, workers, plantedNoRedo);
        }
        public void Dispose() => (t_spec, t_workers, t_plantedNoRedo) = (_spec, _workers, _planted);
    }

    /// <summary>Elements a thread filters at a time.</summary>
    public const int FilterChunk = 4096;


    /// <summary>{x \in s : pred(x)} in Elements()' order, filtered by the offered workers (Offering) in ranges of
    /// FilterChunk indices with the interner frozen, concatenated in order; from the first element whose pred
    /// failed (an evaluation error, or one that needs the serial order) on, filtered on this thread in order, so
    /// the first error is the one one thread meets. Null when nothing is offered or s is not indexed or too small:
    /// the caller filters serially. Ascending: the workers found the elements kept strictly ascending (compared in
    /// their ranges, and across the ranges here; false when this thread filtered some).</summary>
    public static (List<Value> Kept, bool Ascending)? Filter(SetBase s, Func<Value, bool> pred)
    {
        if (t_spec is not { } spec || spec.Interner.Frozen) return null;
        long n;
        try { n = s.IndexedCount; }
        catch (Exception e) when (Failed(e)) { return null; }
        if (n < 2 * FilterChunk || n / FilterChunk > Array.MaxLength) return null;
        int workers = t_workers, chunks = (int)((n + FilterChunk - 1) / FilterChunk);
        var kept = new List<Value>[chunks];
        var ascending = new bool[chunks];
        var failedAt = new long[chunks];
        Array.Fill(failedAt, long.MaxValue);
        t_spec = null;
        spec.Interner.Frozen = true;
        try
        {
            using var pool = new WorkerThreads(workers - 1);
            pool.For(chunks, (k, _) =>
            {
                long from = (long)k * FilterChunk, i = from, end = Math.Min(n, from + FilterChunk);
                var mine = kept[k] = [];
                foreach (var v in s.ElementsFrom(from))
                {
                    if (i == end) break;
                    try { if (pred(v)) mine.Add(v); }
                    catch (Exception e) when (Failed(e))
                    {
                        failedAt[k] = i;
                        return;
                    }
                    i++;
                }
                ascending[k] = SetV.Ascending(mine);
            }, blocks: true);
        }
        finally { spec.Interner.Frozen = false; t_spec = spec; }
        long failed = Math.Min(n, failedAt.Min());
        var res = new List<Value>();
        bool asc = failed == n;
        for (int k = 0; k < chunks && (long)k * FilterChunk < failed; k++)
        {
            if (kept[k].Count == 0) continue;
            // the last element kept before this range against this range's first
            asc = asc && ascending[k] && (res.Count == 0 || SetV.Ascending([res[^1], kept[k][0]]));
            res.AddRange(kept[k]);
        }
        if (failed < n && !t_plantedNoRedo) res.AddRange(s.ElementsFrom(failed).Where(pred));
        return (res, asc);
    }


    /// <summary>An evaluation that failed in a parallel phase: an evaluation error, or one that needs the serial order.</summary>
    public static bool Failed(Exception e) =>
        e is EvalError or AssertError or SerialOnly or InvalidOperationException { InnerException: SerialOnly };
}
