using NotifierSpec.Kernel;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>KvmUnmapTrace's tracefs: mounted at a mount point of its own (never at the shared /sys/kernel/tracing, which a
/// run's Dispose unmounted under another run: its trace_pipe gone, errno 2, its instance left), and what runs killed with
/// SIGKILL left (instances, mounts) removed by the next run (review of session 10: four such instances on the machine).</summary>
[Collection(MachineWide.Name)]
public class TraceMountTests
{
    private static int DeadPid()
    {
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        Assert.False(Directory.Exists($"/proc/{gone.Id}"));
        return gone.Id;
    }

    private static int Run(string file, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(file, args)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [KvmSkippableFact]
    public void A_trace_mounts_tracefs_at_its_own_mount_point_and_the_planted_old_open_at_the_shared_one()
    {
        if (Directory.Exists(KvmUnmapTrace.SystemRoot + "/instances"))
            throw new SkipException($"tracefs is mounted at {KvmUnmapTrace.SystemRoot} (by the system or another run): this test wants it unmounted");
        string own = KvmUnmapTrace.OwnMount(Environment.ProcessId);
        using (var t = KvmUnmapTrace.Open(16, out var why))
        {
            Assert.Null(why);
            Assert.Equal(own, t!.Root);
            Assert.True(Directory.Exists(own + "/instances/notifier-kernel-" + Environment.ProcessId));
            Assert.False(Directory.Exists(KvmUnmapTrace.SystemRoot + "/instances")); // another run's unmount cannot take it away
        }
        Assert.False(Directory.Exists(own));
        using (var planted = KvmUnmapTrace.Open(16, out var why, plantSharedMount: true))
        {
            Assert.Null(why);
            Assert.Equal(KvmUnmapTrace.SystemRoot, planted!.Root);
            Assert.True(Directory.Exists(KvmUnmapTrace.SystemRoot + "/instances"));
        }
        Assert.False(Directory.Exists(KvmUnmapTrace.SystemRoot + "/instances"));
    }

    [KvmFact]
    public void Instances_and_mounts_of_killed_runs_are_removed_and_those_of_live_ones_kept()
    {
        using var t = KvmUnmapTrace.Open(16, out var why);
        Assert.Null(why);
        int dead = DeadPid();
        string stale = $"{t!.Root}/instances/notifier-kernel-{dead}", live = $"{t.Root}/instances/notifier-kernel-1";
        string staleMount = KvmUnmapTrace.OwnMount(dead);
        bool liveMade = !Directory.Exists(live);
        try
        {
            // as a killed run left it: the event on, its stack-trace trigger set
            Directory.CreateDirectory(stale);
            string ev = stale + "/events/kvm/kvm_unmap_hva_range";
            File.WriteAllText(ev + "/trigger", "stacktrace if start < 0x3000 && end > 0x1000");
            File.WriteAllText(ev + "/enable", "1");
            Directory.CreateDirectory(live); // pid 1 is alive
            Directory.CreateDirectory(staleMount);
            Assert.Equal(0, Run("mount", "-t", "tracefs", "nodev", staleMount));
            var done = KvmUnmapTrace.RemoveStale(t.Root);
            Assert.Equal([$"stale trace instance {stale} of dead process {dead}: removed",
                          $"stale tracefs mount {staleMount} of dead process {dead}: unmounted and removed"], done);
            Assert.False(Directory.Exists(stale));
            Assert.False(Directory.Exists(staleMount));
            Assert.True(Directory.Exists(live));
        }
        finally
        {
            if (liveMade && Directory.Exists(live)) Directory.Delete(live);
            if (Directory.Exists(stale)) { File.WriteAllText(stale + "/events/kvm/kvm_unmap_hva_range/trigger", "!stacktrace if start < 0x3000 && end > 0x1000"); Directory.Delete(stale); }
            if (Directory.Exists(staleMount)) { Run("umount", staleMount); Directory.Delete(staleMount); }
        }
    }
}
