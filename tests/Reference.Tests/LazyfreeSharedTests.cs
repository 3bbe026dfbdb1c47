using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MADV_FREE of a page fork shared (session 18): linux-7.2 mm/madvise.c madvise_free_pte_range asks the map count
/// only of a folio that is dirty or in the swap cache ("folio_test_swapcache(folio) || folio_test_dirty(folio)"; 6.12 and 6.1
/// the same), so a clean one is made lazyfree (mm/swap.c folio_mark_lazyfree) whoever maps it. The child's copy-on-write
/// (mm/memory.c wp_page_copy: no folio_mark_dirty) leaves it to the parent alone, and the parent's pageout discards it
/// (mm/rmap.c try_to_unmap_one, "MADV_FREE page check": clean, no other reference). A page swapped in is in the swap cache, or
/// dirty once it leaves it (mm/swapfile.c folio_free_swap: folio_set_dirty): left alone, then swapped out as any page.
/// Found live by `notifier kernel --host-only --time 90s --seed 185` (docs/kernel.md).</summary>
public class LazyfreeSharedTests
{
    private static Session New(MmConfig? c = null) => new(c ?? new MmConfig(16, 4, 48, Vocabulary.Linux7_2));

    /// <summary>Seed 185's sequence: page 5 discarded, no swap entry, its frame freed; a later read finds the zero page. Planted
    /// (PlantLazyfreeSkipsShared, the reference before): the page mapped twice at MADV_FREE is left alone and swapped out.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_clean_page_fork_shared_is_made_lazyfree_and_discarded_once_the_child_copied_it(bool plant)
    {
        var s = New(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantLazyfreeSkipsShared = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 48641));
        int f = s.State.Ptes[5]!.Value.Frame;
        Assert.True(s.State.Frames[f].Clean);
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.MadviseFree(4, 13));
        Assert.Equal((!plant, 2), (s.State.Frames[f].Lazyfree, s.State.Frames[f].MapCount));
        s.Cpu(new Call.ChildWrite(0, 5, 93416));
        Assert.Equal(1, s.State.Frames[f].MapCount);
        s.Cpu(new Call.MadvisePageout(5, 12));
        if (plant) Assert.True(s.State.Ptes[5] is { Swapped: true });
        else
        {
            Assert.Null(s.State.Ptes[5]);
            Assert.True(s.State.Frames[f].Free);
            s.Cpu(new Call.CpuRead(5));
            Assert.Equal(0, s.CpuView(5));
        }
        Assert.Null(s.FirstViolation);
    }

    /// <summary>A page swapped in before the fork is not known clean (Frame.Clean): left alone by MADV_FREE while the child maps
    /// it, swapped out by the pageout after the child's copy. Planted (PlantLazyfreeMarksShared): marked, and discarded.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_page_swapped_in_before_the_fork_is_left_alone_and_swapped_out(bool plant)
    {
        var s = New(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantLazyfreeMarksShared = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 7));
        s.Cpu(new Call.MadvisePageout(5, 6));
        Assert.True(s.State.Ptes[5] is { Swapped: true });
        s.Cpu(new Call.CpuRead(5));
        int f = s.State.Ptes[5]!.Value.Frame;
        Assert.False(s.State.Frames[f].Clean);
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.MadviseFree(4, 13));
        Assert.Equal(plant, s.State.Frames[f].Lazyfree);
        s.Cpu(new Call.ChildWrite(0, 5, 8));
        s.Cpu(new Call.MadvisePageout(5, 12));
        if (plant) Assert.Null(s.State.Ptes[5]);
        else
        {
            Assert.True(s.State.Ptes[5] is { Swapped: true });
            s.Cpu(new Call.CpuRead(5));
            Assert.Equal(7, s.CpuView(5));
        }
        Assert.Null(s.FirstViolation);
    }

    /// <summary>Which frames are known clean: a write fault's page and a copy-on-write's are; a huge fault's, a swap-out's and a
    /// KSM page's are not; MADV_FREE of a page mapped once makes it clean (folio_free_swap, folio_clear_dirty).</summary>
    [Fact]
    public void Write_faults_and_copies_are_clean_swap_and_huge_pages_are_not_until_madv_free_cleans_them()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 3));
        int f1 = s.State.Ptes[1]!.Value.Frame;
        Assert.True(s.State.Frames[f1].Clean);
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(1, 4)); // the parent's copy-on-write: a new page, clean
        int c1 = s.State.Ptes[1]!.Value.Frame;
        Assert.True(c1 != f1 && s.State.Frames[c1].Clean);
        s.Cpu(new Call.MadvisePageout(1, 2));
        s.Cpu(new Call.CpuRead(1));
        Assert.False(s.State.Frames[s.State.Ptes[1]!.Value.Frame].Clean);
        s.Cpu(new Call.MadviseFree(1, 2)); // mapped once: out of the swap cache and cleaned
        Assert.True(s.State.Frames[s.State.Ptes[1]!.Value.Frame] is { Clean: true, Lazyfree: true });
        s.Cpu(new Call.Mmap(8, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(9, 1));
        Assert.True(s.State.Ptes[9] is { Huge: true } h && !s.State.Frames[h.Frame].Clean);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>A KVM-shaped listener's writable mapping (kvm_release_page_dirty) and a KSM merge (write_protect_page) may dirty
    /// the folio: neither page is known clean after them, so MADV_FREE leaves them alone once fork shared them.</summary>
    [Fact]
    public void Kvm_writable_maps_and_ksm_pages_are_not_known_clean()
    {
        var kvm = new MirrorConfig("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1);
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [kvm]));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Mergeable: true));
        foreach (int p in new[] { 2, 4, 5, 7 }) s.Cpu(new Call.CpuWrite(p, p == 5 ? 4 : p));
        Assert.All(new[] { 2, 4, 5, 7 }, p => Assert.True(s.State.Frames[s.State.Ptes[p]!.Value.Frame].Clean));
        s.DeviceRead(0, 2);
        s.Cpu(new Call.KsmMerge(4, 5));
        Assert.Equal([false, false, true], new[] { 2, 4, 7 }.Select(p => s.State.Frames[s.State.Ptes[p]!.Value.Frame].Clean));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.MadviseFree(0, 16));
        Assert.Equal([false, false, true], new[] { 2, 4, 7 }.Select(p => s.State.Frames[s.State.Ptes[p]!.Value.Frame].Lazyfree));
        Assert.Null(s.FirstViolation);
    }
}
