using System.Collections.Immutable;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>A named property: how its programs are generated and what must hold of each (null = holds).</summary>
public sealed record PropertyDef(string Name, string Claim, Func<GenOptions, GenOptions> Shape, Func<Prog, string?> Holds);

/// <summary>The properties of properties/ (issue 6), each a function of one generated program.</summary>
public static class NotifierProperties
{
    /// <summary>Every rule of docs/rules.md after every step.</summary>
    public static string? RulesHoldOn(Prog p)
    {
        var s = Interpreter.Execute(p);
        return s.FirstViolation is { } v ? $"{v.Rule} at step {s.FirstViolationLine}: {v.Message}" : null;
    }

    /// <summary>The same CPU operations give the same CPU page table whatever the vocabulary (each call run to
    /// completion: the vocabularies differ in how many notifier steps a call takes, not in what it does).</summary>
    public static string? VocabulariesAgreeOn(Prog p)
    {
        // only the calls every vocabulary has: userfaultfd write-protect and move, NUMA hinting and PAGEMAP_SCAN
        // have no row in v7 (PAGEMAP_SCAN and UFFDIO_MOVE none in linux-6.1), nor MADV_COLLAPSE and mapping_dirty_helpers:
        // they are refused with ENOSYS there
        p = p with { Acts = [.. p.Acts.Where(a => a is not Act.Do { Call: Call.UffdWriteProtect or Call.UffdRegister or Call.UffdUnregister or Call.NumaScan or Call.PagemapScanWp or Call.UffdMove or Call.MadviseCollapse or Call.WpSharedMapping })] };
        // compared within one kernel era: v7 and v7-reviewed describe the 2014 kernel, whose write fault on a THP
        // copies the whole huge page; every linux-* vocabulary splits it and copies the faulting page (linux-7.2
        // mm/huge_memory.c do_huge_pmd_wp_page: __split_huge_pmd, then wp_page_copy), so the eras' PTEs may differ
        // and within the linux-* era, MADV_FREE over part of a THP maps a zero-filled subpage of the split folio to the shared
        // zero page from 6.12 on (linux-6.12 mm/huge_memory.c __split_huge_page: remap_page with RMP_USE_SHARED_ZEROPAGE;
        // linux-7.2 __folio_split: TTU_USE_SHARED_ZEROPAGE; mm/migrate.c try_to_map_unused_to_zeropage), where linux-6.1 maps
        // every subpage back: a program that runs MADV_FREE compares linux-6.1 apart
        // (and a program with MREMAP_DONTUNMAP compares linux-6.1 and linux-6.18 each apart: their VMAs differ from 6.12's and
        // 7.2's (Planner.DontunmapVmas: no pre-split of a locked VMA, whose pages MADV_PAGEOUT then takes; no self-merge check;
        // 6.1 keeps a whole VMA's pgoff), and this property compares VMAs too)
        // (and a program with an mremap compares the releases that move a source over several VMAs, linux-6.18 on
        // (MmConfig.MremapMovesSeveralVmas: linux-7.2 mm/mremap.c remap_move), apart from 6.12 and 6.1, which refuse it)
        // (and a program with MADV_DONTNEED compares the releases with CONFIG_PT_RECLAIM, linux-6.18 on (MmConfig.PtReclaim),
        // apart from 6.12 and 6.1: a PTE table MADV_DONTNEED empties whole is freed only there, and a THP fault there
        // then maps a PMD where 6.12 maps a base page: MmState.PteTables)
        // (and a program with mlock compares linux-6.1 apart: mprotect making a locked VMA writable populates it
        // (mm/mprotect.c mprotect_fixup -> populate_vma_page_range), whose write fault reuses and dirties a clean PTE that
        // linux-6.12 and 7.2's change_protection made writable clean (can_change_pte_writable asks pte_dirty in 6.1 only))
        bool dontneed = p.Acts.Any(a => a is Act.Do { Call: Call.MadviseDontneed });
        bool sixOneApart = p.Acts.Any(a => a is Act.Do { Call: Call.MadviseFree or Call.Mlock });
        bool dontunmap = p.Acts.Any(a => a is Act.Do { Call: Call.MremapDontunmap });
        bool mremap = p.Acts.Any(a => a is Act.Do { Call: Call.Mremap or Call.MremapDontunmap });
        // (and a program where a VMA with an anon_vma meets an unfaulted one at a merge compares linux-6.1 and 6.12 apart
        // from 6.18 and 7.2: they keep the two apart, 6.18 and 7.2 merge them (Planner.OldAnonVmaMerge); seen by running it
        // with and without MmConfig.PlantAnonVmaMergeAs7_2)
        bool oldAnon = new[] { Vocabulary.Linux6_1, Vocabulary.Linux6_12 }.Any(v =>
            Interpreter.ExecuteCalls(p with { Config = p.Config with { Vocabulary = v } }).State.Vmas is var a
            && !a.SequenceEqual(Interpreter.ExecuteCalls(p with { Config = p.Config with { Vocabulary = v, PlantAnonVmaMergeAs7_2 = true } }).State.Vmas));
        foreach (var era in Enum.GetValues<Vocabulary>().GroupBy(v => (EventTables.IsKernel(v), sixOneApart && v == Vocabulary.Linux6_1,
            dontunmap && v is Vocabulary.Linux6_1 or Vocabulary.Linux6_18 ? (int)v : -1,
            mremap && new MmConfig(Vocabulary: v).MremapMovesSeveralVmas, dontneed && new MmConfig(Vocabulary: v).PtReclaim,
            oldAnon && v is Vocabulary.Linux6_1 or Vocabulary.Linux6_12)))
            if (AgreeWithin(p, era) is { } why) return why;
        return null;
    }

