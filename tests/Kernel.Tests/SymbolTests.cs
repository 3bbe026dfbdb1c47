using NotifierSpec.Kernel;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>The catalogue's dating of call sites against a running kernel's symbols (KernelSymbols).</summary>
public class SymbolTests
{
    private static string Commit(string hash, int major, int minor) => $"commit {hash} \"title\" (v{major}.{minor}): the site";

    private static KernelSite Site(string function, string? dated) => new("mm/memory.c", function, "mmu_notifier_range_init", Dated: dated);

    [Fact]
    public void Kallsyms_lines_give_function_names_without_their_compiler_suffixes()
    {
        var names = KernelSymbols.Parse("ffffffff81234560 T unmap_vmas\nffffffff81234570 t change_pmd_range.isra.0\n0000000000000000 t kvm_mmu_notifier_invalidate_range_start\t[kvm]\n");
        Assert.Equal(["change_pmd_range", "kvm_mmu_notifier_invalidate_range_start", "unmap_vmas"], names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("commit 33d7b2beaf34 \"uprobes: Add uprobe_write function\" (v6.18): the body", 6, 18)]
    [InlineData("commit ba25127a8f0c \"mm/oom_kill: factor out zapping of VMA into zap_vma_for_reaping()\" (v7.1); listed in (v7.2)", 7, 1)]
    public void A_dating_names_its_release(string dated, int major, int minor) =>
        Assert.Equal(new Version(major, minor), KernelSymbols.DatedTo(dated));

    [Fact]
    public void A_first_seen_dating_names_no_release() =>
        Assert.Null(KernelSymbols.DatedTo("first seen in the linux-7.2 tree (linux-6.12: __flush_tlb_page_nosync)"));

    [Fact]
    public void A_function_dated_after_the_running_release_that_it_has_is_a_contradiction()
    {
        // the oldest tree's functions are not dated here; later trees' new ones are, once each
        IReadOnlyList<KernelSite> older = [Site("unmap_vmas", null)], newer = [Site("unmap_vmas", null), Site("uprobe_write", Commit("33d7b2beaf34", 6, 18)), Site("zap_vma_for_reaping", Commit("ba25127a8f0c", 7, 1)), Site("zap_vma_for_reaping", Commit("ba25127a8f0c", 7, 1)), Site("__do_flush_tlb_range", "first seen in the linux-7.2 tree")];
        var kernel618 = new HashSet<string> { "unmap_vmas", "uprobe_write" };
        var checks = KernelSymbols.Check([older, newer], kernel618);
        Assert.Equal([new SymbolCheck("uprobe_write", "mm/memory.c", new Version(6, 18), true), new SymbolCheck("zap_vma_for_reaping", "mm/memory.c", new Version(7, 1), false)], checks);
        Assert.Empty(KernelSymbols.Contradictions(checks, new Version(6, 18)));
        // planted: uprobe_write dated one release late
        var planted = KernelSymbols.Check([older, [.. newer.Select(k => k.Function == "uprobe_write" ? k with { Dated = Commit("33d7b2beaf34", 6, 19) } : k)]], kernel618);
        Assert.Equal(["uprobe_write"], KernelSymbols.Contradictions(planted, new Version(6, 18)).Select(c => c.Function));
        // a kernel of 7.1 having zap_vma_for_reaping agrees
        Assert.Empty(KernelSymbols.Contradictions(KernelSymbols.Check([older, newer], new HashSet<string> { "zap_vma_for_reaping" }), new Version(7, 1)));
    }

    /// <summary>The machine's kernel: no site dated after its release has its function; on the 6.18 kernel of these machines,
    /// the exact functions the dating predicts present and absent (the derived linux-6.18 vocabulary's evidence).</summary>
    [Fact]
    public void The_running_kernels_symbols_agree_with_the_catalogues_dating()
    {
        string text;
        try { text = File.ReadAllText(KernelSymbols.Kallsyms); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidOperationException($"{KernelSymbols.Kallsyms} cannot be read here: {e.Message}"); }
        var symbols = KernelSymbols.Parse(text);
        Assert.Contains("unmap_vmas", symbols); // not an empty or filtered table
        var release = KernelRelease.Running()!;
        var running = KernelRelease.MajorMinorOf(release)!;
        var checks = KernelSymbols.Check(Catalogue.Default.Vocabularies, symbols);
        Assert.Empty(KernelSymbols.Contradictions(checks, running).Select(c => $"{c.Function} ({c.File}) dated v{c.Dated} is in the running {release}"));
        if (running == new Version(6, 18))
        {
            // after 6.12 and by 6.18, present: the two sites 6.18 adds to 6.12's (the dating of the derived vocabulary)
            Assert.Equal(["move_pages_ptes", "uprobe_write"], checks.Where(c => c.Present && c.Dated > new Version(6, 12)).Select(c => c.Function).Order(StringComparer.Ordinal));
            // after 6.18, absent (the renames and sites of 6.19-7.3); dated by 6.18 and absent (inlined, or the config off:
            // do_huge_zero_wp_pmd, make_device_exclusive, damos_va_filter_young_match, ...) proves nothing and is not asserted
            Assert.Equal(["collapse_scan_pmd", "iommu_sva_invalidate_kva_range", "pmdp_clear_flush_young_notify", "pmdp_test_and_clear_young_notify", "test_and_clear_young_ptes_notify", "try_collapse_pte_mapped_thp", "try_to_unmap_poisoned_hugetlb_one", "zap_vma_for_reaping", "zap_vma_range_batched"],
                checks.Where(c => !c.Present && c.Dated > running).Select(c => c.Function).Order(StringComparer.Ordinal));
        }
    }
}
