using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>`notifier scenario [NAME] [--trace FILE] [--verbose]`: runs the named scenarios and prints their outcomes.</summary>
public static class ScenarioCommand
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("scenario", argv, ["--trace"], ["--verbose", "--list"]);
        if (args.Has("--list"))
        {
            foreach (var sc in Scenarios.All) stdout.WriteLine($"{sc.Name,-40} {sc.Origin}");
            return ExitCodes.Ok;
        }
        var chosen = args.Positional.Count == 0 ? Scenarios.All.ToList() : args.Positional.Select(n => Scenarios.Find(n)
            ?? throw new UsageException($"notifier scenario: unknown scenario '{n}' (notifier scenario --list)")).ToList();
        if (args.Get("--trace") is not null && chosen.Count != 1) throw new UsageException("notifier scenario: --trace needs exactly one scenario");
        int failed = 0;
        foreach (var sc in chosen)
        {
            var r = sc.Run();
            string verdict = r.Passed ? "ok  " : "FAIL";
            string rule = r.ActualRule is null ? "all rules hold" : $"breaks {r.ActualRule} at line {r.Session.FirstViolationLine}";
            stdout.WriteLine($"{verdict} {sc.Name,-40} {rule}{(r.ExpectedRule is not null ? " (expected)" : "")}");
            if (!r.Passed || args.Has("--verbose"))
            {
                stdout.WriteLine($"     {sc.Summary}");
                if (r.Session.FirstViolation is { } v) stdout.WriteLine($"     {v}");
                if (r.ExpectedRule != r.ActualRule) stdout.WriteLine($"     expected rule: {r.ExpectedRule ?? "none"}, actual: {r.ActualRule ?? "none"}");
                foreach (var c in r.Checks) stdout.WriteLine($"     {(c.Ok ? "ok  " : "FAIL")} {c.What}: expected {c.Expected}, got {c.Actual}");
            }
            if (!r.Passed) failed++;
            if (args.Get("--trace") is { } path) TraceFile.Write(path, r.Session);
        }
        stdout.WriteLine($"{chosen.Count - failed}/{chosen.Count} scenarios as expected");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Violation;
    }
}
