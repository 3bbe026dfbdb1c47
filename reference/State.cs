using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>One primitive step of a CPU operation, in kernel call-site order (docs/rules.md, Actions).</summary>
public abstract record Prim
{
    /// <summary>mmu_notifier_invalidate_range_start (or _nonblock when !Blockable). Nested: planned inside another bracket of
    /// the same call (Planner.Bracket within a bracket's body: MADV_FREE's folio split, MmConfig.NestedFolioSplit), which it
    /// suspends until its end (CpuOp.Outer) instead of being a second start without an end (Rules.StartEndPaired).</summary>
    public sealed record Start(PageRange Range, MmuEvent Event, bool Blockable = true, int Owner = -1, bool Nested = false) : Prim;
    /// <summary>dmirror_atomic_map: the owner stores the page with DPT_XA_TAG_ATOMIC, under its lock.</summary>
    public sealed record AtomicMap(int Mirror, int Page) : Prim;
    /// <summary>mmu_notifier_invalidate_range_end.</summary>
    public sealed record End(PageRange Range) : Prim;
    /// <summary>lib/test_hmm.c dmirror_migrate_finalize_and_map: under the mirror's lock, each migrated page's device PTE
    /// becomes the device page (tagged WRITE when the source was writable, MIGRATE_PFN_WRITE).</summary>
    public sealed record DeviceMigrateMap(int Mirror, ImmutableArray<(int Page, int Frame, bool Write)> Entries) : Prim;
    /// <summary>lib/test_hmm.c dmirror_devmem_fault_alloc_and_copy: xa_erase(&amp;dmirror->pt, addr) of the owner's entry,
    /// without its lock, before the copy back to system memory.</summary>
    public sealed record DeviceErase(int Mirror, int Page) : Prim;
    /// <summary>A PTE write under the page-table lock. NotifyAfter: the v7 invalidate_page mechanism tells
    /// listeners after the change (rmap paths).</summary>
    /// UffdWp: a Map keeps the uffd-wp bit of the entry it replaces (remove_migration_pte, do_swap_page).
    /// Unshare: a Map by an unshare fault's copy (Planner.CopyOnWrite): soft-dirty only when SoftDirty (the old PTE's), where
    /// any other Map sets it.
    public sealed record PteUpdate(int Page, PteOp Op, int Frame = 0, Prot Prot = Prot.None, bool Huge = false, bool NotifyAfter = false, int Owner = -1, bool SoftDirty = false, bool UffdWp = false,
        bool Unshare = false) : Prim
    {
        /// <summary>For a Map that moves a PTE (move_ptes: mremap, MREMAP_DONTUNMAP): the moved PTE's dirty and young bits, which
        /// the move keeps (linux-7.2 mm/mremap.c move_ptes: get_and_clear_ptes, then set_ptes of the same PTE).</summary>
        public (bool Dirty, bool Young)? Bits { get; init; }
    }
    /// <summary>flush_tlb_range, with the secondary-TLB callback (invalidate_range / arch_invalidate_secondary_tlbs).</summary>
    public sealed record TlbFlush(PageRange Range) : Prim
    {
        /// <summary>Huge blocks whose (emptied) PTE table the call frees under the PTL before this flush (MmState.PteTables):
        /// PT_RECLAIM's zap_pte_range for MADV_DONTNEED of a whole block (Planner.ReclaimPteTables), retract_page_tables.</summary>
        public ImmutableArray<int> FreedTables { get; init; } = [];
    }
    /// <summary>The legacy mmu_notifier_invalidate_page(mm, address, event), after the PTL is dropped.</summary>
    public sealed record InvalidatePage(int Page, MmuEvent Event) : Prim;
    /// <summary>put_page: drops the operation's reference; the frame is freed when none is left.</summary>
    public sealed record FreeFrame(int Frame) : Prim;
    /// <summary>copy_user_highpage / migrate_page_copy.</summary>
    public sealed record CopyFrame(int From, int To) : Prim;
    /// <summary>A change of the VMA list (vma_merge/split, vm_flags update) under mmap_lock.</summary>
    public sealed record VmaUpdate(ImmutableArray<Vma> Vmas) : Prim;
    /// <summary>fork: the child takes its copy of the parent's PTEs (copy_pte_range).</summary>
    public sealed record ChildCopy(PageRange Range) : Prim;
    /// <summary>A forked child's write fault on its own mm (Call.ChildWrite, Planner.ChildWrite): the child's page becomes
    /// Frame with Value (Kind: which path of linux-7.2 mm/memory.c; Old: the child's frame before, -1 when it had none). Its
    /// notifier bracket (wp_page_copy's MMU_NOTIFY_CLEAR) is on the child's mm, which has no subscription here: it reaches no
    /// listener of this mm, so the step records the path and sends nothing.</summary>
    public sealed record ChildFault(int Child, int Page, int Value, ChildFaultKind Kind, int Frame, int Old) : Prim;
    /// <summary>Page aging (R11): ptep_clear_flush_young_notify (Clear) or mmu_notifier_test_young: the CPU
    /// accessed bit OR-ed with every listener's answer.</summary>
    public sealed record Young(int Page, bool Clear) : Prim;
    /// <summary>mmu_notifier_release at exit_mmap: every subscription's ->release.</summary>
    public sealed record Release : Prim;
    /// <summary>A CPU access once the PTE allows it (the user load or store).</summary>
    public sealed record Access(int Page, bool Write, int Value) : Prim;
    /// <summary>KSM replace_page: only if the contents are still identical (pages_identical).</summary>
    public sealed record KsmReplace(int Page, int KFrame) : Prim;
    /// <summary>remove_migration_ptes after a folio split (linux-7.2 mm/migrate.c try_to_map_unused_to_zeropage, 6.12 the same
    /// under RMP_USE_SHARED_ZEROPAGE): a subpage still zero-filled when it runs is mapped as the shared zero page (ZeroProt;
    /// the FreeFrame planned after it frees the page), else its own frame again (Prot, UffdWp; that FreeFrame dropped). The
    /// Planner plans it for a subpage zero-filled when the call starts; a device may still write the page through its mapping
    /// until its own invalidate callback, before the PTEs are cleared, so the content is read when the remap runs. The steps
    /// the call planned for the page kept (IfKept) run only when it keeps the frame; Lazyfree: then the frame is marked lazyfree
    /// and clean, as MADV_FREE's walk does to the page it finds mapped again (Planner.MarkLazyfree).</summary>
    public sealed record ZeroRemap(int Page, int Frame, Prot Prot, Prot ZeroProt, bool UffdWp = false, bool Lazyfree = false) : Prim;
    /// <summary>A step of a call that a ZeroRemap of Page earlier in the call decides: linux-7.2 mm/madvise.c
    /// madvise_free_pte_range and madvise_cold_or_pageout_pte_range look at the PTE again after split_folio (nr = 0), and
    /// skip the zero page (vm_normal_folio NULL) but make old and lazyfree, or swap out, a subpage mapped back to its own page.
    /// The ZeroRemap turns it into Step when it keeps the frame and drops it when it maps the zero page, so none is left when
    /// the machine reaches it.</summary>
    public sealed record IfKept(int Page, Prim Step) : Prim;
    /// <summary>populate_vma_page_range's faults over Range (mlock, mprotect of a VM_LOCKED VMA): the machine plans the next fault
    /// when it reaches this step, on the state the steps before it left (Machine.Populate, Planner.PopulateNext). Page and Tries:
    /// the page whose follow is retried after a fault, and how many faults it took so far.</summary>
    public sealed record Populate(PageRange Range, int Page = -1, int Tries = 0) : Prim;
    /// <summary>The mm is gone (exit_mmap done).</summary>
    public sealed record Exit : Prim;
}

