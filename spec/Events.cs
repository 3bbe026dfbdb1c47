namespace NotifierSpec.Invariants;

/// <summary>
/// What an event allows the mm to do to a CPU PTE inside its start/end pair: the event's
/// documented meaning (docs/rules.md TruthfulEvent). In spec/ TruthfulEvent is the guard of
/// `pte_update`: the mm only makes changes its event allows (reference/ checks the call sites).
/// </summary>
public enum Effect
{
    /// <summary>No PTE changes (v7 MMU_MUNLOCK "the page table is unchanged"; v7 MMU_HSPLIT
    /// "the memory is the same, only the page-table structure changes"; page-granular model).</summary>
    Nothing,
    /// <summary>Same frame, write removed (MMU_FORK COW set-up, MMU_WRITE_BACK, KSM
    /// write-protect, MMU_NOTIFY_PROTECTION_PAGE).</summary>
    WriteProtect,
    /// <summary>Write removed and the soft-dirty bit cleared (clear_refs_write:
    /// MMU_ISDIRTY / MMU_CLEAR_SOFT_DIRTY / MMU_NOTIFY_SOFT_DIRTY).</summary>
    SoftDirtyClear,
    /// <summary>Same frame; access becomes old access ∩ the VMA's new protection, which the
    /// invalidation carries (mprotect: v7 MMU_MPROT, upstream MMU_NOTIFY_PROTECTION_VMA).</summary>
    Protection,
    /// <summary>The PTE is cleared (munmap, exit, truncate, make_device_exclusive).</summary>
    Unmap,
    /// <summary>Anything, including a different frame mapped before end (migration, COW,
    /// reclaim, KSM merge: v7 MMU_MIGRATE "if in doubt use MMU_MIGRATE", MMU_NOTIFY_CLEAR).</summary>
    Any,
}

/// <summary>Which new VMA protections a Protection event may carry.</summary>
[Flags]
public enum NewProt { None = 1, ReadOnly = 2, ReadWrite = 4, All = None | ReadOnly | ReadWrite }

/// <summary>A listener's reaction to one event (docs/rules.md "Listener reactions").</summary>
public enum Reaction
{
    /// <summary>do nothing, not even mmu_interval_set_seq</summary>
    Ignore,
    /// <summary>drop write on the device PTEs in the range (HMM_WRITE_PROTECT)</summary>
    WriteProtect,
    /// <summary>look the VMA up (find_vma) and drop what its new protection forbids
    /// (hmm_mmu_mprot_to_etype in HMM07)</summary>
    ConsultVma,
    /// <summary>drop the device PTEs in the range (dmirror_interval_invalidate)</summary>
    Unmap,
    /// <summary>the buggy listener that tears down only in invalidate_range_end</summary>
    UnmapAtEnd,
}

public sealed record EventInfo(string Name, Effect Effect, NewProt Prot, Reaction DocumentedReaction, string Source);

public sealed record Vocabulary(string Name, IReadOnlyList<EventInfo> Events)
{
    public EventInfo this[string name] => Events.First(e => e.Name == name);

    public static readonly Vocabulary V7 = new("v7",
    [
        // Seed v7 enum mmu_event (kernel-facts.md SEED-ENUM, reconstructed from V6/V8); policy is
        // HMM07's hmm_notifier_invalidate_range_start except MMU_ISDIRTY, see below.
        new("MMU_FORK", Effect.WriteProtect, 0, Reaction.WriteProtect, "v7 doc: VMAs write-protected to set up COW; HMM07 HMM_FORK clears write"),
        new("MMU_HSPLIT", Effect.Nothing, 0, Reaction.Unmap, "v7 doc: same memory, only the page-table structure changes; HMM07 HMM_MUNMAP"),
        new("MMU_ISDIRTY", Effect.SoftDirtyClear, 0, Reaction.WriteProtect, "clear_refs_write soft-dirty; HMM07 harvests dirty bits and keeps the PTE (refuted by the contract), the project policy write-protects (kernel-facts.md UP-POLICY)"),
        new("MMU_MIGRATE", Effect.Any, 0, Reaction.Unmap, "v7 doc: memory moves, reads must stop too; HMM07 HMM_MIGRATE"),
        new("MMU_MPROT", Effect.Protection, NewProt.All, Reaction.ConsultVma, "v7 doc: consult the VMA for the new protection; HMM07 hmm_mmu_mprot_to_etype"),
        new("MMU_MUNLOCK", Effect.Nothing, 0, Reaction.Ignore, "v7 doc: the page table is unchanged; HMM07 ignores"),
        new("MMU_MUNMAP", Effect.Unmap, 0, Reaction.Unmap, "v7 doc: the range is being unmapped; HMM07 HMM_MUNMAP"),
        new("MMU_WRITE_BACK", Effect.WriteProtect, 0, Reaction.WriteProtect, "v7 doc: writes stop, reads stay allowed; HMM07 HMM_WRITE_PROTECT"),
        new("MMU_WRITE_PROTECT", Effect.WriteProtect, 0, Reaction.WriteProtect, "v7 doc: read-only whatever the VMA allows (KSM); HMM07 HMM_WRITE_PROTECT"),
    ]);

