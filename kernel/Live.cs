namespace NotifierSpec.Kernel;

/// <summary>Why the live kernel cannot be used here: one line for the user and its own exit code.</summary>
public sealed class KvmUnavailableException(string message) : Exception(message);

/// <summary>
/// The live side: one KVM VM whose memslot 1 is the region under test, at a fixed host address far from
/// anything the runtime maps (native/kvmguest.c). The native part keeps process-wide state, so there is one
/// LiveMm per process (Open fails while another is open).
/// </summary>
public sealed unsafe class LiveMm : IDisposable
{
    /// <summary>The region's host address: 32 TiB, far below the top-down mmap area and above the heap.</summary>
    public const ulong Base = 0x2000_0000_0000UL;

    public int Pages { get; }
    public KsmControl Ksm { get; } = new();
    /// <summary>khugepaged held off during runs with huge pages (Conformance.Run), its settings written back on exit.</summary>
    public KhugepagedControl Khugepaged { get; } = new();
    /// <summary>Swap for MADV_PAGEOUT: a swap file made at the first pageout when the kernel has none, removed on exit.</summary>
    public SwapControl Swap { get; } = new();
    /// <summary>The invalidating call paths (kvm:kvm_unmap_hva_range with a stack-trace trigger), when enabled.</summary>
    public KvmUnmapTrace? Trace { get; private set; }

    /// <summary>What must not outlive the process, undone from another thread (Ctrl-C, SIGTERM): the KSM and khugepaged settings and
    /// the trace instance (and a tracefs mount we made). Children end by themselves when their command socket closes.</summary>
    public void RestoreSystem()
    {
        lock (this)
        {
            // each step whatever the one before did: a failed KSM write must not leave the swap file on
            try { Ksm.Restore(); }
            finally
            {
                try { Khugepaged.Restore(); }
                finally
                {
                    try { Swap.Restore(); }
                    finally { Trace?.Dispose(); Trace = null; }
                }
            }
        }
    }

    /// <summary>Turns the call-path comparison off again (the trace instance removed).</summary>
    public void DisableTrace() { Trace?.Dispose(); Trace = null; }

    /// <summary>Turns the call-path comparison on; returns why not when tracefs or the tracepoint is not usable.</summary>
    public string? EnableTrace()
    {
        if (HostOnly) return "host only: no KVM, so no kvm:kvm_unmap_hva_range tracepoint to trace";
        if (Trace is not null) return null;
        Trace = KvmUnmapTrace.Open(Pages, out var why);
        return why;
    }
    public ulong ZeroPfn { get; }

    /// <summary>Why userfaultfd write-protect cannot be driven here (null: it can). The userfaultfd is opened with the VM.</summary>
    public string? UffdWhy { get; private set; }

    /// <summary>Compaction's trigger: writing 1 compacts every zone (Documentation/admin-guide/sysctl/vm.rst compact_memory).</summary>
    public const string CompactMemory = "/proc/sys/vm/compact_memory";

    /// <summary>Why page migration cannot be driven here (null: it can, through compaction). With one NUMA node,
    /// move_pages and mbind have no other node to move to, and to the same node they move nothing (linux-7.2
    /// mm/migrate.c __add_folio_for_migration: folio_nid(folio) == node returns 0; mm/mempolicy.c do_mbind queues
    /// with MPOL_MF_INVERT, queue_folio_required: only folios off the target nodes); compaction migrates pages
    /// within the node (linux-7.2 mm/compaction.c compact_zone -> migrate_pages -> try_to_migrate_one), but only those
    /// below where its free and migration scanners meet, so a run cannot choose the page.</summary>
    public string? MigrateWhy { get; } = File.Exists(CompactMemory) ? null
        : $"migration: not drivable here: no {CompactMemory} (CONFIG_COMPACTION off), and move_pages / mbind have no second NUMA node ({Nodes()})";

