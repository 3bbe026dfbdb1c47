using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MADV_PAGEOUT of a PMD-mapped THP (Planner.MadvisePageout, PmdPageoutRefusal, SplitPmdFolio): linux-7.2 mm/madvise.c
/// madvise_cold_or_pageout_pte_range's pmd_trans_huge branch splits the folio of a THP the range covers in part (split_folio)
/// and hands a whole one to reclaim_pages, where mm/vmscan.c shrink_folio_list splits it (folio_alloc_swap cannot give a large
/// folio a cluster of a swap file: mm/swapfile.c cluster_alloc_swap_entry) and swaps its pages out one by one. Huge pages of 4
/// base pages here (MmConfig(16, 4, ...)).</summary>
public class ThpPageoutTests
{
    private static Session Thp(Vocabulary v, bool plant = false, bool hugeZero = false)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, HugeZeroPage: hugeZero) { PlantThpPageoutKeepsPmd = plant });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7)); // do_huge_pmd_anonymous_page: block [0, 4) a THP, page 1 written, the others zero-filled
        return s;
    }

    private static List<string> Events(Session s, int from) => s.Trace.Skip(from).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static string? Pageout(Session s, int start, int end)
    {
        var o = s.Call(new Call.MadvisePageout(start, end));
        s.RunCpu();
        return o.Line.Get("result") as string;
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[1,2)", true)]
    [InlineData(Vocabulary.Linux6_12, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[1,2)", true)]
    [InlineData(Vocabulary.Linux7_2, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[1,2)", true)]
    [InlineData(Vocabulary.Linux6_1, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[1,2) MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[3,4)", false)]
    public void Pageout_of_a_whole_pmd_mapped_thp_splits_its_folio_and_swaps_out_the_pages_still_mapped(Vocabulary v, string events, bool zero)
    {
        // the split (try_to_migrate_one, MMU_NOTIFY_CLEAR over the folio) maps the zero-filled subpages to the zero page (6.12+,
        // freed), then shrink_folio_list swaps out every subpage still mapped (try_to_unmap_one per page); 6.1 maps every subpage back
        var s = Thp(v);
        var olds = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(events, string.Join(" ", Events(s, from)));
        Assert.True(s.State.Ptes[1] is { Swapped: true, Huge: false } p1 && p1.Frame == olds[1]);
        foreach (int p in new[] { 0, 2, 3 })
        {
            if (zero) Assert.True(s.State.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: false, Swapped: false, Prot: Prot.Read });
            else Assert.True(s.State.Ptes[p] is { Swapped: true, Huge: false } x && x.Frame == olds[p]);
            Assert.Equal(zero, s.State.Frames[olds[p]].Free);
        }
        Assert.Equal(7, s.CpuView(1)); // do_swap_page maps the swap cache's page again
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Pageout_over_part_of_a_pmd_mapped_thp_splits_its_folio_and_swaps_out_only_the_range()
    {
        // next - addr != HPAGE_PMD_SIZE: split_folio, then the PTE walk of [1, 3): page 1 swapped out, page 2 now the zero page;
        // pages 0 and 3 the zero page too (the split's remap covers the whole folio), nothing more swapped
        var s = Thp(Vocabulary.Linux6_18);
        s.Cpu(new Call.CpuWrite(3, 9));
        int f3 = s.State.Ptes[3]!.Value.Frame;
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 1, 3));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s, from));
        Assert.True(s.State.Ptes[1] is { Swapped: true });
        Assert.True(s.State.Ptes[3] is { Huge: false, Swapped: false, Prot: Prot.ReadWrite } p3 && p3.Frame == f3);
        Assert.True(new[] { 0, 2 }.All(p => s.State.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: false }));
        // the base pages left: a later pageout of the block swaps out page 3 alone
        from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[3,4)"], Events(s, from));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Pageout_over_two_blocks_walks_them_pmd_by_pmd()
    {
        // walk_page_range calls pmd_entry per PMD and each entry reclaims its own folios: block [0, 4)'s split and swap-out
        // before the base pages of [4, 6)
        var s = Thp(Vocabulary.Linux6_18);
        s.Cpu(new Call.Mprotect(5, 6, Prot.Read)); // block [4, 8): its PMD is split by mprotect (no THP there yet: not faulted)
        s.Cpu(new Call.CpuWrite(4, 3));
        Assert.True(s.State.Ptes[4] is { Huge: false });
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 6));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[4,5)"], Events(s, from));
    }

    [Fact]
    public void Pageout_leaves_the_huge_zero_page_and_a_thp_a_child_maps_alone()
    {
        // is_huge_zero_pmd: goto huge_unlock; folio_maybe_mapped_shared (a child maps the folio by its PMD): goto huge_unlock
        var z = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux6_18, HugeZeroPage: true));
        z.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        z.Cpu(new Call.CpuRead(1));
        Assert.True(z.State.Ptes[0] is { Frame: MmState.ZeroFrame, Huge: true });
        int from = z.Trace.Count;
        Assert.Null(Pageout(z, 0, 4));
        Assert.Empty(Events(z, from));
        Assert.True(Enumerable.Range(0, 4).All(p => z.State.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: true }));
        var s = Thp(Vocabulary.Linux6_18);
        s.Cpu(new Call.Fork());
        from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Null(Pageout(s, 1, 2));
        Assert.Empty(Events(s, from));
        Assert.True(Enumerable.Range(0, 4).All(p => s.State.Ptes[p] is { Huge: true, Swapped: false }));
    }

    [Fact]
    public void Pageout_of_a_lazyfree_thp_and_under_v7_is_refused_without_effect()
    {
        // a lazyfree THP (MADV_FREE over the whole block: folio_mark_lazyfree of the large folio): linux-7.2 mm/rmap.c
        // try_to_unmap_one -> unmap_huge_pmd_locked discards a clean one whole, not modelled; the seed's v7 has no THP reclaim
        var s = Thp(Vocabulary.Linux6_18);
        s.Cpu(new Call.MadviseFree(0, 4));
        Assert.True(s.State.Frames[s.State.Ptes[1]!.Value.Frame].Lazyfree);
        int from = s.Trace.Count;
        Assert.Equal("EINVAL (a lazyfree THP: unmap_huge_pmd_locked's whole discard is not modelled)", Pageout(s, 0, 4));
        Assert.Empty(Events(s, from));
        var v = Thp(Vocabulary.V7);
        Assert.Equal("EINVAL (a huge page: THP reclaim is not modelled under v7)", Pageout(v, 1, 2));
        Assert.True(Enumerable.Range(0, 4).All(p => v.State.Ptes[p] is { Huge: true }));
    }

    [Fact]
    public void The_planted_reference_keeps_a_whole_thp_mapped_by_its_pmd()
    {
        // MmConfig.PlantThpPageoutKeepsPmd (caught live: Kernel.Tests A_reference_whose_pageout_keeps_a_thp_mapped_by_its_pmd_...)
        var s = Thp(Vocabulary.Linux6_18, plant: true);
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Empty(Events(s, from));
        Assert.True(Enumerable.Range(0, 4).All(p => s.State.Ptes[p] is { Huge: true, Swapped: false }));
    }

    /// <summary>A THP at [0, 4) with pages 1 and 2 written, its PMD split by mprotect 0 1 r (__split_huge_pmd: the folio stays
    /// large, Frame.PteFolio), its VMA now [0, 1) r and [1, 8) rw; merged again by mprotect 0 1 rw when merge is set.</summary>
    private static Session PteMapped(Vocabulary v, bool merge = false, bool forget = false, bool as72 = false)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, PteFolioSplit: true) { PlantPteFolioForgotten = forget, PlantPteFolio6_1As7_2 = as72 });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuWrite(2, 8));
        s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        if (merge) s.Cpu(new Call.Mprotect(0, 1, Prot.ReadWrite));
        Assert.True(Enumerable.Range(0, 4).All(p => s.State.Ptes[p] is { Huge: false }));
        Assert.Equal(!forget && v != Vocabulary.V7, s.State.IsPteFolio(new PageRange(0, 4)));
        return s;
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux7_2)]
    public void Pageout_over_part_of_a_pte_mapped_thp_splits_its_folio_once_per_vma_then_swaps_out_the_range(Vocabulary v)
    {
        // linux-7.2 mm/madvise.c madvise_cold_or_pageout_pte_range: madvise_folio_pte_batch short of folio_nr_pages ->
        // split_folio -> try_to_migrate_one per VMA ([0, 1) and [1, 4)); zero-filled pages 0 and 3 the zero page; page 1 swapped
        var s = PteMapped(v);
        var olds = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 1, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,4)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s, from));
        Assert.True(s.State.Ptes[0] is { Frame: MmState.ZeroFrame, Prot: Prot.Read } && s.State.Ptes[3] is { Frame: MmState.ZeroFrame });
        Assert.True(s.State.Frames[olds[0]].Free && s.State.Frames[olds[3]].Free);
        Assert.True(s.State.Ptes[1] is { Swapped: true } p1 && p1.Frame == olds[1]);
        Assert.True(s.State.Ptes[2] is { Swapped: false, Prot: Prot.ReadWrite } p2 && p2.Frame == olds[2]);
        Assert.False(s.State.IsPteFolio(new PageRange(0, 4)));
        Assert.All(olds, f => Assert.Equal(0, s.State.Frames[f].PteFolio));
        // small folios now: a second pageout swaps out page 2 alone
        from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[2,3)"], Events(s, from));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Pageout_of_a_whole_pte_mapped_thp_in_one_vma_splits_it_in_reclaim_and_over_two_vmas_in_the_walk()
    {
        // one VMA (mprotect back to rw merged it): nr == folio_nr_pages, reclaim_pages -> shrink_folio_list splits the folio
        // (one try_to_migrate_one over [0, 4)) and swaps out pages 1 and 2
        var s = PteMapped(Vocabulary.Linux6_18, merge: true);
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s, from));
        Assert.True(s.State.Ptes[1] is { Swapped: true } && s.State.Ptes[2] is { Swapped: true });
        // two VMAs: the walk of [0, 1) meets a batch of one page: split_folio (per VMA), then pages 1 and 2 by the walk of [1, 8)
        var t = PteMapped(Vocabulary.Linux6_18);
        from = t.Trace.Count;
        Assert.Null(Pageout(t, 0, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,4)", "MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[2,3)"], Events(t, from));
        Assert.Null(s.FirstViolation);
        Assert.Null(t.FirstViolation);
    }

    [Fact]
    public void Madv_free_over_part_of_a_pte_mapped_thp_splits_its_folio_and_over_all_of_it_marks_it_lazyfree()
    {
        // linux-7.2 mm/madvise.c madvise_free_pte_range: split_folio (nested in madvise_free_single_vma's bracket, as in the
        // kernel), page 1 lazyfree after it; over the whole folio in one VMA no split, every page lazyfree (folio_mark_lazyfree)
        var s = PteMapped(Vocabulary.Linux6_18);
        int from = s.Trace.Count;
        s.Cpu(new Call.MadviseFree(1, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,4)"], Events(s, from));
        Assert.True(s.State.Ptes[0] is { Frame: MmState.ZeroFrame } && s.State.Frames[s.State.Ptes[1]!.Value.Frame].Lazyfree);
        Assert.False(s.State.Frames[s.State.Ptes[2]!.Value.Frame].Lazyfree);
        var t = PteMapped(Vocabulary.Linux6_18, merge: true);
        from = t.Trace.Count;
        t.Cpu(new Call.MadviseFree(0, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)"], Events(t, from)); // madvise_free_single_vma's own
        Assert.True(new[] { 1, 2 }.All(p => t.State.Frames[t.State.Ptes[p]!.Value.Frame].Lazyfree));
        Assert.True(t.State.IsPteFolio(new PageRange(0, 4)));
        // a lazyfree large folio: try_to_unmap_one's batched discard is not modelled
        Assert.Equal("EINVAL (a lazyfree PTE-mapped large folio is not modelled)", Pageout(t, 0, 4));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_pte_mapped_thp_a_child_maps_too_is_not_split_and_v7_knows_no_large_folio()
    {
        // fork: the child maps the folio too (folio_maybe_mapped_shared): no split, no swap-out (mapped twice)
        var s = PteMapped(Vocabulary.Linux6_18);
        s.Cpu(new Call.Fork());
        Assert.False(s.State.IsPteFolio(new PageRange(0, 4)));
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 1, 2));
        Assert.Empty(Events(s, from));
        // the seed's v7 knows no large folio: base pages, page 1 swapped out alone (v7's invalidate_page)
        var v = PteMapped(Vocabulary.V7);
        from = v.Trace.Count;
        Assert.Null(Pageout(v, 1, 2));
        Assert.Equal(["madvise_pageout", "pte_update", "tlb_flush", "invalidate_page"], v.Trace.Skip(from).Select(l => l.Op).ToArray());
        Assert.True(v.State.Ptes[1] is { Swapped: true } && v.State.Ptes[0] is { Frame: not MmState.ZeroFrame, Swapped: false });
    }

    /// <summary>The frames of pages [0, 4) before a call, for Pages.</summary>
    private static List<int> Olds(Session s) => Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();

    private static string EventText(Session s, int from) => string.Join(" ", Events(s, from));

    private static string? Free(Session s, int start, int end)
    {
        var o = s.Call(new Call.MadviseFree(start, end));
        s.RunCpu();
        return o.Line.Get("result") as string;
    }

    /// <summary>Pages [0, 4) after a call: each page's frame as olds' index (f0..f3), `zero` (the zero page) or a new frame
    /// (`new`), its protection, `swap` for a swap entry, `lazy` for a lazyfree frame and `free` for a freed old frame.</summary>
    private static string Pages(Session s, List<int> olds) => string.Join(" ", Enumerable.Range(0, 4).Select(p =>
    {
        var x = s.State.Ptes[p];
        string f = x is null ? "none" : x.Value.Frame == MmState.ZeroFrame ? "zero" : olds.IndexOf(x.Value.Frame) is var i and >= 0 ? $"f{i}" : "new";
        string what = x is null ? f : $"{f}:{PteText.ProtText(x.Value.Prot)}{(x.Value.Swapped ? ":swap" : "")}{(x.Value.Huge ? ":huge" : "")}"
            + (x.Value.Frame != MmState.ZeroFrame && s.State.Frames[x.Value.Frame].Lazyfree ? ":lazy" : "");
        return what + (s.State.Frames[olds[p]].Free ? "(free)" : "");
    }));

    /// <summary>linux-6.1 mm/madvise.c madvise_cold_or_pageout_pte_range meets the PTE-mapped folio at page 1 (PageTransCompound,
    /// page_mapcount 1) and splits it (split_huge_page -> mm/huge_memory.c split_huge_page_to_list -> unmap_folio ->
    /// try_to_migrate: mm/rmap.c try_to_migrate_one per VMA, [0, 1) and [1, 4)); remap_page maps every subpage back, the
    /// zero-filled pages 0 and 3 too (no zero page in 6.1); the walk looks at page 1 again (pte--), a small page now, and
    /// reclaim_pages swaps it out. The plant (PlantPteFolio6_1As7_2) maps pages 0 and 3 to the zero page as 7.2 does.</summary>
    [Theory]
    [InlineData(false, "f0:r f1:rw:swap f2:rw f3:rw", "MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[3,4)")]
    [InlineData(true, "zero:r(free) f1:rw:swap f2:rw zero:r(free)", "MMU_NOTIFY_CLEAR[2,3)")]
    public void Linux_6_1_pageout_over_part_of_a_pte_mapped_thp_splits_it_per_vma_and_keeps_every_subpage(bool plant, string after, string second)
    {
        var s = PteMapped(Vocabulary.Linux6_1, as72: plant);
        var olds = Olds(s);
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 1, 2));
        Assert.Equal("MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[1,4) MMU_NOTIFY_CLEAR[1,2)", EventText(s, from));
        Assert.Equal(after, Pages(s, olds));
        Assert.False(s.State.IsPteFolio(new PageRange(0, 4)));
        Assert.All(olds, f => Assert.Equal(0, s.State.Frames[f].PteFolio));
        Assert.Equal(7, s.CpuView(1));
        // small folios now: a second pageout swaps out each page still mapped, one try_to_unmap_one each
        from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(second, EventText(s, from));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>linux-6.1 madvise_cold_or_pageout_pte_range splits a folio the range covers whole in one VMA too (no batch of its
    /// PTEs, 6.12's madvise_folio_pte_batch), in the walk: one try_to_migrate_one over [0, 4), every subpage kept, then each
    /// swapped out (reclaim_pages at the end of the PMD's entry). The plant leaves it to reclaim and maps 0 and 3 to the zero
    /// page, as linux-7.2 does.</summary>
    [Theory]
    [InlineData(false, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[1,2) MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[3,4)",
        "f0:rw:swap f1:rw:swap f2:rw:swap f3:rw:swap")]
    [InlineData(true, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[1,2) MMU_NOTIFY_CLEAR[2,3)", "zero:r(free) f1:rw:swap f2:rw:swap zero:r(free)")]
    public void Linux_6_1_pageout_of_a_whole_pte_mapped_thp_splits_it_and_swaps_out_every_subpage(bool plant, string events, string after)
    {
        var s = PteMapped(Vocabulary.Linux6_1, merge: true, as72: plant);
        var olds = Olds(s);
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 0, 4));
        Assert.Equal(events, EventText(s, from));
        Assert.Equal(after, Pages(s, olds));
        Assert.Equal(8, s.CpuView(2));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>linux-6.1 mm/madvise.c madvise_free_pte_range splits every large folio it meets (folio_test_large,
    /// folio_estimated_sharers 1 -> split_folio), over part of it ([1, 2): a bracket per VMA) or all of it in one VMA ([0, 4):
    /// one bracket, where 6.12 and later batch the whole folio and split nothing), every subpage kept; the walk then looks at
    /// the page again as a small one (pte--; addr -= PAGE_SIZE) and marks it lazyfree (mark_page_lazyfree). The folio is small
    /// after it, so a later pageout reclaims the lazyfree pages one by one (discarded: clean), where 7.2 refuses the lazyfree
    /// large folio. The plant leaves the whole folio large, as 7.2 does.</summary>
    [Theory]
    [InlineData(false, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[0,4)", "f0:rw:lazy f1:rw:lazy f2:rw:lazy f3:rw:lazy")]
    [InlineData(true, "MMU_NOTIFY_CLEAR[0,4)", "f0:rw:lazy f1:rw:lazy f2:rw:lazy f3:rw:lazy")]
    public void Linux_6_1_madv_free_splits_a_pte_mapped_thp_it_meets_in_part_or_whole_and_keeps_every_subpage(bool plant, string wholeEvents, string wholeAfter)
    {
        var s = PteMapped(Vocabulary.Linux6_1, as72: plant);
        var olds = Olds(s);
        int from = s.Trace.Count;
        Assert.Null(Free(s, 1, 2));
        // madvise_free_single_vma's bracket [1, 2), the split's per VMA nested in it (MmConfig.NestedFolioSplit)
        Assert.Equal("MMU_NOTIFY_CLEAR[1,2) MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[1,4)", EventText(s, from));
        Assert.Equal(plant ? "zero:r(free) f1:rw:lazy f2:rw zero:r(free)" : "f0:r f1:rw:lazy f2:rw f3:rw", Pages(s, olds));
        Assert.False(s.State.IsPteFolio(new PageRange(0, 4)));

        var t = PteMapped(Vocabulary.Linux6_1, merge: true, as72: plant);
        olds = Olds(t);
        from = t.Trace.Count;
        Assert.Null(Free(t, 0, 4));
        Assert.Equal(wholeEvents, EventText(t, from));
        Assert.Equal(wholeAfter, Pages(t, olds));
        Assert.Equal(plant, t.State.IsPteFolio(new PageRange(0, 4)));
        from = t.Trace.Count;
        if (plant) Assert.Equal("EINVAL (a lazyfree PTE-mapped large folio is not modelled)", Pageout(t, 0, 4));
        else
        {
            Assert.Null(Pageout(t, 0, 4));
            Assert.Equal("MMU_NOTIFY_CLEAR[0,1) MMU_NOTIFY_CLEAR[1,2) MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[3,4)", EventText(t, from));
            Assert.Equal("none(free) none(free) none(free) none(free)", Pages(t, olds));
            t.Cpu(new Call.CpuRead(1));
            Assert.Equal(0, t.CpuView(1)); // the next read faults in the zero page: MADV_FREE's data is gone
        }
        Assert.Null(s.FirstViolation);
        Assert.Null(t.FirstViolation);
    }

    /// <summary>A PTE-mapped folio the reference does not know whole under linux-6.1 (a child maps it too; a page of it zapped):
    /// 6.1 mm/madvise.c madvise_free_pte_range / madvise_cold_or_pageout_pte_range split it or stop the PMD's walk at it
    /// (break, folio_estimated_sharers / page_mapcount != 1), which the reference does not model: refused (UnknownPteFolioRefusal),
    /// nothing changed; linux-6.18 takes its pages as base pages (A_pte_mapped_thp_a_child_maps_too_...).</summary>
    [Fact]
    public void Linux_6_1_refuses_a_pte_mapped_folio_it_does_not_know_whole()
    {
        const string why = "EINVAL (a PTE-mapped large folio the reference does not know whole (another mm maps it, or a page of it is gone) under linux-6.1 is not modelled)";
        var s = PteMapped(Vocabulary.Linux6_1);
        s.Cpu(new Call.Fork());
        var ptes = s.State.Ptes.ToArray();
        int from = s.Trace.Count;
        Assert.Equal(why, Pageout(s, 1, 2));
        Assert.Equal(why, Free(s, 2, 4));
        Assert.Empty(Events(s, from));
        Assert.Equal(ptes, s.State.Ptes.ToArray());
        var t = PteMapped(Vocabulary.Linux6_1);
        t.Cpu(new Call.MadviseDontneed(3, 4));
        Assert.Equal(why, Free(t, 0, 2));
        Assert.Null(Free(t, 4, 8)); // base pages: no page of the folio met
        var u = PteMapped(Vocabulary.Linux6_18);
        u.Cpu(new Call.MadviseDontneed(3, 4));
        Assert.Null(Free(u, 0, 2));
    }

    [Fact]
    public void Linux_6_1_pte_mapped_folio_splits_replay_from_their_trace()
    {
        var s = PteMapped(Vocabulary.Linux6_1);
        s.Cpu(new Call.MadviseFree(1, 2));
        var t = PteMapped(Vocabulary.Linux6_1, merge: true);
        t.Cpu(new Call.MadviseFree(0, 4));
        t.Cpu(new Call.CpuWrite(2, 9));
        Pageout(t, 0, 4);
        var u = PteMapped(Vocabulary.Linux6_1);
        Pageout(u, 1, 2);
        foreach (var x in new[] { s, t, u })
        {
            Assert.DoesNotContain(x.Trace, l => l.Kind == "call" && l.Get("result") is not null); // nothing refused
            var w = new StringWriter();
            TraceFile.Write(w, x);
            var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(replay.Accepted, replay.Message);
            Assert.Equal(x.State.Frames.ToArray(), replay.Final!.Frames.ToArray());
            Assert.Equal(x.State.Ptes.ToArray(), replay.Final.Ptes.ToArray());
        }
    }

    [Fact]
    public void The_planted_reference_forgets_the_pte_mapped_folio_and_swaps_out_a_base_page()
    {
        // MmConfig.PlantPteFolioForgotten (caught live: Kernel.Tests A_reference_that_forgets_the_pte_mapped_folio_...)
        var s = PteMapped(Vocabulary.Linux6_18, forget: true);
        int from = s.Trace.Count;
        Assert.Null(Pageout(s, 1, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[1,2)"], Events(s, from));
        Assert.True(s.State.Ptes[0] is { Frame: not MmState.ZeroFrame });
    }

    [Fact]
    public void A_thp_pageout_replays_from_its_trace()
    {
        var s = Thp(Vocabulary.Linux6_18);
        s.Cpu(new Call.CpuWrite(5, 2));
        Pageout(s, 1, 3);
        Pageout(s, 4, 8);
        Pageout(s, 0, 4);
        s.Cpu(new Call.CpuRead(3));
        s.Cpu(new Call.Mprotect(4, 5, Prot.Read));
        s.Cpu(new Call.CpuWrite(6, 1));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Frames.ToArray(), replay.Final!.Frames.ToArray());
        Assert.Equal(s.State.Ptes.ToArray(), replay.Final.Ptes.ToArray());
    }
}
