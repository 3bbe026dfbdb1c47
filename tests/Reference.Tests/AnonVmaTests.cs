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

    /// <summary>A VMA with an anon_vma merges into an unfaulted neighbour under linux-7.2 (mm/vma.c is_mergeable_anon_vma,
    /// "Case 1") and 6.18.44 (seen live, session 16: host-only `--unseen --time 2m --seed 193`), not under linux-6.12 (mm/vma.c
    /// can_vma_merge_before: is_mergeable_anon_vma asks list_is_singular of next's empty anon_vma_chain; 6.1 mm/mmap.c the
    /// same): UFFDIO_REGISTER of the faulted [0, 8)'s last page next to the registered, unfaulted [8, 16). Planted:
    /// PlantAnonVmaMergeAs7_2 (6.12 merges), PlantAnonVmaMerge6_18As6_12 (6.18 keeps them apart: the mremap of [7, 10) then
    /// spans two userfaultfd-armed VMAs, EFAULT, where 6.18.44 moves it).</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_12, false, false, false)]
    [InlineData(Vocabulary.Linux6_12, true, false, true)]
    [InlineData(Vocabulary.Linux6_18, false, false, true)]
    [InlineData(Vocabulary.Linux6_18, false, true, false)]
    [InlineData(Vocabulary.Linux7_2, false, false, true)]
    public void A_faulted_vma_merges_into_an_unfaulted_one_from_linux_6_18(Vocabulary v, bool plant7_2, bool plant6_18, bool merged)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, MmForbidsZeropage: true) { PlantAnonVmaMergeAs7_2 = plant7_2, PlantAnonVmaMerge6_18As6_12 = plant6_18 });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(8, 16));
        s.Cpu(new Call.CpuWrite(7, 55434));
        Assert.Equal([true, false], new[] { 7, 8 }.Select(p => s.State.VmaAt(p)!.AnonVma).ToArray());
        s.Cpu(new Call.UffdRegister(7, 8));
        Assert.Equal(merged ? new PageRange(7, 16) : new PageRange(7, 8), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(7)!));
        if (v == Vocabulary.Linux6_12) return;
        s.Cpu(new Call.Munmap(13, 16)); // MREMAP_FIXED's unmap of the destination, as the live harness's mremap
        Assert.Equal(merged ? "moved" : "EFAULT (a userfaultfd-armed VMA among several)", Result(s, new Call.Mremap(7, 10, 13)));
    }

    /// <summary>MREMAP_DONTUNMAP of a whole VMA: linux-7.2 mm/mremap.c dontunmap_complete (6.12 move_vma) resets the old VMA's
    /// pgoff to an unfaulted VMA's; 6.18.44 keeps it (seen live, session 16: a standalone program's /proc/self/maps). Found by
    /// host-only `--unseen --time 3m --seed 181` on 6.18.44 (kernel EINVAL, reference moved): [2, 3) was mremap'd there from
    /// page 9, so after the DONTUNMAP its pgoff does not line up with the faulted [3, 7)'s, and UFFDIO_REGISTER of [2, 5) keeps
    /// [2, 3) and [3, 5) apart: a move into [2, 5) leaves its VMA. Under 7.2 (pgoff reset, Case 1) they merge and the move
    /// goes through. Planted (PlantDontunmapPgoffReset6_18): 6.18 resets it, merged, moved.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_18, false)]
    [InlineData(Vocabulary.Linux6_18, true)]
    [InlineData(Vocabulary.Linux7_2, false)]
    public void Dontunmap_keeps_the_old_vmas_pgoff_on_linux_6_18(Vocabulary v, bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, MmForbidsZeropage: true) { PlantDontunmapPgoffReset6_18 = plant });
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
