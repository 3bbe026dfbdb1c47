using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Whether a huge block may be collapsed is asked of the kernel's VMA (linux-7.2 mm/khugepaged.c
/// hugepage_vma_revalidate -> include/linux/huge_mm.h thp_vma_suitable_order: the block inside the VMA find_vma gives), which
/// after mprotect of a piece and back is one merged VMA (mm/vma.c vma_modify -> vma_merge_existing_range; the reference's
/// Vma.MergedRun), not the reference's piece. Each test runs the plant PlantCollapsePieceVma (the piece asked, the reference
/// before) too and sees the collapse refused.</summary>
public class CollapseVmaTests
{
    private static Session New(bool plant) => new(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantCollapsePieceVma = plant });

    private static string Result(Session s, Call c)
    {
        s.Cpu(c);
        return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result") ?? "done";
    }

    private static List<string> Events(Session s, int fromLine) => s.Trace.Skip(fromLine).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    /// <summary>A THP VMA [0, 8) with block [4, 8) written huge, then page 5 mprotected read-only and back: the PMD split
    /// (__split_huge_pmd), the pieces [0, 5) [5, 6) [6, 8) one kernel VMA again.</summary>
    private static Session SplitAndMprotectedBack(bool plant)
    {
        var s = New(plant);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
        s.Cpu(new Call.Mprotect(5, 6, Prot.Read));
        s.Cpu(new Call.Mprotect(5, 6, Prot.ReadWrite));
        Assert.All(Enumerable.Range(4, 4), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
        Assert.Equal(new PageRange(0, 8), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(5)!));
        return s;
    }

    [Fact]
    public void Collapse_after_mprotect_of_a_piece_and_back_collapses_the_block_of_the_merged_vma()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = SplitAndMprotectedBack(plant);
            var olds = Enumerable.Range(4, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
            int before = s.Trace.Count;
            string r = Result(s, new Call.CollapseHuge(5));
            if (plant)
            {
                Assert.Equal("EINVAL (block not inside a THP VMA)", r);
                Assert.Empty(Events(s, before));
                Assert.Equal(olds, Enumerable.Range(4, 4).Select(p => s.State.Ptes[p]!.Value.Frame));
                Assert.All(Enumerable.Range(4, 4), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
                continue;
            }
            Assert.Equal("done", r);
            // collapse_huge_page: pmdp_collapse_flush under MMU_NOTIFY_CLEAR over the block, then a huge PMD of new frames
            Assert.Equal(["MMU_NOTIFY_CLEAR[4,8)"], Events(s, before));
            Assert.All(Enumerable.Range(4, 4), p => Assert.Equal((Prot.ReadWrite, true), (s.State.Ptes[p]!.Value.Prot, s.State.Ptes[p]!.Value.Huge)));
            Assert.Empty(Enumerable.Range(4, 4).Select(p => s.State.Ptes[p]!.Value.Frame).Intersect(olds));
            Assert.All(olds, f => Assert.True(s.State.Frames[f].Free));
            Assert.Equal(new int?[] { 14, 15, 16, 17 }, Enumerable.Range(4, 4).Select(s.CpuView));
        }
    }

    [Fact]
    public void Madvise_collapse_after_mprotect_of_a_piece_and_back_collapses_the_block_of_the_merged_vma()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = SplitAndMprotectedBack(plant);
            int before = s.Trace.Count;
            string r = Result(s, new Call.MadviseCollapse(4, 8));
            // planted: the piece [5, 6) is a VMA of its own, holding no whole block (collapse_possible)
            Assert.Equal(plant ? "EINVAL (collapse_possible: the VMA holds no whole huge block)" : "done", r);
            Assert.Equal(plant ? [] : new[] { "MMU_NOTIFY_CLEAR[4,8)" }, Events(s, before));
            Assert.All(Enumerable.Range(4, 4), p => Assert.Equal(!plant, s.State.Ptes[p]!.Value.Huge));
            Assert.Equal(new int?[] { 14, 15, 16, 17 }, Enumerable.Range(4, 4).Select(s.CpuView));
        }
    }

    [Fact]
    public void Collapse_of_a_block_whose_piece_keeps_other_flags_is_refused()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
            for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
            s.Cpu(new Call.Mprotect(5, 6, Prot.Read)); // [5, 6) a VMA of its own: the block spans three
            Assert.Equal("EINVAL (block not inside a THP VMA)", Result(s, new Call.CollapseHuge(4)));
            Assert.All(Enumerable.Range(4, 4), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
        }
    }
}
