using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Every rule catches a planted violation, at the exact step, with a readable message.</summary>
public class RuleTests
{
    private static Session New(Mutant m, Vocabulary v = Vocabulary.Upstream, MirrorConfig? dev = null) =>
        new(new MmConfig(16, 4, 48, v, dev is null ? [] : [dev], m));

    private static string StepOf(Session s) => s.Trace[s.FirstViolationLine!.Value - 1].Op;

    [Fact]
    public void Rule_names_are_the_shared_ones()
    {
        Assert.Equal(["NoStaleDeviceMapping", "NoFreedFrameAccess", "CoherentAccess", "StartEndPaired", "RangeCoversChange", "TruthfulEvent", "SoftDirtyComplete"], Rules.All);
    }

    [Fact]
    public void RangeCoversChange_catches_a_range_one_page_short()
    {
        var s = New(Mutant.RangeOnePageShort);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 1));
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Equal(Rules.RangeCoversChange, s.FirstViolation!.Rule);
        Assert.Equal("pte_update", StepOf(s));
        Assert.Equal("munmap changed page 3 (frame 1 rw dirty soft-dirty -> none) outside any started invalidation (open: [0, 3) MMU_NOTIFY_UNMAP)", s.FirstViolation.Message);
    }

    [Fact]
    public void TruthfulEvent_catches_a_write_protect_event_that_unmaps()
    {
        var s = New(Mutant.WrongEventMprotect);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Mprotect(0, 4, Prot.None));
        Assert.Equal(Rules.TruthfulEvent, s.FirstViolation!.Rule);
        Assert.Equal("mprotect sent MMU_NOTIFY_PROTECTION_PAGE but made a Unmap change to page 0 (frame 1 rw dirty soft-dirty -> frame 1 none dirty soft-dirty)", s.FirstViolation.Message);
    }

    [Fact]
    public void StartEndPaired_catches_a_start_without_end()
    {
        var s = New(Mutant.StartWithoutEnd);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Equal(Rules.StartEndPaired, s.FirstViolation!.Rule);
        Assert.Equal("munmap finished with invalidate_range_start [0, 4) (MMU_NOTIFY_UNMAP) never ended", s.FirstViolation.Message);
    }

    [Fact]
    public void NoStaleDeviceMapping_catches_a_fork_that_forgets_to_write_protect()
    {
        var s = New(Mutant.CowForgetsWriteProtect, dev: new MirrorConfig("dev0", Policy: Policy.Hmm));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.DeviceWrite(0, 0, 1);
        Assert.Null(s.FirstViolation);
        s.Cpu(new Call.Fork());
        Assert.Equal(Rules.NoStaleDeviceMapping, s.FirstViolation!.Rule);
        Assert.Equal("copy_pte_range", StepOf(s));
        Assert.Equal("dev0 maps page 0 writable but frame 1 is shared copy-on-write (2 mappings)", s.FirstViolation.Message);
    }

    [Fact]
    public void NoFreedFrameAccess_catches_a_frame_freed_before_the_notifier()
    {
        var s = New(Mutant.FreeBeforeNotify, dev: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.DeviceWrite(0, 0, 1);
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Equal(Rules.NoFreedFrameAccess, s.FirstViolation!.Rule);
        Assert.Equal("free_frame", StepOf(s));
        Assert.Equal("dev0 maps page 0 to frame 1.1, but that frame is free", s.FirstViolation.Message);
    }

    [Fact]
    public void CoherentAccess_catches_a_device_write_lost_by_a_copy_before_unmap()
    {
        var s = New(Mutant.MigrateCopyBeforeUnmap, dev: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.Call(new Call.Migrate(0));
        s.Step(Machine.Cpu); // copy_page: too early
        s.DeviceWrite(0, 0, 2);
        s.RunCpu();
        Assert.Null(s.FirstViolation);
        s.Cpu(new Call.CpuRead(0));
        Assert.Equal(Rules.CoherentAccess, s.FirstViolation!.Rule);
        Assert.Equal("CPU read 1 at page 0 (frame 2) but the last write to it stored 2", s.FirstViolation.Message);
    }

    [Fact]
    public void SoftDirtyComplete_catches_clear_refs_that_does_not_write_protect()
    {
        var s = New(Mutant.SoftDirtyNoWriteProtect);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.ClearRefs());
        s.Cpu(new Call.CpuWrite(0, 2));
        Assert.Equal(Rules.SoftDirtyComplete, s.FirstViolation!.Rule);
        Assert.Equal("CPU write to page 0 left its PTE without soft-dirty (frame 1 rw dirty)", s.FirstViolation.Message);
    }

    [Fact]
    public void The_same_sequences_hold_every_rule_without_the_mutants()
    {
        var s = New(Mutant.None, dev: new MirrorConfig("dev0", Policy: Policy.Hmm));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.DeviceWrite(0, 0, 1);
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(1, 1));
        s.Cpu(new Call.ClearRefs());
        s.Cpu(new Call.CpuWrite(1, 2));
        s.Cpu(new Call.Migrate(1));
        s.Cpu(new Call.CpuRead(1));
        s.Cpu(new Call.Mprotect(0, 4, Prot.None));
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Random_runs_with_correct_listeners_hold_every_rule_under_every_vocabulary()
    {
        foreach (var v in Enum.GetValues<Vocabulary>())
            foreach (var kind in new[] { MirrorKind.Interval, MirrorKind.Mm, MirrorKind.SecondaryTlb })
            {
                var cfg = new MmConfig(16, 4, 64, v, [new MirrorConfig("dev0", kind, Policy.Hmm), new MirrorConfig("dev1")]);
                for (int seed = 0; seed < 10; seed++)
                {
                    var s = RandomRun.Run(cfg, seed, 2000, record: false);
                    Assert.True(s.FirstViolation is null, $"{v} {kind} seed {seed}: {s.FirstViolation}");
                    Assert.True(s.Lines == 2000 || s.State.Exited, $"{v} {kind} seed {seed}: stopped after {s.Lines} lines");
                }
            }
    }

    [Fact]
    public void Random_runs_are_deterministic()
    {
        var cfg = new MmConfig(16, 4, 64, Vocabulary.V7, [new MirrorConfig("dev0", Policy: Policy.Hmm), new MirrorConfig("dev1")]);
        var a = RandomRun.Run(cfg, 7, 1500);
        var b = RandomRun.Run(cfg, 7, 1500);
        Assert.Equal(a.Trace.Select(l => l.ToJsonLine()), b.Trace.Select(l => l.ToJsonLine()));
        Assert.NotEqual(a.Trace.Select(l => l.ToJsonLine()), RandomRun.Run(cfg, 8, 1500).Trace.Select(l => l.ToJsonLine()));
    }
}