/// <summary>The path of a child's write fault (linux-7.2 mm/memory.c): do_wp_page -> wp_page_reuse (the child's page is exclusive:
/// wp_can_reuse_anon_folio), do_wp_page -> wp_page_copy (shared, the zero page or a KSM page), or do_anonymous_page (no PTE).</summary>
public enum ChildFaultKind { WpPageReuse, WpPageCopy, DoAnonymousPage }

public enum PteOp
{
    Clear,          // ptep_get_and_clear
    MigrationEntry, // try_to_unmap_one with TTU_MIGRATION: no access until remove_migration_ptes
    SetProt,        // change_pte_range: the VMA's new protection, same frame
    WriteProtect,   // ptep_set_wrprotect (fork, KSM)
    Clean,          // page_mkclean_one: clear dirty and write-protect
    MkOld,          // madvise_free: clear dirty and young
    ClearSoftDirty, // clear_soft_dirty: clear soft-dirty and write-protect
    Split,          // __split_huge_pmd: same frames, base mappings
    Map,            // set_pte_at with a frame (fault, COW, migration, KSM, collapse, mremap destination)
    MapShared,      // like Map, taking one more reference (KSM kpage)
    Upgrade,        // do_wp_page reuse / write fault: writable, dirty, soft-dirty
    MakeExclusive,  // make_device_exclusive: a device-exclusive entry for the owner (Frame = owner)
    RestoreExclusive, // remove_device_exclusive_entry: the PTE maps the page again
    SwapEntry,      // try_to_unmap_one in reclaim: a swap entry, the page kept by the swap cache (unmapped, still referenced)
    MoveSwapEntry,  // move_ptes (mremap) or move_swap_pte (UFFDIO_MOVE, its UffdWp kept) of a swap entry: Frame's swap entry at the destination, nothing mapped
    UffdWp,         // change_present_ptes / change_softleaf_pte with MM_CP_UFFD_WP: write-protected, uffd-wp bit set
    UffdWpResolve,  // with MM_CP_UFFD_WP_RESOLVE: uffd-wp bit cleared; Prot rw: made writable (MM_CP_TRY_CHANGE_WRITABLE)
    DevicePrivateEntry, // migrate_vma_insert_page / remove_migration_ptes to a device page: Frame's device-private entry of mirror Owner 
}

