using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>VMA / PTE protection (vm_flags VM_READ|VM_WRITE reduced to three levels).</summary>
public enum Prot : byte { None, Read, ReadWrite }

/// <summary>A half-open page range [Start, End), as in struct mmu_notifier_range.</summary>
public readonly record struct PageRange(int Start, int End)
{
    public bool Contains(int page) => page >= Start && page < End;
    public bool Overlaps(PageRange o) => Start < o.End && o.Start < End;
    /// <summary>o lies inside this range.</summary>
    public bool Contains(PageRange o) => o.Start >= Start && o.End <= End;
    public int Length => End - Start;
    /// <summary>The pages of both (an empty range at Start when they do not overlap).</summary>
    public PageRange Intersect(PageRange o) => new(Math.Max(Start, o.Start), Math.Max(Math.Max(Start, o.Start), Math.Min(End, o.End)));
    public override string ToString() => $"[{Start}, {End})";
}

/// <summary>
/// A vm_area_struct: [Start, End) in pages with its protection and the flags the call sites
/// look at (VM_SHARED, VM_LOCKED, VM_MERGEABLE, VM_HUGEPAGE, VM_HUGETLB).
/// </summary>
/// AnonVma: the VMA has an anon_vma (mm/rmap.c __anon_vma_prepare, at its first anonymous page; the zero page
/// attaches none, mm/memory.c do_anonymous_page). Kernel VMAs of equal flags merge (mm/vma.c), so the flag is
/// shared by a run of adjacent VMAs with equal attributes (SameKind). fork copies no PTE of a VMA without one
/// (mm/memory.c vma_needs_copy, linux-6.18: "Don't copy ptes where a page fault will fill them correctly").
/// Account is VM_ACCOUNT (committed memory): set by mmap of a private writable mapping (linux-7.2 mm/vma.c
/// accountable_mapping, __mmap_setup) and by mprotect making a private mapping writable; mprotect removing write
/// keeps it once the VMA has an anon_vma (linux-7.2 and linux-6.12 mm/mprotect.c mprotect_fixup: "cannot reduce our
/// commit if we make it unwritable again except in the anonymous case where no anon_vma has yet to be assigned").
/// VMAs merge only with equal flags (mm/vma.c is_mergeable_vma), so an r VMA that was rw keeps apart from one mapped r.
/// PgDelta is vm_pgoff minus the start page: 0 for an anonymous mmap (vm_pgoff = addr >> PAGE_SHIFT), kept by splits; a
/// VMA that mremap moves keeps its vm_pgoff once it has an anon_vma (linux-7.2 mm/vma.c copy_vma: only "if anonymous vma
/// has not yet been faulted, update new pgoff to match new location"), so it no longer lines up with its new neighbours.
/// UffdWp is VM_UFFD_WP: the VMA is registered with a userfaultfd in write-protect mode (ioctl UFFDIO_REGISTER with
/// UFFDIO_REGISTER_MODE_WP; linux-7.2 mm/userfaultfd.c userfaultfd_register -> userfaultfd_register_range ->
/// mm/vma.c vma_modify_flags_uffd, which splits the VMAs at the range's edges). VMAs of different uffd flags do not merge
/// (mm/vma.c is_mergeable_vma compares vm_flags and is_mergeable_vm_userfaultfd_ctx the context); the model has one
/// userfaultfd, so the flag is the context.
/// Seam: the kernel has a VMA boundary at Start even where the VMA before is adjacent and SameKind, i.e. a merge the kernel
/// did not make. mremap of a VM_UFFD_WP VMA leaves one: copy_vma tries to merge the new VMA with its neighbours while it
/// still has the uffd flags and context (linux-7.2 mm/vma.c copy_vma: VMG_VMA_STATE takes them from the source VMA,
/// vma_merge_copied_range -> is_mergeable_vma: flags and is_mergeable_vm_userfaultfd_ctx), and only afterwards
/// mremap_userfaultfd_prep drops them from the VMA it made or merged into (linux-7.2 mm/mremap.c copy_vma_and_data ->
/// mm/userfaultfd.c mremap_userfaultfd_prep -> userfaultfd_reset_ctx, without UFFD_FEATURE_EVENT_REMAP; linux-6.12
/// mm/vma.c copy_vma, mm/mremap.c move_vma, fs/userfaultfd.c mremap_userfaultfd_prep the same), which merges nothing. The
/// seam lasts until the kernel tries a merge there: a VMA change whose range starts or ends at it (vma_modify: mprotect,
/// UFFDIO_REGISTER / UNREGISTER, mlock) or a new VMA next to it (mmap, mremap: vma_merge_new_range), each of which clears
/// it (Planner.Unseamed). A seam where the neighbour is not SameKind changes nothing.
/// AnonVmaId names which anon_vma the VMA has (when AnonVma): adjacent VMAs with different anon_vmas do not merge whatever their
/// flags (linux-7.2 mm/vma.c is_mergeable_anon_vma: "the anon_vma's are already shared", src_anon == tgt_anon, when both have
/// one). A VMA's first anon_vma is a neighbour's when that neighbour has one and is compatible, else a new one (linux-7.2
/// mm/vma.c find_mergeable_anon_vma: next first, then prev; anon_vma_compatible: adjacent, equal flags but the access flags
/// and VMA_IGNORE_MERGE_FLAGS, lined-up vm_pgoff): Planner.PrepareAnonVma. Splits and mremap's copy keep it. Found by
/// `notifier kernel --host-only --unseen --time 5m --seed 12` (docs/kernel.md, "Host-only runs").
public sealed record Vma(int Start, int End, Prot Prot, bool Shared = false, bool Mlocked = false,
    bool Mergeable = false, bool Thp = false, bool Hugetlb = false, bool AnonVma = false, bool Account = false, int PgDelta = 0, bool UffdWp = false,
    bool Seam = false, int AnonVmaId = 0)
{
    /// <summary>anon_vma_compatible (linux-7.2 mm/vma.c): b right after a, the flags equal but the access flags (Prot), and
    /// b's vm_pgoff lined up with a's (equal PgDelta); a find_mergeable_anon_vma neighbour whose anon_vma b may share.</summary>
    public static bool AnonVmaCompatible(Vma a, Vma b) => a.End == b.Start && a.SameKind(b with { Prot = a.Prot });

    /// <summary>Equal attributes: the kernel would merge the two when adjacent (is_mergeable_vma; private anonymous) and their
    /// page offsets line up (can_vma_merge_after: prev->vm_pgoff + vma_pages(prev) == pgoff, i.e. equal PgDelta).</summary>
    public bool SameKind(Vma o) => Prot == o.Prot && Shared == o.Shared && Mlocked == o.Mlocked && Mergeable == o.Mergeable && Thp == o.Thp && Hugetlb == o.Hugetlb
        && Account == o.Account && PgDelta == o.PgDelta && UffdWp == o.UffdWp;

    /// <summary>The kernel VMA a reference VMA is part of: the run of adjacent VMAs of one kind around it (SameKind: equal
    /// flags and lined-up pgoffs, which mm/vma.c merges), e.g. after an mremap back into the hole it left; a Seam ends it.</summary>
    public static PageRange MergedRun(ImmutableArray<Vma> vmas, Vma vma)
    {
        int i = vmas.IndexOf(vma), a = i, b = i;
        while (a > 0 && Merged(vmas[a - 1], vmas[a])) a--;
        while (b + 1 < vmas.Length && Merged(vmas[b], vmas[b + 1])) b++;
        return new PageRange(vmas[a].Start, vmas[b].End);
    }

    /// <summary>Two reference VMAs, next the one right after prev, are parts of one kernel VMA: adjacent, SameKind, private
    /// and no Seam between them.</summary>
    /// Not when both have an anon_vma and they differ (is_mergeable_anon_vma); before linux-7.2 a faulted VMA does not merge
    /// into an unfaulted one either, which the planner keeps apart by a seam (Planner.OldAnonVmaMerge).
    public static bool Merged(Vma prev, Vma next) => prev.End == next.Start && prev.SameKind(next) && !next.Shared && !next.Seam
        && !(prev.AnonVma && next.AnonVma && prev.AnonVmaId != next.AnonVmaId);

    public PageRange Range => new(Start, End);
    public bool Contains(int page) => page >= Start && page < End;
    /// <summary>is_cow_mapping(): private and may be written (mm/internal.h).</summary>
    public bool IsCow => !Shared && Prot == Prot.ReadWrite;
}

