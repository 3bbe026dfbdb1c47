using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>
/// How a mirror hears about invalidations (include/linux/mmu_notifier.h):
/// Interval: an mmu_interval_notifier whose invalidate() runs at invalidate_range_start, with the
///   invalidate_seq protocol for its faults (lib/test_hmm.c dmirror);
/// Mm: a full-mm mmu_notifier with invalidate_range_start/end and, for its faults, a KVM-style
///   sequence count and in-progress count (virt/kvm/kvm_main.c mmu_invalidate_seq/in_progress);
/// InvalidatePage: an old-style listener that implements only invalidate_page (removed in 4.13);
/// SecondaryTlb: a hardware TLB filled by walking the CPU page table (ATS/SVA), told through
///   invalidate_range / arch_invalidate_secondary_tlbs at the TLB flush, under the PTL.
/// </summary>
public enum MirrorKind { Interval, Mm, InvalidatePage, SecondaryTlb }

/// <summary>What a listener does with the device PTEs of an invalidated range.</summary>
public enum Reaction
{
    /// <summary>Drop the device PTEs (dmirror_interval_invalidate: xa_erase).</summary>
    Unmap,
    /// <summary>Drop write only (HMM_WRITE_PROTECT in the seed's HMM).</summary>
    WriteProtect,
    /// <summary>Do nothing.</summary>
    Ignore,
    /// <summary>Look up the VMA's new protection (hmm_mmu_mprot_to_etype): none -> unmap, read -> write-protect, else ignore.</summary>
    ConsultVma,
}

/// <summary>Where a listener applies its reaction: in invalidate_range_start (correct, R6), only in
/// invalidate_range_end (the buggy listener of kernel-facts.md B12), or in the finish pass of a two-pass
/// interval notifier (Linux 7.2 include/linux/mmu_notifier.h struct mmu_interval_notifier_ops
/// invalidate_start / invalidate_finish, as drivers/gpu/drm/xe/xe_userptr.c xe_vma_userptr_invalidate_start
/// and xe_vma_userptr_invalidate_finish): the start pass calls mmu_interval_set_seq and returns a finish;
/// mm/mmu_notifier.c mn_itree_invalidate runs every queued finish pass (mn_itree_finish_pass) after the
/// tree walk and before invalidate_range_start returns, so the teardown is done before the PTE change.
/// Finish applies to interval mirrors only; other kinds (which have no invalidate_start) treat it as Start.
/// The modelled listener always returns a finish (mmu_interval_notifier_insert warns, WARN_ON_ONCE, about an
/// invalidate_start without invalidate_finish); a start returning NULL must do the whole invalidation itself,
/// which is the one-pass Start listener. It refuses a non-blockable range as dmirror does (trylock on its
/// lock); xe_vma_userptr_invalidate_start refuses every non-blockable range before mmu_interval_set_seq.</summary>
public enum TeardownAt { Start, End, Finish }

/// <summary>A listener policy: a reaction per event (default for unlisted events) and where it applies.</summary>
public sealed record Policy(string Name, ImmutableDictionary<MmuEvent, Reaction> Reactions, Reaction Default = Reaction.Unmap, TeardownAt At = TeardownAt.Start)
{
    public Reaction For(MmuEvent e) => Reactions.TryGetValue(e, out var r) ? r : Default;

    /// <summary>Unmap on every event: always safe.</summary>
    public static readonly Policy UnmapAll = new("unmap-all", ImmutableDictionary<MmuEvent, Reaction>.Empty);

    /// <summary>The seed's HMM listener (kernel-facts.md HMM07), with v7-reviewed and upstream names added.</summary>
    public static readonly Policy Hmm = new("hmm", new Dictionary<MmuEvent, Reaction>
    {
        [MmuEvent.MMU_FORK] = Reaction.WriteProtect, [MmuEvent.MMU_MUNLOCK] = Reaction.Ignore, [MmuEvent.MMU_MPROT] = Reaction.ConsultVma,
        [MmuEvent.MMU_WRITE_BACK] = Reaction.WriteProtect, [MmuEvent.MMU_WRITE_PROTECT] = Reaction.WriteProtect,
        [MmuEvent.MMU_KSM_WRITE_PROTECT] = Reaction.WriteProtect, [MmuEvent.MMU_ISDIRTY] = Reaction.WriteProtect,
        [MmuEvent.MMU_CLEAR_SOFT_DIRTY] = Reaction.WriteProtect, [MmuEvent.MMU_HSPLIT] = Reaction.Ignore,
        [MmuEvent.MMU_HUGE_PAGE_SPLIT] = Reaction.Ignore, [MmuEvent.MMU_READ_WRITE] = Reaction.Ignore,
        [MmuEvent.MMU_NOTIFY_PROTECTION_VMA] = Reaction.ConsultVma, [MmuEvent.MMU_NOTIFY_PROTECTION_PAGE] = Reaction.WriteProtect,
        [MmuEvent.MMU_NOTIFY_SOFT_DIRTY] = Reaction.WriteProtect,
    }.ToImmutableDictionary());

