namespace NotifierSpec.Reference;

/// <summary>
/// The checked rules (docs/rules.md). Names are shared verbatim with tla/ and spec/.
/// State rules are checked after every step here; step rules (RangeCoversChange, TruthfulEvent,
/// StartEndPaired, CoherentAccess, SoftDirtyComplete) where the step happens, in Machine.
/// </summary>
public static class Rules
{
    /// <summary>include/linux/mmu_notifier.h (invalidate_range_start: "upon return ... stop using any SPTEs");
    /// Documentation/mm/mmu_notifier.rst for the hardware secondary-TLB window.</summary>
    public const string NoStaleDeviceMapping = nameof(NoStaleDeviceMapping);
    /// <summary>R7 page lifetime; lib/test_hmm.c: the dmirror XArray holds no page reference.</summary>
    public const string NoFreedFrameAccess = nameof(NoFreedFrameAccess);
    /// <summary>Documentation/mm/hmm.rst: device and CPU see the same memory.</summary>
    public const string CoherentAccess = nameof(CoherentAccess);
    /// <summary>mmu_notifier_invalidate_range_start_nonblock kernel-doc; c2655835fd8c.</summary>
    public const string StartEndPaired = nameof(StartEndPaired);
    /// <summary>mm/mmu_notifier.c; bugs B3, B5, B6 (kernel-facts.md).</summary>
    public const string RangeCoversChange = nameof(RangeCoversChange);
    /// <summary>The v7 enum mmu_event doc comments and enum mmu_notifier_event kernel-doc.</summary>
    public const string TruthfulEvent = nameof(TruthfulEvent);
    /// <summary>fs/proc/task_mmu.c clear_refs_write; MMU_NOTIFY_SOFT_DIRTY kernel-doc.</summary>
    public const string SoftDirtyComplete = nameof(SoftDirtyComplete);

    public static readonly string[] All = [NoStaleDeviceMapping, NoFreedFrameAccess, CoherentAccess, StartEndPaired, RangeCoversChange, TruthfulEvent, SoftDirtyComplete];

    /// <summary>
    /// The only windows in which a device translation may be stale:
    /// (a) a hardware secondary TLB (SecondaryTlb) for a page whose CPU PTE changed since the last TLB
    ///     flush of the running operation: the flush calls invalidate_range / arch_invalidate_secondary_tlbs
    ///     under the same PTL section (mmu_notifier.rst, R9);
    /// (b) any listener, for a page changed by a v7 rmap path (page_mkclean_one, try_to_unmap_one) that has
    ///     not yet called invalidate_page for it: the operation still holds the page (locked and referenced),
    ///     so the frame is not freed in the window.
    /// Start/end and interval listeners have no window at all (R5, R6).
    /// </summary>
    public static bool InAllowedWindow(MmState s, int mirror, int page)
    {
        if (s.Op is not { } op) return false;
        if (s.Config.MirrorList[mirror].Kind == MirrorKind.SecondaryTlb && op.UnflushedPages.Contains(page)) return true;
        return op.AwaitingPages.Contains(page);
    }

    /// <summary>The owner's own device-private migration of the page is in flight (DeviceMigration) and the device PTE maps
    /// its old or new frame: the owner skipped its MMU_NOTIFY_MIGRATE (lib/test_hmm.c dmirror_interval_invalidate) and the
    /// page is locked under a migration entry until migrate_vma_finalize. A CPU access waits on the migration entry and
    /// then sees the copy; the owner's access of the old page before dmirror_devmem_fault_alloc_and_copy's xa_erase and
    /// copy_highpage is copied with it, so it is coherent although a CPU read would fault now.</summary>
    public static bool InOwnMigration(MmState s, int mirror, int page, int frame) =>
        s.Op?.Migration is { } mig && mig.Owner == mirror && mig.Pages.TryGetValue(page, out var mp) && (frame == mp.Src || frame == mp.Dst);

