namespace NotifierSpec.Kernel;

/// <summary>
/// Swap for MADV_PAGEOUT (without swap, reclaim cannot free an anonymous page: linux-7.2 mm/vmscan.c shrink_folio_list keeps it). The
/// kernel's own swap is used when /proc/swaps lists any; else a swap file is made under /var/tmp (ext4 here: a file on
/// tmpfs cannot be swapped to), its header written as linux-7.2 include/linux/swap.h union swap_header says (version 1,
/// last_page, "SWAPSPACE2" at the end of the first page), and enabled with swapon(2). Restore turns it off and removes
/// it (LiveMm.Dispose, and RestoreSystem on Ctrl-C / SIGTERM).
/// </summary>
public sealed class SwapControl
{
    public const string Swaps = "/proc/swaps";
    private const int Page = 4096, FilePages = 16384; // 64 MiB
    private string? _file;
    private bool _tried, _restored;
    // Ensure and Restore exclude each other: Restore runs on another thread at Ctrl-C / SIGTERM (LiveMm.RestoreSystem) while the
    // run's loop may be in Ensure; without it a file Ensure was still making was left behind (issue 13: 1 in 3 SIGTERM runs)
    private readonly Lock _lock = new();

    /// <summary>A planted bug (tests only): the code before issue 13's fix: Restore reset the first-call flag, so a later Ensure
    /// made a new swap file (a run's loop still going after the SIGTERM handler restored made one that nothing removed), and
    /// Ensure and Restore did not exclude each other (a file Ensure was making when Restore ran was left).</summary>
    public bool PlantRestoreAllowsEnsure { get; init; }

    /// <summary>A planted bug (tests only): the code before session 10's fix: when the swap file could not be made (a file of
    /// that name already there: FileMode.CreateNew fails), Ensure deleted the path, a file it had not made.</summary>
    public bool PlantDeletesExistingFile { get; init; }

    /// <summary>Why MADV_PAGEOUT cannot be driven here (null: it can). Decided at the first call.</summary>
    public string? Why { get; private set; }

    /// <summary>The swap file this run made and enabled (null: none, or the kernel's own swap is used).</summary>
    public string? File => _file;

    public static bool KernelHasSwap() => System.IO.File.Exists(Swaps) && System.IO.File.ReadAllLines(Swaps).Skip(1).Any(l => l.Trim().Length > 0);

