namespace NotifierSpec.Spec;

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
public enum ModelReaction
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

/// <param name="VmaMayStay">a Protection event some sender raises without changing the VMA first (Linux's
/// MMU_NOTIFY_PROTECTION_VMA from userfaultfd write-protect, NUMA hinting, PAGEMAP_SCAN: docs/protection-vma.md)</param>
public sealed record EventInfo(string Name, Effect Effect, NewProt Prot, ModelReaction DocumentedReaction, string Source, bool VmaMayStay = false);

/// <summary>An event vocabulary of spec/: the events of a catalogue family (catalogue/vocabulary.json),
/// each with its effect, the protections it may carry and its documented reaction. Every vocabulary of
/// the catalogue resolves to its family's events (the kernel releases share enum mmu_notifier_event).</summary>
public sealed record ModelVocabulary(string Name, IReadOnlyList<EventInfo> Events)
{
    public EventInfo this[string name] => Events.First(e => e.Name == name);

    private static ModelVocabulary FromCatalogue(string name)
    {
        var voc = NotifierSpec.Reference.Vocabularies.ByName(name)
            ?? throw new NotifierSpec.Reference.CatalogueException($"{NotifierSpec.Reference.Catalogue.ResourceName}: no vocabulary '{name}'");
        return new(name, [.. voc.Family.Events.Select(e => new EventInfo(e.Name, Enum.Parse<Effect>(e.Effect),
            e.NewProt is { } np ? Enum.Parse<NewProt>(np) : 0, ReactionNames.Parse(e.Reaction), e.Source, e.VmaMayStay))]);
    }

    /// <summary>The names of All, known without reading the catalogue (the command line's help prints them).</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = ["v7", "v7-reviewed", "upstream"];

    private static readonly Lazy<IReadOnlyList<ModelVocabulary>> Defaults = new(() => [.. DefaultNames.Select(FromCatalogue)]);

    public static ModelVocabulary V7 => Defaults.Value[0];
    public static ModelVocabulary V7Reviewed => Defaults.Value[1];
    public static ModelVocabulary Upstream => Defaults.Value[2];

    /// <summary>The vocabularies `prove` and `contract` run by default.</summary>
    public static IReadOnlyList<ModelVocabulary> All => Defaults.Value;

    /// <summary>Any vocabulary of the catalogue by name (null when unknown).</summary>
    public static ModelVocabulary? Find(string name) =>
        All.FirstOrDefault(v => v.Name == name) ?? (NotifierSpec.Reference.Vocabularies.ByName(name) is null ? null : FromCatalogue(name));
}

public static class ReactionNames
{
    public static string Name(this ModelReaction r) => r switch
    {
        ModelReaction.Ignore => "ignore",
        ModelReaction.WriteProtect => "write-protect",
        ModelReaction.ConsultVma => "consult-vma",
        ModelReaction.Unmap => "unmap",
        ModelReaction.UnmapAtEnd => "unmap-at-end",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    public static ModelReaction Parse(string name) => All.FirstOrDefault(r => r.Name() == name) is var r && r.Name() == name
        ? r : throw new ArgumentException($"unknown reaction '{name}'");

    public static readonly IReadOnlyList<ModelReaction> All =
        [ModelReaction.Ignore, ModelReaction.WriteProtect, ModelReaction.ConsultVma, ModelReaction.Unmap, ModelReaction.UnmapAtEnd];
}
