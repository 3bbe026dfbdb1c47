using System.Collections.Immutable;
using System.Text;

namespace NotifierSpec.Reference;

/// <summary>One call of the notifier API found in a kernel tree.</summary>
public sealed record FoundCall(string File, int Line, string Function, string Api, string? Event, string? Owner);

/// <summary>A tree that cannot be audited (not readable, not a kernel tree): one line.</summary>
public sealed class KernelTreeException(string message) : Exception(message);

/// <summary>
/// A small C-aware scanner for `notifier audit`: finds every call of the notifier API in a kernel tree with
/// its enclosing function (tracked through brace depth; comments, strings, character literals and
/// preprocessor lines skipped), and for range_init(_owner) and `.event = MMU_NOTIFY_X` initialisers the event
/// and owner argument. Calls through a member (`ops->arch_invalidate_secondary_tlbs(...)`: the chain itself)
/// and calls inside macros are not reported; include/linux/mmu_notifier.h (the API's own definitions) is not
/// scanned.
/// </summary>
public static class KernelScanner
{
    /// <summary>The API names audited, as written in a call, with the name the catalogue uses.</summary>
    public static readonly ImmutableDictionary<string, string> Apis = new Dictionary<string, string>
    {
        ["mmu_notifier_range_init"] = "range_init",
        ["mmu_notifier_range_init_owner"] = "range_init_owner",
        ["mmu_notifier_invalidate_range_start"] = "invalidate_range_start",
        ["mmu_notifier_invalidate_range_start_nonblock"] = "invalidate_range_start_nonblock",
        ["mmu_notifier_invalidate_range_end"] = "invalidate_range_end",
        ["mmu_notifier_clear_flush_young"] = "clear_flush_young",
        ["mmu_notifier_clear_young"] = "clear_young",
        ["mmu_notifier_test_young"] = "test_young",
        ["ptep_clear_flush_young_notify"] = "clear_flush_young",
        ["pmdp_clear_flush_young_notify"] = "clear_flush_young",
        ["ptep_clear_young_notify"] = "clear_young",
        ["pmdp_clear_young_notify"] = "clear_young",
        ["mmu_notifier_arch_invalidate_secondary_tlbs"] = "arch_invalidate_secondary_tlbs",
        ["arch_invalidate_secondary_tlbs"] = "arch_invalidate_secondary_tlbs",
    }.ToImmutableDictionary();

    /// <summary>The top-level directories scanned (where the callers live: range_init only in mm/, fs/,
    /// kernel/; the young callbacks in mm/; arch_invalidate_secondary_tlbs in arch/ and drivers/iommu/).</summary>
    public static readonly ImmutableArray<string> Dirs = ["mm", "fs", "kernel", "arch", "include", "virt", "lib", "drivers"];

    private static readonly string[] Needles = ["mmu_notifier_", "young_notify", "arch_invalidate_secondary_tlbs"];

    private static readonly HashSet<string> NotFunctionNames =
        ["__attribute__", "__printf", "__section", "__aligned", "__alias", "__diagnose_as", "__cond_acquires", "__acquires", "__releases", "__must_hold", "__no_context_analysis", "if", "while", "for", "switch", "sizeof", "typeof", "__typeof__"];

