using System.Text.Json;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier audit KERNEL_SOURCE_DIR [--vocabulary NAME] [--json] [--found]`: every call of the notifier API
/// in a kernel tree (reference/KernelAudit.cs) against the vocabulary's kernel call sites: sites it lacks,
/// events or owners that differ, rows whose call or function is gone, modelled rows whose model event differs;
/// rows deliberately not modelled are listed as known. Exit 0 equal, 12 a difference, 255 bad input.
/// `--found` prints every call found instead (file:line function api event owner), exit 0.
/// </summary>
public static class AuditCommand
{
    public const string Usage = "audit KERNEL_SOURCE_DIR [--vocabulary NAME (default upstream)] [--json] [--found]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("audit", argv, ["--vocabulary"], ["--json", "--found"]);
        if (args.Positional.Count != 1) throw new UsageException($"notifier audit: expected one KERNEL_SOURCE_DIR (usage: notifier {Usage})");
        string name = args.Get("--vocabulary") ?? "upstream";
        var voc = Vocabularies.ByName(name) ?? throw new UsageException($"notifier audit: unknown vocabulary '{name}' ({Vocabularies.NameList})");
        string root = args.Positional[0];
        if (voc.KernelSites.IsEmpty && !args.Has("--found"))
            throw new UsageException($"notifier audit: vocabulary {voc.Name} has no kernel call-site list (it is {(voc.Release ?? "not a kernel release")}); audit against one of {string.Join(", ", Vocabularies.Names.Where(n => !Vocabularies.ByName(n)!.KernelSites.IsEmpty))}");
        System.Collections.Immutable.ImmutableArray<FoundCall> calls;
        System.Collections.Immutable.ImmutableHashSet<string> functions;
        try
        {
            (calls, functions) = KernelScanner.ScanTree(root);
        }
        catch (KernelTreeException e) { stderr.WriteLine($"notifier audit: {e.Message}"); return ExitCodes.Error; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { stderr.WriteLine($"notifier audit: {root}: {e.Message}"); return ExitCodes.Error; }
        catch (AggregateException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        { stderr.WriteLine($"notifier audit: {root}: {e.InnerException!.Message}"); return ExitCodes.Error; }

        var ordered = calls.OrderBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Line).ToList();
        if (args.Has("--found"))
        {
            if (args.Has("--json"))
                stdout.WriteLine(new JsonArray(ordered.Select(c => (JsonNode?)new JsonObject
                {
                    ["file"] = c.File, ["line"] = c.Line, ["function"] = c.Function, ["api"] = c.Api, ["event"] = c.Event, ["owner"] = c.Owner,
                }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else
                foreach (var c in ordered)
                    stdout.WriteLine($"{c.File}:{c.Line} {c.Function} {c.Api}{(c.Event is { } e ? " " + e : "")}{(c.Owner is { } o ? " owner=" + o : "")}");
            return ExitCodes.Ok;
        }
        var findings = KernelAudit.Compare(voc, calls, functions);
        var diffs = findings.Where(f => f.Kind != "known").ToList();
        if (args.Has("--json"))
        {
            stdout.WriteLine(new JsonObject
            {
                ["vocabulary"] = voc.Name, ["tree"] = root, ["calls"] = calls.Length, ["differences"] = diffs.Count,
                ["known"] = findings.Length - diffs.Count,
                ["findings"] = new JsonArray(findings.Select(f => (JsonNode?)new JsonObject
                {
                    ["kind"] = f.Kind, ["file"] = f.File, ["line"] = f.Line, ["function"] = f.Function, ["api"] = f.Api, ["message"] = f.Message,
                }).ToArray()),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            foreach (var f in findings)
                stdout.WriteLine($"{f.Kind,-13} {f.File}{(f.Line > 0 ? ":" + f.Line : "")} {f.Function} {f.Api}: {f.Message}");
            stdout.WriteLine($"audit {root} against {voc.Name}: {calls.Length} calls, {diffs.Count} difference(s), {findings.Length - diffs.Count} known unmodelled");
        }
        return diffs.Count == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
