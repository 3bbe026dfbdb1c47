using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace NotifierSpec.Reference;

/// <summary>Thrown for malformed trace input: the message names the field; the reader adds file:line:col.</summary>
public sealed class TraceFormatException(string message, int column = 1) : Exception(message)
{
    public int Column { get; } = column;
}

/// <summary>The config line of a trace (docs/trace-format.md) to and from MmConfig.</summary>
public static class TraceConfig
{
    public static string KindName(MirrorKind k) => k switch { MirrorKind.Interval => "interval", MirrorKind.Mm => "mm", MirrorKind.InvalidatePage => "invalidate_page", _ => "secondary_tlb" };

    public static string ReactionName(Reaction r) => r switch { Reaction.Unmap => "unmap", Reaction.WriteProtect => "write-protect", Reaction.Ignore => "ignore", _ => "consult-vma" };

    /// <summary>The config line; huge_zero_page, madvise_free_split, mremap_break_ksm, ksm_write_copies, pte_folio_split, mm_forbids_zeropage and nested_folio_split only when on (a trace without them has them off).</summary>
    public static JsonObject ToJson(MmConfig c)
    {
        var o = Base(c);
        if (c.HugeZeroPage) o["huge_zero_page"] = true;
        if (c.MadviseFreeSplit) o["madvise_free_split"] = true;
        if (c.MremapBreakKsm) o["mremap_break_ksm"] = true;
        if (c.KsmWriteCopies) o["ksm_write_copies"] = true;
        if (c.PteFolioSplit) o["pte_folio_split"] = true;
        if (c.MmForbidsZeropage) o["mm_forbids_zeropage"] = true;
        if (c.NestedFolioSplit) o["nested_folio_split"] = true;
        return o;
    }