    /// <summary>A listener that trusts the seed's wording "MMU_MPROT: write-protect" and never unmaps on it (the review's worry).</summary>
    public static Policy WriteProtectOnMprot => Hmm with { Name = "wp-on-mprot", Reactions = Hmm.Reactions.SetItem(MmuEvent.MMU_MPROT, Reaction.WriteProtect)
        .SetItem(MmuEvent.MMU_WRITE_PROTECT, Reaction.WriteProtect).SetItem(MmuEvent.MMU_NOTIFY_PROTECTION_VMA, Reaction.WriteProtect) };

    /// <summary>Ignores soft-dirty clearing: memory-safe, but device writes escape soft-dirty tracking.</summary>
    public static Policy IgnoreSoftDirty => Hmm with { Name = "ignore-soft-dirty", Reactions = Hmm.Reactions.SetItem(MmuEvent.MMU_ISDIRTY, Reaction.Ignore)
        .SetItem(MmuEvent.MMU_CLEAR_SOFT_DIRTY, Reaction.Ignore).SetItem(MmuEvent.MMU_NOTIFY_SOFT_DIRTY, Reaction.Ignore) };

    /// <summary>The HMM listener with lib/test_hmm.c's reaction to MMU_NOTIFY_PROTECTION_VMA: unmap
    /// (dmirror_interval_invalidate unmaps whatever the event). NUMA hinting (change_prot_numa), userfaultfd
    /// write-protect (uffd_wp_range) and PAGEMAP_SCAN (do_pagemap_scan) send that event with the VMA unchanged,
    /// so Hmm's consult-vma keeps device access there (docs/protection-vma.md); this one is safe.</summary>
    public static Policy HmmUnmapVma => Hmm with { Name = "hmm-unmap-vma", Reactions = Hmm.Reactions.SetItem(MmuEvent.MMU_NOTIFY_PROTECTION_VMA, Reaction.Unmap) };

    /// <summary>Tears down only in invalidate_range_end.</summary>
    public static Policy UnmapAtEnd => UnmapAll with { Name = "unmap-at-end", At = TeardownAt.End };

    /// <summary>A two-pass interval listener: the start pass sets the seq and queues a finish; the finish pass unmaps.</summary>
    public static Policy TwoPass => UnmapAll with { Name = "two-pass", At = TeardownAt.Finish };

    public static Policy Named(string name) => name switch
    {
        "unmap-all" => UnmapAll, "hmm" => Hmm, "wp-on-mprot" => WriteProtectOnMprot, "ignore-soft-dirty" => IgnoreSoftDirty,
        "unmap-at-end" => UnmapAtEnd, "two-pass" => TwoPass, "hmm-unmap-vma" => HmmUnmapVma,
        _ => throw new ArgumentException($"unknown policy '{name}' (known: unmap-all, hmm, wp-on-mprot, ignore-soft-dirty, unmap-at-end, two-pass, hmm-unmap-vma)"),
    };
    public static readonly ImmutableArray<string> Names = ["unmap-all", "hmm", "wp-on-mprot", "ignore-soft-dirty", "unmap-at-end", "two-pass", "hmm-unmap-vma"];
}

/// <summary>
/// A device mirror's configuration (lib/test_hmm.c struct dmirror): its notifier kind and range,
/// its listener policy, and its driver bugs (kernel-facts.md M3).
/// SkipReadRetry is the planted bug no-read-retry of catalogue/vocabulary.json (trace field skip_read_retry).
/// NullExclusiveOwner: the owner the driver passes to make_device_exclusive. false (the default): the device itself, as
/// nouveau does (linux-7.2 drivers/gpu/drm/nouveau/nouveau_svm.c nouveau_atomic_range_fault:
/// make_device_exclusive(mm, start, drm->dev, &amp;folio)), which skips its own MMU_NOTIFY_EXCLUSIVE
/// (nouveau_svm_range_invalidate: range->owner == drm->dev). true: NULL, as lib/test_hmm.c dmirror_exclusive does
/// (linux-6.1/6.12 make_device_exclusive_range(..., NULL), linux-7.2/7.3 make_device_exclusive(mm, addr, NULL, &amp;folio)),
/// whose dmirror_interval_invalidate skips only its own MMU_NOTIFY_MIGRATE: the mirror invalidates on its own exclusive
/// event, then dmirror_atomic_map maps the atomic entry (trace field exclusive_owner_null).
/// </summary>
public sealed record MirrorConfig(string Name, MirrorKind Kind = MirrorKind.Interval, Policy? Policy = null,
    bool SkipReadRetry = false, bool ReadRetryOutsideLock = false, int FaultChunk = 2, PageRange? Span = null,
    bool NullExclusiveOwner = false)
{
    public Policy Listener => Policy ?? Policy.UnmapAll;

    /// <summary>The pages the mirror covers: an interval notifier's [start, last + 1) (mmu_interval_notifier_insert);
    /// the whole address space for the other kinds and when unset (dmirror covers all of current->mm).</summary>
    public bool Covers(int page) => Kind != MirrorKind.Interval || Span is not { } r || r.Contains(page);
    public bool Overlaps(PageRange range) => Kind != MirrorKind.Interval || Span is not { } r || r.Overlaps(range);
}

