using System.Collections.Immutable;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>`notifier audit` on small C trees (tests/Reference.Tests/audit-fixtures): the scanner, the comparison
/// with a vocabulary's kernel call sites, and a planted difference.</summary>
public class AuditTests
{
    private static string Fixture(string name) => CatalogueTests.Repo("tests", "Reference.Tests", "audit-fixtures", name);

    private static readonly string[] EqualCalls =
    [
        "arch/x86/mm/tlb.c:5 flush_tlb_mm_range arch_invalidate_secondary_tlbs - -",
        "arch/x86/mm/tlb.c:10 folio_referenced_one clear_flush_young - -",
        "arch/x86/mm/tlb.c:10 folio_referenced_one test_young - -",
        "fs/proc/task_mmu.c:5 sys_clear_refs_fixture range_init MMU_NOTIFY_SOFT_DIRTY -",
        "fs/proc/task_mmu.c:6 sys_clear_refs_fixture invalidate_range_start - -",
        "fs/proc/task_mmu.c:7 sys_clear_refs_fixture invalidate_range_end - -",
        "fs/proc/task_mmu.c:15 mn_itree_release range_initializer MMU_NOTIFY_RELEASE -",
        "mm/memory.c:20 zap_vma_for_reaping range_init MMU_NOTIFY_CLEAR -",
        "mm/memory.c:22 zap_vma_for_reaping invalidate_range_start_nonblock - -",
        "mm/memory.c:27 zap_vma_for_reaping invalidate_range_end - -",
        "mm/memory.c:35 remove_device_exclusive_entry range_init_owner MMU_NOTIFY_CLEAR NULL",
        "mm/memory.c:38 remove_device_exclusive_entry invalidate_range_start - -",
        "mm/memory.c:39 remove_device_exclusive_entry invalidate_range_end - -",
        "mm/memory.c:50 unmap_vmas range_init MMU_NOTIFY_UNMAP -",
        "mm/memory.c:52 unmap_vmas invalidate_range_start - -",
        "mm/memory.c:56 unmap_vmas invalidate_range_end - -",
    ];

    private static string Text(FoundCall c) => $"{c.File}:{c.Line} {c.Function} {c.Api} {c.Event ?? "-"} {c.Owner ?? "-"}";

    /// <summary>The fixture's rows, as a catalogue would list them for a release.</summary>
    private static ImmutableArray<KernelSite> FixtureSites() =>
    [
        new("arch/x86/mm/tlb.c", "flush_tlb_mm_range", "arch_invalidate_secondary_tlbs", Status: "modelled abstractly: tlb_flush"),
        new("arch/x86/mm/tlb.c", "folio_referenced_one", "clear_flush_young", Status: "modelled abstractly: page aging"),
        new("arch/x86/mm/tlb.c", "folio_referenced_one", "test_young", Status: "modelled abstractly: page aging"),
        new("fs/proc/task_mmu.c", "sys_clear_refs_fixture", "range_init", "MMU_NOTIFY_SOFT_DIRTY", ModelSite: "clear_refs_write"),
        new("fs/proc/task_mmu.c", "sys_clear_refs_fixture", "invalidate_range_start", ModelSite: "clear_refs_write"),
        new("fs/proc/task_mmu.c", "sys_clear_refs_fixture", "invalidate_range_end", ModelSite: "clear_refs_write"),
        new("fs/proc/task_mmu.c", "mn_itree_release", "range_initializer", "MMU_NOTIFY_RELEASE", ModelSite: "mmu_notifier_release"),
        new("mm/memory.c", "zap_vma_for_reaping", "range_init", "MMU_NOTIFY_CLEAR", ModelSite: "oom_reap_task_mm"),
        new("mm/memory.c", "zap_vma_for_reaping", "invalidate_range_start_nonblock", ModelSite: "oom_reap_task_mm"),
        new("mm/memory.c", "zap_vma_for_reaping", "invalidate_range_end", ModelSite: "oom_reap_task_mm"),
        new("mm/memory.c", "remove_device_exclusive_entry", "range_init_owner", "MMU_NOTIFY_CLEAR", "NULL", ModelSite: "remove_device_exclusive_entry"),
        new("mm/memory.c", "remove_device_exclusive_entry", "invalidate_range_start", ModelSite: "remove_device_exclusive_entry"),
        new("mm/memory.c", "remove_device_exclusive_entry", "invalidate_range_end", ModelSite: "remove_device_exclusive_entry"),
        new("mm/memory.c", "unmap_vmas", "range_init", "MMU_NOTIFY_UNMAP", ModelSite: "unmap_vmas"),
        new("mm/memory.c", "unmap_vmas", "invalidate_range_start", ModelSite: "unmap_vmas"),
        new("mm/memory.c", "unmap_vmas", "invalidate_range_end", ModelSite: "unmap_vmas"),
    ];

    private static KernelVocabulary With(string vocabulary) => Vocabularies.ByName(vocabulary)! with { KernelSites = FixtureSites() };

    private static string Text(AuditFinding f) => $"{f.Kind} {f.File}:{f.Line} {f.Function} {f.Api}: {f.Message}";

