using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>The outcome of checking one property with FsCheck: passed, or the shrunk counterexample.</summary>
public sealed record PropertyResult(string Property, bool Passed, int Tests, int Shrinks, Prog? Counterexample, string? Failure, ulong Seed)
{
    /// <summary>The readable report of a failure: the rule, the shrunk steps, and the command that reproduces it.</summary>
    public string Report(string command)
    {
        if (Passed) return $"{Property}: passed {Tests} tests";
        var s = Interpreter.Execute(Counterexample!, record: true);
        var lines = new List<string>
        {
            $"{Property} FAILED after {Tests} tests and {Shrinks} shrinks: {Failure}",
            $"  program: {Counterexample}",
            $"  shrunk steps ({s.Trace.Count}):",
        };
        int n = 0;
        foreach (var l in s.Trace) lines.Add($"    {++n,4} {l}{(n == s.FirstViolationLine ? $"   <-- {s.FirstViolation!.Rule}" : "")}");
        lines.Add($"  reproduce: {command}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Runs FsCheck on a property with a fixed seed and captures the result (IRunner).</summary>
public static class PropertyChecker
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private sealed class Capture : IRunner
    {
        public TestResult? Result;
        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }
        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }
        public void OnFinished(string name, TestResult result) => Result = result;
    }

    public static PropertyResult Check(PropertyDef def, GenOptions options, int maxTest, ulong seed)
    {
        var shaped = def.Shape(options);
        var arb = Generators.Arbitrary(shaped);
        var prop = Prop.ForAll(arb, (Prog p) => def.Holds(p) is null);
        var runner = new Capture();
        var config = Config.Quick.WithMaxTest(maxTest).WithRunner(runner).WithQuietOnSuccess(true)
            .WithReplay(new FsCheck.Replay(new Rnd(seed, Gamma), FSharpOption<int>.None));
        FsCheck.Check.One(config, prop);
        switch (runner.Result)
        {
            case TestResult.Failed f:
                var shrunk = (Prog)f.Item3.Head;
                return new(def.Name, false, f.Item1.NumberOfTests, f.Item1.NumberOfShrinks, shrunk, def.Holds(shrunk), seed);
            case TestResult.Passed ps:
                return new(def.Name, true, ps.Item1.NumberOfTests, 0, null, null, seed);
            case TestResult.Exhausted ex:
                return new(def.Name, false, ex.Item.NumberOfTests, 0, null, "exhausted", seed);
            default:
                throw new InvalidOperationException("FsCheck returned no result");
        }
    }
}
