using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace NotifierSpec.Reference;

public enum ReplayVerdict { Accepted, Rejected, Violation, Malformed }

/// <summary>The answer of a replay: accepted, or the first line the reference does not allow
/// (Rejected), that breaks a rule (Violation), or that cannot be read (Malformed).</summary>
public sealed record ReplayResult(ReplayVerdict Verdict, int Line, int Column, string Message, string? Rule, MmState? Final, int Lines)
{
    public bool Accepted => Verdict == ReplayVerdict.Accepted;
}

/// <summary>
/// Replays a JSON-lines trace (docs/trace-format.md) against the reference: every call is submitted,
/// every step is taken by the actor it names, and the step the reference takes must match the line
/// (every field the line gives must equal the reference's). The rules are checked after every line.
/// </summary>
public static class Replay
{
    /// <summary>mm-side steps: taken by the CPU operation in flight, whichever actor runs it.</summary>
    public static readonly ImmutableHashSet<string> MmSteps =
    [
        "invalidate_range_start", "invalidate_range_start_nonblock", "invalidate", "invalidate_finish", "pte_update", "tlb_flush", "invalidate_page",
        "free_frame", "copy_page", "vma_update", "copy_pte_range", "child_fault", "release", "cpu_read", "cpu_write", "mm_exited", "invalidate_range_end",
        "device_atomic_map", "clear_flush_young", "test_young", "device_migrate_map", "device_pte_erase",
    ];

    /// <summary>Device-side steps (lib/test_hmm.c dmirror and the hmm.rst fault loop).</summary>
    public static readonly ImmutableHashSet<string> DeviceSteps =
    [
        "device_read", "device_write", "mmu_interval_read_begin", "hmm_range_fault", "tlb_fill", "device_lock", "mmu_interval_read_retry",
        "device_pte_install", "device_unlock", "mmu_interval_notifier_remove",
    ];

    public static readonly ImmutableArray<string> CallNames =
    [
        "mmap", "munmap", "mprotect", "mremap", "mremap_dontunmap", "madvise_dontneed", "madvise_free", "truncate", "cpu_read", "cpu_write", "fork",
        "migrate_pages", "ksm_merge", "split_huge_page", "collapse_huge_page", "mlock", "munlock", "writeback", "clear_refs",
        "uffdio_writeprotect", "uffdio_register", "uffdio_unregister", "change_prot_numa", "pagemap_scan_wp", "uffdio_move", "madvise_collapse", "wp_shared_mapping_range",
        "exit_mmap", "oom_reap", "device_read", "device_write", "mmu_interval_notifier_insert", "mmu_interval_notifier_remove",
        "make_device_exclusive", "page_referenced", "test_young", "madvise_pageout", "migrate_to_device", "child_write",
    ];

    /// <summary>Bound on the unlogged steps a partial trace may leave out before one of its lines.</summary>
    public const int PartialBound = 100_000;

    /// <param name="partial">
    /// A partial trace (from a driver or an instrumented kernel that logs only some events, e.g. the notifier
    /// calls) may leave steps out: before a step line, the named actor runs its unlogged steps until it takes
    /// the step the line names; before a call, the actor it needs finishes what it is doing (the CPU first,
    /// then the mirrors in order). Unlogged steps are checked like the others; a rule they break is reported
    /// at the line that needed them.
    /// </param>
    public static ReplayResult Run(IEnumerable<string> lines, bool partial = false) => Core(TraceReader.FromLines(lines), partial, null);

    /// <summary>Replays records from TraceReader (a file read in bounded memory, strict UTF-8).</summary>
    public static ReplayResult Run(IEnumerable<TraceRecord> records, bool partial = false) => Core(records, partial, null);

    /// <summary>
    /// Replays a complete trace (every step logged) and hands each line's pre-state and outcome to
    /// `observe`, without stopping at rule violations (spec/'s refinement check judges the steps
    /// itself); `observe` returns false to stop. Ends Accepted, Rejected (a line the reference does
    /// not allow) or Malformed, as Run.
    /// </summary>
    public static ReplayResult Walk(IEnumerable<string> lines, Func<int, MmState, StepOutcome, bool> observe) => Core(TraceReader.FromLines(lines), false, observe);

    public static ReplayResult Walk(IEnumerable<TraceRecord> records, Func<int, MmState, StepOutcome, bool> observe) => Core(records, false, observe);

