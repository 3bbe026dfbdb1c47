using System.Collections.Immutable;
using NotifierSpec.Properties;
using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>What the live kernel and the reference disagree on, first: the operation (index -1: none yet),
/// what was compared, the page, and both sides' values.</summary>
public sealed record Mismatch(int OpIndex, string Op, string What, int Page, string Kernel, string Reference)
{
    public override string ToString() =>
        $"after operation {OpIndex + 1} ({Op}): {What} of page {Page}: live kernel {Kernel}, reference {Reference}";
}

/// <summary>One run's counts. InsnEmulation and Mmio are the vCPU's instruction emulations and the guest's MMIO
/// exits over the run (equal when every data access ran natively); Refaults are guest accesses the reference
/// says had to fault again after an invalidation dropped the page, RefaultsFixed those in which KVM's pf_fixed grew.</summary>
/// Driven counts, per operation name, the operations run on the live kernel (not refused by the reference).
/// Paths counts, per call site, the traced invalidations matched with the reference's (when tracing).
/// Extra / RangeDiffs: traced invalidations with no reference counterpart / with a different range (first examples kept).
/// GuestRefused: guest_read / guest_write not run in a host-only run (no VM: LiveMm.HostOnly), counted in Refused too.
/// ZeroPageRefused: operations not run because this kernel's zero page differs from what mm_forbids_zeropage would do
/// (LiveMm.ForbidsZeroPage: a folio split still maps zero-filled subpages to the zero page here), counted in Refused too.
/// Collapsed: `collapse` operations after which the reference's block is PMD-mapped where it was not (MADV_COLLAPSE changed the
/// page table; a block already PMD-mapped is not counted).
/// RefusedBy: Refused by operation name (what a run left out, so a reader can tell which operations a "no mismatch" covers).
public sealed record RunStats(long Ops, long Checks, long GuestAccesses, ulong InsnEmulation, ulong Mmio, long Refaults, long RefaultsFixed, long Refused,
    ImmutableSortedDictionary<string, long> Driven, ImmutableSortedDictionary<string, long> Paths,
    long Extra = 0, long RangeDiffs = 0, string? FirstExtra = null, string? FirstRangeDiff = null, long Missing = 0, string? FirstMissing = null,
    long UffdResolved = 0, long UffdUnprotects = 0, long Compactions = 0, long Migrated = 0, long MigratedUnmodelled = 0, string? FirstUnmodelled = null,
    long GuestRefused = 0, long ZeroPageRefused = 0, string? FirstZeroPageRefused = null, long Collapsed = 0,
    ImmutableSortedDictionary<string, long>? RefusedBy = null)
{
    /// <summary>Refused by operation name (empty when nothing was refused).</summary>
    public ImmutableSortedDictionary<string, long> RefusedByOp => RefusedBy ?? ImmutableSortedDictionary<string, long>.Empty;
    public static readonly RunStats Zero = new(0, 0, 0, 0, 0, 0, 0, 0, ImmutableSortedDictionary<string, long>.Empty, ImmutableSortedDictionary<string, long>.Empty);
    private static ImmutableSortedDictionary<string, long> Sum(ImmutableSortedDictionary<string, long> a, ImmutableSortedDictionary<string, long> b) =>
        b.Aggregate(a, (d, kv) => d.SetItem(kv.Key, d.GetValueOrDefault(kv.Key) + kv.Value));
    public RunStats Add(RunStats o) => new(Ops + o.Ops, Checks + o.Checks, GuestAccesses + o.GuestAccesses, InsnEmulation + o.InsnEmulation,
        Mmio + o.Mmio, Refaults + o.Refaults, RefaultsFixed + o.RefaultsFixed, Refused + o.Refused, Sum(Driven, o.Driven), Sum(Paths, o.Paths),
        Extra + o.Extra, RangeDiffs + o.RangeDiffs, FirstExtra ?? o.FirstExtra, FirstRangeDiff ?? o.FirstRangeDiff, Missing + o.Missing, FirstMissing ?? o.FirstMissing,
        UffdResolved + o.UffdResolved, UffdUnprotects + o.UffdUnprotects, Compactions + o.Compactions, Migrated + o.Migrated,
        MigratedUnmodelled + o.MigratedUnmodelled, FirstUnmodelled ?? o.FirstUnmodelled, GuestRefused + o.GuestRefused, ZeroPageRefused + o.ZeroPageRefused,
        FirstZeroPageRefused ?? o.FirstZeroPageRefused, Collapsed + o.Collapsed, Sum(RefusedByOp, o.RefusedByOp));
}

public sealed record RunResult(Mismatch? Mismatch, RunStats Stats, Session Reference);

/// <summary>
/// Runs an operation sequence on the live kernel and through the reference, with one KVM-shaped listener: a
/// full-mm notifier (MirrorKind.Mm, KVM's mmu_invalidate_seq / in_progress) that unmaps on every event
/// (linux-7.2 virt/kvm/kvm_main.c kvm_mmu_notifier_invalidate_range_start unmaps the range whatever the event) and faults
/// one page at a time. After every operation it compares page by page: pagemap present / zero page / exclusively
/// mapped, which pages (of this process and of forked children) share a frame, the host's plain load and the
/// guest's load through KVM's shadow MMU.
/// </summary>
public sealed class Conformance(LiveMm live, MmConfig config)
{
    /// <summary>Run the operations not yet seen against a live kernel through KVM (`notifier kernel --unseen`): written in
    /// session 12 on a machine without /dev/kvm, checked there only by plain processes on its 6.18.44 kernel (docs/kernel.md,
    /// "Not yet seen live"): mremap_dontunmap, and uffd_move with overlapping ranges, to a destination VMA the reference does
    /// not hold registered, or refused into a private VMA without an anon_vma; (session 14) uffd_wp that protects registered
    /// VMAs before failing at one not registered, and ksm of a uffd-wp page; (session 15) mlock and munlock. Off, they are refused (counted) as the
    /// harness of session 11 did, and a generated mremap_dontunmap is the plain mremap it replaced.</summary>
    public bool Unseen { get; init; }

    /// <summary>A planted harness bug (tests only): uffd_wp runs on the kernel but not through the reference. Only the
    /// pagemap uffd-wp check sees it (values agree: the handler resolves the kernel's write faults).</summary>
    public bool PlantUffdWpSkipsReference { get; init; }

    /// <summary>A planted harness bug (tests only): uffd_unregister runs on the kernel but not through the reference, which
    /// keeps its uffd-wp bits and VM_UFFD_WP as a reference whose unregister forgot userfaultfd_clear_vma's uffd_wp_range
    /// would. The pagemap uffd-wp check sees it at once.</summary>
    public bool PlantUnregisterSkipsReference { get; init; }

    /// <summary>A planted harness bug (tests only): uffd_register runs on the kernel but not through the reference, whose VMAs
    /// then merge where the kernel's VM_UFFD_WP keeps them apart (the reference before Vma.UffdWp). Seen by fork's copies.</summary>
    public bool PlantRegisterSkipsReference { get; init; }

    /// <summary>A planted harness bug (tests only): collapse runs through the reference but MADV_COLLAPSE is not sent.
    /// Only the KPF_THP check sees it (the new frames map one-to-one onto the old pfns; values agree).</summary>
    public bool PlantCollapseSkipsKernel { get; init; }

    /// <summary>A planted harness bug (tests only): pageout sends MADV_DONTNEED to the kernel instead of MADV_PAGEOUT. The page
    /// is not present on both sides; only the pagemap swapped bit sees it at once (the lost contents show at the next read).</summary>
    public bool PlantPageoutSendsDontneed { get; init; }

    /// <summary>A planted harness bug (tests only): the kernel's mprotect covers the whole huge blocks around the range, so it
    /// splits no PMD where the reference splits one. Only the smaps AnonHugePages check sees it at once.</summary>
    public bool PlantMprotectWholeBlocks { get; init; }

    /// <summary>A planted harness bug (tests only): khugepaged is not held off during a run with huge pages, and scans every
    /// 100 ms (KhugepagedControl.Provoke), so its background collapse shows as pages the reference dropped coming back.</summary>
    public bool PlantKhugepagedNotHeld { get; init; }

    /// <summary>A planted harness bug (tests only): a forked child's copies of the parent's swap entries are expected present
    /// (the reference's frames), not swap entries. The child's pagemap swapped check sees it.</summary>
    public bool PlantChildSwapMapped { get; init; }
    /// <summary>A planted reference bug (tests only): a child's write is run in the reference as the parent's write of the page
    /// (a reference whose child write also changes the parent's page). The host's load of the page sees it.</summary>
    public bool PlantChildWriteInParent { get; init; }
    /// <summary>A planted reference bug (tests only): a child's write is not run in the reference (the reference before child
    /// writes: the parent's page stays shared with the child). The parent's pagemap exclusive bit sees it.</summary>
    public bool PlantChildWriteNotInReference { get; init; }

    /// <summary>A planted reference bug (tests only): before a pageout, the reference's clean lazyfree pages of the range are
    /// written again (their own values, in the reference only), so it keeps them where the kernel discards them.</summary>
    public bool PlantLazyfreeKept { get; init; }

    /// <summary>A planted harness bug (tests only): KVM's prefetch of neighbouring pages (OneRun.Prefetch) is not followed in
    /// the reference, so a lazyfree page the prefetch dirtied is clean there, and discarded by its pageout.</summary>
    public bool PlantNoPrefetch { get; init; }

    /// <summary>A planted harness bug (tests only): a `ksm` operation decides whether to merge only after Other got Page's
    /// contents, and checks no other identical pair (the harness before issue 13's fix): a merge not run leaves a pair ksmd
    /// merges at the next `ksm` operation, which the reference does not.</summary>
    public bool PlantKsmCandidatesLeft { get; init; }

    /// <summary>Runs read faults in empty blocks of a THP VMA even when the reference's configuration has the huge zero page off
    /// (MmConfig.HugeZeroPage false while the kernel's use_zero_page is 1: such a read is a known mismatch; off, it is not run).</summary>
    public bool RunHugeZeroReads { get; init; }

    /// <summary>Runs MADV_PAGEOUT over a PTE-mapped large folio (OneRun.PageoutMeetsLargeFolio), a known mismatch (the kernel's
    /// split_folio maps zero-filled subpages to the zero page; the reference swaps base pages out): tests only, the harness
    /// without the refusal.</summary>
    public bool RunPageoutLargeFolio { get; init; }
    /// <summary>Runs, on a kernel that maps no zero page on a read fault, the operations where it differs from mm_forbids_zeropage
    /// (OneRun.ZeroPageDiffers: folio splits, a child's read fault): tests only, the harness without those refusals.</summary>
    public bool RunZeroPageDiffers { get; init; }
    /// <summary>A planted reference bug for tests: a child's write to a page of a THP fork shared (MmState.Folios) reuses the page
    /// in the reference (its frame marked PageAnonExclusive first), the parent's page written by the child.</summary>
    public bool PlantThpChildWriteReuses { get; init; }
    /// <summary>A planted reference bug for tests: the parent's write to a page of a THP fork shared reuses it in the reference (its
    /// frame marked PageAnonExclusive first), as the reference without folios did for a page mapped once.</summary>
    public bool PlantThpParentWriteReuses { get; init; }

    public const int Kvm = 0; // the mirror index of the KVM listener

    /// <summary>The KVM-shaped configuration: one Mm listener unmapping on every event, fault chunk 1. hugeZeroPage: the
    /// reference's MmConfig.HugeZeroPage, by default the running kernel's transparent_hugepage/use_zero_page.</summary>
    /// forbidsZeropage: MmConfig.MmForbidsZeropage, the running kernel's LiveMm.ForbidsZeroPage (the caller passes it).
    public static MmConfig KvmConfig(int pages, Vocabulary vocabulary, MutantCase? mutant, bool? hugeZeroPage = null, bool forbidsZeropage = false)
    {
        // a huge page is 512 base pages (x86-64 HPAGE_PMD_NR); a smaller region has no huge block, and its 4 is unused
        var c = new MmConfig(Pages: pages, HugePageSize: pages >= 512 ? 512 : 4, Frames: 8 * pages + 16, Vocabulary: vocabulary,
            Mirrors: [new MirrorConfig("kvm", MirrorKind.Mm, Policy.UnmapAll, FaultChunk: 1)], HugeZeroPage: hugeZeroPage ?? LiveMm.HugeZeroPageEnabled(),
            MadviseFreeSplit: true, // the folio split of MADV_FREE over part of a THP (every kernel release since 6.1)
            MremapBreakKsm: true,   // mremap breaks the KSM pages it moves (every kernel release)
            KsmWriteCopies: true,   // a write fault copies a KSM page mapped once (wp_can_reuse_anon_folio: folio_test_ksm)
            PteFolioSplit: true,    // MADV_FREE / MADV_PAGEOUT over part of a PTE-mapped large folio split it (Planner.SplitPteFolio)
            MmForbidsZeropage: forbidsZeropage);
        return mutant is null ? c : mutant.Apply(c);
    }

