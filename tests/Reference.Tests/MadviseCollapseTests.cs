using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MADV_COLLAPSE (Planner.MadviseCollapse) as the kernel does it, per release. linux-7.2 mm/khugepaged.c
/// collapse_max_ptes_none / collapse_max_ptes_shared / collapse_max_ptes_swap give HPAGE_PMD_NR when cc->is_khugepaged is false,
/// so holes, zero-page PTEs, pages a child maps too and swap entries (swapped in first, __collapse_huge_page_swapin) are
/// collapsed (linux-6.12 and 6.1 test `!cc->is_khugepaged ||` before each limit); a block already PMD-mapped is SCAN_PMD_MAPPED,
/// success without change; mm/madvise.c madvise_walk_vmas asks per VMA, so a block across two VMAs is no block of either;
/// linux-6.12 and 6.1 refuse a block without a writable PTE (SCAN_PAGE_RO: EINVAL), linux-7.2 and 6.18.44 (observed live) do
/// not, and the huge PMD is writable in a writable VMA (maybe_pmd_mkwrite). Each test runs the plants too:
/// PlantMadviseCollapseAsKhugepaged (khugepaged's rules, the reference before) and PlantMadviseCollapseWholeRange (the blocks of
/// the whole range).</summary>
public class MadviseCollapseTests
{
    private static readonly Vocabulary[] Kernels = [Vocabulary.Linux6_1, Vocabulary.Linux6_12, Vocabulary.Linux6_18, Vocabulary.Linux7_2, Vocabulary.Upstream];

    private static Session New(Vocabulary v, bool khugepagedPlant = false, bool wholeRangePlant = false) =>
        new(new MmConfig(16, 4, 64, v) { PlantMadviseCollapseAsKhugepaged = khugepagedPlant, PlantMadviseCollapseWholeRange = wholeRangePlant });

    private static string Result(Session s, Call c)
    {
        s.Cpu(c);
        return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result") ?? "done";
    }

    private static List<string> Events(Session s, int fromLine) => s.Trace.Skip(fromLine).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static int[] Frames(Session s, int start, int end) => Enumerable.Range(start, end - start).Select(p => s.State.Ptes[p]?.Frame ?? -1).ToArray();

    private const string KhugepagedRefusal = "EBUSY (block not fully mapped by exclusive base pages)";

    /// <summary>Asserts block [4, 8) collapsed: the bracket over the block, new huge frames, the old frames in `freed` freed, the values.</summary>
    private static void Collapsed(Session s, int before, int[] olds, int?[] values, Prot prot, int[] freed)
    {
        Assert.Equal(["MMU_NOTIFY_CLEAR[4,8)"], Events(s, before));
        Assert.All(Enumerable.Range(4, 4), p => Assert.Equal((prot, true), (s.State.Ptes[p]!.Value.Prot, s.State.Ptes[p]!.Value.Huge)));
        Assert.Empty(Frames(s, 4, 8).Intersect(olds.Append(MmState.ZeroFrame)));
        Assert.All(freed, f => Assert.True(s.State.Frames[f].Free));
        Assert.Equal(values, Enumerable.Range(4, 4).Select(s.CpuView));
        Assert.Null(s.FirstViolation);
    }

    private static void NotCollapsed(Session s, int before, int[] olds)
    {
        Assert.Empty(Events(s, before));
        Assert.Equal(olds, Frames(s, 4, 8));
    }

