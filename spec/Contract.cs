using System.Diagnostics;
using System.Text;

namespace NotifierSpec.Spec;

/// <summary>One cell of the event contract: reaction r to event e under a vocabulary.</summary>
public sealed record ContractCell(string Reaction, string Verdict, string? BrokenRule, string? Counterexample, double Millis);

/// <summary>One event: its documented meaning, every reaction's verdict, the weakest safe ones.</summary>
public sealed record ContractRow(string Vocabulary, string Event, string Effect, string NewProtection,
    string DocumentedReaction, IReadOnlyList<ContractCell> Cells, IReadOnlyList<string> WeakestSafe);

/// <summary>
/// The event contract (issue 5): for every vocabulary and event, every reaction of the policy
/// set is proved safe (the invariant stays inductive when the listener reacts so to that event,
/// the other events keeping their documented reaction) or refuted (a BMC trace from Init to a
/// broken rule, only that event being started); "unknown" if neither.
/// Soundness of the per-cell proof: the documented policy's full proof set holds (checked
/// first); changing one event's reaction changes only the actions marked DependsOnPolicy
/// (invalidate, invalidate_range_end, mmu_interval_read_begin), so re-proving those against
/// every conjunct re-establishes consecution for the changed policy. The invariant itself does
/// not mention the policy.
/// </summary>
public static class Contract
{
    public const int BmcDepth = 6;

    public static readonly IReadOnlyList<ModelReaction> Policies = ReactionNames.All;