/// <summary>
/// A present CPU PTE: the frame it maps, its protection, the hardware accessed/dirty bits, the
/// software soft-dirty bit (Documentation/admin-guide/mm/soft-dirty.rst) and whether it is part of a
/// huge (PMD) mapping. A PROT_NONE PTE keeps its frame but grants no access (mprotect keeps the pfn).
/// </summary>
/// TrackWp marks a PTE write-protected only for soft-dirty tracking by clear_refs: its logical
/// permission is still write (kernel-facts.md INV-1 (ii)).
/// Exclusive is the mirror that holds the page through a device-exclusive entry (make_device_exclusive,
/// mm/rmap.c): the CPU has no access until remove_device_exclusive_entry restores the PTE; -1 when none.
/// Swapped: a swap entry (try_to_unmap_one in reclaim, mm/rmap.c): not present; Frame is the page the swap cache holds
/// (it keeps the contents and one reference, not a mapping), which do_swap_page maps again (mm/memory.c).
/// DevicePrivate is the mirror whose device memory holds the page through a device-private entry (linux-7.2
/// mm/migrate_device.c migrate_vma_insert_page / remove_migration_ptes: make_writable_device_private_entry or
/// make_readable_device_private_entry; Frame is the ZONE_DEVICE page, Prot rw for a writable entry): not present for the
/// CPU, whose access faults it back (mm/memory.c do_swap_page -> pgmap->ops->migrate_to_ram); -1 when none.
/// UffdWp is the uffd-wp bit (_PAGE_UFFD_WP; pte_swp_uffd_wp on a swap entry): set by UFFDIO_WRITEPROTECT mode WP with the
/// PTE write-protected, cleared by mode 0 and by UFFDIO_UNREGISTER (linux-7.2 mm/userfaultfd.c uffd_wp_range ->
/// mm/mprotect.c change_present_ptes / change_softleaf_pte). A write fault on a PTE with it in a VM_UFFD_WP VMA does not
/// resolve in the kernel: mm/memory.c do_wp_page -> handle_userfault(vmf, VM_UFFD_WP), which waits for the userfaultfd's
/// reader to un-protect (userfaultfd_pte_wp). Kept by swap-out and swap-in (mm/rmap.c try_to_unmap_one, mm/memory.c
/// do_swap_page), by migration (mm/migrate.c remove_migration_pte), cleared by mremap without UFFD_FEATURE_EVENT_REMAP
/// (mm/mremap.c move_ptes: vma_has_uffd_without_event_remap). Not in the trace's PTE objects.
public readonly record struct Pte(int Frame, Prot Prot, bool Dirty = false, bool Young = false, bool SoftDirty = false, bool Huge = false, bool TrackWp = false, int Exclusive = -1,
    bool Swapped = false, int DevicePrivate = -1, bool UffdWp = false)
{
    public bool Writable => Prot == Prot.ReadWrite && Exclusive < 0 && !Swapped && DevicePrivate < 0;
    public bool Readable => Prot != Prot.None && Exclusive < 0 && !Swapped && DevicePrivate < 0;
    /// <summary>Not a present PTE: a device-exclusive, swap or device-private entry.</summary>
    public bool NonPresent => Exclusive >= 0 || Swapped || DevicePrivate >= 0;
}