    /// <summary>Null when every vocabulary of the list leaves the same CPU page table and VMAs after p's CPU calls, else the first difference.</summary>
    public static string? AgreeWithin(Prog p, IEnumerable<Vocabulary> era)
    {
        MmState? first = null;
        string? firstName = null;
        foreach (var v in era)
        {
            var s = Interpreter.ExecuteCalls(p with { Config = p.Config with { Vocabulary = v } }).State;
            if (first is null) { first = s; firstName = EventTables.Name(v); continue; }
            // linux-6.1's mprotect upgrades only a dirty PTE (mm/mprotect.c can_change_pte_writable: !pte_dirty -> false; 6.12
            // and 7.2 ask no dirty bit of a private anonymous PTE): against 6.1, a clean PTE's read-only and read-write agree
            bool six1 = v == Vocabulary.Linux6_1 || firstName == EventTables.Name(Vocabulary.Linux6_1);
            Pte Norm(Pte x) => six1 && !x.Dirty && x.Prot == Prot.ReadWrite ? x with { Prot = Prot.Read } : x;
            for (int page = 0; page < s.Ptes.Length; page++)
            {
                var a = first.Ptes[page] is { } x ? first.Frames[x.Frame].Content + ":" + PteText.Of(Norm(x) with { Frame = 0 }) : "none";
                var b = s.Ptes[page] is { } y ? s.Frames[y.Frame].Content + ":" + PteText.Of(Norm(y) with { Frame = 0 }) : "none";
                if (a != b) return $"page {page}: {firstName} leaves {a}, {EventTables.Name(v)} leaves {b}";
            }
            if (!first.Vmas.SequenceEqual(s.Vmas)) return $"VMAs differ between {firstName} and {EventTables.Name(v)}";
        }
        return null;
    }

    /// <summary>A run's trace replays to the same verdict and final state; altering one step line makes the
    /// replay fail at that line or leaves it valid (step lines are outputs: the reference's step is determined
    /// by the state, so any other value is caught where it appears).</summary>
    public static string? ReplayRoundTripOn(Prog p)
    {
        var s = Interpreter.Execute(p, record: true);
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var r = Replay.Run(lines);
        if (s.FirstViolation is { } v)
        {
            if (r.Verdict != ReplayVerdict.Violation || r.Rule != v.Rule || r.Line != s.FirstViolationLine + 1)
                return $"the run broke {v.Rule} at step {s.FirstViolationLine} but its replay says {r.Verdict} at line {r.Line}: {r.Message}";
        }
        else
        {
            if (r.Verdict != ReplayVerdict.Accepted) return $"the replay of a valid run says {r.Verdict} at line {r.Line}: {r.Message}";
            if (!r.Final!.Ptes.SequenceEqual(s.State.Ptes) || !r.Final.Frames.SequenceEqual(s.State.Frames)) return "the replay ends in another state";
        }
        // alter one step line, chosen from the program itself (deterministic)
        var steps = Enumerable.Range(1, lines.Count - 1).Where(i => lines[i].Contains("\"kind\":\"step\"", StringComparison.Ordinal)).ToList();
        if (steps.Count == 0) return null;
        int at = steps[(p.Acts.Length * 7919 + lines.Count) % steps.Count];
        var o = (JsonObject)JsonNode.Parse(lines[at])!;
        string? field = o.Select(kv => kv.Key).FirstOrDefault(k => k is not ("kind" or "actor" or "op") && o[k] is JsonValue jv && (jv.TryGetValue(out int _) || jv.TryGetValue(out bool _)));
        if (field is null) return null;
        o[field] = o[field]!.AsValue().TryGetValue(out int iv) ? JsonValue.Create(iv + 1) : JsonValue.Create(!o[field]!.GetValue<bool>());
        var altered = lines.ToList();
        altered[at] = o.ToJsonString();
        var r2 = Replay.Run(altered);
        bool ok = r2.Verdict == ReplayVerdict.Accepted || r2.Line == at + 1;
        return ok ? null : $"line {at + 1} altered ({field}) but the replay says {r2.Verdict} at line {r2.Line}: {r2.Message}";
    }