    [Fact]
    public void Scanner_finds_every_call_with_its_function_and_skips_comments_strings_macros_and_the_chain()
    {
        var (calls, functions) = KernelScanner.ScanTree(Fixture("equal"));
        Assert.Equal(EqualCalls, calls.OrderBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Line).ThenBy(c => c.Api, StringComparer.Ordinal).Select(Text));
        Assert.Contains("mm/memory.c unmap_vmas", functions);
        Assert.DoesNotContain(functions, f => f.EndsWith(" ops", StringComparison.Ordinal) || f.EndsWith(" details", StringComparison.Ordinal));
    }

    [Fact]
    public void Equal_tree_has_no_difference_and_lists_the_known_rows()
    {
        var (calls, functions) = KernelScanner.ScanTree(Fixture("equal"));
        var findings = KernelAudit.Compare(With("linux-7.2"), calls, functions);
        Assert.Equal(
        [
            "known arch/x86/mm/tlb.c:5 flush_tlb_mm_range arch_invalidate_secondary_tlbs: modelled abstractly: tlb_flush",
            "known arch/x86/mm/tlb.c:10 folio_referenced_one clear_flush_young: modelled abstractly: page aging",
            "known arch/x86/mm/tlb.c:10 folio_referenced_one test_young: modelled abstractly: page aging",
        ], findings.Select(Text));
    }

    [Fact]
    public void Planted_tree_differences_are_reported_exactly()
    {
        // planted: remove_device_exclusive_entry back to MMU_NOTIFY_EXCLUSIVE, unmap_vmas renamed, a new wp_page_copy caller
        var (calls, functions) = KernelScanner.ScanTree(Fixture("planted"));
        var diffs = KernelAudit.Compare(With("linux-7.2"), calls, functions).Where(f => f.Kind != "known").Select(Text).ToList();
        Assert.Equal(
        [
            "gone-function mm/memory.c:0 unmap_vmas invalidate_range_end: function no longer exists in mm/memory.c (vocabulary linux-7.2 has a row)",
            "gone-function mm/memory.c:0 unmap_vmas invalidate_range_start: function no longer exists in mm/memory.c (vocabulary linux-7.2 has a row)",
            "gone-function mm/memory.c:0 unmap_vmas range_init: function no longer exists in mm/memory.c (vocabulary linux-7.2 has a row)",
            "event mm/memory.c:35 remove_device_exclusive_entry range_init_owner: sends MMU_NOTIFY_EXCLUSIVE; vocabulary linux-7.2 says MMU_NOTIFY_CLEAR",
            "missing mm/memory.c:50 unmap_vmas_renamed range_init: range_init(MMU_NOTIFY_UNMAP) is not in vocabulary linux-7.2",
            "missing mm/memory.c:52 unmap_vmas_renamed invalidate_range_start: invalidate_range_start is not in vocabulary linux-7.2",
            "missing mm/memory.c:56 unmap_vmas_renamed invalidate_range_end: invalidate_range_end is not in vocabulary linux-7.2",
            "missing mm/memory.c:63 wp_page_copy range_init: range_init(MMU_NOTIFY_CLEAR) is not in vocabulary linux-7.2",
        ], diffs);
    }

    [Fact]
    public void A_modelled_row_whose_model_event_differs_is_a_difference()
    {
        // the same rows against linux-6.12's model table: its OOM reaper sends MMU_NOTIFY_UNMAP and
        // remove_device_exclusive_entry MMU_NOTIFY_EXCLUSIVE, the 7.2-shaped tree MMU_NOTIFY_CLEAR for both
        var (calls, functions) = KernelScanner.ScanTree(Fixture("equal"));
        var diffs = KernelAudit.Compare(With("linux-6.12"), calls, functions).Where(f => f.Kind != "known").Select(Text).ToList();
        Assert.Equal(
        [
            "model-event mm/memory.c:0 remove_device_exclusive_entry range_init_owner: sends MMU_NOTIFY_CLEAR, but the model row remove_device_exclusive_entry of vocabulary linux-6.12 sends MMU_NOTIFY_EXCLUSIVE",
            "model-event mm/memory.c:0 zap_vma_for_reaping range_init: sends MMU_NOTIFY_CLEAR, but the model row oom_reap_task_mm of vocabulary linux-6.12 sends MMU_NOTIFY_UNMAP",
        ], diffs);
    }

    [Fact]
    public void Every_release_vocabulary_lists_its_kernel_sites_consistently_with_its_model_rows()
    {
        foreach (var name in new[] { "linux-6.1", "linux-6.12", "linux-7.2", "linux-7.3", "upstream" })
        {
            var voc = Vocabularies.ByName(name)!;
            Assert.NotEmpty(voc.KernelSites);
            Assert.All(voc.KernelSites, k => Assert.True(k.ModelSite is not null ^ k.Status is not null, $"{name} {k.File} {k.Function}"));
            Assert.Empty(KernelAudit.Compare(voc, [], []).Where(f => f.Kind == "model-event"));
            // every modelled site that sends an event is found in the release's source (those that reach another site's
            // notification are excluded: exit_mmap, THP COW fallback, MADV_DONTNEED (zap of truncate), uffd-wp and NUMA hinting (change_pud_range),
            // MAP_FIXED's mmap_region (unmap_vmas), the folio split of MADV_FREE (mm/rmap.c try_to_migrate_one, the row of migrate_pages))
            foreach (var row in voc.Rows.Where(r => r.Event is not null && r.Site is not ("exit_mmap" or "do_huge_pmd_wp_page" or "zap_page_range" or "uffd_wp_range" or "change_prot_numa" or "mmap_region"
                or "split_folio")))
                Assert.Contains(voc.KernelSites, k => k.ModelSite == row.Site);
        }
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-7.2")!.EventOf("oom_reap_task_mm"));
        Assert.Equal("MMU_NOTIFY_UNMAP", Vocabularies.ByName("linux-6.18")!.EventOf("oom_reap_task_mm"));
        Assert.Equal("MMU_NOTIFY_CLEAR", Vocabularies.ByName("linux-6.18")!.EventOf("remove_device_exclusive_entry"));
        Assert.Equal("MMU_NOTIFY_EXCLUSIVE", Vocabularies.ByName("linux-6.12")!.EventOf("remove_device_exclusive_entry"));
        Assert.Equal("linux-7.3", Vocabularies.ByName("upstream")!.AliasOf);
    }
}
