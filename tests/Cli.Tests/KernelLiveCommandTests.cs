using NotifierSpec.Kernel;
using NotifierSpec.Kernel.Tests;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier kernel` on the live kernel through the CLI (only CLI tests reference cli/): one VM per process,
/// so these run in the "live kernel" collection, one at a time with the other CLI runs that open it.</summary>
[Collection("live kernel")]
public sealed class KernelLiveCommandTests
{
    [KvmSkippableFact]
    public void The_cli_exits_12_on_MigrateNoNotify()
    {
        // repeated while compaction moved none of the region's pages (CompactionRetry: other frames each time); skipped, with the
        // reason, when it moved none in every run
        var (code, output) = CompactionRetry.Until(() =>
        {
            var o = new StringWriter(); var e = new StringWriter();
            int c = NotifierSpec.Cli.Cli.Run(["kernel", "--pages", "128", "--vocabulary", "linux-6.18", "--mutant", "MigrateNoNotify", "--no-trace", "--quiet", "--ops", LiveKernelTests.MigrationOps()], o, e);
            return (c, o + e.ToString());
        }, x => !x.Item2.Contains("compactions moved 0 pages"), out long elsewhere);
        if (code == 0 && output.Contains("1 compactions moved 0 pages of the region")) throw CompactionRetry.NoneMoved(128, elsewhere);
        Assert.True(code == 12, output);
        Assert.Contains("MISMATCH after operation", output);
        Assert.Contains("--mutant MigrateNoNotify --ops \"", output);
    }

    [KvmTraceFact]
    public void The_cli_makes_a_swap_file_for_pageout_matches_try_to_unmap_one_and_removes_the_file()
    {
        bool hadSwap = SwapControl.KernelHasSwap();
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(["kernel", "--vocabulary", "linux-6.18", "--quiet", "--ops", LiveKernelTests.PageoutOps], o, e);
        Assert.True(code == 0, o + e.ToString());
        Assert.True(o.ToString().Contains("try_to_unmap_one 4"), o + e.ToString());
        if (!hadSwap)
        {
            Assert.Matches(@"pageout \(MADV_PAGEOUT\): swap file /var/tmp/notifier-kernel-\d+\.swap made by this run", o.ToString());
            Assert.False(SwapControl.KernelHasSwap());
            Assert.Empty(Directory.GetFiles("/var/tmp", $"notifier-kernel-{Environment.ProcessId}.swap"));
        }
    }
}
