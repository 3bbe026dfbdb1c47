using NotifierSpec.Kernel;
using NotifierSpec.Properties;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>A fact for a host-only run (`notifier kernel --host-only`, no VM): needs root, for the pfns of /proc/self/pagemap
/// (CAP_SYS_ADMIN) and /proc/kpageflags; skipped, with the reason, otherwise. /dev/kvm is not needed.</summary>
public sealed class HostOnlyFactAttribute : FactAttribute
{
    public HostOnlyFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "not root: pagemap frame numbers and /proc/kpageflags need CAP_SYS_ADMIN";
        else if (!File.Exists("/proc/kpageflags")) Skip = "no /proc/kpageflags (CONFIG_PROC_PAGE_MONITOR off)";
    }
}

/// <summary>The host-only LiveMm (no VM), one per process as LiveFixture's: the two are in one collection, so they are never
/// open at once.</summary>
public sealed class HostOnlyFixture : IDisposable
{
    private LiveMm? _live;
    public LiveMm Live => _live ??= LiveMm.Open(1024, hostOnly: true);
    public void Dispose() => _live?.Dispose();
    public void Close() { _live?.Dispose(); _live = null; }
}

/// <summary>`notifier kernel --host-only`: the live kernel's host side (host loads, pagemap, children, KSM, swap, userfaultfd,
/// mremap, madvise) against the reference without a VM (docs/kernel.md, "Host-only runs").</summary>
[Collection(MachineWide.Name)]
public sealed class HostOnlyTests(HostOnlyFixture fx) : IClassFixture<HostOnlyFixture>
{
    private MmConfig Config(string? mutant = null, bool? forbids = null) =>
        Conformance.KvmConfig(16, Vocabulary.Upstream, mutant is null ? null : Mutants.Find(mutant), forbidsZeropage: forbids ?? fx.Live.ForbidsZeroPage);

    /// <summary>ops (over pages pages) run under config c, with the operations not yet seen through KVM if unseen: the run,
    /// asserted to agree with the kernel.</summary>
    private RunResult Clean(string ops, int pages, MmConfig c, bool unseen = false)
    {
        var r = new Conformance(fx.Live, c) { Unseen = unseen }.Run(KOp.Parse(ops, pages));
        Assert.True(r.Mismatch is null, r.Mismatch?.ToString());
        return r;
    }

    /// <summary>The first difference of ops run under a planted config, asserted to be found.</summary>
    private Mismatch Caught(string ops, int pages, MmConfig planted, bool unseen = false)
    {
        var m = new Conformance(fx.Live, planted) { Unseen = unseen }.Run(KOp.Parse(ops, pages)).Mismatch;
        Assert.NotNull(m);
        return m!;
    }

    [HostOnlyFact]
    public void A_clean_host_only_run_of_300_operations_shows_no_mismatch_and_runs_no_guest_access()
    {
        var r = Campaign.Run(fx.Live, Config(), 300, null, 1);
        Assert.True(r.Mismatch is null, r.Mismatch?.ToString());
        Assert.Null(r.Vacuous);
        Assert.Equal(300, r.Stats.Ops);
        // the seed's guest accesses are host accesses here (Campaign.Sequence): none refused, none run through a VM
        Assert.Equal((0L, 0L, 0UL, 0UL), (r.Stats.GuestAccesses, r.Stats.GuestRefused, r.Stats.Mmio, r.Stats.InsnEmulation));
        Assert.True(r.Stats.Driven.GetValueOrDefault("host_read") > 20 && r.Stats.Driven.GetValueOrDefault("host_write") > 20, string.Join(", ", r.Stats.Driven));
        Assert.True(r.Stats.Checks > 5000, $"{r.Stats.Checks} checks");
        Assert.Empty(r.Stats.Paths); // no call path traced
    }

    private const string PartialWpOps = "mmap 0 8 rw; host_write 1 7; host_write 5 8; uffd_register 0 4; uffd_wp 0 8; host_read 1; host_write 5 9; host_read 5";

