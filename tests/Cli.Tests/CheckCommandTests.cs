using NotifierSpec.Checker.Tests;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier check` as a command: --manifest's report and --dump-trace's refusal (moved from
/// Checker.Tests' CorpusTests and FrontEndTests; the corpus is tests/Checker.Tests/corpus).</summary>
public class CheckCommandTests
{
    [Fact]
    public void ManifestModeReportsDifferences()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"man-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var f in new[] { "DieHard.tla", "DieHard.cfg", "Counter.tla", "Counter.cfg" }) File.Copy(Path.Combine(CorpusTests.CorpusDir, f), Path.Combine(dir, f));
            File.WriteAllText(Path.Combine(dir, "manifest.json"), """
            {"models":[
              {"name":"DieHard","spec":"DieHard.tla","config":"DieHard.cfg","ci":true,"result":"safety failure","violated":"NotSolved","distinctStates":14,"stateDepth":7,"traceLength":7},
              {"name":"CounterWrong","spec":"Counter.tla","config":"Counter.cfg","ci":true,"result":"deadlock failure","violated":null,"distinctStates":7,"stateDepth":6,"traceLength":6},
              {"name":"Skipped","spec":"Counter.tla","config":"Counter.cfg","ci":false,"result":"success","violated":null,"distinctStates":1,"stateDepth":1,"traceLength":null}
            ]}
            """);
            var o = new StringWriter();
            int exit = NotifierSpec.Cli.Cli.Run(["check", "--manifest", Path.Combine(dir, "manifest.json"), "--workers", "1"], o, TextWriter.Null);
            Assert.Equal(ExitCodes.Violation, exit);
            var text = o.ToString();
            // one aligned row per model (Spectre.Console): status, name, result or differences
            Assert.Matches(@"(?m)^OK   DieHard      safety NotSolved, 14 distinct states, depth 7, trace 7 \([0-9.]+s\)$", text);
            Assert.Contains("\nFAIL CounterWrong distinctStates 6 (expected 7)\n", text);
            Assert.Contains("\nSKIP Skipped      ci:false; use --all\n", text);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>An output path that cannot be written is refused before the search starts (one line, exit 255);
    /// it used to be found only after the search, the I/O error hiding the violation's exit code 12.</summary>
    [Theory]
    [InlineData("dir", "is a directory")]
    [InlineData("missing", "the directory {0} does not exist")]
    [InlineData("under-file", "the directory {0} does not exist")]
    public void AnUnwritableDumpTracePathIsRefusedBeforeTheSearch(string kind, string problem)
    {
        var dir = Directory.CreateTempSubdirectory("dump-").FullName;
        try
        {
            var spec = Path.Combine(CorpusTests.CorpusDir, "CfgCheck.tla");
            var cfg = Path.Combine(CorpusTests.CorpusDir, "CfgSubOk.cfg"); // an invariant violation: exit 12 when it can write
            var file = Path.Combine(dir, "f.txt");
            File.WriteAllText(file, "");
            string target = kind switch { "dir" => dir, "missing" => Path.Combine(dir, "no", "t.json"), _ => Path.Combine(file, "t.json") };
            string parent = Path.GetDirectoryName(target)!;
            var o = new StringWriter(); var e = new StringWriter();
            int exit = NotifierSpec.Cli.Cli.Run(["check", spec, "--config", cfg, "--dump-trace", target, "--workers", "1"], o, e);
            Assert.Equal(255, exit);
            Assert.Equal($"notifier check: --dump-trace {target}: {string.Format(problem, parent)}\n", e.ToString());
            Assert.Equal("", o.ToString());

            var ok = Path.Combine(dir, "t.json");
            Assert.Equal(12, NotifierSpec.Cli.Cli.Run(["check", spec, "--config", cfg, "--dump-trace", ok, "--workers", "1"], new StringWriter(), new StringWriter()));
            Assert.StartsWith("{\"#meta\"", File.ReadAllText(ok));
        }
        finally { Directory.Delete(dir, true); }
    }
}
