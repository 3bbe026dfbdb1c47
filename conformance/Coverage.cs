using NotifierSpec.Reference;

namespace NotifierSpec.Conformance;

/// <summary>The two checks whose coverage the table decides (replay covers every trace the reference can write).</summary>
public enum CoverageCheck { Validate, Refine }

/// <summary>
/// One feature of a reference trace and which conformance check covers it: replay covers every trace the reference
/// can write; validate (the TLA+ trace spec) and refine (spec/'s Z3 transition relation) answer "outside the spec"
/// (exit 20) for a feature they do not model, with the reason given here (NotValidated, NotRefined: null when the
/// check covers it). How the feature shows in a trace is one of: Mirror (a mirror of the config line has it), Mirrors
/// (the mirrors together have it), CallOp (a call line of that op that was not refused; a random run draws no such
/// call), Step (a line and the reference state after it). Example names the scenario (reference/Scenarios) whose
/// trace shows the feature, changed by ConfigEdit (regular-expression replacements on the config line) or by Extra
/// (what tests/Conformance.Tests/CoverageTests adds: a call submitted after it, or a mirror).
/// </summary>
public sealed record CoverageRow(string Feature, string Example, string? NotValidated, string? NotRefined)
{
    public bool Validate => NotValidated is null;
    public bool Refine => NotRefined is null;
    public string? Not(CoverageCheck check) => check == CoverageCheck.Validate ? NotValidated : NotRefined;

    public Func<MmConfig, MirrorConfig, bool>? Mirror { get; init; }
    public Func<MmConfig, bool>? Mirrors { get; init; }
    public string? CallOp { get; init; }
    public Func<StepOutcome, bool>? Step { get; init; }

    /// <summary>Regular-expression replacements made once each on the example's config line.</summary>
    public (string Pattern, string To)[] ConfigEdit { get; init; } = [];
    public string? Extra { get; init; }

    /// <summary>Whether a line (and the reference state after it) shows the feature.</summary>
    public bool In(StepOutcome o) =>
        CallOp is { } op && o.Line.Kind == "call" && o.Line.Op == op && o.Line.Get("result") is null
        || Step is { } step && step(o);
}