    [Fact]
    public void A_block_with_holes_is_collapsed_the_holes_zeroed_in_every_release()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite)); // no VM_HUGEPAGE: base pages; MADV_COLLAPSE does not need it
                s.Cpu(new Call.CpuWrite(4, 14));
                s.Cpu(new Call.CpuWrite(6, 16));
                var olds = Frames(s, 4, 8);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                if (plant) { Assert.Equal(KhugepagedRefusal, r); NotCollapsed(s, before, olds); continue; }
                Assert.Equal("done", r);
                Collapsed(s, before, olds, [14, 0, 16, 0], Prot.ReadWrite, [olds[0], olds[2]]);
            }
    }

    [Fact]
    public void A_block_with_a_zero_page_pte_is_collapsed_into_a_zeroed_page_of_its_own()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
                foreach (int p in new[] { 4, 6, 7 }) s.Cpu(new Call.CpuWrite(p, 10 + p));
                s.Cpu(new Call.CpuRead(5)); // do_anonymous_page: the zero page
                Assert.Equal(MmState.ZeroFrame, s.State.Ptes[5]!.Value.Frame);
                var olds = Frames(s, 4, 8);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                if (plant) { Assert.Equal(KhugepagedRefusal, r); NotCollapsed(s, before, olds); continue; }
                Assert.Equal("done", r);
                Collapsed(s, before, olds, [14, 0, 16, 17], Prot.ReadWrite, [olds[0], olds[2], olds[3]]);
            }
    }

    /// <summary>After fork every page of the block is mapped by the child too and write-protected in the parent. linux-7.2 (and
    /// 6.18.44, observed live) collapses: the parent gets copies in a writable huge page, the child keeps its pages. linux-6.12 and
    /// 6.1 refuse the block without a writable PTE (SCAN_PAGE_RO -> madvise_collapse_errno EINVAL), and collapse it once a write
    /// gave page 4 a writable copy of its own.</summary>
    [Fact]
    public void A_block_shared_with_a_child_is_collapsed_the_child_keeps_its_pages_and_six_twelve_wants_a_writable_pte()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
                for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
                s.Cpu(new Call.Fork());
                var olds = Frames(s, 4, 8);
                Assert.All(olds, f => Assert.Equal(2, s.State.Frames[f].MapCount));
                Assert.All(Enumerable.Range(4, 4), p => Assert.False(s.State.Ptes[p]!.Value.Writable));
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                if (plant) { Assert.Equal(KhugepagedRefusal, r); NotCollapsed(s, before, olds); continue; }
                if (v is Vocabulary.Linux6_1 or Vocabulary.Linux6_12)
                {
                    Assert.Equal("EINVAL (SCAN_PAGE_RO: no writable PTE in the block)", r);
                    NotCollapsed(s, before, olds);
                    s.Cpu(new Call.CpuWrite(4, 40)); // wp_page_copy: a writable page of its own
                    olds = Frames(s, 4, 8);
                    before = s.Trace.Count;
                    Assert.Equal("done", Result(s, new Call.MadviseCollapse(4, 8)));
                    Collapsed(s, before, olds, [40, 15, 16, 17], Prot.ReadWrite, [olds[0]]);
                }
                else
                {
                    Assert.Equal("done", r);
                    Collapsed(s, before, olds, [14, 15, 16, 17], Prot.ReadWrite, []);
                }
                // the child keeps its pages (folio_remove_rmap_ptes and folio_put_refs drop the parent's mapping only)
                for (int p = 5; p < 8; p++)
                {
                    int f = s.State.Children[0][p];
                    Assert.Equal(olds[p - 4], f);
                    Assert.Equal((1, 1, false, 10 + p), (s.State.Frames[f].MapCount, s.State.Frames[f].RefCount, s.State.Frames[f].Free, s.State.Frames[f].Content));
                }
            }
    }

    [Fact]
    public void A_block_with_a_swap_entry_is_swapped_in_without_notification_and_collapsed()
    {
        foreach (var v in new[] { Vocabulary.Linux6_12, Vocabulary.Linux6_18, Vocabulary.Linux7_2 })
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
                for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
                s.Cpu(new Call.MadvisePageout(5, 6));
                Assert.True(s.State.Ptes[5]!.Value.Swapped);
                var olds = Frames(s, 4, 8);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                if (plant) { Assert.Equal(KhugepagedRefusal, r); NotCollapsed(s, before, olds); Assert.True(s.State.Ptes[5]!.Value.Swapped); continue; }
                Assert.Equal("done", r);
                // do_swap_page maps the swap cache's page (a fill), the collapse copies it; free_swap_cache and folio_put_refs free it
                Collapsed(s, before, olds, [14, 15, 16, 17], Prot.ReadWrite, olds);
                Assert.False(s.State.Ptes[5]!.Value.Swapped);
            }
    }

    [Fact]
    public void A_block_already_pmd_mapped_succeeds_without_change()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
                s.Cpu(new Call.CpuWrite(5, 15)); // do_huge_pmd_anonymous_page
                Assert.All(Enumerable.Range(4, 4), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
                var olds = Frames(s, 4, 8);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                Assert.Equal(plant ? KhugepagedRefusal : "done", r); // SCAN_PMD_MAPPED: ++thps
                NotCollapsed(s, before, olds);
            }
    }

    /// <summary>VMAs [0, 6) (no VM_HUGEPAGE) and [6, 12) (VM_HUGEPAGE: other flags, not merged), each holding a whole block. MADV_COLLAPSE
    /// of [0, 12): block [4, 8) lies in neither clipped range and is left as it is, [0, 4) is collapsed, [8, 12) was PMD-mapped. Of
    /// [4, 8): nothing, success. A VMA holding no whole block is refused (collapse_possible: EINVAL).</summary>
    [Fact]
    public void A_block_across_two_vmas_is_skipped_and_a_vma_without_a_whole_block_is_refused()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, wholeRangePlant: plant);
                s.Cpu(new Call.Mmap(0, 6, Prot.ReadWrite));
                s.Cpu(new Call.Mmap(6, 12, Prot.ReadWrite, Thp: true));
                for (int p = 0; p < 6; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
                s.Cpu(new Call.CpuWrite(9, 19)); // a huge page [8, 12)
                s.Cpu(new Call.CpuWrite(6, 16));
                var olds = Frames(s, 0, 12);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(0, 12));
                if (plant)
                {
                    Assert.Equal("ENOMEM (block not inside one VMA)", r);
                    Assert.Equal(olds[4..12], Frames(s, 4, 12));
                    continue;
                }
                Assert.Equal("done", r);
                Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)"], Events(s, before));
                Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
                Assert.Equal(olds[4..12], Frames(s, 4, 12));
                Assert.All(Enumerable.Range(4, 2), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
                before = s.Trace.Count;
                Assert.Equal("done", Result(s, new Call.MadviseCollapse(4, 8)));
                Assert.Empty(Events(s, before));
                // [0, 3) and [3, 6) of other protections: neither holds a whole block
                s.Cpu(new Call.Mprotect(0, 3, Prot.Read));
                before = s.Trace.Count;
                Assert.Equal("EINVAL (collapse_possible: the VMA holds no whole huge block)", Result(s, new Call.MadviseCollapse(0, 4)));
                Assert.Empty(Events(s, before));
            }
    }

    /// <summary>A block whose PTEs clear_refs write-protected (soft-dirty) in a writable VMA, and a block in a read-only VMA.
    /// linux-7.2: both collapse, the PMD writable as the VMA is (map_anon_folio_pmd_nopf -> maybe_pmd_mkwrite); linux-6.12 and 6.1:
    /// SCAN_PAGE_RO, EINVAL. The planted khugepaged rules map the first read-only.</summary>
    [Fact]
    public void Writability_of_the_collapsed_pmd_follows_the_vma_in_seven_two_and_six_twelve_wants_a_writable_pte()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = New(v, plant);
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
                for (int p = 0; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
                s.Cpu(new Call.ClearRefs());
                Assert.All(Enumerable.Range(0, 8), p => Assert.False(s.State.Ptes[p]!.Value.Writable));
                s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
                var olds = Frames(s, 4, 8);
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                bool ro = v is Vocabulary.Linux6_1 or Vocabulary.Linux6_12;
                if (ro && !plant)
                {
                    Assert.Equal("EINVAL (SCAN_PAGE_RO: no writable PTE in the block)", r);
                    NotCollapsed(s, before, olds);
                    Assert.Equal("EINVAL (SCAN_PAGE_RO: no writable PTE in the block)", Result(s, new Call.MadviseCollapse(0, 4)));
                    continue;
                }
                Assert.Equal("done", r);
                Collapsed(s, before, olds, [14, 15, 16, 17], plant ? Prot.Read : Prot.ReadWrite, olds);
                if (plant) continue;
                before = s.Trace.Count;
                Assert.Equal("done", Result(s, new Call.MadviseCollapse(0, 4)));
                Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)"], Events(s, before));
                Assert.All(Enumerable.Range(0, 4), p => Assert.Equal((Prot.Read, true), (s.State.Ptes[p]!.Value.Prot, s.State.Ptes[p]!.Value.Huge)));
                Assert.Equal(new int?[] { 10, 11, 12, 13 }, Enumerable.Range(0, 4).Select(s.CpuView));
            }
    }

    /// <summary>An empty block: EINVAL without an anon_vma (collapse_possible) or a PTE table (linux-7.2 mm/khugepaged.c
    /// find_pmd_or_thp_or_none: SCAN_NO_PTE_TABLE). A table left empty (MADV_DONTNEED of less than the block) is collapsed into a
    /// zeroed huge page by linux-7.2 mm/khugepaged.c collapse_scan_pmd / collapse_huge_page (every PTE none, collapse_max_ptes_none
    /// HPAGE_PMD_NR for MADV_COLLAPSE; __collapse_huge_page_copy zeroes each page) and by 6.18.44 (seen live); linux-6.12 and 6.1
    /// hpage_collapse_scan_pmd refuse it with SCAN_PAGE_RO (no writable PTE), EINVAL. The plant
    /// (MmConfig.PlantEmptyPteTableCollapseRo) refuses it in every release.</summary>
    [Fact]
    public void An_empty_block_is_refused_einval_without_an_anon_vma_or_a_page_table_and_an_empty_table_collapses_zeroed()
    {
        foreach (var v in Kernels)
            foreach (bool plant in new[] { false, true })
            {
                var s = new Session(new MmConfig(16, 4, 64, v) { PlantEmptyPteTableCollapseRo = plant });
                s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
                Assert.Equal("EINVAL (collapse_possible: the VMA has no anon_vma)", Result(s, new Call.MadviseCollapse(4, 8)));
                s.Cpu(new Call.CpuWrite(0, 1));
                Assert.Equal("EINVAL (SCAN_NO_PTE_TABLE: the block has no page table)", Result(s, new Call.MadviseCollapse(4, 8)));
                s.Cpu(new Call.CpuWrite(5, 7));
                int old = s.State.Ptes[5]!.Value.Frame;
                s.Cpu(new Call.MadviseDontneed(5, 6));
                Assert.True(s.State.HasPteTable(4) && Enumerable.Range(4, 4).All(p => s.State.Ptes[p] is null));
                int before = s.Trace.Count;
                string r = Result(s, new Call.MadviseCollapse(4, 8));
                if (plant || v is Vocabulary.Linux6_1 or Vocabulary.Linux6_12)
                {
                    Assert.Equal("EINVAL (SCAN_PAGE_RO: no writable PTE in the block)", r);
                    Assert.Empty(Events(s, before));
                    Assert.True(s.State.HasPteTable(4) && Enumerable.Range(4, 4).All(p => s.State.Ptes[p] is null));
                    continue;
                }
                Assert.Equal("done", r);
                Assert.Equal(["MMU_NOTIFY_CLEAR[4,8)"], Events(s, before));
                var frames = Frames(s, 4, 8);
                Assert.Equal(4, frames.Distinct().Count());
                Assert.All(Enumerable.Range(4, 4), p => Assert.Equal(new Pte(0, Prot.ReadWrite, Dirty: true, Young: true, SoftDirty: true, Huge: true), s.State.Ptes[p]!.Value with { Frame = 0 }));
                Assert.DoesNotContain(MmState.ZeroFrame, frames);
                Assert.All(frames, f => Assert.Equal(0, s.State.Frames[f].Content)); // zeroed (the frame page 5 had may be reused)
                Assert.True(s.State.Frames[old].Free || frames.Contains(old));
                Assert.Equal(new int?[] { 0, 0, 0, 0 }, Enumerable.Range(4, 4).Select(s.CpuView));
                Assert.False(s.State.HasPteTable(4)); // collapse_huge_page deposits the table
                Assert.Null(s.FirstViolation);
            }
    }
}