    /// <summary>Checks one record against the trace format (TraceReader, TraceConfig, TraceSchema): the config
    /// for line 1, the line checked against `config` otherwise. Throws TraceFormatException with the column.</summary>
    public static MmConfig? CheckRecord(TraceRecord rec, MmConfig? config)
    {
        if (rec.Error is not null) throw new TraceFormatException(rec.Error, rec.ErrorColumn);
        var o = rec.Obj!;
        if (config is null)
        {
            if (TraceConfig.OptStr(o["kind"], "kind") != "config")
                throw new TraceFormatException("field 'kind': the first line must be the config line", Col(rec.Raw, "kind"));
            return TraceConfig.FromJson(o, rec.Raw);
        }
        TraceSchema.CheckLine(o, rec.Raw, config);
        return config;
    }

    private static ReplayResult Core(IEnumerable<TraceRecord> records, bool partial, Func<int, MmState, StepOutcome, bool>? observe)
    {
        MmState? s = null;
        int n = 0;
        foreach (var rec in records)
        {
            n = rec.Line;
            string raw = rec.Raw;
            try
            {
                var cfg = CheckRecord(rec, s?.Config);
                var o = rec.Obj!;
                if (s is null) { s = MmState.Initial(cfg!); continue; }
                string kind = TraceConfig.Str(o, "kind");
                var o2 = ReplayLine(s!, o, raw, kind, partial);
                if (o2.Rejection is { } rej) return new(ReplayVerdict.Rejected, n, rej.Column, rej.Message, null, s, n);
                if (observe is not null)
                {
                    var pre = s!;
                    s = o2.Outcome!.Value.State;
                    if (!observe(n, pre, o2.Outcome.Value)) return new(ReplayVerdict.Accepted, n, 0, "stopped", null, s, n);
                    continue;
                }
                s = o2.Outcome!.Value.State;
                if (o2.Outcome.Value.Violation is { } v)
                    return new(ReplayVerdict.Violation, n, 1, $"{v.Message} (step: {o2.Outcome.Value.Line})", v.Rule, s, n);
            }
            catch (TraceFormatException e) { return new(ReplayVerdict.Malformed, n, e.Column, e.Message, null, s, n); }
            catch (ModelException e) when (e.BadInput) { return new(ReplayVerdict.Malformed, n, Col(raw, "op"), e.Message, null, s, n); }
            catch (ModelException e) { return new(ReplayVerdict.Rejected, n, Col(raw, "op"), e.Message, null, s, n); }
            catch (ArgumentException e) { return new(ReplayVerdict.Malformed, n, 1, e.Message, null, s, n); }
        }
        if (s is null) return new(ReplayVerdict.Malformed, Math.Max(n, 1), 1, "empty trace: the first line must be the config line", null, null, n);
        return new(ReplayVerdict.Accepted, n, 0, "accepted", null, s, n);
    }

    /// <summary>The 1-based column where a field's name starts in the raw line.</summary>
    public static int Col(string raw, string field) { int i = raw.IndexOf($"\"{field}\"", StringComparison.Ordinal); return i < 0 ? 1 : i + 1; }

    private readonly record struct LineResult(StepOutcome? Outcome, (int Column, string Message)? Rejection);

    /// <summary>Runs unlogged steps until `done` holds (partial traces); a violation stops it.</summary>
    private static (MmState State, StepOutcome? Violating) Settle(MmState s, Func<MmState, bool> done, Func<MmState, int?> next)
    {
        for (int i = 0; i < PartialBound && !done(s); i++)
        {
            if (next(s) is not int slot) break;
            var o = Machine.Step(s, slot);
            if (o.Violation is not null) return (o.State, o with { Violation = o.Violation with { Message = $"{o.Violation.Message} (in the unlogged step: {o.Line})" } });
            s = o.State;
        }
        return (s, null);
    }

    private static int? AnyActor(MmState s) =>
        Machine.CanStep(s, Machine.Cpu) ? Machine.Cpu : Enumerable.Range(0, s.Mirrors.Length).Cast<int?>().FirstOrDefault(m => Machine.CanStep(s, m!.Value));