/// <summary>docs/protection-vma.md: UFFDIO_WRITEPROTECT sends MMU_NOTIFY_PROTECTION_VMA with the VMA unchanged.</summary>
public class UffdWriteProtectTests
{
    private static Session New(Policy policy, Vocabulary v = Vocabulary.Linux7_2) =>
        new(new MmConfig(8, 4, 40, v, [new MirrorConfig("dev0", MirrorKind.Interval, policy)]));

    private static Session Run(Session s)
    {
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceWrite(0, 0, 2);
        s.Cpu(new Call.UffdRegister(0, 4));
        s.Cpu(new Call.UffdWriteProtect(0, 4));
        return s;
    }

    [Fact]
    public void A_listener_that_consults_the_vma_keeps_device_write_access_after_uffd_write_protect()
    {
        var s = Run(New(Policy.Hmm)); // Hmm's reaction to MMU_NOTIFY_PROTECTION_VMA: consult-vma
        Assert.Equal(Prot.ReadWrite, s.State.VmaAt(0)!.Prot);
        Assert.Equal("MMU_NOTIFY_PROTECTION_VMA", (string?)s.Trace.Single(l => l.Op == "invalidate_range_start").Get("event"));
        Assert.Equal(Rules.NoStaleDeviceMapping, s.FirstViolation!.Rule);
        Assert.Equal("pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        Assert.Equal("dev0 maps page 0 writable but the CPU PTE is frame 1 r dirty soft-dirty uffd-wp", s.FirstViolation.Message);
    }

    [Fact]
    public void A_listener_that_unmaps_on_protection_vma_is_safe_and_the_seed_vocabularies_have_no_uffd()
    {
        var s = Run(New(Policy.UnmapAll));
        Assert.Null(s.FirstViolation);
        Assert.False(s.State.Ptes[0]!.Value.Writable);
        var v7 = New(Policy.Hmm, Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        Assert.Equal("ENOSYS (userfaultfd write-protect is not in this vocabulary)", v7.Call(new Call.UffdWriteProtect(0, 4)).Line.Get("result"));
    }
}