    public static List<ContractRow> Compute(ModelVocabulary voc)
    {
        // 1. the documented policy must be inductive (else no cell can be proved)
        var documented = Proofs.Run(voc, Variant.Correct(voc.Name));
        bool baseHolds = documented.All(r => r.Verdict == QueryVerdict.Holds);
        var cells = new Dictionary<(string, ModelReaction), ContractCell>();
        Decide(voc, baseHolds, voc.Events.SelectMany(e => Policies.Select(r => (e, r))).ToList(), cells);
        // Z3's quantifier instantiation can depend on the process-wide symbol table (other
        // contexts on other threads), so a query may rarely come back unknown; an undecided cell
        // is recomputed on a fresh context, twice at most, before it is reported as unknown
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var undecided = cells.Where(kv => kv.Value.Verdict == "unknown").Select(kv => (voc[kv.Key.Item1], kv.Key.Item2)).ToList();
            if (undecided.Count == 0) break;
            Decide(voc, baseHolds, undecided, cells);
        }
        return voc.Events.Select(e =>
        {
            var row = Policies.Select(r => cells[(e.Name, r)]).ToList();
            return new ContractRow(voc.Name, e.Name, e.Effect.ToString(), e.Effect == Effect.Protection ? ProtName(e.Prot) : "-",
                e.DocumentedReaction.Name(), row, Weakest(e, row));
        }).ToList();
    }

    private static void Decide(ModelVocabulary voc, bool baseHolds, List<(EventInfo, ModelReaction)> todo, Dictionary<(string, ModelReaction), ContractCell> cells)
    {
        var refute = new List<(EventInfo, ModelReaction)>();
        // 2. per event x reaction: re-prove the policy-dependent actions
        Z3Session.Run(ctx =>
        {
            var sorts = Model.MakeSorts(ctx, voc, null);
            foreach (var (e, r) in todo)
            {
                var variant = Deviation(voc, e, r);
                var sw = Stopwatch.StartNew();
                // stops at the first query that does not hold
                var first = new Prover(new Model(ctx, voc, variant, sorts: sorts)).Consecution(a => a.DependsOnPolicy, render: false)
                    .FirstOrDefault(q => q.Verdict != QueryVerdict.Holds);
                sw.Stop();
                if (baseHolds && first is null)
                    cells[(e.Name, r)] = new ContractCell(r.Name(), "safe", null, null, sw.Elapsed.TotalMilliseconds);
                else
                    refute.Add((e, r));
            }
            return 0;
        });
        // 3. refute the others by BMC with only that event started
        Z3Session.Run(ctx =>
        {
            var sorts = Model.MakeSorts(ctx, voc, Bounds.Default);
            foreach (var (e, r) in refute)
            {
                var model = new Model(ctx, voc, Deviation(voc, e, r), onlyEvent: e.Name, bounds: Bounds.Default, sorts: sorts);
                var q = new Prover(model).Bmc(model.Conjuncts.Where(c => c.IsRule).Select(c => c.Name).ToList(), BmcDepth);
                cells[(e.Name, r)] = q.Verdict == QueryVerdict.Counterexample
                    ? new ContractCell(r.Name(), "refuted", BrokenRule(q.Report!), q.Report, q.Millis)
                    : new ContractCell(r.Name(), "unknown", null, null, q.Millis);
            }
            return 0;
        });
    }

    /// <summary>
    /// MMU_NOTIFY_PROTECTION_VMA as userfaultfd's write-protect sends it (linux-7.2 mm/userfaultfd.c mwriteprotect_range ->
    /// uffd_wp_range -> change_protection with MM_CP_UFFD_WP, the VMA unchanged; docs/protection-vma.md): BMC up to
    /// BmcDepth on the default instance with every start a uffd_wp_range write-protect, the listener reacting to the event
    /// with `reaction`. "refuted" with the broken rule and the trace, or "bounded" (no counterexample up to the depth).
    /// A bounded claim: the row of Compute is per event, its counterexamples may come from another sender (NUMA hinting).
    /// </summary>
    public static ContractCell UffdWp(ModelVocabulary voc, ModelReaction reaction)
    {
        var e = voc.Events.Single(x => x.Effect == Effect.Protection && x.VmaMayStay);
        return Z3Session.Run(ctx =>
        {
            var model = new Model(ctx, voc, Deviation(voc, e, reaction), onlyEvent: e.Name, bounds: Bounds.Default, uffdWpOnly: true);
            var q = new Prover(model).Bmc(model.Conjuncts.Where(c => c.IsRule).Select(c => c.Name).ToList(), BmcDepth);
            return q.Verdict == QueryVerdict.Counterexample
                ? new ContractCell(reaction.Name(), "refuted", BrokenRule(q.Report!), q.Report, q.Millis)
                : new ContractCell(reaction.Name(), q.Verdict == QueryVerdict.NoTraceUpToDepth ? "bounded" : "unknown", null, null, q.Millis);
        });
    }

    private static Variant Deviation(ModelVocabulary voc, EventInfo e, ModelReaction r) =>
        new($"{e.Name}:{r.Name()}", $"the listener reacts to {e.Name} with {r.Name()}", voc.Name, null, OverrideEvent: e.Name, OverrideReaction: r);

    private static string BrokenRule(string report)
    {
        const string marker = "broken: ";
        int k = report.LastIndexOf(marker, StringComparison.Ordinal);
        var rest = report[(k + marker.Length)..];
        return rest.Split(' ', '\n')[0].Trim();
    }

    private static string ProtName(NewProt p) => string.Join("|", new[] { (NewProt.None, "none"), (NewProt.ReadOnly, "read-only"), (NewProt.ReadWrite, "read-write") }
        .Where(x => p.HasFlag(x.Item1)).Select(x => x.Item2));

    /// <summary>
    /// Access a reaction leaves the device (0 none, 1 read, 2 read-write) for each new
    /// protection the event may carry (one column for events that leave the VMA alone).
    /// </summary>
    private static int[] Keeps(EventInfo e, ModelReaction r)
    {
        var prots = e.Effect == Effect.Protection
            ? new[] { NewProt.None, NewProt.ReadOnly, NewProt.ReadWrite }.Where(p => e.Prot.HasFlag(p)).ToArray()
            : [NewProt.ReadWrite];
        return prots.Select(p => r switch
        {
            ModelReaction.Ignore => 2,
            ModelReaction.WriteProtect => 1,
            ModelReaction.ConsultVma => p == NewProt.None ? 0 : p == NewProt.ReadOnly ? 1 : 2,
            ModelReaction.Unmap => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(r)),
        }).ToArray();
    }

    /// <summary>
    /// The weakest safe reactions: the safe ones (among ignore, write-protect, consult-vma,
    /// unmap) that no other safe one beats by leaving the device at least as much access for
    /// every new protection and more for some; between two that leave the same access, the one
    /// without a VMA lookup wins (the find_vma the precise events were meant to save, seed
    /// review). unmap-at-end is reported but never "weakest": it is the teardown-too-late bug.
    /// </summary>
    public static List<string> Weakest(EventInfo e, IReadOnlyList<ContractCell> row)
    {
        var safe = new[] { ModelReaction.Ignore, ModelReaction.WriteProtect, ModelReaction.ConsultVma, ModelReaction.Unmap }
            .Where(r => row.First(c => c.Reaction == r.Name()).Verdict == "safe").ToList();
        bool Beats(ModelReaction a, ModelReaction b)
        {
            var (ka, kb) = (Keeps(e, a), Keeps(e, b));
            return ka.Zip(kb).All(x => x.First >= x.Second) && ka.Zip(kb).Any(x => x.First > x.Second);
        }
        var minimal = safe.Where(r => !safe.Any(o => Beats(o, r))).ToList();
        var result = minimal.Where(r => !(r == ModelReaction.ConsultVma && minimal.Any(o => o != r && Keeps(e, o).SequenceEqual(Keeps(e, r))))).ToList();
        return result.Select(r => r.Name()).ToList();
    }

    public static string Markdown(IReadOnlyList<ContractRow> rows, bool counterexamples)
    {
        var sb = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Vocabulary))
        {
            sb.AppendLine($"## Event contract: vocabulary `{group.Key}`");
            sb.AppendLine();
            sb.AppendLine("| event | allowed PTE change | new prot | " + string.Join(" | ", Policies.Select(p => p.Name())) + " | weakest safe | documented policy |");
            sb.AppendLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", Policies.Count)) + "---|---|");
            foreach (var r in group)
                sb.AppendLine($"| {r.Event} | {r.Effect} | {r.NewProtection} | " + string.Join(" | ", r.Cells.Select(Cell)) +
                    $" | {(r.WeakestSafe.Count == 0 ? "none" : string.Join(", ", r.WeakestSafe))} | {r.DocumentedReaction} |");
            sb.AppendLine();
            if (counterexamples) sb.Append(Counterexamples(group.Key, group));
        }
        return sb.ToString();
    }

    /// <summary>Each refuted cell's counterexample of one vocabulary's rows, as markdown sections (shared with the
    /// `notifier contract --counterexamples` output).</summary>
    public static string Counterexamples(string vocabulary, IEnumerable<ContractRow> rows)
    {
        var sb = new StringBuilder();
        foreach (var r in rows)
            foreach (var c in r.Cells.Where(c => c.Counterexample is not null))
            {
                sb.AppendLine($"### {vocabulary} {r.Event} with {c.Reaction}");
                sb.AppendLine("```");
                sb.Append(c.Counterexample);
                sb.AppendLine("```");
                sb.AppendLine();
            }
        return sb.ToString();
    }

    /// <summary>A cell as the contract table shows it: the verdict, and the rule a refutation breaks.</summary>
    public static string Cell(ContractCell c) => c.Verdict switch
    {
        "refuted" => $"refuted ({c.BrokenRule})",
        _ => c.Verdict,
    };
}
