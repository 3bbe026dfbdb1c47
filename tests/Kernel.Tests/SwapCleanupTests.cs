using NotifierSpec.Kernel;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>Swap files left by a run killed with SIGKILL (no handler runs, so Restore never did): SwapControl.RemoveStale.</summary>
public class SwapCleanupTests
{
    private const string Header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    [Fact]
    public void Only_notifier_swap_files_of_dead_processes_are_turned_off_and_removed()
    {
        string swaps = Header
            + "/var/tmp/notifier-kernel-111.swap        file\t\t65532\t\t0\t\t-2\n"   // dead
            + "/var/tmp/notifier-kernel-222.swap        file\t\t65532\t\t0\t\t-3\n"   // alive
            + "/dev/vda2                                partition\t1048572\t\t0\t\t-4\n" // not ours
            + "/var/tmp/notifier-kernel-333.swap\\040(deleted) file\t65532\t0\t-5\n"  // dead, unlinked already
            + "/var/tmp/other-444.swap                  file\t\t65532\t\t0\t\t-6\n";
        var off = new List<string>();
        var done = SwapControl.RemoveStale(swaps, pid => pid == 222, p => { off.Add(p); return p.Contains("333") ? 2 : 0; });
        Assert.Equal(["/var/tmp/notifier-kernel-111.swap", "/var/tmp/notifier-kernel-333.swap"], off);
        Assert.Equal(
        [
            "stale swap file /var/tmp/notifier-kernel-111.swap of dead process 111: turned off and removed",
            "stale swap file /var/tmp/notifier-kernel-333.swap of dead process 333: swapoff failed (errno 2): run `swapoff /var/tmp/notifier-kernel-333.swap && rm /var/tmp/notifier-kernel-333.swap`",
        ], done);
        // this process's own file is never touched
        Assert.Empty(SwapControl.RemoveStale(Header + $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap file 65532 0 -2\n", _ => false, p => throw new InvalidOperationException(p)));
    }

    [KvmSkippableFact]
    public void A_swap_file_of_a_killed_run_is_found_in_proc_swaps_turned_off_and_removed()
    {
        // it wants a machine without swap (as these are); a live run of another process (its swap file) or the kernel's own swap
        // makes it skip, with what /proc/swaps lists (seen: another session's `notifier kernel` running meanwhile)
        if (SwapControl.KernelHasSwap())
            throw new SkipException($"the machine has swap now, this test wants none: {string.Join("; ", File.ReadLines(SwapControl.Swaps).Skip(1).Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0]))}");
        // a process that is gone: its pid names the file, as a run killed with SIGKILL would have left it
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        string path = $"/var/tmp/notifier-kernel-{gone.Id}.swap";
        Assert.False(Directory.Exists($"/proc/{gone.Id}"));
        var left = new SwapControl();
        Assert.Null(left.Ensure(path)); // made and enabled; never restored
        Assert.Contains(path, File.ReadAllText(SwapControl.Swaps));
        try
        {
            var done = SwapControl.RemoveStale();
            Assert.Equal([$"stale swap file {path} of dead process {gone.Id}: turned off and removed"], done);
            Assert.DoesNotContain(path, File.ReadAllText(SwapControl.Swaps));
            Assert.False(File.Exists(path));
        }
        finally { left.Restore(); }
    }
}
