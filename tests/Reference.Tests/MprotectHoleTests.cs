using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>mprotect(2) over a range with a hole (session 18): linux-7.2 mm/mprotect.c do_mprotect_pkey fails with -ENOMEM and
/// changes nothing when no VMA holds the first page; else it changes each VMA in turn (mprotect_fixup, under its
/// change_protection bracket) up to the first hole and fails there with -ENOMEM, the VMAs before it changed (linux-6.12 and
/// 6.1 the same). Before session 18 the reference refused any such call without a change, and `notifier kernel` did not run
/// it (605 of 15,488 operations of `--host-only --unseen --time 30s --seed 191`).</summary>
public class MprotectHoleTests
{
    private static List<string> Events(Session s) => s.Trace.Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    /// <summary>VMAs [0, 4) and [6, 8), written; mprotect(2, 8, read) changes [2, 4), write-protecting its PTEs under the
    /// bracket, and fails at the hole [4, 6); [6, 8) keeps rw. Planted (PlantHoleNoChange, the reference before):
    /// nothing changes.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mprotect_over_a_hole_changes_the_vmas_before_it_and_fails_with_enomem(bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantHoleNoChange = plant });
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(6, 8, Prot.ReadWrite));
        foreach (int p in new[] { 2, 3, 6 }) s.Cpu(new Call.CpuWrite(p, 10 + p));
        int events = Events(s).Count;
        var o = s.Call(new Call.Mprotect(2, 8, Prot.Read));
        s.RunCpu();
        Assert.Equal(plant ? "ENOMEM (range not fully mapped)" : "ENOMEM (a hole at page 4: the VMAs before it changed)", o.Line.Get("result"));
        Assert.Equal(plant ? [] : ["MMU_NOTIFY_PROTECTION_VMA[2,4)"], Events(s).Skip(events).ToList());
        Assert.Equal(plant ? [Prot.ReadWrite, Prot.ReadWrite] : [Prot.ReadWrite, Prot.Read], new[] { 0, 2 }.Select(p => s.State.VmaAt(p)!.Prot));
        Assert.Equal(Prot.ReadWrite, s.State.VmaAt(6)!.Prot);
        Assert.Equal(plant ? Prot.ReadWrite : Prot.Read, s.State.Ptes[3]!.Value.Prot);
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[6]!.Value.Prot);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>A hole at the first page: -ENOMEM, nothing changed, no step.</summary>
    [Fact]
    public void Mprotect_from_a_hole_fails_with_enomem_and_changes_nothing()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        var o = s.Call(new Call.Mprotect(2, 6, Prot.Read));
        Assert.Equal("ENOMEM (range not fully mapped)", o.Line.Get("result"));
        Assert.Null(s.State.Op);
        Assert.Equal(Prot.ReadWrite, s.State.Vmas[0].Prot);
    }
}

/// <summary>mlock / munlock over a range with a hole (session 18): linux-7.2 mm/mlock.c apply_vma_lock_flags locks (unlocks) the
/// VMAs before the first hole and fails with -ENOMEM there, and do_mlock returns before __mm_populate: nothing faulted in.</summary>
public class MlockHoleTests
{
    /// <summary>VMAs [0, 4) and [6, 8): mlock(2, 8) locks [2, 4), faults nothing in, fails at the hole; munlock(0, 8) unlocks
    /// [0, 4) and fails at the same hole; [6, 8) is never locked. Planted (PlantHoleNoChange): nothing locked.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mlock_and_munlock_over_a_hole_change_the_vmas_before_it_and_fail_with_enomem(bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantHoleNoChange = plant });
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(6, 8, Prot.ReadWrite));
        var o = s.Call(new Call.Mlock(2, 8));
        s.RunCpu();
        Assert.Equal(plant ? "ENOMEM (range not fully mapped)" : "ENOMEM (a hole at page 4: the VMAs before it locked)", o.Line.Get("result"));
        Assert.Equal([false, false, !plant, !plant, false, false], new[] { 0, 1, 2, 3, 6, 7 }.Select(p => s.State.VmaAt(p)!.Mlocked));
        Assert.All(Enumerable.Range(0, 8), p => Assert.Null(s.State.Ptes[p])); // nothing faulted in
        o = s.Call(new Call.Munlock(0, 8));
        s.RunCpu();
        Assert.Equal(plant ? "ENOMEM (range not fully mapped)" : "ENOMEM (a hole at page 4: the VMAs before it unlocked)", o.Line.Get("result"));
        Assert.All(new[] { 0, 1, 2, 3, 6, 7 }, p => Assert.False(s.State.VmaAt(p)!.Mlocked));
        Assert.Null(s.FirstViolation);
    }
}