    /// <summary>A forked child: its VMAs at fork, the pages it read-faulted since (the zero page; a page it wrote is the reference's
    /// child_write, in MmState.Children), and the pages where it maps
    /// the huge zero page (copied by fork, linux-7.2 mm/huge_memory.c copy_huge_pmd: is_huge_zero_pmd, or faulted).</summary>
    /// PmdBlocks: the first pages of the huge blocks the child maps by a PMD (a THP the parent had PMD-mapped at fork:
    /// copy_huge_pmd), until the child's write there splits it (do_huge_pmd_wp_page's fallback: ChildWrite, the reference's Folio
    /// without the child in ChildPmd).
    /// Swapped: the pages where the child has a swap entry (the parent had one at fork: linux-7.2 mm/memory.c copy_nonpresent_pte
    /// copies it, swap_dup_entry_direct), until the child's read swaps the page in (do_swap_page maps the swap cache's page,
    /// the reference's frame of that page: then one more mapping of it, counted in OneRun's child swap-in map counts).
    private sealed record Child(ImmutableArray<Vma> Vmas, Dictionary<int, int> Faulted, HashSet<int> HugeZero, HashSet<int> PmdBlocks, HashSet<int> Swapped);

    public RunResult Run(IReadOnlyList<KOp> ops, bool record = false)
    {
        if (config.Pages > live.Pages) throw new ArgumentException($"the reference has {config.Pages} pages, the VM's region only {live.Pages}");
        live.Reset();
        // khugepaged's background collapse is not in the reference: held off while huge pages can be made (KhugepagedControl)
        if (PlantKhugepagedNotHeld) live.Khugepaged.Provoke();
        else if (config.HugePageSize == 512) live.Khugepaged.Hold();
        var run = new OneRun(live, new Session(config) { Record = record || live.Trace is not null }, PlantUffdWpSkipsReference, PlantCollapseSkipsKernel, PlantPageoutSendsDontneed, PlantMprotectWholeBlocks, RunHugeZeroReads)
            { PlantUnregisterSkipsReference = PlantUnregisterSkipsReference, PlantRegisterSkipsReference = PlantRegisterSkipsReference, PlantChildSwapMapped = PlantChildSwapMapped, PlantChildWriteInParent = PlantChildWriteInParent, PlantChildWriteNotInReference = PlantChildWriteNotInReference, PlantLazyfreeKept = PlantLazyfreeKept, PlantNoPrefetch = PlantNoPrefetch, PlantKsmCandidatesLeft = PlantKsmCandidatesLeft, RunPageoutLargeFolio = RunPageoutLargeFolio, RunZeroPageDiffers = RunZeroPageDiffers, Unseen = Unseen, PlantThpChildWriteReuses = PlantThpChildWriteReuses, PlantThpParentWriteReuses = PlantThpParentWriteReuses };
        var (insn0, _, mmio0) = live.Stats();
        var (uffd0, bad0) = live.UffdCounts();
        Mismatch? mm = null;
        for (int i = 0; i < ops.Count && mm is null; i++)
        {
            run.Index = i; run.OpText = ops[i].ToString();
            long refused = run.Refused;
            int lines = run.S.Trace.Count;
            live.Trace?.Clear();
            var before = run.S.State;
            var (ur0, _) = live.UffdCounts();
            long rr0 = run.UffdResolvedInReference;
            mm = run.Apply(ops[i]) ?? run.UffdResolved(live.UffdCounts().Resolved - ur0, rr0) ?? run.CallPaths(lines, before) ?? run.Compare();
            run.Ops++;
            string name = ops[i].ToString().Split(' ')[0];
            if (run.Refused > refused) run.RefusedBy[name] = run.RefusedBy.GetValueOrDefault(name) + (run.Refused - refused);
            else if (run.Refused == refused && !(ops[i] is KOp.ChildRead c && c.Child >= run.Children) && !(ops[i] is KOp.ChildWrite w && w.Child >= run.Children) && !(ops[i] is KOp.Fork && run.ForkSkipped))
                run.Driven[name] = run.Driven.GetValueOrDefault(name) + 1;
        }
        var (insn1, _, mmio1) = live.Stats();
        var (uffd1, bad1) = live.UffdCounts();
        if (bad1 != bad0) throw new InvalidOperationException($"the userfaultfd handler got {bad1 - bad0} message(s) it could not resolve");
        var stats = new RunStats(run.Ops, run.Checks, run.GuestAccesses, insn1 - insn0, mmio1 - mmio0, run.Refaults, run.RefaultsFixed, run.Refused,
            run.Driven.ToImmutableSortedDictionary(), run.Paths.ToImmutableSortedDictionary(), run.Extra, run.RangeDiffs, run.FirstExtra, run.FirstRangeDiff, run.Missing, run.FirstMissing,
            (long)(uffd1 - uffd0), run.UffdUnprotects, run.Compactions, run.Migrated, run.MigratedUnmodelled, run.FirstUnmodelled,
            run.GuestRefused, run.ZeroPageRefused, run.FirstZeroPageRefused, run.Collapsed, run.RefusedBy.ToImmutableSortedDictionary());
        live.Reset();
        return new RunResult(mm, stats, run.S);
    }

    private sealed class OneRun(LiveMm live, Session s, bool plantUffdWpSkipsReference, bool plantCollapseSkipsKernel, bool plantPageoutSendsDontneed, bool plantMprotectWholeBlocks, bool runHugeZeroReads)
    {
        /// <summary>The pages under test: the reference's (the VM's region may be larger: one VM serves every size up to its own).</summary>
        private int Pages => s.State.Config.Pages;
        public long UffdUnprotects, UffdResolvedInReference;
        public bool PlantUnregisterSkipsReference { get; init; }
        public bool PlantRegisterSkipsReference { get; init; }
        public long Compactions, Migrated, MigratedUnmodelled;
        public string? FirstUnmodelled;
        public Session S => s;
        public int Index; public string OpText = "";
        public long Ops, Checks, GuestAccesses, Refaults, RefaultsFixed, Refused, Prefetched, GuestRefused, ZeroPageRefused, Collapsed;
        public string? FirstZeroPageRefused;

        /// <summary>Not run in a host-only run: a guest access (there is no VM). Counted in Refused and GuestRefused.</summary>
        private Mismatch? NoGuest() { Refused++; GuestRefused++; return null; }

        /// <summary>Not run on a kernel that maps no zero page on a read fault (LiveMm.ForbidsZeroPage) where it differs from what
        /// mm_forbids_zeropage would do (MmConfig.MmForbidsZeropage follows upstream): counted in Refused and ZeroPageRefused.</summary>
        private Mismatch? ZeroPageDiffers(string why) { Refused++; ZeroPageRefused++; FirstZeroPageRefused ??= $"{OpText}: {why}"; return null; }

        /// <summary>This machine's PVM kernel (pvm_no_zero_page=1) maps no zero page on a read fault (do_anonymous_page,
        /// do_huge_pmd_anonymous_page: as mm_forbids_zeropage), but a folio split still maps zero-filled subpages to the zero page
        /// (seen: MADV_FREE over one page of a written THP left its zero-filled subpages the zero page, KPF_ZERO_PAGE), where
        /// linux-7.2 mm/migrate.c try_to_map_unused_to_zeropage returns false for mm_forbids_zeropage. MADV_FREE over part of a
        /// large folio, MADV_PAGEOUT of one (reclaim splits it with swap on files) and UFFDIO_MOVE of one (move_pages_ptes: split_folio)
        /// split it: on such a kernel they are not run. A block inside the range is split too when the folio is not mapped whole
        /// there (a page of it unmapped or replaced, e.g. by an mmap over part of it after its PMD was split: linux-7.2
        /// mm/madvise.c madvise_free_pte_range splits a large folio its PTE batch does not cover whole; found by
        /// `--host-only --unseen --pages 1024 --time 3m --seed 173`): taken so when a page of the block is not a present
        /// page of a large folio.</summary>
        private string? SplitOnForbiddingKernel(int start, int end, bool whole)
        {
            if (!live.ForbidsZeroPage || RunZeroPageDiffers || s.State.Config.HugePageSize != 512) return null;
            var pm = live.Pagemap();
            bool Large(int q) => LiveMm.Present(pm[q]) && LiveMm.Pfn(pm[q]) != live.ZeroPfn && LiveMm.Thp(LiveMm.Pfn(pm[q]));
            for (int p = start; p < end; p++)
            {
                int b = p / 512 * 512;
                if (Large(p) && (whole || b < start || b + 512 > end || !Enumerable.Range(b, Math.Min(512, Pages - b)).All(Large)))
                    return $"page {p} is in a large folio whose split maps zero-filled subpages to the zero page on this kernel, which mm_forbids_zeropage forbids";
            }
            return null;
        }
        public readonly Dictionary<string, long> Driven = [], RefusedBy = [];
        public readonly Dictionary<string, long> Paths = [];
        public long Extra, RangeDiffs, Missing;
        public string? FirstExtra, FirstRangeDiff, FirstMissing;
        public bool ForkSkipped;
        public bool PlantChildSwapMapped { get; init; }
        public bool PlantChildWriteInParent { get; init; }
        public bool PlantChildWriteNotInReference { get; init; }
        public bool PlantLazyfreeKept { get; init; }
        public bool PlantNoPrefetch { get; init; }
        public bool PlantKsmCandidatesLeft { get; init; }
        public bool RunPageoutLargeFolio { get; init; }
        public bool RunZeroPageDiffers { get; init; }
        public bool Unseen { get; init; }
        public bool PlantThpChildWriteReuses { get; init; }
        public bool PlantThpParentWriteReuses { get; init; }
        private readonly List<Child> _children = [];
        public int Children => _children.Count;
        private readonly HashSet<int> _dropped = [];
        private readonly HashSet<(int Frame, int Generation)> _ksm = []; // reference frames that are KSM pages
        /// <summary>Mappings of a frame by children's swap-ins, which the reference does not count (its children are the copies
        /// fork made; a child's swap entry holds a reference to the frame, so the frame is not freed while the child lives).</summary>
        private readonly Dictionary<int, int> _childSwapIns = [];
        private int MapCount(MmState st, int frame) => st.Frames[frame].MapCount + _childSwapIns.GetValueOrDefault(frame);
        private bool ChildSwappedIn(int frame) => _childSwapIns.ContainsKey(frame);

        private Mismatch Diff(string what, int page, string kernel, string reference) => new(Index, OpText, what, page, kernel, reference);

        private static string V(bool faulted, ulong value) => faulted ? "a fault" : value.ToString();
        private static string V(int? value) => value is { } v ? ((ulong)(uint)v).ToString() : "a fault";

        /// <summary>A CPU call run to completion in the reference; returns its refusal ("result" of the call line) or null.</summary>
        private string? Cpu(Call call)
        {
            var before = s.State.Mirrors[Kvm].Pt;
            var o = s.Call(call);
            string? err = o.Line.Get("result") as string;
            for (int i = 0; i < 100000 && s.State.Op is not null; i++)
            {
                if (Machine.CanStep(s.State, Machine.Cpu)) { s.Step(Machine.Cpu); continue; }
                s.Step(Enumerable.Range(0, s.State.Mirrors.Length).First(x => Machine.CanStep(s.State, x)));
            }
            foreach (var p in before.Keys) if (!s.State.Mirrors[Kvm].Pt.ContainsKey(p)) _dropped.Add(p);
            return err;
        }

