using System.Text.Json.Nodes;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier scenario [NAME] [--trace FILE] [--verbose]`: runs the named scenarios and prints their outcomes.</summary>
public static class ScenarioCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("scenario", argv, ["--trace"], ["--verbose", "--list", "--json"]);
        bool json = args.Has("--json");
        if (args.Has("--list"))
        {
            if (json) JsonOut.Write(stdout, new JsonArray(Scenarios.All.Select(sc => (JsonNode?)new JsonObject { ["name"] = sc.Name, ["origin"] = sc.Origin }).ToArray()));
            else foreach (var sc in Scenarios.All) stdout.WriteLine($"{sc.Name,-40} {sc.Origin}");
            return ExitCodes.Ok;
        }
        var chosen = args.Positional.Count == 0 ? Scenarios.All.ToList() : args.Positional.Select(n => Scenarios.Find(n)
            ?? throw new UsageException($"notifier scenario: unknown scenario '{n}' (notifier scenario --list)")).ToList();
        if (args.Get("--trace") is not null && chosen.Count != 1) throw new UsageException("notifier scenario: --trace needs exactly one scenario");
        int failed = 0;
        var results = new JsonArray();
        foreach (var sc in chosen)
        {
            var r = sc.Run();
            string verdict = r.Passed ? "ok  " : "FAIL";
            string rule = r.ActualRule is null ? "all rules hold" : $"breaks {r.ActualRule} at line {r.Session.FirstViolationLine}";
            if (!json) stdout.WriteLine($"{verdict} {sc.Name,-40} {rule}{(r.ExpectedRule is not null ? " (expected)" : "")}");
            if (json)
                results.Add(new JsonObject
                {
                    ["name"] = sc.Name, ["passed"] = r.Passed, ["rule"] = r.ActualRule, ["expected_rule"] = r.ExpectedRule,
                    ["line"] = r.ActualRule is null ? null : r.Session.FirstViolationLine,
                    ["failed_checks"] = new JsonArray(r.Checks.Where(c => !c.Ok).Select(c => (JsonNode?)JsonValue.Create($"{c.What}: expected {c.Expected}, got {c.Actual}")).ToArray()),
                });
            else if (!r.Passed || args.Has("--verbose"))
            {
                stdout.WriteLine($"     {sc.Summary}");
                if (r.Session.FirstViolation is { } v) stdout.WriteLine($"     {v}");
                if (r.ExpectedRule != r.ActualRule) stdout.WriteLine($"     expected rule: {r.ExpectedRule ?? "none"}, actual: {r.ActualRule ?? "none"}");
                foreach (var c in r.Checks) stdout.WriteLine($"     {(c.Ok ? "ok  " : "FAIL")} {c.What}: expected {c.Expected}, got {c.Actual}");
            }
            if (!r.Passed) failed++;
            if (args.Get("--trace") is { } path) TraceFile.Write(path, r.Session);
        }
        if (json) JsonOut.Write(stdout, new JsonObject { ["as_expected"] = chosen.Count - failed, ["total"] = chosen.Count, ["scenarios"] = results });
        else stdout.WriteLine($"{chosen.Count - failed}/{chosen.Count} scenarios as expected");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