    /// <summary>UFFDIO_WRITEPROTECT over a registered VMA, then one not registered: the kernel protects the first, then fails
    /// with -ENOENT (linux-7.2 mm/userfaultfd.c mwriteprotect_range, for_each_vma_range), and so does the reference since
    /// session 14; pagemap's uffd-wp bit of page 1 tells. Run with Unseen only (not yet seen through KVM); the plant (the
    /// reference refuses without effect, MmConfig.PlantUffdWpRefusesWhole) is caught at that bit.</summary>
    [HostOnlyFact]
    public void A_write_protect_that_fails_at_a_vma_not_registered_protects_the_ones_before_it()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd write-protect here: {why}");
        var r = Clean(PartialWpOps, 16, Config(), unseen: true);
        Assert.Equal((0L, 1L), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("uffd_wp")));
        // without Unseen it is refused (counted), not run
        var off = Clean(PartialWpOps, 16, Config());
        Assert.Equal((1L, 0L), (off.Stats.Refused, off.Stats.Driven.GetValueOrDefault("uffd_wp")));
        var m = Caught(PartialWpOps, 16, Config() with { PlantUffdWpRefusesWhole = true }, unseen: true);
        Assert.Equal(("pagemap uffd-wp", 1, "uffd-wp"), (m!.What, m.Page, m.Kernel));
    }

    private const string KsmUffdWpOps = "mmap 0 8 rw; host_write 1 5; host_write 3 9; uffd_register 0 8; uffd_wp 0 8; ksm 1 3; host_read 1; host_read 3; host_write 1 6; host_read 1";

    /// <summary>KSM merge of a uffd-wp page (page 1; the harness's host write gives page 3 its contents, through the handler):
    /// ksmd keeps the later page 3 and replaces page 1, whose PTE loses its uffd-wp bit (linux-7.2 mm/ksm.c replace_page:
    /// mk_pte(kpage, vma->vm_page_prot)); the write to page 1 then copies the KSM page without the handler. Run with Unseen only
    /// (not yet seen through KVM); the plant (MmConfig.PlantKsmKeepsUffdWp) is caught at page 1's pagemap uffd-wp bit.</summary>
    [HostOnlyFact]
    public void Ksm_merge_of_a_uffd_wp_page_drops_the_replaced_ptes_bit()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd write-protect here: {why}");
        if (!KsmControl.Available) throw new SkipException("no KSM here");
        var r = Clean(KsmUffdWpOps, 16, Config(), unseen: true);
        Assert.Equal((0L, 1L), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("ksm")));
        var off = Clean(KsmUffdWpOps, 16, Config());
        Assert.Equal((1L, 0L), (off.Stats.Refused, off.Stats.Driven.GetValueOrDefault("ksm")));
        var m = Caught(KsmUffdWpOps, 16, Config() with { PlantKsmKeepsUffdWp = true }, unseen: true);
        Assert.Equal(("pagemap uffd-wp", 1, "no uffd-wp bit"), (m!.What, m.Page, m.Kernel));
    }

    /// <summary>UFFDIO_REGISTER over a THP VMA an mprotect left in pieces (the same protection: the kernel's VMA stays one) splits
    /// the kernel's VMA at 195 only, and the PMD of [512, 1024) stays (smaps AnonHugePages 2048 kB); found by `--host-only
    /// --unseen --time 4m --seed 143 --pages 1024` (session 14), where the reference split it at its piece boundary 1002. The
    /// plant (MmConfig.PlantUffdRegisterSplitsPieces, the reference before) is caught there.</summary>
    [HostOnlyFact]
    public void Uffd_register_splits_no_pmd_at_a_piece_boundary_inside_the_kernels_vma()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd write-protect here: {why}");
        const string ops = "mmap_thp 0 1024 rw; host_write 601 179298; mprotect 193 1002 rw; uffd_register 195 1024; host_read 601";
        var c = Conformance.KvmConfig(1024, Vocabulary.Linux6_18, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(ops, 1024, c);
        Assert.True(r.Reference.State.Ptes[601] is { Huge: true });
        var m = Caught(ops, 1024, c with { PlantUffdRegisterSplitsPieces = true });
        Assert.Equal((3, "smaps AnonHugePages (PMD-mapped THPs)", "2048 kB"), (m!.OpIndex, m.What, m.Kernel));
    }

    /// <summary>The empty PTE table mremap's move_page_tables leaves at its destination: the move of the unfaulted page 718, whose
    /// PMD [512, 1024) has a table since the fault at 761, allocates one for [0, 512), and the write at 199 then gets a base page,
    /// not a THP (linux-7.2 mm/memory.c __handle_mm_fault: create_huge_pmd only for pmd_none). Found by `--host-only --unseen
    /// --time 3m --seed 148 --pages 1024` (session 14); the plant (MmConfig.PlantPteTableIgnored, the reference before
    /// MmState.PteTables) is caught at page 0.</summary>
    [HostOnlyFact]
    public void A_fault_where_mremap_left_an_empty_pte_table_maps_a_base_page()
    {
        const string ops = "mmap_thp 0 1024 rw; mmap 759 1024 rw; host_write 761 632381; mremap 718 719 321; host_write 199 245745";
        var c = Conformance.KvmConfig(1024, Vocabulary.Linux6_18, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(ops, 1024, c, unseen: true);
        Assert.True(r.Reference.State.Ptes[199] is { Huge: false } && r.Reference.State.Ptes[0] is null);
        var m = Caught(ops, 1024, c with { PlantPteTableIgnored = true }, unseen: true);
        Assert.Equal((4, "pagemap present", 0), (m!.OpIndex, m.What, m.Page));
    }

    /// <summary>MADV_COLLAPSE of the block [0, 512) that mremap's move_page_tables left with an empty PTE table (the reproducer
    /// above; the write at 600 gives the VMA its anon_vma, which collapse_possible needs): the 6.18.44 kernel collapses it into a
    /// zeroed huge page, as linux-7.2 mm/khugepaged.c collapse_scan_pmd / collapse_huge_page do (every PTE none;
    /// collapse_max_ptes_none is HPAGE_PMD_NR for MADV_COLLAPSE). The plant (MmConfig.PlantEmptyPteTableCollapseRo: linux-6.12's
    /// SCAN_PAGE_RO) refuses it, and the kernel's collapse is caught.</summary>
    [HostOnlyFact]
    public void Madv_collapse_of_an_empty_pte_table_maps_a_zeroed_huge_page()
    {
        const string ops = "mmap_thp 0 1024 rw; mmap 759 1024 rw; host_write 761 632381; mremap 718 719 321; host_write 600 5; collapse 100; host_read 100";
        var c = Conformance.KvmConfig(1024, Vocabulary.Linux6_18, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(ops, 1024, c, unseen: true);
        Assert.Equal(1L, r.Stats.Driven["collapse"]);
        Assert.True(Enumerable.Range(0, 512).All(p => r.Reference.State.Ptes[p] is { Huge: true, Prot: Prot.ReadWrite } x && r.Reference.State.Frames[x.Frame].Content == 0));
        var m = Caught(ops, 1024, c with { PlantEmptyPteTableCollapseRo = true }, unseen: true);
        Assert.Equal((5, "madvise(MADV_COLLAPSE)", "succeeds"), (m!.OpIndex, m.What, m.Kernel));
    }

    [HostOnlyFact]
    public void Guest_operations_are_refused_and_counted()
    {
        var r = new Conformance(fx.Live, Config()).Run(KOp.Parse("mmap 0 4 rw; guest_write 1 5; host_write 1 6; guest_read 1; host_read 1", 16));
        Assert.Null(r.Mismatch);
        Assert.Equal((5L, 2L, 2L, 0L), (r.Stats.Ops, r.Stats.Refused, r.Stats.GuestRefused, r.Stats.GuestAccesses));
        Assert.False(r.Stats.Driven.ContainsKey("guest_read") || r.Stats.Driven.ContainsKey("guest_write"));
    }

    [HostOnlyFact]
    public void A_planted_reference_bug_is_caught_on_the_host_side_and_shrunk()
    {
        // fork that does not write-protect the parent: the parent's write stays in the shared frame in the reference, the kernel
        // breaks COW and the parent's page is mapped once (pagemap exclusive bit); seen with seed 1 on 6.18.44
        var r = Campaign.Run(fx.Live, Config("CowForgetsWriteProtect"), 300, null, 1);
        Assert.NotNull(r.Mismatch);
        Assert.Equal("pagemap exclusively mapped", r.Mismatch!.What);
        Assert.Equal(("live kernel exclusive", "not exclusive"), ($"live kernel {r.Mismatch.Kernel}", r.Mismatch.Reference[..13]));
        Assert.True(r.Shrinks > 0 && r.Failing!.Length <= 5, KOp.Render(r.Failing!));
        Assert.Contains(r.Failing!, o => o is KOp.Fork);
        Assert.DoesNotContain(r.Failing!, o => o is KOp.GuestRead or KOp.GuestWrite);
        // the shrunk sequence reproduces it, and the correct reference agrees with the kernel on it
        Assert.NotNull(new Conformance(fx.Live, Config("CowForgetsWriteProtect")).Run(r.Failing!).Mismatch);
        Assert.Null(new Conformance(fx.Live, Config()).Run(r.Failing!).Mismatch);
    }

    [HostOnlyFact]
    public void The_zero_page_is_found_in_kpageflags_and_a_reference_that_disagrees_on_mm_forbids_zeropage_is_caught()
    {
        var live = fx.Live;
        // the pfn taken for the zero page is KPF_ZERO_PAGE (not the huge zero page), whether a read fault maps it or not
        Assert.True(LiveMm.ZeroPage(live.ZeroPfn), $"pfn 0x{live.ZeroPfn:x} is not the zero page");
        // this machine's PVM kernel forbids it from its command line (docs/kernel.md, "Host-only runs")
        if (File.ReadAllText("/proc/cmdline").Contains("pvm_no_zero_page=1", StringComparison.Ordinal)) Assert.True(live.ForbidsZeroPage);
        const string ops = "mmap 0 16 rw; host_read 3; fork; host_write 3 7; mmap 8 16 r; host_read 9";
        Assert.Null(new Conformance(live, Config()).Run(KOp.Parse(ops, 16)).Mismatch);
        // the reference with the other answer: the read fault of operation 2 maps the zero page on one side only
        var m = new Conformance(live, Config(forbids: !live.ForbidsZeroPage)).Run(KOp.Parse(ops, 16)).Mismatch;
        Assert.NotNull(m);
        Assert.Equal((1, "zero page", 3), (m!.OpIndex, m.What, m.Page));
        Assert.Equal(live.ForbidsZeroPage ? ("a page", "the zero page") : ("the zero page", "frame"), (m.Kernel, live.ForbidsZeroPage ? m.Reference : m.Reference[..5]));
    }

    [HostOnlyFact]
    public void The_harness_that_took_a_read_faults_page_for_the_zero_page_is_caught_where_the_kernel_forbids_it()
    {
        fx.Close();
        try
        {
            using var planted = LiveMm.Open(16, hostOnly: true, plantZeroPfnFromReadFault: true);
            // the session-12 harness: the freed page of its read fault taken for the zero page, the kernel taken to map it
            Assert.False(planted.ForbidsZeroPage);
            if (File.ReadAllText("/proc/cmdline").Contains("pvm_no_zero_page=1", StringComparison.Ordinal))
                Assert.False(LiveMm.ZeroPage(planted.ZeroPfn), $"pfn 0x{planted.ZeroPfn:x} is the zero page");
            else
                Assert.True(LiveMm.ZeroPage(planted.ZeroPfn)); // a kernel that maps the zero page: the plant is the right answer there
        }
        finally { fx.Close(); }
    }

    [HostOnlySkippableFact]
    public void Where_the_kernel_forbids_the_zero_page_a_folio_split_and_a_childs_read_fault_are_refused_and_counted()
    {
        if (!fx.Live.ForbidsZeroPage) throw new SkipException("this kernel maps the zero page on a read fault: nothing refused");
        var c = Conformance.KvmConfig(1024, Vocabulary.Upstream, null, forbidsZeropage: true);
        RunResult Run(string ops, bool run = false) => new Conformance(fx.Live, c) { RunZeroPageDiffers = run }.Run(KOp.Parse(ops, 1024));
        // MADV_FREE over part of a written THP: the kernel's split maps zero-filled subpages to the zero page, which
        // mm_forbids_zeropage forbids (try_to_map_unused_to_zeropage): not run; a child's read fault of a page it has not mapped
        // maps a page of the child's own: not run
        const string free = "mmap_thp 0 1024 rw; host_write 10 5; free 20 21";
        var r = Run(free + "; host_read 30; fork; child_read 0 600; child_read 0 10");
        Assert.True(r.Mismatch is null, r.Mismatch?.ToString());
        Assert.Equal((2L, 2L), (r.Stats.ZeroPageRefused, r.Stats.Refused));
        Assert.StartsWith("free 20 21: page 20 is in a large folio", r.Stats.FirstZeroPageRefused);
        Assert.Equal(1, r.Stats.Driven.GetValueOrDefault("child_read"));
        // run anyway (the harness without the refusals): the split's zero pages, and the child's page of its own
        var m = Run(free, run: true).Mismatch;
        Assert.Equal((2, "zero page", 0, "the zero page"), (m!.OpIndex, m.What, m.Page, m.Kernel));
        // MADV_FREE over a whole block whose folio an mmap over part of it left mapped in part (the PMD split first): split too
        // (found by `--host-only --unseen --pages 1024 --time 3m --seed 173`)
        const string holed = "mmap_thp 0 1024 rw; host_read 1010; mmap 966 979 none; free 330 1024";
        r = Run(holed);
        Assert.True(r.Mismatch is null, r.Mismatch?.ToString());
        Assert.StartsWith("free 330 1024: page 512 is in a large folio", r.Stats.FirstZeroPageRefused);
        m = Run(holed, run: true).Mismatch;
        Assert.Equal((3, "zero page", 512, "the zero page"), (m!.OpIndex, m.What, m.Page, m.Kernel));
        m = Run("mmap 0 16 rw; fork; child_read 0 3", run: true).Mismatch;
        Assert.Equal((2, "child 0 zero page", 3, "a page", "the zero page"), (m!.OpIndex, m.What, m.Page, m.Kernel, m.Reference));
        if (fx.Live.UffdWhy is not null) return;
        // UFFDIO_MOVE out of a THP: move_pages_ptes splits the source folio (split_folio), page 779 (zero-filled) becomes the
        // zero page and moves as one (found by `--host-only --pages 1024 --count 300 --seed 2`)
        const string move = "mmap_thp 0 1024 rw; host_write 780 151823; uffd_register 214 459; uffd_move 779 214 245";
        r = Run(move);
        Assert.True(r.Mismatch is null, r.Mismatch?.ToString());
        Assert.StartsWith("uffd_move 779 214 245: page 779 is in a large folio", r.Stats.FirstZeroPageRefused);
        m = Run(move, run: true).Mismatch;
        Assert.Equal((3, "zero page", 214, "the zero page"), (m!.OpIndex, m.What, m.Page, m.Kernel));
    }

    /// <summary>UFFDIO_MOVE of a swap entry: linux-7.2 mm/userfaultfd.c move_pages_ptes -> move_swap_pte moves page 15's
    /// (exclusive) swap entry to page 12 in the move's second step; a read of page 12 then swaps page 15's value in there.
    /// Found by `notifier kernel --host-only --time 3m --seed 2` (docs/kernel.md, "UFFDIO_MOVE of a swap entry"). The plants:
    /// the reference of before refusing the step (MmConfig.PlantUffdMoveRefusesSwapEntry: pagemap swapped of page 12), and
    /// the moved entry losing its uffd-wp bit (MmConfig.PlantUffdMoveSwapDropsUffdWp: pagemap uffd-wp of the swap entry at
    /// page 12, pte_swp_uffd_wp; the swap-in there keeps it, do_swap_page).</summary>
    [HostOnlyFact]
    public void Uffd_move_of_a_swap_entry_moves_the_entry_and_a_read_swaps_it_in_at_the_destination()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd here: {why}");
        const string ops = "mmap 0 16 rw; host_write 15 987434; pageout 13 16; uffd_register 11 13; host_write 14 110869; uffd_move 14 11 2; host_read 12; host_read 11";
        var r = Clean(ops, 16, Config());
        Assert.Equal((0L, 1L, 1L), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("uffd_move"), r.Stats.Driven.GetValueOrDefault("pageout")));
        Assert.Equal((987434, 110869), (r.Reference.CpuView(12), r.Reference.CpuView(11)));
        Assert.True(r.Reference.State.Ptes[12] is { Swapped: false, Prot: Prot.ReadWrite });
        var m = Caught(ops, 16, Config() with { PlantUffdMoveRefusesSwapEntry = true });
        Assert.Equal((5, "pagemap swapped", 12, "a swap entry", "no entry"), (m!.OpIndex, m.What, m.Page, m.Kernel, m.Reference));
        // an uffd-wp swap entry moved: the bit stays, and the swap-in at page 12 keeps it (read-only)
        const string wp = "mmap 0 16 rw; uffd_register 0 16; host_write 15 7; uffd_wp 15 16; pageout 15 16; uffd_move 15 12 1; host_read 12";
        r = Clean(wp, 16, Config());
        Assert.Equal((0L, 1L), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("uffd_move")));
        Assert.True(r.Reference.State.Ptes[12] is { Swapped: false, UffdWp: true, Prot: Prot.Read });
        m = Caught(wp, 16, Config() with { PlantUffdMoveSwapDropsUffdWp = true });
        Assert.Equal((5, "pagemap uffd-wp", 12, "a swap entry with uffd-wp"), (m!.OpIndex, m.What, m.Page, m.Kernel));
    }

    /// <summary>PageAnonExclusive (Frame.AnonExclusive): fork clears it (linux-7.2 mm/memory.c copy_present_ptes ->
    /// folio_try_dup_anon_rmap_ptes), and after the child's copy-on-write the parent's page 14, mapped and held once again, is
    /// still not exclusive: UFFDIO_MOVE refuses it (mm/userfaultfd.c move_pages_ptes: -EBUSY) until the parent's write fault
    /// reuses it (do_wp_page: SetPageAnonExclusive), and then moves it. Found by `notifier kernel --host-only --unseen --time 3m
    /// --seed 3` (docs/kernel.md, "PageAnonExclusive"). The plant: the counts of before (MmConfig.PlantAnonExclusiveFromCounts),
    /// which move the page at the first uffd_move.</summary>
    [HostOnlyFact]
    public void Uffd_move_refuses_the_page_fork_shared_until_a_write_fault_reuses_it()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd here: {why}");
        const string ops = "mmap 0 16 rw; host_write 14 943280; fork; child_write 0 14 63653; uffd_register 2 3; uffd_move 14 2 1; host_write 14 5; uffd_move 14 2 1; host_read 2";
        var r = Clean(ops, 16, Config());
        Assert.Equal((0L, 2L), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("uffd_move")));
        Assert.Equal(5, r.Reference.CpuView(2));
        Assert.True(r.Reference.State.Ptes[2] is { } p2 && r.Reference.State.Frames[p2.Frame].AnonExclusive);
        var m = Caught(ops, 16, Config() with { PlantAnonExclusiveFromCounts = true });
        Assert.Equal((5, "uffdio_move", 14, "errno 16", "moves"), (m!.OpIndex, m.What, m.Page, m.Kernel, m.Reference));
    }

    [HostOnlyFact]
    public void Collapse_after_mprotect_of_a_piece_and_back_is_run_and_agrees_with_the_merged_vma_collapsed()
    {
        // mprotect of page 600 splits the THP's PMD and the VMA; mprotect back merges the three VMAs again (linux-7.2 mm/vma.c
        // vma_modify), so MADV_COLLAPSE finds block [512, 1024) inside one VMA (mm/khugepaged.c hugepage_vma_revalidate ->
        // thp_vma_suitable_order) and collapses it: pagemap / kpageflags THP of the block compared after it
        const string ops = "mmap_thp 0 1024 rw; host_write 600 7; mprotect 600 601 r; mprotect 600 601 rw; collapse 600; host_read 600; host_write 601 9";
        var c = Conformance.KvmConfig(1024, Vocabulary.Upstream, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(ops, 1024, c);
        Assert.Equal((1, 0L), (r.Stats.Driven.GetValueOrDefault("collapse"), r.Stats.Refused));
        Assert.All(Enumerable.Range(512, 512), p => Assert.True(r.Reference.State.Ptes[p] is { Huge: true }));
        // the reference that asks its VMA piece (the plant): the piece [600, 601) holds no whole block, so the reference refuses
        // with EINVAL (collapse_possible); the kernel is run, expected to refuse too, and collapses
        var pm = Caught(ops, 1024, c with { PlantCollapsePieceVma = true });
        Assert.Equal((4, "madvise(MADV_COLLAPSE)", "succeeds", "errno 22"), (pm!.OpIndex, pm.What, pm.Kernel, pm.Reference));
        // the run sees the collapse: the reference's, without MADV_COLLAPSE sent, is caught by smaps AnonHugePages (the kernel's
        // pages are still the PTE-mapped THP the split left, so kpageflags THP agrees)
        var m = new Conformance(fx.Live, c) { PlantCollapseSkipsKernel = true }.Run(KOp.Parse(ops, 1024)).Mismatch;
        Assert.Equal((4, "smaps AnonHugePages (PMD-mapped THPs)", "0 kB"), (m!.OpIndex, m.What, m.Kernel));
    }

    /// <summary>MADV_COLLAPSE of a block with holes (MADV_DONTNEED of two pages of a THP split its PMD and left them none) and of a
    /// block whose pages a child maps too (fork after the split: every PTE write-protected), run on the live kernel and compared:
    /// linux-7.2 mm/khugepaged.c collapse_max_ptes_none / collapse_max_ptes_shared allow any number for MADV_COLLAPSE, the holes are
    /// zeroed (__collapse_huge_page_copy: clear_user_highpage), the child keeps its pages (folio_remove_rmap_ptes of the parent's
    /// mapping only). Planted (PlantMadviseCollapseAsKhugepaged, the reference before): refused, so nothing is collapsed. Under
    /// linux-6.12's row (SCAN_PAGE_RO) the reference refuses the forked block with EINVAL and the kernel, 6.18.44, collapses it:
    /// the live evidence for linux-6.18's row.</summary>
    [HostOnlyFact]
    public void Madv_collapse_of_a_block_with_holes_and_of_one_shared_with_a_child_is_run_and_agrees()
    {
        const string holes = "mmap_thp 0 1024 rw; host_write 600 7; dontneed 601 603; collapse 600; host_read 601; host_write 602 5; host_read 600";
        const string forked = "mmap_thp 0 1024 rw; host_write 600 7; dontneed 601 602; fork; collapse 600; child_read 0 600; host_write 600 8; child_read 0 600; host_read 600";
        var c = Conformance.KvmConfig(1024, Vocabulary.Linux6_18, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        foreach (var ops in new[] { holes, forked })
        {
            var r = Clean(ops, 1024, c);
            Assert.Equal((1, 1L, 0L), (r.Stats.Driven.GetValueOrDefault("collapse"), r.Stats.Collapsed, r.Stats.Refused));
            Assert.All(Enumerable.Range(512, 512), p => Assert.True(r.Reference.State.Ptes[p] is { Huge: true }));
            // the plant refuses (EBUSY: not run), nothing collapsed on either side
            r = Clean(ops, 1024, c with { PlantMadviseCollapseAsKhugepaged = true });
            Assert.Equal((0, 0L, 1L), (r.Stats.Driven.GetValueOrDefault("collapse"), r.Stats.Collapsed, r.Stats.Refused));
        }
        var m = Caught(forked, 1024, c with { Vocabulary = Vocabulary.Linux6_12 });
        Assert.Equal((4, "madvise(MADV_COLLAPSE)", "succeeds", "errno 22"), (m!.OpIndex, m.What, m.Kernel, m.Reference));
        // without MADV_COLLAPSE sent, the reference's collapse is caught: its hole 601 is a zeroed page now, the kernel's still none
        var skipped = new Conformance(fx.Live, c) { PlantCollapseSkipsKernel = true }.Run(KOp.Parse(holes, 1024)).Mismatch;
        Assert.Equal((3, "pagemap present", 601, "not present"), (skipped!.OpIndex, skipped.What, skipped.Page, skipped.Kernel));
    }

    [HostOnlySkippableFact]
    public void An_mremap_over_several_vmas_is_run_and_agrees_each_vma_moved_the_gap_kept_and_a_uffd_armed_one_stopping_it()
    {
        // linux-7.2 mm/mremap.c remap_move (v6.17, "mm/mremap: permit mremap() move of multiple VMAs"): the rw and r VMAs of
        // [0, 8) move to [8, 16); [0, 2) and [3, 5) move to [8, 10) and [11, 13), the gap's page 10 left mapped (mremap_to
        // unmaps each VMA's destination only); a userfaultfd-armed VMA after another stops the move there with -EFAULT, the
        // first moved (vma_multi_allowed); a gap at the start is -EFAULT. Values, pagemap and VMAs compared after each.
        var (vocab, _) = KernelRelease.VocabularyOf(KernelRelease.Running());
        if (KernelRelease.MajorMinorOf(KernelRelease.Running()) is not { } mm || mm < new Version(6, 17))
            throw new SkipException($"kernel {KernelRelease.Running()}: before 6.17 mremap moves within one VMA");
        const string ops = "mmap 0 8 rw; host_write 1 11; host_write 5 15; mprotect 4 8 r; mremap 0 8 8; host_read 9; host_read 13; "
            + "munmap 0 16; mmap 0 2 rw; mmap 3 5 rw; host_write 3 7; mmap 10 11 r; mremap 0 6 8; host_read 11; host_read 10; "
            + "munmap 0 16; mmap 0 8 rw; host_write 1 4; uffd_register 4 8; mremap 0 8 8; host_read 9; host_write 5 6; "
            + "munmap 0 16; mmap 2 4 rw; mremap 0 4 8";
        var c = Conformance.KvmConfig(16, vocab, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(ops, 16, c);
        Assert.Equal((4L, 3L, 0L), (r.Stats.Driven.GetValueOrDefault("mremap"), r.Stats.Driven.GetValueOrDefault("mremap(several VMAs)"), r.Stats.Refused));
        // the reference under the one-VMA rule of linux-6.12 (the plant): its EFAULT against the kernel's move
        var m = Caught(ops, 16, c with { PlantMremapOneVma = true });
        Assert.Equal((4, "mremap", "succeeds"), (m!.OpIndex, m.What, m.Kernel));
    }

    private const string MlockOps = "mmap_thp 0 1024 rw; mmap 900 1024 r; mlock 0 1000; host_read 5; host_read 950; dontneed 4 8; free 0 8; "
        + "munlock 0 1000; dontneed 4 8; host_read 5; dontneed 960 1000; mmap 1000 1024 rw; mprotect 980 1000 none; mlock 970 1024; "
        + "host_read 975; mprotect 970 990 rw; host_write 985 3";

    /// <summary>mlock / munlock live (session 15; run with Unseen only, not yet seen through KVM): mlock of [0, 1000) locks the THP
    /// VMA [0, 900) and the VMA [900, 1024) and faults them in (linux-7.2 mm/gup.c populate_vma_page_range): block [0, 512)
    /// huge (do_huge_pmd_anonymous_page), [512, 900) base pages (the block is not inside the VMA), [900, 1000) read faults;
    /// MADV_DONTNEED and MADV_FREE of the locked VMA fail with EINVAL (mm/madvise.c madvise_dontneed_free_valid_vma), after
    /// munlock they zap; mlock over a PROT_NONE VMA [980, 1000) fails with ENOMEM, [970, 980) faulted in; mprotect of the
    /// locked [970, 990) to rw populates the PROT_NONE part, emptied before (mm/mprotect.c mprotect_fixup). Values, pagemap, kpageflags THP,
    /// smaps compared after each. The plants are caught: base pages where the kernel maps a THP (PlantMlockFillsPages), a
    /// locked VMA zapped (PlantMadviseIgnoresMlock), the locked VMA made writable left empty (PlantMprotectSkipsLockedPopulate).</summary>
    private const string MprotectHoleOps = "mmap 0 4 rw; mmap 6 8 rw; host_write 3 5; host_write 6 7; mprotect 2 8 none; host_read 3; host_read 6; mprotect 4 6 r; host_read 1";

    /// <summary>mprotect over a hole (MprotectHoleTests): the kernel changes [2, 4) to PROT_NONE and fails with ENOMEM at the hole
    /// [4, 6), leaving [6, 8) readable; from a hole it fails without a change. Both run on both sides (errno compared), and the
    /// host reads tell: page 3 faults, page 6 reads 7. The plant (nothing changed, PlantHoleNoChange) is caught by the
    /// check right after the first mprotect, at page 3.</summary>
    [HostOnlyFact]
    public void Mprotect_over_a_hole_changes_the_vmas_before_it_and_fails_with_enomem()
    {
        var r = Clean(MprotectHoleOps, 16, Config());
        Assert.Equal((0L, 2), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("mprotect")));
        Assert.Equal(Prot.None, r.Reference.State.VmaAt(3)!.Prot);
        Assert.Equal(Prot.ReadWrite, r.Reference.State.VmaAt(6)!.Prot);
        var m = Caught(MprotectHoleOps, 16, Config() with { PlantHoleNoChange = true });
        Assert.Equal((4, 3), (m.OpIndex, m.Page));
    }

    private const string MlockHoleOps = "mmap 0 4 rw; mmap 6 8 rw; host_write 3 1; mlock 2 8; dontneed 2 4; host_read 3; munlock 0 8; dontneed 2 4; host_read 3; host_read 6";

    /// <summary>mlock / munlock over a hole (MlockHoleTests), with --unseen: the kernel locks [2, 4) and fails with ENOMEM at the
    /// hole, faulting nothing in, so MADV_DONTNEED of [2, 4) fails with EINVAL (a VM_LOCKED VMA) and page 3 keeps its value;
    /// munlock of [0, 8) unlocks [0, 4) and fails at the same hole, and the next MADV_DONTNEED zaps page 3. The plant (nothing
    /// locked, PlantHoleNoChange) is caught at the first MADV_DONTNEED's errno.</summary>
    [HostOnlyFact]
    public void Mlock_and_munlock_over_a_hole_lock_and_unlock_the_vmas_before_it()
    {
        var r = Clean(MlockHoleOps, 16, Config(), unseen: true);
        Assert.Equal((0L, 1, 1, 2), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("mlock"), r.Stats.Driven.GetValueOrDefault("munlock"), r.Stats.Driven.GetValueOrDefault("dontneed")));
        Assert.Equal(0, r.Reference.CpuView(3));
        var m = Caught(MlockHoleOps, 16, Config() with { PlantHoleNoChange = true }, unseen: true);
        Assert.Equal((4, "madvise(MADV_DONTNEED)", "fails with errno 22", "succeeds"), (m.OpIndex, m.What, m.Kernel, m.Reference));
    }

    private const string LazyfreeSharedOps = "mmap 0 16 rw; host_write 5 48641; fork; free 4 13; child_write 0 5 93416; pageout 5 12; host_read 5";
    private const string SwappedInSharedOps = "mmap 0 16 rw; host_write 5 7; pageout 5 6; host_read 5; fork; free 4 13; child_write 0 5 8; pageout 5 12; host_read 5";

    /// <summary>MADV_FREE of a page fork shared (seed 185, docs/kernel.md): the kernel makes the clean folio lazyfree whoever
    /// maps it (linux-7.2 mm/madvise.c madvise_free_pte_range), and after the child's copy the parent's pageout discards it:
    /// no swap entry, the zero page on the next read. A page swapped in before the fork is in the swap cache (or dirty once out
    /// of it): left alone, and swapped out. The plants are caught at the pageout: the shared page left alone and swapped out
    /// (PlantLazyfreeSkipsShared), the swapped-in page marked and discarded (PlantLazyfreeMarksShared).</summary>
    [HostOnlyFact]
    public void Madv_free_makes_a_clean_page_fork_shared_lazyfree_and_leaves_one_swapped_in_alone()
    {
        var r = Clean(LazyfreeSharedOps, 16, Config());
        Assert.Equal((0L, 1), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("pageout")));
        // discarded: the read after the pageout faults in a page of zeros (the zero page, or a page of its own where the
        // kernel forbids the zero page), no swap entry
        Assert.True(r.Reference.State.Ptes[5] is { Swapped: false }, PteText.Of(r.Reference.State.Ptes[5]));
        Assert.Equal(0, r.Reference.CpuView(5));
        var m = Caught(LazyfreeSharedOps, 16, Config() with { PlantLazyfreeSkipsShared = true });
        Assert.Equal((5, 5), (m.OpIndex, m.Page));
        r = Clean(SwappedInSharedOps, 16, Config());
        Assert.Equal((0L, 2), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("pageout")));
        Assert.Equal(7, r.Reference.CpuView(5));
        m = Caught(SwappedInSharedOps, 16, Config() with { PlantLazyfreeMarksShared = true });
        Assert.Equal((7, 5), (m.OpIndex, m.Page));
    }

    [HostOnlyFact]
    public void Mlock_populates_as_the_kernel_does_and_madvise_of_a_locked_vma_fails()
    {
        var c = Conformance.KvmConfig(1024, Vocabulary.Upstream, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(MlockOps, 1024, c, unseen: true);
        Assert.Equal((0L, 2, 1, 3), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("mlock"), r.Stats.Driven.GetValueOrDefault("munlock"), r.Stats.Driven.GetValueOrDefault("dontneed")));
        Assert.Equal(Enumerable.Repeat(true, 10), Enumerable.Range(980, 10).Select(p => r.Reference.State.Ptes[p] is { Prot: Prot.ReadWrite }));
        // without Unseen, mlock and munlock are refused (counted), not run
        var off = Clean(MlockOps, 1024, c);
        Assert.Equal((0, 0), (off.Stats.Driven.GetValueOrDefault("mlock"), off.Stats.Driven.GetValueOrDefault("munlock")));
        // refused by operation: mlock and munlock, and the free of [0, 8): without the lock the dontneed before split the PMD,
        // and a free of part of the PTE-mapped folio splits it (Conformance's SplitsFolio: not run)
        Assert.Equal(["free 1", "mlock 2", "munlock 1"], off.Stats.RefusedByOp.Select(kv => $"{kv.Key} {kv.Value}"));
        Assert.Equal(off.Stats.Refused, off.Stats.RefusedByOp.Values.Sum());
        Assert.Empty(r.Stats.RefusedByOp);
        var m = Caught(MlockOps, 1024, c with { PlantMlockFillsPages = true }, unseen: true);
        Assert.Equal((2, "smaps AnonHugePages (PMD-mapped THPs)"), (m!.OpIndex, m.What));
        m = Caught(MlockOps, 1024, c with { PlantMadviseIgnoresMlock = true }, unseen: true);
        Assert.Equal((5, "madvise(madvise_dontneed)", "fails with errno 22", "succeeds"), (m!.OpIndex, m.What, m.Kernel, m.Reference));
        m = Caught(MlockOps, 1024, c with { PlantMprotectSkipsLockedPopulate = true }, unseen: true);
        Assert.Equal((15, "pagemap present", 980), (m!.OpIndex, m.What, m.Page));
    }

    private const string MlockFaultOps = "mmap 0 64 rw; host_write 3 7; mlock 8 12; fork; host_read 2; mlock 0 8; child_read 0 3; host_read 3; "
        + "host_write 20 9; pageout 16 24; mlock 16 24; host_read 20";

    private const string MlockSwapOps = "mmap 0 64 rw; host_write 20 9; pageout 16 24; mlock 16 24; host_read 20";

    private const string MlockThpOps = "mmap_thp 0 1024 rw; host_write 1 4; fork; mlock 0 600; child_read 0 1; host_read 1";

    /// <summary>mlock's population faults in what it found present or swapped (session 16; Unseen only), each fault on the state
    /// the one before left (Planner.PopulateNext): fork leaves the child's VMA [8, 12) unlocked (linux-7.2 mm/mmap.c dup_mmap:
    /// VM_LOCKED_MASK cleared; the child's smaps VmFlags compared); mlock of [0, 8) copies page 3, which fork shared (do_wp_page
    /// -> wp_page_copy), and page 2 read-faulted before (the zero page, or a page of its own where the kernel forbids it);
    /// mlock of [16, 24) swaps page 20 in (do_swap_page); mlock of a THP fork shared splits its PMD once and copies each page
    /// (do_huge_pmd_wp_page's fallback, then do_wp_page per page). Values, pagemap, kpageflags THP, smaps compared after each.
    /// The plants are caught: the child's VMA locked (PlantForkKeepsMlock), present and swapped pages left as they are
    /// (PlantPopulateSkipsPresent).</summary>
    [HostOnlyFact]
    public void Mlock_faults_in_present_and_swapped_pages_and_fork_unlocks_the_child()
    {
        var c = Conformance.KvmConfig(64, Vocabulary.Upstream, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var r = Clean(MlockFaultOps, 64, c, unseen: true);
        Assert.Equal((0L, 3), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault("mlock")));
        Assert.True(new[] { 2, 3, 20 }.All(p => r.Reference.State.Ptes[p] is { Prot: Prot.ReadWrite, Swapped: false }));
        var m = Caught(MlockFaultOps, 64, c with { PlantForkKeepsMlock = true }, unseen: true);
        Assert.Equal((3, "child 0's VM_LOCKED (smaps VmFlags lo)", 8, "not locked", "locked"), (m!.OpIndex, m.What, m.Page, m.Kernel, m.Reference));
        m = Caught(MlockFaultOps, 64, c with { PlantPopulateSkipsPresent = true }, unseen: true);
        Assert.Equal((5, "pagemap exclusively mapped", 3), (m!.OpIndex, m.What, m.Page));
        // the swap-in alone (op 3 of the same sequence without the fork)
        m = Caught(MlockSwapOps, 64, c with { PlantPopulateSkipsPresent = true }, unseen: true);
        Assert.Equal((3, "pagemap swapped", 20), (m!.OpIndex, m.What, m.Page));
        var ct = Conformance.KvmConfig(1024, Vocabulary.Upstream, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        var t = Clean(MlockThpOps, 1024, ct, unseen: true);
        Assert.Equal((0L, 1), (t.Stats.Refused, t.Stats.Driven.GetValueOrDefault("mlock")));
        m = Caught(MlockThpOps, 1024, ct with { PlantPopulateSkipsPresent = true }, unseen: true);
        Assert.Equal((3, "kpageflags THP", 0), (m!.OpIndex, m.What, m.Page));
    }

    private const string DontunmapPgoffOps = "mmap 0 16 rw; host_read 10; mremap 9 10 2; mremap_dontunmap 0 3 7; uffd_register 2 5; "
        + "host_write 12 95031; uffd_move 12 2 3";

    private const string AnonMergeOps = "mmap 0 16 rw; uffd_register 8 16; host_write 7 55434; uffd_register 7 8; mremap 7 10 13";

    /// <summary>Found by `--unseen --time 3m --seed 181` and `--time 2m --seed 193` (session 16) on 6.18.44, diagnosed with a
    /// standalone program's /proc/self/maps: MREMAP_DONTUNMAP of a whole VMA keeps the old VMA's pgoff there (linux-7.2
    /// dontunmap_complete and 6.12 move_vma reset it), so [2, 3), mremap'd from page 9 first, does not merge with the faulted
    /// [3, 5) at UFFDIO_REGISTER and UFFDIO_MOVE into [2, 5) fails with EINVAL (plant PlantDontunmapPgoffReset6_18: merged,
    /// moved, caught at the move); and a faulted VMA merges into an unfaulted one (linux-7.2 is_mergeable_anon_vma's Case 1,
    /// where 6.12's keeps them apart), so the mremap of [7, 10) moves one VMA (plant PlantAnonVmaMerge6_18As6_12: two
    /// userfaultfd-armed VMAs, EFAULT, caught at the mremap). Run under linux-6.18 only (the rules are the running 6.18's).</summary>
    [HostOnlyFact]
    public void Dontunmap_keeps_the_pgoff_and_a_faulted_vma_merges_into_an_unfaulted_one_on_this_kernel()
    {
        if (fx.Live.UffdWhy is { } why) throw new SkipException($"no userfaultfd write-protect here: {why}");
        var v = KernelRelease.VocabularyOf(KernelRelease.Running()).Vocabulary;
        if (v != Vocabulary.Linux6_18) throw new SkipException($"the running kernel's vocabulary is {v}, not linux-6.18");
        var c = Conformance.KvmConfig(16, v, null, forbidsZeropage: fx.Live.ForbidsZeroPage);
        foreach (var (ops, driven) in new[] { (DontunmapPgoffOps, "uffd_move"), (AnonMergeOps, "mremap") })
        {
            var r = Clean(ops, 16, c, unseen: true);
            Assert.Equal((0L, 1), (r.Stats.Refused, r.Stats.Driven.GetValueOrDefault(driven)));
        }
        var m = Caught(DontunmapPgoffOps, 16, c with { PlantDontunmapPgoffReset6_18 = true }, unseen: true);
        Assert.Equal((6, "uffdio_move"), (m!.OpIndex, m.What));
        m = Caught(AnonMergeOps, 16, c with { PlantAnonVmaMerge6_18As6_12 = true }, unseen: true);
        Assert.Equal((4, "mremap"), (m!.OpIndex, m.What));
    }
}
