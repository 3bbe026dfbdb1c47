using System.CommandLine;
using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier scenario [NAME] [--trace FILE] [--verbose]`: runs the named scenarios and prints their outcomes.</summary>
public static class ScenarioCommand
{
    private static readonly Argument<string[]> Names = new("NAME") { HelpName = "NAME", Arity = ArgumentArity.ZeroOrMore, Description = "the scenarios to run (all without NAME)" };
    private static readonly Option<bool> List = Opt.Flag("--list", "list the scenarios with their origins");
    private static readonly Option<bool> Verbose = Opt.Flag("--verbose", "print each scenario's checks");
    private static readonly Option<string?> Trace = Opt.Text("--trace", "FILE", "write the one scenario's trace (docs/trace-format.md)");
    private static readonly Option<bool> Json = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        Names.CompletionSources.Add(_ => Scenarios.All.Select(s => s.Name));
        var c = new Command("scenario", "Runs the named scenarios (all without NAME) through the reference MMU (reference/) and checks each outcome against the one the scenario expects: the rule it breaks, or none.")
        {
            Names, List, Verbose, Trace, Json,
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
        int failed = 0;
        var results = new JsonArray();
        var table = Tables.Plain(false, new("verdict"), new("scenario"), new("outcome"));
        var details = new StringWriter();
        foreach (var sc in chosen)
        {
            var r = sc.Run();
            string verdict = r.Passed ? "ok  " : "FAIL";
            string rule = r.ActualRule is null ? "all rules hold" : $"breaks {r.ActualRule} at line {r.Session.FirstViolationLine}";
            if (!json) table.Row(verdict.TrimEnd(), sc.Name, $"{rule}{(r.ExpectedRule is not null ? " (expected)" : "")}");
            if (json)
                results.Add(new JsonObject
                {
                    ["name"] = sc.Name, ["passed"] = r.Passed, ["rule"] = r.ActualRule, ["expected_rule"] = r.ExpectedRule,
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
        if (json) JsonOut.Write(stdout, new JsonObject { ["as_expected"] = chosen.Count - failed, ["total"] = chosen.Count, ["scenarios"] = results });
        else stdout.WriteLine($"{chosen.Count - failed}/{chosen.Count} scenarios as expected");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
