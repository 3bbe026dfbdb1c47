using System.Text;

namespace NotifierSpec.Reference;

/// <summary>
/// The part of tla/NotifierEvents.tla generated from the catalogue (`notifier events --tla`): the
/// vocabularies, their event sets, the TLA+ sites, each vocabulary's site -> event and site -> mechanism
/// table and each event's class. The block sits between <see cref="Begin"/> and <see cref="End"/>;
/// tests/Reference.Tests/CatalogueTests.cs fails on any difference.
/// </summary>
public static class CatalogueTla
{
    public const string Begin = "\\* BEGIN GENERATED from catalogue/vocabulary.json by `notifier events --tla`: do not edit by hand";
    public const string End = "\\* END GENERATED";

    private static readonly string[] ClassOrder = ["wp", "same", "up", "prot", "unmap"];

    /// <summary>The TLA+ operator name of a vocabulary's table: v7 -> V7Event, linux-7.2 -> Linux7x2Event.</summary>
    public static string OperatorName(string vocabulary)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in vocabulary)
        {
            if (c == '-') { upper = true; continue; }
            if (c == '.') { sb.Append('x'); continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sb.Append("Event").ToString();
    }

    private static string FamilySet(string family) => OperatorName(family) + "s";

    private static string Q(string s) => "\"" + s + "\"";

    private static string Set(IEnumerable<string> items, int indent)
    {
        var lines = new List<string>();
        var cur = new StringBuilder("{");
        foreach (var (it, i) in items.Select((x, i) => (x, i)))
        {
            string piece = (i > 0 ? ", " : "") + Q(it);
            int col = (lines.Count == 0 ? indent : 0) + cur.Length;
            if (col + piece.Length > 92 && i > 0) { lines.Add(cur.Append(',').ToString()); cur = new StringBuilder(new string(' ', indent + 1)).Append(Q(it)); }
            else cur.Append(piece);
        }
        lines.Add(cur.Append('}').ToString());
        return string.Join("\n", lines);
    }

    public static string Generate(Catalogue c)
    {
        var w = new StringBuilder();
        void L(string s = "") => w.Append(s).Append('\n');
        var sites = c.SitesOf("tla").ToList();
        L(Begin);
        L($"Vocabularies == {Set(c.Vocabularies.Select(v => v.Name), 16)}");
        L();
        foreach (var f in c.File.Families)
        {
            L($"\\* {f.Name}: {f.About}");
            string head = $"{FamilySet(f.Name)} == ";
            L(head + Set(f.Events.Select(e => e.Name), head.Length));
        }
        L();
        L("\\* The vocabularies whose events are enum mmu_notifier_event (device-exclusive entries exist there).");
        L($"UpstreamFamily == {Set(c.Vocabularies.Where(v => v.Family.Name == "upstream").Select(v => v.Name), 18)}");
        L();
        L("EventsOf(voc) ==");
        var families = c.File.Families.ToList();
        for (int i = 0; i < families.Count; i++)
        {
            var f = families[i];
            var names = c.Vocabularies.Where(v => v.Family.Name == f.Name).Select(v => v.Name).ToList();
            string guard = names.Count == 1 ? $"voc = {Q(names[0])}" : $"voc \\in {Set(names, 12)}";
            string set = FamilySet(f.Name) + (f.ReleasePseudoEvent ? " \\cup {ReleasePseudoEvent}" : "");
            L($"    {(i == 0 ? "CASE" : "  []")} {guard} -> {set}");
        }
        L();
        L("\\* The call sites tla/ runs (kernel function names) and the user operations that reach them.");
        for (int i = 0; i < sites.Count; i++)
            L($"{(i == 0 ? "Sites == {" : "          ")}{Q(sites[i].Site)}{(i == sites.Count - 1 ? "}" : ",")}{new string(' ', Math.Max(1, 34 - sites[i].Site.Length))}\\* {string.Join(", ", sites[i].Ops)}");
        L();
        L("(***************************************************************************)");
        L("(* Notification mechanism and event per vocabulary and call site.         *)");
        L("(*  \"range\"    : invalidate_range_start ... invalidate_range_end           *)");
        L("(*  \"page\"     : v7's mmu_notifier_invalidate_page, called after           *)");
        L("(*               pte_unmap_unlock, i.e. AFTER the PTE change (rmap.c; bug  *)");
        L("(*               B1, removed in 4.13 by ea25c4317946)                       *)");
        L("(*  \"nonblock\" : mmu_notifier_invalidate_range_start_nonblock (OOM reaper)  *)");
        L("(*  \"release\"  : exit_mmap -> mmu_notifier_release (R12), then unmap       *)");
        L("(*  \"none\"     : no notification (the event is \"none\" too)                *)");
        L("(* prot is the new VMA protection for mprotect (0 none, 1 read, 2 rw).     *)");
        L("(***************************************************************************)");
        L("MechOf(voc, site) ==");
        for (int i = 0; i < c.Vocabularies.Length; i++)
        {
            var v = c.Vocabularies[i];
            var special = sites.Select(s => v.Row(s.Site)!).Where(r => r.Mechanism != "range").ToList();
            string body = special.Count == 0 ? "\"range\""
                : "(CASE " + string.Join("\n" + new string(' ', 12 + v.Name.Length + 8) + " [] ", special.Select(r => $"site = {Q(r.Site)} -> {Q(r.Mechanism)}"))
                  + "\n" + new string(' ', 12 + v.Name.Length + 8) + " [] OTHER -> \"range\")";
            L($"    {(i == 0 ? "CASE" : "  []")} voc = {Q(v.Name)} -> {body}");
        }
        L();
        foreach (var v in c.Vocabularies)
        {
            L($"\\* {v.Name}{(v.AliasOf is { } a ? $" (the newest release: {a})" : v.Release is { } rel ? $" ({rel})" : "")}");
            L($"{OperatorName(v.Name)}(site, prot) ==");
            for (int i = 0; i < sites.Count; i++)
            {
                var r = v.Row(sites[i].Site)!;
                string ev = r.EventByProt is { } m
                    ? $"(CASE prot = 0 -> {Q(m["none"])} [] prot = 1 -> {Q(m["read"])} [] prot = 2 -> {Q(m["read-write"])})"
                    : Q(r.Event ?? "none");
                L($"    {(i == 0 ? "CASE" : "  []")} site = {Q(r.Site)}{new string(' ', Math.Max(1, 30 - r.Site.Length))}-> {ev}");
            }
            L();
        }
        L("EventOf(voc, site, prot) ==");
        for (int i = 0; i < c.Vocabularies.Length; i++)
            L($"    {(i == 0 ? "CASE" : "  []")} voc = {Q(c.Vocabularies[i].Name)}{new string(' ', Math.Max(1, 14 - c.Vocabularies[i].Name.Length))}-> {OperatorName(c.Vocabularies[i].Name)}(site, prot)");
        L();
        L("\\* TruthfulEvent: the class of PTE change an event's documentation allows (see below).");
        var events = c.File.Families.SelectMany(f => f.Events).GroupBy(e => e.Name).Select(g => g.First()).ToList();
        L("EventClass(ev) ==");
        int k = 0;
        foreach (var cls in ClassOrder)
        {
            var names = events.Where(e => e.TlaClass == cls).Select(e => e.Name).ToList();
            if (names.Count == 0) continue;
            string guard = names.Count == 1 ? $"ev = {Q(names[0])}" : $"ev \\in {Set(names, 14)}";
            L($"    {(k++ == 0 ? "CASE" : "  []")} {guard} -> {Q(cls)}");
        }
        L("      [] OTHER -> \"any\"");
        w.Append(End).Append('\n');
        return w.ToString();
    }

    /// <summary>The generated block as it stands in a NotifierEvents.tla text (null when the markers are missing).</summary>
    public static string? Extract(string module)
    {
        int a = module.IndexOf(Begin, StringComparison.Ordinal);
        int b = module.IndexOf(End, StringComparison.Ordinal);
        if (a < 0 || b < a) return null;
        return module[a..(b + End.Length)].Replace("\r\n", "\n") + "\n";
    }

    /// <summary>The module with its generated block replaced by <paramref name="block"/>.</summary>
    public static string Replace(string module, string block)
    {
        int a = module.IndexOf(Begin, StringComparison.Ordinal);
        int b = module.IndexOf(End, StringComparison.Ordinal);
        if (a < 0 || b < a) throw new ArgumentException("no generated block in the module");
        return module[..a] + block.TrimEnd('\n') + module[(b + End.Length)..];
    }
}