        /// <summary>A guest access on both sides: null when they agree, else the mismatch.</summary>
        private Mismatch? Guest(int page, bool write, int value, string what)
        {
            if (write) DrainBeforeReuse(page);
            if (write && PlantThpParentWriteReuses && s.State.Ptes[page] is { } gp) PlantFolioExclusive(gp.Frame);
            bool refault = _dropped.Remove(page);
            bool mapped = s.State.Mirrors[Kvm].Pt.ContainsKey(page);
            if (write) s.DeviceWrite(Kvm, page, value); else s.DeviceRead(Kvm, page);
            var ms = s.State.Mirrors[Kvm];
            bool refFault = ms.LastError is not null;
            int? refValue = refFault ? null : write ? value : ms.LastRead;
            string? refError = ms.LastError;
            if (!mapped && !refFault && ms.Pt.ContainsKey(page) && !PlantNoPrefetch) Prefetch(page);
            var (_, pf0, _) = live.Stats();
            int r = Native.GuestAccess(page, write ? 1 : 0, (ulong)(uint)value, out ulong got);
            if (r < 0) throw new InvalidOperationException($"guest: {Native.LastError}");
            var (_, pf1, _) = live.Stats();
            GuestAccesses++; Checks++;
            if (refault && r == 0) { Refaults++; if (pf1 > pf0) RefaultsFixed++; }
            bool kFault = r == 1;
            if (kFault != refFault || (!kFault && got != (ulong)(uint)refValue!.Value))
                return Diff(what, page, V(kFault, got), refFault ? $"a fault ({refError})" : V(refValue));
            return null;
        }

        /// <summary>KVM's prefetch after a fault of a base page (linux-7.2 arch/x86/kvm/mmu/paging_tmpl.h FNAME(pte_prefetch): the
        /// guest maps the region with 2 MiB pages, so its shadow page is direct -> mmu.c __direct_pte_prefetch): in the aligned
        /// group of PTE_PREFETCH_NUM (8) sptes around the faulting one, each run of sptes not present is filled by
        /// direct_pte_prefetch_many with the pages kvm_prefetch_pages gets (get_user_pages_fast_only with FOLL_WRITE: the longest
        /// prefix of present, writable PTEs), each marked dirty (kvm_release_page_dirty); a run that gets none ends the prefetch.
        /// The reference's KVM listener faults one page at a time: each prefetched page is a read of it there (it installs the
        /// page writable, and a lazyfree frame becomes dirty, Frame.Dirty). Not for a huge page (a 2 MiB spte: FNAME(pte_prefetch)
        /// returns above PG_LEVEL_4K). Seen needed: a lazyfree page next to a page the guest read was kept by pageout.</summary>
        private void Prefetch(int page)
        {
            if (s.State.Ptes[page] is { Huge: true }) return;
            const int n = 8;
            int g = page / n * n;
            var pt = s.State.Mirrors[Kvm].Pt;
            bool Gup(int q) => q < Pages && s.State.Ptes[q] is { Writable: true, Huge: false } && s.State.VmaAt(q) is { Prot: Prot.ReadWrite };
            bool Many(int a, int b)
            {
                int e = a;
                while (e < b && Gup(e)) e++;
                if (e == a) return false;
                for (int q = a; q < e; q++) { s.DeviceRead(Kvm, q); _dropped.Remove(q); Prefetched++; }
                return true;
            }
            int? start = null;
            for (int i = g; i < g + n; i++)
            {
                if (pt.ContainsKey(i) || i == page)
                {
                    if (start is not { } a) continue;
                    if (!Many(a, i)) return;
                    start = null;
                }
                else start ??= i;
            }
            if (start is { } last) Many(last, g + n);
        }

        /// <summary>A syscall on both sides. A call the reference refuses is not run on the kernel (a refusal of a case the
        /// reference does not model), but with enomem its ENOMEM refusals are run, errno 12 expected: mprotect and munlock
        /// over a hole change the VMAs before the hole on both sides and fail there (linux-7.2 mm/mprotect.c
        /// do_mprotect_pkey, mm/mlock.c apply_vma_lock_flags; Planner.Mprotect, Planner.LockUpToHole). expect: the errno the
        /// kernel returns although the reference accepts (madvise over a hole: the mapped parts are advised and -ENOMEM
        /// returned, linux-7.2 mm/madvise.c madvise_walk_vmas; the reference has no return value for a partly applied call).</summary>
        private Mismatch? Syscall(string name, Call call, Func<int> kernel, int expect = 0, bool enomem = false)
        {
            var err = Cpu(call);
            if (enomem && err is not null && err.StartsWith("ENOMEM (", StringComparison.Ordinal)) expect = 12;
            else if (err is not null) { Refused++; return null; }
            int e = kernel();
            Checks++;
            return e == expect ? null : Diff(name, -1, e == 0 ? "succeeds" : $"fails with errno {e}", expect == 0 ? "succeeds" : err is null ? $"errno {expect} after advising the mapped part" : $"errno {expect} ({err})");
        }

        /// <summary>`collapse P`: madvise(MADV_COLLAPSE) of the huge block around P, the reference's MADV_COLLAPSE (Planner.MadviseCollapse)
        /// of the same range. Run where the reference collapses (or finds the block PMD-mapped) and where it refuses with EINVAL, as the
        /// kernel refuses without effect (collapse_possible of a VMA, SCAN_PAGE_RO); not run where it refuses a case it does not model
        /// (ENOSYS). A VMA the harness mapped with `mmap` has MADV_NOHUGEPAGE, which the reference does not model (Vma.Thp is
        /// VM_HUGEPAGE): linux-7.2 mm/khugepaged.c madvise_collapse -> collapse_possible -> mm/huge_memory.c vma_thp_disabled refuses
        /// it with EINVAL, and the walk stops there (mm/madvise.c madvise_walk_vmas), so the kernel is run without the reference and
        /// expected to refuse. Counted in Collapsed when the reference's block became PMD-mapped.</summary>
        private Mismatch? Collapse(int page)
        {
            int h = s.State.Config.HugePageSize, b = page / h * h, e = Math.Min(b + h, Pages);
            if (h != 512) { Refused++; return null; } // the kernel's huge page is 2 MiB: a smaller reference block is no block of the kernel's
            int Kernel() => plantCollapseSkipsKernel ? 0 : Native.Madvise(b, e, Native.MADV_COLLAPSE);
            Mismatch? Expect(int want, int got) => got == want ? null
                : Diff("madvise(MADV_COLLAPSE)", -1, got == 0 ? "succeeds" : $"fails with errno {got}", want == 0 ? "succeeds" : $"errno {want}");
            var block = new PageRange(b, e);
            if (s.State.Vmas.Any(v => v.Range.Overlaps(block) && !v.Thp && !v.Shared))
            {
                Checks++;
                return Expect(22, Kernel()); // EINVAL: vma_thp_disabled (VM_NOHUGEPAGE)
            }
            bool huge = Enumerable.Range(b, e - b).All(p => s.State.Ptes[p] is { Huge: true });
            var err = Cpu(new Call.MadviseCollapse(b, e));
            if (err is not null && !err.StartsWith("EINVAL", StringComparison.Ordinal)) { Refused++; return null; }
            if (err is null && !huge && Enumerable.Range(b, e - b).All(p => s.State.Ptes[p] is { Huge: true })) Collapsed++;
            Checks++;
            return Expect(err is null ? HoleErrno(b, e) : 22, Kernel());
        }

        /// <summary>mremap (MREMAP_FIXED) on both sides. Each VMA the kernel moves has its destination unmapped first
        /// (linux-7.2 mm/mremap.c mremap_to -> do_munmap, per VMA under remap_move: the destination facing a gap between
        /// source VMAs is left); the reference's move wants a free destination, so it runs those munmaps as calls of its own
        /// (MmState.MremapPieces: the pieces the kernel reaches). The kernel's refusals are run too and their errno compared
        /// (EINVAL, EFAULT): one that moves nothing (check_mremap_params' overlap, remap_move's gap at the start, a VMA
        /// vma_multi_allowed or check_prep_vma refuses first: all before any munmap; under the one-VMA rule of linux-6.12 and
        /// 6.1, whose -EFAULT comes after mremap_to's munmap of the destination, only with a free destination), and a move
        /// over several VMAs stopped part way through (remap_move: a later VMA userfaultfd-armed, -EFAULT), its earlier moves
        /// made on both sides. A refusal of the reference's own (a piece it does not model) is not run. Counted in Driven as
        /// "mremap(several VMAs)" too when it reaches more than one VMA or stops after the first.</summary>
        private Mismatch? Mremap(string name, int start, int end, int newStart, bool dontunmap, Func<int> kernel)
        {
            long refused = Refused;
            var old = new PageRange(start, end);
            var to = new PageRange(newStart, newStart + end - start);
            bool overlap = old.Overlaps(to);
            var (pieces, stop) = overlap ? ([], "EINVAL (overlapping move)") : s.State.MremapPieces(old, newStart, dontunmap);
            foreach (var (_, _, dst) in pieces)
                if (s.State.Vmas.Any(v => v.Range.Overlaps(dst))) Cpu(new Call.Munmap(dst.Start, dst.End));
            bool several = pieces.Count > 1 || pieces.Count == 1 && stop is not null;
            bool early = overlap || s.State.Config.MremapMovesSeveralVmas || !s.State.Vmas.Any(v => v.Range.Overlaps(to));
            Call call = dontunmap ? new Call.MremapDontunmap(start, end, newStart) : new Call.Mremap(start, end, newStart);
            if (stop is null || pieces.Count == 0 && !early) return Count(Syscall(name, call, kernel));
            var err = Cpu(call);
            int expect = err is null ? -1 : err.StartsWith("EFAULT", StringComparison.Ordinal) ? 14 : err.StartsWith("EINVAL", StringComparison.Ordinal) ? 22 : -1;
            // the reference's own refusal (not modelled), moving nothing: not run
            if (err != stop || expect < 0) { Refused++; return null; }
            int e = kernel();
            Checks++;
            return Count(e == expect ? null : Diff(name, -1, e == 0 ? "succeeds" : $"fails with errno {e}",
                $"errno {expect} ({err}){(pieces.Count > 0 ? $" after moving {pieces.Count} VMA(s)" : "")}"));

            Mismatch? Count(Mismatch? mm)
            {
                if (several && Refused == refused) Driven["mremap(several VMAs)"] = Driven.GetValueOrDefault("mremap(several VMAs)") + 1;
                return mm;
            }
        }

        /// <summary>`mlock S E`: mlock(2) on both sides (Planner.Mlock: VM_LOCKED, then populate_vma_page_range's faults). Run where
        /// the reference locks, and where it refuses with the kernel's ENOMEM after a PROT_NONE VMA stopped the population
        /// (linux-7.2 mm/gup.c populate_vma_page_range: -EFAULT for !vma_is_accessible, mm/mlock.c __mlock_posix_error_return)
        /// or after a hole stopped apply_vma_lock_flags (the VMAs before it locked, nothing faulted in: Planner.LockUpToHole,
        /// since session 18); not run where it refuses a case it does not model (ENOTSUP: a write fault on a uffd-wp page, a
        /// migration or device-private entry: Planner.PopulateUnmodelled). Every CPU's LRU batches are drained first where a
        /// write fault may reuse a page by its counts (DrainBeforeReuse).</summary>
        private Mismatch? Mlock(int start, int end)
        {
            // the population's write faults reuse a page mapped once that is not PageAnonExclusive as the reference does only with
            // every CPU's LRU batches drained (DrainBeforeReuse)
            bool drain = Enumerable.Range(start, end - start).Any(ReuseByCounts);
            var err = Cpu(new Call.Mlock(start, end));
            // ENOMEM: a PROT_NONE VMA stopped the population, or a hole stopped apply_vma_lock_flags (Planner.LockUpToHole)
            int expect = err is null ? 0 : err.StartsWith("ENOMEM (", StringComparison.Ordinal) ? 12 : -1;
            if (expect < 0) { Refused++; return null; }
            if (drain) Native.DrainLru(0);
            int e = Native.Mlock(start, end);
            Checks++;
            return e == expect ? null : Diff("mlock", -1, e == 0 ? "succeeds" : $"fails with errno {e}", expect == 0 ? "succeeds" : $"errno {expect} ({err})");
        }

