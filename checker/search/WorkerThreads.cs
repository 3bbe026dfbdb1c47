using System.Runtime.ExceptionServices;

namespace NotifierSpec.Checker;

/// <summary>
/// The parallel search's workers: long-lived threads with DeepStack.StackBytes stacks (the thread pool's threads
/// have 1.5 MB), given one batch at a time. For runs body(i, slot) for every i in [0, n) spread over the threads
/// and the calling thread (a search with N workers has N - 1 of them; slot 0 is the calling thread, 1 .. N - 1
/// the others, so a body can use per-worker scratch without a lock) and returns when all are done; an exception
/// escaping body is rethrown (body catches the evaluation errors itself).
/// With blocks, the items are cut into one contiguous block per participant: slot s runs the items of block s in
/// order, then helps with the other blocks (s + 1, s + 2, ...), so that two phases with the same n give each
/// thread the same items (the data it made in the first stays in its core's caches for the second) and neighbouring
/// items (sibling states, which share successors) go to one thread.
/// With measure (NOTIFIER_SEARCH_STATS), each participant's CPU time in body during the last For is kept
/// (ItemNs), and the CPU time the participants spent in For outside body (at the barriers) is summed (BarrierNs).
/// </summary>
public sealed class WorkerThreads : IDisposable
{
    // per participant, 16 longs apart: two threads never write the same cache line
    private const int Pad = 16;
    // per block, its next item and its end, 32 ints (two cache lines) apart
    private const int IntPad = 32;

    /// <summary>How long a thread spins, then spins yielding its core, before it blocks, waiting for the next For
    /// (a helper) or for the helpers to finish (the calling thread). A batch's phases are a few tens of
    /// microseconds to a few milliseconds apart; waking a blocked thread costs a system call and, on a virtual
    /// machine, bringing an idle virtual CPU back (tens of microseconds): System.Threading.Barrier spun about
    /// 35 short rounds before it blocked.</summary>
    public static readonly TimeSpan Spin = TimeSpan.FromMicroseconds(50), SpinYielding = TimeSpan.FromMicroseconds(500);

    private readonly Thread[] _threads;
    private Action<int, int>? _body;
    private int _n, _next;
    private bool _blocks;
    private readonly int[] _blockNext, _blockEnd;
    // _epoch: the number of For calls so far (a helper starts a For when it changes); _pending: helpers yet to
    // finish the current For; _sleepers: threads blocked (or about to block) on _gate
    private long _epoch;
    private int _pending, _sleepers;
    private readonly object _gate = new();
    private volatile bool _quit;
    private ExceptionDispatchInfo? _failure;
    private readonly bool _measure;
    private readonly long[] _itemNs, _barrierNs;
    private long _blocked;

    private readonly bool _plantedMissedWake, _plantedNoBlocks;