/// <summary>A device-private migration in flight (linux-7.2 mm/migrate_device.c migrate_vma_setup .. migrate_vma_finalize),
/// run for the mirror Owner (the pgmap owner): per page, the frame it leaves (Src; the zero page too) and the one it goes
/// to (Dst). Until migrate_vma_finalize the pages are locked and their CPU PTEs migration entries (or, for the zero page,
/// unchanged until migrate_vma_insert_page), so the owner, which skipped its own MMU_NOTIFY_MIGRATE
/// (lib/test_hmm.c dmirror_interval_invalidate), may keep mapping either frame: its driver replaces the entry itself
/// (dmirror_migrate_finalize_and_map; dmirror_devmem_fault_alloc_and_copy's xa_erase) before the old page is freed.</summary>
public sealed record DeviceMigration(int Owner, ImmutableDictionary<int, (int Src, int Dst)> Pages);

/// <summary>An invalidation in flight: mmu_notifier_range plus the subscriptions still to be called, and the
/// finish passes two-pass interval notifiers queued (mm/mmu_notifier.c mn_itree_invalidate's finish_passes, in
/// tree-walk order: __llist_add pushes, mn_itree_finish_pass reverses with llist_reverse_order).</summary>
public sealed record Invalidation(PageRange Range, MmuEvent Event, bool Blockable, long CurSeq,
    ImmutableArray<int> PendingCallbacks, bool Refused = false, bool PassEnded = false, int Owner = -1,
    ImmutableArray<int> Finishes = default)
{
    public ImmutableArray<int> FinishList => Finishes.IsDefault ? [] : Finishes;
    public bool Started => PendingCallbacks.IsEmpty && FinishList.IsEmpty && !Refused;
}

/// <summary>mmap_lock mode held by a CPU operation for its whole duration.</summary>
public enum MmapLock { None, Read, Write }