    private static string Nodes() => File.Exists("/sys/devices/system/node/online") ? $"nodes online: {File.ReadAllText("/sys/devices/system/node/online").Trim()}" : "no NUMA node list";

    /// <summary>Compacts every zone (synchronous: the write returns when compaction is done).</summary>
    public void Compact()
    {
        try { File.WriteAllText(CompactMemory, "1"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidOperationException($"writing {CompactMemory} failed: {e.Message}"); }
    }

    /// <summary>Write faults on uffd-wp pages the handler resolved (by un-protecting), and messages it could not handle.</summary>
    public (ulong Resolved, ulong Unexpected) UffdCounts() { Native.UffdCounts(out var r, out var u); return (r, u); }
    private static int _open;

    private LiveMm(int pages, ulong zeroPfn, bool hostOnly, bool forbidsZeroPage) { Pages = pages; ZeroPfn = zeroPfn; HostOnly = hostOnly; ForbidsZeroPage = forbidsZeroPage; }

    /// <summary>No VM (`notifier kernel --host-only`): the region, its host loads and stores, syscalls, children, KSM,
    /// khugepaged, swap and userfaultfd as with one, but no guest accesses, no vCPU statistics and no KVM tracepoint.</summary>
    public bool HostOnly { get; }

    /// <summary>A read fault of a fresh private anonymous page maps a page of its own, not the shared zero page (found at Open:
    /// its pfn is not KPF_ZERO_PAGE). Upstream's name for it is mm_forbids_zeropage (linux-7.2 include/linux/mm.h: 0 but on
    /// s390); this machine's PVM kernel has it from its command line (pvm_no_zero_page=1, a vendor patch). The reference
    /// follows it with MmConfig.MmForbidsZeropage (docs/kernel.md, "Host-only runs").</summary>
    public bool ForbidsZeroPage { get; }

    /// <summary>What a run says of the zero page: null where a read fault maps it, else the finding.</summary>
    public string? ZeroPageWhy => ForbidsZeroPage
        ? $"this kernel maps no zero page on a read fault (mm_forbids_zeropage{(File.Exists("/proc/cmdline") && File.ReadAllText("/proc/cmdline").Contains("pvm_no_zero_page=1", StringComparison.Ordinal) ? "; command line pvm_no_zero_page=1" : "")}; the zero page is pfn 0x{ZeroPfn:x})"
        : null;

    /// <summary>Opens the VM, or with hostOnly only the region (no KVM device). device: the KVM device (tests name a missing one
    /// to see the refusal). plantZeroPfnFromReadFault: a planted harness bug for tests: the zero page's pfn is whatever a read
    /// fault of a fresh page mapped, and the kernel is taken to map the zero page, as the harness before session 13 did.</summary>
    public static LiveMm Open(int pages, string device = "/dev/kvm", bool hostOnly = false, bool plantZeroPfnFromReadFault = false)
    {
        if (!hostOnly && !File.Exists(device)) throw new KvmUnavailableException($"no {device}: the live kernel cannot be driven here");
        if (Interlocked.Exchange(ref _open, 1) == 1) throw new InvalidOperationException("a live kernel VM is already open in this process");
        try
        {
            int r;
            try { r = hostOnly ? Native.OpenHost(Base, pages) : Native.Open(Base, pages, device); }
            catch (DllNotFoundException dll) { throw new KvmUnavailableException($"the native part (libkvmguest.so) is missing: {dll.Message}"); }
            if (r != Native.Ok)
            {
                string why = Native.LastError;
                Native.Close();
                throw new KvmUnavailableException(r switch
                {
                    Native.NoKvm => $"no {device} ({why})",
                    Native.NoPermission => $"no permission to use {device} ({why})",
                    Native.NoStats => $"KVM has no usable vCPU statistics ({why}): the run could not prove the guest is not emulated",
                    _ => $"the KVM API is not usable here ({why})",
                });
            }
            // the region must be free: MAP_FIXED_NOREPLACE over all of it, then unmapped again
            int e = Native.Mmap(0, pages, 0, 0, 1);
            if (e != 0) { Native.Close(); throw new KvmUnavailableException($"the region at 0x{Base:x} is not free (mmap: errno {e})"); }
            Native.Munmap(0, pages);
            ulong zero = Native.ZeroPfn(out ulong readFault);
            if (readFault == 0) { Native.Close(); throw new KvmUnavailableException("pagemap shows no pfns (not root?): /proc/self/pagemap needs CAP_SYS_ADMIN for frame numbers"); }
            // a kernel whose read fault maps no zero page: the pfn of that read fault was a page of its own, freed again, which must
            // not be taken for the zero page (the page allocator may hand it to the region later); the zero page's pfn comes from
            // /proc/kpageflags (ulong.MaxValue: none found, so no pfn is taken for it)
            var live = plantZeroPfnFromReadFault ? new LiveMm(pages, readFault, hostOnly, false)
                : new LiveMm(pages, zero == 0 ? ulong.MaxValue : zero, hostOnly, zero != readFault);
            int ue = Native.UffdOpen(out ulong features);
            live.UffdWhy = ue switch
            {
                0 => null,
                38 => "no userfaultfd syscall on this kernel (ENOSYS)",
                95 => $"userfaultfd has no UFFD_FEATURE_PAGEFAULT_FLAG_WP here (features 0x{features:x}): no write-protect of anonymous memory",
                _ => $"userfaultfd cannot be opened (errno {ue})",
            };
            return live;
        }
        catch { Interlocked.Exchange(ref _open, 0); throw; }
    }

    /// <summary>Back to an empty region: the children ended, every page unmapped (which also empties KVM's shadow MMU).</summary>
    public void Reset()
    {
        Native.ReapChildren();
        int e = Native.Munmap(0, Pages);
        if (e != 0) throw new InvalidOperationException($"munmap of the region failed: errno {e}");
    }

    /// <summary>The vCPU's statistics; zero without a VM (host-only).</summary>
    public (ulong InsnEmulation, ulong PfFixed, ulong Mmio) Stats()
    {
        if (HostOnly) return (0, 0, 0);
        if (Native.Stats(out var insn, out var pf, out _, out var mmio) != 0) throw new InvalidOperationException("reading the vCPU statistics failed");
        return (insn, pf, mmio);
    }

    /// <summary>The pagemap entries of the region, of this process (child -1) or of a forked child.</summary>
    public ulong[] Pagemap(int child = -1)
    {
        var a = new ulong[Pages];
        fixed (ulong* p = a)
        {
            int e = Native.Pagemap(child, 0, Pages, p);
            if (e != 0) throw new InvalidOperationException($"reading pagemap{(child >= 0 ? $" of child {child}" : "")} failed: errno {e}");
        }
        return a;
    }

    /// <summary>The pages of the region in a VMA of forked child `child` with VM_LOCKED: "lo" in its /proc/PID/smaps VmFlags
    /// (linux-7.2 fs/proc/task_mmu.c show_smap_vma_flags).</summary>
    public bool[] LockedPages(int child)
    {
        int pid = Native.ChildPid(child);
        if (pid < 0) throw new InvalidOperationException($"no child {child}");
        ulong lo = Base, hi = Base + (ulong)Pages * 4096, start = 0, end = 0;
        var locked = new bool[Pages];
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            int dash = line.IndexOf('-');
            int sp = line.IndexOf(' ');
            if (dash > 0 && sp > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong s0)
                && ulong.TryParse(line.AsSpan(dash + 1, sp - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong e0))
            {
                (start, end) = (s0, e0);
                continue;
            }
            if (!line.StartsWith("VmFlags:", StringComparison.Ordinal) || end <= lo || start >= hi) continue;
            if (!line.AsSpan(8).ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("lo")) continue;
            for (ulong a = Math.Max(start, lo); a < Math.Min(end, hi); a += 4096) locked[(a - lo) / 4096] = true;
        }
        return locked;
    }