    public static readonly Vocabulary V7Reviewed = new("v7-reviewed",
    [
        // v8 renames (kernel-facts.md SEED-REVIEW) and Hubbard's precise mprotect events.
        new("MMU_FORK", Effect.WriteProtect, 0, Reaction.WriteProtect, "as v7 MMU_FORK"),
        new("MMU_HUGE_PAGE_SPLIT", Effect.Nothing, 0, Reaction.Unmap, "v8 rename of MMU_HSPLIT: pages don't move, content doesn't change"),
        new("MMU_CLEAR_SOFT_DIRTY", Effect.SoftDirtyClear, 0, Reaction.WriteProtect, "v8 rename of MMU_ISDIRTY (clear_refs_write)"),
        new("MMU_MIGRATE", Effect.Any, 0, Reaction.Unmap, "as v7 MMU_MIGRATE"),
        new("MMU_MUNLOCK", Effect.Nothing, 0, Reaction.Ignore, "as v7 MMU_MUNLOCK"),
        new("MMU_MUNMAP", Effect.Unmap, 0, Reaction.Unmap, "as v7 MMU_MUNMAP"),
        new("MMU_WRITE_BACK", Effect.WriteProtect, 0, Reaction.WriteProtect, "as v7 MMU_WRITE_BACK"),
        new("MMU_KSM_WRITE_PROTECT", Effect.WriteProtect, 0, Reaction.WriteProtect, "v8 rename of MMU_WRITE_PROTECT: write protected for KSM"),
        new("MMU_UNMAP", Effect.Protection, NewProt.None, Reaction.Unmap, "seed review (Hubbard): mprotect to PROT_NONE"),
        new("MMU_WRITE_PROTECT", Effect.Protection, NewProt.ReadOnly, Reaction.WriteProtect, "seed review (Hubbard): mprotect to read-only"),
        new("MMU_READ_WRITE", Effect.Protection, NewProt.ReadWrite, Reaction.Ignore, "seed review (Hubbard): mprotect to read-write"),
    ]);

    public static readonly Vocabulary Upstream = new("upstream",
    [
        // enum mmu_notifier_event kernel-doc (include/linux/mmu_notifier.h); policy: kernel-facts.md UP-POLICY.
        new("MMU_NOTIFY_UNMAP", Effect.Unmap, 0, Reaction.Unmap, "munmap()/mremap(): the range is unmapped"),
        new("MMU_NOTIFY_CLEAR", Effect.Any, 0, Reaction.Unmap, "PTEs cleared for many reasons (page replaced, migration, COW)"),
        new("MMU_NOTIFY_PROTECTION_VMA", Effect.Protection, NewProt.All, Reaction.ConsultVma, "protection change per the VMA's vm_page_prot (mprotect)"),
        new("MMU_NOTIFY_PROTECTION_PAGE", Effect.WriteProtect, 0, Reaction.WriteProtect, "read/write change of individual pages (fork, mkclean)"),
        new("MMU_NOTIFY_SOFT_DIRTY", Effect.SoftDirtyClear, 0, Reaction.WriteProtect, "soft-dirty accounting: same page, write removed for tracking"),
        new("MMU_NOTIFY_RELEASE", Effect.Unmap, 0, Reaction.Unmap, "mm is going away (mn_itree_release)"),
        new("MMU_NOTIFY_MIGRATE", Effect.Any, 0, Reaction.Unmap, "migrate_vma_collect (owner filtering not modelled: owner = NULL)"),
        new("MMU_NOTIFY_EXCLUSIVE", Effect.Unmap, 0, Reaction.Unmap, "make_device_exclusive: the CPU loses access (owner = NULL)"),
    ]);

    public static readonly IReadOnlyList<Vocabulary> All = [V7, V7Reviewed, Upstream];

    public static Vocabulary? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}

public static class ReactionNames
{
    public static string Name(this Reaction r) => r switch
    {
        Reaction.Ignore => "ignore",
        Reaction.WriteProtect => "write-protect",
        Reaction.ConsultVma => "consult-vma",
        Reaction.Unmap => "unmap",
        Reaction.UnmapAtEnd => "unmap-at-end",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    public static readonly IReadOnlyList<Reaction> All =
        [Reaction.Ignore, Reaction.WriteProtect, Reaction.ConsultVma, Reaction.Unmap, Reaction.UnmapAtEnd];
}