        /// <summary>The child's VM_LOCKED after fork: the pages of the region in a VMA whose smaps VmFlags has "lo" (linux-7.2
        /// fs/proc/task_mmu.c show_smap_vma_flags: [ilog2(VM_LOCKED)] = "lo") against the reference's child VMAs
        /// (MmState.ChildVmas, Vma.Mlocked). Run where the parent had a locked VMA at fork: linux-7.2 mm/mmap.c dup_mmap clears
        /// VM_LOCKED_MASK in each copy, so none is locked.</summary>
        private Mismatch? ChildLocked(int child, ImmutableArray<Vma> vmas)
        {
            if (!s.State.Vmas.Any(v => v.Mlocked) && !vmas.Any(v => v.Mlocked)) return null;
            var locked = live.LockedPages(child);
            Checks++;
            for (int p = 0; p < Pages; p++)
            {
                bool want = vmas.FirstOrDefault(v => v.Contains(p)) is { Mlocked: true };
                if (locked[p] != want) return Diff($"child {child}'s VM_LOCKED (smaps VmFlags lo)", p, locked[p] ? "locked" : "not locked", want ? "locked" : "not locked");
            }
            return null;
        }

        private static (int Start, int End, int Advice, Call Call) Advice(KOp op) => op switch
        {
            KOp.Dontneed m => (m.Start, m.End, Native.MADV_DONTNEED, new Call.MadviseDontneed(m.Start, m.End)),
            KOp.Free m => (m.Start, m.End, Native.MADV_FREE, new Call.MadviseFree(m.Start, m.End)),
            KOp.Pageout m => (m.Start, m.End, Native.MADV_PAGEOUT, new Call.MadvisePageout(m.Start, m.End)),
            _ => throw new ArgumentException(op.ToString()),
        };

        /// <summary>MADV_DONTNEED / FREE / PAGEOUT over a VM_LOCKED VMA: the kernel advises the VMAs before it and returns -EINVAL
        /// there (linux-7.2 mm/madvise.c madvise_walk_vmas -> madvise_dontneed_free_valid_vma / can_madv_lru_vma); the reference
        /// refuses the whole call without effect (Planner.LockedVma). Run where the range's first VMA is the locked one (nothing
        /// advised on either side, EINVAL expected); else not run (counted).</summary>
        private Mismatch? LockedMadvise(int start, int end, int advice, Call call)
        {
            var first = s.State.Vmas.Where(v => v.Range.Overlaps(new PageRange(start, end))).MinBy(v => v.Start)!;
            var err = Cpu(call);
            // advised by the reference (planted: MmConfig.PlantMadviseIgnoresMlock): run, the kernel's answer compared
            int want = err is null ? 0 : 22;
            if (err is not null && (!first.Mlocked || !err.StartsWith("EINVAL (VM_LOCKED", StringComparison.Ordinal))) { Refused++; return null; }
            int e = Native.Madvise(start, end, advice);
            Checks++;
            return e == want ? null : Diff($"madvise({call.Name})", -1, e == 0 ? "succeeds" : $"fails with errno {e}", want == 0 ? "succeeds" : $"errno 22 ({err})");
        }

        private int HoleErrno(int start, int end)
        {
            for (int p = start; p < end; p++) if (s.State.VmaAt(p) is null) return 12; // ENOMEM
            return 0;
        }

        public Mismatch? Apply(KOp op)
        {
            switch (op)
            {
                case KOp.Mmap m:
                {
                    bool free = !s.State.Vmas.Any(v => v.Range.Overlaps(new PageRange(m.Start, m.End)));
                    return Syscall("mmap", new Call.Mmap(m.Start, m.End, m.Prot, Mergeable: true), () => Native.Mmap(m.Start, m.End, (int)m.Prot, 0, free ? 1 : 0));
                }
                case KOp.MmapThp m:
                {
                    bool free = !s.State.Vmas.Any(v => v.Range.Overlaps(new PageRange(m.Start, m.End)));
                    // not MADV_MERGEABLE (kernel/native/kvmguest.c kg_mmap: ksmd of any run on the machine would split its THPs)
                    return Syscall("mmap", new Call.Mmap(m.Start, m.End, m.Prot, Mergeable: false, Thp: true), () => Native.Mmap(m.Start, m.End, (int)m.Prot, 2, free ? 1 : 0));
                }
                case KOp.Collapse c: return Collapse(c.Page);
                case KOp.Munmap m: return Syscall("munmap", new Call.Munmap(m.Start, m.End), () => Native.Munmap(m.Start, m.End));
                case KOp.Mprotect m:
                {
                    int h = s.State.Config.HugePageSize;
                    var (ks, ke) = plantMprotectWholeBlocks && h == 512 ? (m.Start / h * h, Math.Min(Pages, (m.End + h - 1) / h * h)) : (m.Start, m.End);
                    // over a hole the kernel fails with ENOMEM, the VMAs before the hole changed (Planner.Mprotect): run, errno compared
                    return Syscall("mprotect", new Call.Mprotect(m.Start, m.End, m.Prot), () => Native.Mprotect(ks, ke, (int)m.Prot), enomem: true);
                }
                case KOp.Mremap m:
                    // the move of a VM_UFFD_WP VMA is run: the reference keeps the moved VMA apart from equal neighbours as the
                    // kernel does (Vma.Seam: copy_vma merges it while it still has the uffd flags, mremap_userfaultfd_prep drops
                    // them after; linux-7.2 mm/mremap.c copy_vma_and_data). Refused until then (found by `--time 3m --seed 9`)
                    return Mremap("mremap", m.Start, m.End, m.NewStart, false, () => Native.Mremap(m.Start, m.End, m.NewStart));
                case KOp.MremapDontunmap when !Unseen: Refused++; return null;
                case KOp.MremapDontunmap m:
                    // the old range's VMA kept
                    return Mremap("mremap(MREMAP_DONTUNMAP)", m.Start, m.End, m.NewStart, true, () => Native.MremapDontunmap(m.Start, m.End, m.NewStart));
                case KOp.Mlock or KOp.Munlock when !Unseen: Refused++; return null;
                case KOp.Mlock m: return Mlock(m.Start, m.End);
                case KOp.Munlock m: return Syscall("munlock", new Call.Munlock(m.Start, m.End), () => Native.Munlock(m.Start, m.End), enomem: true);
                case KOp.Dontneed or KOp.Free or KOp.Pageout when Advice(op) is var (a, b, advice, call) && s.State.Vmas.Any(v => v.Range.Overlaps(new PageRange(a, b)) && v.Mlocked):
                    return LockedMadvise(a, b, advice, call);
                case KOp.Dontneed m: return Syscall("madvise(MADV_DONTNEED)", new Call.MadviseDontneed(m.Start, m.End), () => Native.Madvise(m.Start, m.End, Native.MADV_DONTNEED), HoleErrno(m.Start, m.End));
                case KOp.Free m when SplitsFolio(m.Start, m.End): Refused++; return null;
                case KOp.Free m when SplitOnForbiddingKernel(m.Start, m.End, false) is { } why: return ZeroPageDiffers(why);
                case KOp.Pageout m when SplitOnForbiddingKernel(m.Start, m.End, true) is { } why: return ZeroPageDiffers(why);
                case KOp.Free m:
                    // every CPU's LRU batches drained first: folio_mark_lazyfree acts only on a folio on the LRU (linux-7.2 mm/swap.c
                    // folio_test_lru), and a page faulted in lately may still wait in a per-CPU batch (move_pages to node 0:
                    // do_pages_move -> lru_cache_disable drains them); the reference marks every such page lazyfree (Frame.Lazyfree)
                    return Syscall("madvise(MADV_FREE)", new Call.MadviseFree(m.Start, m.End), () =>
                        Native.DrainLru(m.Start) is var _ ? Native.Madvise(m.Start, m.End, Native.MADV_FREE) : 0, HoleErrno(m.Start, m.End));
                case KOp.Pageout m:
                {
                    if (live.Swap.Ensure() is not null) { Refused++; return null; }
                    // a PTE-mapped large folio in the range (the reference has no folios): not run, see PageoutMeetsLargeFolio
                    if (!RunPageoutLargeFolio && PageoutMeetsLargeFolio(m.Start, m.End)) { Refused++; return null; }
                    // a whole PMD-mapped THP: the reference splits it as reclaim does when no swap area can take it whole (swap on
                    // files only: SwapControl.OnlyFiles); a partition could take it whole (THP_SWPOUT), which is not modelled
                    if (!SwapControl.OnlyFiles() && Enumerable.Range(m.Start, m.End - m.Start).Any(p => s.State.Ptes[p] is { Huge: true } x && x.Frame != MmState.ZeroFrame)) { Refused++; return null; }
                    // a page a child swapped in is mapped twice in the kernel, which skips it (linux-7.2 mm/madvise.c
                    // madvise_cold_or_pageout_pte_range: folio_maybe_mapped_shared); the reference counts one mapping: not run
                    if (Enumerable.Range(m.Start, m.End - m.Start).Any(p => s.State.Ptes[p] is { Swapped: false } x && ChildSwappedIn(x.Frame))) { Refused++; return null; }
                    // a lazyfree page (MADV_FREE made it !swapbacked) is not swapped out: reclaim discards it when clean, else remaps it and
                    // makes it swapbacked again (linux-7.2 mm/rmap.c try_to_unmap_one, "MADV_FREE page check"): the reference's
                    // Planner.ReclaimLazyfree. Planted: the reference keeps a clean lazyfree page (a write of its own value, in the
                    // reference only, makes it dirty there first).
                    if (PlantLazyfreeKept)
                        for (int p = m.Start; p < m.End; p++)
                            if (s.State.Ptes[p] is { Writable: true } x && s.State.Frames[x.Frame] is { Lazyfree: true, Dirty: false } f)
                                Cpu(new Call.CpuWrite(p, f.Content));
                    // a page still under writeback from an earlier pageout is kept mapped (linux-7.2 mm/vmscan.c shrink_folio_list checks
                    // folio_test_writeback before try_to_unmap): wait until the swap I/O of the range is done (at most 5 s)
                    var pm = live.Pagemap();
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    for (int p = m.Start; p < m.End; p++)
                        while (LiveMm.Present(pm[p]) && LiveMm.Writeback(LiveMm.Pfn(pm[p])) && sw.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(1);
                    // the large folios the reference splits (a PMD-mapped THP mapped once, a PTE-mapped one it knows): the kernel's
                    // split_folio fails while something else holds a reference to the folio (seen once in four 300-operation runs,
                    // thp_split_page_failed, while another process's live run compacted memory, whose migration scanner isolates
                    // folios), and a failed split changes nothing (linux-7.2 mm/madvise.c madvise_cold_or_pageout_pte_range returns,
                    // or skips the folio; mm/vmscan.c shrink_folio_list keeps it): the madvise is made again, up to 5 times, while a
                    // block's first page is still in a large folio (KPF_THP)
                    int h = s.State.Config.HugePageSize;
                    var splits = h != 512 ? [] : Enumerable.Range(m.Start, m.End - m.Start).Select(p => p / h * h).Distinct().Where(b => b + h <= Pages
                        && (s.State.Ptes[b] is { Huge: true } x && x.Frame != MmState.ZeroFrame && Enumerable.Range(b, h).All(q => s.State.Ptes[q] is { Huge: true } y && s.State.Frames[y.Frame].MapCount == 1)
                            || s.State.IsPteFolio(new PageRange(b, b + h)))).ToList();
                    bool Large(int b) => live.Pagemap()[b] is var e && LiveMm.Present(e) && LiveMm.Pfn(e) != live.ZeroPfn && LiveMm.Thp(LiveMm.Pfn(e));
                    // every CPU's LRU batches drained first (MADV_PAGEOUT skips a folio not on the LRU yet)
                    return Syscall("madvise(MADV_PAGEOUT)", new Call.MadvisePageout(m.Start, m.End), () =>
                    {
                        if (plantPageoutSendsDontneed) return Native.Madvise(m.Start, m.End, Native.MADV_DONTNEED);
                        Native.DrainLru(m.Start);
                        int e = Native.Madvise(m.Start, m.End, Native.MADV_PAGEOUT);
                        for (int t = 0; t < 5 && splits.Any(Large); t++)
                        {
                            Thread.Sleep(20);
                            Native.DrainLru(m.Start);
                            e = Native.Madvise(m.Start, m.End, Native.MADV_PAGEOUT);
                        }
                        return e;
                    }, HoleErrno(m.Start, m.End));
                }
                case KOp.ClearRefs: return Syscall("clear_refs", new Call.ClearRefs(), () => Native.ClearRefs(4));
                case KOp.HostRead h when HugeZeroRead(h.Page, p => s.State.Ptes[p] is not null): Refused++; return null;
                case KOp.HostRead h:
                {
                    var err = Cpu(new Call.CpuRead(h.Page));
                    int? want = err is null ? s.State.CpuView(h.Page) : null;
                    bool kFault = Native.HostRead(h.Page, out ulong got) != 0;
                    Checks++;
                    return kFault == (want is null) && (kFault || got == (ulong)(uint)want!.Value) ? null : Diff("host read", h.Page, V(kFault, got), err ?? V(want));
                }
                case KOp.HostWrite h:
                {
                    ResolveUffdWp(h.Page);
                    DrainBeforeReuse(h.Page);
                    if (PlantThpParentWriteReuses && s.State.Ptes[h.Page] is { } hp) PlantFolioExclusive(hp.Frame);
                    var err = Cpu(new Call.CpuWrite(h.Page, h.Value));
                    bool kFault = Native.HostWrite(h.Page, (ulong)(uint)h.Value) != 0;
                    Checks++;
                    return kFault == (err is not null) ? null : Diff("host write", h.Page, kFault ? "a fault" : "done", err ?? "done");
                }
                case KOp.GuestRead or KOp.GuestWrite when live.HostOnly: return NoGuest();
                case KOp.GuestRead g when HugeZeroRead(g.Page, p => s.State.Ptes[p] is not null): Refused++; return null;
                case KOp.GuestRead g: return Guest(g.Page, false, 0, "guest read");
                case KOp.GuestWrite g: ResolveUffdWp(g.Page); return Guest(g.Page, true, g.Value, "guest write");
                case KOp.Fork:
                {
                    ForkSkipped = _children.Count >= KGen.MaxForks;
                    if (ForkSkipped) return null;
                    var before = s.State;
                    var hugeZero = Enumerable.Range(0, Pages).Where(p => s.State.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: true }).ToHashSet();
                    var err = Cpu(new Call.Fork());
                    if (err is not null) { Refused++; return null; }
                    int c = Native.Fork();
                    if (c < 0) throw new InvalidOperationException($"fork failed: errno {-c}");
                    int h = s.State.Config.HugePageSize;
                    var pmd = h != 512 ? new HashSet<int>() : Enumerable.Range(0, Pages / h).Select(b => b * h)
                        .Where(b => Enumerable.Range(b, h).All(p => before.Ptes[p] is { Huge: true, Swapped: false } x && x.Frame != MmState.ZeroFrame)).ToHashSet();
                    hugeZero.IntersectWith(s.State.Children[^1].Keys);
                    pmd.RemoveWhere(b => !s.State.Children[^1].ContainsKey(b));
                    // the parent's swap entries the child copied (copy_nonpresent_pte): swap entries in the child too
                    var swapped = Enumerable.Range(0, Pages).Where(p => before.Ptes[p] is { Swapped: true } && s.State.Children[^1].ContainsKey(p) && !PlantChildSwapMapped).ToHashSet();
                    // the child's VMAs as dup_mmap copies them (Planner.ChildVmasAtFork: VM_LOCKED cleared), compared with the
                    // child's smaps VmFlags
                    var vmas = s.State.ChildVmas[^1];
                    _children.Add(new Child(vmas, [], hugeZero, pmd, swapped));
                    return ChildLocked(_children.Count - 1, vmas);
                }
                case KOp.ChildRead cr:
                {
                    if (cr.Child >= _children.Count) return null;
                    var child = _children[cr.Child];
                    bool Mapped(int p) => s.State.Children[cr.Child].ContainsKey(p) || child.Faulted.ContainsKey(p);
                    if (HugeZeroRead(cr.Page, Mapped, child.Vmas)) { Refused++; return null; }
                    // a read fault in the child maps a page of the child's own where the kernel forbids the zero page, which the
                    // harness's Child (the zero page it read-faulted) does not hold: not run
                    if (live.ForbidsZeroPage && !RunZeroPageDiffers && !Mapped(cr.Page) && child.Vmas.FirstOrDefault(v => v.Contains(cr.Page)) is { Prot: not Prot.None })
                        return ZeroPageDiffers($"child {cr.Child}'s read fault would map a page of its own (no zero page on this kernel), which the harness does not follow");
                    var vma = child.Vmas.FirstOrDefault(v => v.Contains(cr.Page));
                    int? want;
                    if (vma is null || vma.Prot == Prot.None) want = null;
                    else if (s.State.Children[cr.Child].TryGetValue(cr.Page, out int f) || child.Faulted.TryGetValue(cr.Page, out f))
                    {
                        want = s.State.Frames[f].Content;
                        // do_swap_page in the child: the swap cache's page mapped (linux-7.2 mm/memory.c)
                        if (child.Swapped.Remove(cr.Page)) _childSwapIns[f] = _childSwapIns.GetValueOrDefault(f) + 1;
                    }
                    else if (s.State.Config.HugeZeroPage && HugeZeroBlock(cr.Page, Mapped, child.Vmas) is { } hb)
                    {   // do_huge_pmd_anonymous_page in the child: the huge zero page over the whole block
                        want = 0;
                        for (int p = hb.Start; p < hb.End; p++) { child.Faulted[p] = MmState.ZeroFrame; child.HugeZero.Add(p); }
                    }
                    else { want = 0; child.Faulted[cr.Page] = MmState.ZeroFrame; } // do_anonymous_page in the child: the zero page
                    int r = Native.ChildRead(cr.Child, cr.Page, out ulong got);
                    if (r < 0) throw new InvalidOperationException($"child read failed: errno {-r}");
                    Checks++;
                    bool kFault = r == 1;
                    return kFault == (want is null) && (kFault || got == (ulong)(uint)want!.Value) ? null : Diff($"child {cr.Child} read", cr.Page, V(kFault, got), V(want));
                }
                case KOp.ChildWrite cw: return ChildWrite(cw);
                case KOp.Ksm k: return Ksm(k.Page, k.Other);
                case KOp.Migrate: return Migrate();
                case KOp.UffdRegister u: return Uffd(new Call.UffdRegister(u.Start, u.End), Native.UffdRegister, u.Start, u.End);
                case KOp.UffdWp u: return Uffd(new Call.UffdWriteProtect(u.Start, u.End), Native.UffdWriteProtect, u.Start, u.End);
                case KOp.UffdUnregister u: return Uffd(new Call.UffdUnregister(u.Start, u.End), Native.UffdUnregister, u.Start, u.End);
                // move_pages_ptes splits a large source folio (linux-7.2 mm/userfaultfd.c: folio_test_large -> split_folio), whose
                // remap maps zero-filled subpages to the zero page on this kernel (found: `mmap_thp 0 1024 rw; host_write 780 151823;
                // uffd_register 214 459; uffd_move 779 214 245` -> page 214 the zero page, the reference's frame 268)
                case KOp.UffdMove u when live.UffdWhy is null && SplitOnForbiddingKernel(u.Src, Math.Min(Pages, u.Src + u.Len), true) is { } why: return ZeroPageDiffers(why);
                case KOp.UffdMove u: return Move(u);
                default: throw new ArgumentException(op.ToString());
            }
        }