    /// <param name="plantedMissedWake">a planted bug for WorkerThreadsTests: For does not wake blocked helpers</param>
    /// <param name="plantedNoBlocks">a planted bug for WorkerThreadsTests: For ignores blocks</param>
    public WorkerThreads(int count, bool measure = false, bool plantedMissedWake = false, bool plantedNoBlocks = false)
    {
        _measure = measure;
        _plantedMissedWake = plantedMissedWake;
        _plantedNoBlocks = plantedNoBlocks;
        _itemNs = new long[(count + 1) * Pad];
        _barrierNs = new long[(count + 1) * Pad];
        _blockNext = new int[(count + 1) * IntPad];
        _blockEnd = new int[(count + 1) * IntPad];
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            int slot = i + 1;
            _threads[i] = new Thread(() => Loop(slot), DeepStack.StackBytes) { IsBackground = true, Name = $"checker worker {slot}" };
            _threads[i].Start();
        }
    }

    /// <summary>The threads that run a For: the helper threads and the calling thread.</summary>
    public int Participants => _threads.Length + 1;

    /// <summary>With measure: the CPU time participant slot spent in body during the last For.</summary>
    public long ItemNs(int slot) => _itemNs[slot * Pad];

    /// <summary>With measure: the CPU time all participants spent in For outside body (the barriers), so far.</summary>
    public long BarrierNs
    {
        get { long s = 0; for (int k = 0; k < Participants; k++) s += _barrierNs[k * Pad]; return s; }
    }

    /// <summary>How many times a thread found its wait longer than the spin and blocked.</summary>
    public long Blocked => Interlocked.Read(ref _blocked);

    private void Loop(int slot)
    {
        long end = _measure ? SearchStats.ThreadCpuNs() : 0;
        long seen = 0;
        while (true)
        {
            WaitUntil(static (w, seen) => Volatile.Read(ref w._epoch) != seen, seen);
            seen = Volatile.Read(ref _epoch);
            if (_quit) return;
            long t0 = _measure ? SearchStats.ThreadCpuNs() : 0;
            Items(slot);
            if (_measure)
            {
                long t1 = SearchStats.ThreadCpuNs();
                _itemNs[slot * Pad] = t1 - t0;
                _barrierNs[slot * Pad] += t0 - end; // waiting for this For
                end = t1;
            }
            if (Interlocked.Decrement(ref _pending) == 0) Wake();
        }
    }

    private void Items(int slot)
    {
        try
        {
            int i;
            if (!_blocks)
            {
                while ((i = Interlocked.Increment(ref _next) - 1) < _n) _body!(i, slot);
                return;
            }
            int p = Participants;
            for (int d = 0; d < p; d++)
            {
                int b = (slot + d) % p, end = _blockEnd[b * IntPad];
                while ((i = Interlocked.Increment(ref _blockNext[b * IntPad]) - 1) < end) _body!(i, slot);
            }
        }
        catch (Exception e) { Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null); }
    }

    /// <summary>Returns once done(this, arg) holds: spinning for Spin, then spinning and yielding the core until
    /// SpinYielding, then blocked on _gate until a Wake. done must become true only after a write that is followed
    /// by Wake (an interlocked one: it and the read of _sleepers in Wake are in order).</summary>
    private void WaitUntil(Func<WorkerThreads, long, bool> done, long arg)
    {
        if (done(this, arg)) return;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        long spin = start + (long)(Spin.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        long yielding = start + (long)(SpinYielding.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (true)
        {
            for (int k = 0; k < 16; k++)
            {
                if (done(this, arg)) return;
                Thread.SpinWait(8);
            }
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (now >= yielding) break;
            if (now >= spin) Thread.Yield();
        }
        lock (_gate)
        {
            // incremented before done is read again: a Wake that made done true either is seen here, or sees
            // _sleepers > 0 and pulses (it takes the lock, held here until Monitor.Wait releases it)
            Interlocked.Increment(ref _sleepers);
            try
            {
                if (!done(this, arg)) Interlocked.Increment(ref _blocked);
                while (!done(this, arg)) Monitor.Wait(_gate);
            }
            finally { Interlocked.Decrement(ref _sleepers); }
        }
    }

    /// <summary>After the interlocked write that makes some thread's WaitUntil condition true.</summary>
    private void Wake()
    {
        if (Volatile.Read(ref _sleepers) == 0) return;
        lock (_gate) Monitor.PulseAll(_gate);
    }

    /// <summary>body(i, slot) for every i in [0, n), on the helper threads and on the calling thread itself (which
    /// would otherwise only wait: a third thread competing with two workers for two cores). Not reentrant, and
    /// called from one thread at a time. blocks: see the class.</summary>
    public void For(int n, Action<int, int> body, bool blocks = false)
    {
        long t0 = _measure ? SearchStats.ThreadCpuNs() : 0;
        _body = body; _n = n; _next = 0; _failure = null;
        _blocks = blocks && !_plantedNoBlocks;
        if (blocks)
        {
            int p = Participants;
            for (int k = 0; k < p; k++)
            {
                _blockNext[k * IntPad] = (int)((long)n * k / p);
                _blockEnd[k * IntPad] = (int)((long)n * (k + 1) / p);
            }
        }
        _pending = _threads.Length;
        Interlocked.Increment(ref _epoch); // a full fence: the helpers that see the new epoch see the fields above
        if (!_plantedMissedWake) Wake();
        long t1 = _measure ? SearchStats.ThreadCpuNs() : 0;
        Items(0);
        long t2 = _measure ? SearchStats.ThreadCpuNs() : 0;
        WaitUntil(static (w, _) => Volatile.Read(ref w._pending) == 0, 0);
        if (_measure)
        {
            _itemNs[0] = t2 - t1;
            _barrierNs[0] += (t1 - t0) + (SearchStats.ThreadCpuNs() - t2);
        }
        _body = null;
        _failure?.Throw();
    }

    public void Dispose()
    {
        _quit = true;
        Interlocked.Increment(ref _epoch);
        Wake();
        foreach (var t in _threads) t.Join();
    }
}
