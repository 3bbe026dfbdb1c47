using System.Runtime.InteropServices;

namespace NotifierSpec.Checker;

/// <summary>
/// NOTIFIER_SEARCH_STATS=1: where the search spends CPU time, independent of how loaded the machine is. Each
/// thread's own CPU time (Linux clock_gettime CLOCK_THREAD_CPUTIME_ID) is read at the edges of the parallel
/// phases: "parallel" is the CPU time of all threads inside them (successor generation, and whatever else
/// runs on the workers), "serial" the search thread's CPU time outside them (the part a second worker
/// cannot share; with more than one worker it includes the search thread's waits at the phase barriers).
/// With one worker, serial / (serial + parallel) is Amdahl's serial fraction s: 2 workers can give at most
/// 2 / (1 + s) times the speed of one. Garbage collections are not in it: a collection of the workstation GC
/// runs on the thread that triggered it (its CPU time is in that phase) while every other thread is stopped,
/// so the share of wall time spent in GC pauses (printed too, with the collection counts) is serial as well.
/// </summary>
public sealed class SearchStats
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("NOTIFIER_SEARCH_STATS") == "1";

    private long _parallelNs, _mainParallelNs, _dequeueNs, _mergeNs;
    private long _mainStart, _processStart;
    private TimeSpan _gcStart;
    private readonly int[] _collections = new int[3];
    private DateTime _wallStart;
    public long ParallelBatches, SerialBatches;

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

    public void Start()
    {
        _mainStart = ThreadCpuNs();
        _processStart = (long)System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        _gcStart = GC.GetTotalPauseDuration();
        _wallStart = DateTime.UtcNow;
        for (int g = 0; g < 3; g++) _collections[g] = GC.CollectionCount(g);
    }

    /// <summary>Time of a parallel body run by some thread; onMain: the search thread ran it.</summary>
    public void Parallel(long ns, bool onMain)
    {
        Interlocked.Add(ref _parallelNs, ns);
        if (onMain) Interlocked.Add(ref _mainParallelNs, ns);
    }

    public void Dequeue(long ns) => _dequeueNs += ns;
    public void Merge(long ns) => _mergeNs += ns;

    public void Print(TextWriter o)
    {
        double main = (ThreadCpuNs() - _mainStart) / 1e9;
        double par = _parallelNs / 1e9;
        double serial = main - _mainParallelNs / 1e9;
        double process = ((long)System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - _processStart) / 1e3;
        double gc = (GC.GetTotalPauseDuration() - _gcStart).TotalSeconds;
        double s = serial + par > 0 ? serial / (serial + par) : 0;
        double wall = (DateTime.UtcNow - _wallStart).TotalSeconds;
        string gcs = string.Join("/", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - _collections[g]));
        o.WriteLine($"Search CPU: serial {serial:F2} s (dequeue {_dequeueNs / 1e9:F2} s, merge {_mergeNs / 1e9:F2} s), parallel {par:F2} s, serial fraction {s:F3} (2 workers: at most {2 / (1 + s):F2}x); process {process:F2} s; GC pauses {gc:F2} s of {wall:F2} s wall ({(wall > 0 ? gc / wall : 0):P0}; all threads stopped), collections gen0/1/2 {gcs}; batches merged in parallel {ParallelBatches}, serially {SerialBatches}.");
    }
}