    /// <summary>A listener that ignores MMU_MUNLOCK is safe, and munlock changes no PTE (the seed: "the page table is unchanged").</summary>
    public static string? MunlockNeedsNoReactionOn(Prog p)
    {
        var s = Interpreter.Execute(p, record: true);
        if (s.FirstViolation is { } v) return $"{v.Rule} at step {s.FirstViolationLine}: {v.Message}";
        // munlock's VMA split at the range's edges splits a huge PMD across one (mm/vma.c __split_vma -> vma_adjust_trans_huge):
        // a bracket whose PTE changes are all that split (the same frame, no longer huge) is not munlock's own
        bool inMunlock = false, inBracket = false, onlySplits = true;
        TraceLine? start = null;
        foreach (var l in s.Trace)
        {
            if (l.Kind == "call" && l.Actor == "cpu") { inMunlock = l.Op == "munlock" && l.Get("result") is null; continue; }
            if (!inMunlock || l.Actor != "cpu") continue;
            switch (l.Op)
            {
                case "invalidate_range_start": inBracket = true; onlySplits = true; start = l; break;
                case "invalidate_range_end":
                    if (!onlySplits) return $"munlock did {start}";
                    inBracket = false;
                    break;
                case "pte_update" when !inBracket: return $"munlock did {l}";
                case "pte_update": onlySplits &= l.Get("old") is Pte { Huge: true } o && l.Get("new") is Pte { Huge: false } n && o.Frame == n.Frame; break;
                case "invalidate_page": return $"munlock did {l}";
            }
        }
        return null;
    }

    public static readonly Policy IgnoreMunlock = Policy.UnmapAll with
    {
        Name = "ignore-munlock",
        Reactions = ImmutableDictionary<MmuEvent, Reaction>.Empty.Add(MmuEvent.MMU_MUNLOCK, Reaction.Ignore),
    };

    private static MmConfig WithPolicy(MmConfig c, Policy p) => c with { Mirrors = c.MirrorList.Select(m => m with { Policy = p }).ToImmutableArray() };

    public static readonly ImmutableArray<PropertyDef> All =
    [
        new("RulesHold", "every rule holds after every step, for correct listeners, under every vocabulary", o => o, RulesHoldOn),
        new("VocabulariesAgree", "the same CPU operations give the same CPU page table whatever the vocabulary of one kernel era (v7s; linux-*)", o => o with { DeviceCalls = false }, VocabulariesAgreeOn),
        new("ReplayRoundTrip", "a run's trace replays to the same end; a trace altered in one step line fails at that line or stays valid", o => o with { MaxActions = Math.Min(o.MaxActions, 150) }, ReplayRoundTripOn),
        new("PreciseEventsWriteProtectSafe", "under v7-reviewed, a listener that only write-protects on protection events is safe (the review's precise events)",
            o => o with { Vocabulary = Vocabulary.V7Reviewed, Adjust = c => WithPolicy(o.Adjust is { } f ? f(c) : c, Policy.WriteProtectOnMprot) }, RulesHoldOn),
        new("MunlockNeedsNoReaction", "a listener that ignores munlock is safe and munlock changes no PTE (but for splitting a huge PMD at the range's edges)",
            o => o with { Adjust = c => WithPolicy(o.Adjust is { } f ? f(c) : c, IgnoreMunlock) }, MunlockNeedsNoReactionOn),
    ];

    /// <summary>The seed's negative claim, checked as a property that must FAIL: under v7, MMU_MPROT does
    /// not say which protection, so a write-protect-only listener is unsafe.</summary>
    public static readonly PropertyDef V7MprotWriteProtectUnsafe =
        new("V7MprotWriteProtectIsUnsafe", "under v7 a write-protect-only MMU_MPROT listener breaks NoStaleDeviceMapping (must fail)",
            o => o with { Vocabulary = Vocabulary.V7, Adjust = c => WithPolicy(c, Policy.WriteProtectOnMprot) }, RulesHoldOn);

    public static PropertyDef Find(string name) => All.Concat([V7MprotWriteProtectUnsafe]).FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown property '{name}' (known: {string.Join(", ", All.Select(p => p.Name))}, {V7MprotWriteProtectUnsafe.Name})");
}
