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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void With_blocks_every_item_once(int helpers)
    {
        using var pool = new WorkerThreads(helpers);
        for (int round = 0; round < 2000; round++)
        {
            int n = round % 67;
            var hits = new int[n];
            pool.For(n, (i, _) => { Interlocked.Increment(ref hits[i]); if (i % 5 == 0) Thread.SpinWait(50); }, blocks: true);
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    /// <summary>With blocks, slot s runs block s (items 0, 1 for the calling thread, 2, 3 for the helper) when both
    /// threads keep pace: every item waits until the other slot has started as many items as its own slot (for at
    /// most 10 s, so that a planted bug ends). Without blocks the two threads take the items in turn.</summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void With_blocks_each_thread_runs_its_own_block(bool planted, bool own)
    {
        using var pool = new WorkerThreads(1, plantedNoBlocks: planted);
        var started = new int[2];
        var ran = new List<int>[] { [], [] };
        bool local = true;
        for (int round = 0; round < 20 && local; round++)
        {
            started[0] = started[1] = 0;
            ran[0].Clear(); ran[1].Clear();
            pool.For(4, (i, slot) =>
            {
                int mine = Interlocked.Increment(ref started[slot]);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                while (Volatile.Read(ref started[1 - slot]) < mine && DateTime.UtcNow < deadline) Thread.Yield();
                lock (ran) ran[slot].Add(i);
            }, blocks: true);
            local = ran[0].Order().SequenceEqual([0, 1]) && ran[1].Order().SequenceEqual([2, 3]);
        }
        Assert.Equal(own, local);
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
