using System.CommandLine;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier scenario [NAME] [--vocabulary V] [--trace FILE] [--verbose]`: runs the named scenarios and prints their
/// outcomes; with --vocabulary every scenario runs in that vocabulary instead of its own, its checks and expected rule
/// unchanged (a check that fails shows what the vocabulary changes, e.g. `exclusive` in linux-6.12: the restore event is
/// MMU_NOTIFY_EXCLUSIVE, not MMU_NOTIFY_CLEAR).</summary>
public static class ScenarioCommand
{
    private static readonly Argument<string[]> Names = new("NAME") { HelpName = "NAME", Arity = ArgumentArity.ZeroOrMore, Description = "the scenarios to run (all without NAME)" };
    private static readonly Option<bool> List = Opt.Flag("--list", "list the scenarios with their origins");
    private static readonly Option<bool> Verbose = Opt.Flag("--verbose", "print each scenario's checks");
    private static readonly Option<string?> Trace = Opt.Text("--trace", "FILE", "write the one scenario's trace (docs/trace-format.md)");
    private static readonly Option<bool> Json = Opt.Flag("--json", JsonOut.Help);
    private static readonly Option<string?> VocabularyName = EventsCommand.VocabularyOption("scenario",
        $"run every scenario in this vocabulary instead of its own (its checks unchanged): {Vocabularies.NameList}");

    public static Command Define()
    {
        Names.CompletionSources.Add(_ => Scenarios.All.Select(s => s.Name));
        var c = new Command("scenario", "Runs the named scenarios (all without NAME) through the reference MMU (reference/) and checks each outcome against the one the scenario expects: the rule it breaks, or none.")
        {
            Names, List, Verbose, Trace, Json, VocabularyName,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        bool json = args.GetValue(Json);
        var names = args.GetValue(Names) ?? [];
        if (args.GetValue(List))
        {
            if (json) JsonOut.Write(stdout, new JsonArray(Scenarios.All.Select(sc => (JsonNode?)new JsonObject { ["name"] = sc.Name, ["origin"] = sc.Origin }).ToArray()));
            else Tables.Write(stdout, Scenarios.All.Aggregate(Tables.Plain(false, new("scenario"), new("origin")), (t, sc) => t.Row(sc.Name, sc.Origin)));
            return ExitCodes.Ok;
        }
        var chosen = names.Length == 0 ? Scenarios.All.ToList() : names.Select(n => Scenarios.Find(n)
            ?? throw new UsageException($"notifier scenario: unknown scenario '{n}' (notifier scenario --list)")).ToList();
        if (args.GetValue(Trace) is not null && chosen.Count != 1) throw new UsageException("notifier scenario: --trace needs exactly one scenario");
        string? vocabularyName = args.GetValue(VocabularyName);
        Vocabulary? vocabulary = vocabularyName is null ? null : EventTables.TryParse(vocabularyName, out var vv) ? vv
            : throw new UsageException($"notifier scenario: vocabulary '{vocabularyName}' has no reference tables ({string.Join(", ", Enum.GetValues<Vocabulary>().Select(EventTables.Name))})");
        if (vocabularyName is not null && !json) stdout.WriteLine($"vocabulary {vocabularyName} in every scenario (its own otherwise)");
        int failed = 0;
        var results = new JsonArray();
        var table = Tables.Plain(false, new("verdict"), new("scenario"), new("outcome"));
        var details = new StringWriter();
        foreach (var sc in chosen)
        {
            var r = sc.RunIn(vocabulary);
            string verdict = r.Passed ? "ok  " : "FAIL";
            string rule = r.ActualRule is null ? "all rules hold" : $"breaks {r.ActualRule} at line {r.Session.FirstViolationLine}";
            if (!json) table.Row(verdict.TrimEnd(), sc.Name, $"{rule}{(r.ExpectedRule is not null ? " (expected)" : "")}");
            if (json)
                results.Add(new JsonObject
                {
                    ["name"] = sc.Name, ["vocabulary"] = EventTables.Name(vocabulary ?? sc.Vocabulary), ["passed"] = r.Passed, ["rule"] = r.ActualRule, ["expected_rule"] = r.ExpectedRule,
                    ["line"] = r.ActualRule is null ? null : r.Session.FirstViolationLine,
                    ["failed_checks"] = new JsonArray(r.Checks.Where(c => !c.Ok).Select(c => (JsonNode?)JsonValue.Create($"{c.What}: expected {c.Expected}, got {c.Actual}")).ToArray()),
                });
            else if (!r.Passed || args.GetValue(Verbose))
            {
                // after the table: each failing (or with --verbose every) scenario's checks
                details.WriteLine($"{sc.Name}: {sc.Summary}");
                if (r.Session.FirstViolation is { } v) details.WriteLine($"     {v}");
                if (r.ExpectedRule != r.ActualRule) details.WriteLine($"     expected rule: {r.ExpectedRule ?? "none"}, actual: {r.ActualRule ?? "none"}");
                foreach (var c in r.Checks) details.WriteLine($"     {(c.Ok ? "ok  " : "FAIL")} {c.What}: expected {c.Expected}, got {c.Actual}");
            }
            if (!r.Passed) failed++;
            if (args.GetValue(Trace) is { } path) TraceFile.Write(path, r.Session);
        }
        if (!json)
        {
            Tables.Write(stdout, table);
            stdout.Write(details);
        }
        if (json) JsonOut.Write(stdout, new JsonObject { ["vocabulary"] = vocabularyName, ["as_expected"] = chosen.Count - failed, ["total"] = chosen.Count, ["scenarios"] = results });
        else stdout.WriteLine($"{chosen.Count - failed}/{chosen.Count} scenarios as expected");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
