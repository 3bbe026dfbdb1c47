using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier events [--vocabulary NAME] [--json | --tla]`: a vocabulary's call-site -> event table, from
/// catalogue/vocabulary.json; `--tla` prints the block of tla/NotifierEvents.tla generated from the catalogue.</summary>
public static class EventsCommand
{
    public const string Usage = "events [--vocabulary NAME (v7, v7-reviewed, upstream, linux-X.Y)] [--json | --tla | --rules-md]";

    public static string MechanismText(string m) => m switch
    {
        "range" => "invalidate_range_start/end",
        "nonblock" => "invalidate_range_start_nonblock/end",
        "release" => "release",
        "page" => "invalidate_page",
        _ => "none",
    };

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("events", argv, ["--vocabulary"], ["--json", "--tla", "--rules-md"], maxPositional: 0,
            exclusive: [["--json", "--tla", "--rules-md"]]);
        if (args.Has("--rules-md"))
        {
            stdout.Write(CatalogueDocs.Vocabularies(Catalogue.Default));
            return ExitCodes.Ok;
        }
        if (args.Has("--tla"))
        {
            stdout.Write(CatalogueTla.Generate(Catalogue.Default));
            return ExitCodes.Ok;
        }
        string name = args.Get("--vocabulary") ?? "upstream";
        var voc = Vocabularies.ByName(name) ?? throw new UsageException($"notifier events: unknown vocabulary '{name}' ({Vocabularies.NameList})");
        var cat = Catalogue.Default;
        string EventText(CatalogueRow r) => r.EventByProt is { } m ? string.Join("|", m.Values) : r.Event ?? "-";
        if (args.Has("--json"))
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
        foreach (var r in voc.Rows)
            stdout.WriteLine($"{r.Site,-30} {EventText(r),-28} {MechanismText(r.Mechanism),-36} {r.Source}{(r.Owner is { } o ? $" [owner: {o}]" : "")}{(r.Finding is { } f ? $"  [finding: {f}]" : "")}");
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
