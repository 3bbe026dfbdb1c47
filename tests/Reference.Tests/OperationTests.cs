using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Each call site, run step by step: exact PTE, frame and event outcomes.</summary>
public class OperationTests
{
    private static Session New(Vocabulary v = Vocabulary.Upstream, params MirrorConfig[] mirrors) =>
        new(new MmConfig(16, 4, 48, v, [.. mirrors]));

    private static List<string> Events(Session s) => s.Trace.Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static List<string> Ops(Session s, int fromLine) => s.Trace.Skip(fromLine).Select(l => l.Op).ToList();

    [Fact]
    public void Read_fault_on_private_anon_maps_the_zero_page_and_write_fault_copies_it()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(1));
        Assert.Equal(new Pte(0, Prot.Read, false, true, true), s.State.Ptes[1]);
        Assert.Empty(Events(s)); // a fill-in is never notified (R8)
        int before = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(1, 9));
        // wp_page_copy: copy, then start/end around the PTE switch, no frame to free (the zero page)
        Assert.Equal(["copy_page", "invalidate_range_start", "pte_update", "tlb_flush", "invalidate_range_end", "cpu_write"], Ops(s, before + 1));
        Assert.Equal(["MMU_NOTIFY_CLEAR[1,2)"], Events(s));
        Assert.Equal(new Pte(1, Prot.ReadWrite, true, true, true), s.State.Ptes[1]);
        Assert.Equal(9, s.CpuView(1));
    }

    [Fact]
    public void Write_fault_on_an_exclusive_read_only_page_is_an_unnotified_upgrade()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
        s.Call(new Call.ClearRefs()); s.RunCpu(); // not soft-dirty: mprotect's MM_CP_TRY_CHANGE_WRITABLE upgrade must fault
        s.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
        Assert.Equal(Prot.Read, s.State.Ptes[0]!.Value.Prot);
        int events = Events(s).Count;
        s.Cpu(new Call.CpuWrite(0, 2));
        Assert.Equal(events, Events(s).Count); // wp_page_reuse: no notification
        Assert.Equal(1, s.State.Ptes[0]!.Value.Frame);
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[0]!.Value.Prot);
    }

    /// <summary>mprotect's MM_CP_TRY_CHANGE_WRITABLE upgrade of a clean PTE (a page swapped in by a read fault: do_swap_page
    /// maps it read-only and clean): linux-6.1 mm/mprotect.c can_change_pte_writable returns false for !pte_dirty(pte); from
    /// 6.2 on (linux-6.12 can_change_pte_writable, linux-7.2 maybe_change_pte_writable) a private anonymous PTE need not be
    /// dirty. The reference upgraded it under 6.1 too before session 11.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_1, Prot.Read)]
    [InlineData(Vocabulary.Linux6_12, Prot.ReadWrite)]
    [InlineData(Vocabulary.Linux7_2, Prot.ReadWrite)]
    public void Mprotect_upgrades_a_clean_exclusive_pte_except_under_linux_6_1(Vocabulary v, Prot after)
    {
        var s = New(v);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
        s.Cpu(new Call.MadvisePageout(0, 1));
        Assert.True(s.State.Ptes[0] is { Swapped: true });
        s.Cpu(new Call.CpuRead(0)); // do_swap_page, a read fault: read-only, clean, soft-dirty (from the swap entry), exclusive
        Assert.True(s.State.Ptes[0] is { Prot: Prot.Read, Dirty: false, SoftDirty: true, Swapped: false }, s.State.Ptes[0]?.ToString());
        s.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
        Assert.Equal(after, s.State.Ptes[0]!.Value.Prot);
    }

    [Fact]
    public void Munmap_notifies_clears_flushes_frees_then_ends()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(2, 1));
        int before = s.Trace.Count;
        s.Cpu(new Call.Munmap(0, 4));
        Assert.Equal(["vma_update", "invalidate_range_start", "pte_update", "pte_update", "tlb_flush", "free_frame", "free_frame", "invalidate_range_end"], Ops(s, before + 1));
        Assert.Equal("MMU_NOTIFY_UNMAP[0,4)", Events(s).Last());
        Assert.True(s.State.Frames[1].Free);
        Assert.True(s.State.Frames[2].Free);
        Assert.Empty(s.State.Vmas);
        Assert.All(s.State.Ptes, p => Assert.Null(p));
    }

    [Fact]
    public void Mmap_fixed_over_a_mapping_unmaps_the_overlap_first()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(5, 1));
        s.Cpu(new Call.Mmap(4, 6, Prot.Read, Shared: true));
        Assert.Equal(["MMU_MUNMAP[4,6)"], Events(s));
        // the private parts keep the anon_vma their written pages attached (mm/rmap.c __anon_vma_prepare), the first one (Vma.AnonVmaId)
        Assert.Equal([new Vma(0, 4, Prot.ReadWrite, AnonVma: true, Account: true, AnonVmaId: 1), new Vma(4, 6, Prot.Read, true), new Vma(6, 8, Prot.ReadWrite, AnonVma: true, Account: true, AnonVmaId: 1)], s.State.Vmas.ToArray());
        Assert.Null(s.State.Ptes[5]);
    }

    [Fact]
    public void Mprotect_starts_lazily_at_the_first_populated_pmd_and_uses_the_vocabulary_event()
    {
        foreach (var (v, none, ro) in new[] { (Vocabulary.V7, "MMU_MPROT", "MMU_MPROT"), (Vocabulary.V7Reviewed, "MMU_UNMAP", "MMU_WRITE_PROTECT"), (Vocabulary.Upstream, "MMU_NOTIFY_PROTECTION_VMA", "MMU_NOTIFY_PROTECTION_VMA") })
        {
            var s = New(v);
            s.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(9, 1));
            s.Cpu(new Call.Mprotect(0, 12, Prot.Read));
            s.Cpu(new Call.Mprotect(0, 12, Prot.None));
            Assert.Equal([$"{ro}[8,12)", $"{none}[8,12)"], Events(s));
            Assert.Equal(new Pte(1, Prot.None, true, true, true), s.State.Ptes[9]);
        }
    }

    [Fact]
    public void Mremap_moves_ptes_and_notifies_only_the_source()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.Mremap(0, 4, 8));
        Assert.Equal(["MMU_MIGRATE[0,4)"], Events(s));
        Assert.Null(s.State.Ptes[1]);
        Assert.Equal(1, s.State.Ptes[9]!.Value.Frame);
        Assert.Equal(5, s.CpuView(9));
        Assert.False(s.State.Frames[1].Free);
        Assert.Equal([new Vma(8, 12, Prot.ReadWrite, AnonVma: true, Account: true, PgDelta: -8, AnonVmaId: 1)], s.State.Vmas.ToArray());
    }

    [Fact]
    public void Madvise_dontneed_zaps_but_keeps_the_vma_and_madvise_free_only_cleans()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(1, 1));
        s.Cpu(new Call.MadviseFree(1, 2));
        Assert.Equal(new Pte(2, Prot.ReadWrite, false, false, true), s.State.Ptes[1]);
        s.Cpu(new Call.MadviseDontneed(0, 1));
        Assert.Equal(["MMU_MUNMAP[1,2)", "MMU_MIGRATE[0,1)"], Events(s)); // the seed's table, faithfully
        Assert.Null(s.State.Ptes[0]);
        Assert.Single(s.State.Vmas);
        s.Cpu(new Call.CpuRead(0));
        Assert.Equal(0, s.CpuView(0));
    }

    [Fact]
    public void Fork_write_protects_cow_mappings_only_and_shares_frames_with_the_child()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(4, 2));
        s.Cpu(new Call.Fork());
        Assert.Equal(["MMU_FORK[0,4)"], Events(s));
        Assert.Equal(Prot.Read, s.State.Ptes[0]!.Value.Prot);
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[4]!.Value.Prot);
        Assert.Equal(2, s.State.Frames[s.State.Ptes[0]!.Value.Frame].MapCount);
        // the shared VMA has no anon_vma: fork copies none of its PTEs (mm/memory.c vma_needs_copy, linux-6.18)
        Assert.Equal([0], s.State.Children[0].Keys.Order().ToArray());
        s.Cpu(new Call.CpuWrite(0, 3));
        Assert.Equal(1, s.State.Frames[s.State.Children[0][0]].Content);
        Assert.Equal(3, s.CpuView(0));
    }

    [Fact]
    public void Fork_copies_no_pte_of_a_vma_without_anon_vma_and_all_of_one_with()
    {
        // mm/memory.c vma_needs_copy (linux-6.18): no anon_vma, no copy and no notification; the zero page attaches
        // none (do_anonymous_page), a written page does (__anon_vma_prepare). Found by `notifier kernel` on 6.18.
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(1));
        s.Cpu(new Call.Fork());
        Assert.Empty(Events(s));
        Assert.Empty(s.State.Children[0]);
        Assert.Equal(new Pte(0, Prot.Read, false, true, true), s.State.Ptes[1]);
        s.Cpu(new Call.CpuWrite(2, 7));
        Assert.True(s.State.Vmas[0].AnonVma);
        s.Cpu(new Call.Fork());
        Assert.Equal(["MMU_NOTIFY_PROTECTION_PAGE[0,4)"], Events(s));
        Assert.Equal([1, 2], s.State.Children[1].Keys.Order().ToArray());
        Assert.Equal(0, s.State.Children[1][1]);
    }

    [Fact]
    public void A_vma_made_read_only_after_its_first_page_keeps_vm_account_and_does_not_merge_with_one_mapped_read_only()
    {
        // mm/mprotect.c mprotect_fixup (linux-7.2, linux-6.12): removing write keeps VM_ACCOUNT once the VMA has an
        // anon_vma; mm/vma.c is_mergeable_vma wants equal flags, so [10, 11) does not merge into [7, 10) (mapped r,
        // no VM_ACCOUNT: accountable_mapping) and [7, 10) gets no anon_vma; fork then copies no PTE of it
        // (mm/memory.c vma_needs_copy). Found by `notifier kernel` on 6.18: `mmap 0 16 rw; host_write 10 308225;
        // mmap 7 10 r; mprotect 8 11 r; guest_read 9; fork` left the child without page 9, the reference copied its
        // zero-page PTE.
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(10, 308225));
        s.Cpu(new Call.Mmap(7, 10, Prot.Read));
        s.Cpu(new Call.Mprotect(8, 11, Prot.Read));
        s.Cpu(new Call.CpuRead(9));
        Assert.False(s.State.VmaAt(9)!.AnonVma);
        Assert.False(s.State.VmaAt(9)!.Account);
        Assert.True(s.State.VmaAt(10) is { AnonVma: true, Account: true, Prot: Prot.Read });
        s.Cpu(new Call.Fork());
        Assert.False(s.State.Children[0].ContainsKey(9));
        Assert.True(s.State.Children[0].ContainsKey(10));
        // without an anon_vma, mprotect to r drops VM_ACCOUNT: such a VMA merges with one mapped r
        var t = New();
        t.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        t.Cpu(new Call.Mmap(7, 10, Prot.Read));
        t.Cpu(new Call.Mprotect(10, 11, Prot.Read));
        Assert.False(t.State.VmaAt(10)!.Account);
        Assert.True(t.State.VmaAt(7)!.SameKind(t.State.VmaAt(10)!));
    }

    [Fact]
    public void Madvise_pageout_gives_exclusive_pages_swap_entries_under_mmu_notify_clear_and_a_fault_maps_them_again()
    {
        // linux-7.2 mm/madvise.c madvise_cold_or_pageout_pte_range (skips the zero page and pages mapped more than
        // once) -> reclaim_pages -> mm/vmscan.c shrink_folio_list -> mm/rmap.c try_to_unmap_one (MMU_NOTIFY_CLEAR,
        // the PTE becomes a swap entry); mm/memory.c do_swap_page maps the swap cache's page again
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(2, 6));
        s.Cpu(new Call.CpuWrite(3, 7));
        s.Cpu(new Call.Fork()); // page 3 mapped twice from here
        s.Cpu(new Call.CpuWrite(0, 5));
        s.Cpu(new Call.CpuRead(1));
        s.Cpu(new Call.CpuWrite(2, 8)); // the parent's own copy of page 2 (wp_page_copy)
        int f0 = s.State.Ptes[0]!.Value.Frame;
        int line = s.Trace.Count, events = Events(s).Count;
        s.Cpu(new Call.MadvisePageout(0, 8));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s).Skip(events).ToList());
        Assert.Equal("madvise_pageout", s.Trace[line].Op);
        Assert.True(s.State.Ptes[0] is { Swapped: true, Readable: false, Writable: false } p0 && p0.Frame == f0);
        Assert.Equal(new Frame(5, 0, 1, false, s.State.Frames[f0].Generation, AnonExclusive: true), s.State.Frames[f0]); // the swap cache keeps it, its entry pte_swp_exclusive
        Assert.Equal(new Pte(0, Prot.Read, false, true, true), s.State.Ptes[1]); // the zero page stays
        Assert.False(s.State.Ptes[3]!.Value.Swapped); // mapped by the child too
        s.Cpu(new Call.CpuRead(0));
        Assert.True(s.State.Ptes[0] is { Swapped: false, Writable: true } q0 && q0.Frame == f0);
        Assert.Equal(1, s.State.Frames[f0].MapCount);
        Assert.Equal(5, s.CpuView(0));
        // mremap moves the swap entry; munmap frees the swap cache's page
        s.Cpu(new Call.Mremap(2, 3, 10));
        Assert.True(s.State.Ptes[10] is { Swapped: true } && s.State.Ptes[2] is null);
        int f10 = s.State.Ptes[10]!.Value.Frame;
        s.Cpu(new Call.Munmap(10, 11));
        Assert.True(s.State.Frames[f10].Free);
        Assert.Null(s.FirstViolation);
        // the trace replays to the same page table
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Ptes.ToArray(), replay.Final!.Ptes.ToArray());
    }

    [Fact]
    public void Madvise_free_makes_pages_lazyfree_and_pageout_discards_a_clean_one_and_keeps_one_written_again()
    {
        // linux-7.2 mm/madvise.c madvise_free_pte_range -> mm/swap.c folio_mark_lazyfree; mm/rmap.c try_to_unmap_one ("MADV_FREE
        // page check"): a clean lazyfree page is discarded (no swap entry), one written again is remapped and swap-backed again
        var kvm = new MirrorConfig("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1);
        var s = New(Vocabulary.Linux7_2, kvm);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 13));
        s.Cpu(new Call.Fork()); // page 3 mapped twice from here: lazyfree all the same (clean, not in the swap cache), not reclaimed
        foreach (int p in new[] { 0, 1, 2 }) s.Cpu(new Call.CpuWrite(p, 10 + p));
        s.Cpu(new Call.CpuRead(4)); // the zero page: never lazyfree
        s.Cpu(new Call.MadviseFree(0, 8));
        int f0 = s.State.Ptes[0]!.Value.Frame, f1 = s.State.Ptes[1]!.Value.Frame, f2 = s.State.Ptes[2]!.Value.Frame, f3 = s.State.Ptes[3]!.Value.Frame;
        Assert.True(new[] { f0, f1, f2 }.All(f => s.State.Frames[f] is { Lazyfree: true, Dirty: false }));
        Assert.True(s.State.Frames[f3] is { Lazyfree: true, MapCount: 2 });
        Assert.False(s.State.Frames[MmState.ZeroFrame].Lazyfree);
        s.Cpu(new Call.CpuWrite(1, 21)); // the PTE's dirty bit
        s.DeviceRead(0, 2);              // KVM maps it writable: kvm_release_page_dirty
        Assert.True(s.State.Frames[f1] is { Lazyfree: true, Dirty: true } && s.State.Frames[f2] is { Lazyfree: true, Dirty: true });
        int events = Events(s).Count;
        s.Cpu(new Call.MadvisePageout(0, 8));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s).Skip(events).ToList());
        Assert.Null(s.State.Ptes[0]);                       // discarded: no PTE, no swap entry, the frame freed
        Assert.True(s.State.Frames[f0].Free);
        Assert.True(s.State.Ptes[1] is { Swapped: false, Frame: var g1 } && g1 == f1); // kept, swap-backed again
        Assert.True(s.State.Ptes[2] is { Swapped: false, Frame: var g2 } && g2 == f2);
        Assert.False(s.State.Frames[f1].Lazyfree || s.State.Frames[f2].Lazyfree);
        Assert.Null(s.FirstViolation);
        s.Cpu(new Call.CpuRead(0));
        Assert.Equal(0, s.CpuView(0));                      // a new zero page
        Assert.Equal(21, s.CpuView(1));
        s.Cpu(new Call.MadvisePageout(0, 8));               // now swapped out as any page
        Assert.True(s.State.Ptes[1] is { Swapped: true } && s.State.Ptes[2] is { Swapped: true });
        Assert.Null(s.FirstViolation);
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_1, true)]
    [InlineData(Vocabulary.Linux6_18, true)]
    [InlineData(Vocabulary.V7, false)]
    public void Only_a_kernel_vocabulary_has_lazyfree_pages_and_an_interval_mirrors_fault_does_not_dirty_one(Vocabulary v, bool lazy)
    {
        // MADV_FREE is 4.5+ (the seed's v7 has no lazyfree pages: its pageout swaps the page out); hmm_range_fault marks nothing
        // dirty, only KVM's fault does (Frame.Dirty)
        var s = New(v, new MirrorConfig("dev"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.MadviseFree(0, 4));
        s.DeviceRead(0, 1);
        int f = s.State.Ptes[1]!.Value.Frame;
        Assert.Equal(lazy, s.State.Frames[f].Lazyfree);
        Assert.False(s.State.Frames[f].Dirty);
        s.Cpu(new Call.MadvisePageout(0, 4));
        if (lazy) Assert.Null(s.State.Ptes[1]);
        else Assert.True(s.State.Ptes[1] is { Swapped: true });
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Madvise_pageout_without_notification_is_a_violation_under_MigrateNoNotify()
    {
        // the planted bug of try_to_unmap_one (MigrateNoNotify drops its notification) reaches pageout too
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Upstream, [new MirrorConfig("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1)], Mutant.MigrateNoNotify));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 5));
        s.DeviceRead(0, 0);
        s.Cpu(new Call.MadvisePageout(0, 4));
        Assert.NotNull(s.FirstViolation);
    }

    [Fact]
    public void A_vma_mremap_moves_after_its_first_page_keeps_its_pgoff_and_does_not_merge_at_the_destination()
    {
        // linux-7.2 mm/vma.c copy_vma: only a VMA without anon_vma takes the new address as vm_pgoff; one with an anon_vma
        // keeps its own, so can_vma_merge_after (prev->vm_pgoff + vma_pages(prev) == pgoff) fails and [0, 8) stays
        // without an anon_vma: fork copies no PTE of it (mm/memory.c vma_needs_copy). Found by `notifier kernel` on 6.18:
        // `mmap 0 16 rw; guest_read 10; mremap 10 12 3; host_write 13 910638; mremap 12 15 8; mmap 10 12 rw; fork`
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(10));
        s.Cpu(new Call.Munmap(3, 5)); // MREMAP_FIXED unmaps the destination first (mremap_to -> do_munmap)
        s.Cpu(new Call.Mremap(10, 12, 3)); // no anon_vma yet: the moved VMA lines up with [0, 3) and merges
        Assert.Equal(0, s.State.VmaAt(3)!.PgDelta);
        s.Cpu(new Call.CpuWrite(13, 910638));
        s.Cpu(new Call.Munmap(8, 11));
        s.Cpu(new Call.Mremap(12, 15, 8));
        Assert.Equal(4, s.State.VmaAt(8)!.PgDelta); // vm_pgoff still that of page 12
        Assert.True(s.State.VmaAt(8)!.AnonVma);
        Assert.False(s.State.VmaAt(3)!.AnonVma);
        s.Cpu(new Call.Fork());
        Assert.False(s.State.Children[0].ContainsKey(3));
    }

    [Fact]
    public void Adjacent_thp_vmas_of_one_kind_are_one_merged_run()
    {
        // mm/vma.c merges adjacent VMAs of one kind whose pgoffs line up, so after an mremap back into the hole the huge
        // block lies inside one VMA and do_huge_pmd_anonymous_page maps a huge page (found by `notifier kernel --pages 1024`);
        // Vma.MergedRun names that VMA
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.Munmap(2, 3));
        s.Cpu(new Call.Mmap(2, 3, Prot.ReadWrite, Thp: true));
        Assert.Equal(3, s.State.Vmas.Length);
        Assert.Equal(new PageRange(0, 8), Vma.MergedRun(s.State.Vmas, s.State.VmaAt(2)!));
        // the fault asks thp_vma_suitable_order of that VMA (linux-7.2 include/linux/huge_mm.h): a huge page over [0, 4)
        s.Cpu(new Call.CpuWrite(1, 5));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p] is { Huge: true }));
        // a block only partly inside that VMA stays base pages
        var t = New();
        t.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        t.Cpu(new Call.Mmap(2, 3, Prot.Read, Thp: true));
        t.Cpu(new Call.CpuWrite(1, 5));
        Assert.True(t.State.Ptes[1] is { Huge: false });
    }

    [Theory]
    [InlineData(Vocabulary.Linux7_2, "MMU_NOTIFY_CLEAR[0,4)", true)]   // do_huge_zero_wp_pmd: a new THP over the PMD
    [InlineData(Vocabulary.Linux6_18, "MMU_NOTIFY_CLEAR[0,4)", true)]
    [InlineData(Vocabulary.Linux6_12, "MMU_NOTIFY_CLEAR[0,4) MMU_NOTIFY_CLEAR[1,2)", false)] // fallback: split, then wp_page_copy
    [InlineData(Vocabulary.V7, "MMU_MIGRATE[0,4)", true)]                // the seed's whole-page COW
    public void A_read_fault_in_an_empty_thp_block_maps_the_huge_zero_page_and_a_write_replaces_it(Vocabulary v, string events, bool huge)
    {
        // linux-7.2 mm/huge_memory.c do_huge_pmd_anonymous_page (use_zero_page: MmConfig.HugeZeroPage) and, on the write,
        // do_huge_pmd_wp_page -> do_huge_zero_wp_pmd (linux-6.18 and 7.x rows; 6.12: is_huge_zero_pmd -> fallback)
        var s = new Session(new MmConfig(16, 4, 48, v, HugeZeroPage: true));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        Assert.False(s.State.Vmas[0].AnonVma);
        s.Cpu(new Call.CpuRead(2));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: true, Prot: Prot.Read }));
        Assert.Empty(Events(s)); // a fill-in (R8)
        Assert.True(s.State.Vmas[0].AnonVma); // vmf_anon_prepare before the huge zero page, so fork copies this VMA
        s.Cpu(new Call.CpuWrite(1, 7));
        Assert.Equal(events, string.Join(" ", Events(s)));
        Assert.Equal(7, s.CpuView(1));
        Assert.Equal(0, s.CpuView(0));
        Assert.True(s.State.Ptes[1] is { Prot: Prot.ReadWrite } p1 && p1.Frame != MmState.ZeroFrame && p1.Huge == huge);
        Assert.True(s.State.Ptes[0] is { } p0 && (p0.Frame != MmState.ZeroFrame) == huge);
        // with the huge zero page off (the default) the read fault allocates the huge page, as before
        var off = new Session(new MmConfig(16, 4, 48, v));
        off.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        off.Cpu(new Call.CpuRead(2));
        Assert.True(off.State.Ptes[0] is { Huge: true } q && q.Frame != MmState.ZeroFrame);
    }

    [Fact]
    public void The_huge_zero_page_setting_is_a_config_field_of_the_trace_only_when_on()
    {
        var on = new MmConfig(16, 4, 48, Vocabulary.Linux6_18, HugeZeroPage: true);
        var j = TraceConfig.ToJson(on);
        Assert.True((bool)j["huge_zero_page"]!);
        Assert.True(TraceConfig.FromJson(j).HugeZeroPage);
        var off = TraceConfig.ToJson(on with { HugeZeroPage = false });
        Assert.False(off.ContainsKey("huge_zero_page"));
        Assert.False(TraceConfig.FromJson(off).HugeZeroPage);
        j["huge_zero_page"] = 1;
        Assert.Contains("huge_zero_page", Assert.Throws<TraceFormatException>(() => TraceConfig.FromJson(j)).Message);
    }

    [Fact]
    public void Mprotect_to_the_protection_a_vma_has_changes_nothing_and_splits_no_huge_page()
    {
        // linux-7.2 mm/mprotect.c mprotect_fixup: vma_flags_same_pair(old, new) returns 0 at once (linux-6.12:
        // newflags == oldflags); no vma_modify_flags, no change_protection, so no __split_huge_pmd either. Found by
        // `notifier kernel --pages 1024` (smaps AnonHugePages): `mmap_thp 0 1024 rw; host_write 3 5; mprotect 0 1 rw`
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 5));
        Assert.True(s.State.Ptes[0] is { Huge: true });
        int events = Events(s).Count;
        s.Cpu(new Call.Mprotect(0, 1, Prot.ReadWrite));
        Assert.Equal(events, Events(s).Count);
        Assert.True(s.State.Ptes[0] is { Huge: true });
        s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_PROTECTION_VMA[0,1)"], Events(s).Skip(events).ToList());
        Assert.True(s.State.Ptes[0] is { Huge: false, Prot: Prot.Read } && s.State.Ptes[1] is { Huge: false, Prot: Prot.ReadWrite });
    }

    [Fact]
    public void Migration_under_upstream_brackets_the_migration_entry_then_copies_and_maps_the_new_frame()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 4));
        int before = s.Trace.Count;
        s.Cpu(new Call.Migrate(0));
        Assert.Equal(["invalidate_range_start", "pte_update", "tlb_flush", "invalidate_range_end", "copy_page", "pte_update", "free_frame"], Ops(s, before + 1));
        Assert.Equal(2, s.State.Ptes[0]!.Value.Frame);
        Assert.Equal(4, s.CpuView(0));
        Assert.True(s.State.Frames[1].Free);
    }

    [Fact]
    public void Migration_under_v7_uses_invalidate_page_after_the_pte_change()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 4));
        int before = s.Trace.Count;
        s.Cpu(new Call.Migrate(0));
        Assert.Equal(["pte_update", "tlb_flush", "invalidate_page", "copy_page", "pte_update", "free_frame"], Ops(s, before + 1));
    }

    [Fact]
    public void Thp_fault_split_and_collapse()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(5, 3));
        Assert.All(Enumerable.Range(4, 4), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
        s.Cpu(new Call.SplitHuge(5));
        Assert.All(Enumerable.Range(4, 4), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
        var oldFrames = Enumerable.Range(4, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        s.Cpu(new Call.CollapseHuge(5));
        Assert.Equal(["MMU_HSPLIT[4,8)", "MMU_MIGRATE[4,8)"], Events(s));
        Assert.All(Enumerable.Range(4, 4), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
        Assert.All(oldFrames, f => Assert.True(s.State.Frames[f].Free));
        Assert.Equal(3, s.CpuView(5));
    }

    [Fact]
    public void Munmap_of_half_a_huge_page_splits_it_first()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Munmap(2, 4));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_UNMAP[2,4)"], Events(s));
        Assert.False(s.State.Ptes[0]!.Value.Huge);
        Assert.Null(s.State.Ptes[2]);
    }

    [Fact]
    public void Ksm_merge_write_protects_both_then_replaces_the_second()
    {
        var s = New(Vocabulary.Upstream);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.KsmMerge(0, 1));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,2)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s));
        Assert.Equal(new Pte(1, Prot.Read, false, true, true), s.State.Ptes[1]);
        Assert.Equal(2, s.State.Frames[1].MapCount);
        Assert.True(s.State.Frames[2].Free);
    }

    /// <summary>Migration keeps the PTE's dirty and young bits through the migration entry (linux-7.2 mm/rmap.c
    /// try_to_migrate_one: make_migration_entry_dirty / _young; mm/migrate.c remove_migration_pte: pte_mkdirty only for a
    /// dirty entry; linux-6.1 the same): a clean writable PTE (mlock's read fault, a page of its own under mm_forbids_zeropage, then mprotect's upgrade) stays clean, a
    /// written one stays dirty. Found by `notifier hammer --time 4m --seed 33` (VocabulariesAgree seed 1484: upstream left
    /// "rw dirty" where linux-6.1, which upgrades no clean PTE, left "r"); planted PlantMigrationDirtiesPte.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Migration_keeps_the_ptes_dirty_and_young_bits(bool planted)
    {
        var s = new Session(new MmConfig(8, 2, 40, Vocabulary.Upstream, [], MmForbidsZeropage: true) { PlantMigrationDirtiesPte = planted });
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.Mprotect(5, 8, Prot.Read));
        s.Cpu(new Call.Mlock(5, 8));
        s.Cpu(new Call.Mprotect(5, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(7, 4));
        s.Cpu(new Call.Migrate(6));
        s.Cpu(new Call.Migrate(7));
        var (clean, written) = (s.State.Ptes[6]!.Value, s.State.Ptes[7]!.Value);
        Assert.Equal((Prot.ReadWrite, true, true), (written.Prot, written.Dirty, written.Young));
        Assert.Equal((Prot.ReadWrite, planted, true), (clean.Prot, clean.Dirty, clean.Young));
        Assert.Equal(4, s.CpuView(7));
        Assert.Empty(s.State.Migrating);
    }

    /// <summary>mremap moves a PTE as it is (linux-7.2 mm/mremap.c move_ptes: get_and_clear_ptes, set_ptes at the destination;
    /// only soft-dirty is set, move_soft_dirty_pte): a clean writable PTE stays clean, a written one dirty. Found by `notifier
    /// hammer --time 2m --seed 33` (VocabulariesAgree seed 1889: upstream "rw dirty", linux-6.1 "r"); planted
    /// PlantMigrationDirtiesPte.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mremap_keeps_the_moved_ptes_dirty_and_young_bits(bool planted)
    {
        var s = new Session(new MmConfig(8, 2, 40, Vocabulary.Upstream, [], MmForbidsZeropage: true) { PlantMigrationDirtiesPte = planted });
        s.Cpu(new Call.Mmap(0, 4, Prot.Read));
        s.Cpu(new Call.Mlock(0, 4));
        s.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 4));
        s.Cpu(new Call.Mremap(0, 2, 6));
        var (clean, written) = (s.State.Ptes[6]!.Value, s.State.Ptes[7]!.Value);
        Assert.Equal((Prot.ReadWrite, true, true), (written.Prot, written.Dirty, written.Young));
        Assert.Equal((Prot.ReadWrite, planted, true), (clean.Prot, clean.Dirty, clean.Young));
        Assert.Equal((4, 0), (s.CpuView(7), s.CpuView(6)));
    }

    /// <summary>MADV_MERGEABLE of a shared (or hugetlb) mapping is ignored (linux-7.2 mm/ksm.c ksm_madvise ->
    /// vma_ksm_compatible -> ksm_compatible: "Just ignore the advice"): KSM never merges its pages, and a write fault keeps
    /// writing the page in place. Found by `notifier hammer --time 2m --seed 21` (PreciseEventsWriteProtectSafe, seed 864:
    /// two shared pages merged, a device's write to one read at the other, CoherentAccess); planted PlantKsmAdviceOnShared.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ksm_does_not_merge_the_pages_of_a_shared_mapping(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Upstream, []) { PlantKsmAdviceOnShared = planted });
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.KsmMerge(0, 1));
        s.Cpu(new Call.CpuWrite(1, 9));
        var merge = s.Trace.Last(l => l.Op == "ksm_merge");
        if (planted)
        {
            Assert.Null(merge.Get("result"));
            Assert.Equal((9, 9), (s.CpuView(0), s.CpuView(1))); // the write reached page 0 too
            return;
        }
        Assert.Equal("EINVAL (page 0 is not a mapped mergeable base page)", merge.Get("result"));
        Assert.NotEqual(s.State.Ptes[0]!.Value.Frame, s.State.Ptes[1]!.Value.Frame);
        Assert.Equal((7, 9), (s.CpuView(0), s.CpuView(1)));
    }

    [Fact]
    public void Ksm_merge_of_different_contents_replaces_nothing()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 8));
        s.Cpu(new Call.KsmMerge(0, 1));
        Assert.Equal(2, s.State.Ptes[1]!.Value.Frame);
        Assert.Equal("not identical", s.Trace.Last(l => l.Op == "pte_update").Get("result"));
    }

    [Fact]
    public void Ksm_merge_in_a_prot_none_vma_keeps_the_replaced_page_inaccessible()
    {
        // replace_page maps kpage with mk_pte(kpage, vma->vm_page_prot) (mm/ksm.c): PROT_NONE stays PROT_NONE
        var s = New(Vocabulary.Upstream);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.Mprotect(0, 4, Prot.None));
        s.Cpu(new Call.KsmMerge(0, 1));
        Assert.Equal(1, s.State.Ptes[1]!.Value.Frame);
        Assert.Equal(Prot.None, s.State.Ptes[1]!.Value.Prot);
        Assert.True(s.State.Frames[2].Free);
    }

    [Fact]
    public void Mlock_populates_and_munlock_sends_nothing()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mlock(0, 4));
        Assert.All(Enumerable.Range(0, 4), p => Assert.NotNull(s.State.Ptes[p]));
        Assert.True(s.State.Vmas[0].Mlocked);
        s.Cpu(new Call.Munlock(0, 4));
        Assert.False(s.State.Vmas[0].Mlocked);
        Assert.Empty(Events(s));
    }

    [Fact]
    public void Writeback_cleans_and_write_protects_a_shared_page()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Writeback(0));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_PAGE[0,1)"], Events(s));
        Assert.Equal(new Pte(1, Prot.Read, false, true, true), s.State.Ptes[0]);
    }

    [Fact]
    public void Clear_refs_clears_soft_dirty_and_write_protects_private_pages_over_the_whole_space()
    {
        var s = New(Vocabulary.V7);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.ClearRefs());
        Assert.Equal(["MMU_ISDIRTY[0,16)"], Events(s));
        Assert.Equal(new Pte(1, Prot.Read, true, true, false, false, true), s.State.Ptes[0]);
        s.Cpu(new Call.CpuWrite(0, 2));
        Assert.True(s.State.Ptes[0]!.Value.SoftDirty);
    }

    [Fact]
    public void Exit_releases_then_unmaps_everything()
    {
        var s = New(Vocabulary.V7, new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.DeviceWrite(0, 0, 1);
        int before = s.Trace.Count;
        s.Cpu(new Call.Exit());
        Assert.Equal("release", s.Trace[before + 1].Op);
        Assert.Equal(["MMU_MUNMAP[0,16)"], Events(s));
        Assert.True(s.State.Exited);
        Assert.True(s.State.Mirrors[0].Released);
        Assert.Throws<ModelException>(() => s.Call(new Call.CpuRead(0)));
    }

    [Fact]
    public void Release_waits_for_a_mirror_whose_fault_path_holds_the_driver_lock()
    {
        // mn_itree_release -> dmirror_interval_invalidate takes dmirror->mutex (lib/test_hmm.c)
        var s = New(Vocabulary.Upstream, new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Call(new Call.DeviceRead(0, 0));
        while (!s.State.Mirrors[0].Locked) s.Step(Machine.CanStep(s.State, 0) ? 0 : Machine.Cpu); // a fault-in (handle_mm_fault) runs as a CPU op
        s.Call(new Call.Exit());
        while (Machine.CanStep(s.State, Machine.Cpu) && s.State.Op!.Steps.Peek() is not Prim.Release) s.Step(Machine.Cpu);
        Assert.IsType<Prim.Release>(s.State.Op!.Steps.Peek());
        Assert.False(Machine.CanStep(s.State, Machine.Cpu));
        while (s.State.Mirrors[0].Locked) s.Step(0);
        Assert.True(Machine.CanStep(s.State, Machine.Cpu));
        s.Step(Machine.Cpu);
        Assert.Equal("release", s.Trace.Last().Op);
        Assert.True(s.State.Mirrors[0].Released);
    }

    [Fact]
    public void A_device_fault_after_exit_mmap_began_fails_with_efault()
    {
        // dmirror_fault: mmget_not_zero fails once mm_users is 0, i.e. from exit_mmap's start (lib/test_hmm.c)
        var s = New(Vocabulary.Upstream, new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Call(new Call.Exit());
        s.Call(new Call.DeviceRead(0, 0));
        s.Step(0);
        Assert.Equal("EFAULT", s.Trace.Last().Get("result"));
        Assert.Null(s.State.Mirrors[0].Op);
        Assert.Equal("EFAULT", s.LastError(0));
    }

    [Fact]
    public void A_refused_nonblock_start_stops_in_the_interval_tree_before_any_mm_listener()
    {
        // __mmu_notifier_invalidate_range_start: mn_itree_invalidate first; on -EAGAIN it returns before
        // mn_hlist_invalidate_range_start, so the full-mm listener is never told (and has nothing to back out)
        var s = New(Vocabulary.Upstream, new MirrorConfig("kvm", MirrorKind.Mm), new MirrorConfig("dev1"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Call(new Call.DeviceRead(1, 0));
        while (!s.State.Mirrors[1].Locked) s.Step(Machine.CanStep(s.State, 1) ? 1 : Machine.Cpu);
        s.Call(new Call.OomReap());
        while (s.State.Op is not null) s.Step(Machine.Cpu);
        var told = s.Trace.Where(l => l.Op == "invalidate").Select(l => $"{l.Get("mirror")}:{l.Get("result")}").ToList();
        Assert.Equal(["dev1:EAGAIN"], told);
        Assert.Equal(0, s.State.Mirrors[0].InProgress);
    }

    [Fact]
    public void A_refused_start_drops_the_teardown_an_unmap_at_end_listener_deferred_to_its_end()
    {
        // no invalidate_range_end follows a refused non-blockable start: dev0's deferred teardown of the
        // reaped range belongs to that invalidation and must not be applied at a later end of another range
        // (it was: found by `notifier refine`, spec/ and tla/ drop it at the refusal)
        var s = New(Vocabulary.Upstream, new MirrorConfig("dev0", MirrorKind.Interval, Policy.UnmapAtEnd), new MirrorConfig("dev1"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        Assert.True(s.State.Mirrors[0].Pt.ContainsKey(0));
        s.Call(new Call.DeviceRead(1, 0));
        while (!s.State.Mirrors[1].Locked) s.Step(1);
        s.Call(new Call.OomReap());
        while (s.State.Op is not null) s.Step(Machine.Cpu);
        Assert.Equal(["dev0:ok", "dev1:EAGAIN"], s.Trace.Where(l => l.Op == "invalidate").Select(l => $"{l.Get("mirror")}:{l.Get("result")}").ToList());
        Assert.Empty(s.State.Mirrors[0].DeferredAtEnd);
        s.Device(1);
        s.Cpu(new Call.Munmap(2, 4));
        Assert.Equal(1, s.Trace.Count(l => l.Op == "invalidate_range_end"));
        Assert.True(s.State.Mirrors[0].Pt.ContainsKey(0));
        Assert.NotNull(s.State.Ptes[0]);
    }

    [Fact]
    public void A_nonblock_start_waits_for_a_locked_mm_listener_which_may_not_fail()
    {
        // a subscription with invalidate_range_end must not fail its start (include/linux/mmu_notifier.h);
        // KVM spins on mmu_lock: the callback waits for the listener's lock instead of returning -EAGAIN
        var s = New(Vocabulary.Upstream, new MirrorConfig("kvm", MirrorKind.Mm), new MirrorConfig("dev1"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Call(new Call.DeviceRead(0, 0));
        while (!s.State.Mirrors[0].Locked) s.Step(Machine.CanStep(s.State, 0) ? 0 : Machine.Cpu);
        s.Call(new Call.OomReap());
        while (Machine.CanStep(s.State, Machine.Cpu)) s.Step(Machine.Cpu);
        Assert.Equal(["dev1:ok"], s.Trace.Where(l => l.Op == "invalidate").Select(l => $"{l.Get("mirror")}:{l.Get("result")}").ToList());
        while (s.State.Mirrors[0].Locked) s.Step(0);
        while (s.State.Op is not null) s.Step(Machine.Cpu);
        Assert.Equal(["dev1:ok", "kvm:ok"], s.Trace.Where(l => l.Op == "invalidate").Select(l => $"{l.Get("mirror")}:{l.Get("result")}").ToList());
        Assert.Equal(0, s.State.Mirrors[0].InProgress);
    }

    [Fact]
    public void Oom_reaper_skips_shared_and_mlocked_vmas_and_uses_the_nonblock_start()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(4, 1));
        s.Cpu(new Call.OomReap());
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)"], Events(s)); // upstream = linux-7.3: zap_vma_for_reaping sends MMU_NOTIFY_CLEAR
        Assert.Equal("invalidate_range_start_nonblock", s.Trace.Single(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal)).Op);
        Assert.Null(s.State.Ptes[0]);
        Assert.NotNull(s.State.Ptes[4]);
    }

    [Fact]
    public void Interval_notifier_insert_during_an_invalidation_waits_for_the_pass()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Upstream, [new MirrorConfig("dev0"), new MirrorConfig("dev1")]));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Call(new Call.IntervalRemove(1));
        s.Device(1);
        Assert.False(s.State.Mirrors[1].Registered);
        s.Call(new Call.Munmap(0, 4));
        s.Step(Machine.Cpu); // vma_update
        s.Step(Machine.Cpu); // invalidate_range_start: seq odd
        Assert.True(s.State.Invalidating);
        s.Call(new Call.IntervalInsert(1));
        Assert.Equal(s.State.InvalidateSeq, s.State.Mirrors[1].Seq); // assumed hit: read_begin sleeps
        s.Call(new Call.DeviceRead(1, 0));
        s.Step(1); // device_read misses -> fault
        Assert.False(Machine.CanStep(s.State, 1)); // mmu_interval_read_begin sleeps until the pass ends
        s.RunCpu();
        Assert.False(s.State.Invalidating);
        Assert.True(Machine.CanStep(s.State, 1));
    }

    [Fact]
    public void Interval_seq_is_odd_exactly_while_an_invalidation_runs()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Upstream, [new MirrorConfig("dev0")]));
        Assert.Equal(2, s.State.InvalidateSeq);
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Call(new Call.Munmap(0, 4));
        s.Step(Machine.Cpu);
        s.Step(Machine.Cpu);
        Assert.Equal(3, s.State.InvalidateSeq);
        Assert.Equal(1, s.State.ActiveInvalidateRanges);
        s.Step(Machine.Cpu); // dev0's invalidate: mmu_interval_set_seq
        Assert.Equal(3, s.State.Mirrors[0].Seq);
        s.RunCpu();
        Assert.Equal(4, s.State.InvalidateSeq);
        Assert.Equal(0, s.State.ActiveInvalidateRanges);
    }

    [Fact]
    public void Out_of_range_and_busy_calls_are_refused_with_a_model_error()
    {
        var s = New(Vocabulary.Upstream, new MirrorConfig("dev0"));
        var e1 = Assert.Throws<ModelException>(() => s.Call(new Call.Munmap(4, 20)));
        Assert.Equal("munmap: range [4, 20) is outside the address space [0, 16) or empty", e1.Message);
        Assert.True(e1.BadInput);
        var e2 = Assert.Throws<ModelException>(() => s.Call(new Call.DeviceRead(3, 0)));
        Assert.Equal("device_read: no mirror 3 (have 1)", e2.Message);
        s.Call(new Call.Mmap(0, 4, Prot.ReadWrite));
        var e3 = Assert.Throws<ModelException>(() => s.Call(new Call.CpuRead(0)));
        Assert.Equal("cpu_read: the mm is busy with mmap (run its steps first)", e3.Message);
        Assert.False(e3.BadInput);
    }

    [Fact]
    public void Fork_after_pageout_copies_the_swap_entry_and_a_write_to_the_shared_entry_copies_the_page()
    {
        // linux-7.2 mm/memory.c copy_nonpresent_pte (swap_dup_entry_direct, pte_swp_clear_exclusive): the child's copy is one
        // more reference to the swap cache's page, not a mapping; do_swap_page then maps it read-only (not exclusive), and a
        // write goes on to do_wp_page -> wp_page_copy. Found missing by `notifier kernel` (fork was not run after a pageout)
        var s = New(Vocabulary.Linux6_18);
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 11));
        s.Cpu(new Call.CpuWrite(2, 22));
        s.Cpu(new Call.MadvisePageout(0, 8));
        int f1 = s.State.Ptes[1]!.Value.Frame, f2 = s.State.Ptes[2]!.Value.Frame;
        s.Cpu(new Call.Fork());
        Assert.Equal((f1, f2), (s.State.Children[0][1], s.State.Children[0][2]));
        Assert.Equal((0, 2), (s.State.Frames[f1].MapCount, s.State.Frames[f1].RefCount));
        int events = Events(s).Count;
        s.Cpu(new Call.CpuRead(1));
        Assert.Equal(new Pte(f1, Prot.Read, false, true, true), s.State.Ptes[1]);
        Assert.Equal((1, 2), (s.State.Frames[f1].MapCount, s.State.Frames[f1].RefCount));
        s.Cpu(new Call.CpuWrite(2, 33));
        Assert.Equal(["MMU_NOTIFY_CLEAR[2,3)"], Events(s).Skip(events).ToList());
        Assert.True(s.State.Ptes[2] is { Prot: Prot.ReadWrite, Swapped: false } p2 && p2.Frame != f2);
        Assert.Equal(new Frame(22, 0, 1, false, s.State.Frames[f2].Generation), s.State.Frames[f2]); // the child's entry keeps it
        Assert.Equal(33, s.CpuView(2));
        // without a fork the swap-in is exclusive: writable, written in place
        var t = New(Vocabulary.Linux6_18);
        t.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        t.Cpu(new Call.CpuWrite(2, 22));
        t.Cpu(new Call.MadvisePageout(0, 8));
        int g2 = t.State.Ptes[2]!.Value.Frame;
        t.Cpu(new Call.CpuWrite(2, 33));
        Assert.True(t.State.Ptes[2] is { Prot: Prot.ReadWrite } q2 && q2.Frame == g2);
        Assert.Null(s.FirstViolation);
        Assert.Null(t.FirstViolation);
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Ptes.ToArray(), replay.Final!.Ptes.ToArray());
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_1)]
    public void Madvise_free_over_part_of_a_thp_marks_the_base_pages_of_its_range_lazyfree_after_the_split(Vocabulary v)
    {
        // linux-7.2 mm/madvise.c madvise_free_pte_range walks the PTEs the split (madvise_free_huge_pmd -> split_folio) left and
        // marks each kept base page lazyfree (folio_mark_lazyfree); a clean one is then discarded by pageout (mm/rmap.c
        // try_to_unmap_one, "MADV_FREE page check"). Found by `notifier kernel` (issue 13): the reference had not marked them
        var s = new Session(new MmConfig(16, 4, 48, v));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        int f = s.State.Ptes[1]!.Value.Frame;
        s.Cpu(new Call.MadviseFree(1, 3));
        Assert.True(s.State.Ptes[1] is { Huge: false } p1 && p1.Frame == f);
        Assert.True(s.State.Frames[f] is { Lazyfree: true, Dirty: false });
        // outside the range (page 3: the zero page from 6.12, else its own frame) nothing is lazyfree
        Assert.True(s.State.Ptes[3] is { } p3 && (p3.Frame == MmState.ZeroFrame) == (v != Vocabulary.Linux6_1) && !s.State.Frames[p3.Frame].Lazyfree);
        s.Cpu(new Call.MadvisePageout(1, 2));
        Assert.Null(s.State.Ptes[1]);
        Assert.True(s.State.Frames[f].Free);
        Assert.Null(s.FirstViolation);
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18, "MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[0,4)", true, true)]
    [InlineData(Vocabulary.Linux6_12, "MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[0,4)", true, true)]
    [InlineData(Vocabulary.Linux7_2, "MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[0,4)", true, true)]
    [InlineData(Vocabulary.Linux6_1, "MMU_NOTIFY_CLEAR[2,3) MMU_NOTIFY_CLEAR[0,4)", true, false)]
    [InlineData(Vocabulary.V7, "MMU_MUNMAP[2,3)", false, false)]
    public void Madvise_free_over_part_of_a_thp_splits_its_folio_and_zero_filled_subpages_become_the_zero_page(Vocabulary v, string events, bool split, bool zero)
    {
        // linux-7.2 mm/huge_memory.c madvise_free_huge_pmd -> split_folio (try_to_migrate_one under MMU_NOTIFY_CLEAR over the
        // folio), remap_page with TTU_USE_SHARED_ZEROPAGE -> mm/migrate.c try_to_map_unused_to_zeropage (6.12: RMP_USE_SHARED_ZEROPAGE;
        // 6.1: split_huge_page, every subpage mapped back). Found by `notifier kernel` on 6.18 (was refused there)
        var s = new Session(new MmConfig(16, 4, 48, v, MadviseFreeSplit: true));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        var olds = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        int events0 = Events(s).Count;
        s.Cpu(new Call.MadviseFree(2, 3));
        Assert.Equal(events, string.Join(" ", Events(s).Skip(events0)));
        Assert.All(Enumerable.Range(0, 4), p => Assert.Equal(!split, s.State.Ptes[p]!.Value.Huge));
        Assert.True(s.State.Ptes[1] is { Prot: Prot.ReadWrite } p1 && p1.Frame == olds[1]);
        foreach (int p in new[] { 0, 2, 3 })
        {
            Assert.Equal(zero ? MmState.ZeroFrame : olds[p], s.State.Ptes[p]!.Value.Frame);
            Assert.Equal(zero, s.State.Frames[olds[p]].Free);
        }
        Assert.Equal(7, s.CpuView(1));
        Assert.Null(s.FirstViolation);
        // mapped by a child too (folio_maybe_mapped_shared): no split
        var t = new Session(new MmConfig(16, 4, 48, v, MadviseFreeSplit: true));
        t.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        t.Cpu(new Call.CpuWrite(1, 7));
        t.Cpu(new Call.Fork());
        t.Cpu(new Call.MadviseFree(2, 3));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(t.State.Ptes[p]!.Value.Huge));
        // on by default (the TLA+ spec has the split: tla/ site split_folio)
        Assert.True(New(v).State.Config.MadviseFreeSplit);
        // off (a trace written before the split, without the config field) the huge page stays whole
        var u = new Session(new MmConfig(16, 4, 48, v, MadviseFreeSplit: false));
        u.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        u.Cpu(new Call.CpuWrite(1, 7));
        u.Cpu(new Call.MadviseFree(2, 3));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(u.State.Ptes[p]!.Value.Huge));
        // a config field of the trace only when on
        var j = TraceConfig.ToJson(s.State.Config);
        Assert.True((bool)j["madvise_free_split"]!);
        Assert.True(TraceConfig.FromJson(j).MadviseFreeSplit);
        Assert.False(TraceConfig.ToJson(u.State.Config).ContainsKey("madvise_free_split"));
    }

    [Theory]
    [InlineData(Vocabulary.Linux6_18, Prot.Read)]
    [InlineData(Vocabulary.Linux6_12, Prot.Read)]
    [InlineData(Vocabulary.Linux7_2, Prot.Read)]
    [InlineData(Vocabulary.Linux6_1, Prot.ReadWrite)]
    public void Finding_mremap_breaks_the_ksm_pages_of_the_moved_range_before_moving_them(Vocabulary v, Prot unshared)
    {
        // linux-7.2 mm/mremap.c prep_move_vma (6.12, 6.1: move_vma) -> ksm_madvise(MADV_UNMERGEABLE) -> mm/ksm.c break_ksm: each KSM
        // page of the old range faulted with FAULT_FLAG_UNSHARE (6.1: FAULT_FLAG_WRITE), do_wp_page -> wp_page_copy (MMU_NOTIFY_CLEAR
        // over the page), then move_page_tables moves the copy. Found by `notifier kernel --count 1000 --seed 7` on 6.18: the kernel
        // showed the moved page exclusive, the reference still the KSM page's (map count 2)
        var s = New(v);
        s.Cpu(new Call.Mmap(8, 16, Prot.ReadWrite, Mergeable: true));
        s.Cpu(new Call.CpuWrite(11, 9));
        s.Cpu(new Call.CpuWrite(13, 9));
        s.Cpu(new Call.CpuWrite(10, 4));
        s.Cpu(new Call.KsmMerge(13, 11));
        int kf = s.State.Ptes[13]!.Value.Frame, f10 = s.State.Ptes[10]!.Value.Frame;
        Assert.Equal((kf, 2, true), (s.State.Ptes[11]!.Value.Frame, s.State.Frames[kf].MapCount, s.State.Frames[kf].Ksm));
        int events0 = Events(s).Count;
        s.Cpu(new Call.Mremap(9, 12, 2));
        Assert.Equal("MMU_NOTIFY_CLEAR[11,12) MMU_NOTIFY_UNMAP[9,12)", string.Join(" ", Events(s).Skip(events0)));
        var moved = s.State.Ptes[4]!.Value;
        Assert.NotEqual(kf, moved.Frame);
        Assert.Equal((unshared, unshared == Prot.ReadWrite), (moved.Prot, moved.Dirty));
        Assert.Equal((9, 1, false), (s.State.Frames[moved.Frame].Content, s.State.Frames[moved.Frame].MapCount, s.State.Frames[moved.Frame].Ksm));
        Assert.Equal((1, true), (s.State.Frames[kf].MapCount, s.State.Frames[kf].Ksm)); // page 13 keeps the KSM page
        Assert.Equal(f10, s.State.Ptes[3]!.Value.Frame);                                // an ordinary page moves as it is
        s.Cpu(new Call.CpuWrite(4, 3));
        Assert.Equal((3, 9), (s.CpuView(4), s.CpuView(13)));
        Assert.Null(s.FirstViolation);
        // the trace (config field mremap_break_ksm) replays to the same page table
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var replay = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(s.State.Ptes.ToArray(), replay.Final!.Ptes.ToArray());
        Assert.True(TraceConfig.FromJson(TraceConfig.ToJson(s.State.Config)).MremapBreakKsm);
        // on by default (the TLA+ spec breaks KSM pages too, NotifierSpec.tla MremapBreakKsm); off (a trace written before it,
        // without the config field) the KSM page moves as it is
        Assert.True(New(v).State.Config.MremapBreakKsm);
        var u = new Session(new MmConfig(16, 4, 48, v, MremapBreakKsm: false));
        u.Cpu(new Call.Mmap(8, 16, Prot.ReadWrite, Mergeable: true));
        u.Cpu(new Call.CpuWrite(11, 9));
        u.Cpu(new Call.CpuWrite(13, 9));
        u.Cpu(new Call.KsmMerge(13, 11));
        u.Cpu(new Call.Mremap(9, 12, 2));
        Assert.Equal(u.State.Ptes[13]!.Value.Frame, u.State.Ptes[4]!.Value.Frame);
        Assert.False(TraceConfig.ToJson(u.State.Config).ContainsKey("mremap_break_ksm"));
    }
}
