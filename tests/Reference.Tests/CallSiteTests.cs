using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>The Linux 7.2 call sites of issue 12 item 4, each run as the user operation that reaches it:
/// exact steps, events, PTEs and results, and the vocabularies that lack the site refuse it.</summary>
public class CallSiteTests
{
    private static Session New(Vocabulary v = Vocabulary.Linux7_2, params MirrorConfig[] mirrors) =>
        new(new MmConfig(16, 4, 48, v, [.. mirrors]));

    private static List<string> Events(Session s) => s.Trace.Where(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal))
        .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList();

    private static List<string> Ops(Session s, int fromLine) => s.Trace.Skip(fromLine).Select(l => l.Op).ToList();

    private static string? Result(StepOutcome o) => (string?)o.Line.Get("result");

    /// <summary>A call that may be refused after steps the kernel takes all the same (UFFDIO_MOVE's bracket around a step it
    /// refuses): its result, its steps run.</summary>
    private static string? Refused(Session s, Call c)
    {
        var r = Result(s.Call(c));
        s.RunCpu();
        return r;
    }

    // ------------------------------------------------------------ NUMA hinting

    /// <summary>mlock of part of a PMD-mapped block splits the VMA at 10 and the huge PMD straddling it (linux-7.2 mm/mlock.c
    /// mlock_fixup -> mm/vma.c vma_modify_flags -> __split_vma -> mm/huge_memory.c vma_adjust_trans_huge ->
    /// split_huge_pmd_if_needed: __split_huge_pmd's MMU_NOTIFY_CLEAR over the block); planted (PlantMlockKeepsStraddlingPmd):
    /// the PMD kept across the VMA edge, no bracket.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mlock_of_part_of_a_huge_block_splits_its_pmd(bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantMlockKeepsStraddlingPmd = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(9, 7));
        int before = s.Trace.Count;
        s.Cpu(new Call.Mlock(10, 16));
        Assert.Equal(plant, s.State.Ptes[9]!.Value.Huge);
        Assert.Equal(plant ? [] : ["MMU_NOTIFY_CLEAR[8,12)"], s.Trace.Skip(before).Where(l => l.Op == "invalidate_range_start")
            .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").Distinct().ToList());
        Assert.Equal((false, true), (s.State.VmaAt(9)!.Mlocked, s.State.VmaAt(10)!.Mlocked));
        Assert.Equal(7, s.CpuView(9));
    }

    /// <summary>task_numa_work -> change_prot_numa walks each kernel VMA (change_pmd_range splits a huge PMD only where the range
    /// covers part of it): a reference piece boundary inside a PMD-mapped block (an mprotect that changed nothing) splits nothing
    /// (session 14; the reference walked its pieces and split the block at 10).</summary>
    [Fact]
    public void Numa_scan_walks_the_kernels_vma_and_splits_no_pmd_at_a_piece_boundary()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2));
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(9, 7));
        s.Cpu(new Call.Mprotect(3, 10, Prot.ReadWrite));
        int before = s.Trace.Count;
        s.Cpu(new Call.NumaScan(5, 16));
        Assert.True(s.State.Ptes[9]!.Value.Huge);
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[5,16)"], s.Trace.Skip(before).Where(l => l.Op == "invalidate_range_start")
            .Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")})").ToList());
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Numa_scan_makes_present_ptes_prot_none_under_protection_vma_and_leaves_the_vma()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuRead(2)); // the zero page: skipped (folio_can_map_prot_numa: no folio)
        int before = s.Trace.Count;
        s.Cpu(new Call.NumaScan(0, 4));
        Assert.Equal(["change_prot_numa", "invalidate_range_start", "pte_update", "tlb_flush", "invalidate_range_end"], Ops(s, before));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[0,4)"], Events(s));
        Assert.Equal(new Pte(1, Prot.None, true, true, true), s.State.Ptes[1]);
        Assert.Equal(new Pte(0, Prot.Read, false, true, true), s.State.Ptes[2]);
        Assert.Equal(Prot.ReadWrite, s.State.VmaAt(1)!.Prot);
        Assert.Null(s.FirstViolation);
        // the NUMA hinting fault (do_numa_page) restores the PTE without a notification; the contents are kept
        int events = Events(s).Count;
        s.Cpu(new Call.CpuWrite(1, 6));
        Assert.Equal(events, Events(s).Count);
        Assert.Equal(new Pte(1, Prot.ReadWrite, true, true, true), s.State.Ptes[1]);
        Assert.Equal(6, s.CpuView(1));
    }

    [Fact]
    public void A_numa_hinting_fault_restores_a_shared_pte_read_only_when_it_is_not_soft_dirty()
    {
        // linux-7.2 mm/memory.c do_numa_page: pte_modify(old_pte, vma->vm_page_prot), writable only if
        // can_change_pte_writable (mm/mprotect.c maybe_change_pte_writable: pte_needs_soft_dirty_wp); clear_refs made
        // the VMA's vm_page_prot read-only (vma_wants_writenotify: vma_soft_dirty_enabled, mm/vma.c)
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuWrite(2, 7));
        s.Cpu(new Call.NumaScan(0, 4));
        s.Cpu(new Call.CpuRead(2)); // still soft-dirty: restored writable, as before clear_refs
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[2]!.Value.Prot);
        s.Cpu(new Call.NumaScan(0, 4));
        s.Cpu(new Call.ClearRefs());
        s.Cpu(new Call.CpuRead(1));
        Assert.Equal((Prot.Read, false), (s.State.Ptes[1]!.Value.Prot, s.State.Ptes[1]!.Value.SoftDirty));
        s.Cpu(new Call.CpuWrite(1, 6)); // the write fault makes it soft-dirty again
        Assert.Equal((Prot.ReadWrite, true), (s.State.Ptes[1]!.Value.Prot, s.State.Ptes[1]!.Value.SoftDirty));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Numa_scan_skips_hugetlb_inaccessible_and_empty_vmas_and_is_refused_where_the_vocabulary_lacks_it()
    {
        var s = New(mirrors: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Hugetlb: true));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(8, 12, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(4, 2));
        s.Cpu(new Call.Mprotect(4, 8, Prot.None));
        int before = Events(s).Count;
        Assert.Null(Result(s.Call(new Call.NumaScan(0, 12))));
        Assert.Null(s.State.Op); // nothing to do: hugetlb skipped, PROT_NONE skipped, [8, 12) empty
        Assert.Equal(before, Events(s).Count);
        var v7 = New(Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        Assert.Equal("ENOSYS (NUMA hinting has no row in this vocabulary)", Result(v7.Call(new Call.NumaScan(0, 4))));
        Assert.Equal("MMU_NOTIFY_PROTECTION_VMA", Vocabularies.ByName("linux-6.1")!.EventOf("change_prot_numa"));
    }

    [Fact]
    public void A_listener_that_consults_the_vma_keeps_device_access_through_numa_hinting()
    {
        var s = New(mirrors: new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.DeviceRead(0, 0);
        s.Cpu(new Call.NumaScan(0, 4));
        Assert.Equal(Rules.NoStaleDeviceMapping, s.FirstViolation!.Rule);
        Assert.Equal("dev0 maps page 0 -> frame 1.1 rw but the CPU PTE is frame 1 none dirty soft-dirty", s.FirstViolation.Message);
        var ok = New(mirrors: new MirrorConfig("dev0", MirrorKind.Interval, Policy.HmmUnmapVma));
        ok.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        ok.Cpu(new Call.CpuWrite(0, 1));
        ok.DeviceRead(0, 0);
        ok.Cpu(new Call.NumaScan(0, 4));
        Assert.Null(ok.FirstViolation);
        Assert.Empty(ok.State.Mirrors[0].Pt);
    }

    // ------------------------------------------------------------ PAGEMAP_SCAN

    [Fact]
    public void Pagemap_scan_write_protects_under_protection_vma_over_the_whole_range()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 3));
        s.Cpu(new Call.CpuWrite(1, 4));
        int before = s.Trace.Count;
        s.Cpu(new Call.PagemapScanWp(0, 8)); // [4, 8) has no VMA: notified all the same (do_pagemap_scan)
        Assert.Equal(["pagemap_scan_wp", "invalidate_range_start", "pte_update", "pte_update", "tlb_flush", "invalidate_range_end"], Ops(s, before));
        Assert.Equal(["MMU_NOTIFY_PROTECTION_VMA[0,8)"], Events(s));
        Assert.Equal(new Pte(1, Prot.Read, true, true, true), s.State.Ptes[0]);
        Assert.Equal(new Pte(2, Prot.Read, true, true, true), s.State.Ptes[1]);
        Assert.Equal(Prot.ReadWrite, s.State.VmaAt(0)!.Prot);
        // the write fault resolves the (asynchronous) write-protect by reuse: no notification
        int events = Events(s).Count;
        s.Cpu(new Call.CpuWrite(0, 7));
        Assert.Equal(events, Events(s).Count);
        Assert.True(s.State.Ptes[0]!.Value.Writable);
        Assert.Null(s.FirstViolation);
        var old = New(Vocabulary.Linux6_1);
        Assert.Equal("ENOSYS (PAGEMAP_SCAN has no row in this vocabulary)", Result(old.Call(new Call.PagemapScanWp(0, 4))));
        Assert.Equal("MMU_NOTIFY_PROTECTION_VMA", Vocabularies.ByName("linux-6.12")!.EventOf("do_pagemap_scan"));
    }

    // ------------------------------------------------------------ UFFDIO_MOVE

    [Fact]
    public void Uffd_move_clears_the_source_under_clear_and_maps_the_same_frame_at_the_destination()
    {
        var s = New(mirrors: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.DeviceRead(0, 1);
        int before = s.Trace.Count;
        s.Cpu(new Call.UffdMove(1, 6));
        // the destination VMA [4, 8), split off by the registration, gets its anon_vma (find_vma_and_prepare_anon)
        Assert.Equal(["uffdio_move", "vma_update", "invalidate_range_start", "invalidate", "pte_update", "pte_update", "tlb_flush", "invalidate_range_end"], Ops(s, before));
        Assert.Equal("MMU_NOTIFY_CLEAR[1,2)", Events(s).Last());
        Assert.Null(s.State.Ptes[1]);
        Assert.Equal(new Pte(1, Prot.ReadWrite, true, true, true), s.State.Ptes[6]);
        Assert.Equal(new Frame(9, 1, 1, false, 1, AnonExclusive: true, Clean: true), s.State.Frames[1]);
        Assert.Equal([0], s.State.Mirrors[0].Pt.Keys.Order()); // dmirror faulted [0, 2) in; page 1 unmapped by the CLEAR
        Assert.Equal(9, s.CpuView(6));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Uffd_move_refusals()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.Mmap(8, 12, Prot.Read));
        s.Cpu(new Call.UffdRegister(0, 4));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(1, 1));
        // refused inside move_pages_ptes' bracket (linux-7.2 mm/userfaultfd.c: range_start before the PTE checks)
        Assert.Equal("EEXIST (destination is mapped)", Refused(s, new Call.UffdMove(0, 1)));
        Assert.Equal("ENOENT (source not mapped)", Refused(s, new Call.UffdMove(2, 3)));   // the PMD of [0, 4) has a PTE table
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s));
        Assert.Equal("EINVAL (both VMAs must be private anonymous, writable, with equal flags)", Result(s.Call(new Call.UffdMove(0, 5))));
        Assert.Equal("EINVAL (both VMAs must be private anonymous, writable, with equal flags)", Result(s.Call(new Call.UffdMove(0, 9))));
        Assert.Equal("ENOENT (no VMA)", Result(s.Call(new Call.UffdMove(0, 13))));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuRead(0));
        int events = Events(s).Count;
        Assert.Equal("EBUSY (page not exclusive to this mapping)", Refused(s, new Call.UffdMove(0, 2)));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,1)"], Events(s).Skip(events));
        Assert.Equal("ENOSYS (UFFDIO_MOVE has no row in this vocabulary)", Result(New(Vocabulary.Linux6_1).Call(new Call.UffdMove(0, 1))));
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-6.12")!.EventOf("move_pages_ptes"));
    }

    /// <summary>linux-7.2 mm/userfaultfd.c move_pages_ptes starts MMU_NOTIFY_CLEAR over [src_addr, src_addr + len) (len: the
    /// rest of the move) before its PTE checks, and a step it refuses there (-EEXIST: page 5 is mapped) ends it with no PTE
    /// changed and no flush_tlb_range (`goto out`: invalidate_range_end); linux-6.18 has that move_pages_ptes (commit
    /// 50944692052b), linux-6.12 move_pages_pte brackets one page; linux-6.1 and v7 have no UFFDIO_MOVE. The listener hears
    /// it and drops page 0. Planted: PlantUffdMoveRefusesUnbracketed, the reference of session 12 (refused first, no bracket).</summary>
    [Theory]
    [InlineData(Vocabulary.Linux7_2, false, "MMU_NOTIFY_CLEAR[0,2)")]
    [InlineData(Vocabulary.Linux6_18, false, "MMU_NOTIFY_CLEAR[0,2)")]
    [InlineData(Vocabulary.Linux6_12, false, "MMU_NOTIFY_CLEAR[0,1)")]
    [InlineData(Vocabulary.Linux7_2, true, null)]
    [InlineData(Vocabulary.Linux6_1, false, null)]
    [InlineData(Vocabulary.V7, false, null)]
    public void A_uffd_move_step_refused_in_move_pages_ptes_has_an_empty_bracket(Vocabulary v, bool planted, string? bracket)
    {
        var s = new Session(new MmConfig(16, 4, 48, v, [new MirrorConfig("dev0")]) { PlantUffdMoveRefusesUnbracketed = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(0, 16));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(5, 8));
        s.DeviceRead(0, 0);
        var ptes = s.State.Ptes;
        int before = s.Trace.Count, events = Events(s).Count;
        string? result = Refused(s, new Call.UffdMove(0, 5, 2));
        Assert.Equal(ptes, s.State.Ptes);
        Assert.Null(s.FirstViolation);
        if (v is Vocabulary.Linux6_1 or Vocabulary.V7)
        {
            Assert.Equal("ENOSYS (UFFDIO_MOVE has no row in this vocabulary)", result);
            return;
        }
        Assert.Equal("EEXIST (destination is mapped)", result);
        if (bracket is null)
        {
            Assert.Equal(["uffdio_move"], Ops(s, before));
            Assert.True(s.State.Mirrors[0].Pt.ContainsKey(0));
            return;
        }
        Assert.Equal(["uffdio_move", "invalidate_range_start", "invalidate", "invalidate_range_end"], Ops(s, before));
        Assert.Equal("EEXIST (destination is mapped)", s.Trace[before].Get("result"));
        Assert.Equal([bracket], Events(s).Skip(events));
        Assert.False(s.State.Mirrors[0].Pt.ContainsKey(0));
        Assert.Null(s.State.Op);
    }

    /// <summary>The refusals of move_pages before move_pages_ptes' bracket (linux-7.2 mm/userfaultfd.c): a THP destination PMD
    /// (pmd_trans_huge(dst_pmdval): -EEXIST), a THP source not PageAnonExclusive (-EBUSY, before split_huge_pmd), and a
    /// source PMD with no page table (pmd_none(*src_pmd): -ENOENT). The model has no page tables: a huge block (its PMD)
    /// with no PTE is taken to have none, one with a PTE to have one (the ENOENT inside the bracket). The refusals inside it:
    /// -EEXIST, -ENOENT, -EBUSY (a page fork shares), each an empty bracket over the rest of the move.</summary>
    [Fact]
    public void Uffd_move_refuses_before_the_bracket_where_the_kernel_has_not_opened_it()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(0, 16));
        s.Cpu(new Call.CpuWrite(8, 1));    // [8, 12) a THP
        Assert.True(s.State.Ptes[9]!.Value.Huge);
        s.Cpu(new Call.SplitHuge(8));
        s.Cpu(new Call.MadviseDontneed(9, 12));   // [8, 12) base PTEs: page 8 mapped, a PTE table
        s.Cpu(new Call.CpuWrite(12, 2));   // [12, 16) a THP
        int events = Events(s).Count;
        Assert.Equal("EEXIST (destination is mapped)", Refused(s, new Call.UffdMove(8, 13)));   // a THP destination PMD
        Assert.Equal("ENOENT (source not mapped)", Refused(s, new Call.UffdMove(1, 9)));       // [0, 4): no PTE, no table
        Assert.Empty(Events(s).Skip(events));
        Assert.Equal("ENOENT (source not mapped)", Refused(s, new Call.UffdMove(10, 1, 2)));   // a PTE table at [8, 12)
        Assert.Equal(["MMU_NOTIFY_CLEAR[10,12)"], Events(s).Skip(events));
        s.Cpu(new Call.Fork());
        events = Events(s).Count;
        Assert.Equal("EBUSY (page not exclusive to this mapping)", Refused(s, new Call.UffdMove(13, 1)));   // the THP fork shares
        Assert.Equal("EBUSY (page not exclusive to this mapping)", Refused(s, new Call.UffdMove(8, 1)));    // page 8 fork shares
        Assert.Equal(["MMU_NOTIFY_CLEAR[8,9)"], Events(s).Skip(events));
        Assert.True(s.State.Ptes[13]!.Value.Huge);
        Assert.Null(s.FirstViolation);
    }

    /// <summary>A THP source moved in part to a mapped destination: linux-7.2 mm/userfaultfd.c move_pages splits the source PMD
    /// (split_huge_pmd: mm/huge_memory.c __split_huge_pmd, MMU_NOTIFY_CLEAR over the block) and `continue`s, then
    /// move_pages_ptes brackets the step and refuses it (-EEXIST): the PMD stays split (linux-6.12 alike). Planted:
    /// PlantUffdMoveRefusalKeepsPmd, the reference of session 12 (the refusal left the PMD whole).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_refused_uffd_move_of_a_thp_source_splits_its_pmd_first(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantUffdMoveRefusalKeepsPmd = planted });
        s.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(6, 2));
        var frames = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        int events = Events(s).Count;
        Assert.Equal("EEXIST (destination is mapped)", Refused(s, new Call.UffdMove(2, 6)));
        Assert.Equal(planted ? ["MMU_NOTIFY_CLEAR[2,3)"] : ["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s).Skip(events));
        Assert.All(Enumerable.Range(0, 4), p => Assert.Equal(planted, s.State.Ptes[p]!.Value.Huge));
        Assert.Equal(frames, Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList());
        Assert.Equal(1, s.CpuView(0));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>linux-7.2 mm/userfaultfd.c uffd_move_lock -> uffd_lock_vma (find_vma_and_prepare_anon): the destination VMA
    /// gets an anon_vma before any check, so a zero page moved into a VMA that had none leaves one, and fork copies its PTE
    /// (vma_needs_copy). Found by `notifier kernel` on 6.18.44: `mmap 0 16 rw; uffd_register 8 12; guest_read 2;
    /// uffd_move 2 9 1; fork`, child 0 page 9 present in the kernel, not in the reference of before.</summary>
    [Fact]
    public void Uffd_move_gives_the_destination_vma_an_anon_vma_and_fork_copies_it()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(8, 12));
        s.Cpu(new Call.CpuRead(2));
        Assert.Equal(MmState.ZeroFrame, s.State.Ptes[2]!.Value.Frame);
        Assert.False(s.State.VmaAt(9)!.AnonVma);
        s.Cpu(new Call.UffdMove(2, 9));
        Assert.True(s.State.VmaAt(9)!.AnonVma);
        Assert.False(s.State.VmaAt(2)!.AnonVma);
        Assert.Equal((MmState.ZeroFrame, Prot.Read), (s.State.Ptes[9]!.Value.Frame, s.State.Ptes[9]!.Value.Prot));
        s.Cpu(new Call.Fork());
        Assert.Equal(MmState.ZeroFrame, s.State.Children[0][9]);
        Assert.False(s.State.Children[0].ContainsKey(2));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>The destination's anon_vma stays when the move is then refused (linux-7.2 mm/userfaultfd.c uffd_move_lock ->
    /// uffd_lock_vma / find_vma_and_prepare_anon before move_pages' checks): a refusal into [8, 12) (EEXIST: page 9 holds the
    /// zero page) leaves it an anon_vma, and fork copies its zero page; a refusal for want of a destination VMA leaves
    /// nothing. Planted: PlantUffdMoveRefusalForgetsAnonVma, the reference of before (the refusal left the state as it was).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_refused_uffd_move_still_gives_the_destination_vma_an_anon_vma(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantUffdMoveRefusalForgetsAnonVma = planted });
        s.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(8, 12));
        s.Cpu(new Call.CpuRead(2));
        s.Cpu(new Call.CpuRead(9));
        Assert.False(s.State.VmaAt(9)!.AnonVma);
        Assert.Equal("EEXIST (destination is mapped)", Refused(s, new Call.UffdMove(2, 9)));
        Assert.Equal("ENOENT (no VMA)", Result(s.Call(new Call.UffdMove(2, 13))));
        s.Cpu(new Call.Fork());
        Assert.Equal(!planted, s.State.VmaAt(9)!.AnonVma);
        Assert.False(s.State.VmaAt(2)!.AnonVma);
        Assert.Equal(!planted, s.State.Children[0].ContainsKey(9));
        Assert.False(s.State.Children[0].ContainsKey(2));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Uffd_move_of_a_thp_page_splits_the_pmd_first()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(0, 1));
        Assert.True(s.State.Ptes[0]!.Value.Huge);
        s.Cpu(new Call.UffdMove(2, 5));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[2,3)"], Events(s));
        Assert.All(Enumerable.Range(0, 4).Where(p => p != 2), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
        Assert.Null(s.State.Ptes[2]);
        Assert.NotNull(s.State.Ptes[5]);
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Uffd_move_of_a_whole_aligned_thp_moves_the_pmd_under_one_clear_over_the_source_pmd()
    {
        // linux-7.2 mm/userfaultfd.c move_pages: a trans huge source PMD, src and dst PMD-aligned, len covering the PMD,
        // dst PMD none -> mm/huge_memory.c move_pages_huge_pmd: MMU_NOTIFY_CLEAR over [src, src + HPAGE_PMD_SIZE)
        var s = New(mirrors: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(1, 9));
        var frames = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        s.DeviceRead(0, 1);
        int before = s.Trace.Count;
        s.Cpu(new Call.UffdMove(0, 4, 4));
        Assert.Equal(["uffdio_move", "vma_update", "invalidate_range_start", "invalidate", "pte_update", "pte_update", "pte_update", "pte_update", "tlb_flush",
            "pte_update", "pte_update", "pte_update", "pte_update", "invalidate_range_end"], Ops(s, before));
        Assert.Equal("MMU_NOTIFY_CLEAR[0,4)", Events(s).Last());
        Assert.Single(Events(s));   // no split
        Assert.All(Enumerable.Range(0, 4), p => Assert.Null(s.State.Ptes[p]));
        Assert.Equal(frames, Enumerable.Range(4, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToList());
        Assert.All(Enumerable.Range(4, 4), p => Assert.Equal(new Pte(frames[p - 4], Prot.ReadWrite, true, true, true, Huge: true), s.State.Ptes[p]));
        Assert.Empty(s.State.Mirrors[0].Pt);
        Assert.Equal(9, s.CpuView(5));
        Assert.Null(s.FirstViolation);
        Assert.Equal(4, s.Trace[before].Get("len"));
    }

    [Fact]
    public void Uffd_move_of_a_thp_splits_it_when_not_aligned_short_or_the_destination_is_mapped()
    {
        // move_splits_huge_pmd: src or dst not PMD-aligned, or less than HPAGE_PMD_SIZE left; then move_pages_ptes page by
        // page, each bracket over the rest of the move (move_pages passes src_end - src_addr)
        var s = New();
        s.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.UffdMove(0, 5, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[0,2)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s));
        Assert.Null(s.State.Ptes[0]); Assert.Null(s.State.Ptes[1]);
        Assert.False(s.State.Ptes[5]!.Value.Huge); Assert.False(s.State.Ptes[2]!.Value.Huge);
        Assert.Null(s.FirstViolation);
        // aligned and whole, but a page of the destination PMD is mapped: the source is split (!pmd_none(dst_pmdval)),
        // and the move stops at the first mapped destination page; as move_pages returns the bytes moved, no error
        var t = New();
        t.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        t.Cpu(new Call.CpuWrite(0, 1));
        t.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        t.Cpu(new Call.UffdRegister(4, 8));
        t.Cpu(new Call.CpuWrite(6, 2));
        Assert.Null(Result(t.Call(new Call.UffdMove(0, 4, 4))));
        t.RunCpu();
        // MAP_FIXED, split, two moves, the bracket of the step refused at page 2 (page 6 mapped)
        Assert.Equal(["MMU_NOTIFY_UNMAP[4,8)", "MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,4)", "MMU_NOTIFY_CLEAR[2,4)"], Events(t));
        Assert.NotNull(t.State.Ptes[2]); Assert.Null(t.State.Ptes[1]);
        Assert.Equal("EEXIST (destination is mapped)", Refused(t, new Call.UffdMove(2, 6)));
        Assert.Null(t.FirstViolation);
        // linux-6.12 move_pages_pte: one page per bracket
        var u = New(Vocabulary.Linux6_12);
        u.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        u.Cpu(new Call.UffdRegister(4, 8));
        u.Cpu(new Call.CpuWrite(0, 1));
        u.Cpu(new Call.UffdMove(0, 5, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_CLEAR[1,2)"], Events(u));
        Assert.Null(u.FirstViolation);
        // linux-6.18 has 7.2's move_pages_ptes (commit 50944692052b, v6.18): each bracket over the rest of the move
        var w = New(Vocabulary.Linux6_18);
        w.Cpu(new Call.Mmap(0, 12, Prot.ReadWrite, Thp: true));
        w.Cpu(new Call.UffdRegister(4, 8));
        w.Cpu(new Call.CpuWrite(0, 1));
        w.Cpu(new Call.UffdMove(0, 5, 2));
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[0,2)", "MMU_NOTIFY_CLEAR[1,2)"], Events(w));
        Assert.Null(w.FirstViolation);
    }

    [Fact]
    public void Uffd_move_with_a_length_refusals()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(0, 8));
        s.Cpu(new Call.CpuWrite(0, 1));
        // overlapping ranges are moved (Uffd_move_of_overlapping_ranges_...): here the destination's first page is mapped
        Assert.Equal("EEXIST (destination is mapped)", Result(s.Call(new Call.UffdMove(0, 2, 4))));
        Assert.Equal("EINVAL (a range leaves its VMA)", Result(s.Call(new Call.UffdMove(0, 6, 4))));
        var e = Assert.Throws<ModelException>(() => s.Call(new Call.UffdMove(0, 14, 4)));
        Assert.Equal("uffdio_move: range [14, 18) is outside the address space [0, 16) or empty", e.Message);
        Assert.Equal("uffdio_move: len 0 must be at least 1", Assert.Throws<ModelException>(() => s.Call(new Call.UffdMove(0, 4, 0))).Message);
        s.Cpu(new Call.Fork());
        Assert.Equal("EBUSY (page not exclusive to this mapping)", Result(s.Call(new Call.UffdMove(0, 4, 4))));
        Assert.Equal("ENOSYS (UFFDIO_MOVE has no row in this vocabulary)", Result(New(Vocabulary.Linux6_1).Call(new Call.UffdMove(0, 4, 4))));
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-6.12")!.EventOf("move_pages_huge_pmd"));
        Assert.Null(Vocabularies.ByName("linux-6.1")!.EventOf("move_pages_huge_pmd"));
    }

    /// <summary>linux-7.2 mm/userfaultfd.c userfaultfd_move and move_pages (linux-6.12 fs/userfaultfd.c userfaultfd_move,
    /// mm/userfaultfd.c move_pages alike) have no overlap check; move_pages walks up from src_start, each step reading the
    /// page tables the steps before it left. The live example of session 11 (`mmap 0 16 rw; uffd_register 4 11;
    /// uffd_register 10 15; host_write 9 71274; uffd_move 9 10 5`, moved by 6.18.44): page 9's frame is carried up to page
    /// 14, a step a page, each bracket over the rest of the move (linux-6.18 move_pages_ptes). Planted:
    /// PlantUffdMoveRefusesOverlap, the reference of before (EINVAL).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Uffd_move_of_overlapping_ranges_carries_a_page_up_step_by_step(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux6_18) { PlantUffdMoveRefusesOverlap = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(4, 11));
        s.Cpu(new Call.UffdRegister(10, 15));
        s.Cpu(new Call.CpuWrite(9, 71274));
        int frame = s.State.Ptes[9]!.Value.Frame;
        string? result = Result(s.Call(new Call.UffdMove(9, 10, 5)));
        s.RunCpu();
        if (planted)
        {
            Assert.Equal("EINVAL (source and destination overlap)", result);
            Assert.Equal(71274, s.CpuView(9));
            return;
        }
        Assert.Null(result);
        Assert.Equal(["MMU_NOTIFY_CLEAR[9,14)", "MMU_NOTIFY_CLEAR[10,14)", "MMU_NOTIFY_CLEAR[11,14)", "MMU_NOTIFY_CLEAR[12,14)", "MMU_NOTIFY_CLEAR[13,14)"], Events(s));
        Assert.All(Enumerable.Range(9, 5), p => Assert.Null(s.State.Ptes[p]));
        Assert.Equal(new Pte(frame, Prot.ReadWrite, true, true, true), s.State.Ptes[14]);
        Assert.Equal(new Frame(71274, 1, 1, false, 1, AnonExclusive: true, Clean: true), s.State.Frames[frame]);
        Assert.Equal(71274, s.CpuView(14));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>Overlapping moves, the other ways (linux-7.2 mm/userfaultfd.c move_pages, a step a page from the lowest): a
    /// destination below the source moves the pages down as memmove does (each step's destination was emptied by the step
    /// before, or was empty); a page in the way of a page carried up stops the move there (move_pages_ptes: -EEXIST), which
    /// returns the bytes moved (no error) once a page moved, and fails with EEXIST when none did.</summary>
    [Fact]
    public void Uffd_move_of_overlapping_ranges_moves_down_and_stops_at_a_mapped_page()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(0, 16));
        for (int p = 10; p < 13; p++) s.Cpu(new Call.CpuWrite(p, p));
        var frames = Enumerable.Range(10, 3).Select(p => s.State.Ptes[p]!.Value.Frame).ToList();
        Assert.Null(Result(s.Call(new Call.UffdMove(10, 8, 3))));
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_CLEAR[10,13)", "MMU_NOTIFY_CLEAR[11,13)", "MMU_NOTIFY_CLEAR[12,13)"], Events(s));
        Assert.Equal(frames, Enumerable.Range(8, 3).Select(p => s.State.Ptes[p]!.Value.Frame).ToList());
        Assert.Equal([10, 11, 12], Enumerable.Range(8, 3).Select(p => s.CpuView(p)!.Value).ToList());
        Assert.Null(s.State.Ptes[11]); Assert.Null(s.State.Ptes[12]);
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.CpuWrite(3, 6));
        int events = Events(s).Count;
        Assert.Null(Result(s.Call(new Call.UffdMove(1, 2, 3))));   // 1 -> 2, then 2 -> 3: EEXIST, one page moved
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_CLEAR[1,4)", "MMU_NOTIFY_CLEAR[2,4)"], Events(s).Skip(events));   // the second refused in its bracket
        Assert.Null(s.State.Ptes[1]);
        Assert.Equal((5, 6), (s.CpuView(2), s.CpuView(3)));
        Assert.Equal("EEXIST (destination is mapped)", Refused(s, new Call.UffdMove(2, 3, 2)));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>linux-7.2 mm/userfaultfd.c validate_move_areas (linux-6.12 alike): "Ensure dst_vma is registered in uffd we are
    /// operating on" (dst_vma->vm_userfaultfd_ctx.ctx is this ctx, else -EINVAL); the source VMA's registration is not
    /// checked. Planted: PlantUffdMoveUnregisteredDst, the reference of before (it moved into any VMA).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Uffd_move_wants_the_destination_vma_registered(bool planted)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantUffdMoveUnregisteredDst = planted });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.UffdRegister(8, 12));
        s.Cpu(new Call.CpuWrite(0, 7));
        s.Cpu(new Call.CpuWrite(1, 8));
        string? unregistered = Result(s.Call(new Call.UffdMove(0, 4)));
        s.RunCpu();
        if (planted) { Assert.Null(unregistered); return; }
        Assert.Equal("EINVAL (the destination VMA is not registered with this userfaultfd)", unregistered);
        Assert.Equal(7, s.CpuView(0));
        Assert.Null(s.State.Ptes[4]);
        Assert.Null(Result(s.Call(new Call.UffdMove(0, 8))));   // from an unregistered VMA into a registered one
        s.RunCpu();
        Assert.Equal(7, s.CpuView(8));
        s.Cpu(new Call.UffdUnregister(8, 12));
        Assert.Equal("EINVAL (the destination VMA is not registered with this userfaultfd)", Result(s.Call(new Call.UffdMove(1, 9))));
        Assert.Null(s.FirstViolation);
    }

    /// <summary>Planted: MoveHugePmdNoNotify moves the PMD with no invalidate_range_start/end; RangeCoversChange catches the
    /// first source PTE cleared outside any bracket.</summary>
    [Fact]
    public void A_huge_pmd_move_without_its_notification_is_caught()
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0")], Mutant.MoveHugePmdNoNotify));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdMove(0, 4, 4));
        Assert.Equal(Rules.RangeCoversChange, s.FirstViolation!.Rule);
        Assert.Equal("pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        Assert.StartsWith("uffdio_move changed page 0 ", s.FirstViolation.Message);
    }

    [Fact]
    public void The_new_calls_replay_from_their_trace_lines()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.Cpu(new Call.NumaScan(0, 4));
        s.Cpu(new Call.PagemapScanWp(4, 8));
        s.Cpu(new Call.UffdRegister(6, 8));
        s.Cpu(new Call.UffdMove(1, 6));
        Assert.Equal(9, s.CpuView(6));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.UffdWriteProtect(4, 8));
        s.Cpu(new Call.UffdWriteProtect(5, 6, Wp: false));
        s.Cpu(new Call.UffdUnregister(6, 8));
        s.Cpu(new Call.Mmap(12, 16, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(12, 3));
        s.Cpu(new Call.Munmap(8, 12));
        s.Cpu(new Call.Mmap(8, 12, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(8, 12));
        s.Cpu(new Call.UffdMove(12, 8, 4));
        Assert.True(s.State.Ptes[8]!.Value.Huge);
        s.Cpu(new Call.Munmap(8, 16));
        s.Cpu(new Call.Mmap(8, 12, Prot.ReadWrite, Shared: true));
        for (int p = 8; p < 12; p++) s.Cpu(new Call.CpuWrite(p, p));
        s.Cpu(new Call.WpSharedMapping(8, 12));
        s.Cpu(new Call.MadviseCollapse(8, 12));
        Assert.True(s.State.Ptes[8]!.Value.Huge);
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var r = Replay.Run(w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ReplayVerdict.Accepted, r.Verdict);
        Assert.Equal(s.State.Ptes.ToArray(), r.Final!.Ptes.ToArray());
        Assert.Contains(s.Trace, l => l.Op == "uffdio_move" && l.Kind == "call");
    }

    // ------------------------------------------------------------ MADV_COLLAPSE

    [Fact]
    public void Madvise_collapse_of_a_shared_mapping_unmaps_each_page_copies_retracts_the_table_and_maps_a_huge_page()
    {
        var s = New(mirrors: new MirrorConfig("dev0"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Shared: true));
        for (int p = 4; p < 8; p++) s.Cpu(new Call.CpuWrite(p, 10 + p));
        s.DeviceRead(0, 5);
        int before = s.Trace.Count;
        s.Cpu(new Call.MadviseCollapse(0, 8)); // [0, 4) is not mapped: only [4, 8) is a candidate
        Assert.Equal("EAGAIN (block not fully mapped by pages of this mm alone)", (string?)s.Trace[before].Get("result"));
        s.Cpu(new Call.MadviseCollapse(4, 8));
        Assert.Equal(["MMU_NOTIFY_CLEAR[4,5)", "MMU_NOTIFY_CLEAR[5,6)", "MMU_NOTIFY_CLEAR[6,7)", "MMU_NOTIFY_CLEAR[7,8)", "MMU_NOTIFY_CLEAR[4,8)"], Events(s));
        Assert.Empty(s.State.Mirrors[0].Pt);
        for (int p = 4; p < 8; p++)
        {
            Assert.Equal(Prot.Read, s.State.Ptes[p]!.Value.Prot);
            Assert.True(s.State.Ptes[p]!.Value.Huge);
            Assert.Equal(10 + p, s.CpuView(p));
        }
        Assert.All(new[] { 1, 2, 3, 4 }, f => Assert.True(s.State.Frames[f].Free)); // the old pages are freed
        Assert.Null(s.FirstViolation);
        Assert.Equal("ENOSYS (MADV_COLLAPSE has no row in this vocabulary)", Result(New(Vocabulary.V7).Call(new Call.MadviseCollapse(0, 4))));
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-6.1")!.EventOf("retract_page_tables"));
    }

    [Fact]
    public void Madvise_collapse_of_anonymous_memory_is_collapse_huge_page_without_vm_hugepage()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        for (int p = 0; p < 4; p++) s.Cpu(new Call.CpuWrite(p, p + 1));
        var o = s.Call(new Call.MadviseCollapse(0, 4));
        Assert.Null(Result(o));
        Assert.Equal(MmapLock.Write, s.State.Op!.Lock);
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)"], Events(s));
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(s.State.Ptes[p]!.Value.Huge));
        // a range within a VMA that holds a whole block but covers none: linux-7.2 mm/khugepaged.c madvise_collapse returns 0
        // (hstart >= hend), nothing done
        Assert.Null(Result(s.Call(new Call.MadviseCollapse(1, 4))));
    }

    // ------------------------------------------------------------ mapping_dirty_helpers

    [Fact]
    public void Wp_shared_mapping_range_write_protects_each_shared_vma_under_protection_page()
    {
        var s = New(mirrors: new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 1));
        s.Cpu(new Call.CpuWrite(5, 1));
        s.DeviceWrite(0, 1, 2);
        s.Call(new Call.WpSharedMapping(0, 8));
        Assert.Equal(MmapLock.None, s.State.Op!.Lock);
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_PROTECTION_PAGE[0,4)"], Events(s));
        Assert.False(s.State.Ptes[1]!.Value.Writable);
        Assert.True(s.State.Ptes[5]!.Value.Writable); // private: not a mapping of the file
        Assert.False(s.State.Mirrors[0].Pt[1].Writable); // the HMM listener write-protects on PROTECTION_PAGE
        Assert.Null(s.FirstViolation);
        Assert.Equal("ENOSYS (mapping_dirty_helpers has no row in this vocabulary)", Result(New(Vocabulary.V7).Call(new Call.WpSharedMapping(0, 4))));
    }

    [Fact]
    public void A_write_fault_on_a_shared_thp_splits_it_and_copies_one_page_under_the_kernel_vocabularies()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Fork());
        int before = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(1, 2));
        // do_huge_pmd_wp_page's fallback: __split_huge_pmd (MMU_NOTIFY_CLEAR over the PMD), then wp_page_copy of page 1
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[1,2)"], Events(s).Skip(Events(s).Count - 2));
        Assert.All(Enumerable.Range(0, 4), p => Assert.False(s.State.Ptes[p]!.Value.Huge));
        Assert.Equal(Prot.Read, s.State.Ptes[0]!.Value.Prot);
        Assert.Equal(Prot.ReadWrite, s.State.Ptes[1]!.Value.Prot);
        Assert.Equal(2, s.CpuView(1));
        Assert.Equal(1, s.CpuView(0));
        // the seed's kernel copied the whole huge page
        var v7 = New(Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        v7.Cpu(new Call.CpuWrite(0, 1));
        v7.Cpu(new Call.Fork());
        v7.Cpu(new Call.CpuWrite(1, 2));
        Assert.Equal("MMU_MIGRATE[0,4)", Events(v7).Last());
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(v7.State.Ptes[p]!.Value is { Huge: true, Prot: Prot.ReadWrite }));
    }

    // ------------------------------------------------------------ modelled differently before (issue 12)

    [Fact]
    public void Mprotect_to_read_write_upgrades_exclusive_soft_dirty_anonymous_ptes_inside_its_bracket()
    {
        // Linux 7.2 mm/mprotect.c mprotect_fixup (MM_CP_TRY_CHANGE_WRITABLE) -> change_present_ptes ->
        // can_change_private_pte_writable: page 0 (written: exclusive, soft-dirty) becomes writable inside the bracket;
        // page 1 (the zero page), page 2 (write-protected by clear_refs: not soft-dirty) and page 3 (shared with a
        // forked child) wait for their write fault
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 3));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(2, 2));
        s.Call(new Call.ClearRefs()); s.RunCpu();
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuRead(1));
        s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
        int before = s.Trace.Count;
        s.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
        Assert.Equal(["mprotect", "vma_update", "invalidate_range_start", "pte_update", "tlb_flush", "invalidate_range_end"], Ops(s, before));
        Assert.Equal(0, s.Trace[before + 3].Get("page"));
        Assert.Equal("MMU_NOTIFY_PROTECTION_VMA[0,4)", Events(s).Last());
        Assert.Equal(new Pte(s.State.Ptes[0]!.Value.Frame, Prot.ReadWrite, true, true, true), s.State.Ptes[0]);
        Assert.Equal(Prot.Read, s.State.Ptes[1]!.Value.Prot);
        Assert.Equal(Prot.Read, s.State.Ptes[2]!.Value.Prot);
        Assert.Equal(Prot.Read, s.State.Ptes[3]!.Value.Prot);
        Assert.Null(s.FirstViolation);
        // the write to page 0 needs no fault now: no pte_update
        before = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(0, 4));
        Assert.DoesNotContain("pte_update", Ops(s, before));
        // the seed's kernel had no such upgrade (MM_CP_TRY_CHANGE_WRITABLE is 6.0+): its mprotect changes no PTE
        var v7 = New(Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        v7.Cpu(new Call.CpuWrite(0, 1));
        v7.Cpu(new Call.Mprotect(0, 4, Prot.Read));
        before = v7.Trace.Count;
        v7.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
        Assert.DoesNotContain("pte_update", Ops(v7, before));
        Assert.Equal(Prot.Read, v7.State.Ptes[0]!.Value.Prot);
    }

    [Fact]
    public void Mmap_fixed_over_a_mapping_clears_the_ptes_before_the_vma_tree_changes_since_6_12()
    {
        // linux-7.2 mm/vma.c __mmap_setup -> vms_clean_up_area -> vms_clear_ptes (the old VMAs still in the tree), then
        // __mmap_new_vma; linux-6.1 mm/mmap.c mmap_region -> do_mas_munmap removed the VMAs first
        foreach (var (v, order) in new[] { (Vocabulary.Linux7_2, "zap first"), (Vocabulary.Linux6_12, "zap first"), (Vocabulary.Linux6_1, "vma first"), (Vocabulary.V7, "vma first") })
        {
            var s = New(v);
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(5, 1));
            int before = s.Trace.Count;
            s.Cpu(new Call.Mmap(4, 6, Prot.Read, Shared: true));
            var ops = Ops(s, before + 1);
            Assert.Equal(order == "zap first"
                ? ["invalidate_range_start", "pte_update", "tlb_flush", "free_frame", "invalidate_range_end", "vma_update"]
                : ["vma_update", "invalidate_range_start", "pte_update", "tlb_flush", "free_frame", "invalidate_range_end", "vma_update"], ops);
            Assert.Equal(new Vma(4, 6, Prot.Read, true), s.State.VmaAt(5));
            Assert.Null(s.State.Ptes[5]);
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void Mprotect_upgrades_no_pte_of_a_shared_or_already_writable_vma()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(5, 2));
        s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.UffdWriteProtect(4, 8)); // page 5 read-only in a VMA that stays read-write
        s.Cpu(new Call.Mprotect(0, 8, Prot.ReadWrite));
        Assert.Equal(Prot.Read, s.State.Ptes[0]!.Value.Prot); // shared: can_change_shared_pte_writable not modelled
        Assert.Equal(Prot.Read, s.State.Ptes[5]!.Value.Prot); // [4, 8) keeps its flags: no change_protection there
    }

    [Fact]
    public void Clear_refs_takes_mmap_lock_for_write_and_write_protects_shared_mappings_too()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.CpuWrite(4, 2));
        s.Call(new Call.ClearRefs());
        Assert.Equal(MmapLock.Write, s.State.Op!.Lock);
        s.RunCpu();
        Assert.Equal(["MMU_NOTIFY_SOFT_DIRTY[0,16)"], Events(s));
        Assert.Equal(new Pte(1, Prot.Read, true, true, false, TrackWp: true), s.State.Ptes[0]);
        Assert.Equal(new Pte(2, Prot.Read, true, true, false, TrackWp: true), s.State.Ptes[4]);
        // the shared page's next write faults (do_shared_fault / wp_page_reuse) and is soft-dirty again
        s.Cpu(new Call.CpuWrite(0, 3));
        Assert.True(s.State.Ptes[0]!.Value.SoftDirty);
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Oom_reaper_reaps_mlocked_vmas_skips_hugetlb_and_shared_and_walks_from_the_top()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Hugetlb: true));
        s.Cpu(new Call.Mmap(8, 12, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.Mmap(12, 16, Prot.ReadWrite));
        s.Cpu(new Call.Mlock(0, 4));
        s.Cpu(new Call.CpuWrite(5, 1));
        s.Cpu(new Call.CpuWrite(9, 1));
        s.Cpu(new Call.CpuWrite(13, 1));
        s.Cpu(new Call.OomReap());
        Assert.Equal(["MMU_NOTIFY_CLEAR[12,16)", "MMU_NOTIFY_CLEAR[0,4)"], Events(s));
        Assert.All(Enumerable.Range(0, 4).Append(13), p => Assert.Null(s.State.Ptes[p]));
        Assert.NotNull(s.State.Ptes[5]);
        Assert.NotNull(s.State.Ptes[9]);
        Assert.Null(s.FirstViolation);
    }

    // ------------------------------------------------------------ hugetlb

    [Fact]
    public void Hugetlb_vmas_reach_the_hugetlb_call_sites_and_mremap_sends_clear_not_unmap()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Hugetlb: true));
        s.Cpu(new Call.CpuWrite(0, 1));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuWrite(0, 2)); // hugetlb_wp
        s.Cpu(new Call.Mprotect(0, 4, Prot.Read)); // hugetlb_change_protection: the whole range, no lazy start
        s.Cpu(new Call.Mremap(0, 4, 8)); // move_hugetlb_page_tables
        s.Cpu(new Call.Truncate(8, 12)); // unmap_hugepage_range
        Assert.Equal(["MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[0,1)", "MMU_NOTIFY_PROTECTION_VMA[0,4)", "MMU_NOTIFY_CLEAR[0,4)", "MMU_NOTIFY_CLEAR[8,12)"], Events(s));
        Assert.Null(s.State.Ptes[8]);
        Assert.Null(s.FirstViolation);
        // linux-6.1: truncation of hugetlb notified MMU_NOTIFY_UNMAP (__unmap_hugepage_range); mremap CLEAR already
        Assert.Equal("MMU_NOTIFY_UNMAP", Vocabularies.ByName("linux-6.1")!.EventOf("unmap_hugepage_range"));
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-6.12")!.EventOf("unmap_hugepage_range"));
        Assert.Equal("MMU_NOTIFY_UNMAP", Vocabularies.ByName("linux-7.2")!.EventOf("move_page_tables"));
        // the seed's table has no hugetlb rows: the generic sites' events
        var v7 = New(Vocabulary.V7);
        v7.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Hugetlb: true));
        v7.Cpu(new Call.CpuWrite(0, 1));
        v7.Cpu(new Call.Mremap(0, 4, 8));
        Assert.Equal(["MMU_MIGRATE[0,4)"], Events(v7));
    }

    // ------------------------------------------------------------ device-private migration (mm/migrate_device.c)

    private static MirrorConfig Dmirror(string name) => new(name, MirrorKind.Interval, Policy.UnmapAll);

    [Fact]
    public void Migrate_to_device_sends_migrate_with_the_owner_and_leaves_device_private_entries()
    {
        var s = New(Vocabulary.Linux7_2, Dmirror("dev0"), Dmirror("dev1"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 5));
        s.DeviceRead(1, 0);
        int before = s.Trace.Count;
        Assert.Null(Result(s.Call(new Call.MigrateToDevice(0, 0, 1))));
        s.Device(0);
        // migrate_vma_collect: start (owner dev0), dev0 skips, dev1 unmaps, the migration entry, flush, end; the copy
        // (dmirror_migrate_alloc_and_copy); dmirror_migrate_finalize_and_map; migrate_vma_finalize's device-private entry; the old page freed
        Assert.Equal(["migrate_to_device", "invalidate_range_start", "invalidate", "invalidate", "pte_update", "tlb_flush", "invalidate_range_end",
            "copy_page", "device_migrate_map", "pte_update", "free_frame"], Ops(s, before));
        var start = s.Trace.Skip(before).First(l => l.Op == "invalidate_range_start");
        Assert.Equal(("MMU_NOTIFY_MIGRATE", "dev0"), ((string?)start.Get("event"), (string?)start.Get("owner")));
        var inv = s.Trace.Skip(before).Where(l => l.Op == "invalidate").Select(l => $"{l.Get("mirror")}:{l.Get("reaction")}").ToList();
        Assert.Equal(["dev0:owner", "dev1:unmap"], inv);
        Assert.Equal(new Pte(2, Prot.ReadWrite, SoftDirty: true, DevicePrivate: 0), s.State.Ptes[0]);
        Assert.Equal(new DevicePte(2, 1, true), s.State.Mirrors[0].Pt[0]);
        Assert.False(s.State.Mirrors[1].Pt.ContainsKey(0));
        Assert.True(s.State.Frames[1].Free);
        Assert.Null(s.State.Mirrors[0].Op);
        Assert.Null(s.FirstViolation);
        // the owner's device sees the data without a fault (hmm_range_fault is not even called)
        s.DeviceRead(0, 0);
        Assert.Equal((5, 0), (s.LastRead(0)!.Value, s.State.Mirrors[0].Faults));
    }

    [Fact]
    public void Migrate_to_device_of_empty_and_zero_pages_notifies_in_migrate_vma_pages()
    {
        var s = New(Vocabulary.Linux7_2, Dmirror("dev0"), Dmirror("dev1"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(1)); // the zero page
        s.DeviceRead(1, 1);
        s.Call(new Call.MigrateToDevice(0, 0, 2));
        s.Device(0);
        // migrate_vma_collect over [0, 2) changes nothing (pte_none and the zero page stay); __migrate_device_pages notifies
        // from the first page without a source page (0) to the end, and migrate_vma_insert_page replaces the zero page
        Assert.Equal(["MMU_NOTIFY_MIGRATE[0,2)", "MMU_NOTIFY_MIGRATE[0,2)"], Events(s));
        Assert.Equal(new Pte(1, Prot.ReadWrite, DevicePrivate: 0), s.State.Ptes[0]);
        Assert.Equal(new Pte(2, Prot.ReadWrite, DevicePrivate: 0), s.State.Ptes[1]);
        Assert.Empty(s.State.Mirrors[1].Pt); // dev1's zero-page mapping dropped under the second MIGRATE
        // a none or zero source has no MIGRATE_PFN_WRITE: the owner maps the device pages read-only
        Assert.Equal([false, false], s.State.Mirrors[0].Pt.Values.Select(e => e.Writable));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_cpu_fault_on_a_device_private_entry_migrates_it_back_with_the_owner()
    {
        var s = New(Vocabulary.Linux7_2, Dmirror("dev0"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(3, 9));
        s.Call(new Call.MigrateToDevice(0, 3, 4));
        s.Device(0);
        int before = s.Trace.Count;
        s.Cpu(new Call.CpuWrite(3, 10));
        // do_swap_page -> migrate_to_ram (dmirror_devmem_fault): migrate_vma_collect (owner dev0, skipped), the migration
        // entry, the owner's xa_erase, the copy back, migrate_vma_finalize's present PTE, the device page freed, the access
        Assert.Equal(["cpu_write", "invalidate_range_start", "invalidate", "pte_update", "invalidate_range_end", "device_pte_erase", "copy_page",
            "pte_update", "free_frame", "cpu_write"], Ops(s, before));
        var start = s.Trace.Skip(before).First(l => l.Op == "invalidate_range_start");
        Assert.Equal(("MMU_NOTIFY_MIGRATE", "dev0", 3, 4), ((string?)start.Get("event"), (string?)start.Get("owner"), (int?)start.Get("start"), (int?)start.Get("end")));
        Assert.Equal(new Pte(1, Prot.ReadWrite, true, true, true), s.State.Ptes[3]);
        Assert.Empty(s.State.Mirrors[0].Pt);
        Assert.Equal(10, s.CpuView(3));
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void Another_devices_fault_migrates_the_page_back_the_owners_does_not()
    {
        var s = New(Vocabulary.Linux7_2, Dmirror("dev0"), Dmirror("dev1"));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 4));
        s.Call(new Call.MigrateToDevice(0, 0, 1));
        s.Device(0);
        s.Cpu(new Call.Mprotect(0, 8, Prot.ReadWrite)); // nothing changes: same flags
        s.Cpu(new Call.Mprotect(0, 8, Prot.Read));      // change_softleaf_pte: the writable entry becomes readable; dev0 unmaps (owner NULL)
        Assert.Equal(new Pte(2, Prot.Read, SoftDirty: true, DevicePrivate: 0), s.State.Ptes[0]);
        Assert.Empty(s.State.Mirrors[0].Pt);
        s.DeviceRead(0, 0); // hmm_range_fault hands dev0 its own device page: no migration
        Assert.Equal(new DevicePte(2, 1, false), s.State.Mirrors[0].Pt[0]);
        Assert.Equal(new Pte(2, Prot.Read, SoftDirty: true, DevicePrivate: 0), s.State.Ptes[0]);
        s.DeviceRead(1, 0); // dev1's hmm_range_fault -> handle_mm_fault -> migrate_to_ram
        Assert.Equal(4, s.LastRead(1));
        Assert.Equal(new Pte(1, Prot.Read, false, true, true), s.State.Ptes[0]);
        Assert.False(s.State.Mirrors[0].Pt.ContainsKey(0)); // xa_erase in dmirror_devmem_fault_alloc_and_copy
        Assert.Null(s.FirstViolation);
        // munmap frees a device page like any other
        s.Call(new Call.MigrateToDevice(0, 0, 1));
        s.Device(0);
        int dev = s.State.Ptes[0]!.Value.Frame;
        Assert.Equal(0, s.State.Ptes[0]!.Value.DevicePrivate);
        s.Cpu(new Call.Munmap(0, 8));
        Assert.True(s.State.Frames[dev].Free);
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void A_listener_skipping_every_migrate_event_keeps_a_stale_mapping_and_owner_filter_all_too()
    {
        foreach (var mutant in new[] { Mutant.MigrateSkipAnyOwner, Mutant.OwnerFilterAll })
        {
            var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [Dmirror("dev0"), Dmirror("dev1")], mutant));
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
            s.DeviceWrite(1, 0, 3);
            s.Call(new Call.MigrateToDevice(0, 0, 1));
            s.Device(0);
            Assert.Equal(Rules.NoStaleDeviceMapping, s.FirstViolation?.Rule);
            Assert.Equal("dev1 maps page 0 -> frame 1.1 rw but the CPU PTE is none", s.FirstViolation!.Message);
        }
        // the migration back carries the owner too: a listener skipping every MIGRATE keeps nothing there (other devices
        // cannot map another owner's device page), the owner's own skip is the kernel's
        var ok = New(Vocabulary.Linux7_2, Dmirror("dev0"), Dmirror("dev1"));
        ok.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        ok.DeviceWrite(1, 0, 3);
        ok.Call(new Call.MigrateToDevice(0, 0, 1));
        ok.Device(0);
        Assert.Null(ok.FirstViolation);
    }

    [Fact]
    public void Device_private_migration_is_refused_where_the_vocabulary_lacks_it_and_has_a_row_with_the_owner_in_every_kernel_one()
    {
        var v7 = New(Vocabulary.V7, Dmirror("dev0"));
        v7.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        Assert.Equal("ENOSYS (device-private migration has no row in this vocabulary)", Result(v7.Call(new Call.MigrateToDevice(0, 0, 1))));
        Assert.Null(v7.State.Op);
        foreach (var v in new[] { "linux-6.1", "linux-6.12", "linux-6.18", "linux-7.2", "linux-7.3", "upstream" })
            foreach (var site in new[] { "migrate_vma_collect", "migrate_vma_pages" })
            {
                Assert.Equal("MMU_NOTIFY_MIGRATE", Vocabularies.ByName(v)!.EventOf(site));
                Assert.Equal("migrate->pgmap_owner", Vocabularies.ByName(v)!.Row(site)!.Owner);
            }
        // bad requests: a hugetlb VMA, no VMA, a shared mapping's pages stay
        var s = New(Vocabulary.Linux7_2, Dmirror("dev0"));
        s.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Hugetlb: true));
        s.Cpu(new Call.Mmap(4, 8, Prot.ReadWrite, Shared: true));
        s.Cpu(new Call.CpuWrite(5, 1));
        Assert.Equal("EINVAL (hugetlb VMA)", Result(s.Call(new Call.MigrateToDevice(0, 0, 1))));
        Assert.Equal("EINVAL (no readable VMA over the whole range)", Result(s.Call(new Call.MigrateToDevice(0, 8, 9))));
        s.Call(new Call.MigrateToDevice(0, 4, 6));
        s.Device(0);
        Assert.Equal(new Pte(1, Prot.ReadWrite, true, true, true), s.State.Ptes[5]); // a shared page stays (only anonymous memory migrates)
        Assert.Equal(["MMU_NOTIFY_MIGRATE[4,6)"], Events(s).Where(e => e.StartsWith("MMU_NOTIFY_MIGRATE", StringComparison.Ordinal)));
        Assert.Throws<ModelException>(() => s.Call(new Call.MigrateToDevice(0, 6, 6)));
    }

    /// <summary>A finding, with the kernel's own driver logic: lib/test_hmm.c dmirror_interval_invalidate returns for its own
    /// MMU_NOTIFY_MIGRATE before mmu_interval_set_seq (Mutant.OwnerSkipBeforeSetSeq), so the owner's own device fault
    /// (dmirror_range_fault), which took its snapshot of its device-private page before a CPU fault migrated the page back
    /// (dmirror_devmem_fault), passes mmu_interval_read_retry and installs the device page that migrate_vma_finalize freed.
    /// nouveau does not have it: drivers/gpu/drm/nouveau/nouveau_svm.c nouveau_svm_range_invalidate skips only its own
    /// MMU_NOTIFY_EXCLUSIVE and calls mmu_interval_set_seq for MMU_NOTIFY_MIGRATE (its full-mm notifier skips the teardown
    /// instead): the reference's correct listener does that, and its fault retries (random programs reached the race:
    /// hammer --property RulesHold --seed 400).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_owner_skipping_its_own_migrate_before_set_seq_installs_a_freed_device_page_from_a_racing_fault(bool testHmm)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.UnmapAll, FaultChunk: 1)],
            testHmm ? Mutant.OwnerSkipBeforeSetSeq : Mutant.None));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 5));
        s.Call(new Call.MigrateToDevice(0, 0, 1));
        s.Device(0);
        s.Cpu(new Call.Mprotect(0, 8, Prot.Read)); // dev0's entry dropped (MMU_NOTIFY_PROTECTION_VMA, owner NULL)
        s.Cpu(new Call.Mprotect(0, 8, Prot.ReadWrite));
        s.Call(new Call.DeviceRead(0, 0));
        while (s.State.Mirrors[0].Op is { Phase: not DevicePhase.Lock }) s.Step(0);
        Assert.Equal(new DevicePte(2, 1, false), s.State.Mirrors[0].Op!.Snapshot.Single().Entry); // hmm_range_fault: its own device page
        Assert.Null(s.FirstViolation);
        s.Cpu(new Call.CpuRead(0)); // migrate_to_ram: dev0 skips (set_seq first unless test_hmm's order), xa_erase, copy, the device page freed
        Assert.Equal("owner", (string?)s.Trace.Last(l => l.Op == "invalidate").Get("reaction"));
        Assert.True(s.State.Frames[2].Free);
        s.Device(0);
        if (testHmm)
        {
            Assert.Equal("ok", (string?)s.Trace.Where(l => l.Op == "mmu_interval_read_retry").Last().Get("result"));
            Assert.Equal(new Violation(Rules.NoFreedFrameAccess, "dev0 maps page 0 to frame 2.1, but that frame is free"), s.FirstViolation);
        }
        else
        {
            Assert.Equal(["retry", "ok"], s.Trace.Where(l => l.Op == "mmu_interval_read_retry").Select(l => (string?)l.Get("result")).TakeLast(2));
            Assert.Null(s.FirstViolation);
            Assert.Equal(5, s.LastRead(0));
        }
    }

    /// <summary>The owner reading its own device page while a CPU fault migrates it back (dmirror_devmem_fault): the owner
    /// skipped its MMU_NOTIFY_MIGRATE, the CPU PTE is a migration entry (a CPU read would wait), and the device page still
    /// holds the data migrate_to_ram copies, so the read is coherent (Rules.InOwnMigration). CoherentAccess compared it
    /// with the CPU's fault and failed correct random programs (hammer --property RulesHold --seed 100).</summary>
    [Fact]
    public void The_owner_reading_its_device_page_during_migrate_to_ram_reads_the_data_being_copied()
    {
        var s = New(Vocabulary.Linux7_2, new MirrorConfig("dev0", MirrorKind.Interval, Policy.UnmapAll));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(4, 9));
        s.Call(new Call.MigrateToDevice(0, 4, 5));
        s.Device(0);
        Assert.Equal(0, s.State.Ptes[4]!.Value.DevicePrivate);
        s.Call(new Call.CpuWrite(4, 40)); // do_swap_page -> migrate_to_ram
        while (s.Trace.Last().Get("reaction") is null) s.Step(Machine.Cpu);
        Assert.Equal("owner", (string?)s.Trace.Last().Get("reaction"));
        s.Call(new Call.DeviceRead(0, 4));
        s.Step(Machine.Cpu); // the migration entry
        Assert.Null(s.CpuView(4));
        s.Step(0);
        Assert.Equal("device_read", s.Trace.Last().Op);
        Assert.Equal(9, s.LastRead(0));
        s.RunCpu();
        Assert.Equal(40, s.CpuView(4));
        Assert.Null(s.FirstViolation);
    }
}
