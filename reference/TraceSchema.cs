using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NotifierSpec.Reference;

/// <summary>
/// The fields a call or step line may carry (docs/trace-format.md), with their types and ranges
/// given the config line: every line of a trace is checked against it before anything judges the
/// trace, by `notifier replay`, `validate` and `refine` alike. An unknown field, a value of the wrong
/// type or out of its range, an unknown op, event, reaction or mirror is malformed input (exit 255),
/// never a rejection and never skipped.
/// </summary>
public static class TraceSchema
{
    private enum T { Page, End, Frame, Int, Seq, SeqOrNull, Bool, Prot, Event, Reaction, Str, Mirror, MirrorOrNull, StrOrNull, Pte, Pages, Mirrors, Vmas, InvalidateResult, RetryResult, Count }

    private sealed record Shape(FrozenDictionary<string, T> Fields, string[] Required, bool DeviceActor);

    private static Shape S(bool device, string[] required, params (string, T)[] fields) =>
        new(fields.ToFrozenDictionary(f => f.Item1, f => f.Item2), required, device);

    private static readonly (string, T) Result = ("result", T.Str);
    private static readonly string[] Range = ["start", "end"];

    private static readonly FrozenDictionary<string, Shape> Calls = new Dictionary<string, Shape>
    {
        ["mmap"] = S(false, [.. Range, "prot"], ("start", T.Page), ("end", T.End), ("prot", T.Prot), ("shared", T.Bool), ("thp", T.Bool), ("mergeable", T.Bool), ("hugetlb", T.Bool), Result),
        ["munmap"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["mprotect"] = S(false, [.. Range, "prot"], ("start", T.Page), ("end", T.End), ("prot", T.Prot), Result),
        ["mremap"] = S(false, [.. Range, "new_start"], ("start", T.Page), ("end", T.End), ("new_start", T.Page), Result),
        ["mremap_dontunmap"] = S(false, [.. Range, "new_start"], ("start", T.Page), ("end", T.End), ("new_start", T.Page), Result),
        ["madvise_dontneed"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["madvise_free"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["madvise_pageout"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["truncate"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["mlock"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["munlock"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["uffdio_writeprotect"] = S(false, Range, ("start", T.Page), ("end", T.End), ("wp", T.Bool), Result),
        ["uffdio_register"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["uffdio_unregister"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["change_prot_numa"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["pagemap_scan_wp"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["madvise_collapse"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["wp_shared_mapping_range"] = S(false, Range, ("start", T.Page), ("end", T.End), Result),
        ["uffdio_move"] = S(false, ["page", "dst"], ("page", T.Page), ("dst", T.Page), ("len", T.Count), Result),
        ["cpu_read"] = S(false, ["page"], ("page", T.Page), Result),
        ["cpu_write"] = S(false, ["page", "value"], ("page", T.Page), ("value", T.Int), Result),
        ["migrate_pages"] = S(false, ["page"], ("page", T.Page), Result),
        ["split_huge_page"] = S(false, ["page"], ("page", T.Page), Result),
        ["collapse_huge_page"] = S(false, ["page"], ("page", T.Page), Result),
        ["writeback"] = S(false, ["page"], ("page", T.Page), Result),
        ["page_referenced"] = S(false, ["page"], ("page", T.Page), Result),
        ["test_young"] = S(false, ["page"], ("page", T.Page), Result),
        ["ksm_merge"] = S(false, ["page", "other"], ("page", T.Page), ("other", T.Page), Result),
        ["fork"] = S(false, [], Result),
        ["child_write"] = S(false, ["child", "page", "value"], ("child", T.Int), ("page", T.Page), ("value", T.Int), Result),
        ["clear_refs"] = S(false, [], Result),
        ["exit_mmap"] = S(false, [], Result),
        ["oom_reap"] = S(false, [], Result),
        ["device_read"] = S(true, ["page"], ("page", T.Page)),
        ["device_write"] = S(true, ["page", "value"], ("page", T.Page), ("value", T.Int)),
        ["mmu_interval_notifier_insert"] = S(true, [], ("seq", T.Seq)),
        ["mmu_interval_notifier_remove"] = S(true, []),
        ["make_device_exclusive"] = S(true, ["page"], ("page", T.Page), Result),
        ["migrate_to_device"] = S(true, Range, ("start", T.Page), ("end", T.End), Result),
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Shape> Steps = new Dictionary<string, Shape>
    {
        // the mm side (run by the CPU operation in flight, under the name of the actor that runs it)
        ["vma_update"] = S(false, [], ("vmas", T.Vmas)),
        ["invalidate_range_start"] = S(false, [], ("start", T.Page), ("end", T.End), ("event", T.Event), ("seq", T.Seq), ("owner", T.MirrorOrNull)),
        ["invalidate_range_start_nonblock"] = S(false, [], ("start", T.Page), ("end", T.End), ("event", T.Event), ("seq", T.Seq), ("owner", T.MirrorOrNull)),
        ["invalidate"] = S(false, [], ("mirror", T.Mirror), ("event", T.Event), ("reaction", T.Reaction), ("seq", T.SeqOrNull), ("unmapped", T.Pages), ("result", T.InvalidateResult)),
        ["invalidate_finish"] = S(false, [], ("mirror", T.Mirror), ("event", T.Event), ("reaction", T.Reaction), ("unmapped", T.Pages)),
        ["device_atomic_map"] = S(false, [], ("page", T.Page), ("frame", T.Frame), Result),
        ["device_migrate_map"] = S(false, [], ("mirror", T.Mirror), ("pages", T.Pages)),
        ["device_pte_erase"] = S(false, [], ("mirror", T.Mirror), ("page", T.Page)),
        ["clear_flush_young"] = S(false, [], ("page", T.Page), ("young", T.Bool), ("mirrors", T.Mirrors)),
        ["test_young"] = S(false, [], ("page", T.Page), ("young", T.Bool), ("mirrors", T.Mirrors)),
        ["pte_update"] = S(false, [], ("page", T.Page), ("old", T.Pte), ("new", T.Pte), Result),
        ["tlb_flush"] = S(false, [], ("start", T.Page), ("end", T.End), ("secondary", T.StrOrNull), ("mirrors", T.Mirrors)),
        ["invalidate_page"] = S(false, [], ("page", T.Page), ("event", T.Event)),
        ["free_frame"] = S(false, [], ("frame", T.Frame), ("freed", T.Bool)),
        ["copy_page"] = S(false, [], ("from", T.Frame), ("to", T.Frame), ("value", T.Int)),
        ["copy_pte_range"] = S(false, [], ("start", T.Page), ("end", T.End), ("pages", T.Pages)),
        ["child_fault"] = S(false, [], ("child", T.Int), ("page", T.Page), ("path", T.Str), ("frame", T.Frame), ("old", T.Frame), ("freed", T.Bool)),
        ["release"] = S(false, [], ("mirrors", T.Mirrors)),
        ["cpu_read"] = S(false, [], ("page", T.Page), ("frame", T.Frame), ("value", T.Int)),
        ["cpu_write"] = S(false, [], ("page", T.Page), ("frame", T.Frame), ("value", T.Int)),
        ["invalidate_range_end"] = S(false, [], ("start", T.Page), ("end", T.End)),
        ["mm_exited"] = S(false, []),
        // the device side
        ["device_read"] = S(true, [], ("page", T.Page), ("frame", T.Frame), ("value", T.Int), Result),
        ["device_write"] = S(true, [], ("page", T.Page), ("frame", T.Frame), ("value", T.Int), Result),
        ["mmu_interval_read_begin"] = S(true, [], ("seq", T.Seq)),
        ["hmm_range_fault"] = S(true, [], ("page", T.Page), ("pages", T.Pages), ("write", T.Bool), Result),
        ["tlb_fill"] = S(true, [], ("pages", T.Pages)),
        ["device_lock"] = S(true, []),
        ["mmu_interval_read_retry"] = S(true, [], ("seq", T.Seq), ("result", T.RetryResult)),
        ["device_pte_install"] = S(true, [], ("pages", T.Pages)),
        ["device_unlock"] = S(true, []),
        ["mmu_interval_notifier_remove"] = S(true, []),
    }.ToFrozenDictionary();

    private static readonly FrozenSet<string> EventNames = Enum.GetNames<MmuEvent>().ToFrozenSet();
    private static readonly FrozenSet<string> Reactions =
        new[] { "unmap", "write-protect", "ignore", "consult-vma" }.SelectMany(r => new[] { r, r + "-at-end", r + "-at-finish" }).Append("owner").ToFrozenSet();
    private static readonly string[] PteFields = ["frame", "prot", "dirty", "young", "soft_dirty", "huge"];
    private static readonly string[] VmaFields = ["start", "end", "prot", "shared", "mlocked", "mergeable", "thp", "hugetlb"];

    /// <summary>Checks a call or step line against the config; throws TraceFormatException with the column.</summary>
    public static void CheckLine(JsonObject o, string raw, MmConfig c)
    {
        string kind = TraceConfig.Str(o, "kind");
        if (kind == "config") throw new TraceFormatException("field 'kind': a second config line", Replay.Col(raw, "kind"));
        var table = kind switch
        {
            "call" => Calls, "step" => Steps,
            _ => throw new TraceFormatException($"field 'kind': '{kind}' is not config, call or step", Replay.Col(raw, "kind")),
        };
        string op = Str(o, raw, "op");
        string actor = Str(o, raw, "actor");
        if (!table.TryGetValue(op, out var shape))
            throw new TraceFormatException($"field 'op': unknown {kind} '{op}'{(kind == "call" ? $" (known: {string.Join(", ", Replay.CallNames)})" : "")}", Replay.Col(raw, "op"));
        bool isMirror = c.MirrorList.Any(m => m.Name == actor);
        if (shape.DeviceActor ? !isMirror : !isMirror && actor != "cpu")
            throw new TraceFormatException($"field 'actor': {(shape.DeviceActor ? "" : "not cpu and ")}no mirror named '{actor}' in the config", Replay.Col(raw, "actor"));
        foreach (var (k, v) in o)
        {
            if (k is "kind" or "op" or "actor") continue;
            if (!shape.Fields.TryGetValue(k, out var t))
                throw new TraceFormatException($"field '{k}': not a field of {kind} '{op}' (its fields: {string.Join(", ", shape.Fields.Keys.Order(StringComparer.Ordinal))})", Replay.Col(raw, k));
            CheckValue(v, t, k, raw, c);
        }
        foreach (var r in shape.Required)
            if (!o.ContainsKey(r)) throw new TraceFormatException($"field '{r}': missing (a {kind} '{op}' needs {string.Join(", ", shape.Required)})", Replay.Col(raw, "op"));
    }

    private static string Str(JsonObject o, string raw, string f) =>
        o[f] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new TraceFormatException(o.ContainsKey(f) ? $"field '{f}': expected a string, got {Kind(o[f])}" : $"field '{f}': missing", Replay.Col(raw, f));

    private static void CheckValue(JsonNode? v, T t, string f, string raw, MmConfig c)
    {
        int col = Replay.Col(raw, f);
        TraceFormatException Bad(string what) => new($"field '{f}': {what}", col);
        switch (t)
        {
            case T.Page: Int(v, f, col, 0, c.Pages - 1); break;
            case T.End: Int(v, f, col, 1, c.Pages); break;
            case T.Count: Int(v, f, col, 1, c.Pages); break;
            case T.Frame: Int(v, f, col, 0, c.Frames - 1); break;
            case T.Int: Int(v, f, col, int.MinValue, int.MaxValue); break;
            case T.Seq: Long(v, f, col); break;
            case T.SeqOrNull: if (v is not null) Long(v, f, col); break;
            case T.Bool: if (v is not JsonValue bv || bv.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) throw Bad($"expected true or false, got {Kind(v)}"); break;
            case T.Prot: OneOf(v, f, col, ["none", "r", "rw"]); break;
            case T.Event: OneOf(v, f, col, EventNames); break;
            case T.Reaction: OneOf(v, f, col, Reactions); break;
            case T.InvalidateResult: OneOf(v, f, col, ["ok", "EAGAIN"]); break;
            case T.RetryResult: OneOf(v, f, col, ["ok", "retry"]); break;
            case T.Str: String(v, f, col, TraceLimits.MaxResult); break;
            case T.StrOrNull: if (v is not null) String(v, f, col, TraceLimits.MaxResult); break;
            case T.Mirror: MirrorName(v, f, col, c); break;
            case T.MirrorOrNull: if (v is not null) MirrorName(v, f, col, c); break;
            case T.Pages:
                if (v is not JsonArray pa) throw Bad($"expected an array of pages, got {Kind(v)}");
                if (pa.Count > c.Pages) throw Bad($"{pa.Count} pages, more than the config's {c.Pages}");
                foreach (var x in pa) Int(x, f, col, 0, c.Pages - 1);
                break;
            case T.Mirrors:
                if (v is not JsonArray ma) throw Bad($"expected an array of mirror names, got {Kind(v)}");
                if (ma.Count > c.MirrorList.Length) throw Bad($"{ma.Count} mirrors, more than the config's {c.MirrorList.Length}");
                foreach (var x in ma) MirrorName(x, f, col, c);
                break;
            case T.Pte:
                if (v is null) break;
                if (v is not JsonObject po) throw Bad($"expected a PTE object or null, got {Kind(v)}");
                Record(po, f, col, PteFields, c);
                break;
            case T.Vmas:
                if (v is not JsonArray va) throw Bad($"expected an array of VMAs, got {Kind(v)}");
                if (va.Count > c.Pages) throw Bad($"{va.Count} VMAs, more than the config's {c.Pages} pages");
                foreach (var x in va)
                {
                    if (x is not JsonObject vo) throw Bad($"expected VMA objects, got {Kind(x)}");
                    Record(vo, f, col, VmaFields, c);
                }
                break;
        }
    }

    /// <summary>A PTE or VMA object: exactly the given fields.</summary>
    private static void Record(JsonObject o, string f, int col, string[] fields, MmConfig c)
    {
        foreach (var (k, x) in o)
        {
            string name = $"{f}.{k}";
            switch (k)
            {
                case "frame" when fields == PteFields: Int(x, name, col, 0, c.Frames - 1); break;
                case "start" when fields == VmaFields: Int(x, name, col, 0, c.Pages - 1); break;
                case "end" when fields == VmaFields: Int(x, name, col, 1, c.Pages); break;
                case "prot": OneOf(x, name, col, ["none", "r", "rw"]); break;
                default:
                    if (!fields.Contains(k)) throw new TraceFormatException($"field '{name}': unknown (expected {string.Join(", ", fields)})", col);
                    if (x is not JsonValue bv || bv.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                        throw new TraceFormatException($"field '{name}': expected true or false, got {Kind(x)}", col);
                    break;
            }
        }
        foreach (var k in fields) if (!o.ContainsKey(k)) throw new TraceFormatException($"field '{f}.{k}': missing", col);
    }

    private static void MirrorName(JsonNode? v, string f, int col, MmConfig c)
    {
        if (v is not JsonValue sv || !sv.TryGetValue(out string? s)) throw new TraceFormatException($"field '{f}': expected a mirror name, got {Kind(v)}", col);
        if (!c.MirrorList.Any(m => m.Name == s)) throw new TraceFormatException($"field '{f}': no mirror named '{s}' in the config", col);
    }

    private static void String(JsonNode? v, string f, int col, int max)
    {
        if (v is not JsonValue sv || !sv.TryGetValue(out string? s)) throw new TraceFormatException($"field '{f}': expected a string, got {Kind(v)}", col);
        if (s.Length > max) throw new TraceFormatException($"field '{f}': a string of {s.Length} characters, longer than {max}", col);
    }

    private static void OneOf(JsonNode? v, string f, int col, IEnumerable<string> allowed)
    {
        if (v is not JsonValue sv || !sv.TryGetValue(out string? s)) throw new TraceFormatException($"field '{f}': expected a string, got {Kind(v)}", col);
        if (!allowed.Contains(s))
        {
            var list = allowed.ToList();
            string known = list.Count <= 12 ? $" (expected {string.Join(", ", list)})" : "";
            throw new TraceFormatException($"field '{f}': unknown value '{Clip(s)}'{known}", col);
        }
    }

    /// <summary>An integer in [min, max]: "out of range" for an integer outside it, "expected an integer" for anything else.</summary>
    public static int Int(JsonNode? v, string f, int col, int min, int max)
    {
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number)
        {
            if (jv.TryGetValue(out int i))
            {
                if (i < min || i > max) throw new TraceFormatException($"field '{f}': {i} is out of range [{min}, {max}]", col);
                return i;
            }
            string text = jv.ToJsonString();
            if (IsIntegerText(text)) throw new TraceFormatException($"field '{f}': {Clip(text)} is out of range [{min}, {max}]", col);
            throw new TraceFormatException($"field '{f}': expected an integer, got {Clip(text)}", col);
        }
        throw new TraceFormatException($"field '{f}': expected an integer, got {Kind(v)}", col);
    }

    private static long Long(JsonNode? v, string f, int col)
    {
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number)
        {
            if (jv.TryGetValue(out long l) && l >= 0) return l;
            string text = jv.ToJsonString();
            if (IsIntegerText(text)) throw new TraceFormatException($"field '{f}': {Clip(text)} is out of range [0, {long.MaxValue}]", col);
            throw new TraceFormatException($"field '{f}': expected an integer, got {Clip(text)}", col);
        }
        throw new TraceFormatException($"field '{f}': expected an integer, got {Kind(v)}", col);
    }

    private static bool IsIntegerText(string s) => s.Length > 0 && s.TrimStart('-').All(char.IsAsciiDigit);

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "...";

    /// <summary>What a JSON value is, for messages: "a string", "null", "an object"...</summary>
    public static string Kind(JsonNode? v) => v switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue jv => jv.GetValueKind() switch
        {
            JsonValueKind.String => $"the string \"{Clip(jv.GetValue<string>())}\"",
            JsonValueKind.Number => $"the number {Clip(jv.ToJsonString())}",
            JsonValueKind.True or JsonValueKind.False => jv.ToJsonString(),
            _ => "a value",
        },
        _ => "a value",
    };
}