    /// <summary>The huge zero page: KPF_ZERO_PAGE (bit 24) of a pfn that is not the zero page's (linux-7.2 fs/proc/page.c
    /// stable_page_flags: is_huge_zero_pfn sets KPF_ZERO_PAGE and KPF_THP, is_zero_pfn KPF_ZERO_PAGE only).</summary>
    public bool HugeZero(ulong pfn) => pfn != ZeroPfn && (Native.Kpageflags(pfn) >> 24 & 1) != 0;

    /// <summary>/sys/kernel/mm/transparent_hugepage/use_zero_page (linux-7.2 mm/huge_memory.c transparent_hugepage_use_zero_page):
    /// a read fault in an empty huge block of a THP VMA maps the huge zero page; false where the file is missing.</summary>
    public static bool HugeZeroPageEnabled()
    {
        const string f = "/sys/kernel/mm/transparent_hugepage/use_zero_page";
        try { return File.Exists(f) && File.ReadAllText(f).Trim() == "1"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>KPF_ZERO_PAGE (bit 24 of /proc/kpageflags) without KPF_THP (bit 22): the shared zero page (linux-7.2 fs/proc/page.c
    /// stable_page_flags: is_zero_pfn; the huge zero page's frames have both).</summary>
    public static bool ZeroPage(ulong pfn) => (Native.Kpageflags(pfn) >> 24 & 1) != 0 && !Thp(pfn);

    /// <summary>KPF_THP (bit 22 of /proc/kpageflags, linux-7.2 Documentation/admin-guide/mm/pagemap.rst) of a pfn.</summary>
    public static bool Thp(ulong pfn) => (Native.Kpageflags(pfn) >> 22 & 1) != 0;

    /// <summary>PMD-mapped THPs of the region: the sum of AnonHugePages (kB) of its VMAs in /proc/self/smaps (linux-7.2 fs/proc/task_mmu.c
    /// smaps_pmd_entry counts only PMD mappings; a THP split to PTEs by __split_huge_pmd no longer counts).</summary>
    public long AnonHugeKb()
    {
        ulong lo = Base, hi = Base + (ulong)Pages * 4096;
        long kb = 0;
        bool inRegion = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int sp = line.IndexOf(' ');
            if (dash > 0 && sp > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong start)
                && ulong.TryParse(line.AsSpan(dash + 1, sp - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong end))
            {
                inRegion = start >= lo && end <= hi;
                continue;
            }
            if (inRegion && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                kb += long.Parse(line.AsSpan(14).Trim().ToString().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return kb;
    }

    /// <summary>KPF_WRITEBACK (bit 8 of /proc/kpageflags): the page is being written out (to swap, after a pageout).</summary>
    public static bool Writeback(ulong pfn) => (Native.Kpageflags(pfn) >> 8 & 1) != 0;

    public void Dispose()
    {
        // each step whatever the ones before did (a failed KSM or tracefs write must not leave the swap file on)
        try { Trace?.Dispose(); Trace = null; try { Ksm.Restore(); } finally { Khugepaged.Restore(); } }
        finally
        {
            try { Native.ReapChildren(); Native.Munmap(0, Pages); }
            finally
            {
                try { Swap.Restore(); } // after the munmap: nothing of ours is on it any more
                finally { Native.Close(); Interlocked.Exchange(ref _open, 0); }
            }
        }
    }

    // pagemap bits (linux-7.2 Documentation/admin-guide/mm/pagemap.rst)
    public static bool Present(ulong e) => (e >> 63 & 1) != 0;
    public static bool Exclusive(ulong e) => (e >> 56 & 1) != 0;
    public static bool SoftDirty(ulong e) => (e >> 55 & 1) != 0;
    public static bool UffdWp(ulong e) => (e >> 57 & 1) != 0;
    public static bool Swapped(ulong e) => (e >> 62 & 1) != 0;
    public static ulong Pfn(ulong e) => e & ((1UL << 55) - 1);
}