    /// <summary>NoStaleDeviceMapping and NoFreedFrameAccess over every device PTE.</summary>
    public static Violation? CheckState(MmState s)
    {
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var ms = s.Mirrors[m];
            if (ms.Pt.IsEmpty) continue;
            string dev = s.Config.MirrorList[m].Name;
            foreach (var (page, e) in ms.Pt)
            {
                var fr = s.Frames[e.Frame];
                if (fr.Free || fr.Generation != e.Generation)
                    return new(NoFreedFrameAccess, $"{dev} maps page {page} to frame {e.Frame}.{e.Generation}, but that frame is {(fr.Free ? "free" : $"reused (generation {fr.Generation})")}");
                if (InAllowedWindow(s, m, page)) continue;
                var cpu = s.Ptes[page];
                if (e.Atomic)
                {
                    // DPT_XA_TAG_ATOMIC: valid only while the CPU PTE is this mirror's device-exclusive entry
                    if (cpu is not { } x || x.Exclusive != m || x.Frame != e.Frame || e.Writable && x.Prot != Prot.ReadWrite)
                        return new(NoStaleDeviceMapping, $"{dev} maps page {page} -> {PteText.Of(e)} but the CPU PTE is {PteText.Of(cpu)}");
                    continue;
                }
                // owner exemption (kernel-facts.md INV-1 (i)): the mirror that owns a device-exclusive entry keeps
                // its own translation of that very frame; it skipped its own MMU_NOTIFY_EXCLUSIVE event
                if (cpu is { } own && own.Exclusive == m && own.Frame == e.Frame && (!e.Writable || own.Prot == Prot.ReadWrite)) continue;
                // a device-private entry: the page is in this mirror's device memory (linux-7.2 mm/hmm.c hmm_vma_handle_pte
                // hands a device-private page to the range's dev_private_owner without a fault); read-only unless the entry is writable
                if (cpu is { } dp && dp.DevicePrivate == m && dp.Frame == e.Frame && (!e.Writable || dp.Prot == Prot.ReadWrite)) continue;
                // the owner's own device-private migration in flight (DeviceMigration): it skipped its MMU_NOTIFY_MIGRATE and
                // replaces the entry itself before migrate_vma_finalize frees the old page
                if (InOwnMigration(s, m, page, e.Frame)) continue;
                if (cpu is not { Readable: true } c || c.Frame != e.Frame)
                    return new(NoStaleDeviceMapping, $"{dev} maps page {page} -> {PteText.Of(e)} but the CPU PTE is {PteText.Of(cpu)}");
                // TrackWp: write-protected only for soft-dirty tracking (clear_refs): the logical permission is still
                // write (kernel-facts.md INV-1 (ii)); SoftDirtyComplete covers the tracking
                if (e.Writable && !c.Writable && !c.TrackWp)
                    return new(NoStaleDeviceMapping, $"{dev} maps page {page} writable but the CPU PTE is {PteText.Of(cpu)}");
                // a private frame shared with a forked child is copy-on-write: nobody may write it in place
                if (e.Writable && s.Frames[c.Frame].MapCount > 1 && s.VmaAt(page) is { Shared: false })
                    return new(NoStaleDeviceMapping, $"{dev} maps page {page} writable but frame {c.Frame} is shared copy-on-write ({s.Frames[c.Frame].MapCount} mappings)");
            }
        }
        return null;
    }

    /// <summary>Classifies a PTE change for RangeCoversChange and TruthfulEvent.</summary>
    public static Change Classify(Pte? before, Pte? after)
    {
        if (before is null && after is null) return Change.None;
        if (before is null) return Change.Fill;
        if (after is null) return Change.Unmap;
        var b = before.Value; var a = after.Value;
        if (a.Frame != b.Frame) return Change.Remap;
        var c = Change.None;
        if (a.Prot < b.Prot) c |= a.Prot == Prot.None ? Change.Unmap : Change.WriteProtect;
        if (a.Prot > b.Prot) c |= Change.Upgrade;
        if (b.Exclusive < 0 && a.Exclusive >= 0) c |= Change.Unmap;   // the CPU loses access (make_device_exclusive)
        if (b.Exclusive >= 0 && a.Exclusive < 0) c |= Change.Upgrade; // the CPU gets it back
        if (!b.Swapped && a.Swapped) c |= Change.Unmap;   // reclaim: a swap entry
        if (b.Swapped && !a.Swapped) c |= Change.Upgrade; // do_swap_page maps the page again
        if (b.DevicePrivate < 0 && a.DevicePrivate >= 0) c |= Change.Unmap;   // the page goes to device memory
        if (b.DevicePrivate >= 0 && a.DevicePrivate < 0) c |= Change.Upgrade; // migrated back (migrate_to_ram)
        if (a.Huge != b.Huge) c |= Change.Structure;
        if (b.SoftDirty && !a.SoftDirty) c |= Change.SoftDirtyClear;
        if (b.Dirty && !a.Dirty) c |= Change.Clean;
        return c;
    }

    /// <summary>Changes that need no notification (R8): fill-in, upgrades, accessed/dirty bits set.</summary>
    public const Change Unnotified = Change.Fill | Change.Upgrade | Change.None;
}