    private static LineResult ReplayLine(MmState s, JsonObject o, string raw, string kind, bool partial = false)
    {
        string op = TraceConfig.Str(o, "op");
        string actor = TraceConfig.Str(o, "actor");
        StepOutcome outcome;
        if (kind == "call")
        {
            var call = ParseCall(s, o, raw, op, actor);
            if (partial)
            {
                StepOutcome? bad;
                (s, bad) = call.MirrorIndex is int cm && call is not (Call.DeviceExclusive or Call.MigrateToDevice)
                    ? Settle(s, x => x.Mirrors[cm].Op is null, AnyActor)
                    : Settle(s, x => x.Op is null && (call.MirrorIndex is not int em || x.Mirrors[em].Op is null), AnyActor);
                if (bad is { } b) return new(b, null);
            }
            outcome = Machine.Submit(s, call);
        }
        else if (kind == "step")
        {
            int slot;
            if (MmSteps.Contains(op))
            {
                if (s.Op is not { } cop) return new(null, (Col(raw, "op"), $"step '{op}': no CPU operation is in flight"));
                if (cop.Actor != actor) return new(null, (Col(raw, "actor"), $"step '{op}': the operation in flight ({cop.Name}) is run by {cop.Actor}, not {actor}"));
                slot = Machine.Cpu;
            }
            else if (DeviceSteps.Contains(op)) slot = MirrorIndex(s, actor, raw);
            else throw new TraceFormatException($"field 'op': unknown step '{op}'", Col(raw, "op"));
            if (partial)
            {
                // run the actor's unlogged steps until it is about to take this one (a blocked actor lets the others
                // run; a device waits for the CPU operation in flight to finish first, as hmm_range_fault would)
                for (int guard = 0; ; guard++)
                {
                    if (guard >= PartialBound) return new(null, (Col(raw, "op"), $"no step matching this line within {PartialBound} unlogged steps"));
                    if (!Machine.CanStep(s, slot))
                    {
                        var (s2, bad2) = Settle(s, x => Machine.CanStep(x, slot), AnyActor);
                        if (bad2 is { } b2) return new(b2, null);
                        if (!Machine.CanStep(s2, slot)) break;
                        s = s2;
                    }
                    var peek = Machine.Step(s, slot);
                    if (Mismatch(peek.Line.ToJson(), o) is null || slot == Machine.Cpu && s.Op?.Actor != actor) break;
                    if (slot != Machine.Cpu && s.Op is not null && Machine.CanStep(s, Machine.Cpu))
                    {
                        // not this device's step yet: let the CPU operation in flight go on first
                        var cpuStep = Machine.Step(s, Machine.Cpu);
                        if (cpuStep.Violation is not null)
                            return new(cpuStep with { Violation = cpuStep.Violation with { Message = $"{cpuStep.Violation.Message} (in the unlogged step: {cpuStep.Line})" } }, null);
                        s = cpuStep.State;
                        continue;
                    }
                    if (peek.Violation is not null)
                        return new(peek with { Violation = peek.Violation with { Message = $"{peek.Violation.Message} (in the unlogged step: {peek.Line})" } }, null);
                    s = peek.State;
                    if (slot == Machine.Cpu && s.Op is null) return new(null, (Col(raw, "op"), $"the CPU operation ended without a step matching this line ('{op}')"));
                    if (slot != Machine.Cpu && s.Mirrors[slot].Op is null) return new(null, (Col(raw, "op"), $"{actor}'s request ended without a step matching this line ('{op}')"));
                }
            }
            if (!Machine.CanStep(s, slot))
                return new(null, (Col(raw, "op"), $"{actor} cannot take a step now (it is blocked or idle), the trace says '{op}'"));
            outcome = Machine.Step(s, slot);
        }
        else throw new TraceFormatException($"field 'kind': '{kind}' is not config, call or step", Col(raw, "kind"));

        if (Mismatch(outcome.Line.ToJson(), o) is { } k)
            return new(null, (Col(raw, k), $"field '{k}': the trace says {Show(o[k])}, the reference does {Show(outcome.Line.ToJson()[k])} (reference step: {outcome.Line})"));
        return new(outcome, null);
    }

    /// <summary>The first field the trace line gives that the reference's line does not equal, or null.</summary>
    private static string? Mismatch(JsonObject produced, JsonObject line)
    {
        foreach (var (k, v) in line)
            if (k != "kind" && !JsonNode.DeepEquals(produced[k], v)) return k;
        return null;
    }

    private static string Show(JsonNode? n) => n is null ? "nothing" : n.ToJsonString();

    private static int MirrorIndex(MmState s, string actor, string raw)
    {
        for (int i = 0; i < s.Config.MirrorList.Length; i++) if (s.Config.MirrorList[i].Name == actor) return i;
        throw new TraceFormatException($"field 'actor': no mirror named '{actor}' in the config", Col(raw, "actor"));
    }