    /// <summary>Checks the tree is a kernel tree and scans it (files in ordinal order: deterministic).</summary>
    public static (ImmutableArray<FoundCall> Calls, ImmutableHashSet<string> Functions) ScanTree(string root)
    {
        if (!Directory.Exists(root)) throw new KernelTreeException($"{root}:1:1: {(File.Exists(root) ? "not a directory" : "no such directory")}");
        if (!File.Exists(Path.Combine(root, "include", "linux", "mmu_notifier.h")) || !Directory.Exists(Path.Combine(root, "mm")))
            throw new KernelTreeException($"{root}:1:1: not a kernel source tree (no include/linux/mmu_notifier.h and mm/)");
        var files = new List<string>();
        foreach (var d in Dirs)
        {
            string dir = Path.Combine(root, d);
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.ReparsePoint }))
                if (f.EndsWith(".c", StringComparison.Ordinal) || f.EndsWith(".h", StringComparison.Ordinal)) files.Add(f);
        }
        files.Sort(StringComparer.Ordinal);
        var results = new (List<FoundCall> Calls, List<string> Functions)?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            string rel = Path.GetRelativePath(root, files[i]).Replace('\\', '/');
            if (rel == "include/linux/mmu_notifier.h") return;
            byte[] bytes = File.ReadAllBytes(files[i]);
            if (!Needles.Any(n => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(n)) >= 0)) return;
            results[i] = Scan(Encoding.Latin1.GetString(bytes), rel);
        });
        var calls = ImmutableArray.CreateBuilder<FoundCall>();
        var functions = ImmutableHashSet.CreateBuilder<string>();
        foreach (var r in results)
            if (r is { } x) { calls.AddRange(x.Calls); foreach (var fn in x.Functions) functions.Add(fn); }
        return (calls.ToImmutable(), functions.ToImmutable());
    }

    private enum Tok { Ident, Punct }

    /// <summary>Scans one C file: the API calls in it, and "file function" for every function it defines
    /// that calls one.</summary>
    public static (List<FoundCall> Calls, List<string> Functions) Scan(string text, string file)
    {
        // 1. tokens (identifiers, numbers as identifiers, single punctuation), with line numbers
        var toks = new List<(Tok Kind, string Text, int Line)>();
        int i = 0, line = 1, n = text.Length;
        bool lineStart = true;
        while (i < n)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; lineStart = true; continue; }
            if (c is ' ' or '\t' or '\r' or '\f' or '\v') { i++; continue; }
            if (c == '#' && lineStart)
            {
                // preprocessor line, with backslash continuations (comments inside are skipped with it)
                while (i < n && text[i] != '\n')
                {
                    if (text[i] == '\\' && i + 1 < n && text[i + 1] == '\n') { line++; i += 2; continue; }
                    if (text[i] == '/' && i + 1 < n && text[i + 1] == '*')
                    {
                        i += 2;
                        while (i < n && !(text[i] == '*' && i + 1 < n && text[i + 1] == '/')) { if (text[i] == '\n') line++; i++; }
                        i += 2; continue;
                    }
                    i++;
                }
                continue;
            }
            lineStart = false;
            if (c == '/' && i + 1 < n && text[i + 1] == '/') { while (i < n && text[i] != '\n') i++; continue; }
            if (c == '/' && i + 1 < n && text[i + 1] == '*')
            {
                i += 2;
                while (i < n && !(text[i] == '*' && i + 1 < n && text[i + 1] == '/')) { if (text[i] == '\n') line++; i++; }
                i += 2; continue;
            }
            if (c is '"' or '\'')
            {
                char q = c; i++;
                while (i < n && text[i] != q) { if (text[i] == '\\') i++; else if (text[i] == '\n') line++; i++; }
                i++; toks.Add((Tok.Ident, "<lit>", line)); continue;
            }
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                int s = i;
                while (i < n && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                toks.Add((Tok.Ident, text[s..i], line)); continue;
            }
            if (c == '-' && i + 1 < n && text[i + 1] == '>') { toks.Add((Tok.Punct, "->", line)); i += 2; continue; }
            toks.Add((Tok.Punct, c.ToString(), line)); i++;
        }

        // 2. walk: brace depth, the enclosing function, calls and `.event = X` initialisers
        var calls = new List<FoundCall>();
        var functions = new List<string>();
        int depth = 0, paren0 = 0;
        string? candidate = null, function = null;
        bool candidateLocked = false;
        for (int k = 0; k < toks.Count; k++)
        {
            var t = toks[k];
            if (depth == 0)
            {
                if (t.Text == ";") { candidate = null; candidateLocked = false; paren0 = 0; continue; }
                if (t.Text == "(")
                {
                    if (paren0 == 0 && !candidateLocked && k > 0 && toks[k - 1].Kind == Tok.Ident && !NotFunctionNames.Contains(toks[k - 1].Text))
                    {
                        candidate = toks[k - 1].Text;
                        if (candidate.Contains("SYSCALL_DEFINE", StringComparison.Ordinal) && k + 1 < toks.Count && toks[k + 1].Kind == Tok.Ident)
                            candidate = "sys_" + toks[k + 1].Text;
                        candidateLocked = true;
                    }
                    paren0++; continue;
                }
                if (t.Text == ")") { paren0 = Math.Max(0, paren0 - 1); continue; }
                if (t.Text == "{")
                {
                    bool isFunction = candidate is not null && paren0 == 0 && k > 0 && toks[k - 1].Text != "=";
                    function = isFunction ? candidate : null;
                    if (function is not null) functions.Add($"{file} {function}");
                    depth = 1; candidate = null; candidateLocked = false;
                    continue;
                }
                continue;
            }
            if (t.Text == "{") { depth++; continue; }
            if (t.Text == "}") { depth--; if (depth == 0) function = null; continue; }
            if (function is null) continue;
            if (t.Kind == Tok.Ident && Apis.TryGetValue(t.Text, out var api) && k + 1 < toks.Count && toks[k + 1].Text == "("
                && !(k > 0 && toks[k - 1].Text is "->" or "."))
            {
                var args = Arguments(toks, k + 1);
                string? ev = null, owner = null;
                if (api is "range_init" or "range_init_owner")
                {
                    ev = args.Count > 1 ? args[1] : null;
                    if (api == "range_init_owner") owner = args.Count > 0 ? args[^1] : null;
                }
                calls.Add(new FoundCall(file, t.Line, function, api, ev, owner));
                continue;
            }
            if (t.Text == "." && k + 3 < toks.Count && toks[k + 1].Text == "event" && toks[k + 2].Text == "=" && toks[k + 3].Text.StartsWith("MMU_NOTIFY_", StringComparison.Ordinal))
                calls.Add(new FoundCall(file, toks[k + 3].Line, function, "range_initializer", toks[k + 3].Text, null));
        }
        return (calls, functions.Distinct().ToList());
    }

    /// <summary>The top-level arguments of the call whose '(' is at index open, each as its tokens joined by
    /// single spaces where two identifiers meet (`&amp;range`, `vma->vm_mm`, `NULL`).</summary>
    private static List<string> Arguments(List<(Tok Kind, string Text, int Line)> toks, int open)
    {
        var args = new List<string>();
        var cur = new StringBuilder();
        int depth = 0;
        string? prev = null;
        for (int k = open; k < toks.Count; k++)
        {
            string s = toks[k].Text;
            if (s is "(" or "[" or "{") { depth++; if (depth == 1) continue; }
            else if (s is ")" or "]" or "}") { depth--; if (depth == 0) { args.Add(cur.ToString()); break; } }
            else if (s == "," && depth == 1) { args.Add(cur.ToString()); cur.Clear(); prev = null; continue; }
            if (prev is not null && toks[k].Kind == Tok.Ident && (char.IsLetterOrDigit(prev[^1]) || prev[^1] == '_')) cur.Append(' ');
            cur.Append(s); prev = s;
        }
        return args;
    }
}

