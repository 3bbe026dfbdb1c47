using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>mremap with MREMAP_DONTUNMAP (Call.MremapDontunmap, docs/kernel.md "MREMAP_DONTUNMAP"): linux-7.2 mm/mremap.c
/// move_vma -> copy_vma_and_data -> move_page_tables (MMU_NOTIFY_UNMAP over the old range), then dontunmap_complete instead
/// of unmap_source_vma; linux-6.12 and 6.1 move_vma the same steps, with the differences each test names.</summary>
public class MremapDontunmapTests
{
    private static Session New(Vocabulary v = Vocabulary.Linux7_2, bool noNotify = false, bool keepsAnonVma = false, params MirrorConfig[] mirrors) =>
        new(new MmConfig(16, 4, 48, v, [.. mirrors]) { PlantDontunmapNoNotify = noNotify, PlantDontunmapKeepsAnonVma = keepsAnonVma });

    private static string? Run(Session s, Call c) { s.Cpu(c); return (string?)s.Trace.Last(l => l.Kind == "call" && l.Op == c.Name).Get("result"); }

    private static string KernelVmas(Session s) => MremapVmaTests.KernelVmas(s);

    /// <summary>The notifier brackets the last call opened: event and range.</summary>
    private static string[] Brackets(Session s, int from) => [.. s.Trace.Skip(from).Where(l => l.Op == "invalidate_range_start")
        .Select(l => $"{l.Get("event")} [{l.Get("start")}, {l.Get("end")})")];

