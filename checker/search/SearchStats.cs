using System.Runtime.InteropServices;

namespace NotifierSpec.Checker;

/// <summary>
/// NOTIFIER_SEARCH_STATS=1: where the search spends CPU time, independent of how loaded the machine is. Each
/// thread's own CPU time (Linux clock_gettime CLOCK_THREAD_CPUTIME_ID) is read at the edges of the phases (the
/// expansion of a batch, the steps of its merge: ModelChecker.Phase), each of which ends at a barrier of all the
/// workers. "serial" is the search thread's CPU time outside the phases (the part a second worker cannot share),
/// "items" all threads' CPU time in the phases' work, "barriers" their CPU time in the phases outside the work
/// (spinning at the barriers; a thread that blocks there uses none), "critical path" the sum over the phases of
/// the longest of the workers' shares. With one worker, serial / (serial + items) is Amdahl's serial fraction s:
/// 2 workers can give at most 2 / (1 + s) times the speed of one. With several, (serial + items) / (serial +
/// critical path) bounds the speed-up over one thread doing the same work, given the imbalance of the phases
/// but not what a barrier costs when a thread has to be woken: the number of phases is printed for that.
/// Garbage collections: a collection of the workstation GC runs on the thread that triggered it (its CPU time
/// is in that phase) while every other thread is stopped, so the share of wall time spent in GC pauses (printed
/// too, with the collection counts) is serial as well.
/// </summary>
public sealed class SearchStats
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("NOTIFIER_SEARCH_STATS") == "1";

    private long _itemsNs, _criticalNs, _mainPhasesNs, _dequeueNs, _mergeNs, _phases;
    private long _mainStart, _processStart, _contentionStart;
    private WorkerThreads? _pool;
    private TimeSpan _gcStart;
    private readonly int[] _collections = new int[3];
    private DateTime _wallStart;
    public long ParallelBatches, SerialBatches, TableOverflows;
    /// <summary>Successors whose invariants were evaluated, and those judged already by their worker (FineStates).</summary>
    public long InvariantsEvaluated, InvariantsSkipped;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec ts);

    private const int ClockThreadCpuTime = 3;

    /// <summary>The calling thread's CPU time in nanoseconds (0 where the clock is not available).</summary>
    public static long ThreadCpuNs()
    {
        try { return ClockGettime(ClockThreadCpuTime, out var ts) == 0 ? ts.Sec * 1_000_000_000 + ts.Nsec : 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return 0; }
    }

    public void Start(WorkerThreads? pool)
    {
        _pool = pool;
        _contentionStart = Monitor.LockContentionCount;
        _mainStart = ThreadCpuNs();
        _processStart = (long)System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        _gcStart = GC.GetTotalPauseDuration();
        _wallStart = DateTime.UtcNow;
        for (int g = 0; g < 3; g++) _collections[g] = GC.CollectionCount(g);
    }

    /// <summary>A phase has ended: mainNs, the search thread's CPU time in it; the workers' shares from pool
    /// (null: one worker, the search thread did it all).</summary>
    public void Phase(long mainNs, WorkerThreads? pool)
    {
        _phases++;
        _mainPhasesNs += mainNs;
        if (pool is null) { _itemsNs += mainNs; _criticalNs += mainNs; return; }
        long max = 0;
        for (int k = 0; k < pool.Participants; k++)
        {
            long ns = pool.ItemNs(k);
            _itemsNs += ns;
            max = Math.Max(max, ns);
        }
        _criticalNs += max;
    }

    // ------------------------------------------------------------------ the run's phases

    private readonly List<(string Name, double Cpu, double Thread, double Wall)> _marks = [];

    /// <summary>The process's CPU seconds (all threads: the workers, the GC's, the JIT's) and wall seconds since it
    /// started, now.</summary>
    private static (double Cpu, double Wall) ProcessNow()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return (p.TotalProcessorTime.TotalSeconds, (DateTime.Now - p.StartTime).TotalSeconds);
    }

    /// <summary>A phase of the run ends now (its name: what it did since the previous mark, or since the process
    /// started: the runtime's start, the CLI, the parse, the JIT of what ran so far). Called on the check's thread,
    /// whose own CPU time is kept too: in a phase that thread does alone it is the phase's serial part.</summary>
    public void Mark(string name)
    {
        var (cpu, wall) = ProcessNow();
        _marks.Add((name, cpu, ThreadCpuNs() / 1e9, wall));
    }

    /// <summary>"Phases: NAME P / T / W s, ...": each phase's process CPU seconds (all threads), the check's thread's
    /// CPU seconds (the serial part, or that thread's share of a parallel phase) and wall seconds. The first
    /// phase's thread CPU is only the check thread's (it starts after the parse; the parse runs on the CLI's).</summary>
    public void PrintPhases(TextWriter o)
    {
        var parts = new List<string>();
        double cpu0 = 0, thread0 = 0, wall0 = 0;
        foreach (var (name, cpu, thread, wall) in _marks)
        {
            parts.Add($"{name} {cpu - cpu0:F2} / {thread - thread0:F2} / {wall - wall0:F2} s");
            (cpu0, thread0, wall0) = (cpu, thread, wall);
        }
        o.WriteLine($"Phases (process CPU / check thread CPU / wall seconds): {string.Join(", ", parts)}.");
        if (ThreadsByName() is { } threads) o.WriteLine($"Threads (CPU seconds since the process started, by name; Linux /proc/self/task): {threads}.");
    }

    /// <summary>The CPU seconds (user + system) of the process's live threads, summed by thread name (comm): the
    /// check's threads, the GC's (".NET Server GC"), the JIT's background compiler (".NET Tiered Com"), ...; what
    /// runs beside the workers, on a core the workers could use. Null where /proc is not there.</summary>
    private static string? ThreadsByName()
    {
        try
        {
            var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var dir in Directory.GetDirectories("/proc/self/task"))
            {
                string name, stat;
                try { name = File.ReadAllText(Path.Combine(dir, "comm")).Trim(); stat = File.ReadAllText(Path.Combine(dir, "stat")); }
                catch (IOException) { continue; }
                // fields after the ")" closing comm: state is field 3, utime 14, stime 15 (clock ticks, 100 a second)
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                double cpu = (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
                sums[name] = sums.GetValueOrDefault(name) + cpu;
            }
            return string.Join(", ", sums.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value:F2}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    public void Dequeue(long ns) => _dequeueNs += ns;
    public void Merge(long ns) => _mergeNs += ns;

    public void Print(TextWriter o)
    {
        double main = (ThreadCpuNs() - _mainStart) / 1e9;
        double items = _itemsNs / 1e9, critical = _criticalNs / 1e9, barriers = (_pool?.BarrierNs ?? 0) / 1e9;
        double serial = main - _mainPhasesNs / 1e9;
        double process = ((long)System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - _processStart) / 1e3;
        double gc = (GC.GetTotalPauseDuration() - _gcStart).TotalSeconds;
        double s = serial + items > 0 ? serial / (serial + items) : 0;
        double wall = (DateTime.UtcNow - _wallStart).TotalSeconds;
        long batches = ParallelBatches + SerialBatches;
        string gcs = string.Join("/", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - _collections[g]));
        string bound = _pool is null ? $"2 workers: at most {2 / (1 + s):F2}x"
            : $"{_pool.Participants} workers: at most {(serial + items) / Math.Max(1e-9, serial + critical):F2}x one thread doing this work";
        o.WriteLine($"Search CPU: serial {serial:F2} s (dequeue {_dequeueNs / 1e9:F2} s, merge {_mergeNs / 1e9:F2} s), items {items:F2} s, critical path {critical:F2} s, barriers {barriers:F2} s (blocked {_pool?.Blocked ?? 0} times), serial fraction {s:F3} ({bound}); process {process:F2} s; {Monitor.LockContentionCount - _contentionStart} contended locks; {_phases} phases ({(batches > 0 ? (double)_phases / batches : 0):F1} a batch); GC pauses {gc:F2} s of {wall:F2} s wall ({(wall > 0 ? gc / wall : 0):P0}; all threads stopped), collections gen0/1/2 {gcs}; batches merged in parallel {ParallelBatches} ({TableOverflows} with the batch table put apart), serially {SerialBatches}; invariants evaluated on {InvariantsEvaluated} successors, {InvariantsSkipped} already judged.");
    }
}
