using System.Diagnostics;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>bench/compare.sh's verdicts and exit codes, with a stand-in for TLC (a launcher script printing a count) on a corpus
/// model of 4 distinct states: equal counts give a ratio and exit 0; different counts a MISMATCH row and exit 1; bad usage one
/// line and exit 255.</summary>
public sealed class BenchCompareTests
{
    private static (int Code, string Out, string Err) Compare(params string[] args) => Run("bash", [Path.Combine(JsonSchemas.Root(), "bench", "compare.sh"), .. args]);

    private static (int Code, string Out, string Err) Run(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, err.Result);
    }

    /// <summary>A set of one row (the corpus's BoxImplies, 4 distinct states) and a TLC stand-in printing distinct.</summary>
    private static (string Set, string Tlc) Fixture(int distinct, double seconds)
    {
        string dir = Directory.CreateTempSubdirectory("bench-compare-test-").FullName;
        string set = Path.Combine(dir, "set.txt"), tlc = Path.Combine(dir, "tlc");
        File.WriteAllText(set, "BoxImplies tests/Checker.Tests/corpus/BoxImplies.tla tests/Checker.Tests/corpus/BoxImplies.cfg\n");
        File.WriteAllText(tlc, $"#!/bin/sh\nsleep {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\necho \"5 states generated, {distinct} distinct states found, 0 states left on queue.\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tlc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (set, tlc);
    }

    [Theory]
    [InlineData(4, 0.3, 0, "| BoxImplies | 4 | ")]
    [InlineData(5, 0.3, 1, "| BoxImplies | MISMATCH ours ['4'] TLC ['5'] | ")] // planted: the stand-in's count one off
    public void Equal_counts_get_a_ratio_and_different_ones_a_mismatch_and_exit_1(int tlcDistinct, double tlcSeconds, int code, string row)
    {
        if (!File.Exists("/usr/bin/time") || !File.Exists("/usr/bin/bc")) throw new InvalidOperationException("bench/compare.sh needs /usr/bin/time and bc (Debian packages time, bc)");
        var (set, tlc) = Fixture(tlcDistinct, tlcSeconds);
        var r = Compare("--tlc", tlc, "--set", set, "--runs", "1", "--no-build");
        Assert.True(r.Code == code, $"exit {r.Code}\n{r.Out}\n{r.Err}");
        Assert.Contains(row, r.Out);
        Assert.Equal(code == 0, r.Out.Contains("geometric mean of the wall ratios (TLC / ours): "));
        Assert.DoesNotContain("Traceback", r.Err);
    }

    [Fact]
    public void A_run_under_the_timers_hundredth_gets_no_ratio_and_the_mean_counts_the_others()
    {
        // /usr/bin/time's wall is in hundredths: 0.00 for a run under 0.01 s (before: log(0), a Python traceback, no table)
        string tsv = Path.Combine(Directory.CreateTempSubdirectory("bench-table-test-").FullName, "results.tsv");
        File.WriteAllText(tsv, "Tiny\tours\t0.25\t0.23\t4\t0\nTiny\ttlc\t0.00\t0\t4\t0\nBig\tours\t2.00\t2.50\t100\t0\nBig\ttlc\t8.00\t9.00\t100\t0\n");
        var (code, o, err) = Run("python3", [Path.Combine(JsonSchemas.Root(), "bench", "table.py"), tsv]);
        Assert.Equal((0, ""), (code, err));
        Assert.Equal(["| Tiny | 4 | 0.00 / 0.25 | - (a run under 0.01 s) | 0.00 / 0.23 | - |", "| Big | 100 | 8.0 / 2.0 | 4.00x | 9.0 / 2.5 | 3.60x |",
            "geometric mean of the wall ratios (TLC / ours): 4.00x over 1 model(s)"], o.Split('\n').Where(l => l.StartsWith("| Tiny") || l.StartsWith("| Big") || l.StartsWith("geometric")));
    }

    [Theory]
    [InlineData(new[] { "--runs" }, "bench/compare.sh: --runs needs a value (see --help)")]
    [InlineData(new[] { "--bogus" }, "bench/compare.sh: unknown argument '--bogus' (see --help)")]
    [InlineData(new[] { "--runs", "0", "--tlc", "/bin/sh" }, "bench/compare.sh: --runs 0: expected a positive integer")]
    [InlineData(new[] { "--runs", "1" }, "bench/compare.sh: --tlc PATH is required (a tla2tools.jar or a TLC launcher)")]
    public void Bad_usage_is_one_line_and_exit_255(string[] args, string line)
    {
        var r = Compare(args);
        Assert.Equal((255, "", line + "\n"), (r.Code, r.Out, r.Err));
    }
}
