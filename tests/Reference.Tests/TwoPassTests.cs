using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Two-pass interval notifiers (Linux 7.2 mm/mmu_notifier.c mn_itree_invalidate / mn_itree_finish_pass):
/// exact step order, seq and device page tables.</summary>
public class TwoPassTests
{
    private static Session New(Mutant mutant, params MirrorConfig[] mirrors) =>
        new(new MmConfig(16, 4, 48, Vocabulary.Upstream, [.. mirrors], mutant));

    private static MirrorConfig TwoPass(string name) => new(name, MirrorKind.Interval, Policy.TwoPass);

    private static List<string> Ops(Session s, int from) => s.Trace.Skip(from).Select(l => l.Op).ToList();

    private static List<string> Told(Session s, int from) => s.Trace.Skip(from)
        .Where(l => l.Op is "invalidate" or "invalidate_finish").Select(l => $"{l.Op}:{l.Get("mirror")}:{l.Get("reaction")}").ToList();

    [Fact]
    public void Every_start_pass_runs_in_the_walk_then_every_finish_pass_in_the_same_order_before_the_pte_change()
    {
        var s = New(Mutant.None, TwoPass("gpu0"), new MirrorConfig("dev1"), TwoPass("gpu2"), new MirrorConfig("kvm", MirrorKind.Mm));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.DeviceRead(2, 0);
        Assert.True(s.State.Mirrors[0].Pt.ContainsKey(0));
        int before = s.Trace.Count;
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Null(s.FirstViolation);
        Assert.Equal(["invalidate:gpu0:unmap-at-finish", "invalidate:dev1:unmap", "invalidate:gpu2:unmap-at-finish",
            "invalidate_finish:gpu0:unmap", "invalidate_finish:gpu2:unmap", "invalidate:kvm:unmap"], Told(s, before));
        var ops = Ops(s, before + 1);
        Assert.True(ops.LastIndexOf("invalidate_finish") < ops.IndexOf("pte_update"));
        Assert.Empty(s.State.Mirrors[0].Pt);
        Assert.Empty(s.State.Mirrors[2].Pt);
    }

    [Fact]
    public void The_start_pass_sets_the_odd_seq_and_leaves_the_device_pte_until_the_finish_pass()
    {
        var s = New(Mutant.None, TwoPass("gpu0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.Call(new Call.Munmap(0, 4));
        while (!s.Trace[^1].Op.StartsWith("invalidate_range_start", StringComparison.Ordinal)) s.Step(Machine.Cpu);
        long cur = s.State.InvalidateSeq;
        Assert.Equal(1, cur & 1);
        s.Step(Machine.Cpu); // invalidate_start
        Assert.Equal(cur, s.State.Mirrors[0].Seq);
        Assert.True(s.State.Mirrors[0].Pt.ContainsKey(0));
        Assert.False(s.State.Op!.Inv!.Started);
        s.Step(Machine.Cpu); // invalidate_finish
        Assert.Equal("invalidate_finish", s.Trace[^1].Op);
        Assert.Empty(s.State.Mirrors[0].Pt);
        Assert.True(s.State.Op!.Inv!.Started);
        s.RunCpu();
        Assert.Null(s.FirstViolation);
        Assert.Equal(cur + 1, s.State.InvalidateSeq);
    }

    [Fact]
    public void The_finish_pass_waits_for_the_driver_lock()
    {
        var s = New(Mutant.None, TwoPass("gpu0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(1, 2));
        s.Call(new Call.DeviceRead(0, 0));
        while (s.State.Mirrors[0].Op!.Phase != DevicePhase.Lock) s.Step(0);
        s.Call(new Call.Munmap(0, 4));
        while (s.Trace[^1].Op != "invalidate") s.Step(Machine.Cpu);
        s.Step(0);
        Assert.Equal("device_lock", s.Trace[^1].Op);
        Assert.False(Machine.CanStep(s.State, Machine.Cpu));
        s.Run(0);
        // the start pass set the seq: read_retry fails, the lock is dropped, read_begin sleeps until the pass ends
        Assert.Equal(["device_lock", "mmu_interval_read_retry"], s.Trace.TakeLast(2).Select(l => l.Op).ToList());
        Assert.Equal("retry", s.Trace[^1].Get("result"));
        Assert.False(s.State.Mirrors[0].Locked);
        Assert.Equal(DevicePhase.ReadBegin, s.State.Mirrors[0].Op!.Phase);
        s.RunCpu();
        Assert.Null(s.FirstViolation);
        Assert.Empty(s.State.Mirrors[0].Pt);
    }

    [Fact]
    public void A_refused_start_still_runs_the_queued_finish_passes_then_ends_the_pass_without_an_end()
    {
        // mn_itree_invalidate: on -EAGAIN, mn_itree_finish_pass, then mn_itree_inv_end; no invalidate_range_end
        var s = New(Mutant.None, TwoPass("gpu0"), new MirrorConfig("dev1"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.Call(new Call.DeviceRead(1, 0));
        while (!s.State.Mirrors[1].Locked) s.Step(1);
        int before = s.Trace.Count;
        s.Call(new Call.OomReap());
        while (s.State.Op is not null) s.Step(Machine.Cpu);
        Assert.Null(s.FirstViolation);
        Assert.Equal(["invalidate:gpu0:unmap-at-finish", "invalidate:dev1:", "invalidate_finish:gpu0:unmap"], Told(s, before));
        Assert.Equal("EAGAIN", s.Trace.Single(l => l.Op == "invalidate" && (string?)l.Get("mirror") == "dev1").Get("result"));
        Assert.DoesNotContain("invalidate_range_end", Ops(s, before));
        Assert.Empty(s.State.Mirrors[0].Pt);
        Assert.Equal(0, s.State.ActiveInvalidateRanges);
        Assert.False(s.State.Invalidating);
        Assert.NotNull(s.State.Ptes[0]); // the reaper skipped the refused range
    }

    [Fact]
    public void Mutant_FinishPassAtEnd_leaves_a_device_pte_over_the_cleared_cpu_pte()
    {
        var s = New(Mutant.FinishPassAtEnd, TwoPass("gpu0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Equal(Rules.NoStaleDeviceMapping, s.FirstViolation!.Rule);
        Assert.DoesNotContain("invalidate_finish", s.Trace.Select(l => l.Op));
    }
}