    private static Call ParseCall(MmState s, JsonObject o, string raw, string op, string actor)
    {
        int P(string f) => o[f] is JsonValue v && v.TryGetValue(out int i) ? i : throw new TraceFormatException($"field '{f}': expected an integer", Col(raw, f));
        bool B(string f) => o[f] is null ? false : o[f] is JsonValue v && v.TryGetValue(out bool b) ? b : throw new TraceFormatException($"field '{f}': expected true or false", Col(raw, f));
        Prot Pr(string f) => TraceConfig.Str(o, f) switch
        {
            "none" => Prot.None, "r" => Prot.Read, "rw" => Prot.ReadWrite,
            var x => throw new TraceFormatException($"field '{f}': '{x}' is not none, r or rw", Col(raw, f)),
        };
        return op switch
        {
            "mmap" => new Call.Mmap(P("start"), P("end"), Pr("prot"), B("shared"), B("thp"), B("mergeable"), B("hugetlb")),
            "munmap" => new Call.Munmap(P("start"), P("end")),
            "mprotect" => new Call.Mprotect(P("start"), P("end"), Pr("prot")),
            "mremap" => new Call.Mremap(P("start"), P("end"), P("new_start")),
            "mremap_dontunmap" => new Call.MremapDontunmap(P("start"), P("end"), P("new_start")),
            "madvise_dontneed" => new Call.MadviseDontneed(P("start"), P("end")),
            "madvise_free" => new Call.MadviseFree(P("start"), P("end")),
            "truncate" => new Call.Truncate(P("start"), P("end")),
            "cpu_read" => new Call.CpuRead(P("page")),
            "cpu_write" => new Call.CpuWrite(P("page"), P("value")),
            "fork" => new Call.Fork(),
            "child_write" => new Call.ChildWrite(P("child"), P("page"), P("value")),
            "migrate_pages" => new Call.Migrate(P("page")),
            "ksm_merge" => new Call.KsmMerge(P("page"), P("other")),
            "split_huge_page" => new Call.SplitHuge(P("page")),
            "collapse_huge_page" => new Call.CollapseHuge(P("page")),
            "mlock" => new Call.Mlock(P("start"), P("end")),
            "munlock" => new Call.Munlock(P("start"), P("end")),
            "writeback" => new Call.Writeback(P("page")),
            "clear_refs" => new Call.ClearRefs(),
            "uffdio_writeprotect" => new Call.UffdWriteProtect(P("start"), P("end"), o["wp"] is null || B("wp")),
            "uffdio_register" => new Call.UffdRegister(P("start"), P("end")),
            "uffdio_unregister" => new Call.UffdUnregister(P("start"), P("end")),
            "change_prot_numa" => new Call.NumaScan(P("start"), P("end")),
            "pagemap_scan_wp" => new Call.PagemapScanWp(P("start"), P("end")),
            "uffdio_move" => new Call.UffdMove(P("page"), P("dst"), o["len"] is null ? 1 : P("len")),
            "madvise_collapse" => new Call.MadviseCollapse(P("start"), P("end")),
            "wp_shared_mapping_range" => new Call.WpSharedMapping(P("start"), P("end")),
            "madvise_pageout" => new Call.MadvisePageout(P("start"), P("end")),
            "page_referenced" => new Call.PageReferenced(P("page")),
            "test_young" => new Call.TestYoung(P("page")),
            "exit_mmap" => new Call.Exit(),
            "oom_reap" => new Call.OomReap(),
            "device_read" => new Call.DeviceRead(MirrorIndex(s, actor, raw), P("page")),
            "device_write" => new Call.DeviceWrite(MirrorIndex(s, actor, raw), P("page"), P("value")),
            "mmu_interval_notifier_insert" => new Call.IntervalInsert(MirrorIndex(s, actor, raw)),
            "mmu_interval_notifier_remove" => new Call.IntervalRemove(MirrorIndex(s, actor, raw)),
            "make_device_exclusive" => new Call.DeviceExclusive(MirrorIndex(s, actor, raw), P("page")),
            "migrate_to_device" => new Call.MigrateToDevice(MirrorIndex(s, actor, raw), P("start"), P("end")),
            _ => throw new TraceFormatException($"field 'op': unknown call '{op}' (known: {string.Join(", ", CallNames)})", Col(raw, "op")),
        };
    }
}
