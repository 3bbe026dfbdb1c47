using NotifierSpec.Checker;

namespace NotifierSpec.Conformance;

/// <summary>
/// One TLA+ model checked as `notifier check SPEC.tla` checks it: loaded (spec and config errors as one line
/// FILE:LINE:COL: message and TLC's exit codes) and searched on a thread with a CheckStackBytes stack.
/// </summary>
public static class ModelRun
{
    /// <summary>The stack of the thread that parses, compiles and checks a spec (reserved, committed as used):
    /// deeply nested expressions are recursive in the compiler and evaluator (TLC, with -Xss64m, checks 5,000
    /// nested parentheses or a 5,000-term sum). The parser refuses nesting beyond Parser.MaxDepth at its position.</summary>
    public const int CheckStackBytes = 1 << 30;

    /// <summary>Loads and checks one spec on a thread with a CheckStackBytes stack; spec/config errors are one
    /// line FILE:LINE:COL: message.</summary>
    public static int CheckOne(string tla, string? cfg, CheckOptions opt, TextWriter stderr, out CheckResult? result)
    {
        CheckResult? r = null;
        int exit = OnCheckThread(() => CheckOneHere(tla, cfg, opt, stderr, out r));
        result = r;
        return exit;
    }

    /// <summary>Runs work on a new thread with a CheckStackBytes stack; its exception is rethrown here.</summary>
    public static T OnCheckThread<T>(Func<T> work) => DeepStack.Run(work, CheckStackBytes);

    private static int CheckOneHere(string tla, string? cfg, CheckOptions opt, TextWriter stderr, out CheckResult? result)
    {
        result = null;
        if (Load(tla, cfg, opt.Out, stderr, out var spec) is { } failed) return failed;
        var mc = new ModelChecker(spec!, opt);
        result = mc.Run();
        if (result.Outcome is Outcome.Error or Outcome.BadInput or Outcome.ModuleError or Outcome.InvariantError or Outcome.AssumptionError or Outcome.AssertFailed && result.Message is not null) stderr.WriteLine(result.Message);
        opt.Out.WriteLine($"Finished in {result.Seconds:F2}s ({(result.Seconds > 0 ? result.Distinct / result.Seconds : 0):F0} distinct states/s).");
        return result.ExitCode;
    }

    /// <summary>The front end of a check (TLA+ modules and .cfg read, parsed, compiled): null when the spec
    /// loaded, else the exit code after one line FILE:LINE:COL: message on stderr (the fuzzing harness,
    /// tests/Checker.Tests/FuzzTests.cs, calls this as `notifier check` does).</summary>
    public static int? Load(string tla, string? cfg, TextWriter output, TextWriter stderr, out TlaSpec? spec)
    {
        spec = null;
        try
        {
            spec = TlaSpec.Load(tla, cfg, output);
            return null;
        }
        catch (TlaError e)
        {
            stderr.WriteLine(e.ToString().Replace('\n', ' '));
            return e.IsConfig ? ExitCodes.ConfigError : ExitCodes.SpecError;
        }
        catch (EvalError e)
        {
            var w = e.Where;
            stderr.WriteLine(w is null ? $"{tla}:1:1: {e.Message.Replace('\n', ' ')}" : $"{w.File}:{w.Line}:{w.Col}: {e.Message.Replace('\n', ' ')}");
            return ExitCodes.SpecError;
        }
    }
}
