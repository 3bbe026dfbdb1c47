using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier events [--vocabulary NAME] [--json | --tla]`: a vocabulary's call-site -> event table, from
/// catalogue/vocabulary.json, each row with the dating of its last change (CatalogueChanges.LastChange: commit hash, title
/// and release, or the release tree it was first seen in), and the vocabulary's changes against the one it is based on;
/// `--tla` prints the block of tla/NotifierEvents.tla generated from the catalogue.</summary>
public static class EventsCommand
{
    private static readonly Option<string?> Vocabulary = VocabularyOption("events", $"the vocabulary (default upstream): {Vocabularies.NameList}");
    private static readonly Option<bool> Json = Opt.Flag("--json", "print the table as JSON (snake_case keys; docs/schemas/)");
    private static readonly Option<bool> Tla = Opt.Flag("--tla", "print the block of tla/NotifierEvents.tla generated from the catalogue");
    private static readonly Option<bool> RulesMd = Opt.Flag("--rules-md", "print the vocabularies as markdown");

    /// <summary>--vocabulary NAME of the catalogue's vocabularies (reference/Vocabularies), completed with their names.</summary>
    public static Option<string?> VocabularyOption(string command, string description) =>
        Opt.Text("--vocabulary", "NAME", description,
            name => Vocabularies.ByName(name) is null ? $"unknown vocabulary '{name}' ({Vocabularies.NameList})" : null, () => Vocabularies.Names);

    public static Command Define()
    {
        var c = new Command("events", "Prints a vocabulary's table of kernel call sites and the mmu_notifier events they send, from catalogue/vocabulary.json.")
        {
            Vocabulary, Json, Tla, RulesMd,
        };
        Opt.Exclusive(c, [Json, Tla, RulesMd]);
        c.SetAction(Run);
        return c;
    }

    public static string MechanismText(string m) => m switch
    {
        "range" => "invalidate_range_start/end",
        "nonblock" => "invalidate_range_start_nonblock/end",
        "release" => "release",
        "page" => "invalidate_page",
        _ => "none",
    };

    private static int Run(ParseResult args)
    {
        var stdout = args.InvocationConfiguration.Output;
        if (args.GetValue(RulesMd))
        {
            stdout.Write(CatalogueDocs.Vocabularies(Catalogue.Default));
            return ExitCodes.Ok;
        }
        if (args.GetValue(Tla))
        {
            stdout.Write(CatalogueTla.Generate(Catalogue.Default));
            return ExitCodes.Ok;
        }
        var voc = Vocabularies.ByName(args.GetValue(Vocabulary) ?? "upstream")!;
        var cat = Catalogue.Default;
        string? basedOn = CatalogueChanges.BaseOf(cat, voc.Name);
        var changes = CatalogueChanges.Of(cat, voc.Name);
        var last = voc.Rows.ToDictionary(r => r.Site, r => CatalogueChanges.LastChange(cat, voc.Name, r.Site));
        if (args.GetValue(Json))
        {
            var arr = new JsonArray(voc.Rows.Select(r => (JsonNode?)new JsonObject
            {
                ["call_site"] = r.Site,
                ["models"] = new JsonArray(cat.Site(r.Site).Models.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                ["ops"] = new JsonArray(cat.Site(r.Site).Ops.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                ["pte"] = cat.Site(r.Site).Pte,
                ["mmap_lock"] = cat.Site(r.Site).MmapLock,
                ["kernel_citation"] = cat.Site(r.Site).Citation,
                ["mechanism"] = MechanismText(r.Mechanism),
                ["event"] = r.EventByProt is null ? r.Event : EventText(r),
                ["owner"] = r.Owner,
                ["allows"] = AllowsText(r),
                ["source"] = r.Source,
                ["finding"] = r.Finding,
                // the dating of the change that gave the row its current form (null: as its family's first vocabulary has it)
                ["changed_in"] = last[r.Site]?.Vocabulary,
                ["changed_from_base"] = changes.Any(c => c.Site == r.Site),
                ["since"] = last[r.Site]?.Change.After.Since,
                ["commit"] = CommitJson(last[r.Site]?.Change.Dating),
                ["first_seen_in"] = last[r.Site]?.Change.Dating?.FirstSeenIn,
                ["dated"] = last[r.Site]?.Change.Dated,
            }).ToArray());
            var doc = new JsonObject
            {
                ["vocabulary"] = voc.Name,
                ["alias_of"] = voc.AliasOf,
                ["release"] = voc.Release,
                ["events"] = new JsonArray(voc.Family.Events.Select(e => (JsonNode?)JsonValue.Create(e.Name)).ToArray()),
                ["call_sites"] = arr,
                ["based_on"] = basedOn,
                ["changes"] = new JsonArray(changes.Select(c => (JsonNode?)new JsonObject
                {
                    ["call_site"] = c.Site, ["based_on"] = c.BasedOn,
                    ["before"] = new JsonObject { ["mechanism"] = MechanismText(c.Before.Mechanism), ["event"] = EventText(c.Before), ["owner"] = c.Before.Owner },
                    ["mechanism"] = MechanismText(c.After.Mechanism), ["event"] = EventText(c.After), ["owner"] = c.After.Owner,
                    ["since"] = c.After.Since, ["commit"] = CommitJson(c.Dating), ["first_seen_in"] = c.Dating?.FirstSeenIn,
                    ["dated"] = c.Dated, ["source"] = c.After.Source, ["derived"] = c.Derived,
                }).ToArray()),
                ["kernel_sites"] = voc.KernelSites.Length,
            };
            stdout.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"vocabulary {voc.Name}{(voc.AliasOf is { } a ? $" (= {a})" : "")}: {string.Join(", ", voc.Family.Events.Select(e => e.Name))}");
        // "changed": the dating of the row's last change, marked * where it differs from the base vocabulary
        var table = Tables.Plain(false, new("call site"), new("event"), new("mechanism"), new("changed"), new("source"));
        foreach (var r in voc.Rows)
        {
            string changed = last[r.Site] is { } lc ? $"{lc.Change.Dating?.Short ?? "undated"}{(changes.Any(c => c.Site == r.Site) ? " *" : "")}" : "-";
            table.Row(r.Site, EventText(r), MechanismText(r.Mechanism), changed, $"{r.Source}{(r.Owner is { } o ? $" [owner: {o}]" : "")}{(r.Finding is { } f ? $"  [finding: {f}]" : "")}");
        }
        Tables.Write(stdout, table);
        if (basedOn is not null)
        {
            stdout.WriteLine($"{changes.Length} change(s) against {basedOn} (the rows marked *):");
            foreach (var c in changes)
                stdout.WriteLine($"  {c.Site}: {ChangeText(c)}: {c.Dating?.Head ?? "undated"}{(c.Derived is { } d ? $" [derived: {d}]" : "")}");
        }
        return ExitCodes.Ok;
    }

    private static string EventText(CatalogueRow r) => r.EventByProt is { } m ? string.Join("|", m.Values) : r.Event ?? "-";

    /// <summary>What changed in a row: its event, owner or mechanism (before -> after), or, where none did, that the event
    /// stayed (the call site changed).</summary>
    private static string ChangeText(RowChange c)
    {
        var parts = new List<string>();
        if (EventText(c.Before) != EventText(c.After)) parts.Add($"{EventText(c.Before)} -> {EventText(c.After)}");
        if (c.Before.Owner != c.After.Owner) parts.Add($"owner {c.Before.Owner ?? "-"} -> {c.After.Owner ?? "-"}");
        if (c.Before.Mechanism != c.After.Mechanism) parts.Add($"{MechanismText(c.Before.Mechanism)} -> {MechanismText(c.After.Mechanism)}");
        return parts.Count > 0 ? string.Join(", ", parts) : $"{EventText(c.After)} as before, the call site changed";
    }

    private static JsonObject? CommitJson(Dating? d) =>
        d?.Hash is null ? null : new JsonObject { ["hash"] = d.Hash, ["title"] = d.Title, ["release"] = d.Release };

    private static string? AllowsText(CatalogueRow r)
    {
        var events = r.EventByProt?.Values.ToList() ?? (r.Event is { } e ? [e] : []);
        var change = Change.None;
        bool any = false;
        foreach (var name in events)
            if (Enum.TryParse<MmuEvent>(name, out var ev)) { change |= EventTables.Allows(ev); any = true; }
        return any ? change.ToString() : null;
    }
}
