using System.Text;
using System.Text.Json.Nodes;
using NotifierSpec.Checker;

namespace NotifierSpec.Conformance;

/// <summary>
/// `notifier validate`: trace validation of a reference trace
/// against the TLA+ spec (tla/trace/TraceNotifierSpec.tla, CCF's Trace* approach). The checker explores
/// TraceSpec (one worker, BFS); the trace is accepted iff some behaviour matches every line (the invariant
/// TraceNotAccepted fails). Otherwise the first unmatched line is 1 + the largest line count any reachable
/// state reached, reported with its text, the spec action it maps to, and the spec state before it.
/// Verdicts: accepted, rejected, outside the spec (a feature of Coverage, or a field the spec reads left out),
/// incomplete, the trace spec could not be evaluated, malformed (reference/TraceCheck, as replay and refine).
/// </summary>
public static partial class TraceChecks
{
    /// <summary>Finds tla/trace/TraceNotifierSpec.tla above the working directory or the program's folder.</summary>
    public static string FindSpec()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "tla", "trace", "TraceNotifierSpec.tla");
                if (File.Exists(p)) return p;
            }
        return Path.Combine("tla", "trace", "TraceNotifierSpec.tla");
    }

    public static TraceVerdict Validate(string path, string? specPath = null, bool allowIncomplete = false, TextWriter? progress = null)
    {
        // the trace format first, as replay and refine read it (reference/TraceCheck)
        if (TraceInput.Check(TraceCheckKind.Validate, path, allowIncomplete, false, out _) is { } refused) return refused;
        var interner = new Interner();
        List<(int Line, string Text, Value Value)> lines;
        try { lines = JsonLines.Read(path, interner); }
        catch (JsonLinesError e) { return V(VerdictKind.Malformed, e.Line, e.ToString(), null, 0, 0); }
        if (lines.Count == 0) return V(VerdictKind.Malformed, 1, $"{path}:1:1: empty trace (line 1 must be the config line)", null, 0, 0);
        if (SpecBounds(path, lines[0]) is { } bounds) return V(VerdictKind.OutsideSpec, lines[0].Line, bounds, null, 0, 0);
        if (Outside(lines) is { } o) return V(VerdictKind.OutsideSpec, o.Line, $"{path}:{o.Line}: {o.Why}: outside the spec (tla/README.md lists what it models)", null, 0, 0);

        specPath ??= FindSpec();
        var env = new Dictionary<string, string> { ["NOTIFIER_TRACE"] = Path.GetFullPath(path) };
        TlaSpec spec;
        try { spec = TlaSpec.Load(specPath, Path.ChangeExtension(specPath, ".cfg"), TextWriter.Null, env); }
        catch (TlaError e) { return V(VerdictKind.Malformed, null, e.ToString().Replace('\n', ' '), null, 0, 0); }
        catch (EvalError e) { return NotFitting(path, lines, e.Message, 0, 0); }
        int li = spec.Vars.IndexOf("l");
        if (li < 0) return V(VerdictKind.Malformed, null, $"{specPath}:1:1: the trace spec has no line counter variable l", null, 0, 0);
        var mc = new ModelChecker(spec, new CheckOptions
        {
            Workers = 1, NoDeadlock = true, Coverage = false,
            Out = progress ?? TextWriter.Null, ProgressEvery = TimeSpan.FromSeconds(2),
            Score = st => st[li] is IntV n ? n.N : 0,
        });
        var r = mc.Run();
        // the file's line numbers (blank lines are skipped by ndJsonDeserialize)
        int FileLine(long idx) => idx >= 1 && idx <= lines.Count ? lines[(int)idx - 1].Line : lines[^1].Line + 1;
        switch (r.Outcome)
        {
            case Outcome.Safety when r.Violated == "TraceNotAccepted":
                return V(VerdictKind.Accepted, null, $"{path}: accepted ({lines.Count} lines, a behaviour of TraceNotifierSpec matches every line; {r.Distinct} states, {r.Seconds:F2}s)", null, r.Seconds, r.Distinct);
            case Outcome.Success when r.Best is { Count: > 0 } best:
            {
                long next = r.BestScore;
                int idx = (int)next;
                var (fileLine, text, val) = lines[idx - 1];
                var sb = new StringBuilder();
                sb.AppendLine($"  line {fileLine}: {text}");
                sb.AppendLine($"  maps to: {ActionFor(val)}");
                sb.AppendLine($"  the behaviour that matched lines 1..{FileLine(idx - 1)} ({best.Count - 1} steps) ends with:");
                foreach (var st in best.Skip(Math.Max(1, best.Count - 4)))
                    sb.AppendLine($"    line {FileLine(StepLine(st, li) - 1)}: {ActionName(st.Action)}");
                sb.AppendLine("  spec state before the line (pte, vma, data, dpte in reference numbering; other values in the spec's: page/frame x+1):");
                foreach (var s in StateText(spec, best[^1].State)) sb.AppendLine("    " + s);
                return V(VerdictKind.Rejected, fileLine, $"{path}:{fileLine}: rejected: no behaviour of the spec matches this line ({next - 1} lines matched)", sb.ToString(), r.Seconds, r.Distinct);
            }
            default:
                return NotFitting(path, lines, r.Message ?? r.Outcome.ToString(), r.Seconds, r.Distinct);
        }
    }

    private static TraceVerdict V(VerdictKind kind, int? line, string message, string? detail, double seconds, long states) =>
        new(TraceCheckKind.Validate, kind, line, message, detail) { Seconds = seconds, States = states };

    private static readonly System.Text.RegularExpressions.Regex MissingField =
        new(@"nonexistent field '([a-z_]+)' of record \[(.*)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static string? RecordField(string record, string field)
    {
        var m = System.Text.RegularExpressions.Regex.Match(record, $@"(?:^|, ){field} \|-> ""([a-z_]+)""");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>
    /// The trace spec could not evaluate a well-formed trace (it passed reference/TraceCheck). A line that leaves out a
    /// field the trace spec reads (a coarser trace, which replay allows; a mirror flag left to its default) is outside
    /// the spec (exit 20) at that line; anything else is an evaluation failure of the spec (exit 75), never "malformed".
    /// </summary>
    private static TraceVerdict NotFitting(string path, List<(int Line, string Text, Value Value)> lines, string message, double secs, long states)
    {
        message = message.Replace('\n', ' ');
        var m = MissingField.Match(message);
        if (m.Success && lines.Count > 0)
        {
            string field = m.Groups[1].Value, record = m.Groups[2].Value;
            string? kind = RecordField(record, "kind"), op = RecordField(record, "op");
            if (kind is "call" or "step" && op is not null)
                foreach (var (n, text, v) in lines.Skip(1))
                    if (S(v, "kind") == kind && S(v, "op") == op && F(v, field) is null)
                        return V(VerdictKind.OutsideSpec, n, $"{path}:{n}:{NotifierSpec.Reference.Replay.Col(text, "op")}: field '{field}' left out of a {kind} '{op}' line: the trace spec reads it (a coarser trace is outside the spec)", null, secs, states);
            if (kind is "interval" or "mm" or "invalidate_page" or "secondary_tlb")
                return V(VerdictKind.OutsideSpec, lines[0].Line, $"{path}:{lines[0].Line}:{NotifierSpec.Reference.Replay.Col(lines[0].Text, "mirrors")}: field 'mirrors.{field}' left out of the config line: the trace spec reads it (give it explicitly; a default is outside the spec)", null, secs, states);
        }
        return V(VerdictKind.EvalFailure, null, $"{path}:1:1: the trace spec could not be evaluated on this trace: {message}", null, secs, states);
    }

    // "<IsStart(...) line 167, col 5 to ... of module TraceNotifierSpec>" -> "IsStart(...)"
    private static string ActionName(string a)
    {
        a = a.Trim('<', '>');
        int cut = a.IndexOf(" line ", StringComparison.Ordinal);
        return cut > 0 ? a[..cut] : a;
    }

    private static long StepLine(TraceStep st, int li) => st.State[li] is IntV n ? n.N : 0;

    private static Value? F(Value rec, string field) =>
        rec is FcnBase f ? Enumerable.Range(0, f.Count).Where(i => f.KeyAt(i) is StrV s && s.S == field).Select(f.ValAt).FirstOrDefault() : null;
    private static string? S(Value rec, string field) => F(rec, field) is StrV s ? s.S : null;

    /// <summary>What the trace spec assumes of the config line beyond the trace format (tla/NotifierSpec.tla's
    /// ASSUME Pages \subseteq Frames), said as the config value it is about rather than as a false assumption.</summary>
    private static string? SpecBounds(string path, (int Line, string Text, Value Value) cfg)
    {
        if (F(cfg.Value, "pages") is IntV p && F(cfg.Value, "frames") is IntV f && f.N < p.N)
            return $"{path}:{cfg.Line}:{NotifierSpec.Reference.Replay.Col(cfg.Text, "frames")}: field 'frames': {f.N} frames for {p.N} pages: the spec needs at least one frame per page (tla/NotifierSpec.tla ASSUME Pages \\subseteq Frames): outside the spec";
        return null;
    }

    /// <summary>Features of the reference the spec does not model (tla/README.md, "Trace validation").</summary>
    public static (int Line, string Why)? Outside(List<(int Line, string Text, Value Value)> lines)
    {
        var cfg = lines[0];
        var mirrors = (TupleV)F(cfg.Value, "mirrors")!;
        var flags = new HashSet<string>();
        foreach (var m in mirrors.Elems)
        {
            if (F(m, "span") is not null) return (cfg.Line, $"mirror {S(m, "name")} covers a span (the spec's intervals cover the address space)");
            var pol = F(m, "policy");
            if (pol is not null && S(pol, "at") == "end" && (S(pol, "default") != "unmap" || F(pol, "reactions") is FcnBase { Count: > 0 }))
                return (cfg.Line, $"mirror {S(m, "name")} reacts at end with reactions other than unmap");
            flags.Add($"{F(m, "skip_read_retry")}/{F(m, "read_retry_outside_lock")}");
        }
        if (flags.Count > 1) return (cfg.Line, "mirrors with different driver flags (the spec's driver bugs apply to every device)");
        foreach (var (n, _, v) in lines.Skip(1))
        {
            string op = S(v, "op")!;
            bool refused = F(v, "result") is not null && S(v, "kind") == "call";
            if (op == "mmu_interval_notifier_remove") return (n, $"op {op} (the spec's subscriptions are never removed)");
            if (op == "collapse_huge_page" && !refused) return (n, $"op {op} (khugepaged's collapse is not a call site of the spec)");
            if (op == "migrate_to_device" && !refused) return (n, $"op {op} (device-private migration is not a call site of the trace spec)");
        }
        return null;
    }

    private static string ActionFor(Value line)
    {
        string op = S(line, "op")!;
        if (S(line, "kind") == "call")
            return op switch
            {
                "device_read" or "device_write" => "IsDeviceAccessCall (the access starts with its step lines)",
                "mmu_interval_notifier_insert" => "IsInsert -> mmu_interval_notifier_insert",
                "make_device_exclusive" => "IsExclusiveCall (names the call site make_device_exclusive; needs the CPU thread idle)",
                _ => "IsCpuCall (names the call site of the invalidations that follow; needs the CPU thread idle)",
            };
        return op switch
        {
            "invalidate_range_start" or "invalidate_range_start_nonblock" => $"IsStart -> {op} (NewOp of the call site whose event is the line's)",
            "invalidate" => "IsInvalidate -> invalidate (one listener's callback)",
            "invalidate_finish" => "IsInvalidateFinish -> invalidate_finish (a two-pass listener's finish pass)",
            "invalidate_page" => "IsInvalidatePage -> invalidate (v7 invalidate_page, after the change)",
            "pte_update" => "IsPteUpdate (environment: the PTE change, allowed by RangeCoversChange / TruthfulEvent)",
            "tlb_flush" => "IsTlbFlush -> tlb_flush",
            "free_frame" => "IsFreeFrame -> free_frame",
            "invalidate_range_end" => "IsEnd -> invalidate_range_end",
            "release" => "IsRelease -> release",
            "vma_update" => "IsVmaUpdate (environment)",
            "copy_page" => "IsCopyPage (environment)",
            "cpu_read" or "cpu_write" => "IsCpuAccess (environment, checked against the spec's data)",
            "device_read" or "device_write" => $"IsDeviceAccess -> {op}",
            "mmu_interval_read_begin" => "IsReadBegin -> mmu_interval_read_begin",
            "hmm_range_fault" => "IsRangeFault -> hmm_range_fault",
            "device_lock" => "IsDeviceLock -> device_lock",
            "mmu_interval_read_retry" => "IsReadRetry -> mmu_interval_read_retry",
            "device_pte_install" => "IsInstall -> device_pte_install",
            "device_unlock" => "IsDeviceUnlock -> device_unlock",
            "tlb_fill" => "IsTlbFill -> device_tlb_fill",
            "device_atomic_map" => "IsAtomicMap -> device_atomic_map (the owner's atomic entry after make_device_exclusive)",
            "copy_pte_range" or "clear_flush_young" or "test_young" or "mm_exited" => "IsStutter (not modelled by the spec)",
            _ => $"no action: op {op} is not a line kind of the trace spec",
        };
    }

    /// <summary>The spec state, readable: per-page variables list only pages that are not empty, in the
    /// reference's numbering (spec page/frame x+1 = reference x).</summary>
    private static IEnumerable<string> StateText(TlaSpec spec, Value[] st)
    {
        for (int i = 0; i < spec.Vars.Count; i++)
        {
            string name = spec.Vars[i];
            var v = st[i];
            if (name is "ghost" or "cow" or "childFrames" or "budget") continue;
            if (name == "free" && v is SetBase fs) { yield return $"free = {fs.Size} frames"; continue; }
            if (name == "data" && v is FcnBase data)
            {
                var nz = Enumerable.Range(0, data.Count).Where(k => data.ValAt(k) is IntV { N: not 0 }).Select(k => $"frame {Ref(data.KeyAt(k))}: {Show.V(data.ValAt(k))}");
                yield return $"data = {{{string.Join(", ", nz)}}}";
                continue;
            }
            if (name is "pte" or "vma" && v is FcnBase pf)
            {
                var items = Enumerable.Range(0, pf.Count).Where(k => !(pf.ValAt(k) is IntV { N: 0 } || F(pf.ValAt(k), "f") is IntV { N: 0 }))
                    .Select(k => $"page {Ref(pf.KeyAt(k))}: {PteText(pf.ValAt(k))}");
                yield return $"{name} = {{{string.Join(", ", items)}}}";
                continue;
            }
            if (name == "dpte" && v is FcnBase df)
            {
                for (int d = 0; d < df.Count; d++)
                {
                    var pt = (FcnBase)df.ValAt(d);
                    var items = Enumerable.Range(0, pt.Count).Where(k => F(pt.ValAt(k), "f") is not IntV { N: 0 }).Select(k => $"page {Ref(pt.KeyAt(k))}: {PteText(pt.ValAt(k))}");
                    yield return $"dpte[{Show.V(df.KeyAt(d))}] = {{{string.Join(", ", items)}}}";
                }
                continue;
            }
            yield return $"{name} = {Show.V(v)}";
        }
    }

    private static string Ref(Value specNumber) => specNumber is IntV n ? (n.N - 1).ToString() : Show.V(specNumber);

    private static string PteText(Value v)
    {
        if (v is IntV acc) return acc.N switch { 0 => "none", 1 => "r", _ => "rw" };
        var f = F(v, "f"); var a = F(v, "acc");
        string prot = a is IntV n ? n.N switch { 0 => "none", 1 => "r", _ => "rw" } : "?";
        string extra = (F(v, "sd") is BoolV { B: true } ? " soft-dirty" : "") + (F(v, "gone") is BoolV { B: true } ? " gone" : "");
        return $"frame {Ref(f!)} {prot}{extra}";
    }
}
