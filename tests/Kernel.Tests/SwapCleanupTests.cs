using NotifierSpec.Kernel;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>Swap files left by a run killed with SIGKILL (no handler runs, so Restore never did): SwapControl.RemoveStale.</summary>
[Collection(MachineWide.Name)]
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
        // files and delete given too: the real /var/tmp may hold a live run's swap file of a pid the fake `alive` calls dead
        var deleted = new List<string>();
        var done = SwapControl.RemoveStale(swaps, pid => pid == 222, p => { off.Add(p); return p.Contains("333") ? 2 : 0; }, files: [], delete: deleted.Add);
        Assert.Equal(["/var/tmp/notifier-kernel-111.swap", "/var/tmp/notifier-kernel-333.swap"], off);
        Assert.Equal(
        [
            "stale swap file /var/tmp/notifier-kernel-111.swap of dead process 111: turned off and removed",
            "stale swap file /var/tmp/notifier-kernel-333.swap of dead process 333: swapoff failed (errno 2): run `swapoff /var/tmp/notifier-kernel-333.swap && rm /var/tmp/notifier-kernel-333.swap`",
        ], done);
        // this process's own file is never touched
        Assert.Equal(["/var/tmp/notifier-kernel-111.swap"], deleted);
        Assert.Empty(SwapControl.RemoveStale(Header + $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap file 65532 0 -2\n", _ => false, p => throw new InvalidOperationException(p),
            files: [], delete: p => throw new InvalidOperationException(p)));
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

    [KvmSkippableFact]
    public void A_swap_file_that_cannot_be_made_leaves_a_file_already_there_alone_and_the_planted_old_ensure_deletes_it()
    {
        if (SwapControl.KernelHasSwap())
            throw new SkipException("the machine has swap now: Ensure uses it and makes no file, this test wants none");
        string path = $"/var/tmp/notifier-test-{Environment.ProcessId}-existing.swap";
        foreach (bool planted in new[] { false, true })
        {
            File.WriteAllText(path, "not the harness's");
            try
            {
                var swap = new SwapControl { PlantDeletesExistingFile = planted };
                string? why = swap.Ensure(path);
                Assert.StartsWith($"the swap file {path} could not be made: ", why);
                Assert.Equal(!planted, File.Exists(path));
                if (!planted) Assert.Equal("not the harness's", File.ReadAllText(path));
                Assert.Null(swap.File);
                swap.Restore();
            }
            finally { File.Delete(path); }
        }
    }

    [Fact]
    public void Unlisted_notifier_swap_files_of_dead_processes_are_removed_too()
    {
        // a file that is not swapped on (the run was killed between making it and swapon, or a SIGTERM race left it)
        string swaps = Header + "/var/tmp/notifier-kernel-222.swap        file\t\t65532\t\t0\t\t-3\n";
        var removed = new List<string>();
        var done = SwapControl.RemoveStale(swaps, pid => pid is 222 or 555, _ => throw new InvalidOperationException("nothing listed is dead"),
            ["/var/tmp/notifier-kernel-444.swap", "/var/tmp/notifier-kernel-222.swap", "/var/tmp/notifier-kernel-555.swap",
             $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap", "/var/tmp/notifier-kernel-x.swap", "/var/tmp/notifier-kernel-666.swap.bak"],
            removed.Add);
        // 222 is swapped on by a live run, 555 is alive, ours is ours (a listed file of a dead run is turned off first, above)
        Assert.Equal(["/var/tmp/notifier-kernel-444.swap"], removed);
        Assert.Equal(["stale swap file /var/tmp/notifier-kernel-444.swap of dead process 444 (not swapped on): removed"], done);
    }

    [KvmFact]
    public void After_restore_ensure_makes_no_swap_file_and_the_planted_old_restore_does()
    {
        // issue 13: the SIGTERM handler's Restore ran while the run's loop went on; the loop's next pageout called Ensure, which
        // made /var/tmp/notifier-kernel-PID.swap again, and nothing removed it (1 in 3 SIGTERM runs)
        Assert.False(SwapControl.KernelHasSwap(), "this test wants a machine without swap of its own (as these are)");
        string path = $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap";
        var fixedSwap = new SwapControl();
        fixedSwap.Restore();
        Assert.Equal("the run is ending: its swap was already restored (SwapControl.Restore)", fixedSwap.Ensure(path));
        Assert.False(File.Exists(path));
        var planted = new SwapControl { PlantRestoreAllowsEnsure = true };
        planted.Restore();
        try
        {
            Assert.Null(planted.Ensure(path));
            Assert.True(File.Exists(path)); // made after the restore: the file the SIGTERM run left
        }
        finally { planted.Restore(); }
        Assert.False(File.Exists(path));
    }

    [KvmFact]
    public void A_restore_while_ensure_is_making_the_file_waits_for_it_and_removes_it()
    {
        // Restore from the SIGTERM handler's thread while the loop's Ensure is still writing the 64 MiB file: it waits (the lock)
        // and then turns the file off and removes it; the planted old code (no lock) returned at once and left the file
        Assert.False(SwapControl.KernelHasSwap(), "this test wants a machine without swap of its own (as these are)");
        string path = $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap";
        foreach (bool plant in new[] { false, true })
        {
            var swap = new SwapControl { PlantRestoreAllowsEnsure = plant };
            var making = Task.Run(() => swap.Ensure(path));
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(path) && !making.IsCompleted && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Yield();
            Assert.True(File.Exists(path), $"Ensure did not start making the file (it returned {(making.IsCompleted ? making.Result ?? "null" : "nothing yet")}; "
                + $"the kernel has swap of its own now: {SwapControl.KernelHasSwap()}, e.g. another run's swap file)");
            swap.Restore();
            Assert.Null(making.Result);
            bool left = File.Exists(path), listed = File.ReadAllText(SwapControl.Swaps).Contains(path);
            swap.Restore(); // the planted one still holds the file it made after the first Restore: this removes it
            Assert.Equal((plant, plant), (left, listed));
            Assert.False(File.Exists(path));
        }
    }
}
