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
    public Task An_interrupted_run_exits_with_its_own_code_and_says_so(string signal, int code, string name) =>
        Interrupt("hammer", ["--time", "1m", "--workers", "1", "--seed", "7"], signal, code, name);

    /// <summary>The live-kernel run: the handlers remove the trace instance the run's thread reads, which then failed and
    /// wrote its error after the "interrupted" line (review of session 10; 1 in a few runs on the old code).</summary>
    [LiveKernelTheory]
    [InlineData("INT", 130, "SIGINT")]
    [InlineData("TERM", 143, "SIGTERM")]
    public Task An_interrupted_live_kernel_run_ends_with_the_interrupted_line_alone(string signal, int code, string name) =>
        Interrupt("kernel", ["--time", "1m", "--seed", "4"], signal, code, name);

    private static async Task Interrupt(string command, string[] options, string signal, int code, string name)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "notifier.dll");
        Assert.True(File.Exists(dll), dll);
        // env resets the signals to their defaults: a shell without job control starts background jobs with SIGINT ignored
        var psi = new ProcessStartInfo("env", ["--default-signal=INT,TERM", "dotnet", dll, command, .. options])
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
            Assert.False(p.HasExited, $"{command} ended before the signal: {err}");
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
        // a live-kernel run first removes what killed runs left on the machine, one line each ("notifier kernel: stale ...")
        text = string.Concat(text.Split('\n').Where(l => !l.StartsWith($"notifier {command}: stale ", StringComparison.Ordinal)).Select(l => l + "\n"))[..^1];
        Assert.Equal($"notifier {command}: interrupted ({name}), exit {code}\n", text);
    }
}

/// <summary>A theory that needs what `notifier kernel` needs (a usable /dev/kvm, root); skipped with the reason elsewhere.</summary>
public sealed class LiveKernelTheoryAttribute : TheoryAttribute
{
    public LiveKernelTheoryAttribute()
    {
        try { using var f = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { Skip = $"/dev/kvm is not usable here: {e.Message}"; return; }
        if (Environment.UserName != "root") Skip = "not root: notifier kernel reads pagemap frame numbers (CAP_SYS_ADMIN)";
    }
}
