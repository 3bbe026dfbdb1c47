namespace NotifierSpec.Spec;

/// <summary>
/// A variant of the encoded system: the correct protocol ("correct") or one injected bug
/// (kernel-notifier.md §7 mutations), each with the rule its counterexample must break.
/// </summary>
public sealed record Variant(string Name, string Description, string Vocabulary, string? ExpectedRule,
    string? OverrideEvent = null, Reaction OverrideReaction = Reaction.Ignore,
    bool InstallWithoutRetry = false, bool RetryOutsideLock = false, bool EndAfterRefused = false,
    bool InvalidatePageAfterFree = false, bool ReadBeginNoSleep = false, bool AllUnmapAtEnd = false)
{
    public bool Failing => ExpectedRule is not null;

    /// <summary>The listener's reaction to an event under this variant.</summary>
    public Reaction ReactionFor(Vocabulary v, EventInfo e) =>
        AllUnmapAtEnd ? Reaction.UnmapAtEnd
        : OverrideEvent == e.Name ? OverrideReaction
        : e.DocumentedReaction;

    public static Variant Correct(string vocabulary) =>
        new("correct", "the documented protocol and listener policy", vocabulary, null);

    /// <summary>The failing variants (same list as tla/'s failing models).</summary>
    public static readonly IReadOnlyList<Variant> Failing_ =
    [
        new("install-without-retry",
            "the device installs its PTEs after device_lock without mmu_interval_read_retry (M3; hmm.rst)",
            "upstream", Rules.NoStaleDeviceMapping, InstallWithoutRetry: true),
        new("retry-outside-lock",
            "mmu_interval_read_retry runs before device_lock, so an invalidate can slip in between (M3; hmm.rst)",
            "upstream", Rules.NoStaleDeviceMapping, RetryOutsideLock: true),
        new("v7-mprot-write-protect",
            "under v7 the listener only write-protects on MMU_MPROT; mprotect to PROT_NONE keeps device reads (seed debate)",
            "v7", Rules.NoStaleDeviceMapping, OverrideEvent: "MMU_MPROT", OverrideReaction: Reaction.WriteProtect),
        new("ignore-migrate",
            "the listener ignores MMU_MIGRATE, an event it must mirror (v7 doc: reads must stop too)",
            "v7", Rules.NoStaleDeviceMapping, OverrideEvent: "MMU_MIGRATE", OverrideReaction: Reaction.Ignore),
        new("unmap-at-end",
            "the listener tears its mappings down only in invalidate_range_end (R6 teardown by return)",
            "upstream", Rules.NoStaleDeviceMapping, AllUnmapAtEnd: true),
        new("end-after-refused-nonblock",
            "invalidate_range_end is called after a refused invalidate_range_start_nonblock (M7, c2655835fd8c)",
            "upstream", Rules.StartEndPaired, EndAfterRefused: true),
        new("invalidate-page-after-free",
            "v7 invalidate_page listener notified after the PTL is dropped, the frame already freed (B1, M1)",
            "v7", Rules.NoFreedFrameAccess, InvalidatePageAfterFree: true),
        new("read-begin-no-sleep",
            "mmu_interval_read_begin does not sleep while the current pass has already hit the device (M5)",
            "upstream", Rules.NoStaleDeviceMapping, ReadBeginNoSleep: true),
    ];

    public static Variant? Find(string name, string vocabulary) =>
        name == "correct" ? Correct(vocabulary) : Failing_.FirstOrDefault(v => v.Name == name);

    public static IEnumerable<string> Names => new[] { "correct" }.Concat(Failing_.Select(v => v.Name));
}