    private static JsonObject Base(MmConfig c) => new()
    {
        ["kind"] = "config",
        ["pages"] = c.Pages,
        ["huge_page_size"] = c.HugePageSize,
        ["frames"] = c.Frames,
        ["vocabulary"] = EventTables.Name(c.Vocabulary),
        ["mirrors"] = new JsonArray(c.MirrorList.Select(m => (JsonNode?)WithExclusiveOwner(m, new JsonObject
        {
            ["name"] = m.Name,
            ["kind"] = KindName(m.Kind),
            ["policy"] = new JsonObject
            {
                ["name"] = m.Listener.Name,
                ["default"] = ReactionName(m.Listener.Default),
                ["at"] = m.Listener.At switch { TeardownAt.Start => "start", TeardownAt.End => "end", _ => "finish" },
                ["reactions"] = new JsonObject(m.Listener.Reactions.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal)
                    .Select(kv => KeyValuePair.Create(kv.Key.ToString(), (JsonNode?)JsonValue.Create(ReactionName(kv.Value))))),
            },
            ["skip_read_retry"] = m.SkipReadRetry,
            ["read_retry_outside_lock"] = m.ReadRetryOutsideLock,
            ["fault_chunk"] = m.FaultChunk,
            ["span"] = m.Span is { } r ? new JsonArray(r.Start, r.End) : null,
        })).ToArray()),
        ["mutants"] = new JsonArray(Enum.GetValues<Mutant>().Where(x => x != Mutant.None && c.Has(x)).Select(x => (JsonNode?)JsonValue.Create(x.ToString())).ToArray()),
    };

    /// <summary>exclusive_owner_null only when on (a mirror without it passes itself to make_device_exclusive, as nouveau).</summary>
    private static JsonObject WithExclusiveOwner(MirrorConfig m, JsonObject mo)
    {
        if (m.NullExclusiveOwner) mo["exclusive_owner_null"] = true;
        return mo;
    }

    private static readonly string[] ConfigFields = ["kind", "pages", "huge_page_size", "frames", "vocabulary", "mirrors", "mutants", "huge_zero_page", "madvise_free_split", "mremap_break_ksm", "ksm_write_copies", "pte_folio_split", "mm_forbids_zeropage", "nested_folio_split"];
    private static readonly string[] MirrorFields = ["name", "kind", "policy", "skip_read_retry", "read_retry_outside_lock", "fault_chunk", "span", "exclusive_owner_null"];
    private static readonly string[] PolicyFields = ["name", "default", "at", "reactions"];

    /// <summary>Reads a config line strictly (docs/trace-format.md): unknown fields, duplicated mirror names and
    /// values outside TraceLimits are refused; `raw`, when given, places the error at the field's column.</summary>
    public static MmConfig FromJson(JsonObject o, string? raw = null)
    {
        int C(string f) => raw is null ? 1 : Replay.Col(raw, f);
        try
        {
            Known(o, ConfigFields, "", C);
            int pages = Int(o, "pages", 1, TraceLimits.MaxPages);
            int huge = Int(o, "huge_page_size", 1, pages);
            int frames = Int(o, "frames", 2, TraceLimits.MaxFrames);
            string vs = Str(o, "vocabulary");
            if (!EventTables.TryParse(vs, out var vocab)) throw new TraceFormatException($"field 'vocabulary': unknown vocabulary '{vs}' ({Vocabularies.NameList})");
            var mirrors = ImmutableArray.CreateBuilder<MirrorConfig>();
            if (o["mirrors"] is not JsonArray ma) throw new TraceFormatException("field 'mirrors': expected an array");
            if (ma.Count > TraceLimits.MaxMirrors) throw new TraceFormatException($"field 'mirrors': {ma.Count} mirrors, more than {TraceLimits.MaxMirrors}");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var n in ma)
            {
                if (n is not JsonObject mo) throw new TraceFormatException("field 'mirrors': expected objects");
                Known(mo, MirrorFields, "mirrors.", C);
                string name = Str(mo, "name");
                if (name.Length == 0 || name.Length > TraceLimits.MaxName || name == "cpu" || name.Any(char.IsControl))
                    throw new TraceFormatException($"field 'mirrors.name': '{name}' is not a mirror name (1 to {TraceLimits.MaxName} characters, not cpu)");
                if (!names.Add(name)) throw new TraceFormatException($"field 'mirrors.name': two mirrors named '{name}'");
                string ks = Str(mo, "kind");
                var kind = ks switch
                {
                    "interval" => MirrorKind.Interval, "mm" => MirrorKind.Mm, "invalidate_page" => MirrorKind.InvalidatePage, "secondary_tlb" => MirrorKind.SecondaryTlb,
                    _ => throw new TraceFormatException($"field 'mirrors.kind': unknown kind '{ks}' (interval, mm, invalidate_page, secondary_tlb)"),
                };
                Policy policy = Policy.UnmapAll;
                if (mo["policy"] is JsonObject po)
                {
                    Known(po, PolicyFields, "policy.", C);
                    var reactions = ImmutableDictionary.CreateBuilder<MmuEvent, Reaction>();
                    if (po["reactions"] is JsonObject ro)
                        foreach (var (k, v) in ro)
                        {
                            if (!Enum.GetNames<MmuEvent>().Contains(k) || !Enum.TryParse<MmuEvent>(k, false, out var ev)) throw new TraceFormatException($"field 'policy.reactions': unknown event '{k}'");
                            reactions[ev] = ParseReaction(OptStr(v, $"policy.reactions.{k}") ?? "", $"policy.reactions.{k}");
                        }
                    else if (po["reactions"] is not null) throw new TraceFormatException("field 'policy.reactions': expected an object");
                    string at = OptStr(po["at"], "policy.at") ?? "start";
                    string pname = OptStr(po["name"], "policy.name") ?? "custom";
                    if (pname.Length > TraceLimits.MaxName) throw new TraceFormatException($"field 'policy.name': longer than {TraceLimits.MaxName} characters");
                    policy = new Policy(pname, reactions.ToImmutable(),
                        ParseReaction(OptStr(po["default"], "policy.default") ?? "unmap", "policy.default"),
                        at switch { "start" => TeardownAt.Start, "end" => TeardownAt.End, "finish" => TeardownAt.Finish, _ => throw new TraceFormatException($"field 'policy.at': '{at}' is not start, end or finish") });
                }
                else if (mo["policy"] is JsonValue pv)
                {
                    try { policy = Policy.Named(OptStr(pv, "policy") ?? ""); }
                    catch (ArgumentException e) { throw new TraceFormatException($"field 'policy': {e.Message}"); }
                }
                else if (mo["policy"] is not null) throw new TraceFormatException("field 'policy': expected a policy name or object");
                PageRange? span = null;
                if (mo["span"] is JsonArray sa)
                {
                    if (sa.Count != 2 || sa[0] is not JsonValue a || !a.TryGetValue(out int ss) || sa[1] is not JsonValue b || !b.TryGetValue(out int se) || ss < 0 || se > pages || ss >= se)
                        throw new TraceFormatException($"field 'mirrors.span': expected [start, end) inside [0, {pages})");
                    span = new PageRange(ss, se);
                }
                else if (mo["span"] is not null) throw new TraceFormatException("field 'mirrors.span': expected [start, end) or null");
                mirrors.Add(new MirrorConfig(name, kind, policy, Bool(mo, "skip_read_retry"), Bool(mo, "read_retry_outside_lock"),
                    mo["fault_chunk"] is null ? 2 : Int(mo, "fault_chunk", 1, pages), span, Bool(mo, "exclusive_owner_null")));
            }
            // a listener API the vocabulary's kernel does not have (linux-7.2 include/linux/mmu_notifier.h invalidate_finish;
            // none in linux-6.12): a trace of a two-pass listener under linux-6.1 was accepted (review of session 10)
            if (mirrors.FirstOrDefault(m => m.Kind == MirrorKind.Interval && m.Listener.At == TeardownAt.Finish) is { } tp
                && Vocabularies.Api(EventTables.Name(vocab), "two-pass-interval") is null)
                throw new TraceFormatException($"field 'policy.at': mirror {tp.Name} is a two-pass interval notifier (invalidate_finish), which vocabulary {EventTables.Name(vocab)} does not have (first in linux-7.2's tree)");
            var mutants = Mutant.None;
            if (o["mutants"] is JsonArray mu)
                foreach (var n in mu)
                {
                    string name = OptStr(n, "mutants") ?? "";
                    if (!Enum.GetNames<Mutant>().Contains(name) || !Enum.TryParse<Mutant>(name, false, out var x) || x == Mutant.None) throw new TraceFormatException($"field 'mutants': unknown mutant '{name}'");
                    if (mutants.HasFlag(x)) throw new TraceFormatException($"field 'mutants': '{name}' is listed twice");
                    mutants |= x;
                }
            else if (o["mutants"] is not null) throw new TraceFormatException("field 'mutants': expected an array");
            return new MmConfig(pages, huge, frames, vocab, mirrors.ToImmutable(), mutants, Bool(o, "huge_zero_page"), Bool(o, "madvise_free_split"),
                Bool(o, "mremap_break_ksm"), Bool(o, "ksm_write_copies"), Bool(o, "pte_folio_split"), Bool(o, "mm_forbids_zeropage"),
                Bool(o, "nested_folio_split"));
        }
        catch (TraceFormatException e) when (e.Column == 1 && raw is not null && FieldOf(e.Message) is { } f)
        {
            throw new TraceFormatException(e.Message, C(f));
        }
    }

    /// <summary>"field 'mirrors.kind': ..." -> "kind" (the last component, to find its column).</summary>
    private static string? FieldOf(string message)
    {
        if (!message.StartsWith("field '", StringComparison.Ordinal)) return null;
        int end = message.IndexOf('\'', 7);
        if (end < 0) return null;
        string f = message[7..end];
        int dot = f.LastIndexOf('.');
        return dot < 0 ? f : f[(dot + 1)..];
    }

    private static void Known(JsonObject o, string[] fields, string prefix, Func<string, int> col)
    {
        foreach (var (k, _) in o)
            if (!fields.Contains(k)) throw new TraceFormatException($"field '{prefix}{k}': unknown field (expected {string.Join(", ", fields)})", col(k));
    }

    private static Reaction ParseReaction(string s, string field) => s switch
    {
        "unmap" => Reaction.Unmap, "write-protect" => Reaction.WriteProtect, "ignore" => Reaction.Ignore, "consult-vma" => Reaction.ConsultVma,
        _ => throw new TraceFormatException($"field '{field}': unknown reaction '{s}' (unmap, write-protect, ignore, consult-vma)"),
    };

    internal static int Int(JsonObject o, string f, int min, int max) =>
        o.ContainsKey(f) ? TraceSchema.Int(o[f], f, 1, min, max) : throw new TraceFormatException($"field '{f}': missing (an integer in [{min}, {max}])");

    /// <summary>An optional string field: null when absent, a one-line error when not a string.</summary>
    internal static string? OptStr(JsonNode? n, string f) =>
        n is null ? null : n is JsonValue v && v.TryGetValue(out string? s) ? s : throw new TraceFormatException($"field '{f}': expected a string");

    internal static string Str(JsonObject o, string f) =>
        o[f] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new TraceFormatException($"field '{f}': expected a string");

    internal static bool Bool(JsonObject o, string f) =>
        o[f] is null ? false : o[f] is JsonValue v && v.TryGetValue(out bool b) ? b : throw new TraceFormatException($"field '{f}': expected true or false");
}