/// <summary>Planted bugs in the reference's notifier chain and call sites, switchable without editing code
/// (the mutation matrix of properties/). Each names the kernel bug class it plants (kernel-facts.md, its M and B keys).</summary>
[Flags]
public enum Mutant : long
{
    None = 0,
    RangeOnePageShort = 1 << 0,        // M2: the notified range misses the last page
    FreeBeforeNotify = 1 << 1,         // M1/B1: the frame is freed before invalidate_range_start
    StartWithoutEnd = 1 << 2,          // M7: invalidate_range_end is never called
    EndAfterRefusedStart = 1 << 3,     // M7/B10: end is called after a refused non-blockable start
    WrongEventMprotect = 1 << 4,       // a wrong event at a call site: mprotect to none sends a write-protect event
    CowForgetsWriteProtect = 1 << 5,   // fork does not write-protect the parent (B14)
    SkipSetSeq = 1 << 6,               // M4: the interval callback does not call mmu_interval_set_seq
    ReadBeginNoSleep = 1 << 7,         // M5: read_begin does not wait while the pass hit the subscription
    EndPassEarly = 1 << 8,             // M6: the pass ends (seq++) at the start of the invalidation
    NoTlbFlushNotify = 1 << 9,         // M10/B2: the secondary-TLB callback is skipped at the flush
    SoftDirtyNoWriteProtect = 1 << 10, // clear_refs clears soft-dirty but leaves the PTE writable
    MigrateNoNotify = 1 << 11,         // migration changes the PTE without any notification
    ZapSkipsHuge = 1 << 12,            // B6: a zap notifies only the base page, not the huge page around it
    ForkNoEvent = 1 << 13,             // fork write-protects without start/end
    NonblockIgnoresRefusal = 1 << 14,  // R1: the OOM reaper changes PTEs although a callback refused
    WriteFaultNoSoftDirty = 1 << 15,   // a write fault upgrade forgets to set soft-dirty
    MigrateCopyBeforeUnmap = 1 << 16,  // migration copies the page before unmapping it: writes in between are lost
    OwnerFilterAll = 1 << 17,          // listeners skip every event that carries an owner, not only their own
    FinishPassAtEnd = 1 << 18,         // the queued invalidate_finish passes run at invalidate_range_end, after the PTE change
    MoveHugePmdNoNotify = 1 << 19,     // UFFDIO_MOVE of a whole THP (move_pages_huge_pmd) moves the PMD without start/end
    MigrateSkipAnyOwner = 1 << 20,     // listeners skip every MMU_NOTIFY_MIGRATE event, whatever its owner (the owner check left out)
    OwnerSkipBeforeSetSeq = 1 << 21,   // the owner returns for its own MMU_NOTIFY_MIGRATE before mmu_interval_set_seq (lib/test_hmm.c)
}

