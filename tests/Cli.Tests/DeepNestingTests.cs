using System.Diagnostics;
using NotifierSpec.Checker;
using Xunit;
using NotifierSpec.Checker.Tests;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// Issue 11: deeply nested expressions crashed `notifier check` with .NET's "Stack overflow." (exit 134). They
/// are checked on a thread with a 1 GB stack (conformance/ModelRun.CheckStackBytes) as TLC checks them (TLC
/// printed "2 states generated, 1 distinct states found" for each of the four specs below), and nesting beyond
/// Parser.MaxDepth is refused at its position. The CLI runs in a child process, so that a regression is a
/// failed assertion on exit 134, not a crashed test host.
/// </summary>
public class DeepNestingTests
{
    public static (int Exit, string Out, string Err) RunCli(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "notifier.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException("notifier " + string.Join(" ", args)); }
        return (p.ExitCode, o.Result, e.Result);
    }

    private static string Write(string dir, string name, string inv)
    {
        var tla = Path.Combine(dir, name + ".tla");
        File.WriteAllText(tla, $"---- MODULE {name} ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == x' = x\nInv == {inv}\n====\n");
        File.WriteAllText(Path.Combine(dir, name + ".cfg"), "INIT Init\nNEXT Next\nINVARIANT Inv\n");
        return tla;
    }

    public static string Inv(string kind, int n) => kind switch
    {
        "parens" => new string('(', n) + "x = 0" + new string(')', n),
        "sum" => "x + " + string.Join(" + ", Enumerable.Repeat("1", n)) + " > 0",
        "conjuncts" => string.Join(" /\\ ", Enumerable.Repeat("TRUE", n)),
        "braces" => new string('{', n) + "x" + new string('}', n) + " /= {}",
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [InlineData("parens", 5000, "1")]
    [InlineData("sum", 5000, "1")]
    [InlineData("conjuncts", 3000, "1")]
    [InlineData("braces", 3000, "1")]
    [InlineData("sum", 5000, "2")]
    public void DeepExpressionsAreCheckedAsTlcChecksThem(string kind, int n, string workers)
    {
        var dir = Directory.CreateTempSubdirectory("deep-").FullName;
        try
        {
            var (exit, o, e) = RunCli("check", Write(dir, "Deep", Inv(kind, n)), "--workers", workers);
            Assert.Equal("", e);
            Assert.Equal(0, exit);
            Assert.Contains("2 states generated, 1 distinct states found, 0 states left on queue.", o);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("parens", 60_000, 6, 50_008)]   // the 50,001st parenthesis
    [InlineData("sum", 60_000, 6, 40_016)]      // a summand 50,001 levels down the left-nested sum
    public void TooDeepIsOneLineAtItsPosition(string kind, int n, int line, int col)
    {
        var dir = Directory.CreateTempSubdirectory("deep-").FullName;
        try
        {
            var tla = Write(dir, "Deep", Inv(kind, n));
            var (exit, o, e) = RunCli("check", tla, "--workers", "1");
            Assert.Equal(150, exit);
            Assert.Equal($"{tla}:{line}:{col}: expression nested too deeply (more than {Parser.MaxDepth} levels)\n", e);
            Assert.Equal("", o);
        }
        finally { Directory.Delete(dir, true); }
    }
}
