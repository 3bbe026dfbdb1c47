using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Write faults on a THP that fork shared while the parent mapped it by a PMD (MmState.Folios): linux-7.2 mm/huge_memory.c
/// copy_huge_pmd gives the child the PMD; do_huge_pmd_wp_page reuses the folio only when it is its PMD's alone (folio_ref_count 1),
/// else splits that mm's PMD (__split_huge_pmd) and do_wp_page decides for the page: linux-6.12 wp_can_reuse_anon_folio never reuses a
/// page of a large folio, linux-6.18 and 7.2 __wp_can_reuse_large_anon_folio only when one mm, holding one of the folio's mm-id
/// slots, maps it (FOLIO_MM_IDS_SHARED_BIT clear) and it has no other reference. Huge pages of 4 base pages here.</summary>
public class ChildThpWriteTests
{
    private static readonly MirrorConfig Kvm = new("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1);

    private static Session New(Vocabulary v = Vocabulary.Linux6_18) => new(new MmConfig(16, 4, 48, v, [Kvm]));

    private static List<string> Events(Session s, int from = 0) => s.Trace.Skip(from).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static string Path(Session s) => (string)s.Trace.Last(l => l.Op == "child_fault").Get("path")!;

    /// <summary>A THP over pages 0-3 (the first write's huge fault), forked: one folio, the child's PMD, slots parent and child 0.</summary>
    private static (Session S, int[] Frames) Forked(Vocabulary v = Vocabulary.Linux6_18, int forks = 1)
    {
        var s = New(v);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        var frames = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToArray();
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p] is { Huge: true }));
        for (int i = 0; i < forks; i++) s.Cpu(new Call.Fork());
        return (s, frames);
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux7_2)]
    public void A_childs_write_into_a_shared_thp_copies_its_page_and_the_parents_write_to_that_page_splits_and_copies_not_reuses(Vocabulary v)
    {
        var (s, f) = Forked(v);
        Assert.Equal([new Folio([.. f], [0], [-1, 0])], s.State.Folios);
        Assert.All(f, x => Assert.False(s.State.Frames[x].AnonExclusive)); // fork cleared PageAnonExclusive
        int at = s.Trace.Count;
        s.Cpu(new Call.ChildWrite(0, 1, 5));
        // do_huge_pmd_wp_page in the child: folio_ref_count 2 -> fallback, the child's PMD split and the page copied, all on the
        // child's mm (no listener of this mm hears it)
        Assert.Equal("wp_page_copy", Path(s));
        Assert.Empty(Events(s, at));
        int copy = s.State.Children[0][1];
        Assert.DoesNotContain(copy, f);
        Assert.Equal((5, 7), (s.State.Frames[copy].Content, s.CpuView(1)));
        Assert.Empty(s.State.Folios[0].ChildPmd);
        Assert.Equal((1, 1), (s.State.Frames[f[1]].MapCount, s.State.Frames[f[1]].RefCount)); // the parent's page mapped once
        // the parent's write to that page: its PMD is not the folio's only reference (the child's three PTEs): split, then copy
        at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(1, 6));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s, at));
        Assert.NotEqual(f[1], s.State.Ptes[1]!.Value.Frame);
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p] is { Huge: false }));
        Assert.Equal((6, 5), (s.CpuView(1), s.State.Frames[s.State.Children[0][1]].Content));
        // the parent's copy of page 2 leaves frame f[2] to the child alone; the child's write there copies all the same (the
        // folio is still mapped by both mms: the shared bit), where a page of its own would be reused
        s.Cpu(new Call.CpuWrite(2, 8));
        Assert.Equal((1, 1), (s.State.Frames[f[2]].MapCount, s.State.Frames[f[2]].RefCount));
        s.Cpu(new Call.ChildWrite(0, 2, 9));
        Assert.Equal("wp_page_copy", Path(s));
        Assert.NotEqual(f[2], s.State.Children[0][2]);
        Assert.Equal((8, 9), (s.CpuView(2), s.State.Frames[s.State.Children[0][2]].Content));
        Assert.Null(s.FirstViolation);
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    public void The_pmd_that_alone_maps_the_folio_is_reused_whole(Vocabulary v)
    {
        var (s, f) = Forked(v);
        for (int p = 0; p < 4; p++) s.Cpu(new Call.ChildWrite(0, p, 10 + p));
        Assert.All(f, x => Assert.Equal((1, 1), (s.State.Frames[x].MapCount, s.State.Frames[x].RefCount)));
        int at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(2, 6));
        // do_huge_pmd_wp_page: folio_ref_count 1 -> reuse, the PMD made writable: no notification, the folio's pages exclusive
        Assert.Empty(Events(s, at));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p] is { Huge: true, Prot: Prot.ReadWrite } x && x.Frame == f[p]));
        Assert.All(f, x => Assert.True(s.State.Frames[x].AnonExclusive));
        Assert.Equal((6, 12), (s.CpuView(2), s.State.Frames[s.State.Children[0][2]].Content));
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18, true)]
    [InlineData(Vocabulary.Linux7_2, true)]
    [InlineData(Vocabulary.Linux6_12, false)]
    public void A_pte_mapped_folio_its_mm_maps_alone_is_reused_from_6_18_on_and_copied_by_6_12(Vocabulary v, bool reuse)
    {
        var (s, f) = Forked(v);
        s.Cpu(new Call.CpuWrite(3, 6)); // the parent's PMD split, page 3 copied
        for (int p = 0; p < 4; p++) s.Cpu(new Call.ChildWrite(0, p, 10 + p)); // the child's PMD split, its four pages copied
        Assert.Equal(0, s.State.FolioMaps(s.State.Folios[0], 0));
        Assert.Equal(3, s.State.FolioMaps(s.State.Folios[0], -1));
        int at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(1, 9));
        Assert.Equal(reuse ? [] : ["MMU_NOTIFY_CLEAR[1,2)"], Events(s, at));
        Assert.Equal(reuse, s.State.Ptes[1]!.Value.Frame == f[1]);
        Assert.Equal(9, s.CpuView(1));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_child_without_a_mm_id_slot_that_maps_the_folio_alone_copies_and_one_with_a_slot_reuses()
    {
        // two forks: child 0 takes the folio's second slot, child 1 none (both taken: the shared bit stays set)
        var (s, f) = Forked(Vocabulary.Linux6_18, forks: 2);
        Assert.Equal([-1, 0], s.State.Folios[0].Slots.ToArray());
        Assert.Equal([0, 1], s.State.Folios[0].ChildPmd.Order().ToArray());
        s.Cpu(new Call.ChildWrite(1, 0, 20)); // child 1's PMD split (copy)
        s.Cpu(new Call.ChildWrite(0, 0, 30)); // child 0's PMD split (copy)
        for (int p = 0; p < 4; p++) s.Cpu(new Call.CpuWrite(p, 40 + p)); // the parent maps nothing of the folio then
        for (int p = 1; p < 4; p++) s.Cpu(new Call.ChildWrite(0, p, 30 + p)); // nor child 0
        Assert.Equal((0, 0, 3), (s.State.FolioMaps(s.State.Folios[0], -1), s.State.FolioMaps(s.State.Folios[0], 0), s.State.FolioMaps(s.State.Folios[0], 1)));
        s.Cpu(new Call.ChildWrite(1, 2, 22));
        Assert.Equal("wp_page_copy", Path(s));
        Assert.NotEqual(f[2], s.State.Children[1][2]);
        // the same with child 1 holding the slot: a third fork after child 0 mapped nothing of the folio any more is not needed;
        // child 0 (slot holder) maps the folio alone in the mirror case
        var (t, g) = Forked(Vocabulary.Linux6_18, forks: 2);
        t.Cpu(new Call.ChildWrite(1, 0, 20));
        t.Cpu(new Call.ChildWrite(0, 0, 30));
        for (int p = 0; p < 4; p++) t.Cpu(new Call.CpuWrite(p, 40 + p));
        for (int p = 1; p < 4; p++) t.Cpu(new Call.ChildWrite(1, p, 20 + p)); // child 1 maps nothing of the folio
        t.Cpu(new Call.ChildWrite(0, 2, 32));
        Assert.Equal("wp_page_reuse", Path(t));
        Assert.Equal((g[2], 32), (t.State.Children[0][2], t.State.Frames[g[2]].Content));
        Assert.True(t.State.Frames[g[2]].AnonExclusive);
        t.Cpu(new Call.ChildWrite(0, 2, 33)); // PageAnonExclusive now: reused again
        Assert.Equal((g[2], 33), (t.State.Children[0][2], t.State.Frames[g[2]].Content));
    }

    [Fact]
    public void A_later_fork_takes_a_slot_its_holder_freed_and_clears_the_pages_exclusive_bit()
    {
        var (s, f) = Forked(Vocabulary.Linux6_18);
        for (int p = 0; p < 4; p++) s.Cpu(new Call.ChildWrite(0, p, 10 + p)); // child 0 maps nothing of the folio: its slot is free
        s.Cpu(new Call.CpuWrite(2, 6)); // the parent's PMD alone: reused whole, every page exclusive
        Assert.All(f, x => Assert.True(s.State.Frames[x].AnonExclusive));
        s.Cpu(new Call.Fork());
        Assert.Equal([-1, 1], s.State.Folios[0].Slots.ToArray());
        Assert.Equal([1], s.State.Folios[0].ChildPmd.Order().ToArray());
        Assert.All(f, x => Assert.False(s.State.Frames[x].AnonExclusive));
    }

    [Fact]
    public void Mprotect_back_to_rw_leaves_a_folio_page_mapped_once_but_not_exclusive_read_only()
    {
        // linux-7.2 mm/mprotect.c can_change_private_pte_writable: PageAnonExclusive(page), which fork cleared; the child's copy
        // leaves the parent's page 1 mapped once, yet its write after mprotect rw faults and copies (do_wp_page: the folio is
        // still mapped by the child)
        var (s, f) = Forked();
        s.Cpu(new Call.ChildWrite(0, 1, 5));
        s.Cpu(new Call.Mprotect(1, 2, Prot.Read)); // a partial mprotect: the parent's PMD split
        s.Cpu(new Call.Mprotect(1, 2, Prot.ReadWrite));
        Assert.Equal((f[1], Prot.Read), (s.State.Ptes[1]!.Value.Frame, s.State.Ptes[1]!.Value.Prot));
        int at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(1, 9));
        Assert.Equal(["MMU_NOTIFY_CLEAR[1,2)"], Events(s, at));
        Assert.NotEqual(f[1], s.State.Ptes[1]!.Value.Frame);
    }

    [Fact]
    public void The_seeds_vocabulary_knows_no_folios()
    {
        var (s, _) = Forked(Vocabulary.V7);
        Assert.Empty(s.State.Folios);
    }

    [Fact]
    public void A_trace_with_child_writes_into_a_thp_replays_to_the_same_frames_and_folios()
    {
        var (s, _) = Forked();
        s.Cpu(new Call.ChildWrite(0, 1, 5));
        s.Cpu(new Call.CpuWrite(1, 6));
        s.Cpu(new Call.ChildWrite(0, 2, 9));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Frames.ToArray(), replay.Final!.Frames.ToArray());
        Assert.Equal(s.State.Folios.ToArray(), replay.Final.Folios.ToArray());
    }
}
