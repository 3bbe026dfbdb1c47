using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>The three event vocabularies (docs/rules.md).</summary>
public enum Vocabulary { V7, V7Reviewed, Upstream }

/// <summary>
/// Every event name of the three vocabularies. v7: enum mmu_event of the seed patch
/// (../shared/seed, reconstructed in kernel-facts.md SEED-ENUM); v7-reviewed: the renames agreed in the
/// review (v8 changelog) plus Hubbard's precise protection events; upstream: enum
/// mmu_notifier_event (include/linux/mmu_notifier.h).
/// </summary>
public enum MmuEvent
{
    // v7
    MMU_FORK, MMU_HSPLIT, MMU_ISDIRTY, MMU_MIGRATE, MMU_MPROT, MMU_MUNLOCK, MMU_MUNMAP, MMU_WRITE_BACK, MMU_WRITE_PROTECT,
    // v7-reviewed (MMU_FORK, MMU_MIGRATE, MMU_MUNLOCK, MMU_MUNMAP, MMU_WRITE_BACK, MMU_WRITE_PROTECT shared with v7)
    MMU_HUGE_PAGE_SPLIT, MMU_CLEAR_SOFT_DIRTY, MMU_KSM_WRITE_PROTECT, MMU_UNMAP, MMU_READ_WRITE,
    // upstream
    MMU_NOTIFY_UNMAP, MMU_NOTIFY_CLEAR, MMU_NOTIFY_PROTECTION_VMA, MMU_NOTIFY_PROTECTION_PAGE, MMU_NOTIFY_SOFT_DIRTY,
    MMU_NOTIFY_RELEASE, MMU_NOTIFY_MIGRATE, MMU_NOTIFY_EXCLUSIVE,
}

/// <summary>The kernel call sites the reference runs; each is one row of every vocabulary table.</summary>
public enum CallSite
{
    copy_page_range, copy_hugetlb_page_range, split_huge_page, do_huge_pmd_wp_page, collapse_huge_page,
    write_protect_page, replace_page, unmap_vmas, zap_page_range, zap_page_range_single, wp_page_copy,
    move_page_tables, madvise_free_single_vma, page_mkclean_one, try_to_unmap_one, clear_refs_write,
    change_protection, oom_reap_task_mm, munlock_vma_pages_range, mmu_notifier_release,
    make_device_exclusive, remove_device_exclusive_entry,
}

/// <summary>How a call site tells the listeners: a start/end pair, the legacy invalidate_page after the
/// PTE change (v7 rmap paths), or nothing at all.</summary>
public enum Mechanism { StartEnd, InvalidatePage, None }

public sealed record EventRow(CallSite Site, Mechanism Mechanism, MmuEvent? Event, string Source, string? Finding = null);

/// <summary>
/// Classes of PTE change, used by TruthfulEvent: which changes an event's documented meaning allows.
/// Fill-in, accessed/dirty bits and upgrades are never notified (kernel-facts.md R8) and are allowed
/// everywhere.
/// </summary>
[Flags]
public enum Change
{
    None = 0,
    Unmap = 1,          // present -> none, or access -> PROT_NONE
    Remap = 2,          // the frame changes
    WriteProtect = 4,   // rw -> r, same frame
    Structure = 8,      // huge <-> base mapping, same frames
    SoftDirtyClear = 16,
    Clean = 32,         // dirty bit cleared (writeback)
    Upgrade = 64,       // r -> rw, none -> r: never needs a notification (R8)
    Fill = 128,         // none -> present: never needs a notification (R8)
}

public static class EventTables
{
    public static string Name(Vocabulary v) => v switch { Vocabulary.V7 => "v7", Vocabulary.V7Reviewed => "v7-reviewed", _ => "upstream" };

    public static bool TryParse(string s, out Vocabulary v)
    {
        switch (s) { case "v7": v = Vocabulary.V7; return true; case "v7-reviewed": v = Vocabulary.V7Reviewed; return true; case "upstream": v = Vocabulary.Upstream; return true; }
        v = default; return false;
    }

