using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MADV_FREE's folio split nested in madvise_free_single_vma's bracket (MmConfig.NestedFolioSplit): linux-7.2, 6.12
/// and 6.1 mm/madvise.c madvise_free_single_vma calls mmu_notifier_invalidate_range_start(MMU_NOTIFY_CLEAR, the madvise range)
/// before walk_page_range, whose madvise_free_pte_range splits a PTE-mapped large folio the range meets in part (split_folio ->
/// mm/huge_memory.c __folio_split -> unmap_folio -> try_to_migrate -> mm/rmap.c try_to_migrate_one: its own MMU_NOTIFY_CLEAR
/// bracket per VMA mapping the folio) and madvise_free_huge_pmd a PMD-mapped THP (split_folio, the same bracket); the walk's
/// end is followed by mmu_notifier_invalidate_range_end. A listener sees the outer start, the split's start and end, then the
/// outer end; the interval notifier's pass (active_invalidate_ranges) and a full-mm listener's in-progress count (KVM's
/// mmu_invalidate_in_progress) span both.</summary>
public class NestedFolioSplitTests
{
    /// <summary>A PTE-mapped large folio at [0, 4) (PteMapped in ThpPageoutTests), watched by dev0 (an interval notifier, as
    /// dmirror) and kvm (a full-mm listener, as KVM).</summary>
    private static Session PteMapped(bool nested, Vocabulary v = Vocabulary.Linux7_2, bool merge = false)
    {
        var s = new Session(new MmConfig(16, 4, 48, v,
            [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm), new MirrorConfig("kvm", MirrorKind.Mm)], NestedFolioSplit: nested));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(2, 8));
        s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        if (merge) s.Cpu(new Call.Mprotect(0, 1, Prot.ReadWrite));
        Assert.True(s.State.IsPteFolio(new PageRange(0, 4)));
        return s;
    }

    /// <summary>The notifier lines of MADV_FREE [start, end): each start and end with its range, each callback with its
    /// listener, and after each the mm's active_invalidate_ranges and kvm's in-progress count.</summary>
    private static List<string> Notifications(Session s, int start, int end)
    {
        List<string> seen = [];
        int kvm = s.State.Config.MirrorList.ToList().FindIndex(m => m.Name == "kvm");
        s.Call(new Call.MadviseFree(start, end));
        while (s.State.Op is not null)
        {
            var o = s.Step(Machine.Cpu);
            string? what = o.Line?.Op switch
            {
                "invalidate_range_start" => $"start[{o.Line.Get("start")},{o.Line.Get("end")})",
                "invalidate" => $"{o.Line.Get("mirror")}",
                "invalidate_range_end" => $"end[{o.Line.Get("start")},{o.Line.Get("end")})",
                _ => null,
            };
            if (what is not null) seen.Add($"{what} active={s.State.ActiveInvalidateRanges} kvm={s.State.Mirrors[kvm].InProgress}");
        }
        Assert.Null(s.FirstViolation);
        return seen;
    }

    /// <summary>MADV_FREE [1, 2) over the folio, mapped by two VMAs ([0, 1) r, [1, 8) rw): the split's try_to_migrate_one
    /// brackets ([0, 1), [1, 4)) nested in madvise_free_single_vma's [1, 2). The old order (NestedFolioSplit off, the reference
    /// before) has them before it, each pass ending before the next starts.</summary>
    [Fact]
    public void Madv_free_over_part_of_a_pte_mapped_thp_nests_the_split_in_its_bracket_under_linux_7_2()
    {
        var s = PteMapped(nested: true);
        Assert.Equal([
            "start[1,2) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1",
            "start[0,1) active=2 kvm=1", "dev0 active=2 kvm=1", "kvm active=2 kvm=2", "end[0,1) active=1 kvm=1",
            "start[1,4) active=2 kvm=1", "dev0 active=2 kvm=1", "kvm active=2 kvm=2", "end[1,4) active=1 kvm=1",
            "end[1,2) active=0 kvm=0"], Notifications(s, 1, 2));
        Assert.True(s.State.Ptes[0] is { Frame: MmState.ZeroFrame } && s.State.Ptes[3] is { Frame: MmState.ZeroFrame });
        Assert.True(s.State.Frames[s.State.Ptes[1]!.Value.Frame].Lazyfree);
        Assert.False(s.State.Invalidating);

        // the plant: the old order, every split before madvise_free_single_vma's bracket
        var old = PteMapped(nested: false);
        Assert.Equal([
            "start[0,1) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[0,1) active=0 kvm=0",
            "start[1,4) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[1,4) active=0 kvm=0",
            "start[1,2) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[1,2) active=0 kvm=0"], Notifications(old, 1, 2));
        // both end in the same state
        Assert.Equal(string.Join(" ", Enumerable.Range(0, 8).Select(p => PteText.Of(s.State.Ptes[p]))),
            string.Join(" ", Enumerable.Range(0, 8).Select(p => PteText.Of(old.State.Ptes[p]))));
    }

    /// <summary>linux-6.1 mm/madvise.c madvise_free_pte_range splits every large folio it meets (split_folio), one met whole in
    /// one VMA too: MADV_FREE [0, 4) over the folio nests the split's [0, 4) in madvise_free_single_vma's [0, 4); 6.12 and later
    /// batch the whole folio and split nothing (one bracket). The old order has the split's first.</summary>
    [Fact]
    public void Linux_6_1_madv_free_over_a_whole_pte_mapped_thp_nests_its_split_over_the_same_range()
    {
        string[] nested = ["start[0,4) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1",
            "start[0,4) active=2 kvm=1", "dev0 active=2 kvm=1", "kvm active=2 kvm=2", "end[0,4) active=1 kvm=1", "end[0,4) active=0 kvm=0"];
        Assert.Equal(nested, Notifications(PteMapped(nested: true, Vocabulary.Linux6_1, merge: true), 0, 4));
        Assert.Equal(["start[0,4) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[0,4) active=0 kvm=0",
            "start[0,4) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[0,4) active=0 kvm=0"],
            Notifications(PteMapped(nested: false, Vocabulary.Linux6_1, merge: true), 0, 4));
        Assert.Equal(["start[0,4) active=1 kvm=0", "dev0 active=1 kvm=0", "kvm active=1 kvm=1", "end[0,4) active=0 kvm=0"],
            Notifications(PteMapped(nested: true, Vocabulary.Linux6_12, merge: true), 0, 4));
    }

    /// <summary>MADV_FREE [2, 3) over a PMD-mapped THP: madvise_free_huge_pmd (linux-7.2 mm/huge_memory.c, called by
    /// madvise_free_pte_range inside the walk) splits it, its try_to_migrate_one bracket [0, 4) nested in [2, 3); a second
    /// THP at [4, 8) the range [2, 6) meets in part too: two nested splits, one per PMD, in address order.</summary>
    [Fact]
    public void Madv_free_over_part_of_a_pmd_mapped_thp_nests_its_split_and_splits_one_pmd_after_the_other()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("kvm", MirrorKind.Mm)]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(6, 9));
        var t = new Session(s.State);
        Assert.Equal(["start[2,3) active=1 kvm=0", "kvm active=1 kvm=1", "start[0,4) active=2 kvm=1", "kvm active=2 kvm=2",
            "end[0,4) active=1 kvm=1", "end[2,3) active=0 kvm=0"], Notifications(s, 2, 3));
        Assert.Equal(["start[2,6) active=1 kvm=0", "kvm active=1 kvm=1", "start[0,4) active=2 kvm=1", "kvm active=2 kvm=2",
            "end[0,4) active=1 kvm=1", "start[4,8) active=2 kvm=1", "kvm active=2 kvm=2", "end[4,8) active=1 kvm=1",
            "end[2,6) active=0 kvm=0"], Notifications(t, 2, 6));
        Assert.All(Enumerable.Range(0, 8), p => Assert.False(t.State.Ptes[p]!.Value.Huge));
    }
}