/// <summary>One difference (or known, deliberately unmodelled row) between a tree and a vocabulary.</summary>
public sealed record AuditFinding(string Kind, string File, int Line, string Function, string Api, string Message);

/// <summary>`notifier audit`: compares a scanned tree with a vocabulary's kernel call sites.</summary>
public static class KernelAudit
{
    public static string Key(string file, string function, string api) => $"{file} {function} {api}";

    private static string Norm(string? s) => s is null ? "" : s.Replace(" ", "", StringComparison.Ordinal);

    /// <summary>Differences (kinds: missing, event, owner, gone-call, gone-function, model-event) and the known
    /// rows (kind: known), in file/line order; the differences decide the exit code.</summary>
    public static ImmutableArray<AuditFinding> Compare(KernelVocabulary voc, ImmutableArray<FoundCall> calls, ImmutableHashSet<string> functions)
    {
        var findings = new List<AuditFinding>();
        var found = calls.GroupBy(c => Key(c.File, c.Function, c.Api)).ToDictionary(g => g.Key, g => g.ToList());
        var rows = voc.KernelSites.GroupBy(r => Key(r.File, r.Function, r.Api)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (key, fc) in found)
        {
            var c0 = fc[0];
            if (!rows.TryGetValue(key, out var rs))
            {
                foreach (var c in fc)
                    findings.Add(new("missing", c.File, c.Line, c.Function, c.Api,
                        $"{c.Api}{(c.Event is { } e ? $"({e}{(c.Owner is { } o ? $", owner {o}" : "")})" : "")} is not in vocabulary {voc.Name}"));
                continue;
            }
            var fe = fc.Select(c => Norm(c.Event)).Distinct().Order().ToList();
            var re = rs.Select(r => Norm(r.Event)).Distinct().Order().ToList();
            if (!fe.SequenceEqual(re))
                findings.Add(new("event", c0.File, c0.Line, c0.Function, c0.Api,
                    $"sends {string.Join(", ", fc.Select(c => c.Event ?? "-"))}; vocabulary {voc.Name} says {string.Join(", ", rs.Select(r => r.Event ?? "-"))}"));
            else if (!fc.Select(c => Norm(c.Owner)).Distinct().Order().SequenceEqual(rs.Select(r => Norm(r.Owner)).Distinct().Order()))
                findings.Add(new("owner", c0.File, c0.Line, c0.Function, c0.Api,
                    $"owner {string.Join(", ", fc.Select(c => c.Owner ?? "-"))}; vocabulary {voc.Name} says {string.Join(", ", rs.Select(r => r.Owner ?? "-"))}"));
            foreach (var status in rs.Where(r => r.Status is not null).Select(r => r.Status!).Distinct())
                findings.Add(new("known", c0.File, c0.Line, c0.Function, c0.Api, status));
        }
        foreach (var (key, rs) in rows)
        {
            if (found.ContainsKey(key)) continue;
            var r = rs[0];
            bool exists = functions.Contains($"{r.File} {r.Function}") || FunctionDefined(functions, r.Function);
            findings.Add(new(exists ? "gone-call" : "gone-function", r.File, 0, r.Function, r.Api,
                exists ? $"no longer calls {r.Api} (vocabulary {voc.Name} has a row)" : $"function no longer exists in {r.File} (vocabulary {voc.Name} has a row)"));
        }
        // a modelled kernel site must send the event its model row sends
        foreach (var r in voc.KernelSites.Where(r => r.ModelSite is not null && r.Event is not null))
        {
            var row = voc.Row(r.ModelSite!)!;
            var modelEvents = row.EventByProt?.Values.ToHashSet() ?? (row.Event is { } e ? [e] : []);
            if (!modelEvents.Contains(r.Event!))
                findings.Add(new("model-event", r.File, 0, r.Function, r.Api,
                    $"sends {r.Event}, but the model row {r.ModelSite} of vocabulary {voc.Name} sends {string.Join("|", modelEvents)}"));
        }
        return [.. findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Function, StringComparer.Ordinal).ThenBy(f => f.Api, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal)];
    }

    private static bool FunctionDefined(ImmutableHashSet<string> functions, string name) => functions.Any(f => f.EndsWith(" " + name, StringComparison.Ordinal));
}
