using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>Every failing variant gives its counterexample: the shortest BMC trace (its length
/// is solver-independent) breaking the expected rule, and a CTI at the injected step.</summary>
public class VariantTests
{
    public static TheoryData<string, string, int, string, string> Cases => new()
    {
        // variant, rule broken, shortest trace length, a step the trace must contain, a CTI query
        { "no-read-retry", Rules.NoStaleDeviceMapping, 7, "device_pte_install(d=d0, p=p0)", "device_pte_install => NoStaleDeviceMapping'" },
        { "retry-outside-lock", Rules.NoStaleDeviceMapping, 8, "mmu_interval_read_retry(d=d0)", "device_lock => CheckedNotCollided'" },
        { "mprot-write-protect-only", Rules.NoStaleDeviceMapping, 3, "event=MMU_MPROT, range={p0}, new_read=false, new_write=false", "invalidate => TeardownBeforeChange'" },
        { "ignore-fork", Rules.NoStaleDeviceMapping, 3, "event=MMU_FORK", "invalidate => TeardownBeforeChange'" },
        { "ksm-keep-write", Rules.NoStaleDeviceMapping, 3, "event=MMU_KSM_WRITE_PROTECT", "invalidate => TeardownBeforeChange'" },
        { "soft-dirty-hmm07", Rules.SoftDirtyComplete, 4, "device_write(d=d0, p=p0)", "invalidate => TeardownBeforeChange'" },
        { "unmap-at-end", Rules.NoStaleDeviceMapping, 3, "event=MMU_NOTIFY_CLEAR", "invalidate => TeardownBeforeChange'" },
        // the stale device PTE outlives the page's move: the 4th step accesses through it; whether the
        // solver's shortest trace writes (the lost write) or reads depends on the free arguments of
        // pte_update/invalidate (both break CoherentAccess at depth 4)
        { "lost-write", Rules.CoherentAccess, 4, "  step 4: device_", "invalidate => TeardownBeforeChange'" },
        { "end-after-refused-start", Rules.StartEndPaired, 3, "invalidate[-EAGAIN](i=i0, d=d0)", "invalidate_range_end => StartEndPaired'" },
        { "invalidate-page-freed", Rules.NoFreedFrameAccess, 2, "pte_update[page](p=p0)", "pte_update[page] => NoStaleDeviceMapping'" },
        { "writeback-invalidate-page", Rules.NoStaleDeviceMapping, 1, "pte_update[page](p=p0)", "pte_update[page] => NoStaleDeviceMapping'" },
        { "invalidate-page-range", Rules.RangeCoversChange, 1, "pte_update[page](p=p0)", "pte_update[page] => RangeCoversChange'" },
        { "narrow-range", Rules.RangeCoversChange, 3, "range={}", "pte_update => RangeCoversChange'" },
        { "skip-set-seq", Rules.NoStaleDeviceMapping, 8, "mmu_interval_read_retry(d=d0)", "invalidate => NoReaderInsidePass'" },
        { "read-begin-no-sleep", Rules.NoStaleDeviceMapping, 8, "mmu_interval_read_begin(d=d0)", "mmu_interval_read_begin => NoReaderInsidePass'" },
        // MMU_NOTIFY_PROTECTION_VMA with the VMA unchanged (vma_set=false): the callback reads the read-write VMA
        { "consult-vma-on-uffd-wp", Rules.NoStaleDeviceMapping, 3, "event=MMU_NOTIFY_PROTECTION_VMA, range={p0}, new_read=false, new_write=false, vma_set=false", "invalidate => TeardownBeforeChange'" },
        // the two-pass listener's start pass set the seq; its teardown waits for invalidate_range_end: the PTE changes first
        { "two-pass-finish-at-end", Rules.NoStaleDeviceMapping, 3, "d0: two-pass listener", "invalidate => TeardownBeforeChange'" },
    };

    [Fact]
    public void Every_failing_variant_is_tested_and_mirrors_a_tla_model()
    {
        Assert.Equal(Cases.Select(c => (string)c[0]).OrderBy(x => x), Variant.Failing_.Select(v => v.Name).OrderBy(x => x));
        Assert.All(Variant.Failing_, v => Assert.StartsWith("MCFail", v.TlaModel));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Failing_variant_gives_its_counterexample(string name, string rule, int length, string step, string cti)
    {
        var variant = Variant.Failing_.Single(v => v.Name == name);
        Assert.Equal(rule, variant.ExpectedRule);
        var results = Proofs.Run(ModelVocabulary.Find(variant.Vocabulary)!, variant);
        var bmc = results[^1];
        Assert.Equal(QueryVerdict.Counterexample, bmc.Verdict);
        Assert.EndsWith($"depth {length}", bmc.Query);
        var report = bmc.Report!;
        Assert.StartsWith($"counterexample: {length} step(s) from an initial state to a state breaking {rule}", report);
        Assert.Equal(length, report.Split('\n').Count(l => l.StartsWith("  step ", StringComparison.Ordinal)));
        Assert.Contains(step, report);
        Assert.Contains($"  broken: {rule}", report);
        var q = Assert.Single(results, r => r.Query == cti);
        Assert.Equal(QueryVerdict.Cti, q.Verdict);
        Assert.Contains("counterexample to induction:", q.Report);
        // the sanity checks still hold: the variant's guards are satisfiable
        Assert.All(results.Where(r => r.Query.Contains("enabled under the invariant", StringComparison.Ordinal)), r => Assert.Equal(QueryVerdict.Holds, r.Verdict));
    }

    [Fact]
    public void End_after_refused_trace_is_start_nonblock_refuse_end()
    {
        var variant = Variant.Failing_.Single(v => v.Name == "end-after-refused-start");
        var bmc = Proofs.Run(ModelVocabulary.Upstream, variant)[^1];
        var steps = bmc.Report!.Split('\n').Where(l => l.StartsWith("  step ", StringComparison.Ordinal))
            .Select(l => l.Split(": ", 2)[1].Split('(')[0]).ToList();
        Assert.Equal(new[] { "invalidate_range_start_nonblock", "invalidate[-EAGAIN]", "invalidate_range_end" }, steps);
    }

    [Fact]
    public void Bmc_below_the_shortest_length_finds_nothing()
    {
        var variant = Variant.Failing_.Single(v => v.Name == "mprot-write-protect-only");
        var bmc = Proofs.Run(ModelVocabulary.V7, variant, bmcDepth: 2)[^1];
        Assert.Equal(QueryVerdict.NoTraceUpToDepth, bmc.Verdict);
        Assert.Null(bmc.Report);
    }
}