/// <summary>The whole configuration of a run.</summary>
/// HugeZeroPage is /sys/kernel/mm/transparent_hugepage/use_zero_page: a read fault in an empty huge block of a THP VMA maps
/// the huge zero page (linux-7.2 mm/huge_memory.c do_huge_pmd_anonymous_page: not a write fault, !mm_forbids_zeropage,
/// transparent_hugepage_use_zero_page()), modelled as huge read-only PTEs of the zero frame; off, such a fault allocates a
/// huge page. Off by default so that seeded runs and traces without the field keep their meaning; `notifier kernel` sets
/// it from the running kernel's sysfs (1 by default in the kernel).
/// MadviseFreeSplit: MADV_FREE over part of a PMD-mapped THP splits its folio, zero-filled subpages becoming the zero page
/// (Planner.MadviseFreeSplitFolios; linux-6.1: every subpage kept), as every kernel vocabulary's kernel does (6.1 and later).
/// On by default (the TLA+ spec has the split as its site split_folio, and the trace spec accepts it); off only to replay a
/// trace written before it (a config line without `madvise_free_split`), where a THP stayed whole under MADV_FREE.
/// MremapBreakKsm: mremap breaks the KSM pages of the range it moves before moving it (Planner.BreakKsm: linux-7.2
/// mm/mremap.c prep_move_vma, 6.12 and 6.1 move_vma -> ksm_madvise(MADV_UNMERGEABLE) -> mm/ksm.c break_ksm, a COW through
/// wp_page_copy). On by default (the TLA+ spec breaks them too: NotifierSpec.tla MremapBreakKsm, and the trace spec accepts
/// it); off only to replay a trace written before it (a config line without `mremap_break_ksm`), where the KSM page moved
/// as it was.
/// KsmWriteCopies: a write fault on a KSM page mapped once copies it (linux-7.2 and 6.12 mm/memory.c do_wp_page ->
/// wp_can_reuse_anon_folio: folio_test_ksm -> false, then wp_page_copy; linux-6.1 do_wp_page: folio_test_ksm -> goto copy)
/// where off the reference reuses it as any page mapped once. On by default (the TLA+ spec copies it too: NotifierSpec.tla
/// KsmWriteCopies, and the trace spec accepts it, field `ksm_write_copies`); off only to replay a trace written before it
/// (found live by `notifier kernel`: a child's copy left the parent's KSM page mapped once).
/// PteFolioSplit: the reference remembers the folio of a THP whose PMD __split_huge_pmd split (Frame.PteFolio, MmState.IsPteFolio),
/// and MADV_FREE / MADV_PAGEOUT over part of such a folio split it as linux-7.2 and 6.12 mm/madvise.c madvise_free_pte_range /
/// madvise_cold_or_pageout_pte_range do (Planner.SplitPteFolio: try_to_migrate_one per VMA, zero-filled subpages the zero page);
/// linux-6.1: over any part of it, whole too, and every subpage kept (Planner.SplitsEveryPteFolio, SplitMapsZeroPage);
/// off, its pages are base pages. On by default (the TLA+ trace spec takes the split's per-VMA brackets as its site
/// split_folio when the config line has `pte_folio_split`: TraceNotifierSpec.tla FolioRange; Conformance.Tests
/// MadviseFreeSplitOfAPteMappedFolioIsAcceptedAndRejectedWithoutTheFieldOrWithAWrongBracket); off only to replay a trace
/// written before it (a config line without `pte_folio_split`), where such a folio's pages were base pages.
/// NestedFolioSplit: MADV_FREE's folio splits run inside madvise_free_single_vma's MMU_NOTIFY_CLEAR bracket, as in the kernel
/// (linux-7.2, 6.12 and 6.1 mm/madvise.c madvise_free_single_vma: mmu_notifier_invalidate_range_start, then walk_page_range ->
/// madvise_free_pte_range -> split_folio (a PTE-mapped large folio) or madvise_free_huge_pmd -> split_folio (6.1
/// split_huge_page; a PMD-mapped THP) -> mm/rmap.c try_to_migrate_one's own MMU_NOTIFY_CLEAR bracket, then
/// mmu_notifier_invalidate_range_end): a listener sees start(madvise_free) start(split) end(split) end(madvise_free), the
/// split's bracket nested (Prim.Start.Nested, CpuOp.Outer), the walk going block by block (Planner.MadviseFreeSingleVma).
/// Off, the split's bracket comes before madvise_free's, as the reference had it before. On by default (the TLA+ trace
/// spec runs the nested bracket on a second thread and, with the config field `nested_folio_split`, takes a split only
/// there: TraceNotifierSpec.tla NestedStart); off only to replay a trace written before it (a config line without the field).
/// MmForbidsZeropage: the kernel maps no shared zero page where upstream's mm_forbids_zeropage(mm) forbids it (linux-7.2
/// include/linux/mm.h: 0 but on s390, arch/s390/include/asm/pgtable.h), at the sites it guards: a read fault of private anonymous
/// memory allocates a page of its own (mm/memory.c do_anonymous_page), a read fault in an empty huge block of a THP VMA a huge
/// page (mm/huge_memory.c do_huge_pmd_anonymous_page), and a folio split's remap keeps every zero-filled subpage
/// (mm/migrate.c try_to_map_unused_to_zeropage). Off by default (every kernel vocabulary's x86 kernel); `notifier kernel` sets
/// it where a read fault maps no zero page (LiveMm.ForbidsZeroPage: this machine's pvm_no_zero_page=1, docs/kernel.md
/// "Host-only runs"). Traces carry it as `mm_forbids_zeropage`. The plant PlantZeropageNotForbidden ignores it.
public sealed record MmConfig(int Pages = 16, int HugePageSize = 4, int Frames = 48, Vocabulary Vocabulary = Vocabulary.Upstream,
    ImmutableArray<MirrorConfig> Mirrors = default, Mutant Mutants = Mutant.None, bool HugeZeroPage = false, bool MadviseFreeSplit = true,
    bool MremapBreakKsm = true, bool KsmWriteCopies = true, bool PteFolioSplit = true, bool MmForbidsZeropage = false,
    bool NestedFolioSplit = true)
{
    public ImmutableArray<MirrorConfig> MirrorList => Mirrors.IsDefault ? [] : Mirrors;
    public bool Has(Mutant m) => (Mutants & m) != 0;

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): mremap of a VM_UFFD_WP VMA drops the uffd
    /// flags before copy_vma's merge, so the moved VMA merges with equal unregistered neighbours and leaves no Vma.Seam, as
    /// the reference did before it followed linux-7.2 mm/mremap.c copy_vma_and_data -> mremap_userfaultfd_prep.</summary>
    public bool PlantMremapUffdMerges { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): MADV_PAGEOUT of a whole PMD-mapped THP leaves
    /// it mapped by its PMD (no folio split, no notification, no swap entry), where linux-7.2 mm/vmscan.c shrink_folio_list
    /// splits it (split_folio_to_list) and swaps its pages out (Planner.MadvisePageout).</summary>
    public bool PlantThpPageoutKeepsPmd { get; init; }

    /// <summary>A planted reference bug for tests (Kernel.Tests): __split_huge_pmd's folio is forgotten (Frame.PteFolio not set),
    /// as the reference before it modelled PTE-mapped large folios: its pages are base pages, and MADV_PAGEOUT / MADV_FREE over
    /// part of the folio split nothing.</summary>
    public bool PlantPteFolioForgotten { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): UFFDIO_MOVE refuses overlapping source and
    /// destination ranges (EINVAL), as the reference of session 11 did, where linux-7.2 mm/userfaultfd.c move_pages moves them
    /// (Planner.UffdMove).</summary>
    public bool PlantUffdMoveRefusesOverlap { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): UFFDIO_MOVE into a destination VMA not
    /// registered with the userfaultfd goes ahead, as the reference of session 11 did, where linux-7.2 mm/userfaultfd.c
    /// validate_move_areas fails with -EINVAL (Planner.UffdMove).</summary>
    public bool PlantUffdMoveUnregisteredDst { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): a refused UFFDIO_MOVE leaves the destination
    /// VMA without the anon_vma linux-7.2 mm/userfaultfd.c uffd_lock_vma gave it before any check, as the reference of
    /// session 11 did (Planner.RefusalVmas).</summary>
    public bool PlantUffdMoveRefusalForgetsAnonVma { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Conformance.Tests): UFFDIO_MOVE refuses a step before opening
    /// its bracket, as the reference of session 12 did, where linux-7.2 mm/userfaultfd.c move_pages_ptes (linux-6.12
    /// move_pages_pte) starts MMU_NOTIFY_CLEAR before its PTE checks (-EEXIST, -ENOENT, -EFAULT, -EBUSY, -EAGAIN) and ends it
    /// after a refusal with no PTE changed (Planner.MovePagesPtes).</summary>
    public bool PlantUffdMoveRefusesUnbracketed { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests): a UFFDIO_MOVE step from a PMD-mapped THP that is then
    /// refused leaves the PMD whole, as the reference of session 12 did, where linux-7.2 mm/userfaultfd.c move_pages splits it
    /// (split_huge_pmd) before move_pages_ptes refuses (Planner.MovePagesPtes).</summary>
    public bool PlantUffdMoveRefusalKeepsPmd { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdMoveSwapEntryTests): a UFFDIO_MOVE step whose source is a
    /// swap entry is refused in its bracket (-EBUSY: the swap cache's frame mapped by no PTE taken as not exclusive), as the
    /// reference of session 14 did, where linux-7.2 mm/userfaultfd.c move_pages_ptes -> move_swap_pte moves the entry
    /// (Planner.MovePagesPtes). Found live on 6.18.44 (docs/kernel.md, "UFFDIO_MOVE of a swap entry").</summary>
    public bool PlantUffdMoveRefusesSwapEntry { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdMoveSwapEntryTests): a swap entry UFFDIO_MOVE moves
    /// loses its uffd-wp bit, where linux-7.2 mm/userfaultfd.c move_swap_pte sets the source's entry itself at the destination
    /// (pte_swp_mksoft_dirty only), as mremap's move_ptes without UFFD_FEATURE_EVENT_REMAP would clear it.</summary>
    public bool PlantUffdMoveSwapDropsUffdWp { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests AnonExclusiveTests, Kernel.Tests HostOnlyTests):
    /// PageAnonExclusive inferred from the counts (a frame mapped once and held once; behind a swap entry, held once), as the
    /// reference did before session 15 for a page of no folio fork shared (MmState.Folios kept a set of its own), where the kernel keeps a bit fork clears and only a reusing write fault sets again
    /// (Frame.AnonExclusive, Planner.AnonExclusive). Found live on 6.18.44 (docs/kernel.md, "PageAnonExclusive").</summary>
    public bool PlantAnonExclusiveFromCounts { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests ThpPageoutTests): under linux-6.1 a PTE-mapped large folio
    /// is split as linux-7.2 splits it (a folio MADV_FREE meets whole in one VMA left large, the split's remap mapping
    /// zero-filled subpages to the zero page), where linux-6.1 mm/madvise.c madvise_free_pte_range splits every large folio it
    /// meets and mm/huge_memory.c remap_page maps every subpage back (Planner.SplitsEveryPteFolio, SplitMapsZeroPage).</summary>
    public bool PlantPteFolio6_1As7_2 { get; init; }

    /// <summary>A planted reference bug for tests (Properties.Tests): a full-mm listener (every kind but Interval) registers while
    /// an operation or invalidation is in flight, as the reference let it before it followed linux-7.2 mm/mmu_notifier.c
    /// __mmu_notifier_register -> mm/vma.c mm_take_all_locks; it then hears an invalidate_range_end without its start.</summary>
    public bool PlantRegisterDuringInvalidation { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Properties.Tests): MADV_MERGEABLE of a shared or hugetlb
    /// mapping sets VM_MERGEABLE, which linux-7.2 mm/ksm.c ksm_compatible ignores ("Just ignore the advice"), so KSM merges
    /// two pages of a shared mapping and a write fault then reuses the merged page in place (found by `notifier hammer
    /// --time 2m --seed 21`: CoherentAccess).</summary>
    public bool PlantKsmAdviceOnShared { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests): a migration entry, and mremap's move of a PTE, forget the PTE's
    /// dirty and young bits, and the remap (after a migration, a folio split or a move) makes a writable PTE dirty and young as
    /// a write fault would, where linux-7.2 mm/migrate.c remove_migration_pte and mm/mremap.c move_ptes keep them (found by
    /// `notifier hammer --time 4m --seed 33` and `--time 2m --seed 33`: VocabulariesAgree).</summary>
    public bool PlantMigrationDirtiesPte { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): mremap with MREMAP_DONTUNMAP moves the PTEs
    /// without move_page_tables' MMU_NOTIFY_UNMAP bracket (a reference that took "don't unmap" to mean "no unmap event"), so a
    /// listener keeps the old range's pages.</summary>
    public bool PlantDontunmapNoNotify { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests, Kernel.Tests): mremap with MREMAP_DONTUNMAP of a whole VMA
    /// keeps its anon_vma, where linux-7.2 mm/mremap.c dontunmap_complete unlinks it (unlink_anon_vmas), so fork copies the
    /// zero pages read there since.</summary>
    public bool PlantDontunmapKeepsAnonVma { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdWriteProtectTests, Kernel.Tests): UFFDIO_WRITEPROTECT over a
    /// range with a VMA not registered for write-protect refuses without effect, as the reference before session 14, where
    /// linux-6.12 and linux-7.2 mm/userfaultfd.c mwriteprotect_range protect the registered VMAs before it, then return -ENOENT.</summary>
    public bool PlantUffdWpRefusesWhole { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdWriteProtectTests): under linux-6.1, UFFDIO_WRITEPROTECT walks
    /// every VMA of the range as later releases do, where linux-6.1 mm/userfaultfd.c mwriteprotect_range -> find_dst_vma
    /// refuses (-ENOENT) a range not inside one registered VMA.</summary>
    public bool PlantUffdWpWalksVmas6_1 { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdTests, Kernel.Tests): KSM's replace_page keeps the replaced
    /// PTE's uffd-wp bit, where linux-7.2 mm/ksm.c replace_page maps the KSM page with mk_pte(kpage, vma->vm_page_prot) alone.</summary>
    public bool PlantKsmKeepsUffdWp { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests UffdTests, Kernel.Tests): UFFDIO_REGISTER / UNREGISTER split a
    /// huge PMD at the edges of each reference VMA piece of the range, as before session 14, where the kernel splits its VMA (and
    /// a straddling PMD: mm/vma.c __split_vma -> vma_adjust_trans_huge) at the range's edges only.</summary>
    public bool PlantUffdRegisterSplitsPieces { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests CallSiteTests): mlock / munlock of part of a PMD-mapped block
    /// keep the huge PMD across the new VMA edge, as the reference before session 14, where linux-7.2 mm/vma.c __split_vma ->
    /// mm/huge_memory.c vma_adjust_trans_huge splits it (MMU_NOTIFY_CLEAR, __split_huge_pmd).</summary>
    public bool PlantMlockKeepsStraddlingPmd { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MlockTests, Kernel.Tests HostOnlyTests): MADV_DONTNEED and
    /// MADV_FREE zap a VM_LOCKED VMA, as the reference before session 15, where linux-7.2 mm/madvise.c
    /// madvise_dontneed_free_valid_vma refuses it with EINVAL.</summary>
    public bool PlantMadviseIgnoresMlock { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MlockTests, Kernel.Tests HostOnlyTests): mlock fills each empty
    /// page with a page of its own, as the reference before session 15, where populate_vma_page_range read-faults a page of a
    /// VMA that is not writable (the zero page unless mm_forbids_zeropage) and a fault in a THP VMA maps the whole huge block.</summary>
    public bool PlantMlockFillsPages { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MlockTests, Kernel.Tests HostOnlyTests): a forked child's VMAs
    /// keep the parent's VM_LOCKED, as the reference before session 16, where linux-7.2 mm/mmap.c dup_mmap (linux-6.12 and 6.1
    /// kernel/fork.c dup_mmap) clears VM_LOCKED_MASK in each copy (Planner.ChildVmasAtFork).</summary>
    public bool PlantForkKeepsMlock { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests LazyfreeSharedTests, Kernel.Tests HostOnlyTests): MADV_FREE
    /// leaves alone a page another mm maps too, as the reference before session 18, where linux-7.2 mm/madvise.c
    /// madvise_free_pte_range asks the map count only of a folio that is dirty or in the swap cache, and marks a clean one
    /// lazyfree whoever maps it (Frame.Clean, Planner.MarkLazyfree).</summary>
    public bool PlantLazyfreeSkipsShared { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests LazyfreeSharedTests, Kernel.Tests HostOnlyTests): MADV_FREE
    /// marks lazyfree a page another mm maps too even when its folio is not known clean (Frame.Clean), where linux-7.2
    /// mm/madvise.c madvise_free_pte_range leaves a shared folio alone when it is dirty or in the swap cache (a page swapped in).</summary>
    public bool PlantLazyfreeMarksShared { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MprotectHoleTests, Kernel.Tests HostOnlyTests): mprotect, mlock
    /// and munlock over a range with a hole change nothing, as the reference before session 18, where linux-7.2 mm/mprotect.c
    /// do_mprotect_pkey and mm/mlock.c apply_vma_lock_flags change the VMAs before the first hole and then fail with -ENOMEM.</summary>
    public bool PlantHoleNoChange { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MigrateSwapCacheTests): the migration of a page children's
    /// swap entries still name leaves those entries on the old page, as the reference before session 18, where linux-7.2
    /// mm/migrate.c __folio_migrate_mapping moves the swap cache to the new folio (Planner.MoveChildSwapEntries).</summary>
    public bool PlantMigrateLeavesChildSwapEntries { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests AnonVmaTests, Properties VocabulariesAgree): under linux-6.1
    /// and 6.12 a VMA with an anon_vma merges into a neighbour without one, as linux-7.2 mm/vma.c is_mergeable_anon_vma allows
    /// and the reference did before session 16 (Planner.OldAnonVmaMerge).</summary>
    public bool PlantAnonVmaMergeAs7_2 { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests AnonVmaTests, Kernel.Tests HostOnlyTests): linux-6.18 keeps a
    /// VMA with an anon_vma apart from a neighbour without one, as linux-6.12 mm/vma.c is_mergeable_anon_vma does, where
    /// 6.18.44 merges them as linux-7.2 does (seen live, session 16: Planner.OldAnonVmaMerge).</summary>
    public bool PlantAnonVmaMerge6_18As6_12 { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests AnonVmaTests, Kernel.Tests HostOnlyTests): linux-6.18's
    /// MREMAP_DONTUNMAP of a whole VMA resets the old VMA's pgoff to an unfaulted one's, as linux-7.2 mm/mremap.c
    /// dontunmap_complete (and linux-6.12 move_vma) do and the reference did before session 16, where 6.18.44 keeps it
    /// (seen live: Planner.DontunmapVmas).</summary>
    public bool PlantDontunmapPgoffReset6_18 { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MlockTests, Kernel.Tests HostOnlyTests): populate_vma_page_range
    /// faults in only the empty PTEs and takes every present or swapped page as it is, where linux-7.2 mm/gup.c
    /// __get_user_pages faults (faultin_page) wherever follow_page_mask finds no page it may follow: a swap entry, and under
    /// FOLL_WRITE a PTE that is not writable (COW of a page fork shared, of the zero page, of a KSM page).</summary>
    public bool PlantPopulateSkipsPresent { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MlockTests): mprotect making a VM_LOCKED private VMA writable
    /// does not populate it, where linux-7.2 mm/mprotect.c mprotect_fixup calls populate_vma_page_range.</summary>
    public bool PlantMprotectSkipsLockedPopulate { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests AnonVmaTests, Kernel.Tests): every VMA's anon_vma is the same one,
    /// so adjacent VMAs of equal flags merge whatever anon_vma_prepare gave them, as the reference before Vma.AnonVmaId (where
    /// linux-7.2 mm/vma.c is_mergeable_anon_vma keeps VMAs with different anon_vmas apart).</summary>
    public bool PlantOneAnonVma { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests ZeropageTests): MmForbidsZeropage is ignored, so every site
    /// upstream guards with mm_forbids_zeropage maps the zero page as on a kernel that allows it.</summary>
    public bool PlantZeropageNotForbidden { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests CollapseVmaTests, Kernel.Tests): collapse_huge_page and
    /// MADV_COLLAPSE ask whether the block lies inside the reference's VMA piece, not inside the kernel's VMA (Vma.MergedRun),
    /// so a block whose VMA was mprotected in part and back is refused where linux-7.2 mm/khugepaged.c hugepage_vma_revalidate
    /// finds it inside one merged VMA.</summary>
    public bool PlantCollapsePieceVma { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MadviseCollapseTests, Kernel.Tests HostOnlyTests): MADV_COLLAPSE
    /// decides every block by khugepaged's rules as the reference did before session 14 (Planner.CollapseHugePage: a hole, the zero
    /// page, a page mapped twice or a swap entry refuses with EBUSY, so does a block already PMD-mapped, and the huge PMD is
    /// read-only when no old PTE was writable), where linux-7.2 mm/khugepaged.c collapse_max_ptes_none / _shared / _swap allow any
    /// number of them for MADV_COLLAPSE (cc->is_khugepaged false).</summary>
    public bool PlantMadviseCollapseAsKhugepaged { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MadviseCollapseTests): MADV_COLLAPSE takes the huge blocks of the
    /// whole range and refuses with ENOMEM a block not inside one VMA, as the reference before session 14, where linux-7.2
    /// mm/madvise.c madvise_walk_vmas calls madvise_collapse once per VMA with the range clipped to it (mm/khugepaged.c
    /// madvise_collapse: EINVAL when collapse_possible refuses the VMA).</summary>
    public bool PlantMadviseCollapseWholeRange { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests MadviseCollapseTests, Kernel.Tests HostOnlyTests): MADV_COLLAPSE
    /// of an anonymous block whose PTE table is left empty refuses with SCAN_PAGE_RO (EINVAL) in every vocabulary, as linux-6.12
    /// and 6.1 mm/khugepaged.c hpage_collapse_scan_pmd do (no writable PTE), where linux-7.2 mm/khugepaged.c collapse_scan_pmd
    /// has no SCAN_PAGE_RO and collapse_huge_page maps a zeroed huge page (and the 6.18.44 kernel, seen live).</summary>
    public bool PlantEmptyPteTableCollapseRo { get; init; }

    /// <summary>Planted (session 14): mremap keeps the one-VMA rule of linux-6.12 and 6.1 in every vocabulary, refusing a source
    /// over several VMAs with EFAULT where linux-7.2 mm/mremap.c remap_move (and the 6.18.44 kernel, seen live) moves each
    /// (MmState.MremapPieces), as the reference did before session 14.</summary>
    public bool PlantMremapOneVma { get; init; }

    /// <summary>A planted reference bug for tests (Reference.Tests PteTableTests, Kernel.Tests HostOnlyTests): a fault in an empty
    /// huge block of a THP VMA maps a PMD whether or not the block has a PTE table (MmState.PteTables), as the reference before
    /// session 15, where linux-7.2 mm/memory.c __handle_mm_fault calls create_huge_pmd only when pmd_none.</summary>
    public bool PlantPteTableIgnored { get; init; }

    /// <summary>The reference tracks which huge blocks have a PTE table (MmState.PteTables): the kernel vocabularies (every
    /// release's __handle_mm_fault maps a THP only at a none PMD); the seed's vocabularies keep the reference as it was.</summary>
    public bool ModelsPteTables => EventTables.IsKernel(Vocabulary);

    /// <summary>CONFIG_PT_RECLAIM: MADV_DONTNEED frees a PTE table it empties whole (linux-7.2 mm/madvise.c
    /// madvise_dontneed_single_vma: zap_details.reclaim_pt; mm/memory.c zap_pte_range -> pte_table_reclaim_possible, "cover the
    /// full page table", then zap_empty_pte_table / zap_pte_table_if_empty; mm/Kconfig PT_RECLAIM def_bool y on x86). Came in
    /// v6.14 (mm/pt_reclaim.c; linux-6.12 and 6.1 have no reclaim_pt); the 6.18.44 kernel here has CONFIG_PT_RECLAIM=y
    /// (/proc/config.gz). On for linux-6.18, 7.2, 7.3 and upstream.</summary>
    public bool PtReclaim => ModelsPteTables && Vocabulary is Vocabulary.Linux6_18 or Vocabulary.Linux7_2 or Vocabulary.Linux7_3 or Vocabulary.Upstream;

    /// <summary>mm_forbids_zeropage(mm) (linux-7.2 include/linux/mm.h) as the planner asks it: MmForbidsZeropage, unless planted away.</summary>
    public bool ForbidsZeropage => MmForbidsZeropage && !PlantZeropageNotForbidden;

    /// <summary>mremap moves a source over several VMAs (linux-7.2 mm/mremap.c remap_move; linux-7.3 alike; linux-6.18 as seen
    /// on the 6.18.44 kernel: the move came in v6.17, commit d23cb648e365 "mm/mremap: permit mremap() move of multiple VMAs");
    /// linux-6.12, 6.1 and the seed's vocabularies keep the one-VMA rule (vma_to_resize), as does PlantMremapOneVma.</summary>
    public bool MremapMovesSeveralVmas => Vocabulary is Vocabulary.Linux6_18 or Vocabulary.Linux7_2 or Vocabulary.Linux7_3 or Vocabulary.Upstream
        && !PlantMremapOneVma;
}
