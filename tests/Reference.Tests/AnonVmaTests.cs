using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Which anon_vma a VMA has (Vma.AnonVmaId): adjacent VMAs with equal flags but different anon_vmas stay apart
/// (linux-7.2 mm/vma.c is_mergeable_anon_vma), and a VMA's first anon_vma is a compatible neighbour's or a new one
/// (find_mergeable_anon_vma, anon_vma_compatible). Each test runs the plant PlantOneAnonVma (one anon_vma for all, the
/// reference before) too and sees the VMAs merge. Both cases were checked on 6.18.44 by a plain process (/proc/self/maps).</summary>
public class AnonVmaTests
{
    private static Session New(bool plant) => new(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantOneAnonVma = plant });

    private static string Result(Session s, Call c) { s.Cpu(c); return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result") ?? "moved"; }

    [Fact]
    public void A_registered_vma_faulted_apart_keeps_its_own_anon_vma_after_unregister_and_does_not_merge()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.UffdRegister(8, 16));
            // VM_UFFD_WP differs: [8, 16) cannot share [0, 8)'s anon_vma (anon_vma_compatible), so it gets a new one
            s.Cpu(new Call.CpuWrite(2, 1));
            s.Cpu(new Call.CpuWrite(9, 1));
            s.Cpu(new Call.UffdUnregister(8, 16));
            // 6.18.44: /proc/self/maps shows [0, 8) and [8, 16) after this
            Assert.Equal(plant ? new PageRange(0, 16) : new PageRange(0, 8), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(2)!));
        }
    }

    [Fact]
    public void A_refused_move_gives_the_destination_its_own_anon_vma_so_a_later_move_across_the_two_vmas_is_refused()
    {
        // found by `notifier kernel --host-only --unseen --time 5m --seed 12`: the kernel answered EINVAL, the reference moved
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.UffdRegister(3, 15));
            Assert.Equal("EINVAL (a range leaves its VMA)", Result(s, new Call.UffdMove(4, 3, 12))); // [3, 15) prepared anyway
            s.Cpu(new Call.CpuWrite(2, 127753));   // [0, 3): a new anon_vma (VM_UFFD_WP differs from [3, 15))
            s.Cpu(new Call.UffdRegister(1, 4));    // [1, 3) registered: flags equal to [3, 15), anon_vmas not
            s.Cpu(new Call.CpuWrite(7, 55436));
            Assert.Equal(plant ? "moved" : "EINVAL (a range leaves its VMA)", Result(s, new Call.UffdMove(7, 1, 3)));
        }
    }

    [Fact]
    public void A_vma_takes_a_compatible_neighbours_anon_vma_and_merges_with_it_later()
    {
        var s = New(false);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(2, 1));              // [0, 8): anon_vma A, VM_ACCOUNT kept by the mprotect below
        s.Cpu(new Call.Mprotect(0, 8, Prot.Read));
        s.Cpu(new Call.Mmap(8, 16, Prot.Read));
        s.Cpu(new Call.Mprotect(8, 16, Prot.ReadWrite)); // VM_ACCOUNT again: compatible with [0, 8) but for the access flags
        s.Cpu(new Call.CpuWrite(9, 1));              // find_mergeable_anon_vma: prev's anon_vma A
        Assert.Equal(s.State.VmaAt(2)!.AnonVmaId, s.State.VmaAt(9)!.AnonVmaId);
        s.Cpu(new Call.Mprotect(0, 8, Prot.ReadWrite));
        // 6.18.44: /proc/self/maps shows one VMA [0, 16) here
        Assert.Equal(new PageRange(0, 16), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(2)!));
    }

    [Fact]
    public void A_vma_mapped_between_two_with_different_anon_vmas_merges_with_the_left_one_only()
    {
        // found by `notifier kernel --host-only --unseen --time 5m --seed 12` after the fix above (the kernel answered EINVAL, the
        // reference moved): mmap 10 13 merges with [0, 10) only (vma_merge_new_range: can_vma_merge_right is false when prev's
        // and next's anon_vmas differ), so [12, 13) and [13, 15), registered together, stay apart
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.Munmap(12, 13));
            s.Cpu(new Call.Mremap(11, 12, 12));      // [12, 13) lines up with [13, 16): one kernel VMA, apart from [0, 11)
            s.Cpu(new Call.CpuWrite(7, 1));          // [0, 11): anon_vma A
            s.Cpu(new Call.CpuWrite(15, 572474));    // [12, 16): B (no adjacent neighbour)
            s.Cpu(new Call.Mmap(10, 13, Prot.ReadWrite));
            Assert.Equal(plant ? new PageRange(0, 16) : new PageRange(0, 13), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(11)!));
            s.Cpu(new Call.UffdRegister(12, 15));
            Assert.Equal(plant ? "moved" : "EINVAL (a range leaves its VMA)", Result(s, new Call.UffdMove(7, 12, 3)));
        }
    }

    /// <summary>A VMA with an anon_vma does not merge into a neighbour without one under linux-6.1, 6.12 and 6.18
    /// (is_mergeable_anon_vma: list_is_singular of the target's empty anon_vma_chain), where linux-7.2 merges them (Case 1).
    /// Found by host-only `--unseen --time 3m --seed 181` on 6.18.44 (kernel EINVAL, reference moved): MREMAP_DONTUNMAP leaves
    /// the old [2, 3) without an anon_vma (dontunmap_complete: unlink_anon_vmas) next to the faulted [3, 7); UFFDIO_REGISTER of
    /// [2, 5) keeps [2, 3) and [3, 5) apart (the kernel's /proc/self/smaps), so a move into [2, 5) leaves its VMA. Planted
    /// (PlantAnonVmaMergeAs7_2): merged, moved.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_18, false)]
    [InlineData(Vocabulary.Linux6_18, true)]
    [InlineData(Vocabulary.Linux7_2, false)]
    public void A_faulted_vma_does_not_merge_into_an_unfaulted_one_before_linux_7(Vocabulary v, bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, MmForbidsZeropage: true) { PlantAnonVmaMergeAs7_2 = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(10));
        s.Cpu(new Call.Munmap(2, 3));
        s.Cpu(new Call.Mremap(9, 10, 2));
        s.Cpu(new Call.Munmap(7, 9));
        s.Cpu(new Call.MremapDontunmap(0, 3, 7));
        Assert.Equal([false, true], new[] { 2, 3 }.Select(p => s.State.VmaAt(p)!.AnonVma).ToArray());
        s.Cpu(new Call.UffdRegister(2, 5));
        bool merged = v == Vocabulary.Linux7_2 || plant;
        Assert.Equal(merged ? new PageRange(2, 5) : new PageRange(2, 3), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(2)!));
        s.Cpu(new Call.CpuWrite(12, 95031));
        Assert.Equal(merged ? "moved" : "EINVAL (a range leaves its VMA)", Result(s, new Call.UffdMove(12, 2, 3)));
    }
}
