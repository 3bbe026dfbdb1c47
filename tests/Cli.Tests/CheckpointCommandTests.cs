using System.Diagnostics;
using NotifierSpec.Checker;
using NotifierSpec.Checker.Tests;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier check --checkpoint/--recover/--max-memory` as a user runs it: a killed process recovered
/// to TLC's counts, and bad option values refused in one line.</summary>
public class CheckpointCommandTests
{
    [Fact]
    public void ARunKilledAfterACheckpointIsRecoveredToTlcsCounts()
    {
        // a real kill: `notifier check --checkpoint` in a child process, killed once it wrote three checkpoints
        var e = CorpusTests.Manifest()["TwoPhaseBig"];
        string tla = Path.Combine(CorpusTests.CorpusDir, e.Model.Spec), cfg = Path.Combine(CorpusTests.CorpusDir, e.Model.Config);
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "notifier.dll"), "check", tla, "--config", cfg, "--workers", "2", "--checkpoint", dir.FullName, "--checkpoint-every", "0s" })
                psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                int seen = 0;
                while (seen < 3 && p.StandardOutput.ReadLine() is { } line)
                    if (line.StartsWith("Checkpoint written to ")) seen++;
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                Assert.Equal(3, seen);
            }
            Assert.True(File.Exists(Path.Combine(dir.FullName, ModelChecker.CheckpointFile)));
            var (r, output) = CheckpointTests.Run(tla, cfg, 1, recover: dir.FullName);
            Assert.Contains("Recovered from ", output);
            Assert.Equal(Outcome.Success, r.Outcome);
            Assert.Equal((e.Model.DistinctStates, e.Generated, e.Model.StateDepth), (r.Distinct, (long?)r.Generated, r.Depth));
        }
        finally { dir.Delete(true); }
    }

    [Theory]
    [InlineData("--max-memory 12", "notifier check: --max-memory: 12 is below the minimum of 64K")]
    [InlineData("--max-memory 2X", "notifier check: --max-memory: expected a size such as 512M or 2G, got '2X'")]
    [InlineData("--checkpoint-every 10m", "notifier check: --checkpoint-every needs --checkpoint DIR")]
    [InlineData("--checkpoint {dir} --checkpoint-every 10", "notifier check: --checkpoint-every: expected an interval such as 30s, 10m or 1h, got '10'")]
    [InlineData("--recover {dir}", "notifier check: --recover {dir}: no checkpoint.bin there")]
    public void BadValuesAreOneLineWithExit255(string options, string message)
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var args = new[] { "check", Path.Combine(CorpusTests.CorpusDir, "DieHard.tla") }.Concat(options.Replace("{dir}", dir.FullName).Split(' ')).ToArray();
            var o = new StringWriter(); var err = new StringWriter();
            int code = NotifierSpec.Cli.Cli.Run(args, o, err);
            Assert.Equal(255, code);
            Assert.Equal(message.Replace("{dir}", dir.FullName) + "\n", err.ToString().Replace("\r", ""));
        }
        finally { dir.Delete(true); }
    }
}