/// <summary>A CPU operation (a call site run step by step) and who runs it.</summary>
/// Outer: the invalidations a nested one (Prim.Start.Nested) suspended, innermost first; its end makes the first one Inv again
/// (the core mm's nested start/end regions in one thread: linux-7.2 mm/mmu_notifier.c, the comment above
/// mn_itree_is_invalidating; active_invalidate_ranges counts both).
public sealed record CpuOp(string Name, string Actor, MmapLock Lock, ImmutableQueue<Prim> Steps,
    Invalidation? Inv = null, ImmutableHashSet<int>? Unflushed = null, ImmutableHashSet<int>? AwaitingPageNotify = null,
    int? Result = null, DeviceMigration? Migration = null, ImmutableStack<Invalidation>? Outer = null)
{
    public ImmutableHashSet<int> UnflushedPages => Unflushed ?? ImmutableHashSet<int>.Empty;
    public ImmutableHashSet<int> AwaitingPages => AwaitingPageNotify ?? ImmutableHashSet<int>.Empty;
}

/// <summary>Phases of dmirror_range_fault / the hmm.rst loop, and of a device access.</summary>
public enum DevicePhase { Access, ReadBegin, RangeFault, Lock, ReadRetry, Install, Unlock, Remove, Exclusive, Migrate }

/// <summary>A device-side operation in flight: an access that faults when its device PTE is missing.</summary>
public sealed record DeviceOp(string Name, int Page, bool Write, int Value, DevicePhase Phase, long Seq = 0,
    ImmutableArray<(int Page, DevicePte Entry)> Snapshot = default, int Attempts = 0);

/// <summary>
/// A device mirror (lib/test_hmm.c struct dmirror): its page table (an XArray without page references),
/// its update lock, its subscription's invalidate_seq (interval kind) or KVM-style seq/in_progress
/// (mm kind), its fault thread, and its counters.
/// </summary>
public sealed record MirrorState(ImmutableDictionary<int, DevicePte> Pt, bool Locked, long Seq, int InProgress,
    DeviceOp? Op, bool Registered, bool Released, int Faults, ImmutableArray<(PageRange Range, MmuEvent Event)> DeferredAtEnd,
    int? LastRead = null, string? LastError = null, ImmutableHashSet<int>? Accessed = null)
{
    /// <summary>Pages the device accessed since the last clear_flush_young / clear_young (its accessed bits).</summary>
    public ImmutableHashSet<int> AccessedPages => Accessed ?? ImmutableHashSet<int>.Empty;

    public static MirrorState Initial(long mmSeq) => new(ImmutableDictionary<int, DevicePte>.Empty, false, mmSeq - 1, 0, null, true, false, 0, []);
}

/// <summary>A large folio (THP) shared by fork (MmState.Folios): its frames (those not yet freed), the children that still map it
/// by the PMD fork copied (copy_huge_pmd; a child's write fault splits it, do_huge_pmd_wp_page's fallback), and the mm ids in the
/// folio's two mm-id slots (include/linux/rmap.h folio_add_return_large_mapcount: -1 the parent, c child c, int.MinValue a free
/// slot MM_ID_DUMMY), whose holder alone may reuse a page once it maps the folio alone (__wp_can_reuse_large_anon_folio:
/// FOLIO_MM_IDS_SHARED_BIT). Which of its pages are PageAnonExclusive again (a write fault reused them) is each frame's
/// Frame.AnonExclusive. Immutable.</summary>
public sealed record Folio(ImmutableArray<int> Frames, ImmutableHashSet<int> ChildPmd, ImmutableArray<int> Slots)
{
    public const int FreeSlot = int.MinValue;

    /// <summary>Value equality (the immutable collections compare by reference).</summary>
    public bool Equals(Folio? other) => other is not null && Frames.SequenceEqual(other.Frames) && ChildPmd.SetEquals(other.ChildPmd)
        && Slots.SequenceEqual(other.Slots);

    public override int GetHashCode() => HashCode.Combine(Frames.Length, Frames.IsEmpty ? 0 : Frames[0], ChildPmd.Count);
}

