namespace NotifierSpec.Spec;

/// <summary>
/// A variant of the encoded system: the correct protocol ("correct") or one injected bug
/// (kernel-facts.md M keys), each with the rule its counterexample must break and the
/// tla/ must-fail model it mirrors (tla/manifest.json).
/// </summary>
public sealed record Variant(string Name, string Description, string Vocabulary, string? ExpectedRule,
    string? TlaModel = null, string? OverrideEvent = null, ModelReaction OverrideReaction = ModelReaction.Ignore,
    bool NoReadRetry = false, bool RetryOutsideLock = false, bool EndAfterRefused = false,
    bool InvalidatePage = false, bool ReadBeginNoSleep = false, bool SkipSetSeq = false, bool NarrowRange = false,
    bool PageWriteProtect = false, IReadOnlyDictionary<string, ModelReaction>? Policy = null, bool FinishAtEnd = false)
{
    public bool Failing => ExpectedRule is not null;

    /// <summary>The listener's reaction to an event under this variant (Policy, when given, is a whole
    /// listener policy by event name: the refinement check uses the trace's mirror policy).</summary>
    public ModelReaction ReactionFor(ModelVocabulary v, EventInfo e) =>
        Policy is not null && Policy.TryGetValue(e.Name, out var r) ? r : OverrideEvent == e.Name ? OverrideReaction : e.DocumentedReaction;

    public static Variant Correct(string vocabulary) =>
        new("correct", "the documented protocol and listener policy", vocabulary, null);

    /// <summary>The failing variants: the safety must-fail models of tla/ that spec/ can express.</summary>
    public static readonly IReadOnlyList<Variant> Failing_ =
    [
        new("no-read-retry",
            "the device installs its PTEs after device_lock without mmu_interval_read_retry (M3, B12; hmm.rst)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailNoReadRetry", NoReadRetry: true),
        new("retry-outside-lock",
            "mmu_interval_read_retry runs before device_lock, so an invalidate can slip in between (M3; hmm.rst)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailRetryOutsideLock", RetryOutsideLock: true),
        new("mprot-write-protect-only",
            "under v7 the listener only write-protects on MMU_MPROT; mprotect to PROT_NONE keeps device reads (seed debate)",
            "v7", Rules.NoStaleDeviceMapping, "MCFailMprotWriteProtectOnly", OverrideEvent: "MMU_MPROT", OverrideReaction: ModelReaction.WriteProtect),
        new("ignore-fork",
            "the listener ignores MMU_FORK, an event it must mirror (COW set-up write-protects the parent)",
            "v7", Rules.NoStaleDeviceMapping, "MCFailIgnoreFork", OverrideEvent: "MMU_FORK", OverrideReaction: ModelReaction.Ignore),
        new("ksm-keep-write",
            "the listener keeps write access on MMU_KSM_WRITE_PROTECT (M8, INV-6)",
            "v7-reviewed", Rules.NoStaleDeviceMapping, "MCFailKsmKeepWrite", OverrideEvent: "MMU_KSM_WRITE_PROTECT", OverrideReaction: ModelReaction.Ignore),
        new("soft-dirty-hmm07",
            "HMM07's listener keeps the device PTE on MMU_ISDIRTY (harvests dirty bits only)",
            "v7", Rules.SoftDirtyComplete, "MCFailSoftDirtyHMM07", OverrideEvent: "MMU_ISDIRTY", OverrideReaction: ModelReaction.Ignore),
        new("unmap-at-end",
            "the listener tears its mappings down only in invalidate_range_end (R6 teardown by return)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailUnmapAtEnd", OverrideEvent: "MMU_NOTIFY_CLEAR", OverrideReaction: ModelReaction.UnmapAtEnd),
        new("lost-write",
            "teardown only at invalidate_range_end: a device write lands in the old frame after migration moved the page",
            "upstream", Rules.CoherentAccess, "MCFailLostWrite", OverrideEvent: "MMU_NOTIFY_CLEAR", OverrideReaction: ModelReaction.UnmapAtEnd),
        new("end-after-refused-start",
            "invalidate_range_end is called after a refused invalidate_range_start_nonblock (M7, c2655835fd8c)",
            "upstream", Rules.StartEndPaired, "MCFailEndAfterRefusedStart", EndAfterRefused: true),
        new("invalidate-page-freed",
            "v7 invalidate_page listener notified after the PTL is dropped, the frame already freed (B1, M1)",
            "v7", Rules.NoFreedFrameAccess, "MCFailInvalidatePageFreed", InvalidatePage: true),
        new("writeback-invalidate-page",
            "v7 page_mkclean_one write-protects the PTE, drops the PTL, then calls invalidate_page (MMU_WRITE_BACK): a device keeps write (B1)",
            "v7", Rules.NoStaleDeviceMapping, "MCFailWritebackInvalidatePage", InvalidatePage: true, PageWriteProtect: true),
        new("invalidate-page-range",
            "v7 invalidate_page: the PTE changes outside any start/end range (B1)",
            "v7", Rules.RangeCoversChange, "MCFailInvalidatePageRange", InvalidatePage: true),
        new("narrow-range",
            "the notified range is narrower than the changed extent (M2, B5, B6)",
            "upstream", Rules.RangeCoversChange, "MCFailNarrowRange", NarrowRange: true),
        new("skip-set-seq",
            "the callback drops the device PTEs but skips mmu_interval_set_seq (M4)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailSkipSetSeq", SkipSetSeq: true),
        new("consult-vma-on-uffd-wp",
            "the listener consults the VMA on MMU_NOTIFY_PROTECTION_VMA, as its kernel-doc allows, while userfaultfd write-protect leaves the VMA writable (docs/protection-vma.md)",
            "linux-7.2", Rules.NoStaleDeviceMapping, "MCFailUffdWpConsultVma", OverrideEvent: "MMU_NOTIFY_PROTECTION_VMA", OverrideReaction: ModelReaction.ConsultVma),
        new("read-begin-no-sleep",
            "mmu_interval_read_begin does not sleep while the current pass has already hit the device (M5)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailReadBeginNoSleep", ReadBeginNoSleep: true),
        new("two-pass-finish-at-end",
            "a two-pass interval notifier's invalidate_finish runs at invalidate_range_end, not before invalidate_range_start returns (mm/mmu_notifier.c mn_itree_invalidate, mn_itree_finish_pass)",
            "upstream", Rules.NoStaleDeviceMapping, "MCFailTwoPassFinishAtEnd", FinishAtEnd: true),
    ];

    private const string NoHwTlb = "no hardware secondary-TLB listener (arch_invalidate_secondary_tlbs) in spec/";
    private const string NoDeviceExclusive = "no device-exclusive entries (make_device_exclusive, range owners) in spec/";
    private const string NoMmListener = "no full-mm start/end listener (KVM-style mmu_invalidate_in_progress/seq) in spec/";
    private const string NoPageOnlyListener = "no v7 listener with only ->invalidate_page in spec/ (B1)";

    /// <summary>tla/ must-fail models spec/ does not express, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotExpressed = new Dictionary<string, string>
    {
        ["MCFailPassEndEarly"] = "the seq abstraction keeps per device only 'set_seq ran since read_begin', no pass counter (M6)",
        ["MCFailTruthfulMprotect"] = "TruthfulEvent is the guard of pte_update here (call-site tables are reference/'s and tla/'s)",
        ["MCFailNoEndAfterRefusal"] = "a liveness property (RetriedFaultCompletes); spec/ proves safety only",
        ["MCFailLockAcrossReadBegin"] = "a deadlock; spec/ proves safety only",
        ["MCFailLockAcrossReadBeginLiveness"] = "a liveness property (InvalidationEnds) of the same deadlock; spec/ proves safety only",
        ["MCFailInsertIgnoresActive"] = "no interval notifier insert/remove in spec/: each device's subscription exists for the whole run (M12)",
        ["MCFailHwFlushAtEnd"] = NoHwTlb,
        ["MCFailHwFreedBeforeEnd"] = NoHwTlb,
        ["MCFailOwnerFilterAll"] = NoDeviceExclusive,
        ["MCFailAtomicMapNoRetry"] = NoDeviceExclusive,
        ["MCFailMmUnmapAtEnd"] = NoMmListener,
        ["MCFailMmNoInProgress"] = NoMmListener,
        ["MCFailPageOnlyMunmap"] = NoPageOnlyListener,
        ["MCFailPageOnlyFreed"] = NoPageOnlyListener,
        // tla/ copies of MCFailUffdWpConsultVma per release line where uffd_wp_range exists
        ["MCFailUffdWpConsultVmaLinux6x1"] = SameAsUffdWp,
        ["MCFailUffdWpConsultVmaLinux6x12"] = SameAsUffdWp,
        ["MCFailUffdWpConsultVmaLinux6x18"] = SameAsUffdWp,
        ["MCFailUffdWpConsultVmaLinux7x3"] = SameAsUffdWp,
        ["MCFailNumaConsultVma"] = ProtectionVmaSite,
        ["MCFailPagemapScanConsultVma"] = ProtectionVmaSite,
        ["MCFailMoveHugePmdNoNotify"] = "spec/ has no call sites: a PTE change without any invalidation is its narrow-range variant's (a change outside the notified range, RangeCoversChange), which MCFailNarrowRange mirrors",
        ["MCFailMapFixedConsultVma"] = "spec/ sets the VMA at invalidate_range_start only for protection events (Model.Start: setsVma); other VMA changes are Refinement's vma_update steps, taken while no invalidation is active in whichever order the reference runs them, so the munmap (VMA detached first) versus MAP_FIXED (6.12+: old VMA in the tree through the zap) order this model shows is tla/'s",
        // device-private migration (range owners, as device-exclusive entries)
        ["MCFailMigrateSkipAnyOwner"] = NoDeviceMigration,
        ["MCFailMigrateSkipAnyOwnerLinux6x1"] = NoDeviceMigration,
        ["MCFailMigrateSkipAnyOwnerLinux6x12"] = NoDeviceMigration,
        ["MCFailMigrateSkipAnyOwnerLinux6x18"] = NoDeviceMigration,
        ["MCFailMigrateSkipAnyOwnerLinux7x3"] = NoDeviceMigration,
        ["MCFailKsmBreakIgnoreClear"] = "spec/ has no call sites (nor mremap's KSM break, tla/'s MremapBreakKsm): a listener that ignores MMU_NOTIFY_CLEAR, whose PTE change may be any, is what `notifier contract` refutes (NoStaleDeviceMapping) in every kernel vocabulary",
        ["MCFailMadviseFreeSplitWriteProtect"] = "spec/ has no call sites (nor the folio split of MADV_FREE, tla/'s split_folio): a write-protect listener on MMU_NOTIFY_CLEAR, whose PTE change may be any, is what `notifier contract` refutes (NoStaleDeviceMapping) in every kernel vocabulary",
    };

    private const string NoDeviceMigration = "no device-private migration (migrate_vma_collect, range owners) in spec/";

    private const string SameAsUffdWp = "MCFailUffdWpConsultVma under another release line: the variant consult-vma-on-uffd-wp mirrors it under linux-7.2, and `notifier contract` refutes consult-vma for MMU_NOTIFY_PROTECTION_VMA in every kernel vocabulary";
    private const string ProtectionVmaSite = "no NUMA-hinting or PAGEMAP_SCAN call site here: invalidate_range_start's free vma_set=false covers MMU_NOTIFY_PROTECTION_VMA with the VMA unchanged, and `notifier contract` refutes consult-vma for it in every kernel vocabulary (docs/protection-vma.md)";

    /// <summary>A variant by its name, or by any name of its planted bug in catalogue/vocabulary.json (NoReadRetry,
    /// no_read_retry, an alias such as skip_read_retry); null when none.</summary>
    public static Variant? Find(string name, string vocabulary) =>
        name == "correct" ? Correct(vocabulary) : Failing_.FirstOrDefault(v => v.Name == name)
            ?? (NotifierSpec.Reference.Catalogue.Default.Bug(name) is { Spec: { } sn } ? Failing_.FirstOrDefault(v => v.Name == sn) : null);

    public static IEnumerable<string> Names => new[] { "correct" }.Concat(Failing_.Select(v => v.Name));
}
