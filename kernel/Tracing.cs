using System.Collections.Immutable;
using System.Globalization;
using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>One invalidation of KVM's secondary MMU as the kernel traced it: the pages of the region it covered
/// (clamped to the region) and the call site the stack names (null: a path that is no call-site row).</summary>
public sealed record KernelInvalidation(PageRange Range, CallSite? Site, string Path);

/// <summary>
/// The kvm:kvm_unmap_hva_range tracepoint (linux-7.2 virt/kvm/kvm_main.c kvm_mmu_notifier_invalidate_range_start) with a
/// `stacktrace` trigger, in a tracefs instance of its own and filtered to the region, so the kernel call path of
/// every invalidation of the guest's memory is known. Where tracefs is not mounted at /sys/kernel/tracing it is mounted at a
/// mount point of this process's own (/run/notifier-kernel-PID.tracefs), never at the shared path: a run that unmounted the
/// tracefs it had mounted there took it away from another run using it at the same time (its trace_pipe gone, errno 2, and
/// its instance left behind). The instance, its trigger and our mount are removed by Dispose (also on Ctrl-C, through
/// LiveMm.Dispose); those of runs killed with SIGKILL (whose PID is gone) by the next Open (RemoveStale).
/// </summary>
public sealed class KvmUnmapTrace : IDisposable
{
    public const string SystemRoot = "/sys/kernel/tracing";
    private const string Event = "/events/kvm/kvm_unmap_hva_range";
    private readonly string _instance, _event, _cond;
    private readonly string? _mounted; // our own mount point, or null (the system's tracefs)
    private readonly int _pages;

    private KvmUnmapTrace(string instance, string cond, string? mounted, int pages)
    {
        _instance = instance; _event = instance + Event; _cond = cond; _mounted = mounted; _pages = pages;
    }

    /// <summary>The tracefs this trace uses: the system's, or our own mount point.</summary>
    public string Root => _mounted ?? SystemRoot;

    /// <summary>The mount point a run of this PID makes when the system has no tracefs mounted.</summary>
    public static string OwnMount(int pid) => $"/run/notifier-kernel-{pid}.tracefs";

    /// <summary>Removes what runs killed with SIGKILL left (their PID gone, not this one): their instances under root
    /// (instances/notifier-kernel-PID: event off, trigger removed, the instance removed) and their own tracefs mounts
    /// (/run/notifier-kernel-PID.tracefs: unmounted, removed). alive: the system's unless given (tests). One line each.</summary>
    public static List<string> RemoveStale(string root, Func<int, bool>? alive = null)
    {
        alive ??= pid => Directory.Exists($"/proc/{pid}");
        var done = new List<string>();
        static int? Pid(string name, string prefix, string suffix) =>
            name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
        if (Directory.Exists(root + "/instances"))
            foreach (var dir in Directory.EnumerateDirectories(root + "/instances").Order(StringComparer.Ordinal))
            {
                if (Pid(Path.GetFileName(dir), "notifier-kernel-", "") is not { } pid || pid == Environment.ProcessId || alive(pid)) continue;
                string ev = dir + Event;
                Try(() => File.WriteAllText(ev + "/enable", "0"));
                // the trigger as set ("stacktrace:unlimited if COND"): removed with its condition
                Try(() => { foreach (var t in File.ReadAllLines(ev + "/trigger")) if (t.StartsWith("stacktrace", StringComparison.Ordinal) && t.IndexOf(" if ", StringComparison.Ordinal) is var k and >= 0) File.WriteAllText(ev + "/trigger", "!stacktrace" + t[k..]); });
                Try(() => File.WriteAllText(ev + "/filter", "0"));
                bool gone = Try(() => Directory.Delete(dir));
                done.Add(gone ? $"stale trace instance {dir} of dead process {pid}: removed" : $"stale trace instance {dir} of dead process {pid}: could not be removed: run `rmdir {dir}`");
            }
        foreach (var dir in Directory.Exists("/run") ? Directory.EnumerateDirectories("/run", "notifier-kernel-*.tracefs").Order(StringComparer.Ordinal).ToList() : [])
        {
            if (Pid(Path.GetFileName(dir), "notifier-kernel-", ".tracefs") is not { } pid || pid == Environment.ProcessId || alive(pid)) continue;
            Native.Umount(dir);
            bool gone = Try(() => Directory.Delete(dir));
            done.Add(gone ? $"stale tracefs mount {dir} of dead process {pid}: unmounted and removed" : $"stale tracefs mount {dir} of dead process {pid}: could not be removed: run `umount {dir} && rmdir {dir}`");
        }
        return done;
    }