/// <summary>
/// A physical frame (struct page): content, map count and reference count, whether it is on the free
/// list, and its generation (bumped at each reuse, so a device touching a reused frame is observable).
/// Frame 0 is the shared zero page: never freed, content 0.
/// </summary>
/// Lazyfree is a folio MADV_FREE made lazyfree: not swap-backed (linux-7.2 mm/swap.c folio_mark_lazyfree -> lru_lazyfree:
/// folio_clear_swapbacked), so reclaim discards it when it was not written again instead of swapping it out (mm/rmap.c
/// try_to_unmap_one, "MADV_FREE page check"). Dirty, kept for a lazyfree frame only, is "written since MADV_FREE cleaned it":
/// the folio's PG_dirty or the dirty bit of a PTE mapping it, which try_to_unmap_one ORs (pte_dirty(pteval) ->
/// folio_mark_dirty) before that check. It is set by a CPU write (the PTE's dirty bit) and by a KVM-shaped listener's fault
/// that maps the page writable (linux-7.2 arch/x86/kvm/mmu/mmu.c kvm_mmu_finish_page_fault -> kvm_release_faultin_page(..,
/// map_writable), and its prefetch, direct_pte_prefetch_many -> kvm_release_page_dirty). A freshly allocated frame has neither.
/// Ksm: a KSM page (folio_test_ksm): replace_page mapped it in place of an identical page; it stays one until freed (a new
/// frame from alloc_page is not).
/// PteFolio: the first frame of the THP whose PMD __split_huge_pmd split (Planner.SplitHugePage: linux-7.2 mm/huge_memory.c
/// __split_huge_pmd_locked maps the subpages by PTEs of the same folio, which stays large), 0 for a frame of no such folio;
/// cleared when the folio is split (Planner.SplitPteFolio). Kernel vocabularies only; a fresh frame has none.
/// AnonExclusive is PageAnonExclusive (include/linux/page-flags.h PG_anon_exclusive): the anonymous page is exclusive to the
/// one mapping that maps it. Set for a new page (Planner.Alloc: its caller adds it with RMAP_EXCLUSIVE, linux-7.2
/// mm/rmap.c folio_add_new_anon_rmap, from mm/memory.c do_anonymous_page -> map_anon_folio_pte_nopf, wp_page_copy,
/// mm/huge_memory.c map_anon_folio_pmd_nopf), by a write fault that reuses the page (mm/memory.c do_wp_page: SetPageAnonExclusive once
/// wp_can_reuse_anon_folio allows it; PteOp.Upgrade in a private VMA) and by a migration whose entry was exclusive
/// (mm/migrate.c remove_migration_pte: RMAP_EXCLUSIVE); cleared by fork (mm/memory.c copy_present_ptes ->
/// include/linux/rmap.h folio_try_dup_anon_rmap_ptes -> __folio_try_dup_anon_rmap: ClearPageAnonExclusive, no page being
/// pinned here), by KSM (a KSM page is not: mm/ksm.c write_protect_page -> folio_try_share_anon_rmap_pte), and never set
/// in a shared VMA (not an anonymous page). Not the map and reference counts: after fork and the child's copy the parent's
/// page is mapped and held once, yet not exclusive until its own write fault reuses it (found live: docs/kernel.md,
/// "PageAnonExclusive"). While the frame is behind a swap entry (Pte.Swapped) it is that entry's pte_swp_exclusive:
/// mm/rmap.c try_to_unmap_one moves the bit to the entry (swp_pte = pte_swp_mkexclusive), mm/memory.c do_swap_page back
/// (RMAP_EXCLUSIVE), and fork's copy_nonpresent_pte clears it (pte_swp_clear_exclusive); a move (mremap, UFFDIO_MOVE) keeps it.
/// Freed with the frame.
/// Clean: the folio is known to be neither PG_dirty nor in the swap cache, what mm/madvise.c madvise_free_pte_range asks
/// (linux-7.2, 6.12 and 6.1: "folio_test_swapcache(folio) || folio_test_dirty(folio)"; only such a folio is left alone when
/// another mapping shares it, Planner.MarkLazyfree). Set for a base page do_anonymous_page or wp_page_copy allocates
/// (Planner.Alloc(clean: true): the PTE is made dirty, not the folio; mm/memory.c sets PG_dirty only in
/// fault_dirty_shared_page, a file page, and __access_remote_vm) and by MADV_FREE's walk of a page mapped once (folio_free_swap,
/// folio_clear_dirty). Cleared where the kernel may set either flag: a swap-out (the page comes back from the swap cache,
/// mm/memory.c do_swap_page, and mm/swapfile.c folio_free_swap sets PG_dirty when it leaves), a KVM-shaped listener that maps
/// the page writable (virt/kvm/kvm_main.c kvm_release_page_dirty -> kvm_set_page_dirty), make_device_exclusive and a
/// migration entry (mm/rmap.c: folio_mark_dirty of a dirty PTE), KSM (mm/ksm.c write_protect_page), a lazyfree reclaim that
/// finds the page written (try_to_unmap_one: folio_mark_dirty). A migration's copy is clean when the page was and its PTE was
/// not dirty (Planner.Migrate: mm/migrate.c folio_migrate_flags hands PG_dirty on). A frame allocated elsewhere (a huge
/// fault's, whose PMD split sets PG_dirty of a dirty PMD, mm/huge_memory.c __split_huge_pmd_locked; a collapse's copy; a
/// child's page) is not known clean.
public readonly record struct Frame(int Content, int MapCount, int RefCount, bool Free, int Generation, bool Lazyfree = false, bool Dirty = false, bool Ksm = false, int PteFolio = 0,
    bool AnonExclusive = false, bool Clean = false);