        /// <summary>Before a write fault the reference answers with do_wp_page's reuse of a write-protected page that is not
        /// PageAnonExclusive (a page fork shared, mapped once again after a child's or the parent's copy): every CPU's LRU
        /// batches drained, as wp_can_reuse_anon_folio (linux-7.2 mm/memory.c) drains only its own CPU's (lru_add_drain) and a
        /// folio another CPU's batch holds has folio_ref_count 2 there (copied, where the reference reuses it).</summary>
        private void DrainBeforeReuse(int page)
        {
            if (ReuseByCounts(page)) Native.DrainLru(0);
        }

        private bool ReuseByCounts(int page) => s.State.Ptes[page] is { NonPresent: false, Writable: false } x && x.Frame != MmState.ZeroFrame
            && s.State.Frames[x.Frame] is { MapCount: 1, RefCount: 1, Ksm: false } && s.State.VmaAt(page) is { Prot: Prot.ReadWrite };

        /// <summary>A forked child's store: the reference's child_write (Planner.ChildWrite: do_wp_page's reuse or copy, or
        /// do_anonymous_page, on the child's mm), then the child's store on the kernel; the child's values and pagemap (and the
        /// parent's, whose page may now be mapped once: exclusive) are compared after it as after every operation. Every CPU's
        /// LRU batches are drained first (DrainLru): wp_can_reuse_anon_folio (linux-7.2 mm/memory.c) drains only its own CPU's
        /// batch (lru_add_drain) for a folio not on the LRU, and a reference a batch of the other CPU holds makes
        /// folio_ref_count 2, so the kernel would copy a page the reference reuses (whichever CPU the parent faulted it on).
        /// Not run (refused, as the reference refuses them): a child's swap entry and a page a child swapped in (the reference
        /// does not count a child's swap-in: _childSwapIns), the huge zero page in the child (do_huge_pmd_wp_page ->
        /// do_huge_zero_wp_pmd there), a page of a large folio (KPF_THP) the reference does not know as one (MmState.Folios holds
        /// the THPs fork shared while the parent mapped them by a PMD: a THP forked PTE-mapped is not one of them), and a
        /// fault into an empty huge block (the reference refuses it: do_huge_pmd_anonymous_page in the child). A write into a
        /// THP the child maps by a PMD splits that PMD unless it reuses the folio (Child.PmdBlocks follows the reference's
        /// Folio.ChildPmd).</summary>
        private Mismatch? ChildWrite(KOp.ChildWrite cw)
        {
            if (cw.Child >= _children.Count) return null;
            var child = _children[cw.Child];
            var map = s.State.Children[cw.Child];
            int? frame = map.TryGetValue(cw.Page, out int f0) ? f0 : null;
            bool thp = false;
            if (frame is not null || child.Faulted.ContainsKey(cw.Page))
            {
                var cpm = live.Pagemap(cw.Child);
                thp = LiveMm.Present(cpm[cw.Page]) && LiveMm.Thp(LiveMm.Pfn(cpm[cw.Page])) && !child.HugeZero.Contains(cw.Page);
            }
            // a page of a THP fork shared while the parent mapped it by a PMD is modelled (the reference's MmState.Folios); a page of
            // another large folio (forked PTE-mapped, e.g. after a partial mprotect split the parent's PMD) is not
            int folio = frame is { } ff ? s.State.FolioOf(ff) : -1;
            if (child.Swapped.Contains(cw.Page) || frame is { } fs && ChildSwappedIn(fs) || child.HugeZero.Contains(cw.Page)
                || thp && folio < 0)
            { Refused++; return null; }
            if (PlantThpChildWriteReuses && folio >= 0) PlantFolioExclusive(frame!.Value);
            var shared = folio >= 0 ? s.State.Folios[folio] : null;
            string? err;
            if (PlantChildWriteNotInReference) err = child.Vmas.FirstOrDefault(v => v.Contains(cw.Page)) is { Prot: Prot.ReadWrite } ? null : "SIGSEGV";
            else if (PlantChildWriteInParent && s.State.Ptes[cw.Page] is not null) err = Cpu(new Call.CpuWrite(cw.Page, cw.Value));
            else err = Cpu(new Call.ChildWrite(cw.Child, cw.Page, cw.Value));
            bool refFault = err is not null && err.StartsWith("SIGSEGV", StringComparison.Ordinal);
            if (err is not null && !refFault) { Refused++; return null; }
            if (!refFault) child.Faulted.Remove(cw.Page);
            // the child's write split its PMD (do_huge_pmd_wp_page's fallback) unless it reused the folio whole
            int block = cw.Page / 512 * 512;
            if (shared is not null && !s.State.Folios.Any(f => f.ChildPmd.Contains(cw.Child) && f.Frames.Intersect(shared.Frames).Any()))
                child.PmdBlocks.Remove(block);
            Native.DrainLru(0);
            int r = Native.ChildWrite(cw.Child, cw.Page, (uint)cw.Value);
            if (r < 0) throw new InvalidOperationException($"child write failed: errno {-r}");
            Checks++;
            bool kFault = r == 1;
            return kFault == refFault ? null : Diff($"child {cw.Child} write", cw.Page, kFault ? "a fault" : "done", err ?? "done");
        }

