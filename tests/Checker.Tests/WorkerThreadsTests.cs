using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The search's workers (checker/search/WorkerThreads.cs): each For runs body(i, slot) once for every i, no two
/// threads at once with one slot, and returns only when all are done; helpers that spun out and blocked between
/// two For calls are woken by the next. The planted bug (For does not wake blocked helpers) makes the calling
/// thread wait for ever for a helper that sleeps: seen failing, For did not return within the time limit.
/// </summary>
public class WorkerThreadsTests
{
    /// <summary>f on a thread of its own; false if it did not return within the limit (the thread is left behind).</summary>
    private static bool Within(TimeSpan limit, Action f)
    {
        var t = new Thread(() => f()) { IsBackground = true };
        t.Start();
        return t.Join(limit);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_item_once_each_slot_on_one_thread_at_a_time(int helpers)
    {
        using var pool = new WorkerThreads(helpers);
        Assert.Equal(helpers + 1, pool.Participants);
        var inUse = new int[pool.Participants];
        for (int round = 0; round < 3000; round++)
        {
            int n = round % 67;
            var hits = new int[n];
            bool clash = false, badSlot = false;
            pool.For(n, (i, slot) =>
            {
                if (slot < 0 || slot >= inUse.Length) { badSlot = true; return; }
                if (Interlocked.Exchange(ref inUse[slot], 1) != 0) clash = true;
                Interlocked.Increment(ref hits[i]);
                if (i % 7 == 0) Thread.SpinWait(50);
                Volatile.Write(ref inUse[slot], 0);
            });
            Assert.False(badSlot);
            Assert.False(clash, $"round {round}: two threads with one slot");
            Assert.All(hits, h => Assert.Equal(1, h)); // all done when For returned
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Helpers_that_blocked_between_two_Fors_are_woken(bool planted, bool returns)
    {
        var pool = new WorkerThreads(1, plantedMissedWake: planted);
        long sum = 0;
        bool done = Within(TimeSpan.FromSeconds(10), () =>
        {
            for (int round = 0; round < 20; round++)
            {
                Thread.Sleep(WorkerThreads.SpinYielding * 4); // longer than a helper spins: it blocks
                // the calling thread leaves the last item to the helper: For returns only once the helper ran it
                var helperRan = new ManualResetEventSlim();
                pool.For(2, (i, slot) =>
                {
                    if (slot != 0) { Interlocked.Add(ref sum, i + 1); helperRan.Set(); }
                    else if (!helperRan.Wait(TimeSpan.FromSeconds(30))) return;
                    else Interlocked.Add(ref sum, i + 1);
                });
            }
        });
        Assert.Equal(returns, done);
        if (!returns) return; // the pool's helper sleeps for ever: not disposed
        Assert.Equal(20 * 3, Interlocked.Read(ref sum));
        Assert.True(pool.Blocked > 0, "the helper never blocked: the test did not test the wake");
        pool.Dispose();
    }

    [Fact]
    public void An_exception_in_body_is_rethrown_by_For_and_the_pool_goes_on()
    {
        using var pool = new WorkerThreads(2);
        var e = Assert.Throws<InvalidOperationException>(() => pool.For(100, (i, _) => { if (i == 57) throw new InvalidOperationException("item 57"); }));
        Assert.Equal("item 57", e.Message);
        int count = 0;
        pool.For(100, (_, _) => Interlocked.Increment(ref count));
        Assert.Equal(100, count);
    }
}