    /// <summary>The events a vocabulary can send, in its enum order.</summary>
    public static ImmutableArray<MmuEvent> Events(Vocabulary v) => v switch
    {
        Vocabulary.V7 => [MmuEvent.MMU_FORK, MmuEvent.MMU_HSPLIT, MmuEvent.MMU_ISDIRTY, MmuEvent.MMU_MIGRATE, MmuEvent.MMU_MPROT,
            MmuEvent.MMU_MUNLOCK, MmuEvent.MMU_MUNMAP, MmuEvent.MMU_WRITE_BACK, MmuEvent.MMU_WRITE_PROTECT],
        Vocabulary.V7Reviewed => [MmuEvent.MMU_FORK, MmuEvent.MMU_HUGE_PAGE_SPLIT, MmuEvent.MMU_CLEAR_SOFT_DIRTY, MmuEvent.MMU_MIGRATE,
            MmuEvent.MMU_UNMAP, MmuEvent.MMU_WRITE_PROTECT, MmuEvent.MMU_READ_WRITE, MmuEvent.MMU_MUNLOCK, MmuEvent.MMU_MUNMAP,
            MmuEvent.MMU_WRITE_BACK, MmuEvent.MMU_KSM_WRITE_PROTECT],
        _ => [MmuEvent.MMU_NOTIFY_UNMAP, MmuEvent.MMU_NOTIFY_CLEAR, MmuEvent.MMU_NOTIFY_PROTECTION_VMA, MmuEvent.MMU_NOTIFY_PROTECTION_PAGE,
            MmuEvent.MMU_NOTIFY_SOFT_DIRTY, MmuEvent.MMU_NOTIFY_RELEASE, MmuEvent.MMU_NOTIFY_MIGRATE, MmuEvent.MMU_NOTIFY_EXCLUSIVE],
    };

    /// <summary>
    /// What each event's documented meaning allows the PTEs inside its start/end to do (TruthfulEvent).
    /// Sources: v7 doc comments (kernel-facts.md SEED-ENUM), the review (SEED-REVIEW), enum mmu_notifier_event
    /// kernel-doc (include/linux/mmu_notifier.h).
    /// </summary>
    public static Change Allows(MmuEvent e) => e switch
    {
        MmuEvent.MMU_FORK => Change.WriteProtect,                              // "write-protected to set up COW"
        MmuEvent.MMU_HSPLIT or MmuEvent.MMU_HUGE_PAGE_SPLIT => Change.Structure, // "memory is the same; only the page-table structure changes"
        MmuEvent.MMU_ISDIRTY or MmuEvent.MMU_CLEAR_SOFT_DIRTY or MmuEvent.MMU_NOTIFY_SOFT_DIRTY
            => Change.WriteProtect | Change.SoftDirtyClear,                     // same page, access transiently write-protected for tracking
        MmuEvent.MMU_MIGRATE => Change.Unmap | Change.Remap | Change.WriteProtect | Change.Structure | Change.Clean, // "if in doubt, use MMU_MIGRATE"
        MmuEvent.MMU_MPROT or MmuEvent.MMU_NOTIFY_PROTECTION_VMA => Change.Unmap | Change.WriteProtect, // "consult the VMA"
        MmuEvent.MMU_MUNLOCK => Change.None,                                    // "the page table is unchanged"
        MmuEvent.MMU_MUNMAP or MmuEvent.MMU_UNMAP or MmuEvent.MMU_NOTIFY_UNMAP or MmuEvent.MMU_NOTIFY_RELEASE
            => Change.Unmap | Change.Clean,                                     // the range is unmapped
        MmuEvent.MMU_WRITE_BACK => Change.WriteProtect | Change.Clean,          // "writes must stop; reads stay allowed"
        MmuEvent.MMU_WRITE_PROTECT or MmuEvent.MMU_KSM_WRITE_PROTECT => Change.WriteProtect | Change.Clean,
        MmuEvent.MMU_READ_WRITE => Change.None,                                 // an upgrade: only R8 changes
        MmuEvent.MMU_NOTIFY_CLEAR => Change.Unmap | Change.Remap | Change.WriteProtect | Change.Structure | Change.Clean,
        MmuEvent.MMU_NOTIFY_PROTECTION_PAGE => Change.WriteProtect | Change.Clean, // fork, mkclean, wp-clean
        MmuEvent.MMU_NOTIFY_MIGRATE or MmuEvent.MMU_NOTIFY_EXCLUSIVE => Change.Unmap | Change.Remap,
        _ => Change.None,
    } | Change.Upgrade | Change.Fill;

    private const string Seed = "seed v7 (kernel-facts.md SEED-CALLSITES row ";

    /// <summary>The call-site -> event table of a vocabulary (faithful to the source, inconsistencies included).</summary>
    public static ImmutableArray<EventRow> Table(Vocabulary v) => v switch
    {
        Vocabulary.V7 => V7Table, Vocabulary.V7Reviewed => V7ReviewedTable, _ => UpstreamTable,
    };

    private static readonly ImmutableArray<EventRow> V7Table = Build(Vocabulary.V7);
    private static readonly ImmutableArray<EventRow> V7ReviewedTable = Build(Vocabulary.V7Reviewed);
    private static readonly ImmutableArray<EventRow> UpstreamTable = Build(Vocabulary.Upstream);