        /// <summary>A planted reference bug (PlantThpChildWriteReuses, PlantThpParentWriteReuses): the folio's frame is marked
        /// PageAnonExclusive in the reference, whose next write fault then reuses it.</summary>
        private void PlantFolioExclusive(int frame)
        {
            int i = s.State.FolioOf(frame);
            if (i >= 0) s.Continue(s.State with { Frames = s.State.Frames.SetItem(frame, s.State.Frames[frame] with { AnonExclusive = true }) });
        }

        /// <summary>A userfaultfd ioctl on both sides (linux-7.2 mm/userfaultfd.c userfaultfd_register, mwriteprotect_range,
        /// userfaultfd_unregister; the reference's uffdio_register / uffdio_writeprotect / uffdio_unregister). Where the
        /// reference refuses the kernel is asked only when it too fails: no VMA in the range (register, unregister: -EINVAL
        /// from vma_find), or UFFDIO_WRITEPROTECT at a VMA not registered (-ENOENT; the registered VMAs before it are
        /// protected first, in both, since session 14: run only with Unseen, where the range has a registered VMA before the
        /// first one not registered, not yet seen through KVM).</summary>
        private Mismatch? Uffd(Call call, int kind, int start, int end)
        {
            if (live.UffdWhy is not null) { Refused++; return null; }
            var r = new PageRange(start, end);
            var first = s.State.Vmas.FirstOrDefault(v => v.Range.Overlaps(r));
            // a partial write-protect changes the reference before it fails: not run at all where the harness would then refuse
            if (call is Call.UffdWriteProtect && first is { UffdWp: true } && s.State.Vmas.Any(v => v.Range.Overlaps(r) && !v.UffdWp)
                && (!Unseen || s.State.Vmas.Any(v => v.Shared || v.Hugetlb)))
            { Refused++; return null; }
            var before = s.State;
            if (PlantUnregisterSkipsReference && call is Call.UffdUnregister || plantUffdWpSkipsReference && call is Call.UffdWriteProtect
                || PlantRegisterSkipsReference && call is Call.UffdRegister)
            { Native.UffdIoctl(kind, start, end); return null; }
            var err = Cpu(call);
            if (err is null)
            {
                int e = Native.UffdIoctl(kind, start, end);
                Checks++;
                return e == 0 ? null : Diff(call.Name, start, $"fails with errno {e}", "succeeds");
            }
            int expect = err.StartsWith("EINVAL", StringComparison.Ordinal) && first is null ? 22
                : err.StartsWith("ENOENT", StringComparison.Ordinal) ? 2 : 0;
            if (expect == 0 || before.Vmas.Any(v => v.Shared || v.Hugetlb)) { Refused++; return null; }
            int k = Native.UffdIoctl(kind, start, end);
            Checks++;
            return k == expect ? null : Diff(call.Name, start, k == 0 ? "succeeds" : $"fails with errno {k}", $"errno {expect} ({err})");
        }

        /// <summary>UFFDIO_MOVE on both sides (linux-7.2 mm/userfaultfd.c move_pages; the reference's uffdio_move). The
        /// outcomes must agree: the reference moves pages (no error) exactly when the kernel returns 0, or -EAGAIN with some
        /// bytes moved (linux-7.2 mm/userfaultfd.c userfaultfd_move: a partial move); the reference refuses exactly when the
        /// kernel fails with nothing moved. The pages, values and call paths are compared after it as after any operation.
        /// With Unseen (not yet seen through KVM; otherwise refused and counted): overlapping ranges (neither kernel checks
        /// them: the reference follows move_pages' page order), moves to a destination VMA not registered with the userfaultfd
        /// (validate_move_areas: -EINVAL in both) and refusals into a private VMA without an anon_vma, which the kernel's uffd_move_lock -> uffd_lock_vma /
        /// find_vma_and_prepare_anon gives one before any check (fork then copies it: vma_needs_copy), as the reference's
        /// refusal now does (Planner.RefusalVmas). Found live: the destination's anon_vma, overlapping ranges moved by the
        /// kernel (session 11).</summary>
        private Mismatch? Move(KOp.UffdMove u)
        {
            if (live.UffdWhy is not null) { Refused++; return null; }
            // not yet seen live (Unseen): session 11's harness ran only moves to a destination the reference holds registered,
            // without overlap, and no refusal into a private VMA without an anon_vma
            var dv = s.State.VmaAt(u.Dst);
            if (!Unseen && (dv is not { UffdWp: true } || u.Src < u.Dst + u.Len && u.Dst < u.Src + u.Len)) { Refused++; return null; }
            if (!Unseen && dv is { Shared: false, AnonVma: false } && RefusesMove(u)) { Refused++; return null; }
            var err = Cpu(new Call.UffdMove(u.Src, u.Dst, u.Len));
            int e = Native.UffdMove(u.Src, u.Dst, u.Len, out long moved);
            Checks++;
            bool kernelMoved = e == 0 || e == 11 && moved > 0;
            if (kernelMoved == (err is null)) return null;
            return Diff("uffdio_move", u.Src, e == 0 ? "moves all" : moved > 0 ? $"errno {e}, {moved} bytes moved" : $"errno {e}", err ?? "moves");
        }

        /// <summary>Whether the reference would refuse the move: Machine.Submit on the current state, whose result is dropped.</summary>
        private bool RefusesMove(KOp.UffdMove u)
        {
            try { return Machine.Submit(s.State, new Call.UffdMove(u.Src, u.Dst, u.Len)).Line.Get("result") is not null; }
            catch (ModelException) { return true; }
        }

        /// <summary>The write-fault handler's un-protect, in the reference: a write to a page whose PTE has the uffd-wp bit in a
        /// VM_UFFD_WP VMA waits in handle_userfault (linux-7.2 mm/memory.c do_wp_page) until the harness's handler thread
        /// (kernel/native/kvmguest.c uffd_handler) answers with UFFDIO_WRITEPROTECT mode 0 on that page; the write is then
        /// retried. The reference has no reader, so the harness runs that un-protect there before the write.</summary>
        /// <summary>The write faults the kernel's handler resolved during an operation must be the un-protects the reference
        /// predicted (ResolveUffdWp): a write the kernel sent to the handler is one to a page the reference holds uffd-wp.</summary>
        public Mismatch? UffdResolved(ulong kernel, long referenceBefore)
        {
            long want = UffdResolvedInReference - referenceBefore;
            Checks++;
            return (long)kernel == want ? null : Diff("uffd-wp write faults resolved by the handler", -1, kernel.ToString(), want.ToString());
        }

        private void ResolveUffdWp(int page)
        {
            if (s.State.Ptes[page] is not { UffdWp: true } || s.State.VmaAt(page) is not { UffdWp: true, Prot: Prot.ReadWrite }) return;
            Cpu(new Call.UffdWriteProtect(page, page + 1, Wp: false));
            UffdResolvedInReference++;
        }

        /// <summary>KSM merges pages of identical contents only, and every such pair it finds: ksmd's scan (linux-7.2 mm/ksm.c
        /// ksm_do_scan -> scan_get_next_rmap_item, every anonymous page of every VM_MERGEABLE VMA of every mm that entered KSM,
        /// forked children included: ksm_fork) runs cmp_and_merge_page on each page, which merges it with any identical page in the
        /// stable tree (stable_tree_search) or the unstable tree (unstable_tree_search_insert), not only with the page asked for.
        /// So Other first gets Page's contents by a host write, and the merge runs only when ksmd can merge nothing else: no
        /// other mapped frame has those contents, no other two frames of mergeable pages (of this process or a child) are
        /// identical, and Page's frame is not an ordinary page a child maps too (ksmd would merge the child's mapping as well).
        /// These are decided before the write, so a merge not run leaves no identical pair behind for a later ksmd pass (seen:
        /// `mmap 0 16 rw; guest_write 10 475358; fork; guest_write 11 664746; ksm 10 13; ksm 11 12`, the first merge refused
        /// after page 13 got page 10's contents, and the second pass merged 13 with 10: `pagemap exclusively mapped of page 13:
        /// live kernel not exclusive, reference exclusive`). The reference's ksm_merge is pairwise.</summary>
        private Mismatch? Ksm(int page, int other)
        {
            var st = s.State;
            if (!KsmControl.Available || page == other || st.Ptes[page] is not { Frame: not MmState.ZeroFrame, Readable: true } pp || InLargeFolio(page) || InLargeFolio(other)
                || st.VmaAt(page) is not { Prot: Prot.ReadWrite } || st.VmaAt(other) is not { Prot: Prot.ReadWrite }
                || pp.UffdWp && !Unseen) // (session 14) a uffd-wp page merges, replace_page drops the replaced PTE's bit: not yet seen through KVM
            { Refused++; return null; }
            int value = st.Frames[pp.Frame].Content;
            bool IsKsm(int f) => _ksm.Contains((f, st.Frames[f].Generation));
            if (!PlantKsmCandidatesLeft && (!IsKsm(pp.Frame) && MapCount(st, pp.Frame) != 1 || KsmCandidates(st, other, pp.Frame, value))) { Refused++; return null; }
            if (Apply(new KOp.HostWrite(other, value)) is { } d) return d;
            st = s.State;
            int fp = st.Ptes[page]!.Value.Frame, fo = st.Ptes[other]!.Value.Frame;
            var mapped = st.Ptes.Where(x => x is not null).Select(x => x!.Value.Frame).Concat(st.Children.SelectMany(c => c.Values));
            if (mapped.Any(f => f != MmState.ZeroFrame && f != fp && f != fo && st.Frames[f].Content == value)) { Refused++; return null; }
            // which page ksmd replaces: a page that is a KSM page already stays (stable tree: the other is replaced by
            // it); of two ordinary pages the one scanned first, the lower address, waits in the unstable tree and
            // is then replaced by the later one (linux-7.2 mm/ksm.c cmp_and_merge_page -> try_to_merge_two_pages: the later
            // page becomes the KSM page, try_to_merge_with_ksm_page(tree_rmap_item, tree_page, kpage) replaces the other)
            // an ordinary page mapped by a child too would be merged there as well (ksmd scans the child's mm): the
            // reference's pairwise merge cannot say that, so such a merge is not run
            if (!IsKsm(fp) && MapCount(st, fp) != 1 || !IsKsm(fo) && MapCount(st, fo) != 1) { Refused++; return null; }
            var (keep, replace) = IsKsm(fp) ? (page, other) : IsKsm(fo) ? (other, page) : (Math.Max(page, other), Math.Min(page, other));
            if (Cpu(new Call.KsmMerge(keep, replace)) is not null) { Refused++; return null; }
            int kf = s.State.Ptes[keep]!.Value.Frame;
            _ksm.Add((kf, s.State.Frames[kf].Generation));
            bool merged = live.Ksm.Merge(() => { var pm = live.Pagemap(); return LiveMm.Pfn(pm[page]) == LiveMm.Pfn(pm[other]); }, TimeSpan.FromSeconds(10));
            Checks++;
            return merged ? null : Diff("ksm merge", other, $"not merged with page {page} within 10 s", $"merged with page {page}");
        }

        /// <summary>Whether ksmd would find identical pages other than the pair asked for once page `other` holds `value`: two
        /// frames of present pages in VM_MERGEABLE VMAs (this process's, or a child's VMAs at fork) with equal contents, not
        /// counting page `other`'s own mapping (the host write replaces it) and not both fp; or a frame other than fp with
        /// `value`. The zero page is not a candidate: ksmd's page walk (linux-7.2 mm/ksm.c ksm_next_page_pmd_entry) takes only a
        /// present PTE whose vm_normal_page is an anonymous folio, and vm_normal_page is NULL for the zero page; a swap entry is
        /// skipped there too.</summary>
        private bool KsmCandidates(MmState st, int other, int fp, int value)
        {
            var frames = new HashSet<int>();
            for (int p = 0; p < Pages; p++)
                if (p != other && st.Ptes[p] is { NonPresent: false } x && x.Frame != MmState.ZeroFrame && st.VmaAt(p) is { Mergeable: true })
                    frames.Add(x.Frame);
            for (int c = 0; c < _children.Count && c < st.Children.Count; c++)
                foreach (var (p, f) in st.Children[c])
                    if (f != MmState.ZeroFrame && !_children[c].Swapped.Contains(p) && _children[c].Vmas.FirstOrDefault(v => v.Start <= p && p < v.End) is { Mergeable: true })
                        frames.Add(f);
            if (frames.Any(f => f != fp && st.Frames[f].Content == value)) return true;
            return frames.GroupBy(f => st.Frames[f].Content).Any(g => g.Count() > 1);
        }

