using System.Diagnostics;

namespace NotifierSpec.Kernel;

/// <summary>
/// ksmd, driven through /sys/kernel/mm/ksm (linux-7.2 Documentation/admin-guide/mm/ksm.rst): run 1 with no sleep and no
/// smart scan until the pages asked for share a frame (or a time limit), then run 0 (merged pages stay merged).
/// The settings found are written back after every merge and by Restore (also on Ctrl-C and on failure, through
/// LiveMm.Dispose). Settings a killed run left at the merge's values (pages_to_scan 1000, sleep_millisecs 0, smart_scan 0) are
/// restored to the kernel's defaults (linux-7.2 and linux-6.12 mm/ksm.c: ksm_thread_pages_to_scan = DEFAULT_PAGES_TO_SCAN 100,
/// ksm_thread_sleep_millisecs = 20, ksm_smart_scan = true).
/// </summary>
public sealed class KsmControl
{
    private const string Dir = "/sys/kernel/mm/ksm/";
    private static readonly string[] Settings = ["pages_to_scan", "sleep_millisecs", "smart_scan", "run"];
    public const string MergePages = "1000", MergeSleep = "0", MergeSmartScan = "0";
    public const string DefaultPages = "100", DefaultSleep = "20", DefaultSmartScan = "1";
    private Dictionary<string, string>? _saved;

    /// <summary>A planted bug (tests only): the code before session 10's fix: the settings found were kept as found, so a run
    /// killed during a merge left ksmd scanning 1000 pages with no sleep, and every later run "restored" those.</summary>
    public bool PlantKeepMergeSettings { get; init; }

    /// <summary>The settings to write back: those found, or the kernel's defaults when those found are a merge's (a run killed
    /// while ksmd merged left them). found: setting name to value; smart_scan is absent before linux-6.7.</summary>
    public static Dictionary<string, string> ToRestore(IReadOnlyDictionary<string, string> found, bool plantKeep = false)
    {
        var restore = found.ToDictionary(kv => kv.Key, kv => kv.Value);
        bool merging = found.GetValueOrDefault("pages_to_scan") == MergePages && found.GetValueOrDefault("sleep_millisecs") == MergeSleep
            && found.GetValueOrDefault("smart_scan", MergeSmartScan) == MergeSmartScan;
        if (!merging || plantKeep) return restore;
        restore["pages_to_scan"] = DefaultPages;
        restore["sleep_millisecs"] = DefaultSleep;
        if (restore.ContainsKey("smart_scan")) restore["smart_scan"] = DefaultSmartScan;
        return restore;
    }

    public static bool Available => File.Exists(Dir + "run");

    private static void Write(string name, string value) => File.WriteAllText(Dir + name, value);
    private static string Read(string name) => File.ReadAllText(Dir + name).Trim();

    /// <summary>Runs ksmd until merged() holds; false if it did not within the time limit.</summary>
    public bool Merge(Func<bool> merged, TimeSpan limit)
    {
        _saved ??= ToRestore(Settings.Where(n => File.Exists(Dir + n)).ToDictionary(n => n, Read), PlantKeepMergeSettings);
        var sw = Stopwatch.StartNew();
        try
        {
            Write("pages_to_scan", MergePages);
            Write("sleep_millisecs", MergeSleep);
            if (File.Exists(Dir + "smart_scan")) Write("smart_scan", MergeSmartScan);
            Write("run", "1");
            while (sw.Elapsed < limit)
            {
                if (merged()) return true;
                Thread.Sleep(1);
            }
            return merged();
        }
        finally
        {
            Write("run", "0");
            // the scan settings back at once: a run killed between merges (SIGKILL, which no handler sees) leaves nothing
            foreach (var (n, v) in _saved.Where(kv => kv.Key != "run")) Write(n, v);
        }
    }

    /// <summary>Writes back the settings found before the first merge (run last).</summary>
    public void Restore()
    {
        if (_saved is null) return;
        foreach (var (n, v) in _saved.Where(kv => kv.Key != "run")) Write(n, v);
        if (_saved.TryGetValue("run", out var run)) Write("run", run == "2" ? "0" : run); // 2 would unmerge every page
        _saved = null;
    }
}