/// <summary>The "Event vocabularies" list of docs/rules.md, generated from the catalogue (checked by
/// tests/Reference.Tests/CatalogueTests.cs like the TLA+ block).</summary>
public static class CatalogueDocs
{
    public const string Begin = "<!-- BEGIN GENERATED from catalogue/vocabulary.json by `notifier events --rules-md`: do not edit by hand -->";
    public const string End = "<!-- END GENERATED -->";

    public static string Vocabularies(Catalogue c)
    {
        var w = new System.Text.StringBuilder();
        w.Append(Begin).Append('\n');
        foreach (var f in c.File.Families)
        {
            w.Append($"- family `{f.Name}` ({f.About}): {string.Join(", ", f.Events.Select(e => e.Name))}").Append('\n');
            foreach (var v in c.Vocabularies.Where(v => v.Family.Name == f.Name))
            {
                string what = v.AliasOf is { } a ? $"the newest release, = `{a}`"
                    : v.Release is { } r ? $"Linux {r}" + (CatalogueChanges.BaseOf(c, v.Name) is not { } b ? ""
                        : CatalogueChanges.Of(c, v.Name).Length is var n and > 0
                        ? $"; {n} row change(s) against `{b}`, each dated by commit or first tree (`notifier events --vocabulary {v.Name}`)"
                        : $"; no row change against `{b}`")
                    : v.Name == f.Name ? "the family's own table" : "";
                w.Append($"  - vocabulary `{v.Name}`{(what.Length > 0 ? ": " + what : "")}").Append('\n');
            }
        }
        w.Append($"- reactions: {string.Join(", ", c.File.Reactions.Select(r => $"`{r}`"))}").Append('\n');
        w.Append('\n');
        w.Append("Planted bugs, one name each, with the name each layer gives it (reference/properties mutant, spec/ variant,\n");
        w.Append("tla/ bug flag, tla/ models and the rule TLC reports):\n\n");
        w.Append("| bug | reference | spec/ | tla/ flag | tla/ models |\n|---|---|---|---|---|\n");
        static string C(string? x) => x is null ? "-" : $"`{x}`";
        foreach (var b in c.Bugs)
            w.Append($"| `{b.Name}` | {C(b.Reference)} | {C(b.Spec)} | {C(b.Tla)} | {(b.Models.Count == 0 ? $"- (mutation matrix: {b.Rule})" : string.Join(", ", b.Models.Select(m => $"{m.Name} ({m.Violated ?? "deadlock"})")))} |\n");
        w.Append(End).Append('\n');
        return w.ToString();
    }

    public static string? Extract(string doc)
    {
        int a = doc.IndexOf(Begin, StringComparison.Ordinal), b = doc.IndexOf(End, StringComparison.Ordinal);
        return a < 0 || b < a ? null : doc[a..(b + End.Length)].Replace("\r\n", "\n") + "\n";
    }
}