        /// <summary>The page is mapped from a large folio in the kernel (KPF_THP, PMD- or PTE-mapped). KSM splits such a folio
        /// before merging (linux-7.2 mm/ksm.c try_to_merge_one_page: split_huge_page of a large folio), and the split maps its
        /// zero-filled subpages to the shared zero page (mm/migrate.c try_to_map_unused_to_zeropage), which the reference's
        /// ksm_merge does not: such a merge is not run. Seen: `mmap_thp 0 1024 rw; host_write 142 363818; fork;
        /// guest_write 143 626613; ksm 143 145` -> page 0 the zero page in the kernel, frame 1 in the reference.</summary>
        private bool InLargeFolio(int page)
        {
            if (s.State.Config.HugePageSize != 512) return false;
            ulong e = live.Pagemap()[page];
            return LiveMm.Present(e) && LiveMm.Pfn(e) != live.ZeroPfn && LiveMm.Thp(LiveMm.Pfn(e));
        }

        /// <summary>MADV_FREE over part of a huge page splits the folio (linux-7.2 mm/huge_memory.c madvise_free_huge_pmd:
        /// split_folio; linux-7.2 mm/madvise.c madvise_free_pte_range for a PTE-mapped one), and a folio split maps the zero-filled
        /// subpages to the shared zero page (linux-7.2 mm/migrate.c try_to_map_unused_to_zeropage). The reference models it for a
        /// PMD-mapped THP (a whole huge block: Planner.MadviseFreeSplitFolios); a PTE-mapped THP (its PMD split earlier, the folio
        /// still large) is a folio the reference does not know of, so such a call is not run. Seen before the model:
        /// `mmap_thp 0 1024 rw; host_write 1010 390503; free 761 762` -> page 512 is the zero page in the kernel.</summary>
        private bool SplitsFolio(int start, int end)
        {
            int h = s.State.Config.HugePageSize;
            if (h != 512) return false;
            // a THP in the kernel (KPF_THP: PMD-mapped, or PTE-mapped after a PMD split, whose folio is still large) that
            // the range covers only in part: madvise_free_pte_range splits a large folio the range does not cover whole
            var pm = live.Pagemap();
            for (int p = start; p < end; p++)
            {
                int b = p / h * h;
                // a PMD-mapped THP (a whole huge block in the reference) is modelled: Planner.MadviseFreeSplitFolios
                bool pmd = b + h <= Pages && Enumerable.Range(b, h).All(q => s.State.Ptes[q] is { Huge: true, Swapped: false });
                // a PTE-mapped large folio the reference knows (MmState.IsPteFolio: its PMD split, mapped whole by this mm alone) is
                // modelled: Planner.MadviseFreeSplitFolios -> SplitPteFolio
                bool pte = s.State.IsPteFolio(new PageRange(b, b + h));
                if (LiveMm.Present(pm[p]) && LiveMm.Pfn(pm[p]) != live.ZeroPfn && LiveMm.Thp(LiveMm.Pfn(pm[p])) && (b < start || b + h > end) && !pmd && !pte) return true;
            }
            return false;
        }

        /// <summary>MADV_PAGEOUT over a page of a PTE-mapped large folio (a THP whose PMD was split earlier, e.g. by mprotect over
        /// part of it: linux-7.2 mm/mprotect.c change_pmd_range -> __split_huge_pmd, which maps the subpages by PTEs of the same
        /// folio, mm/huge_memory.c __split_huge_pmd_locked). Not wholly in the range: linux-7.2 and 6.12 mm/madvise.c
        /// madvise_cold_or_pageout_pte_range (folio_test_large, nr < folio_nr_pages) splits it with split_folio, whose remap maps
        /// every zero-filled subpage, in the range or not, to the shared zero page (7.2 mm/huge_memory.c __folio_split:
        /// TTU_USE_SHARED_ZEROPAGE, 6.12 RMP_USE_SHARED_ZEROPAGE; mm/migrate.c try_to_map_unused_to_zeropage). Wholly in the
        /// range: reclaim takes the large folio as one (linux-7.2 mm/vmscan.c shrink_folio_list: swapped out whole, or split by
        /// split_folio_to_list when folio_alloc_swap fails). The reference has no folios: after a PMD split its pages are base
        /// pages, swapped out one by one, so such a call is not run (counted as refused), unless the reference knows the folio
        /// (MmState.IsPteFolio: its PMD split by __split_huge_pmd, mapped whole by this mm alone; Planner.SplitPteFolio). A PMD-mapped THP (Huge in the
        /// reference) is modelled (Planner.MadvisePageout: the folio split, then its pages swapped out one by one, as reclaim
        /// does with swap on files), and refused by the reference only in the cases PmdPageoutRefusal names. Seen before:
        /// `mmap_thp 0 1024 rw; guest_write 932 477356; mprotect 931 932 none; pageout 932 935` -> page 512 is the zero page in
        /// the kernel, frame 1 in the reference.</summary>
        private bool PageoutMeetsLargeFolio(int start, int end)
        {
            if (s.State.Config.HugePageSize != 512) return false;
            var pm = live.Pagemap();
            for (int p = start; p < end; p++)
                if (LiveMm.Present(pm[p]) && LiveMm.Pfn(pm[p]) != live.ZeroPfn && LiveMm.Thp(LiveMm.Pfn(pm[p])) && s.State.Ptes[p] is not { Huge: true }
                    && !s.State.IsPteFolio(new PageRange(p / 512 * 512, p / 512 * 512 + 512))) return true;
            return false;
        }

        /// <summary>A read fault in an empty 2 MiB block of a THP VMA maps the huge zero page (linux-7.2 mm/huge_memory.c
        /// do_huge_pmd_anonymous_page, use_zero_page 1 here); the reference models it when its MmConfig.HugeZeroPage is on (KvmConfig
        /// takes it from the kernel's sysfs). Off, its fault allocates a huge page (test
        /// A_reference_without_the_huge_zero_page_is_caught_by_the_zero_page_check_...), so such a read is not run.</summary>
        private bool HugeZeroRead(int page, Func<int, bool> mapped, ImmutableArray<Vma>? vmas = null) =>
            !runHugeZeroReads && !s.State.Config.HugeZeroPage && HugeZeroBlock(page, mapped, vmas) is not null;

        /// <summary>The empty 2 MiB block a read fault at page maps the huge zero page over (the kernel's VMA, adjacent pieces of
        /// one kind merged, is a THP VMA covering it), or null.</summary>
        private PageRange? HugeZeroBlock(int page, Func<int, bool> mapped, ImmutableArray<Vma>? vmas = null)
        {
            int h = s.State.Config.HugePageSize, b = page / h * h;
            if (h != 512 || b + h > Pages) return null;
            var all = vmas ?? s.State.Vmas;
            var vma = all.FirstOrDefault(v => v.Contains(page));
            if (vma is not { Thp: true, Prot: not Prot.None }) return null;
            var run = Vma.MergedRun(all, vma); // the kernel's VMA (adjacent pieces of one kind merged)
            return run.Start <= b && run.End >= b + h && !Enumerable.Range(b, h).Any(mapped) ? new PageRange(b, b + h) : null;
        }

        /// <summary>Page migration: compaction of every zone, then every page of the region whose pfn changed (present before
        /// and after, not the zero page) is migrated in the reference too (migrate_pages -> try_to_migrate_one; a huge
        /// page once for its block). A page the reference cannot migrate (mapped by a child too: its migrate_pages
        /// wants one mapping) is counted apart with the reason; frame sharing, values and exclusive bits are still
        /// compared, and the guest's loads show whether KVM dropped the old frame.</summary>
        private Mismatch? Migrate()
        {
            if (live.MigrateWhy is not null) { Refused++; return null; }
            var before = live.Pagemap();
            live.Compact();
            var after = live.Pagemap();
            Compactions++;
            var done = new HashSet<int>();
            for (int p = 0; p < Pages; p++)
            {
                ulong b = before[p], a = after[p];
                if (done.Contains(p) || !LiveMm.Present(b) || !LiveMm.Present(a) || LiveMm.Pfn(a) == LiveMm.Pfn(b) || LiveMm.Pfn(b) == live.ZeroPfn) continue;
                var pte = s.State.Ptes[p];
                // a page a child swapped in: the kernel migrated the child's mapping too, which the reference does not know of
                if (pte is { } cp && ChildSwappedIn(cp.Frame)) { MigratedUnmodelled++; FirstUnmodelled ??= $"page {p}: mapped by a child's swap-in too"; continue; }
                if (Cpu(new Call.Migrate(p)) is { } err) { MigratedUnmodelled++; FirstUnmodelled ??= $"page {p}: {err}"; continue; }
                Migrated++;
                done.Add(p);
                if (pte is { Huge: true }) { int h = s.State.Config.HugePageSize; for (int q = p / h * h; q < p / h * h + h; q++) done.Add(q); }
            }
            return null;
        }

        /// <summary>
        /// The kernel call paths that invalidated KVM during the operation against the reference's invalidations.
        /// Each reference invalidate_range_start over pages with a VMA needs a traced invalidation overlapping it
        /// whose call site is a row of the vocabulary sending that event; a traced one whose stack names no call-site
        /// row is a mismatch, and so is one overlapping a reference invalidation whose event its row does not send.
        /// Counted, with their first example (findings, README): traced invalidations the reference does not make
        /// (Extra: mremap unmaps the old range again after moving its page tables), reference ones the kernel does
        /// not make (Missing: mprotect to the protection a VMA has already), ranges that overlap but differ
        /// (RangeDiffs: the kernel notifies per VMA).
        /// </summary>
        public Mismatch? CallPaths(int fromLine, MmState before)
        {
            if (live.Trace is not { } trace) return null;
            var kernel = trace.Take().Where(k => k.Range.Length > 0).ToList();
            var vocab = s.State.Config.Vocabulary;
            var reference = s.Trace.Skip(fromLine).Where(l => l.Op is "invalidate_range_start" or "invalidate_range_start_nonblock")
                .Select(l => (Range: new PageRange((int)l.Get("start")!, Math.Min(Pages, (int)l.Get("end")!)), Event: Enum.Parse<MmuEvent>((string)l.Get("event")!)))
                .Where(r => r.Range.Length > 0).ToList();
            HashSet<CallSite> Sites(MmuEvent ev) => Enum.GetValues<CallSite>().Where(c => new[] { Prot.None, Prot.Read, Prot.ReadWrite }.Any(p => EventTables.EventOf(vocab, c, p) == ev)).ToHashSet();
            foreach (var k in kernel)
            {
                Checks++;
                if (k.Site is null) return Diff("invalidation call path", k.Range.Start, $"{k.Range} from {k.Path}", "a call site of the vocabulary");
            }
            // UFFDIO_MOVE: a move_pages_ptes invalidation from a page where the reference starts one has the reference's range
            // (linux-6.18 and 7.2: [src_addr, src_addr + len), the rest of the move; linux-6.12 move_pages_pte: one page), not
            // just an overlapping one. The kernel's bracket around a step it then refuses (move_pages_ptes opens it before its PTE
            // checks: EEXIST, ENOENT, EFAULT, EBUSY, EAGAIN) is the reference's too (Planner.MovePagesPtes: an empty bracket) and
            // is held to its range here. One from a page where the reference starts none is a refusal the reference makes
            // before any bracket where the kernel has a PTE table the model does not know of (move_pages: pmd_none of the
            // source; the reference takes a huge block without a PTE as one without a table): counted below as Extra.
            foreach (var k in kernel.Where(k => k.Site == CallSite.move_pages_ptes && reference.Any(r => r.Range.Start == k.Range.Start)))
            {
                Checks++;
                if (!reference.Any(r => r.Range == k.Range))
                    return Diff("uffdio_move bracket", k.Range.Start, $"{k.Range} from move_pages_ptes ({k.Path})",
                        string.Join(" ", reference.Select(r => $"{r.Event} over {r.Range}")));
            }
            var matched = new HashSet<int>();
            foreach (var (range, ev) in reference)
            {
                var sites = Sites(ev);
                Checks++;
                // the kernel invalidation of the same range first (nested ones overlap: madvise_free_single_vma's around the folio
                // split's try_to_migrate_one), else the first overlapping one
                int k = kernel.FindIndex(x => x.Range == range && sites.Contains(x.Site!.Value));
                if (k < 0) k = kernel.FindIndex(x => x.Range.Overlaps(range) && sites.Contains(x.Site!.Value));
                if (k < 0)
                {
                    int other = kernel.FindIndex(x => x.Range.Overlaps(range));
                    if (other >= 0) // the kernel invalidated these pages from a call site whose row sends another event
                        return Diff("invalidation call path", range.Start, $"{kernel[other].Range} from {kernel[other].Site} ({kernel[other].Path})",
                            $"{ev} over {range} (a call site of {string.Join("/", sites)})");
                    bool mapped = Enumerable.Range(range.Start, range.Length).Any(p => before.VmaAt(p) is not null || s.State.VmaAt(p) is not null);
                    if (mapped) { Missing++; FirstMissing ??= $"{OpText}: reference {ev} over {range}, kernel none"; }
                    continue;
                }
                matched.Add(k);
                // the handler's un-protect of a write to a uffd-wp page (ResolveUffdWp in the reference)
                if (kernel[k].Site == CallSite.uffd_wp_range && !OpText.StartsWith("uffd_", StringComparison.Ordinal)) UffdUnprotects++;
                var ks = kernel[k].Site!.Value.ToString();
                Paths[ks] = Paths.GetValueOrDefault(ks) + 1;
                if (kernel[k].Range != range) { RangeDiffs++; FirstRangeDiff ??= $"{OpText}: {ks} over {kernel[k].Range}, reference {ev} over {range}"; }
            }
            for (int k = 0; k < kernel.Count; k++)
            {
                if (matched.Contains(k)) continue;
                var kk = kernel[k];
                if (reference.Any(r => r.Range.Overlaps(kk.Range) && Sites(r.Event).Contains(kk.Site!.Value)))
                {   // one reference invalidation, several kernel ones (the kernel notifies VMA by VMA)
                    RangeDiffs++; FirstRangeDiff ??= $"{OpText}: {kk.Site} over {kk.Range} (one of several)";
                    continue;
                }
                Extra++; FirstExtra ??= $"{OpText}: {kk.Site} over {kk.Range} ({kk.Path})";
            }
            return null;
        }

