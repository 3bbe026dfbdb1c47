using System.Diagnostics;
using System.Text;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>An interrupted run (issue 11): the built notifier.dll, started as a child process on a long
/// hammer run, gets SIGINT or SIGTERM once it is under way; it exits 130 / 143 and says so on stderr.</summary>
public class SignalTests
{
    [Theory]
    [InlineData("INT", 130, "SIGINT")]
    [InlineData("TERM", 143, "SIGTERM")]
    public async Task An_interrupted_run_exits_with_its_own_code_and_says_so(string signal, int code, string name)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "notifier.dll");
        Assert.True(File.Exists(dll), dll);
        // env resets the signals to their defaults: a shell without job control starts background jobs with SIGINT ignored
        var psi = new ProcessStartInfo("env", ["--default-signal=INT,TERM", "dotnet", dll, "hammer", "--time", "1m", "--workers", "1", "--seed", "7"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var err = new StringBuilder();
        var reader = Task.Run(() =>
        {
            var buf = new char[256];
            int n;
            while ((n = p.StandardError.Read(buf, 0, buf.Length)) > 0)
                lock (err) err.Append(buf, 0, n);
        });
        try
        {
            // the run is under way once the child has used 2 s of CPU: far past Main's first lines (which register the
            // signal handlers), in the campaign (it prints no progress line: its stderr is not a terminal)
            var until = Stopwatch.StartNew();
            while (!p.HasExited && p.TotalProcessorTime < TimeSpan.FromSeconds(2) && until.Elapsed < TimeSpan.FromSeconds(90))
                await Task.Delay(100);
            Assert.False(p.HasExited, $"hammer ended before the signal: {err}");
            using (var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString()])!) kill.WaitForExit();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(code, p.ExitCode);
        Assert.Equal("", await stdout);
        string text;
        lock (err) text = err.ToString();
        Assert.Equal($"notifier hammer: interrupted ({name}), exit {code}\n", text);
    }
}