/// <summary>
/// The one table of what each trace check covers. The checks' lists are computed from it: validate's refusals
/// (TraceChecks.Validate through Outside(Validate)), refine's (spec/Refinement, given RefineScope), and what a random
/// run for validate draws (Draws(Validate), reference/RandomRun's `draw`). A test (tests/Conformance.Tests/CoverageTests)
/// runs every row's example through replay, validate and refine and holds them to this table.
/// </summary>
public static class Coverage
{
    public static readonly IReadOnlyList<CoverageRow> Rows =
    [
        new("interval notifiers on the whole mm, HMM-like listener policy, fork/COW", "anon_write_child", null, null),
        new("a two-pass listener (invalidate_finish)", "two_pass_interval", null, null),
        new("an interval notifier covering part of the mm (span)", "anon_read",
            "the spec's intervals cover the address space", "spec/'s subscriptions cover every page")
            { Mirror = (_, m) => m.Span is not null, ConfigEdit = [("\"span\":null", "\"span\":[0,16]")] },
        new("a listener tearing down at invalidate_range_end that write-protects or consults the VMA", "anon_read",
            "only unmap at end", "only unmap-at-end")
            { Mirror = (c, m) => m.Listener.At == TeardownAt.End && Reactions(c, m).Any(r => r is not (Reaction.Unmap or Reaction.Ignore)), ConfigEdit = [("\"at\":\"start\"", "\"at\":\"end\"")] },
        new("a listener tearing down at invalidate_range_end that ignores some events", "anon_read",
            "only unmap at end", null)
            { Mirror = (c, m) => m.Listener.At == TeardownAt.End && Reactions(c, m).Contains(Reaction.Ignore),
              ConfigEdit = [("\"at\":\"start\",\"reactions\":\\{[^}]*\\}", "\"at\":\"end\",\"reactions\":{\"MMU_NOTIFY_SOFT_DIRTY\":\"ignore\"}")] },
        new("a driver that skips mmu_interval_read_retry (skip_read_retry)", "install_without_read_retry",
            null, "spec/ has it only as the failing variant no-read-retry")
            { Mirror = (_, m) => m.SkipReadRetry },
        new("a driver that retries outside its lock (read_retry_outside_lock)", "read_retry_outside_lock",
            null, "spec/ has it only as the failing variant retry-outside-lock")
            { Mirror = (_, m) => m.ReadRetryOutsideLock },
        new("mirrors with different driver flags", "anon_write",
            "the spec's driver bugs apply to every device", "spec/ has driver bugs only as failing variants")
            { Mirrors = c => c.MirrorList.Select(m => (m.SkipReadRetry, m.ReadRetryOutsideLock)).Distinct().Count() > 1,
              Extra = "a second mirror dev1 with skip_read_retry" },
        new("no mirror", "anon_write", null, "spec/ needs at least one device")
            { Mirrors = c => c.MirrorList.Length == 0, Extra = "no mirror" },
        new("mirrors with different listener policies", "exit_release", null, "spec/ has one policy for every device")
            { Mirrors = c => c.MirrorList.Any(m => !SamePolicy(m.Listener, c.MirrorList[0].Listener, c.Vocabulary)),
              ConfigEdit = [("\"MMU_NOTIFY_SOFT_DIRTY\":\"write-protect\"", "\"MMU_NOTIFY_SOFT_DIRTY\":\"unmap\"")] },
        new("a full-mm listener (mmu_notifier_register, KVM-like)", "teardown_at_end", null, "spec/ models interval notifiers only")
            { Mirror = (_, m) => m.Kind == MirrorKind.Mm },
        new("a v7 listener with only invalidate_page", "invalidate_page_only_listener", null, "spec/ models interval notifiers only")
            { Mirror = (_, m) => m.Kind == MirrorKind.InvalidatePage },
        new("a hardware TLB (secondary_tlb)", "secondary_tlb_window", null, "spec/ models interval notifiers only")
            { Mirror = (_, m) => m.Kind == MirrorKind.SecondaryTlb },
        new("v7's invalidate_page call sites (rmap, after the PTL is dropped)", "writeback_v7_invalidate_page",
            null, "spec/ has them only as the failing variants invalidate-page-* (B1)")
            { Step = o => o.Line.Kind == "call" && o.State.Op?.Steps.Any(p => p is Prim.PteUpdate { NotifyAfter: true }) == true },
        new("device-exclusive entries (make_device_exclusive)", "exclusive", null, "spec/ has no device-exclusive entries")
            { CallOp = "make_device_exclusive" },
        // tla/ NotifierSpec.tla OwnersOf: make_device_exclusive's owner is the device, as nouveau passes it
        new("make_device_exclusive with owner NULL (exclusive_owner_null: lib/test_hmm.c dmirror_exclusive)", "exclusive_dmirror",
            "the trace spec's make_device_exclusive passes the device as owner (nouveau's), not NULL", "spec/ has no device-exclusive entries")
            { Mirror = (_, m) => m.NullExclusiveOwner },
        // (an insert succeeds only after a remove: every mirror of the config line starts subscribed)
        new("mmu_interval_notifier_remove", "anon_read", "the spec's subscriptions are never removed",
            "no interval insert/remove in spec/ (each device's subscription exists for the whole run, M12)")
            { CallOp = "mmu_interval_notifier_remove", Extra = "mmu_interval_notifier_remove" },
        new("khugepaged's collapse_huge_page", "anon_write", "khugepaged's collapse is not a call site of the spec", null)
            { CallOp = "collapse_huge_page", Extra = "collapse_huge_page" },
        // reference calls added after the trace spec's CandSites (tla/ has no such site): validate rejected their
        // correct runs ("no behaviour matches") before these rows
        new("MADV_PAGEOUT (madvise_pageout: reclaim to swap entries)", "anon_read", "not a call site of the spec (it has no swap entries)", null)
            { CallOp = "madvise_pageout", Extra = "madvise_pageout" },
        new("MADV_COLLAPSE (madvise_collapse)", "anon_read", "not a call site of the spec", null)
            { CallOp = "madvise_collapse", Extra = "madvise_collapse" },
        // a TLA+ site since (tla/ wp_clean_pre_vma; the trace spec's CandSites maps the call to it)
        new("wp_shared_mapping_range (wp_clean_pre_vma)", "anon_read", null, null)
            { CallOp = "wp_shared_mapping_range", Extra = "wp_shared_mapping_range" },
        // a forked child's store (reference Planner.ChildWrite): the fault runs on the child's mm, which no listener subscribes to
        new("a forked child's write (child_write: do_wp_page / do_anonymous_page on the child's mm)", "anon_write_child",
            "the trace spec has no child mm: its fork copies the PTEs once and children never write (no call site of the spec)",
            "spec/ has no child mm (children are fork's copies only)")
            { CallOp = "child_write", Extra = "child_write" },
        // mremap with MREMAP_DONTUNMAP (reference Planner.MremapDontunmap): tla/'s mremap is move_page_tables, whose end takes
        // the source page's VMA away (NotifierSpec.tla: vma EXCEPT ![src] = 0); the old range keeping its VMA is not in it
        new("mremap with MREMAP_DONTUNMAP (mremap_dontunmap: the old range keeps its VMA)", "anon_read",
            "not a call site of the trace spec: its move_page_tables always takes the source's VMA away (NotifierSpec.tla: vma[src] = 0 after the move)", null)
            { CallOp = "mremap_dontunmap", Extra = "mremap_dontunmap" },
        new("device-private migration (migrate_to_device, migrate_to_ram)", "device_private_migration",
            "not a call site of the trace spec", "spec/ has no device-private entries")
            { CallOp = "migrate_to_device" },
    ];

