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

    /// <summary>An evaluation that failed in a parallel phase: an evaluation error, or one that needs the serial order.</summary>
    public static bool Failed(Exception e) =>
        e is EvalError or AssertError or SerialOnly or InvalidOperationException { InnerException: SerialOnly };
}
