using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier events --vocabulary NAME [--json]`: the call-site -> event table of a vocabulary.</summary>
public static class EventsCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("events", argv, ["--vocabulary"], ["--json"], maxPositional: 0);
        string name = args.Get("--vocabulary") ?? "upstream";
        if (!EventTables.TryParse(name, out var v)) throw new UsageException($"notifier events: unknown vocabulary '{name}' (v7, v7-reviewed, upstream)");
        var rows = EventTables.Table(v);
        if (args.Has("--json"))
        {
            var arr = new JsonArray(rows.Select(r => (JsonNode?)new JsonObject
            {
                ["call_site"] = r.Site.ToString(),
                ["mechanism"] = r.Mechanism switch { Mechanism.StartEnd => "invalidate_range_start/end", Mechanism.InvalidatePage => "invalidate_page", _ => "none" },
                ["event"] = v == Vocabulary.V7Reviewed && r.Site == CallSite.change_protection ? "MMU_UNMAP|MMU_WRITE_PROTECT|MMU_READ_WRITE" : r.Event?.ToString(),
                ["allows"] = r.Event is { } e ? EventTables.Allows(e).ToString() : null,
                ["source"] = r.Source,
                ["finding"] = r.Finding,
            }).ToArray());
            var doc = new JsonObject { ["vocabulary"] = EventTables.Name(v), ["events"] = new JsonArray(EventTables.Events(v).Select(e => (JsonNode?)JsonValue.Create(e.ToString())).ToArray()), ["call_sites"] = arr };
            stdout.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"vocabulary {EventTables.Name(v)}: {string.Join(", ", EventTables.Events(v))}");
        foreach (var r in rows)
        {
            string ev = v == Vocabulary.V7Reviewed && r.Site == CallSite.change_protection ? "MMU_UNMAP|MMU_WRITE_PROTECT|MMU_READ_WRITE" : r.Event?.ToString() ?? "-";
            stdout.WriteLine($"{r.Site,-26} {ev,-28} {r.Mechanism,-15} {r.Source}{(r.Finding is { } f ? $"  [finding: {f}]" : "")}");
        }
        return ExitCodes.Ok;
    }
}