    [Fact]
    public void The_pages_move_under_one_unmap_bracket_and_the_old_range_keeps_its_vma_empty()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(2, 5));
        s.Cpu(new Call.CpuWrite(3, 6));
        s.Cpu(new Call.Munmap(8, 10)); // MREMAP_FIXED's munmap of the destination (mremap_to -> do_munmap)
        int from = s.Trace.Count;
        Assert.Null(Run(s, new Call.MremapDontunmap(2, 4, 8)));
        // move_page_tables' MMU_NOTIFY_UNMAP over [old_addr, old_end); no unmap_vmas of the old range (unmap_source_vma skipped)
        Assert.Equal(["MMU_NOTIFY_UNMAP [2, 4)"], Brackets(s, from));
        Assert.Equal((5, 6), (s.State.CpuView(8), s.State.CpuView(9)));
        Assert.Null(s.State.Ptes[2]);
        Assert.Null(s.State.Ptes[3]);
        // the old range is still mapped: a read faults the zero page
        Assert.Equal("[0, 8)a [8, 10)a [10, 16)a", KernelVmas(s));
        s.Cpu(new Call.CpuRead(2));
        Assert.Equal((0, MmState.ZeroFrame), (s.State.CpuView(2)!.Value, s.State.Ptes[2]!.Value.Frame));
        Assert.Null(s.FirstViolation);
        // mremap over the same state unmaps the old range instead: a read there faults
        var m = New();
        m.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        m.Cpu(new Call.Munmap(8, 10));
        m.Cpu(new Call.Mremap(2, 4, 8));
        Assert.Equal("SIGSEGV (no VMA)", Run(m, new Call.CpuRead(2)));
    }

    [Fact]
    public void A_device_that_read_a_page_of_the_old_range_is_told_and_the_planted_move_without_the_bracket_is_caught()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(noNotify: plant, mirrors: new MirrorConfig("dev0"));
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(1, 9));
            s.DeviceRead(0, 1);
            s.Cpu(new Call.MremapDontunmap(0, 4, 4));
            if (!plant)
            {
                // the device's next read faults the page again: the zero page of the empty old range
                s.DeviceRead(0, 1);
                Assert.Equal((0, 9), (s.State.Mirrors[0].LastRead, s.State.CpuView(5)!.Value));
                Assert.Null(s.FirstViolation);
                continue;
            }
            Assert.Equal(Rules.RangeCoversChange, s.FirstViolation!.Rule);
            Assert.StartsWith("mremap_dontunmap changed page 0 ", s.FirstViolation.Message); // the first PTE of [0, 4) cleared
            // and the device still reads the moved page at the old address (what `notifier kernel` sees: the guest's read)
            s.DeviceRead(0, 1);
            Assert.Equal(9, s.State.Mirrors[0].LastRead);
        }
    }

    [Fact]
    public void A_whole_vma_loses_its_anon_vma_and_fork_copies_none_of_its_later_zero_pages()
    {
        // dontunmap_complete: start == old_start && end == old_end -> unlink_anon_vmas (linux-7.2, 6.12 and 6.1)
        foreach (bool plant in new[] { false, true })
        {
            var s = New(keepsAnonVma: plant);
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(1, 7));
            s.Cpu(new Call.MremapDontunmap(0, 4, 8));
            Assert.Equal(plant ? "[0, 4)a [8, 12)a" : "[0, 4) [8, 12)a", KernelVmas(s));
            s.Cpu(new Call.CpuRead(1));
            s.Cpu(new Call.Fork());
            // vma_needs_copy (linux-7.2 mm/memory.c): only a VMA with an anon_vma has its PTEs copied
            Assert.Equal(plant ? [1, 9] : [9], s.State.Children[0].Keys.Order().ToArray());
        }
        // a part of a VMA: the old VMA keeps its anon_vma, fork copies the zero page read there
        var p = New();
        p.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        p.Cpu(new Call.CpuWrite(1, 7));
        p.Cpu(new Call.MremapDontunmap(0, 2, 8));
        p.Cpu(new Call.CpuRead(1));
        p.Cpu(new Call.Fork());
        Assert.Equal([1, 9], p.State.Children[0].Keys.Order().ToArray());
    }

    [Fact]
    public void A_whole_vma_gets_an_unfaulted_pgoff_from_linux_6_12_on_so_a_new_neighbour_merges_with_it()
    {
        // [4, 8) was moved there with its anon_vma (pgoff of [0, 4)); MREMAP_DONTUNMAP of all of it: linux-6.12 and 7.2
        // dontunmap_complete reset vm_pgoff to vm_start >> PAGE_SHIFT, so an mmap of [0, 4) merges with it
        // (vma_merge_new_range); linux-6.1 keeps the pgoff, and the two stay apart
        foreach (var (v, want) in new[] { (Vocabulary.Linux7_2, "[0, 8) [10, 14)a"), (Vocabulary.Linux6_12, "[0, 8) [10, 14)a"), (Vocabulary.Linux6_1, "[0, 4) [4, 8) [10, 14)a") })
        {
            var s = New(v);
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(1, 7));
            s.Cpu(new Call.Mremap(0, 4, 4));
            s.Cpu(new Call.MremapDontunmap(4, 8, 10));
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            Assert.Equal(want, KernelVmas(s));
            Assert.Equal(7, s.State.CpuView(11));
        }
    }

    [Fact]
    public void An_unfaulted_source_does_not_merge_with_its_copy_from_linux_6_12_on()
    {
        // linux-7.2 and 6.12 mm/vma.c copy_vma with keep_source: vmg.prev / vmg.next cleared when they are the source; linux-6.1
        // mm/mmap.c copy_vma merges them (pgoff reset to the new address lines up), and so did 6.18.44 live
        foreach (var (v, want) in new[] { (Vocabulary.Linux7_2, "[0, 4) [4, 6)"), (Vocabulary.Linux6_12, "[0, 4) [4, 6)"), (Vocabulary.Linux6_18, "[0, 6)"), (Vocabulary.Linux6_1, "[0, 6)") })
        {
            var s = New(v);
            s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            s.Cpu(new Call.MremapDontunmap(2, 4, 4));
            Assert.Equal(want, KernelVmas(s));
            var t = New(v);
            t.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
            t.Cpu(new Call.MremapDontunmap(4, 6, 2));
            Assert.Equal(want == "[0, 6)" ? "[2, 8)" : "[2, 4) [4, 8)", KernelVmas(t));
        }
    }

    [Fact]
    public void A_locked_vma_is_split_and_only_the_old_range_unlocked_from_linux_6_12_on()
    {
        // linux-7.2 mm/mremap.c prep_move_vma (needs_pre_split) and dontunmap_complete; linux-6.12 move_vma the same; linux-6.1
        // move_vma clears VM_LOCKED on the whole VMA it did not split, and so did 6.18.44 live. The copy keeps VM_LOCKED.
        // (mlock populates the VMA: it has an anon_vma; the split-off old range, moved whole, loses it)
        foreach (var (v, want) in new[] { (Vocabulary.Linux7_2, "[0, 2)alo [2, 4) [4, 8)alo [10, 12)alo"), (Vocabulary.Linux6_12, "[0, 2)alo [2, 4) [4, 8)alo [10, 12)alo"),
            (Vocabulary.Linux6_18, "[0, 8)a [10, 12)alo"), (Vocabulary.Linux6_1, "[0, 8)a [10, 12)alo") })
        {
            var s = New(v);
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
            s.Cpu(new Call.Mlock(0, 8));
            Assert.Null(Run(s, new Call.MremapDontunmap(2, 4, 10)));
            Assert.Equal(want, KernelVmas(s));
        }
    }

    [Fact]
    public void A_registered_old_vma_stays_registered_and_the_moved_ptes_lose_their_uffd_wp_bits()
    {
        // mremap_userfaultfd_prep (linux-7.2 mm/userfaultfd.c) drops the copy's context (no UFFD_FEATURE_EVENT_REMAP); the old VMA
        // is not touched; move_ptes clears the uffd-wp bits it moves (vma_has_uffd_without_event_remap of the old VMA)
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.CpuWrite(2, 5));
        s.Cpu(new Call.UffdWriteProtect(2, 3));
        Assert.True(s.State.Ptes[2]!.Value.UffdWp);
        s.Cpu(new Call.MremapDontunmap(2, 4, 10));
        Assert.Equal("[0, 8)awp [10, 12)a", KernelVmas(s));
        Assert.False(s.State.Ptes[10]!.Value.UffdWp);
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Refusals_name_their_reason()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Hugetlb: true));
        s.Cpu(new Call.Mmap(8, 12, Prot.ReadWrite, Shared: true));
        // check_prep_vma: VM_DONTEXPAND (hugetlbfs_file_mmap sets it) -> -EINVAL
        Assert.Equal("EINVAL (MREMAP_DONTUNMAP of a VM_DONTEXPAND VMA: hugetlb)", Run(s, new Call.MremapDontunmap(0, 4, 4)));
        Assert.Equal("ENOSYS (MREMAP_DONTUNMAP of a shared mapping is not modelled)", Run(s, new Call.MremapDontunmap(8, 10, 12)));
        Assert.Equal("EINVAL (overlapping move)", Run(s, new Call.MremapDontunmap(8, 10, 9)));
        Assert.Equal("EFAULT (no VMA in the source)", Run(s, new Call.MremapDontunmap(4, 6, 12)));
        var v7 = New(Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        Assert.Equal("ENOSYS (MREMAP_DONTUNMAP is not in this vocabulary)", Run(v7, new Call.MremapDontunmap(0, 2, 8)));
    }

    [Fact]
    public void The_call_replays_from_its_trace_line()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.Cpu(new Call.MremapDontunmap(0, 4, 10));
        s.Cpu(new Call.CpuWrite(1, 3));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var r = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ReplayVerdict.Accepted, r.Verdict);
        Assert.Equal(s.State.Ptes.ToArray(), r.Final!.Ptes.ToArray());
        Assert.Contains(s.Trace, l => l.Op == "mremap_dontunmap" && l.Kind == "call");
    }
}
