using Xunit;
using NotifierSpec.Properties;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier hammer` (moved from Properties.Tests: only CLI tests reference cli/).</summary>
public class HammerCommandTests
{
    [Fact]
    public void Hammer_prints_the_shrunk_failure_and_a_command_that_reproduces_it()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["hammer", "--property", "V7MprotWriteProtectIsUnsafe", "--count", "200", "--batch", "50", "--workers", "2", "--quiet"], o, e);
        Assert.Equal(12, rc);
        string report = o.ToString();
        Assert.Contains("V7MprotWriteProtectIsUnsafe FAILED", report);
        Assert.Contains("<-- NoStaleDeviceMapping", report);
        string cmd = report.Split('\n').Single(l => l.TrimStart().StartsWith("reproduce:", StringComparison.Ordinal)).Trim()["reproduce: notifier ".Length..];
        var o2 = new StringWriter();
        Assert.Equal(12, NotifierSpec.Cli.Cli.Run([.. cmd.Split(' '), "--quiet"], o2, e));
        Assert.Equal(report, o2.ToString());
    }

    [Fact]
    public void Hammer_rejects_bad_options_with_one_line()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["hammer", "--time", "soon"], o, e));
        Assert.Equal("notifier hammer: --time: expected an interval such as 30s, 10m or 1h, got 'soon'", e.ToString().Trim());
        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["hammer", "--time", "0s"], o, e));
        Assert.Equal("notifier hammer: --time: 0s is not more than zero", e.ToString().Trim());
        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["hammer", "--property", "Nope"], o, e));
        Assert.StartsWith("notifier hammer: unknown property 'Nope'", e.ToString().Trim());
    }
}
