using System.Diagnostics;

namespace NotifierSpec.Kernel;

/// <summary>
/// ksmd, driven through /sys/kernel/mm/ksm (linux-7.2 Documentation/admin-guide/mm/ksm.rst): run 1 with no sleep and no
/// smart scan until the pages asked for share a frame (or a time limit), then run 0 (merged pages stay merged).
/// The settings found are written back by Restore (also on Ctrl-C and on failure, through LiveMm.Dispose).
/// </summary>
public sealed class KsmControl
{
    private const string Dir = "/sys/kernel/mm/ksm/";
    private static readonly string[] Settings = ["pages_to_scan", "sleep_millisecs", "smart_scan", "run"];
    private Dictionary<string, string>? _saved;

    public static bool Available => File.Exists(Dir + "run");

    private static void Write(string name, string value) => File.WriteAllText(Dir + name, value);
    private static string Read(string name) => File.ReadAllText(Dir + name).Trim();

    /// <summary>Runs ksmd until merged() holds; false if it did not within the time limit.</summary>
    public bool Merge(Func<bool> merged, TimeSpan limit)
    {
        _saved ??= Settings.Where(n => File.Exists(Dir + n)).ToDictionary(n => n, Read);
        var sw = Stopwatch.StartNew();
        try
        {
            Write("pages_to_scan", "1000");
            Write("sleep_millisecs", "0");
            if (File.Exists(Dir + "smart_scan")) Write("smart_scan", "0");
            Write("run", "1");
            while (sw.Elapsed < limit)
            {
                if (merged()) return true;
                Thread.Sleep(1);
            }
            return merged();
        }
        finally { Write("run", "0"); }
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
