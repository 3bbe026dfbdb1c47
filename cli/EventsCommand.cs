using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier events [--vocabulary NAME] [--json | --tla]`: a vocabulary's call-site -> event table, from
/// catalogue/vocabulary.json; `--tla` prints the block of tla/NotifierEvents.tla generated from the catalogue.</summary>
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
        string EventText(CatalogueRow r) => r.EventByProt is { } m ? string.Join("|", m.Values) : r.Event ?? "-";
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
            }).ToArray());
            var doc = new JsonObject
            {
                ["vocabulary"] = voc.Name,
                ["alias_of"] = voc.AliasOf,
                ["release"] = voc.Release,
                ["events"] = new JsonArray(voc.Family.Events.Select(e => (JsonNode?)JsonValue.Create(e.Name)).ToArray()),
                ["call_sites"] = arr,
                ["changes"] = new JsonArray(voc.Changes.Select(c => (JsonNode?)new JsonObject
                {
                    ["call_site"] = c.Site, ["event"] = c.Event, ["owner"] = c.Owner, ["since"] = c.Since, ["commit"] = c.Commit,
                    ["source"] = c.Source, ["derived"] = c.Derived,
                }).ToArray()),
                ["kernel_sites"] = voc.KernelSites.Length,
            };
            stdout.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"vocabulary {voc.Name}{(voc.AliasOf is { } a ? $" (= {a})" : "")}: {string.Join(", ", voc.Family.Events.Select(e => e.Name))}");
        var table = Tables.Plain(false, new("call site"), new("event"), new("mechanism"), new("source"));
        foreach (var r in voc.Rows)
            table.Row(r.Site, EventText(r), MechanismText(r.Mechanism), $"{r.Source}{(r.Owner is { } o ? $" [owner: {o}]" : "")}{(r.Finding is { } f ? $"  [finding: {f}]" : "")}");
        Tables.Write(stdout, table);
        foreach (var c in voc.Changes)
            stdout.WriteLine($"change since {c.Since}: {c.Site} -> {c.Event ?? "-"} ({c.Commit}){(c.Derived is { } d ? $" [derived: {d}]" : "")}");
        return ExitCodes.Ok;
    }

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
