using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>A forked child's write (Call.ChildWrite, Planner.ChildWrite): the write fault on the child's own mm, linux-7.2
/// mm/memory.c do_wp_page (wp_page_copy, or wp_page_reuse when wp_can_reuse_anon_folio finds the child's page mapped once) and
/// do_anonymous_page; and what follows for the parent, whose page may be mapped once again.</summary>
public class ChildWriteTests
{
    private static readonly MirrorConfig Kvm = new("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1);

    private static Session New(Vocabulary v = Vocabulary.Linux6_18) => new(new MmConfig(16, 4, 48, v, [Kvm]));

    private static List<string> Events(Session s, int from = 0) => s.Trace.Skip(from).Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static string Path(Session s) => (string)s.Trace.Last(l => l.Op == "child_fault").Get("path")!;

    [Theory]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux7_2)]
    public void A_childs_write_to_a_shared_page_copies_it_and_the_parents_next_write_reuses_its_page(Vocabulary v)
    {
        var s = New(v);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 7));
        int parent = s.State.Ptes[3]!.Value.Frame;
        s.Cpu(new Call.Fork());
        s.DeviceRead(0, 3); // KVM maps the parent's page (read-only) again after fork's MMU_NOTIFY_PROTECTION_PAGE
        Assert.Equal((2, 2), (s.State.Frames[parent].MapCount, s.State.Frames[parent].RefCount));
        int at = s.Trace.Count;
        s.Cpu(new Call.ChildWrite(0, 3, 99));
        // wp_page_copy on the child's mm: its bracket reaches no listener of this mm (no event, the device keeps its page)
        Assert.Equal("wp_page_copy", Path(s));
        Assert.Empty(Events(s, at));
        Assert.True(s.State.Mirrors[0].Pt.ContainsKey(3));
        int copy = s.State.Children[0][3];
        Assert.NotEqual(parent, copy);
        Assert.Equal((99, 1, 1), (s.State.Frames[copy].Content, s.State.Frames[copy].MapCount, s.State.Frames[copy].RefCount));
        // the parent's page keeps its value and is mapped once: exclusive (pagemap PM_MMAP_EXCLUSIVE)
        Assert.Equal(7, s.CpuView(3));
        Assert.Equal((1, 1), (s.State.Frames[parent].MapCount, s.State.Frames[parent].RefCount));
        Assert.Equal(Prot.Read, s.State.Ptes[3]!.Value.Prot);
        // the parent's write fault: do_wp_page reuses the page (wp_can_reuse_anon_folio: ref count 1), no copy, no notification
        at = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(3, 5));
        Assert.Empty(Events(s, at));
        Assert.Equal(new Pte(parent, Prot.ReadWrite, true, true, true), s.State.Ptes[3]);
        Assert.Equal((5, 99), (s.State.Frames[parent].Content, s.State.Frames[copy].Content));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_childs_write_to_a_page_it_maps_alone_reuses_it_and_a_second_write_too()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(2, 4));
        int old = s.State.Ptes[2]!.Value.Frame;
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(2, 6)); // the parent's copy (wp_page_copy, MMU_NOTIFY_CLEAR): the old page is the child's alone
        Assert.Equal(["MMU_NOTIFY_PROTECTION_PAGE[0,8)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s));
        Assert.Equal((1, 1), (s.State.Frames[old].MapCount, s.State.Frames[old].RefCount));
        int free = s.State.FreeList.Count();
        s.Cpu(new Call.ChildWrite(0, 2, 8));
        Assert.Equal("wp_page_reuse", Path(s));
        Assert.Equal((old, 8), (s.State.Children[0][2], s.State.Frames[old].Content));
        s.Cpu(new Call.ChildWrite(0, 2, 9));
        Assert.Equal((old, 9, free), (s.State.Children[0][2], s.State.Frames[old].Content, s.State.FreeList.Count()));
        Assert.Equal(6, s.CpuView(2));
    }

    [Fact]
    public void A_childs_write_where_it_has_no_pte_or_the_zero_page_allocates_and_a_read_only_vma_faults()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(8, 12, Prot.Read));
        s.Cpu(new Call.CpuRead(1)); // the zero page
        s.Cpu(new Call.CpuWrite(0, 3)); // the VMA's anon_vma: fork copies its PTEs (vma_needs_copy)
        s.Cpu(new Call.Fork());
        Assert.Equal(0, s.State.Children[0][1]);
        s.Cpu(new Call.ChildWrite(0, 1, 11)); // do_wp_page on the zero pfn: vm_normal_page is NULL -> wp_page_copy
        Assert.Equal("wp_page_copy", Path(s));
        Assert.Equal(11, s.State.Frames[s.State.Children[0][1]].Content);
        Assert.True(s.State.Ptes[1] is { Frame: MmState.ZeroFrame });
        s.Cpu(new Call.ChildWrite(0, 5, 12)); // no PTE in the child: do_anonymous_page
        Assert.Equal("do_anonymous_page", Path(s));
        Assert.Equal((12, 1, 1), (s.State.Frames[s.State.Children[0][5]].Content, s.State.Frames[s.State.Children[0][5]].MapCount, s.State.Frames[s.State.Children[0][5]].RefCount));
        Assert.Null(s.State.Ptes[5]);
        int lines = s.Trace.Count;
        s.Cpu(new Call.ChildWrite(0, 9, 13));
        Assert.Equal("SIGSEGV (the child's VMA is r)", s.Trace[lines].Get("result"));
        s.Cpu(new Call.ChildWrite(0, 14, 13));
        Assert.Equal("SIGSEGV (no VMA in the child)", s.Trace[lines + 1].Get("result"));
        // the child's VMAs are those at fork: a later mmap in the parent is not the child's
        s.Cpu(new Call.Mmap(14, 16, Prot.ReadWrite));
        s.Cpu(new Call.ChildWrite(0, 14, 13));
        Assert.Equal("SIGSEGV (no VMA in the child)", s.Trace[^1].Get("result"));
        Assert.Throws<ModelException>(() => s.Call(new Call.ChildWrite(1, 0, 1)));
    }

    [Fact]
    public void A_childs_write_to_a_ksm_page_copies_it_and_the_ksm_page_stays()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.KsmMerge(0, 1));
        int k = s.State.Ptes[0]!.Value.Frame;
        s.Cpu(new Call.Munmap(1, 2)); // the KSM page mapped once (page 0), then by the child too
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.Munmap(0, 1)); // the child maps it alone: still a KSM page, which do_wp_page never reuses (folio_test_ksm)
        Assert.Equal((1, 1, true), (s.State.Frames[k].MapCount, s.State.Frames[k].RefCount, s.State.Frames[k].Ksm));
        s.Cpu(new Call.ChildWrite(0, 0, 8));
        Assert.Equal("wp_page_copy", Path(s));
        Assert.NotEqual(k, s.State.Children[0][0]);
        Assert.True(s.State.Frames[k].Free);
    }

    [Fact]
    public void A_ksm_page_mapped_once_is_copied_by_the_parents_write_fault_never_reused()
    {
        // linux-7.2 mm/memory.c wp_can_reuse_anon_folio: folio_test_ksm -> false, so do_wp_page copies (wp_page_copy,
        // MMU_NOTIFY_CLEAR). Found by `notifier kernel` (a child's copy left the parent's KSM page mapped once: the kernel's
        // write traced wp_page_copy, the reference had reused it)
        foreach (bool copies in new[] { true, false })
        {
            var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux6_18, [Kvm], KsmWriteCopies: copies));
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
            s.Cpu(new Call.CpuWrite(1, 5));
            s.Cpu(new Call.CpuWrite(2, 5));
            s.Cpu(new Call.KsmMerge(1, 2));
            int k = s.State.Ptes[1]!.Value.Frame;
            s.Cpu(new Call.Munmap(2, 3));
            Assert.Equal((1, 1, true), (s.State.Frames[k].MapCount, s.State.Frames[k].RefCount, s.State.Frames[k].Ksm));
            int at = s.Trace.Count;
            s.Cpu(new Call.CpuWrite(1, 6));
            // off (the reference before; on by default since the TLA+ spec copies it too: NotifierSpec.tla KsmWriteCopies):
            // reused in place, no notification
            Assert.Equal(copies ? ["MMU_NOTIFY_CLEAR[1,2)"] : [], Events(s, at));
            Assert.Equal(copies, k != s.State.Ptes[1]!.Value.Frame);
            Assert.Equal(copies, s.State.Frames[k].Free);
        }
        Assert.True(TraceConfig.FromJson(TraceConfig.ToJson(new MmConfig(KsmWriteCopies: true))).KsmWriteCopies);
        // on by default (re-pinned: it was off while the TLA+ spec reused the page), written only when on
        Assert.True(new MmConfig().KsmWriteCopies);
        Assert.True(TraceConfig.ToJson(new MmConfig()).ContainsKey("ksm_write_copies"));
        Assert.False(TraceConfig.ToJson(new MmConfig(KsmWriteCopies: false)).ContainsKey("ksm_write_copies"));
        Assert.False(TraceConfig.FromJson(TraceConfig.ToJson(new MmConfig(KsmWriteCopies: false))).KsmWriteCopies);
    }

    [Fact]
    public void A_childs_write_to_its_swap_entry_or_into_an_empty_huge_block_is_refused()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 4));
        s.Cpu(new Call.MadvisePageout(1, 2));
        Assert.True(s.State.Ptes[1] is { Swapped: true });
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.ChildWrite(0, 1, 5));
        Assert.StartsWith("ENOTSUP (the child's swap entry", (string)s.Trace[^1].Get("result")!);
        var t = New();
        t.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        t.Cpu(new Call.CpuWrite(1, 4));
        Assert.True(t.State.Ptes[0] is { Huge: true });
        t.Cpu(new Call.Fork());
        t.Cpu(new Call.ChildWrite(0, 5, 5)); // an empty huge block of a THP VMA: a huge fault in the child
        Assert.StartsWith("ENOTSUP (a huge fault in the child", (string)t.Trace[^1].Get("result")!);
    }

    [Fact]
    public void A_trace_with_child_writes_replays_to_the_same_frames()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 7));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.ChildWrite(0, 3, 99));
        s.Cpu(new Call.ChildWrite(0, 3, 98));
        s.Cpu(new Call.ChildWrite(0, 6, 97));
        s.Cpu(new Call.CpuWrite(3, 5));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var text = w.ToString();
        Assert.Contains("\"op\":\"child_write\"", text);
        var replay = Replay.Run(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Frames.ToArray(), replay.Final!.Frames.ToArray());
        Assert.Equal(s.State.Children[0].OrderBy(x => x.Key).ToArray(), replay.Final.Children[0].OrderBy(x => x.Key).ToArray());
    }
}
