namespace NotifierSpec.Kernel;

/// <summary>
/// khugepaged held off during a run. It collapses, in the background, a PTE-mapped block of a MADV_HUGEPAGE VMA with up to
/// max_ptes_none holes (511 by default) into a new THP, filling the holes (linux-7.2 mm/khugepaged.c khugepaged_do_scan ->
/// collapse_scan_mm_slot -> collapse_huge_page); the reference has no background collapse, so a slow 1024-page run saw pages
/// appear that it had dropped (`dontneed 141 143; guest_write 142 ...` -> page 141 present in the kernel only).
/// Hold: pages_to_scan 8 (the smallest scan the store takes is 1: pages_to_scan_store refuses 0), then scan_sleep_millisecs
/// one day. Writing the sleep wakes khugepaged once (__sleep_millisecs_store: khugepaged_sleep_expire = 0, wake_up_interruptible),
/// which then scans at most pages_to_scan pages (khugepaged_do_scan: progress_max) and sleeps for the new time
/// (khugepaged_wait_work: wait_event_freezable_timeout until khugepaged_sleep_expire). MADV_COLLAPSE is not khugepaged's scan
/// and is not held off. Restore writes the settings found back (the sleep last, which wakes khugepaged again); it runs on
/// exit, Ctrl-C / SIGTERM (LiveMm.RestoreSystem) and on failure (LiveMm.Dispose). Settings a killed run left held (its sleep
/// is HeldSleep) are restored to the kernel's defaults (linux-7.2 mm/khugepaged.c: scan_sleep_millisecs 10000,
/// khugepaged_init: pages_to_scan HPAGE_PMD_NR * 8 = 4096).
/// </summary>
public sealed class KhugepagedControl
{
    public const string Dir = "/sys/kernel/mm/transparent_hugepage/khugepaged/";
    public const string HeldPages = "8", HeldSleep = "86400000";
    public const string DefaultPages = "4096", DefaultSleep = "10000";
    private (string Pages, string Sleep)? _saved;

    /// <summary>Why khugepaged cannot be held off here (no sysfs directory: no THP, so nothing to hold off), or null.</summary>
    public static string? Why => Directory.Exists(Dir) ? null : $"no {Dir} (CONFIG_TRANSPARENT_HUGEPAGE off)";

    public bool Held => _saved is not null;

    private static string Read(string name) => File.ReadAllText(Dir + name).Trim();
    private static void Write(string name, string value) => File.WriteAllText(Dir + name, value);

    /// <summary>The settings a held run writes back: those found, or the kernel's defaults when those found are a held run's.</summary>
    public static (string Pages, string Sleep) ToRestore(string pages, string sleep) =>
        sleep == HeldSleep ? (pages == HeldPages ? DefaultPages : pages, DefaultSleep) : (pages, sleep);

    /// <summary>Holds khugepaged off (the settings found are saved once; written only when they differ, since writing the sleep
    /// wakes khugepaged for one scan). No-op without THP.</summary>
    public void Hold()
    {
        if (Why is not null) return;
        _saved ??= ToRestore(Read("pages_to_scan"), Read("scan_sleep_millisecs"));
        if (Read("pages_to_scan") != HeldPages) Write("pages_to_scan", HeldPages);
        if (Read("scan_sleep_millisecs") == HeldSleep) return;
        // the write wakes khugepaged for one scan (at nice 19 on a loaded machine it may run only later, when the run has THPs:
        // seen collapsing a block after `dontneed 0 1`): wait until it has slept again (its voluntary context switches grew)
        string? status = Status();
        long before = status is null ? -1 : Switches(status);
        Write("scan_sleep_millisecs", HeldSleep);
        if (status is null) return; // no khugepaged thread (THP never enabled): nothing to wait for
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (Switches(status) == before && sw.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(1);
        if (Switches(status) == before) throw new InvalidOperationException("khugepaged did not go back to sleep within 10 s of scan_sleep_millisecs being written");
    }

    /// <summary>/proc/PID/status of the khugepaged kernel thread, or null when there is none.</summary>
    private static string? Status()
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out _)) continue;
            try { if (File.ReadAllText(d + "/comm").Trim() == "khugepaged") return d + "/status"; }
            catch (IOException) { } // a process that ended while listed
        }
        return null;
    }

    /// <summary>voluntary_ctxt_switches of the thread whose status file this is.</summary>
    private static long Switches(string status)
    {
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) return long.Parse(line[24..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"{status} has no voluntary_ctxt_switches");
    }

    /// <summary>Tests only: makes khugepaged scan every 100 ms, all pages (a planted harness bug: khugepaged not held off).</summary>
    public void Provoke()
    {
        if (Why is not null) return;
        _saved ??= ToRestore(Read("pages_to_scan"), Read("scan_sleep_millisecs"));
        Write("pages_to_scan", DefaultPages);
        Write("scan_sleep_millisecs", "100");
    }

    /// <summary>Writes back the settings found (the sleep last).</summary>
    public void Restore()
    {
        if (_saved is not { } s) return;
        Write("pages_to_scan", s.Pages);
        Write("scan_sleep_millisecs", s.Sleep);
        _saved = null;
    }
}
