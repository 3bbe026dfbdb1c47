namespace NotifierSpec.Conformance;

/// <summary>
/// One feature of a reference trace and which conformance check covers it: replay covers every trace the reference
/// can write; validate (the TLA+ trace spec) and refine (spec/'s Z3 transition relation) answer "outside the spec"
/// (exit 20) for a feature they do not model. Example names the scenario (reference/Scenarios) whose trace shows the
/// feature, changed by ConfigEdit (a text replacement on the config line) or by Extra (a call submitted after it).
/// </summary>
public sealed record CoverageRow(string Feature, bool Validate, bool Refine, string Example,
    (string From, string To)? ConfigEdit = null, string? Extra = null, string Where = "");

/// <summary>
/// The one table of what each trace check covers. The checks decide it where they read the trace
/// (validate: TraceChecks.Outside, SpecBounds; refine: spec/Refinement.Uncovered and its NotCovered steps;
/// random runs for validate leave out collapse_huge_page: reference/RandomRun specSubset); a test
/// (tests/Conformance.Tests/CoverageTests) runs every row's example through both and holds them to this table.
/// </summary>
public static class Coverage
{
    public static readonly IReadOnlyList<CoverageRow> Rows =
    [
        new("interval notifiers on the whole mm, HMM-like listener policy, fork/COW", true, true, "anon_write_child"),
        new("a two-pass listener (invalidate_finish)", true, true, "two_pass_interval"),
        new("an interval notifier covering part of the mm (span)", false, false, "anon_read",
            ConfigEdit: ("\"span\":null", "\"span\":[0,16]"), Where: "validate: the spec's intervals cover the address space; refine: spec/'s subscriptions cover every page"),
        new("a listener tearing down at invalidate_range_end with reactions other than unmap", false, false, "anon_read",
            ConfigEdit: ("\"at\":\"start\"", "\"at\":\"end\""), Where: "validate: only unmap at end; refine: only unmap-at-end"),
        new("a driver that skips mmu_interval_read_retry (skip_read_retry)", true, false, "install_without_read_retry",
            Where: "refine: only as the failing variant no-read-retry"),
        new("a driver that retries outside its lock (read_retry_outside_lock)", true, false, "read_retry_outside_lock",
            Where: "refine: only as the failing variant retry-outside-lock"),
        new("a full-mm listener (mmu_notifier_register, KVM-like)", true, false, "teardown_at_end", Where: "refine: interval notifiers only"),
        new("a v7 listener with only invalidate_page", true, false, "invalidate_page_only_listener", Where: "refine: interval notifiers only"),
        new("a hardware TLB (secondary_tlb)", true, false, "secondary_tlb_window", Where: "refine: interval notifiers only"),
        new("v7's invalidate_page call sites (rmap, after the PTL is dropped)", true, false, "writeback_v7_invalidate_page",
            Where: "refine: only as the failing variants invalidate-page-*"),
        new("device-exclusive entries (make_device_exclusive)", true, false, "exclusive", Where: "refine: no device-exclusive entries"),
        new("mmu_interval_notifier_remove", false, false, "anon_read", Extra: "mmu_interval_notifier_remove",
            Where: "validate: subscriptions are never removed; refine: no interval insert/remove (M12)"),
        new("device-private migration (migrate_to_device, migrate_to_ram)", false, false, "device_private_migration",
            Where: "validate: not a call site of the trace spec; refine: no device-private entries in spec/"),
        new("khugepaged's collapse_huge_page", false, true, "anon_write", Extra: "collapse_huge_page",
            Where: "validate: not a call site of the spec (random runs for validate leave it out: RandomRun specSubset)"),
    ];
}