/// <summary>
/// A device PTE, as in lib/test_hmm.c's dmirror XArray: the frame and the generation it had when
/// mapped, and the write tag (DPT_XA_TAG_WRITE). It holds no page reference.
/// </summary>
/// Atomic is DPT_XA_TAG_ATOMIC: the mirror's exclusive (atomic) access after make_device_exclusive.
public readonly record struct DevicePte(int Frame, int Generation, bool Writable, bool Atomic = false);

public static class PteText
{
    public static string Of(Pte? p) => p is { } x
        ? $"frame {x.Frame} {ProtText(x.Prot)}{(x.Dirty ? " dirty" : "")}{(x.SoftDirty ? " soft-dirty" : "")}{(x.Huge ? " huge" : "")}{(x.Exclusive >= 0 ? $" device-exclusive({x.Exclusive})" : "")}{(x.Swapped ? " swap-entry" : "")}{(x.DevicePrivate >= 0 ? $" device-private({x.DevicePrivate})" : "")}{(x.UffdWp ? " uffd-wp" : "")}"
        : "none";
    public static string Of(DevicePte? p) => p is { } x ? $"frame {x.Frame}.{x.Generation} {(x.Writable ? "rw" : "r")}{(x.Atomic ? " atomic" : "")}" : "none";
    public static string ProtText(Prot p) => p switch { Prot.None => "none", Prot.Read => "r", _ => "rw" };
}

internal static class ImmutableArrayExt
{
    public static ImmutableArray<T> With<T>(this ImmutableArray<T> a, int i, T v) => a.SetItem(i, v);
}