    /// <summary>Every swap area /proc/swaps lists is a file (its Type column), none a partition: then no swap area can take a
    /// large folio whole (linux-7.2 mm/swapfile.c cluster_alloc_swap_entry: "if (order && !(si->flags & SWP_BLKDEV)) return 0";
    /// 6.12 scan_swap_map_slots the same) and reclaim splits a THP before swapping it out (mm/vmscan.c shrink_folio_list:
    /// split_folio_to_list, THP_SWPOUT_FALLBACK), which is what the reference models. swaps: the text of /proc/swaps.</summary>
    public static bool OnlyFiles(string? swaps = null)
    {
        swaps ??= System.IO.File.Exists(Swaps) ? System.IO.File.ReadAllText(Swaps) : "";
        return swaps.Split('\n').Skip(1).Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length > 1).All(f => f[1] == "file");
    }

    /// <summary>The swap files earlier runs could not remove (killed by SIGKILL, which no handler sees): every
    /// /var/tmp/notifier-kernel-PID.swap that /proc/swaps lists whose PID is not a running process (no /proc/PID) and is
    /// not this one. Each is turned off (swapoff) and removed; one that swapoff refuses is kept and named. Then every such
    /// file in /var/tmp that /proc/swaps does not list (a run killed between making the file and swapon, or before the fix
    /// of issue 13's SIGTERM race) whose PID is gone is removed. swaps: the text of /proc/swaps; files: the
    /// /var/tmp/notifier-kernel-*.swap files; alive, swapoff and delete are the system's unless given (tests). Returns what
    /// was done, one line each.</summary>
    public static List<string> RemoveStale(string? swaps = null, Func<int, bool>? alive = null, Func<string, int>? swapoff = null,
        IEnumerable<string>? files = null, Action<string>? delete = null)
    {
        var done = new List<string>();
        swaps ??= System.IO.File.Exists(Swaps) ? System.IO.File.ReadAllText(Swaps) : "";
        alive ??= pid => Directory.Exists($"/proc/{pid}");
        swapoff ??= Native.Swapoff;
        delete ??= TryDelete;
        files ??= Directory.Exists("/var/tmp") ? Directory.EnumerateFiles("/var/tmp", "notifier-kernel-*.swap").ToList() : [];
        var listed = new HashSet<string>();
        foreach (var line in swaps.Split('\n').Skip(1))
        {
            // Filename Type Size Used Priority (mm/swapfile.c swap_show: the path, " (deleted)" when unlinked)
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^(/var/tmp/notifier-kernel-(\d+)\.swap)(\\040\(deleted\))?\s");
            if (!m.Success || !int.TryParse(m.Groups[2].Value, out int pid) || pid == Environment.ProcessId || alive(pid)) continue;
            string path = m.Groups[1].Value;
            listed.Add(path);
            if (swapoff(path) is var err and not 0) { done.Add($"stale swap file {path} of dead process {pid}: swapoff failed (errno {err}): run `swapoff {path} && rm {path}`"); continue; }
            delete(path);
            done.Add($"stale swap file {path} of dead process {pid}: turned off and removed");
        }
        // listed ones that are alive are in use; listed ones of dead processes were handled above
        foreach (var line in swaps.Split('\n').Skip(1))
            if (System.Text.RegularExpressions.Regex.Match(line, @"^(/var/tmp/notifier-kernel-\d+\.swap)") is { Success: true } lm) listed.Add(lm.Groups[1].Value);
        foreach (var path in files.Order(StringComparer.Ordinal))
        {
            var m = System.Text.RegularExpressions.Regex.Match(path, @"^/var/tmp/notifier-kernel-(\d+)\.swap$");
            if (!m.Success || listed.Contains(path) || !int.TryParse(m.Groups[1].Value, out int pid) || pid == Environment.ProcessId || alive(pid)) continue;
            delete(path);
            done.Add($"stale swap file {path} of dead process {pid} (not swapped on): removed");
        }
        return done;
    }

    /// <summary>Swap on: the kernel's, or a file made here (path: /var/tmp/notifier-kernel-PID.swap unless given). Stale swap
    /// files of killed runs are removed first (RemoveStale). Returns Why.</summary>
    /// Once Restore ran (the run is ending) it makes nothing and says so.
    public string? Ensure(string? path = null)
    {
        if (PlantRestoreAllowsEnsure) return EnsureLocked(path);
        lock (_lock) return EnsureLocked(path);
    }

    private string? EnsureLocked(string? path)
    {
        if (_restored) return "the run is ending: its swap was already restored (SwapControl.Restore)";
        if (_tried) return Why;
        _tried = true;
        if (!System.IO.File.Exists(Swaps)) return Why = $"no {Swaps}: the kernel has no swap support (CONFIG_SWAP off)";
        foreach (var line in RemoveStale()) Console.Error.WriteLine($"notifier kernel: {line}");
        if (KernelHasSwap()) return null;
        path ??= $"/var/tmp/notifier-kernel-{Environment.ProcessId}.swap";
        bool made = false; // the file is this run's: a failed CreateNew leaves someone else's file alone
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, PreallocationSize = (long)FilePages * Page };
            if (OperatingSystem.IsLinux()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // swapon warns about others' access
            using (var f = new FileStream(path, options))
            {
                made = true;
                var header = new byte[Page];
                BitConverter.TryWriteBytes(header.AsSpan(1024), 1u);                  // info.version
                BitConverter.TryWriteBytes(header.AsSpan(1028), (uint)(FilePages - 1)); // info.last_page
                "SWAPSPACE2"u8.CopyTo(header.AsSpan(Page - 10));                       // magic.magic
                f.Write(header);
                f.Write(new byte[(FilePages - 1) * Page]); // written out: swapon refuses a file with holes
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (made || PlantDeletesExistingFile) TryDelete(path);
            return Why = $"the swap file {path} could not be made: {e.Message}";
        }
        int err = Native.Swapon(path);
        if (err != 0)
        {
            TryDelete(path);
            return Why = $"swapon of {path} refused here (errno {err})";
        }
        _file = path;
        return null;
    }

    /// <summary>Turns off and removes the swap file made here (pages on it come back into memory first); waits for an Ensure
    /// under way, and makes every later Ensure refuse.</summary>
    public void Restore()
    {
        if (PlantRestoreAllowsEnsure) { RestoreLocked(); return; }
        lock (_lock) RestoreLocked();
    }

    private void RestoreLocked()
    {
        if (PlantRestoreAllowsEnsure) _tried = false;
        else _restored = true;
        if (_file is not { } path) return;
        _file = null;
        // a file deleted while still swapped on stays active swap until reboot: keep it, and say how to remove it
        if (Native.Swapoff(path) is var err and not 0)
        {
            Console.Error.WriteLine($"notifier kernel: swapoff {path} failed (errno {err}): run `swapoff {path} && rm {path}`");
            return;
        }
        TryDelete(path);
    }

    private static void TryDelete(string path) { try { System.IO.File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
}
