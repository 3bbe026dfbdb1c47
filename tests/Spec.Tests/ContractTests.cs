using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>The event contract reproduces the seed's MMU_MPROT debate and is fully decided.</summary>
public class ContractTests
{
    private static readonly Lazy<List<ContractRow>> V7 = new(() => Contract.Compute(ModelVocabulary.V7));
    private static readonly Lazy<List<ContractRow>> Reviewed = new(() => Contract.Compute(ModelVocabulary.V7Reviewed));
    private static readonly Lazy<List<ContractRow>> Upstream = new(() => Contract.Compute(ModelVocabulary.Upstream));

    private static string Verdict(ContractRow r, string reaction) =>
        r.Cells.Single(c => c.Reaction == reaction) is var c && c.Verdict == "refuted" ? $"refuted ({c.BrokenRule})" : c.Verdict;

    [Fact]
    public void V7_mprot_needs_unmap_or_consult_vma()
    {
        var row = V7.Value.Single(r => r.Event == "MMU_MPROT");
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(row, "ignore"));
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(row, "write-protect"));
        Assert.Equal("safe", Verdict(row, "consult-vma"));
        Assert.Equal("safe", Verdict(row, "unmap"));
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(row, "unmap-at-end"));
        Assert.Equal(new[] { "consult-vma" }, row.WeakestSafe);
        var cex = row.Cells.Single(c => c.Reaction == "write-protect").Counterexample!;
        Assert.Contains("event=MMU_MPROT", cex);
        Assert.Contains("new_read=false, new_write=false", cex);
    }

    [Fact]
    public void V7_reviewed_precise_events_allow_write_protect_where_enough()
    {
        var rows = Reviewed.Value.ToDictionary(r => r.Event);
        Assert.Equal(new[] { "write-protect" }, rows["MMU_WRITE_PROTECT"].WeakestSafe);
        Assert.Equal("safe", Verdict(rows["MMU_WRITE_PROTECT"], "write-protect"));
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(rows["MMU_UNMAP"], "write-protect"));
        Assert.Equal(new[] { "unmap" }, rows["MMU_UNMAP"].WeakestSafe);
        Assert.Equal(new[] { "ignore" }, rows["MMU_READ_WRITE"].WeakestSafe);
    }

    [Fact]
    public void Weakest_safe_reaction_per_event_is_exactly_this_table()
    {
        string Table(List<ContractRow> rows) => string.Join("; ", rows.Select(r => $"{r.Event}={string.Join("+", r.WeakestSafe)}"));
        Assert.Equal("MMU_FORK=write-protect; MMU_HSPLIT=ignore; MMU_ISDIRTY=write-protect; MMU_MIGRATE=unmap; MMU_MPROT=consult-vma; " +
            "MMU_MUNLOCK=ignore; MMU_MUNMAP=unmap; MMU_WRITE_BACK=write-protect; MMU_WRITE_PROTECT=write-protect", Table(V7.Value));
        Assert.Equal("MMU_FORK=write-protect; MMU_HUGE_PAGE_SPLIT=ignore; MMU_CLEAR_SOFT_DIRTY=write-protect; MMU_MIGRATE=unmap; " +
            "MMU_MUNLOCK=ignore; MMU_MUNMAP=unmap; MMU_WRITE_BACK=write-protect; MMU_KSM_WRITE_PROTECT=write-protect; " +
            "MMU_UNMAP=unmap; MMU_WRITE_PROTECT=write-protect; MMU_READ_WRITE=ignore", Table(Reviewed.Value));
        Assert.Equal("MMU_NOTIFY_UNMAP=unmap; MMU_NOTIFY_CLEAR=unmap; MMU_NOTIFY_PROTECTION_VMA=unmap; " +
            "MMU_NOTIFY_PROTECTION_PAGE=write-protect; MMU_NOTIFY_SOFT_DIRTY=write-protect; MMU_NOTIFY_RELEASE=unmap; " +
            "MMU_NOTIFY_MIGRATE=unmap; MMU_NOTIFY_EXCLUSIVE=unmap", Table(Upstream.Value));
    }

    [Fact]
    public void Every_cell_is_decided_and_every_refutation_has_a_trace()
    {
        foreach (var row in V7.Value.Concat(Reviewed.Value).Concat(Upstream.Value))
            foreach (var c in row.Cells)
            {
                Assert.True(c.Verdict is "safe" or "refuted", $"{row.Vocabulary} {row.Event} {c.Reaction}: {c.Verdict}");
                if (c.Verdict == "refuted")
                {
                    Assert.StartsWith("counterexample: ", c.Counterexample);
                    Assert.Contains($"event={row.Event}", c.Counterexample);
                }
                else Assert.Null(c.Counterexample);
            }
    }

    [Fact]
    public void Markdown_table_has_one_row_per_event_with_every_verdict()
    {
        var md = Contract.Markdown(V7.Value, counterexamples: true);
        Assert.Contains("| event | allowed PTE change | new prot | ignore | write-protect | consult-vma | unmap | unmap-at-end | weakest safe | documented policy |", md);
        Assert.Contains("| MMU_MPROT | Protection | none|read-only|read-write | refuted (NoStaleDeviceMapping) | refuted (NoStaleDeviceMapping) | safe | safe | refuted (NoStaleDeviceMapping) | consult-vma | consult-vma |", md);
        Assert.Contains("### v7 MMU_MPROT with write-protect", md);
        Assert.Equal(9, md.Split('\n').Count(l => l.StartsWith("| MMU_", StringComparison.Ordinal)));
    }

    /// <summary>MMU_NOTIFY_PROTECTION_VMA as UFFDIO_WRITEPROTECT sends it (uffd_wp_range, MM_CP_UFFD_WP, the VMA unchanged),
    /// on every kernel vocabulary: the documented consult-vma listener keeps its writable device PTE (the VMA still says
    /// read-write) while the CPU PTE is write-protected with the uffd-wp bit, so a device write escapes the protection
    /// (NoStaleDeviceMapping); write-protect is enough for this sender (no counterexample up to Contract.BmcDepth). The
    /// per-event row (Weakest_safe_reaction_per_event_is_exactly_this_table: unmap) also covers NUMA hinting's PROT_NONE.</summary>
    [Theory]
    [InlineData("linux-6.1")]
    [InlineData("linux-6.12")]
    [InlineData("linux-6.18")]
    [InlineData("linux-7.2")]
    [InlineData("linux-7.3")]
    [InlineData("upstream")]
    public void Uffd_write_protect_refutes_consult_vma_and_write_protect_is_enough(string vocabulary)
    {
        var voc = ModelVocabulary.Find(vocabulary)!;
        var consult = Contract.UffdWp(voc, ModelReaction.ConsultVma);
        Assert.Equal(("refuted", "NoStaleDeviceMapping"), (consult.Verdict, consult.BrokenRule));
        Assert.Contains("event=MMU_NOTIFY_PROTECTION_VMA", consult.Counterexample);
        Assert.Contains("new_write=false, vma_set=false, uffd_wp=true, uffd_resolve=false", consult.Counterexample);
        Assert.Contains("uffd-wp; vma rw", consult.Counterexample);
        Assert.Equal("bounded", Contract.UffdWp(voc, ModelReaction.WriteProtect).Verdict);
        Assert.Equal(("refuted", "NoStaleDeviceMapping"), (Contract.UffdWp(voc, ModelReaction.Ignore) is var i ? (i.Verdict, i.BrokenRule) : default));
    }

    [Fact]
    public void Soft_dirty_ignore_is_refuted_and_write_protect_safe()
    {
        var row = Upstream.Value.Single(r => r.Event == "MMU_NOTIFY_SOFT_DIRTY");
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(row, "ignore"));
        Assert.Equal("safe", Verdict(row, "write-protect"));
        Assert.Equal("refuted (NoStaleDeviceMapping)", Verdict(row, "consult-vma"));
    }
}
