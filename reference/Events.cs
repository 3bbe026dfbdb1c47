using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>The event vocabularies of catalogue/vocabulary.json (docs/rules.md): the seed's, the review's,
/// the newest kernel's ("upstream") and one per Linux release line.</summary>
public enum Vocabulary { V7, V7Reviewed, Upstream, Linux6_1, Linux6_12, Linux6_18, Linux7_2, Linux7_3 }

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
    uffd_wp_range, make_device_exclusive, remove_device_exclusive_entry,
    change_prot_numa, do_pagemap_scan, move_pages_ptes, retract_page_tables, wp_clean_pre_vma, move_pages_huge_pmd,
    move_hugetlb_page_tables, hugetlb_change_protection, unmap_hugepage_range, hugetlb_wp, do_huge_zero_wp_pmd,
    migrate_vma_collect, migrate_vma_pages,
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
    private static readonly string[] Names = ["v7", "v7-reviewed", "upstream", "linux-6.1", "linux-6.12", "linux-6.18", "linux-7.2", "linux-7.3"];

    public static string Name(Vocabulary v) => Names[(int)v];

    public static bool TryParse(string s, out Vocabulary v)
    {
        int i = Array.IndexOf(Names, s);
        v = i < 0 ? default : (Vocabulary)i;
        return i >= 0;
    }

    /// <summary>True for the vocabularies of enum mmu_notifier_event (device-exclusive entries, MMU_NOTIFY_RELEASE,
    /// arch_invalidate_secondary_tlbs exist there).</summary>
    public static bool IsKernel(Vocabulary v) => Of(v).Family.Name == "upstream";

    /// <summary>The catalogue's vocabulary behind v (catalogue/vocabulary.json).</summary>
    public static KernelVocabulary Of(Vocabulary v) => Vocabularies.ByName(Name(v))!;

    /// <summary>The events a vocabulary can send, in its enum order (the catalogue family's order).</summary>
    public static ImmutableArray<MmuEvent> Events(Vocabulary v) => EventsCache[(int)v];

    private static readonly ImmutableArray<MmuEvent>[] EventsCache =
        [.. Enum.GetValues<Vocabulary>().Select(v => Of(v).Family.Events.Select(e => Enum.Parse<MmuEvent>(e.Name)).ToImmutableArray())];

    /// <summary>
    /// What each event's documented meaning allows the PTEs inside its start/end to do (TruthfulEvent):
    /// the catalogue's "allows" of the event. Fill-in and upgrades are allowed everywhere (R8).
    /// </summary>
    public static Change Allows(MmuEvent e) => AllowsCache[e];

    private static readonly Dictionary<MmuEvent, Change> AllowsCache = Enum.GetValues<MmuEvent>().ToDictionary(e => e, e =>
        (Catalogue.Default.Event(e.ToString()) ?? throw new CatalogueException($"{Catalogue.ResourceName}: no event {e}"))
            .Allows.Aggregate(Change.None, (a, n) => a | Enum.Parse<Change>(n)) | Change.Upgrade | Change.Fill);

    /// <summary>The call-site -> event table of a vocabulary (faithful to the source, inconsistencies included):
    /// the catalogue's rows for the sites the reference runs.</summary>
    public static ImmutableArray<EventRow> Table(Vocabulary v) => TableCache[(int)v];

    private static readonly ImmutableArray<EventRow>[] TableCache = [.. Enum.GetValues<Vocabulary>().Select(Build)];

    private static ImmutableArray<EventRow> Build(Vocabulary v)
    {
        var reference = Catalogue.Default.ReferenceCallSites.Select(s => s.Site).ToHashSet();
        return [.. Of(v).Rows.Where(r => reference.Contains(r.Site)).Select(r => new EventRow(
            Enum.Parse<CallSite>(r.Site),
            r.Mechanism switch { "page" => Mechanism.InvalidatePage, "none" => Mechanism.None, _ => Mechanism.StartEnd },
            r.Event is { } e ? Enum.Parse<MmuEvent>(e) : null,
            r.Source, r.Finding))];
    }

    public static EventRow Row(Vocabulary v, CallSite site) => Table(v).First(r => r.Site == site);

    /// <summary>The event a call site sends. For mprotect under v7-reviewed it depends on the new protection.</summary>
    public static MmuEvent? EventOf(Vocabulary v, CallSite site, Prot newProt = Prot.None)
    {
        var row = Of(v).Row(site.ToString())!;
        if (row.EventByProt is { } byProt)
            return Enum.Parse<MmuEvent>(byProt[newProt switch { Prot.None => "none", Prot.Read => "read", _ => "read-write" }]);
        return row.Event is { } e ? Enum.Parse<MmuEvent>(e) : null;
    }
}