    /// <summary>The reactions of a mirror's policy to the events of the config's vocabulary.</summary>
    private static IEnumerable<Reaction> Reactions(MmConfig c, MirrorConfig m) =>
        EventTables.Events(c.Vocabulary).Select(m.Listener.For).Distinct();

    private static bool SamePolicy(Policy a, Policy b, Vocabulary v) =>
        a.At == b.At && EventTables.Events(v).All(e => a.For(e) == b.For(e));

    /// <summary>Why the config line is outside what `check` models (the first row that says so), or null.</summary>
    public static string? Outside(CoverageCheck check, MmConfig config, IReadOnlyList<CoverageRow>? rows = null)
    {
        foreach (var row in rows ?? Rows)
        {
            if (row.Not(check) is not { } why) continue;
            if (row.Mirror is { } has && config.MirrorList.FirstOrDefault(m => has(config, m)) is { } m) return $"mirror {m.Name}: {row.Feature}: {why}";
            if (row.Mirrors is { } all && all(config)) return $"{row.Feature}: {why}";
        }
        return null;
    }

    /// <summary>Why a line is outside what `check` models (the first row that says so), or null.</summary>
    public static string? Outside(CoverageCheck check, StepOutcome step, IReadOnlyList<CoverageRow>? rows = null) =>
        (rows ?? Rows).FirstOrDefault(r => r.Not(check) is not null && r.In(step)) is { } row ? $"{step.Line.Op}: {row.Feature}: {row.Not(check)}" : null;

    /// <summary>The first place a well-formed trace file is outside what `check` models, by the reference's replay of
    /// it: (line, why), or null. The config line counts as line 1.</summary>
    public static (int Line, string Why)? Outside(CoverageCheck check, string path, IReadOnlyList<CoverageRow>? rows = null)
    {
        (int, string)? found = null;
        bool configSeen = false;
        var result = Replay.Walk(TraceReader.ReadFile(path), (n, pre, o) =>
        {
            if (!configSeen)
            {
                configSeen = true;
                if (Outside(check, pre.Config, rows) is { } why) { found = (1, why); return false; }
            }
            if (Outside(check, o, rows) is { } w) { found = (n, w); return false; }
            return true;
        });
        if (!configSeen && result.Final is { } last && Outside(check, last.Config, rows) is { } only) found = (1, only);
        return found;
    }

    /// <summary>What a random run meant for `check` draws: no call of a row the check does not cover.</summary>
    public static Func<Call, bool> Draws(CoverageCheck check) =>
        c => !Rows.Any(r => r.Not(check) is not null && r.CallOp == c.Name);

    /// <summary>What spec/'s refinement check does not cover, from this table (spec/Refinement.Check's scope).</summary>
    public static NotifierSpec.Spec.RefinementScope RefineScope { get; } = Scope(Rows);

    /// <summary>The refinement scope of a table (this one, or a planted one in CoverageTests).</summary>
    public static NotifierSpec.Spec.RefinementScope Scope(IReadOnlyList<CoverageRow> rows) =>
        new(c => Outside(CoverageCheck.Refine, c, rows), o => Outside(CoverageCheck.Refine, o, rows));
}