    private static bool Try(Action a)
    {
        try { a(); return true; } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Sets the trace up, or returns null with the reason (no tracefs, no such tracepoint, not permitted).
    /// plantSharedMount (tests only): the code before session 10's fix: tracefs mounted at the shared path and unmounted by
    /// Dispose, under any other run using it.</summary>
    public static KvmUnmapTrace? Open(int pages, out string? why, bool plantSharedMount = false)
    {
        why = null;
        string? mounted = null;
        KvmUnmapTrace? made = null;
        try
        {
            string root = SystemRoot;
            if (!Directory.Exists(root + "/instances"))
            {
                if (!plantSharedMount) { root = OwnMount(Environment.ProcessId); Directory.CreateDirectory(root); }
                int e = Native.MountTracefs(root);
                if (e != 0) { why = $"tracefs cannot be mounted at {root} (errno {e})"; Unmount(plantSharedMount ? null : root, false); return null; }
                mounted = root;
            }
            foreach (var line in RemoveStale(root)) Console.Error.WriteLine($"notifier kernel: {line}");
            if (!Directory.Exists(root + Event)) { why = "no kvm:kvm_unmap_hva_range tracepoint"; Unmount(mounted); return null; }
            string inst = $"{root}/instances/notifier-kernel-{Environment.ProcessId}";
            if (!Directory.Exists(inst)) Directory.CreateDirectory(inst);
            ulong lo = LiveMm.Base, hi = LiveMm.Base + (ulong)pages * 4096;
            string cond = $"start < 0x{hi:x} && end > 0x{lo:x}";
            made = new KvmUnmapTrace(inst, cond, mounted, pages);
            var t = made;
            // the tgid of each event's task (its "(  TGID)" column): another process's VM at the same address (another run of
            // the harness on this machine) must not count as ours (Parse's keep)
            File.WriteAllText(inst + "/options/record-tgid", "1");
            File.WriteAllText(t._event + "/filter", cond);
            File.WriteAllText(t._event + "/trigger", "stacktrace if " + cond);
            File.WriteAllText(t._event + "/enable", "1");
            int e2 = Native.Truncate(inst + "/trace");
            if (e2 != 0) { why = $"emptying {inst}/trace failed: errno {e2}"; t.Dispose(); return null; }
            return t;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"tracefs: {e.Message}";
            if (made is not null) made.Dispose(); // the instance and its trigger too, not only our mount
            else Unmount(mounted);
            return null;
        }
    }

    /// <summary>Unmounts our mount point (when mounted) and removes it (ours only: never the shared path).</summary>
    private static void Unmount(string? mounted, bool wasMounted = true)
    {
        if (mounted is null) return;
        if (wasMounted) Native.Umount(mounted);
        if (mounted != SystemRoot) Try(() => Directory.Delete(mounted));
    }

    /// <summary>Consumes what trace_pipe holds (a truncation of `trace` waits for an RCU grace period: too slow per operation).</summary>
    private unsafe string Drain()
    {
        var sb = new System.Text.StringBuilder();
        var buf = new byte[1 << 16];
        fixed (byte* p = buf)
            for (;;)
            {
                if (Volatile.Read(ref _disposed)) return sb.ToString();
                int n = Native.Drain(_instance + "/trace_pipe", p, buf.Length);
                // removed under the run by Ctrl-C / SIGTERM's cleanup (LiveMm.RestoreSystem, on another thread): nothing more to
                // read, and no error line after the "interrupted" one (seen: errno 19 / 2)
                if (n < 0 && Volatile.Read(ref _disposed)) return sb.ToString();
                if (n < 0) throw new IOException($"reading {_instance}/trace_pipe failed: errno {-n}");
                sb.Append(System.Text.Encoding.UTF8.GetString(buf, 0, n));
                if (n < buf.Length) return sb.ToString();
            }
    }

    public void Clear() => Drain();

    // the kernel function names of the call sites (the first frame after __mmu_notifier_invalidate_range_start
    // that names one; suffixes such as .isra.0 / .constprop.0 ignored; do_wp_page: wp_page_copy inlined into it;
    // try_to_merge_one_page: KSM's replace_page inlined into it (write_protect_page keeps a frame of its own);
    // do_huge_pmd_wp_page: do_huge_zero_wp_pmd inlined into it, its only notifier of its own, linux-7.2 mm/huge_memory.c: the
    // THP fallback notifies in __split_huge_pmd, a frame of its own; UFFDIO_MOVE: linux-7.2 mm/userfaultfd.c move_pages_ptes
    // (6.18.44's kallsyms has it; linux-6.12's name move_pages_pte), mm/huge_memory.c move_pages_huge_pmd)
    private static readonly ImmutableArray<(string Function, CallSite Site)> Sites =
    [
        ("unmap_vmas", CallSite.unmap_vmas), ("zap_page_range_single", CallSite.zap_page_range), ("change_protection", CallSite.change_protection),
        ("copy_page_range", CallSite.copy_page_range), ("move_page_tables", CallSite.move_page_tables), ("madvise_free_single_vma", CallSite.madvise_free_single_vma),
        ("wp_page_copy", CallSite.wp_page_copy), ("do_wp_page", CallSite.wp_page_copy), ("write_protect_page", CallSite.write_protect_page), ("try_to_merge_one_page", CallSite.replace_page), ("replace_page", CallSite.replace_page),
        ("clear_refs_write", CallSite.clear_refs_write), ("try_to_migrate_one", CallSite.try_to_unmap_one), ("try_to_unmap_one", CallSite.try_to_unmap_one),
        ("__split_huge_pmd", CallSite.split_huge_page), ("collapse_huge_page", CallSite.collapse_huge_page),
        ("do_huge_zero_wp_pmd", CallSite.do_huge_zero_wp_pmd), ("do_huge_pmd_wp_page", CallSite.do_huge_zero_wp_pmd),
        ("move_pages_ptes", CallSite.move_pages_ptes), ("move_pages_pte", CallSite.move_pages_ptes), ("move_pages_huge_pmd", CallSite.move_pages_huge_pmd),
    ];

    /// <summary>The invalidations traced since the last call (the buffer is cleared). An event whose stack trace (the trigger's
    /// own entry, written right after it) is not in the buffer yet is waited for, up to 200 ms: a read between the two gave the
    /// event an empty call path and its frames to the next operation (seen on an idle machine: 3 uffd_wp_range paths of 4).</summary>
    public List<KernelInvalidation> Take()
    {
        string text = Drain();
        for (int i = 0; i < 200 && StackPending(text); i++)
        {
            Thread.Sleep(1);
            text += Drain();
        }
        return Parse(text, _pages, Ours);
    }

    /// <summary>Whether the last kvm_unmap_hva_range event of the text has no stack trace after it.</summary>
    public static bool StackPending(string text)
    {
        int e = text.LastIndexOf("mmu notifier unmap range: ", StringComparison.Ordinal);
        return e >= 0 && text.IndexOf("<stack trace>", e, StringComparison.Ordinal) < 0;
    }

    private readonly Dictionary<int, bool> _kernelThreads = [];

    /// <summary>Whether an event is ours: its task (the pid the kernel stores in the event itself) is a thread of this process
    /// (/proc/self/task/PID), its tgid column is this process (a thread that has exited since), or the task is a kernel thread
    /// (ksmd merging our pages: an empty /proc/PID/cmdline); never one of another process, such as another harness run whose
    /// VM uses the same host addresses.</summary>
    private bool Ours(int pid, int tgid) => Owner(pid, tgid, Environment.ProcessId, t => Directory.Exists($"/proc/self/task/{t}"), KernelThread);

    /// <summary>Ownership of an event of task pid with tgid column tgid, for process self: threadOfSelf (a task of self now),
    /// kernelThread (a kernel thread). The pid decides first: the kernel prints the tgid column from its saved pid-to-tgid
    /// map, filled only at the task's next sched switch after an event, so a thread's first events carry its own pid or a stale
    /// tgid there (seen: thread pool thread 6151 of the test host 6133 printed "(   6151)" for its first two events, the first
    /// MADV_PAGEOUT's, and they were dropped as another process's). plantTgidOnly (tests only): that code, before session 11's
    /// fix (the tgid column alone decided).</summary>
    public static bool Owner(int pid, int tgid, int self, Func<int, bool> threadOfSelf, Func<int, bool> kernelThread, bool plantTgidOnly = false) =>
        plantTgidOnly ? tgid == self || kernelThread(tgid) : pid == self || threadOfSelf(pid) || tgid == self || kernelThread(pid);

    private bool KernelThread(int pid)
    {
        if (_kernelThreads.TryGetValue(pid, out bool k)) return k;
        try { k = File.Exists($"/proc/{pid}/cmdline") && File.ReadAllBytes($"/proc/{pid}/cmdline").Length == 0; }
        catch (IOException) { k = false; }
        return _kernelThreads[pid] = k;
    }

    private static readonly System.Text.RegularExpressions.Regex Tgid = new(@"-(\d+)\s+\(\s*(\d+)\)\s+\[\d+\]");

    /// <summary>The invalidations of a trace buffer's text (kvm_unmap_hva_range lines, each followed by its stack trace)
    /// over the first pages pages at LiveMm.Base; a line of another shape is an InvalidOperationException naming it.</summary>
    /// keep: whether an event of that task (pid, then record-tgid's column) is ours; events without the column are kept.
    public static List<KernelInvalidation> Parse(string text, int pages, Func<int, int, bool>? keep = null)
    {
        var lines = text.Split('\n');
        var list = new List<KernelInvalidation>();
        PageRange? range = null;
        List<string>? frames = null;
        void Flush()
        {
            if (range is not { } r) return;
            var fs = frames ?? [];
            int at = fs.FindIndex(f => f.StartsWith("__mmu_notifier_invalidate_range_start", StringComparison.Ordinal));
            var after = fs.Skip(at + 1).Select(f => f.Split('.')[0]).ToList();
            CallSite? site = null;
            // linux-7.2 mm/userfaultfd.c uffd_wp_range -> change_protection: the uffd site, not mprotect's (stack change_protection < uffd_wp_range < mwriteprotect_range)
            if (after.Take(6).Contains("uffd_wp_range")) site = CallSite.uffd_wp_range;
            else foreach (var f in after.Take(4))
            {
                var hit = Sites.FirstOrDefault(x => f == x.Function || f.StartsWith(x.Function + "_", StringComparison.Ordinal) && x.Function == "zap_page_range_single");
                if (hit.Function is not null) { site = hit.Site; break; }
            }
            list.Add(new KernelInvalidation(r, site, string.Join(" < ", after.Take(4))));
            range = null; frames = null;
        }
        foreach (var l in lines)
        {
            if (l.StartsWith('#')) continue;
            // linux-7.2 include/trace/events/kvm.h kvm_unmap_hva_range: TP_printk("mmu notifier unmap range: %#016lx -- %#016lx")
            const string Prefix = "mmu notifier unmap range: ";
            int k = l.IndexOf(Prefix, StringComparison.Ordinal);
            if (k >= 0)
            {
                Flush();
                if (keep is not null && Tgid.Match(l) is { Success: true } tm && !keep(int.Parse(tm.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(tm.Groups[2].Value, CultureInfo.InvariantCulture))) continue;
                var parts = l[(k + Prefix.Length)..].Split(" -- ");
                if (parts.Length != 2 || Hex(parts[0]) is not { } a || Hex(parts[1]) is not { } b)
                    throw new InvalidOperationException($"tracefs: unexpected kvm_unmap_hva_range line '{l}'");
                long lo = Math.Max(0, (long)((Math.Max(a, LiveMm.Base) - LiveMm.Base) / 4096));
                long hi = b <= LiveMm.Base ? 0 : Math.Min(pages, (long)((b - LiveMm.Base + 4095) / 4096));
                range = new PageRange((int)lo, (int)hi);
                continue;
            }
            if (l.Contains("<stack trace>", StringComparison.Ordinal)) { frames = []; continue; }
            if (l.StartsWith(" => ", StringComparison.Ordinal)) frames?.Add(l[4..].Trim());
        }
        Flush();
        return list;
    }

    /// <summary>A %#lx number ("0x..." or "0"), null when it is not one.</summary>
    private static ulong? Hex(string s)
    {
        s = s.Trim();
        if (s.StartsWith("0x", StringComparison.Ordinal)) s = s[2..];
        return ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v) ? v : null;
    }

    private bool _disposed;

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        // each step whatever the one before did (a trigger never set cannot be removed; the instance still goes)
        Try(() => File.WriteAllText(_event + "/enable", "0"));
        Try(() => File.WriteAllText(_event + "/trigger", "!stacktrace if " + _cond));
        Try(() => File.WriteAllText(_event + "/filter", "0"));
        Try(() => Directory.Delete(_instance));
        Unmount(_mounted);
    }
}