/// <summary>
/// The whole state: one mm (VMAs, CPU page table, frames and free list, the interval-notifier
/// bookkeeping of mm->notifier_subscriptions), the device mirrors, the CPU operation in flight and
/// the forked children's page tables. Immutable: every step returns a new state.
/// </summary>
/// Children: per forked child, page -> frame as fork copied it (copy_page_range). Where the parent had a swap entry, the
/// child's copy is a swap entry of the same swap-cache frame (copy_nonpresent_pte): it holds one reference (RefCount), not a
/// mapping (MapCount). A child's write (Call.ChildWrite) changes its page to a frame of its own (or writes its exclusive page in
/// place); a child's read faults are not modelled (the zero page, which holds no count).
/// Migrating: the pages holding a migration entry, each with the dirty and young bits of the present PTE it replaced (null for
/// none), which the entry keeps (linux-7.2 mm/rmap.c try_to_migrate_one: make_migration_entry_dirty / _young; linux-6.1 the
/// same) and remove_migration_pte gives back (Machine: PteOp.Map).
public sealed record MmState(MmConfig Config, ImmutableArray<Vma> Vmas, ImmutableArray<Pte?> Ptes, ImmutableArray<Frame> Frames,
    ImmutableStack<int> FreeList, ImmutableArray<MirrorState> Mirrors, long InvalidateSeq, int ActiveInvalidateRanges,
    CpuOp? Op, ImmutableList<ImmutableDictionary<int, int>> Children, ImmutableDictionary<int, (bool Dirty, bool Young)?> Migrating, bool Exited, long Steps,
    ImmutableArray<int?> Shadow)
{
    public const int ZeroFrame = 0;

    /// <summary>Per forked child, its VMAs as fork copied them (dup_mmap); a child changes no VMA. Set at fork (Machine.Call);
    /// its write faults (Call.ChildWrite) look at them.</summary>
    public ImmutableList<ImmutableArray<Vma>> ChildVmas { get; init; } = [];

    /// <summary>Per forked child, the pages where its entry is a swap entry fork copied (copy_nonpresent_pte), not a mapping.</summary>
    public ImmutableList<ImmutableHashSet<int>> ChildSwapped { get; init; } = [];

    /// <summary>The large folios (THPs) fork shared with a child while the parent mapped them by a PMD (Prim.ChildCopy: linux-7.2
    /// mm/huge_memory.c copy_huge_pmd), the only folios the reference tells apart from its per-page frames: a write fault on a
    /// page of one decides reuse or copy for the folio, not the page (Folio).</summary>
    public ImmutableList<Folio> Folios { get; init; } = [];

    /// <summary>The huge blocks (PMD ranges, by their first page) whose PMD points to a PTE table, kernel vocabularies only
    /// (MmConfig.ModelsPteTables). A table is made by a base entry (a present PTE, a swap, migration, device-private or
    /// device-exclusive entry: Machine.PteUpdate), by __split_huge_pmd (PteOp.Split: linux-7.2 mm/huge_memory.c
    /// __split_huge_pmd_locked populates the PMD with the deposited table), by move_page_tables at a destination whose source
    /// PMD is not none (Planner.MovePteTables) and by UFFDIO_MOVE's pte_alloc of its destination (Planner.MovePagesPtes); it
    /// stays when its PTEs are cleared, even all of them, and goes only with free_pgtables (Planner.FreePgtables: munmap,
    /// mremap's source, MAP_FIXED, exit), PT_RECLAIM's MADV_DONTNEED of the whole block (MmConfig.PtReclaim), a collapse
    /// into a PMD (the table deposited: a block mapped huge) or retract_page_tables. A fault in an empty block of a THP VMA maps
    /// a PMD only when the block has none (linux-7.2 mm/memory.c __handle_mm_fault: create_huge_pmd only for pmd_none).</summary>
    public ImmutableSortedSet<int> PteTables { get; init; } = [];

    /// <summary>The huge block of page has a PTE table (PteTables).</summary>
    public bool HasPteTable(int page) => PteTables.Contains(page / Config.HugePageSize * Config.HugePageSize);

    /// <summary>Block b is a PTE-mapped large folio (Frame.PteFolio) that this mm maps whole, at its place, and alone: each page a
    /// present base PTE of a frame of the folio whose PMD was split at b, each frame mapped and referenced once (no child's
    /// mapping, no swap cache), not KSM, not a folio fork shared (MmState.Folios). Such a folio is on no deferred-split
    /// queue for being partially mapped (linux-7.2 mm/rmap.c __folio_remove_rmap -> deferred_split_folio only when a page is
    /// unmapped), and not underused while khugepaged/max_ptes_none is 511 (mm/huge_memory.c thp_underused), so the kernel
    /// keeps it large until a split this model makes.</summary>
    public bool IsPteFolio(PageRange b)
    {
        if (!EventTables.IsKernel(Config.Vocabulary) || b.Length != Config.HugePageSize || b.End > Config.Pages || Ptes[b.Start] is not { Huge: false, NonPresent: false } h
            || Frames[h.Frame].PteFolio != h.Frame || h.Frame == MmState.ZeroFrame) return false;
        var frames = new HashSet<int>();
        for (int p = b.Start; p < b.End; p++)
            if (Ptes[p] is not { Huge: false, NonPresent: false } x || x.Frame == MmState.ZeroFrame || !frames.Add(x.Frame)
                || Frames[x.Frame] is not { MapCount: 1, RefCount: 1, Ksm: false } fr || fr.PteFolio != h.Frame || FolioOf(x.Frame) >= 0) return false;
        return true;
    }

    /// <summary>The index in Folios of the folio holding frame, or -1.</summary>
    public int FolioOf(int frame)
    {
        for (int i = 0; i < Folios.Count; i++) if (Folios[i].Frames.Contains(frame)) return i;
        return -1;
    }

    /// <summary>The mappings of folio f in one mm (-1 the parent, c child c), as the folio's large mapcount counts them: a PMD is
    /// one (linux-7.2 include/linux/rmap.h __folio_dup_file_rmap, PGTABLE_LEVEL_PMD: folio_inc_large_mapcount), a PTE one each; a
    /// swap entry none.</summary>
    public int FolioMaps(Folio f, int mm)
    {
        if (mm >= 0 && f.ChildPmd.Contains(mm)) return 1;
        int n = 0;
        bool huge = false;
        if (mm < 0)
        {
            foreach (var x in Ptes)
                if (x is { Swapped: false } y && f.Frames.Contains(y.Frame)) { n++; huge |= y.Huge; }
            return huge ? 1 : n;
        }
        var swapped = ChildSwapped.Count > mm ? ChildSwapped[mm] : [];
        foreach (var (p, fr) in Children[mm]) if (!swapped.Contains(p) && f.Frames.Contains(fr)) n++;
        return n;
    }

    /// <summary>mm_users is zero: exit_mmap runs from mmput when the last user drops (kernel/fork.c mmput ->
    /// __mmput -> exit_mmap), so from its start on no mmget_not_zero succeeds.</summary>
    public bool MmUsersZero => Exited || Op is { Name: "exit_mmap" };

    public static MmState Initial(MmConfig config)
    {
        if (config.Pages <= 0 || config.HugePageSize <= 0 || config.Frames < 2)
            throw new ArgumentException("config: pages, huge-page size must be positive and frames at least 2");
        var frames = Enumerable.Range(0, config.Frames)
            .Select(i => i == ZeroFrame ? new Frame(0, 0, 1, false, 0) : new Frame(0, 0, 0, true, 0)).ToImmutableArray();
        // LIFO free list: the frame freed last is reused first, so reuse is observable quickly.
        var free = ImmutableStack<int>.Empty;
        for (int i = config.Frames - 1; i >= 1; i--) free = free.Push(i);
        const long seq = 2; // mmu_notifier_subscriptions_init: invalidate_seq = 2
        return new MmState(config, [], Enumerable.Repeat<Pte?>(null, config.Pages).ToImmutableArray(), frames, free,
            config.MirrorList.Select(_ => MirrorState.Initial(seq)).ToImmutableArray(), seq, 0, null, [], ImmutableDictionary<int, (bool Dirty, bool Young)?>.Empty, false, 0,
            Enumerable.Repeat<int?>(null, config.Pages).ToImmutableArray());
    }

    public Vma? VmaAt(int page)
    {
        foreach (var v in Vmas) if (v.Contains(page)) return v;
        return null;
    }

    /// <summary>The moves of an mremap of [old) to newStart (MREMAP_FIXED, no resize) in the kernel's order: each source piece
    /// with its reference VMA and destination, and the kernel's refusal that stops the call (null when every piece moves; with
    /// no piece, nothing moves). Config.MremapMovesSeveralVmas: linux-7.2 mm/mremap.c remap_move walks the kernel VMAs
    /// (Vma.MergedRun) of [old) in address order, the piece [max(vm_start, start), min(end, vm_end)) of each moving to newStart
    /// plus its offset from old.Start, so gaps between VMAs (and after the last) are skipped and kept; a gap at the start (or
    /// no VMA) is -EFAULT ("No gap permitted at the start of the range"); vma_multi_allowed refuses a userfaultfd-armed VMA
    /// (the model's VM_UFFD_WP; no model VMA has a file with its own get_unmapped_area) unless it is the only one: -EFAULT
    /// when it comes after another or its vm_end falls short of the range's end; check_prep_vma refuses MREMAP_DONTUNMAP of a
    /// VM_DONTEXPAND VMA, which a hugetlbfs mapping is (-EINVAL). A refusal at a later VMA leaves the earlier ones moved. Else
    /// (linux-6.12 and 6.1 mm/mremap.c mremap_to -> vma_to_resize): the kernel VMA at old.Start must hold [old) (-EFAULT: "We
    /// can't remap across vm area boundaries"; no VMA at addr: vma_lookup, -EFAULT), then the same -EINVAL.</summary>
    public (List<(Vma Src, PageRange Old, PageRange Dst)> Pieces, string? Error) MremapPieces(PageRange old, int newStart, bool dontunmap)
    {
        const string DontExpand = "EINVAL (MREMAP_DONTUNMAP of a VM_DONTEXPAND VMA: hugetlb)";
        var pieces = new List<(Vma, PageRange, PageRange)>();
        PageRange Dst(PageRange p) => new(newStart + p.Start - old.Start, newStart + p.End - old.Start);
        if (!Config.MremapMovesSeveralVmas)
        {
            var src = VmaAt(old.Start);
            if (src is null || Vma.MergedRun(Vmas, src).End < old.End) return (pieces, "EFAULT (source not one VMA)");
            if (dontunmap && src.Hugetlb) return (pieces, DontExpand);
            pieces.Add((src, old, Dst(old)));
            return (pieces, null);
        }
        for (int a = old.Start; a < old.End;)
        {
            if (VmaAt(a) is not { } v) { a++; continue; }
            if (pieces.Count == 0 && a > old.Start) return (pieces, "EFAULT (a gap at the start of the source)");
            var kernelVma = Vma.MergedRun(Vmas, v);
            if (v.UffdWp && (pieces.Count > 0 || kernelVma.End < old.End)) return (pieces, "EFAULT (a userfaultfd-armed VMA among several)");
            if (dontunmap && v.Hugetlb) return (pieces, DontExpand);
            var piece = new PageRange(a, Math.Min(old.End, kernelVma.End));
            pieces.Add((v, piece, Dst(piece)));
            a = piece.End;
        }
        return (pieces, pieces.Count == 0 ? "EFAULT (no VMA in the source)" : null);
    }

    /// <summary>What a CPU read of the page would return now, or null if it would fault.</summary>
    public int? CpuView(int page) => Ptes[page] is { } p && p.Prot != Prot.None ? Frames[p.Frame].Content : null; // an exclusive entry is restored by the fault

    // Shadow: per page, the value the last write (CPU or device) stored, i.e. what every later read must
    // return while the page keeps its contents (CoherentAccess); null once the contents are dropped (zap).

    /// <summary>An interval invalidation pass is running (mn_itree_is_invalidating: seq odd).</summary>
    public bool Invalidating => (InvalidateSeq & 1) == 1;
}