    private static ImmutableArray<EventRow> Build(Vocabulary v) => v switch
    {
        Vocabulary.V7 =>
        [
            new(CallSite.copy_page_range, Mechanism.StartEnd, MmuEvent.MMU_FORK, Seed + "1) mm/memory.c copy_page_range"),
            new(CallSite.copy_hugetlb_page_range, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "2) mm/hugetlb.c copy_hugetlb_page_range",
                "hugetlb fork is tagged MMU_MIGRATE, not MMU_FORK"),
            new(CallSite.split_huge_page, Mechanism.StartEnd, MmuEvent.MMU_HSPLIT, Seed + "3) mm/huge_memory.c __split_huge_page_splitting",
                "the other split path, __split_huge_page_pmd, sends MMU_MIGRATE (row 4)"),
            new(CallSite.do_huge_pmd_wp_page, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "5) mm/huge_memory.c do_huge_pmd_wp_page"),
            new(CallSite.collapse_huge_page, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "6) mm/huge_memory.c collapse_huge_page"),
            new(CallSite.write_protect_page, Mechanism.StartEnd, MmuEvent.MMU_WRITE_PROTECT, Seed + "11) mm/ksm.c write_protect_page"),
            new(CallSite.replace_page, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "12) mm/ksm.c replace_page"),
            new(CallSite.unmap_vmas, Mechanism.StartEnd, MmuEvent.MMU_MUNMAP, Seed + "14) mm/memory.c unmap_vmas"),
            new(CallSite.zap_page_range, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "15) mm/memory.c zap_page_range"),
            new(CallSite.zap_page_range_single, Mechanism.StartEnd, MmuEvent.MMU_MUNMAP, Seed + "16) mm/memory.c zap_page_range_single",
                "truncate is tagged MMU_MUNMAP although the VMA stays valid (MADV_DONTNEED is MMU_MIGRATE)"),
            new(CallSite.wp_page_copy, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "17) mm/memory.c wp_page_copy"),
            new(CallSite.move_page_tables, Mechanism.StartEnd, MmuEvent.MMU_MIGRATE, Seed + "19) mm/mremap.c move_page_tables"),
            new(CallSite.madvise_free_single_vma, Mechanism.StartEnd, MmuEvent.MMU_MUNMAP, Seed + "20) mm/madvise.c madvise_free_single_vma",
                "MADV_FREE only cleans the PTEs but is tagged MMU_MUNMAP"),
            new(CallSite.page_mkclean_one, Mechanism.InvalidatePage, MmuEvent.MMU_WRITE_BACK, Seed + "21) mm/rmap.c page_mkclean_one",
                "invalidate_page runs after pte_unmap_unlock (bug B1)"),
            new(CallSite.try_to_unmap_one, Mechanism.InvalidatePage, MmuEvent.MMU_MIGRATE, Seed + "22) mm/rmap.c try_to_unmap_one"),
            new(CallSite.clear_refs_write, Mechanism.StartEnd, MmuEvent.MMU_ISDIRTY, Seed + "23) fs/proc/task_mmu.c clear_refs_write"),
            new(CallSite.change_protection, Mechanism.StartEnd, MmuEvent.MMU_MPROT, Seed + "10) mm/mprotect.c change_pmd_range",
                "MMU_MPROT does not say which protection: the listener must consult the VMA"),
            new(CallSite.oom_reap_task_mm, Mechanism.StartEnd, MmuEvent.MMU_MUNMAP, "not a v7 call site (the OOM reaper's notifier path is 4.19); nearest v7 event of unmap_vmas"),
            new(CallSite.munlock_vma_pages_range, Mechanism.None, null, "seed v7: MMU_MUNLOCK is declared but never sent (kernel-facts.md SEED-CALLSITES)",
                "MMU_MUNLOCK has no call site"),
            new(CallSite.mmu_notifier_release, Mechanism.None, null, "mm/mmu_notifier.c __mmu_notifier_release: ->release, no event"),
            new(CallSite.make_device_exclusive, Mechanism.None, null, "not in v7: device-exclusive entries are 5.14 (b756a3b5e7ea)"),
            new(CallSite.remove_device_exclusive_entry, Mechanism.None, null, "not in v7: device-exclusive entries are 5.14 (b756a3b5e7ea)"),
        ],
        Vocabulary.V7Reviewed =>
        [
            .. Build(Vocabulary.V7).Select(r => r with
            {
                Event = r.Event switch
                {
                    MmuEvent.MMU_HSPLIT => MmuEvent.MMU_HUGE_PAGE_SPLIT,
                    MmuEvent.MMU_ISDIRTY => MmuEvent.MMU_CLEAR_SOFT_DIRTY,
                    MmuEvent.MMU_WRITE_PROTECT => MmuEvent.MMU_KSM_WRITE_PROTECT,
                    var e => e,
                },
                Source = r.Site == CallSite.change_protection
                    ? "review (seed, Hubbard 2015-05-29): mprotect passes MMU_UNMAP / MMU_WRITE_PROTECT / MMU_READ_WRITE from the new protection"
                    : r.Source.Replace("seed v7", "v8 renames of seed v7", StringComparison.Ordinal),
                Finding = r.Site == CallSite.change_protection ? null : r.Finding,
            }),
        ],
        _ =>
        [
            new(CallSite.copy_page_range, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_PROTECTION_PAGE, "mm/memory.c copy_page_range: mmu_notifier_range_init(MMU_NOTIFY_PROTECTION_PAGE) on the src mm if is_cow_mapping"),
            new(CallSite.copy_hugetlb_page_range, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/hugetlb.c copy_hugetlb_page_range: MMU_NOTIFY_CLEAR over the VMA"),
            new(CallSite.split_huge_page, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/huge_memory.c __split_huge_pmd: MMU_NOTIFY_CLEAR over the PMD"),
            new(CallSite.do_huge_pmd_wp_page, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/memory.c wp_page_copy (THP COW falls back to split + wp_page_copy): MMU_NOTIFY_CLEAR"),
            new(CallSite.collapse_huge_page, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/khugepaged.c collapse_huge_page: MMU_NOTIFY_CLEAR over the PMD"),
            new(CallSite.write_protect_page, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/ksm.c write_protect_page: MMU_NOTIFY_CLEAR, one page"),
            new(CallSite.replace_page, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/ksm.c replace_page: MMU_NOTIFY_CLEAR, one page"),
            new(CallSite.unmap_vmas, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_UNMAP, "mm/memory.c unmap_vmas: MMU_NOTIFY_UNMAP (munmap, exit_mmap)"),
            new(CallSite.zap_page_range, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/memory.c zap_page_range_single (MADV_DONTNEED): MMU_NOTIFY_CLEAR"),
            new(CallSite.zap_page_range_single, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/memory.c zap_page_range_single (truncate): MMU_NOTIFY_CLEAR"),
            new(CallSite.wp_page_copy, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/memory.c wp_page_copy: MMU_NOTIFY_CLEAR, one page"),
            new(CallSite.move_page_tables, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_UNMAP, "mm/mremap.c move_page_tables: MMU_NOTIFY_UNMAP over [old_addr, old_end)"),
            new(CallSite.madvise_free_single_vma, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/madvise.c madvise_free_single_vma: MMU_NOTIFY_CLEAR"),
            new(CallSite.page_mkclean_one, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_PROTECTION_PAGE, "mm/rmap.c page_vma_mkclean_one: MMU_NOTIFY_PROTECTION_PAGE"),
            new(CallSite.try_to_unmap_one, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_CLEAR, "mm/rmap.c try_to_unmap_one / try_to_migrate_one: MMU_NOTIFY_CLEAR"),
            new(CallSite.clear_refs_write, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_SOFT_DIRTY, "fs/proc/task_mmu.c clear_refs_write: MMU_NOTIFY_SOFT_DIRTY over [0, -1)"),
            new(CallSite.change_protection, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_PROTECTION_VMA, "mm/mprotect.c change_pmd_range: MMU_NOTIFY_PROTECTION_VMA"),
            new(CallSite.oom_reap_task_mm, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_UNMAP, "mm/oom_kill.c __oom_reap_task_mm: MMU_NOTIFY_UNMAP, mmu_notifier_invalidate_range_start_nonblock"),
            new(CallSite.munlock_vma_pages_range, Mechanism.None, null, "mm/mlock.c: munlock changes no PTE and sends no event"),
            new(CallSite.mmu_notifier_release, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_RELEASE, "mm/mmu_notifier.c mn_itree_release: MMU_NOTIFY_RELEASE over [0, ULONG_MAX) to interval notifiers"),
            new(CallSite.make_device_exclusive, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_EXCLUSIVE, "mm/rmap.c make_device_exclusive: mmu_notifier_range_init_owner(MMU_NOTIFY_EXCLUSIVE, owner), one page"),
            new(CallSite.remove_device_exclusive_entry, Mechanism.StartEnd, MmuEvent.MMU_NOTIFY_EXCLUSIVE, "mm/memory.c remove_device_exclusive_entry: MMU_NOTIFY_EXCLUSIVE, owner NULL, one page"),
        ],
    };

    public static EventRow Row(Vocabulary v, CallSite site) => Table(v).First(r => r.Site == site);

    /// <summary>The event a call site sends. For mprotect under v7-reviewed it depends on the new protection.</summary>
    public static MmuEvent? EventOf(Vocabulary v, CallSite site, Prot newProt = Prot.None)
    {
        if (v == Vocabulary.V7Reviewed && site == CallSite.change_protection)
            return newProt switch { Prot.None => MmuEvent.MMU_UNMAP, Prot.Read => MmuEvent.MMU_WRITE_PROTECT, _ => MmuEvent.MMU_READ_WRITE };
        return Row(v, site).Event;
    }
}
