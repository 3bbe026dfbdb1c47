using System.CommandLine;
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
    private static readonly Argument<string> Tree = new("KERNEL_SOURCE_DIR") { Description = "a kernel source tree (with include/linux/mmu_notifier.h and mm/)" };
    private static readonly Option<string?> Vocabulary = EventsCommand.VocabularyOption("audit", $"the vocabulary (default: linux-X.Y from the tree's Makefile when the catalogue has it, else upstream): {Vocabularies.NameList}");
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", "print the findings as JSON (snake_case keys; docs/schemas/)");
    private static readonly Option<bool> Found = Opt.Flag("--found", "print every call found instead");
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");

    public static Command Define()
    {
        var c = new Command("audit", "Finds every call of the notifier API in a kernel source tree and compares it with the vocabulary's kernel call sites: sites it lacks, events or owners that differ, rows whose call is gone.")
        {
            Tree, Vocabulary, JsonOption, Found, Quiet,
        };
        c.SetAction(Run);
        return c;
    }

    private static readonly System.Text.RegularExpressions.Regex MakeVariable =
        new(@"^(VERSION|PATCHLEVEL)\s*=\s*([0-9]+)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The vocabulary to audit against and why: --vocabulary when given; else linux-VERSION.PATCHLEVEL from the
    /// tree's top-level Makefile when the catalogue has that vocabulary with kernel call sites; else upstream.</summary>
    internal static (KernelVocabulary Vocabulary, string Why) Pick(string root, string? option)
    {
        if (option is not null) return (Vocabularies.ByName(option)!, "--vocabulary");
        string makefile = Path.Combine(root, "Makefile");
        string? text = null;
        try { if (File.Exists(makefile)) text = File.ReadAllText(makefile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { text = null; }
        if (text is null) return (Vocabularies.ByName("upstream")!, "default: the tree has no readable Makefile");
        var v = MakeVariable.Matches(text).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.First().Groups[2].Value);
        if (!v.TryGetValue("VERSION", out var major) || !v.TryGetValue("PATCHLEVEL", out var minor))
            return (Vocabularies.ByName("upstream")!, "default: the tree's Makefile has no VERSION and PATCHLEVEL");
        string name = $"linux-{major}.{minor}";
        return Vocabularies.ByName(name) is { KernelSites.IsEmpty: false } found
            ? (found, $"the tree's Makefile: VERSION = {major}, PATCHLEVEL = {minor}")
            : (Vocabularies.ByName("upstream")!, $"default: the tree's Makefile says {name}, which the catalogue has no kernel call sites for");
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        string root = args.GetValue(Tree)!;
        var (voc, why) = Pick(root, args.GetValue(Vocabulary));
        if (voc.KernelSites.IsEmpty && !args.GetValue(Found))
            throw new UsageException($"notifier audit: vocabulary {voc.Name} has no kernel call-site list (it is {(voc.Release ?? "not a kernel release")}); audit against one of {string.Join(", ", Vocabularies.Names.Where(n => !Vocabularies.ByName(n)!.KernelSites.IsEmpty))}");
        System.Collections.Immutable.ImmutableArray<FoundCall> calls;
        System.Collections.Immutable.ImmutableHashSet<string> functions;
        try
        {
            (calls, functions) = Progress.Run("audit", stderr, args.GetValue(Quiet), progress =>
            {
                progress.Report($"scanning {root}");
                return KernelScanner.ScanTree(root);
            });
        }
        // an unreadable tree is bad input: one line `DIR:1:1: message` (as a missing trace or manifest), exit 255
        catch (KernelTreeException e) { stderr.WriteLine(e.Message); return ExitCodes.Error; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { stderr.WriteLine($"{root}:1:1: {e.Message}"); return ExitCodes.Error; }
        catch (AggregateException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        { stderr.WriteLine($"{root}:1:1: {e.InnerException!.Message}"); return ExitCodes.Error; }

        var ordered = calls.OrderBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Line).ToList();
        if (args.GetValue(Found))
        {
            if (args.GetValue(JsonOption))
                JsonOut.Write(stdout, new JsonArray(ordered.Select(c => (JsonNode?)new JsonObject
                {
                    ["file"] = c.File, ["line"] = c.Line, ["function"] = c.Function, ["api"] = c.Api, ["event"] = c.Event, ["owner"] = c.Owner,
                }).ToArray())); // docs/schemas/audit-found.schema.json
            else
                foreach (var c in ordered)
                    stdout.WriteLine($"{c.File}:{c.Line} {c.Function} {c.Api}{(c.Event is { } e ? " " + e : "")}{(c.Owner is { } o ? " owner=" + o : "")}");
            return ExitCodes.Ok;
        }
        var findings = KernelAudit.Compare(voc, calls, functions);
        var diffs = findings.Where(f => f.Kind != "known").ToList();
        if (args.GetValue(JsonOption))
        {
            JsonOut.Write(stdout, new JsonObject
            {
                ["vocabulary"] = voc.Name, ["vocabulary_from"] = why, ["tree"] = root, ["calls"] = calls.Length, ["differences"] = diffs.Count,
                ["known"] = findings.Length - diffs.Count,
                ["findings"] = new JsonArray(findings.Select(f => (JsonNode?)new JsonObject
                {
                    ["kind"] = f.Kind, ["file"] = f.File, ["line"] = f.Line, ["function"] = f.Function, ["api"] = f.Api, ["message"] = f.Message,
                }).ToArray()),
            });
        }
        else
        {
            var table = Tables.Plain(false, new("kind"), new("where"), new("function"), new("api"), new("message"));
            foreach (var f in findings)
                table.Row(f.Kind, $"{f.File}{(f.Line > 0 ? ":" + f.Line : "")}", f.Function, $"{f.Api}:", f.Message);
            if (findings.Length > 0) Tables.Write(stdout, table);
            stdout.WriteLine($"audit {root} against {voc.Name} ({why}): {calls.Length} calls, {diffs.Count} difference(s), {findings.Length - diffs.Count} known unmodelled");
        }
        return diffs.Count == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
