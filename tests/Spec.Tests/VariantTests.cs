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
        { "install-without-retry", Rules.NoStaleDeviceMapping, 7, "device_pte_install(d=d0, p=p0)", "device_pte_install => NoStaleDeviceMapping'" },
        { "retry-outside-lock", Rules.NoStaleDeviceMapping, 8, "mmu_interval_read_retry(d=d0)", "device_lock => CheckedNotCollided'" },
        { "v7-mprot-write-protect", Rules.NoStaleDeviceMapping, 3, "event=MMU_MPROT, range={p0}, new_read=false, new_write=false", "invalidate => TeardownBeforeChange'" },
        { "ignore-migrate", Rules.NoStaleDeviceMapping, 3, "event=MMU_MIGRATE", "invalidate => TeardownBeforeChange'" },
        { "unmap-at-end", Rules.NoStaleDeviceMapping, 3, "invalidate(i=i0, d=d0)", "invalidate => TeardownBeforeChange'" },
        { "end-after-refused-nonblock", Rules.StartEndPaired, 3, "invalidate[-EAGAIN](i=i0, d=d0)", "invalidate_range_end => StartEndPaired'" },
        { "invalidate-page-after-free", Rules.NoFreedFrameAccess, 2, "pte_update[page](p=p0)", "pte_update[page] => RangeCoversChange'" },
        { "read-begin-no-sleep", Rules.NoStaleDeviceMapping, 8, "mmu_interval_read_begin(d=d0)", "mmu_interval_read_begin => NoReaderInsidePass'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Failing_variant_gives_its_counterexample(string name, string rule, int length, string step, string cti)
    {
        var variant = Variant.Failing_.Single(v => v.Name == name);
        Assert.Equal(rule, variant.ExpectedRule);
        var results = Proofs.Run(Vocabulary.Find(variant.Vocabulary)!, variant);
        var bmc = results[^1];
        Assert.Equal(Verdict.Counterexample, bmc.Verdict);
        Assert.EndsWith($"depth {length}", bmc.Query);
        var report = bmc.Report!;
        Assert.StartsWith($"counterexample: {length} step(s) from an initial state to a state breaking {rule}", report);
        Assert.Equal(length, report.Split('\n').Count(l => l.StartsWith("  step ", StringComparison.Ordinal)));
        Assert.Contains(step, report);
        Assert.Contains($"  broken: {rule}", report);
        var q = Assert.Single(results, r => r.Query == cti);
        Assert.Equal(Verdict.Cti, q.Verdict);
        Assert.Contains("counterexample to induction:", q.Report);
        // the sanity checks still hold: the variant's guards are satisfiable
        Assert.All(results.Where(r => r.Query.Contains("enabled under the invariant", StringComparison.Ordinal)), r => Assert.Equal(Verdict.Holds, r.Verdict));
    }

    [Fact]
    public void End_after_refused_trace_is_start_nonblock_refuse_end()
    {
        var variant = Variant.Failing_.Single(v => v.Name == "end-after-refused-nonblock");
        var bmc = Proofs.Run(Vocabulary.Upstream, variant)[^1];
        var steps = bmc.Report!.Split('\n').Where(l => l.StartsWith("  step ", StringComparison.Ordinal))
            .Select(l => l.Split(": ", 2)[1].Split('(')[0]).ToList();
        Assert.Equal(new[] { "invalidate_range_start_nonblock", "invalidate[-EAGAIN]", "invalidate_range_end" }, steps);
    }

    [Fact]
    public void Bmc_below_the_shortest_length_finds_nothing()
    {
        var variant = Variant.Failing_.Single(v => v.Name == "v7-mprot-write-protect");
        var bmc = Proofs.Run(Vocabulary.V7, variant, bmcDepth: 2)[^1];
        Assert.Equal(Verdict.NoTraceUpToDepth, bmc.Verdict);
        Assert.Null(bmc.Report);
    }
}