        /// <summary>The page-by-page comparison after an operation.</summary>
        public Mismatch? Compare()
        {
            var st = s.State;
            var pm = live.Pagemap();
            var frameToPfn = new Dictionary<int, (ulong Pfn, string Where)>();
            var pfnToFrame = new Dictionary<ulong, (int Frame, string Where)>();
            Mismatch? Share(int frame, ulong pfn, string where, int page)
            {
                Checks++;
                if (frameToPfn.TryGetValue(frame, out var a) && a.Pfn != pfn)
                    return Diff("frame sharing", page, $"{where} and {a.Where} map different frames", $"both map frame {frame}");
                if (pfnToFrame.TryGetValue(pfn, out var b) && b.Frame != frame)
                    return Diff("frame sharing", page, $"{where} and {b.Where} map the same frame", $"frames {frame} and {b.Frame}");
                frameToPfn[frame] = (pfn, where); pfnToFrame[pfn] = (frame, where);
                return null;
            }
            Mismatch? Entry(ulong e, int? frame, int page, string who, bool hugeZero, int? pmdHead = null)
            {
                Checks++;
                bool kp = LiveMm.Present(e);
                if (kp != frame is not null) return Diff($"{who}pagemap present", page, kp ? "present" : "not present", frame is null ? "not present" : $"present (frame {frame})");
                if (frame is not { } f) return null;
                // the zero page, or the huge zero page (the reference's zero frame mapped huge): its subpages have pfns of their own
                string kZero = LiveMm.Pfn(e) == live.ZeroPfn ? "the zero page" : live.HugeZero(LiveMm.Pfn(e)) ? "the huge zero page" : "a page";
                string rZero = f != MmState.ZeroFrame ? "a page" : hugeZero ? "the huge zero page" : "the zero page";
                Checks++;
                if (kZero != rZero) return Diff($"{who}zero page", page, kZero, f == MmState.ZeroFrame ? rZero : $"frame {f}");
                // a huge page in the reference is a THP in the kernel (KPF_THP of its frame)
                if (who.Length == 0 && st.Ptes[page] is { Huge: true })
                {
                    Checks++;
                    if (!LiveMm.Thp(LiveMm.Pfn(e))) return Diff("kpageflags THP", page, "a base page", $"a huge page (frame {f})");
                }
                // a page of a PMD-mapped THP shows the exclusive bit of the PMD's head page (linux-7.2 fs/proc/task_mmu.c
                // pagemap_pmd_range_thp: __folio_page_mapped_exclusively(folio, page) with page = pmd_page(pmd) for every
                // subpage; as the 6.18 kernel here does; linux-6.12 asked folio_precise_page_mapcount(folio, page + idx))
                int ef = pmdHead ?? f;
                bool excl = ef != MmState.ZeroFrame && MapCount(st, ef) == 1;
                Checks++;
                // the uffd-wp bit (pagemap bit 57, PM_UFFD_WP: linux-7.2 fs/proc/task_mmu.c pte_to_pagemap_entry, pmd_uffd_wp
                // for a PMD-mapped THP) is the reference's Pte.UffdWp (a child's PTEs lose it: copy_present_ptes)
                if (who.Length == 0 && LiveMm.UffdWp(e) != st.Ptes[page] is { UffdWp: true })
                    return Diff($"{who}pagemap uffd-wp", page, LiveMm.UffdWp(e) ? "uffd-wp" : "no uffd-wp bit", st.Ptes[page] is { UffdWp: true } ? $"uffd-wp (frame {f})" : $"no uffd-wp bit (frame {f})");
                Checks++;
                if (LiveMm.Exclusive(e) != excl) return Diff($"{who}pagemap exclusively mapped", page, LiveMm.Exclusive(e) ? "exclusive" : "not exclusive", $"{(excl ? "exclusive" : "not exclusive")} (frame {f}, map count {MapCount(st, f)}{(ef != f ? $"; the PMD's head frame {ef}, map count {MapCount(st, ef)}" : "")})");
                // the zero frame: its pfn was checked above (the huge zero page's subpages have pfns of their own)
                return f == MmState.ZeroFrame ? null : Share(f, LiveMm.Pfn(e), $"{who}page {page}", page);
            }
            for (int p = 0; p < Pages; p++)
            {
                // a swap entry (pagemap bit 62, PM_SWAP) where the reference has one (madvise_pageout)
                Checks++;
                bool refSwap = st.Ptes[p] is { Swapped: true };
                if (LiveMm.Swapped(pm[p]) != refSwap)
                    return Diff("pagemap swapped", p, LiveMm.Swapped(pm[p]) ? "a swap entry" : LiveMm.Present(pm[p]) ? "present" : "no entry", refSwap ? $"a swap entry (frame {st.Ptes[p]!.Value.Frame} in the swap cache)" : st.Ptes[p] is null ? "no entry" : "present");
                // a swap entry's uffd-wp bit (pagemap bit 57: linux-7.2 fs/proc/task_mmu.c pte_to_pagemap_entry, pte_swp_uffd_wp),
                // which UFFDIO_MOVE's move_swap_pte keeps and a swap-in keeps (do_swap_page)
                if (refSwap)
                {
                    Checks++;
                    if (LiveMm.UffdWp(pm[p]) != st.Ptes[p] is { UffdWp: true })
                        return Diff("pagemap uffd-wp", p, LiveMm.UffdWp(pm[p]) ? "a swap entry with uffd-wp" : "a swap entry without uffd-wp", st.Ptes[p] is { UffdWp: true } ? "a swap entry with uffd-wp" : "a swap entry without uffd-wp");
                }
                int? head = null;
                if (st.Config.HugePageSize == 512 && st.Ptes[p] is { Huge: true, Swapped: false } && st.Ptes[p / 512 * 512] is { Huge: true } hp
                    && Enumerable.Range(p / 512 * 512, 512).All(q => st.Ptes[q] is { Huge: true })) head = hp.Frame;
                if (Entry(pm[p], refSwap ? null : st.Ptes[p]?.Frame, p, "", st.Ptes[p] is { Huge: true }, head) is { } d) return d;
            }
            // PMD mappings: with 2 MiB huge pages, the reference's whole huge blocks are the kernel's PMD-mapped THPs
            // (smaps AnonHugePages); a split (__split_huge_pmd, the reference's split_huge_page) leaves PTE mappings
            if (st.Config.HugePageSize == 512)
            {
                int h = st.Config.HugePageSize;
                // the huge zero page does not count (linux-7.2 fs/proc/task_mmu.c smaps_pmd_entry: vm_normal_page_pmd is NULL for it)
                long want = Enumerable.Range(0, Pages / h).Count(b => Enumerable.Range(b * h, h).All(p => st.Ptes[p] is { Huge: true, Swapped: false } x && x.Frame != MmState.ZeroFrame)) * 2048L;
                long got = live.AnonHugeKb();
                Checks++;
                if (got != want) return Diff("smaps AnonHugePages (PMD-mapped THPs)", 0, $"{got} kB", $"{want} kB ({want / 2048} whole huge blocks)");
            }
            for (int c = 0; c < _children.Count; c++)
            {
                var cpm = live.Pagemap(c);
                var map = st.Children[c];
                for (int p = 0; p < Pages; p++)
                {
                    // the child's swap entries (copied by fork, not yet swapped in by a child read): pagemap bit 62
                    bool refSwap = _children[c].Swapped.Contains(p);
                    Checks++;
                    if (LiveMm.Swapped(cpm[p]) != refSwap)
                        return Diff($"child {c} pagemap swapped", p, LiveMm.Swapped(cpm[p]) ? "a swap entry" : LiveMm.Present(cpm[p]) ? "present" : "no entry", refSwap ? $"a swap entry (frame {map[p]})" : "no swap entry");
                    if (refSwap) continue;
                    int? f = map.TryGetValue(p, out int x) ? x : _children[c].Faulted.TryGetValue(p, out int y) ? y : null;
                    int? head = _children[c].PmdBlocks.Contains(p / 512 * 512) && map.TryGetValue(p / 512 * 512, out int hf) ? hf : null;
                    if (Entry(cpm[p], f, p, $"child {c} ", _children[c].HugeZero.Contains(p), head) is { } d) return d;
                }
            }
            // values: the host's plain load of every readable page, the guest's load of every page whose read
            // changes nothing (a present readable page, or one without a VMA or with PROT_NONE: a fault either way)
            for (int p = 0; p < Pages; p++)
            {
                var pte = st.Ptes[p];
                if (pte is { Readable: true } && st.VmaAt(p) is { Prot: not Prot.None })
                {
                    int? want = st.CpuView(p);
                    bool kFault = Native.HostRead(p, out ulong got) != 0;
                    Checks++;
                    if (kFault != (want is null) || (!kFault && got != (ulong)(uint)want!.Value)) return Diff("host read (check)", p, V(kFault, got), V(want));
                }
            }
            if (live.HostOnly) return null; // no VM: no guest load to compare
            for (int p = 0; p < Pages; p++)
            {
                var vma = s.State.VmaAt(p);
                // a clean lazyfree page KVM does not map: its read fault would map it writable and dirty it (Frame.Dirty)
                if (s.State.Ptes[p] is { Writable: true } lp && s.State.Frames[lp.Frame] is { Lazyfree: true, Dirty: false } && !s.State.Mirrors[Kvm].Pt.ContainsKey(p)) continue;
                if (s.State.Ptes[p] is { Readable: true } && vma is { Prot: not Prot.None } || vma is null || vma.Prot == Prot.None)
                    if (Guest(p, false, 0, "guest read (check)") is { } d) return d;
            }
            return null;
        }
    }
}
