using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>
/// Runs the model: calls enter it (Submit), then actors take steps (Step). Actor -1 is the mm side
/// (the CPU operation in flight, whoever runs it); actor i >= 0 is device mirror i's thread.
/// Every call and step returns the new state, its trace line and the first rule it broke.
/// </summary>
public static class Machine
{
    public const int Cpu = -1;

    public static string ActorName(MmState s, int actor) => actor == Cpu ? "cpu" : s.Config.MirrorList[actor].Name;

    // ================================================================ calls

    public static StepOutcome Submit(MmState s, Call call)
    {
        s = s with { Steps = s.Steps + 1 };
        if (call.MirrorIndex is int m)
        {
            if (m < 0 || m >= s.Mirrors.Length) throw new ModelException($"{call.Name}: no mirror {m} (have {s.Mirrors.Length})", badInput: true);
            var ms = s.Mirrors[m];
            string dev = s.Config.MirrorList[m].Name;
            if (ms.Op is not null) throw new ModelException($"{call.Name}: {dev} is busy with {ms.Op.Name}");
            switch (call)
            {
                case Call.DeviceRead r:
                    CheckPage(s, r.Page, call.Name);
                    s = SetMirror(s, m, ms with { Op = new DeviceOp("device_read", r.Page, false, 0, DevicePhase.Access), LastError = null, LastRead = null });
                    return new(s, Line("call", dev, "device_read", ("page", r.Page)), null);
                case Call.DeviceWrite w:
                    CheckPage(s, w.Page, call.Name);
                    s = SetMirror(s, m, ms with { Op = new DeviceOp("device_write", w.Page, true, w.Value, DevicePhase.Access), LastError = null });
                    return new(s, Line("call", dev, "device_write", ("page", w.Page), ("value", w.Value)), null);
                case Call.IntervalInsert:
                {
                    if (ms.Registered) throw new ModelException($"{call.Name}: {dev} is already registered");
                    // every listener but an interval one registers with mmu_notifier_register, which holds mmap_lock for write and
                    // mm_take_all_locks (every VMA write-locked, every i_mmap and anon_vma lock taken: linux-7.2 mm/mmu_notifier.c
                    // __mmu_notifier_register, mm/vma.c mm_take_all_locks): it waits out every operation in flight, so it never
                    // joins an invalidation already started (which would hand it an invalidate_range_end without its start)
                    if (s.Config.MirrorList[m].Kind != MirrorKind.Interval && !s.Config.PlantRegisterDuringInvalidation
                        && (s.Op is not null || s.ActiveInvalidateRanges > 0))
                        throw new ModelException($"{call.Name}: {dev} registers with mmu_notifier_register, whose mm_take_all_locks waits until the mm is idle ({(s.Op is { } op ? $"{op.Name} in flight" : $"{s.ActiveInvalidateRanges} invalidation(s) in flight")})");
                    // __mmu_interval_notifier_insert: during an invalidation the new interval is assumed hit
                    long seq = s.InvalidateSeq;
                    if (s.ActiveInvalidateRanges > 0) { seq |= 1; s = s with { InvalidateSeq = seq }; }
                    else seq -= 1;
                    s = SetMirror(s, m, ms with { Registered = true, Released = false, Seq = seq });
                    return new(s, Line("call", dev, "mmu_interval_notifier_insert", ("seq", seq)), null);
                }
                case Call.DeviceExclusive x:
                {
                    CheckPage(s, x.Page, call.Name);
                    if (s.Op is not null) throw new ModelException($"{call.Name}: the mm is busy with {s.Op.Name} (run its steps first)");
                    if (s.Exited || ms.Released || !ms.Registered) return new(s, Line("call", dev, call.Name, ("page", x.Page), ("result", "EFAULT")), null);
                    if (!s.Config.MirrorList[m].Covers(x.Page))
                        return new(s, Line("call", dev, call.Name, ("page", x.Page), ("result", "EFAULT (outside the mirror's interval)")), null);
                    if (s.Config.MirrorList[m].Kind is not (MirrorKind.Interval or MirrorKind.Mm))
                        return new(s, Line("call", dev, call.Name, ("page", x.Page), ("result", "EINVAL (make_device_exclusive needs a listener with invalidate_range_start)")), null);
                    var pl = new Planner(s);
                    var err = pl.Exclusive(m, x.Page);
                    if (err is not null) return new(s, Line("call", dev, call.Name, ("page", x.Page), ("result", err)), null);
                    // the device's thread runs make_device_exclusive itself: it is busy until dmirror_atomic_map
                    s = pl.State with { Op = new CpuOp(call.Name, dev, MmapLock.Read, pl.Prims) };
                    s = SetMirror(s, m, s.Mirrors[m] with { Op = new DeviceOp(call.Name, x.Page, true, 0, DevicePhase.Exclusive), LastError = null });
                    return new(s, Line("call", dev, call.Name, ("page", x.Page)), null);
                }
                case Call.MigrateToDevice md:
                {
                    CheckPage(s, md.Start, call.Name);
                    if (md.End <= md.Start || md.End > s.Config.Pages) throw new ModelException($"{call.Name}: range [{md.Start}, {md.End}) is outside the address space [0, {s.Config.Pages}) or empty", badInput: true);
                    if (s.Op is not null) throw new ModelException($"{call.Name}: the mm is busy with {s.Op.Name} (run its steps first)");
                    (string, object?)[] f = [("start", md.Start), ("end", md.End)];
                    // dmirror_migrate_to_device: mmget_not_zero, else -EINVAL
                    if (s.MmUsersZero || ms.Released || !ms.Registered) return new(s, Line("call", dev, call.Name, [.. f, ("result", "EINVAL")]), null);
                    if (s.Config.MirrorList[m].Kind != MirrorKind.Interval || !s.Config.MirrorList[m].Covers(md.Start) || !s.Config.MirrorList[m].Covers(md.End - 1))
                        return new(s, Line("call", dev, call.Name, [.. f, ("result", "EINVAL (device-private memory belongs to a dmirror: an interval listener covering the range)")]), null);
                    var pl = new Planner(s);
                    var err = pl.MigrateVmaToDevice(m, new PageRange(md.Start, md.End));
                    if (err is not null) return new(s, Line("call", dev, call.Name, [.. f, ("result", err)]), null);
                    if (pl.Prims.IsEmpty) return new(s, Line("call", dev, call.Name, f), null);
                    // the device's thread runs the migration itself under mmap_read_lock: it is busy until migrate_vma_finalize
                    s = pl.State with { Op = new CpuOp(call.Name, dev, MmapLock.Read, pl.Prims, Migration: pl.Migration) };
                    s = SetMirror(s, m, s.Mirrors[m] with { Op = new DeviceOp(call.Name, md.Start, true, 0, DevicePhase.Migrate), LastError = null });
                    return new(s, Line("call", dev, call.Name, f), null);
                }
                case Call.IntervalRemove:
                    if (!ms.Registered) throw new ModelException($"{call.Name}: {dev} is not registered");
                    s = SetMirror(s, m, ms with { Op = new DeviceOp("mmu_interval_notifier_remove", 0, false, 0, DevicePhase.Remove) });
                    return new(s, Line("call", dev, "mmu_interval_notifier_remove"), null);
            }
        }
        if (s.Op is not null) throw new ModelException($"{call.Name}: the mm is busy with {s.Op.Name} (run its steps first)");
        if (s.Exited) throw new ModelException($"{call.Name}: the mm has exited");
        var planner = new Planner(s);
        if (call is Call.Fork) planner = new Planner(s with { Children = s.Children.Add(ImmutableDictionary<int, int>.Empty), ChildVmas = s.ChildVmas.Add(Planner.ChildVmasAtFork(s.Vmas, s.Config)) });
        if (call is Call.ChildWrite cw)
        {
            CheckPage(s, cw.Page, call.Name);
            if (cw.Child < 0 || cw.Child >= s.Children.Count) throw new ModelException($"{call.Name}: no child {cw.Child} (forked: {s.Children.Count})", badInput: true);
        }
        var (name, lck, error) = planner.PlanCall(call);
        var fields = CallFields(call);
        // a refusal after steps the kernel takes all the same (UFFDIO_MOVE: a THP source's PMD split, move_pages_ptes' bracket
        // around the step it refuses): the call line has the result and the steps run; the VMAs a refusal leaves are kept
        // without a step line as for any refusal (RefusalVmas); a multi-VMA mremap failing part way through keeps its vma_update
        // steps (Planner.RefusalKeepsVmaSteps)
        var refusalSteps = error is null ? ImmutableArray<Prim>.Empty : planner.Prims.Where(p => planner.RefusalKeepsVmaSteps || p is not Prim.VmaUpdate).ToImmutableArray();
        if (error is not null && refusalSteps.IsEmpty)
            return new(planner.RefusalVmas is { } kept ? s with { Vmas = kept } : s, Line("call", "cpu", name, [.. fields, ("result", error)]), null);
        if (error is not null)
        {
            var rs = planner.State with { Vmas = planner.RefusalVmas ?? s.Vmas };
            rs = rs with { Op = new CpuOp(name, "cpu", lck, ImmutableQueue.CreateRange(refusalSteps), Migration: planner.Migration) };
            return new(rs, Line("call", "cpu", name, [.. fields, ("result", error)]), null);
        }
        var ns = planner.State;
        var steps = planner.Prims;
        ns = ns with { Op = steps.IsEmpty ? null : new CpuOp(name, "cpu", lck, steps, Migration: planner.Migration) };
        return new(ns, Line("call", "cpu", name, fields), null);
    }

    private static (string, object?)[] CallFields(Call c) => c switch
    {
        Call.Mmap m => [("start", m.Start), ("end", m.End), ("prot", PteText.ProtText(m.Prot)), ("shared", m.Shared), ("thp", m.Thp), ("mergeable", m.Mergeable), ("hugetlb", m.Hugetlb)],
        Call.Munmap m => [("start", m.Start), ("end", m.End)],
        Call.Mprotect m => [("start", m.Start), ("end", m.End), ("prot", PteText.ProtText(m.Prot))],
        Call.Mremap m => [("start", m.OldStart), ("end", m.OldEnd), ("new_start", m.NewStart)],
        Call.MremapDontunmap m => [("start", m.OldStart), ("end", m.OldEnd), ("new_start", m.NewStart)],
        Call.MadviseDontneed m => [("start", m.Start), ("end", m.End)],
        Call.MadviseFree m => [("start", m.Start), ("end", m.End)],
        Call.Truncate m => [("start", m.Start), ("end", m.End)],
        Call.CpuRead m => [("page", m.Page)],
        Call.CpuWrite m => [("page", m.Page), ("value", m.Value)],
        Call.ChildWrite m => [("child", m.Child), ("page", m.Page), ("value", m.Value)],
        Call.Migrate m => [("page", m.Page)],
        Call.KsmMerge m => [("page", m.Page), ("other", m.Other)],
        Call.SplitHuge m => [("page", m.Page)],
        Call.CollapseHuge m => [("page", m.Page)],
        Call.Mlock m => [("start", m.Start), ("end", m.End)],
        Call.Munlock m => [("start", m.Start), ("end", m.End)],
        Call.UffdWriteProtect { Wp: false } m => [("start", m.Start), ("end", m.End), ("wp", false)],
        Call.UffdWriteProtect m => [("start", m.Start), ("end", m.End)],
        Call.UffdRegister m => [("start", m.Start), ("end", m.End)],
        Call.UffdUnregister m => [("start", m.Start), ("end", m.End)],
        Call.NumaScan m => [("start", m.Start), ("end", m.End)],
        Call.PagemapScanWp m => [("start", m.Start), ("end", m.End)],
        Call.UffdMove m when m.Len != 1 => [("page", m.Src), ("dst", m.Dst), ("len", m.Len)],
        Call.UffdMove m => [("page", m.Src), ("dst", m.Dst)],
        Call.MadviseCollapse m => [("start", m.Start), ("end", m.End)],
        Call.WpSharedMapping m => [("start", m.Start), ("end", m.End)],
        Call.MadvisePageout m => [("start", m.Start), ("end", m.End)],
        Call.Writeback m => [("page", m.Page)],
        Call.PageReferenced m => [("page", m.Page)],
        Call.MigrateToDevice m => [("start", m.Start), ("end", m.End)],
        Call.TestYoung m => [("page", m.Page)],
        _ => [],
    };

    private static void CheckPage(MmState s, int page, string what)
    {
        if (page < 0 || page >= s.Config.Pages) throw new ModelException($"{what}: page {page} is outside the address space [0, {s.Config.Pages})", badInput: true);
    }

    private static TraceLine Line(string kind, string actor, string op, params (string, object?)[] fields) => new(kind, actor, op, fields);

    private static MmState SetMirror(MmState s, int m, MirrorState ms) => s with { Mirrors = s.Mirrors.SetItem(m, ms) };

    // ================================================================ scheduling

    /// <summary>Can this actor take a step now? (A blocked actor waits on a lock or on the end of a pass.)</summary>
    public static bool CanStep(MmState s, int actor)
    {
        if (actor == Cpu)
        {
            if (s.Op is not { } op) return false;
            // a two-pass listener's invalidate_finish takes its driver lock (xe_vma_userptr_invalidate_finish:
            // down_write(notifier_lock)); it returns void and may not fail, so it waits for the lock
            if (op.Inv is { } fi && FinishDue(s, fi)) return !s.Mirrors[fi.FinishList[0]].Locked;
            if (op.Inv is { Refused: false, PendingCallbacks.IsEmpty: false } inv)
            {
                // a blockable callback waits for the device lock; a non-blockable interval callback refuses
                // (mutex_trylock); a full-mm one has an end, so it may not fail (include/linux/mmu_notifier.h,
                // WARN in mn_hlist_invalidate_range_start): it spins on its lock as KVM's mmu_lock
                int first = inv.PendingCallbacks[0];
                return !s.Mirrors[first].Locked || !inv.Blockable && s.Config.MirrorList[first].Kind != MirrorKind.Mm;
            }
            // dmirror_migrate_finalize_and_map takes dmirror->mutex
            if (op.Steps.Peek() is Prim.DeviceMigrateMap dm) return !s.Mirrors[dm.Mirror].Locked;
            // invalidate_range_end of a full-mm subscription takes its lock (KVM: kvm_mmu_invalidate_end under mmu_lock)
            if (op.Steps.Peek() is Prim.End)
                for (int m = 0; m < s.Mirrors.Length; m++)
                    if (s.Mirrors[m].Locked && s.Config.MirrorList[m].Kind == MirrorKind.Mm) return false;
            // invalidate_page callbacks take each listener's device lock too (dmirror's mutex)
            // mn_itree_release / ->release call each listener's invalidate, which takes the driver lock
            // (lib/test_hmm.c dmirror_interval_invalidate: mutex_lock(&dmirror->mutex)); release waits for it
            if (op.Steps.Peek() is Prim.InvalidatePage or Prim.Release)
                for (int m = 0; m < s.Mirrors.Length; m++)
                    if (s.Mirrors[m].Locked && s.Config.MirrorList[m].Kind != MirrorKind.SecondaryTlb) return false;
            return true;
        }
        var ms = s.Mirrors[actor];
        if (ms.Op is not { } d) return false;
        var kind = s.Config.MirrorList[actor].Kind;
        return d.Phase switch
        {
            // mmu_interval_read_begin sleeps while the running pass has hit this subscription
            DevicePhase.ReadBegin => kind != MirrorKind.Interval || s.Config.Has(Mutant.ReadBeginNoSleep) || ms.Seq != s.InvalidateSeq,
            // hmm_range_fault takes mmap_read_lock; it waits for a writer and for a fault it started
            DevicePhase.RangeFault => s.Op is null || s.Op.Lock != MmapLock.Write && s.Op.Actor != ActorName(s, actor),
            DevicePhase.Lock => !ms.Locked,
            // mmu_interval_notifier_remove waits until a pass that froze the tree ends (mmu_interval_seq_released)
            DevicePhase.Remove => !(s.ActiveInvalidateRanges > 0 && s.Invalidating),
            DevicePhase.Exclusive or DevicePhase.Migrate => false, // its work runs as the CPU operation in flight
            _ => true,
        };
    }

    public static IEnumerable<int> Enabled(MmState s)
    {
        if (CanStep(s, Cpu)) yield return Cpu;
        for (int i = 0; i < s.Mirrors.Length; i++) if (CanStep(s, i)) yield return i;
    }

    public static bool Idle(MmState s) => s.Op is null && s.Mirrors.All(m => m.Op is null);

    // ================================================================ steps

    public static StepOutcome Step(MmState s, int actor)
    {
        if (!CanStep(s, actor)) throw new ModelException($"{(actor == Cpu ? "cpu" : actor < s.Mirrors.Length ? ActorName(s, actor) : $"mirror {actor}")} cannot take a step now");
        s = s with { Steps = s.Steps + 1 };
        var o = actor == Cpu ? CpuStep(s) : DeviceStep(s, actor);
        var v = o.Violation ?? Rules.CheckState(o.State);
        return o with { Violation = v };
    }

    // ---------------------------------------------------------------- mm side

    private static StepOutcome CpuStep(MmState s)
    {
        var op = s.Op!;
        if (op.Inv is { } fi && FinishDue(s, fi))
            return Finish(s, FinishPass(s, op, fi));
        if (op.Inv is { Refused: false, PendingCallbacks.IsEmpty: false } pending)
            return Finish(s, Callback(s, op, pending));
        var steps = op.Steps.Dequeue(out var prim);
        op = op with { Steps = steps };
        s = s with { Op = op };
        var o = prim switch
        {
            Prim.Start st => Start(s, op, st),
            Prim.End en => End(s, op, en),
            Prim.PteUpdate pu => PteUpdate(s, op, pu),
            Prim.TlbFlush tf => TlbFlush(s, op, tf),
            Prim.InvalidatePage ip => InvalidatePage(s, op, ip),
            Prim.FreeFrame ff => FreeFrame(s, ff),
            Prim.CopyFrame cf => new(s with { Frames = s.Frames.SetItem(cf.To, s.Frames[cf.To] with { Content = s.Frames[cf.From].Content }) },
                Line("step", op.Actor, "copy_page", ("from", cf.From), ("to", cf.To), ("value", s.Frames[cf.From].Content)), null),
            Prim.VmaUpdate vu => new(s with { Vmas = vu.Vmas }, Line("step", op.Actor, "vma_update", ("vmas", vu.Vmas.ToArray())), null),
            Prim.ChildCopy cc => ChildCopy(s, op, cc),
            Prim.ChildFault cf => ChildFault(s, op, cf),
            Prim.Release => Release(s, op),
            Prim.Access ac => CpuAccess(s, op, ac),
            Prim.KsmReplace kr => KsmReplace(s, op, kr),
            Prim.ZeroRemap zr => ZeroRemap(s, op, zr),
            Prim.AtomicMap am => AtomicMap(s, op, am),
            Prim.DeviceMigrateMap dm => DeviceMigrateMap(s, op, dm),
            Prim.DeviceErase de => DeviceErase(s, op, de),
            Prim.Young y => Young(s, op, y),
            Prim.Exit => new(s with { Exited = true }, Line("step", op.Actor, "mm_exited"), null),
            _ => throw new InvalidOperationException(prim.ToString()),
        };
        return Finish(s, o with { State = Populate(o.State) });
    }

    /// <summary>A Prim.Populate at the head of the steps becomes the next fault of the population and a Populate of the rest
    /// (Planner.PopulateNext, planned on the state the steps so far left), or nothing once every page is followed: the queue's
    /// head is never a Populate when the machine reaches it, and a population with nothing to fault takes no step.</summary>
    private static MmState Populate(MmState s)
    {
        while (s.Op is { } op && !op.Steps.IsEmpty && op.Steps.Peek() is Prim.Populate pp)
        {
            var rest = op.Steps.Dequeue();
            var (ns, steps) = Planner.PopulateNext(s with { Op = op with { Steps = rest } }, pp);
            s = ns with { Op = ns.Op! with { Steps = ImmutableQueue.CreateRange(steps.Concat(rest)) } };
        }
        return s;
    }

    /// <summary>Retires the operation when its last step ran, checking StartEndPaired and the v7 invalidate_page obligation.</summary>
    private static StepOutcome Finish(MmState before, StepOutcome o)
    {
        var s = o.State;
        if (s.Op is not { } op || !op.Steps.IsEmpty || op.Inv is { Refused: false, PendingCallbacks.IsEmpty: false } || op.Inv is { FinishList.IsEmpty: false }) return o;
        Violation? v = o.Violation;
        if (v is null && op.Inv is { Refused: false } open)
            v = new(Rules.StartEndPaired, $"{op.Name} finished with invalidate_range_start {open.Range} ({open.Event}) never ended");
        if (v is null && !op.AwaitingPages.IsEmpty)
            v = new(Rules.RangeCoversChange, $"{op.Name} finished without notifying pages [{string.Join(",", op.AwaitingPages.Order())}] it changed");
        // a device's own migration (migrate_to_device) ends with migrate_vma_finalize: its thread is free again
        for (int m = 0; m < s.Mirrors.Length; m++)
            if (s.Mirrors[m].Op is { Phase: DevicePhase.Migrate } && s.Config.MirrorList[m].Name == op.Actor) s = SetMirror(s, m, s.Mirrors[m] with { Op = null });
        return o with { State = s with { Op = null }, Violation = v };
    }

    /// <summary>mn_itree_inv_start_range: does the range hit an interval notifier?</summary>
    private static bool HasInterval(MmState s, PageRange range)
    {
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var cfg = s.Config.MirrorList[m];
            if (cfg.Kind == MirrorKind.Interval && cfg.Overlaps(range) && s.Mirrors[m].Registered && !s.Mirrors[m].Released) return true;
        }
        return false;
    }

    /// <summary>mmu_notifier_invalidate_range_start: mn_itree_inv_start_range (active++, seq |= 1 when an
    /// interval is hit, cur_seq), then each subscription is called in its own step.</summary>
    private static StepOutcome Start(MmState s, CpuOp op, Prim.Start st)
    {
        long seq = s.InvalidateSeq;
        bool hit = HasInterval(s, st.Range);
        if (hit) seq |= 1;
        // __mmu_notifier_invalidate_range_start: the interval tree first (mn_itree_invalidate), then the
        // full-mm subscriptions (mn_hlist_invalidate_range_start), which are not called when an interval refused
        var callbacks = ImmutableArray.CreateBuilder<int>();
        foreach (var kind in new[] { MirrorKind.Interval, MirrorKind.Mm })
            for (int m = 0; m < s.Mirrors.Length; m++)
                if (s.Config.MirrorList[m].Kind == kind && s.Config.MirrorList[m].Overlaps(st.Range) && s.Mirrors[m].Registered && !s.Mirrors[m].Released) callbacks.Add(m);
        var inv = new Invalidation(st.Range, st.Event, st.Blockable, seq, callbacks.ToImmutable(), Owner: st.Owner);
        s = s with { InvalidateSeq = seq, ActiveInvalidateRanges = s.ActiveInvalidateRanges + 1, Op = op with { Inv = inv } };
        if (inv.PendingCallbacks.IsEmpty && s.Config.Has(Mutant.EndPassEarly)) s = EndPass(s);
        var line = Line("step", op.Actor, st.Blockable ? "invalidate_range_start" : "invalidate_range_start_nonblock",
            ("start", st.Range.Start), ("end", st.Range.End), ("event", st.Event.ToString()), ("seq", seq),
            ("owner", st.Owner >= 0 ? s.Config.MirrorList[st.Owner].Name : null));
        if (op.Inv is { Refused: false } prev)
        {
            // a start planned inside another bracket (MADV_FREE's folio split) suspends the started one until its end
            if (st.Nested && prev.Started) { s = s with { Op = s.Op! with { Outer = (op.Outer ?? []).Push(prev) } }; return new(s, line, null); }
            return new(s, line, new(Rules.StartEndPaired, $"{op.Name}: invalidate_range_start {st.Range} while {prev.Range} has not ended"));
        }
        return new(s, line, null);
    }

    /// <summary>mn_itree_inv_end: active--, and the pass ends (seq++) when the last one ends.</summary>
    private static MmState EndPass(MmState s)
    {
        int active = s.ActiveInvalidateRanges - 1;
        long seq = s.InvalidateSeq;
        if (active == 0 && (seq & 1) == 1) seq++;
        s = s with { ActiveInvalidateRanges = active, InvalidateSeq = seq };
        if (s.Op?.Inv is { } inv) s = s with { Op = s.Op with { Inv = inv with { PassEnded = true } } };
        return s;
    }

    /// <summary>One subscription's invalidate_range_start / interval invalidate() callback.</summary>
    private static StepOutcome Callback(MmState s, CpuOp op, Invalidation inv)
    {
        int m = inv.PendingCallbacks[0];
        var cfg = s.Config.MirrorList[m];
        var ms = s.Mirrors[m];
        if (ms.Locked)
        {
            // dmirror_interval_invalidate: mutex_trylock fails in a non-blockable range -> return false (-EAGAIN)
            inv = inv with { Refused = true, PendingCallbacks = [] };
            // mn_itree_invalidate on -EAGAIN: the finish passes already queued still run (mn_itree_finish_pass),
            // then mn_itree_inv_end; the pass ends after the last of them (FinishPass)
            bool finishesDue = !inv.FinishList.IsEmpty && !s.Config.Has(Mutant.NonblockIgnoresRefusal);
            s = s with { Op = op with { Inv = inv } };
            if (!finishesDue) s = EndPass(s);
            // no end follows a refused start (mmu_notifier_invalidate_range_start_nonblock): a teardown an
            // unmap-at-end listener deferred to this invalidation's end is dropped with it, as in tla/ (Refuse)
            // and spec/. Only interval callbacks can have run: full-mm listeners come after the interval tree.
            for (int k = 0; k < s.Mirrors.Length; k++)
                if (!s.Mirrors[k].DeferredAtEnd.IsEmpty) s = SetMirror(s, k, s.Mirrors[k] with { DeferredAtEnd = [] });
            var rest = op.Steps;
            var kept = new List<Prim>();
            bool skipping = true;
            foreach (var p in rest)
            {
                if (skipping)
                {
                    if (p is Prim.End) { skipping = false; if (s.Config.Has(Mutant.EndAfterRefusedStart)) kept.Add(p); continue; }
                    if (s.Config.Has(Mutant.NonblockIgnoresRefusal)) kept.Add(p);
                    else if (p is Prim.VmaUpdate or Prim.Exit) kept.Add(p);
                    continue;
                }
                kept.Add(p);
            }
            s = s with { Op = s.Op! with { Steps = ImmutableQueue.CreateRange(kept), Inv = s.Config.Has(Mutant.NonblockIgnoresRefusal) ? null : s.Op.Inv } };
            return new(s, Line("step", op.Actor, "invalidate", ("mirror", cfg.Name), ("event", inv.Event.ToString()), ("result", "EAGAIN")), null);
        }
        // dmirror_interval_invalidate: an event this mirror owns (MIGRATE, EXCLUSIVE) is its own doing: return true at once
        bool ownerSkip = inv.Owner >= 0 && inv.Event is MmuEvent.MMU_NOTIFY_MIGRATE or MmuEvent.MMU_NOTIFY_EXCLUSIVE
            && (inv.Owner == m || s.Config.Has(Mutant.OwnerFilterAll))
            || inv.Event == MmuEvent.MMU_NOTIFY_MIGRATE && s.Config.Has(Mutant.MigrateSkipAnyOwner);
        if (ownerSkip)
        {
            // nouveau (drivers/gpu/drm/nouveau/nouveau_svm.c nouveau_svm_range_invalidate, linux-7.2) calls mmu_interval_set_seq
            // for its own MMU_NOTIFY_MIGRATE (it skips only its own MMU_NOTIFY_EXCLUSIVE before), so its own fault racing the
            // migration retries; lib/test_hmm.c dmirror_interval_invalidate returns before it (Mutant.OwnerSkipBeforeSetSeq:
            // the owner's racing fault installs the device page migrate_to_ram frees)
            if (inv.Owner == m && inv.Event == MmuEvent.MMU_NOTIFY_MIGRATE && cfg.Kind == MirrorKind.Interval
                && !s.Config.Has(Mutant.OwnerSkipBeforeSetSeq) && !s.Config.Has(Mutant.SkipSetSeq))
                s = SetMirror(s, m, ms with { Seq = inv.CurSeq });
            inv = inv with { PendingCallbacks = inv.PendingCallbacks.RemoveAt(0) };
            s = s with { Op = op with { Inv = inv } };
            if (inv.PendingCallbacks.IsEmpty && s.Config.Has(Mutant.EndPassEarly)) s = EndPass(s);
            return new(s, Line("step", op.Actor, "invalidate", ("mirror", cfg.Name), ("event", inv.Event.ToString()), ("reaction", "owner"), ("result", "ok")), null);
        }
        var reaction = cfg.Listener.For(inv.Event);
        int[] removed = [];
        if (cfg.Kind == MirrorKind.Interval && !s.Config.Has(Mutant.SkipSetSeq)) ms = ms with { Seq = inv.CurSeq }; // mmu_interval_set_seq under the lock
        if (cfg.Kind == MirrorKind.Mm) ms = ms with { InProgress = ms.InProgress + 1 };
        bool twoPass = cfg.Listener.At == TeardownAt.Finish && cfg.Kind == MirrorKind.Interval;
        if (twoPass)
        {
            // invalidate_start returned a finish: mn_itree_invalidate queues it (__llist_add on finish_passes)
            if (s.Config.Has(Mutant.FinishPassAtEnd)) ms = ms with { DeferredAtEnd = ms.DeferredAtEnd.Add((inv.Range, inv.Event)) };
            else inv = inv with { Finishes = inv.FinishList.Add(m) };
        }
        else if (cfg.Listener.At is TeardownAt.Start or TeardownAt.Finish) (ms, removed) = React(s, ms, inv.Range, reaction);
        else ms = ms with { DeferredAtEnd = ms.DeferredAtEnd.Add((inv.Range, inv.Event)) };
        s = SetMirror(s, m, ms);
        inv = inv with { PendingCallbacks = inv.PendingCallbacks.RemoveAt(0) };
        s = s with { Op = op with { Inv = inv } };
        if (inv.PendingCallbacks.IsEmpty && s.Config.Has(Mutant.EndPassEarly)) s = EndPass(s);
        return new(s, Line("step", op.Actor, "invalidate", ("mirror", cfg.Name), ("event", inv.Event.ToString()),
            ("reaction", ReactionName(reaction, twoPass ? TeardownAt.Finish : cfg.Listener.At == TeardownAt.End ? TeardownAt.End : TeardownAt.Start)),
            ("seq", cfg.Kind == MirrorKind.Interval ? ms.Seq : null), ("unmapped", removed), ("result", "ok")), null);
    }

    /// <summary>Is a queued finish pass due? mn_itree_invalidate runs them after the interval-tree walk (all interval
    /// callbacks called, or one refused) and before the full-mm subscriptions' invalidate_range_start.</summary>
    private static bool FinishDue(MmState s, Invalidation inv) => !inv.FinishList.IsEmpty
        && (inv.Refused || inv.PendingCallbacks.IsEmpty || s.Config.MirrorList[inv.PendingCallbacks[0]].Kind != MirrorKind.Interval);

    /// <summary>One queued invalidate_finish (mm/mmu_notifier.c mn_itree_finish_pass), in the order the start passes
    /// ran. The two-pass listener tears down here; after the last one of a refused invalidation, mn_itree_inv_end.</summary>
    private static StepOutcome FinishPass(MmState s, CpuOp op, Invalidation inv)
    {
        int m = inv.FinishList[0];
        var cfg = s.Config.MirrorList[m];
        var reaction = cfg.Listener.For(inv.Event);
        var (ms, removed) = React(s, s.Mirrors[m], inv.Range, reaction);
        s = SetMirror(s, m, ms);
        inv = inv with { Finishes = inv.FinishList.RemoveAt(0) };
        s = s with { Op = op with { Inv = inv } };
        if (inv.Refused && inv.FinishList.IsEmpty) s = EndPass(s);
        return new(s, Line("step", op.Actor, "invalidate_finish", ("mirror", cfg.Name), ("event", inv.Event.ToString()),
            ("reaction", ReactionName(reaction, TeardownAt.Start)), ("unmapped", removed)), null);
    }

    private static string ReactionName(Reaction r, TeardownAt at) => (r switch
    {
        Reaction.Unmap => "unmap", Reaction.WriteProtect => "write-protect", Reaction.Ignore => "ignore", _ => "consult-vma",
    }) + (at switch { TeardownAt.End => "-at-end", TeardownAt.Finish => "-at-finish", _ => "" });

    /// <summary>Applies a listener reaction to the device PTEs of a range; returns the pages whose entry changed.</summary>
    private static (MirrorState, int[]) React(MmState s, MirrorState ms, PageRange r, Reaction reaction)
    {
        if (reaction == Reaction.Ignore || ms.Pt.IsEmpty) return (ms, []);
        var pt = ms.Pt;
        var changed = new List<int>();
        foreach (var (page, e) in ms.Pt)
        {
            if (!r.Contains(page)) continue;
            var rx = reaction;
            if (rx == Reaction.ConsultVma)
                rx = s.VmaAt(page) switch { null or { Prot: Prot.None } => Reaction.Unmap, { Prot: Prot.Read } => Reaction.WriteProtect, _ => Reaction.Ignore };
            if (rx == Reaction.Unmap) { pt = pt.Remove(page); changed.Add(page); }
            else if (rx == Reaction.WriteProtect && e.Writable) { pt = pt.SetItem(page, e with { Writable = false }); changed.Add(page); }
        }
        changed.Sort();
        return (ms with { Pt = pt }, changed.ToArray());
    }

    /// <summary>mmu_notifier_invalidate_range_end: full-mm subscriptions' end (KVM: seq++, in_progress--),
    /// reactions deferred to the end, then mn_itree_inv_end.</summary>
    private static StepOutcome End(MmState s, CpuOp op, Prim.End en)
    {
        var line = Line("step", op.Actor, "invalidate_range_end", ("start", en.Range.Start), ("end", en.Range.End));
        Violation? v = null;
        if (op.Inv is not { } inv) v = new(Rules.StartEndPaired, $"{op.Name}: invalidate_range_end {en.Range} without a successful invalidate_range_start");
        else if (inv.Refused) v = new(Rules.StartEndPaired, $"{op.Name}: invalidate_range_end {en.Range} after a refused non-blockable start (-EAGAIN)");
        else if (inv.Range != en.Range) v = new(Rules.StartEndPaired, $"{op.Name}: invalidate_range_end {en.Range} does not match start {inv.Range}");
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var ms = s.Mirrors[m];
            var cfg = s.Config.MirrorList[m];
            if (cfg.Kind == MirrorKind.Mm && ms.InProgress > 0) ms = ms with { Seq = ms.Seq + 1, InProgress = ms.InProgress - 1 };
            foreach (var (r, e) in ms.DeferredAtEnd) ms = React(s, ms, r, cfg.Listener.For(e)).Item1;
            ms = ms with { DeferredAtEnd = [] };
            s = SetMirror(s, m, ms);
        }
        if (op.Inv is { Refused: false, PassEnded: false }) s = EndPass(s);
        // the end of a nested invalidation: the one it suspended is the open one again (CpuOp.Outer)
        s = s with { Op = s.Op!.Outer is { IsEmpty: false } outer ? s.Op with { Inv = outer.Peek(), Outer = outer.Pop() } : s.Op with { Inv = null } };
        return new(s, line, v);
    }

    private static StepOutcome PteUpdate(MmState s, CpuOp op, Prim.PteUpdate pu)
    {
        var before = s.Ptes[pu.Page];
        var frames = s.Frames;
        var migrating = s.Migrating;
        Pte? after;
        switch (pu.Op)
        {
            case PteOp.Clear:
            case PteOp.MigrationEntry:
                after = null;
                if (before is { Swapped: false } b && b.Frame != MmState.ZeroFrame) frames = frames.SetItem(b.Frame, frames[b.Frame] with { MapCount = frames[b.Frame].MapCount - 1 });
                // try_to_migrate_one marks the folio dirty for a dirty PTE (linux-7.2 mm/rmap.c: folio_mark_dirty): not known clean
                if (pu.Op == PteOp.MigrationEntry && before is { Swapped: false, NonPresent: false } mc && mc.Frame != MmState.ZeroFrame)
                    frames = frames.SetItem(mc.Frame, frames[mc.Frame] with { Clean = false });
                // the migration entry keeps the dirty and young bits of the PTE it replaces (linux-7.2 mm/rmap.c try_to_migrate_one:
                // make_migration_entry_dirty / _young; linux-6.1 the same)
                if (pu.Op == PteOp.MigrationEntry) migrating = migrating.SetItem(pu.Page, before is { Swapped: false, NonPresent: false } mb ? (mb.Dirty, mb.Young) : null);
                break;
            case PteOp.Map:
            case PteOp.MapShared:
                bool write = pu.Prot == Prot.ReadWrite;
                after = new Pte(pu.Frame, pu.Prot, Dirty: write, Young: true, SoftDirty: !pu.Unshare || pu.SoftDirty, Huge: pu.Huge, UffdWp: pu.UffdWp);
                // remove_migration_pte (a migration's or a folio split's remap) gives back the entry's dirty and young bits, not a
                // fault's (linux-7.2 mm/migrate.c: pte_mkdirty for a dirty entry, pte_mkold unless young, whatever the protection);
                // a move (move_ptes) keeps the moved PTE's
                var kept = s.Config.PlantMigrationDirtiesPte || pu.Frame == MmState.ZeroFrame ? null : migrating.GetValueOrDefault(pu.Page) ?? pu.Bits;
                if (kept is { } k) after = after.Value with { Dirty = k.Dirty, Young = k.Young };
                if (before is { Swapped: false } ob && ob.Frame != MmState.ZeroFrame) frames = frames.SetItem(ob.Frame, frames[ob.Frame] with { MapCount = frames[ob.Frame].MapCount - 1 });
                if (pu.Frame != MmState.ZeroFrame)
                    frames = frames.SetItem(pu.Frame, frames[pu.Frame] with { MapCount = frames[pu.Frame].MapCount + 1, RefCount = frames[pu.Frame].RefCount + (pu.Op == PteOp.MapShared ? 1 : 0) });
                migrating = migrating.Remove(pu.Page);
                break;
            case PteOp.SwapEntry when before is { Swapped: false } sw:
                after = sw with { Swapped = true, Young = false, Dirty = false }; // a swap entry has no dirty bit (nor does MoveSwapEntry's)
                // the page comes back from the swap cache (do_swap_page), which it leaves dirty (folio_free_swap): not known clean
                if (sw.Frame != MmState.ZeroFrame) frames = frames.SetItem(sw.Frame, frames[sw.Frame] with { MapCount = frames[sw.Frame].MapCount - 1, Clean = false });
                break;
            case PteOp.MoveSwapEntry:
                after = new Pte(pu.Frame, pu.Prot, SoftDirty: true, Swapped: true, UffdWp: pu.UffdWp);   // UFFDIO_MOVE keeps the uffd-wp bit, mremap's move_ptes does not
                break;
            case PteOp.DevicePrivateEntry:
                // migrate_vma_insert_page (a none or zero-page PTE) or remove_migration_ptes (a migration entry): the device page's
                // device-private entry, writable iff Prot is rw; a moved entry (mremap) keeps its soft-dirty bit
                after = new Pte(pu.Frame, pu.Prot, SoftDirty: pu.SoftDirty, DevicePrivate: pu.Owner);
                if (before is { Swapped: false, NonPresent: false } zb && zb.Frame != MmState.ZeroFrame) frames = frames.SetItem(zb.Frame, frames[zb.Frame] with { MapCount = frames[zb.Frame].MapCount - 1 });
                frames = frames.SetItem(pu.Frame, frames[pu.Frame] with { MapCount = frames[pu.Frame].MapCount + 1 });
                migrating = migrating.Remove(pu.Page);
                break;
            default:
                if (before is not { } cur) return new(s, Line("step", op.Actor, "pte_update", ("page", pu.Page), ("old", null), ("new", null)), null);
                after = pu.Op switch
                {
                    PteOp.SetProt => cur with { Prot = pu.Prot, TrackWp = false },
                    PteOp.WriteProtect => cur with { Prot = cur.Prot == Prot.ReadWrite ? Prot.Read : cur.Prot, TrackWp = false },
                    PteOp.Clean => cur with { Dirty = false, Prot = cur.Prot == Prot.ReadWrite ? Prot.Read : cur.Prot, TrackWp = false },
                    PteOp.MkOld => cur with { Dirty = false, Young = false },
                    PteOp.ClearSoftDirty => s.Config.Has(Mutant.SoftDirtyNoWriteProtect)
                        ? cur with { SoftDirty = false }
                        : cur with { SoftDirty = false, Prot = cur.Prot == Prot.ReadWrite ? Prot.Read : cur.Prot, TrackWp = cur.Writable || cur.TrackWp },
                    PteOp.Split => cur with { Huge = false },
                    PteOp.Upgrade => cur with { Prot = Prot.ReadWrite, Dirty = true, Young = true, SoftDirty = !s.Config.Has(Mutant.WriteFaultNoSoftDirty) || cur.SoftDirty, TrackWp = false },
                    PteOp.UffdWp => cur with { UffdWp = true, Prot = cur.Prot == Prot.ReadWrite ? Prot.Read : cur.Prot, TrackWp = false },
                    PteOp.UffdWpResolve => cur with { UffdWp = false, Prot = pu.Prot == Prot.ReadWrite ? Prot.ReadWrite : cur.Prot },
                    PteOp.MakeExclusive => cur with { Exclusive = pu.Frame },
                    PteOp.RestoreExclusive => cur with { Exclusive = -1 },
                    _ => throw new InvalidOperationException(pu.Op.ToString()),
                };
                break;
        }
        // a write fault's reuse in a private VMA: PageAnonExclusive (linux-7.2 mm/memory.c do_wp_page: SetPageAnonExclusive
        // once wp_can_reuse_anon_folio allows it; mm/huge_memory.c do_huge_pmd_wp_page the same for the head page); a page
        // mapped in a shared VMA is not anonymous: never PageAnonExclusive (Frame.AnonExclusive)
        if (pu.Op == PteOp.Upgrade && after is { } up && up.Frame != MmState.ZeroFrame && s.VmaAt(pu.Page) is { Shared: false })
            frames = frames.SetItem(up.Frame, frames[up.Frame] with { AnonExclusive = true });
        if (pu.Op is PteOp.Map or PteOp.MapShared && pu.Frame != MmState.ZeroFrame && s.VmaAt(pu.Page) is { Shared: true })
            frames = frames.SetItem(pu.Frame, frames[pu.Frame] with { AnonExclusive = false });
        // make_device_exclusive marks the folio dirty for a dirty PTE (linux-7.2 mm/rmap.c make_device_exclusive: folio_mark_dirty)
        if (pu.Op == PteOp.MakeExclusive && before is { } mx && mx.Frame != MmState.ZeroFrame)
            frames = frames.SetItem(mx.Frame, frames[mx.Frame] with { Clean = false });
        s = s with { Ptes = s.Ptes.SetItem(pu.Page, after), Frames = frames, Migrating = migrating };
        if (s.Config.ModelsPteTables) s = s with { PteTables = PteTablesAfter(s, pu, before, after) };
        // an anonymous page in a private VMA: it has an anon_vma from now on (mm/rmap.c __anon_vma_prepare); so does the
        // huge zero page (linux-7.2 mm/huge_memory.c do_huge_pmd_anonymous_page calls vmf_anon_prepare before mapping it,
        // where do_anonymous_page maps the small zero page without one)
        if (pu.Op is PteOp.Map or PteOp.MapShared && (pu.Frame != MmState.ZeroFrame || pu.Huge) && s.VmaAt(pu.Page) is { Shared: false, AnonVma: false } av)
            s = s with { Vmas = Planner.PrepareAnonVma(s.Vmas, av, s.Config.PlantOneAnonVma) };
        if (pu.Op == PteOp.Clear) s = s with { Shadow = s.Shadow.SetItem(pu.Page, null) };
        var change = Rules.Classify(before, after);
        var line = Line("step", op.Actor, "pte_update", ("page", pu.Page), ("old", before), ("new", after));
        Violation? v = null;
        bool needsNotify = (change & ~Rules.Unnotified) != 0;
        if (needsNotify)
        {
            op = op with { Unflushed = op.UnflushedPages.Add(pu.Page) };
            if (pu.NotifyAfter) op = op with { AwaitingPageNotify = op.AwaitingPages.Add(pu.Page) };
            else if (op.Inv is not { Started: true } inv || !inv.Range.Contains(pu.Page))
                v = new(Rules.RangeCoversChange, $"{op.Name} changed page {pu.Page} ({PteText.Of(before)} -> {PteText.Of(after)}) outside any started invalidation{(op.Inv is { } i2 ? $" (open: {i2.Range} {i2.Event})" : "")}");
            else if ((change & ~EventTables.Allows(inv.Event)) != 0)
                v = new(Rules.TruthfulEvent, $"{op.Name} sent {inv.Event} but made a {change & ~EventTables.Allows(inv.Event)} change to page {pu.Page} ({PteText.Of(before)} -> {PteText.Of(after)})");
            s = s with { Op = op };
        }
        return new(s, line, v);
    }

    /// <summary>The PTE tables after a PTE update (MmState.PteTables): a base entry lives in its block's PTE table, made now if
    /// the block had none (a fault's pte_alloc, __split_huge_pmd's deposited table, a swap, migration or device entry replacing a
    /// base PTE in place); a block mapped by a PMD whole has none (collapse_huge_page deposits the table it replaces:
    /// linux-7.2 mm/khugepaged.c pgtable_trans_huge_deposit). A cleared PTE leaves its table.</summary>
    private static ImmutableSortedSet<int> PteTablesAfter(MmState s, Prim.PteUpdate pu, Pte? before, Pte? after)
    {
        int h = s.Config.HugePageSize, b = pu.Page / h * h;
        if (after is { Huge: false } || pu.Op == PteOp.MigrationEntry && before is { Huge: false }) return s.PteTables.Add(b);
        if (after is { Huge: true } && Enumerable.Range(b, Math.Min(h, s.Config.Pages - b)).All(p => s.Ptes[p] is { Huge: true })) return s.PteTables.Remove(b);
        return s.PteTables;
    }

    /// <summary>flush_tlb_range; the secondary-TLB callback (invalidate_range, arch_invalidate_secondary_tlbs) runs here, under the PTL.</summary>
    private static StepOutcome TlbFlush(MmState s, CpuOp op, Prim.TlbFlush tf)
    {
        var told = new List<string>();
        if (!s.Config.Has(Mutant.NoTlbFlushNotify))
            for (int m = 0; m < s.Mirrors.Length; m++)
            {
                if (s.Config.MirrorList[m].Kind != MirrorKind.SecondaryTlb || !s.Mirrors[m].Registered) continue;
                var (ms, _) = React(s, s.Mirrors[m], tf.Range, Reaction.Unmap);
                s = SetMirror(s, m, ms);
                told.Add(s.Config.MirrorList[m].Name);
            }
        var un = op.UnflushedPages.Where(p => !tf.Range.Contains(p)).ToImmutableHashSet();
        s = s with { Op = op with { Unflushed = un } };
        // only a table every entry of which is none (zap_pte_table_if_empty: a device's fault may have filled one since the zap)
        if (!tf.FreedTables.IsEmpty)
            s = s with { PteTables = s.PteTables.Except(tf.FreedTables.Where(b => Enumerable.Range(b, Math.Min(s.Config.HugePageSize, s.Config.Pages - b))
                .All(p => s.Ptes[p] is null && !s.Migrating.ContainsKey(p)))) };
        string cb = EventTables.IsKernel(s.Config.Vocabulary) ? "arch_invalidate_secondary_tlbs" : "invalidate_range";
        return new(s, Line("step", op.Actor, "tlb_flush", ("start", tf.Range.Start), ("end", tf.Range.End), ("secondary", told.Count > 0 ? cb : null), ("mirrors", told.ToArray())), null);
    }

    /// <summary>The legacy mmu_notifier_invalidate_page (v7 rmap paths): every listener is told about one page, after the change.</summary>
    private static StepOutcome InvalidatePage(MmState s, CpuOp op, Prim.InvalidatePage ip)
    {
        var r = new PageRange(ip.Page, ip.Page + 1);
        bool hit = HasInterval(s, r);
        long cur = hit ? s.InvalidateSeq | 1 : s.InvalidateSeq;
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var cfg = s.Config.MirrorList[m];
            var ms = s.Mirrors[m];
            if (cfg.Kind == MirrorKind.SecondaryTlb || !ms.Registered || ms.Released || !cfg.Overlaps(r)) continue;
            if (cfg.Kind == MirrorKind.Interval && !s.Config.Has(Mutant.SkipSetSeq)) ms = ms with { Seq = cur };
            if (cfg.Kind is MirrorKind.Mm or MirrorKind.InvalidatePage) ms = ms with { Seq = ms.Seq + 1 };
            ms = React(s, ms, r, cfg.Listener.For(ip.Event)).Item1;
            s = SetMirror(s, m, ms);
        }
        if (hit && s.ActiveInvalidateRanges == 0) cur++; // the one-page pass ends at once
        s = s with { InvalidateSeq = cur, Op = op with { AwaitingPageNotify = op.AwaitingPages.Remove(ip.Page) } };
        return new(s, Line("step", op.Actor, "invalidate_page", ("page", ip.Page), ("event", ip.Event.ToString())), null);
    }

    private static StepOutcome FreeFrame(MmState s, Prim.FreeFrame ff)
    {
        var fr = s.Frames[ff.Frame];
        int refs = fr.RefCount - 1;
        bool freed = refs == 0;
        s = s with
        {
            Frames = s.Frames.SetItem(ff.Frame, fr with { RefCount = refs, Free = freed, AnonExclusive = fr.AnonExclusive && !freed }),
            FreeList = freed ? s.FreeList.Push(ff.Frame) : s.FreeList,
            Folios = freed ? DropFolioFrame(s.Folios, ff.Frame) : s.Folios,
        };
        return new(s, Line("step", s.Op!.Actor, "free_frame", ("frame", ff.Frame), ("freed", freed)), null);
    }

    private static StepOutcome ChildCopy(MmState s, CpuOp op, Prim.ChildCopy cc)
    {
        var child = s.Children[^1];
        var frames = s.Frames;
        var pages = new List<int>();
        var swapped = s.ChildSwapped.Count == s.Children.Count ? s.ChildSwapped[^1] : [];
        for (int p = cc.Range.Start; p < cc.Range.End; p++)
        {
            if (s.Ptes[p] is not { } pte) continue;
            child = child.SetItem(p, pte.Frame);
            pages.Add(p);
            // a swap entry (copy_nonpresent_pte, linux-7.2 mm/memory.c: swap_dup_entry_direct) is one more reference to the swap
            // cache's page, not a mapping: the child's copy is a swap entry too
            // the page, or the swap entry, is shared with the child from now on: PageAnonExclusive cleared (linux-7.2
            // mm/memory.c copy_present_ptes -> folio_try_dup_anon_rmap_ptes -> include/linux/rmap.h __folio_try_dup_anon_rmap:
            // ClearPageAnonExclusive; copy_nonpresent_pte: pte_swp_clear_exclusive of the parent's swap entry, and
            // folio_try_dup_anon_rmap_pte of a device-private page); no page here is pinned (maybe_pinned: -EBUSY, a copy)
            if (pte.Frame != MmState.ZeroFrame) frames = frames.SetItem(pte.Frame, frames[pte.Frame] with { MapCount = frames[pte.Frame].MapCount + (pte.Swapped ? 0 : 1), RefCount = frames[pte.Frame].RefCount + 1,
                AnonExclusive = false });
            if (pte.Swapped) swapped = swapped.Add(p);
        }
        var swaps = s.ChildSwapped;
        while (swaps.Count < s.Children.Count) swaps = swaps.Add([]);
        var folios = ForkFolios(s, cc.Range, pages);
        s = s with { Children = s.Children.SetItem(s.Children.Count - 1, child), Frames = frames, ChildSwapped = swaps.SetItem(s.Children.Count - 1, swapped), Folios = folios };
        return new(s, Line("step", op.Actor, "copy_pte_range", ("start", cc.Range.Start), ("end", cc.Range.End), ("pages", pages.ToArray())), null);
    }

    /// <summary>The folios after fork copied range to the new child n (MmState.Folios; kernel vocabularies only, the seed's v7
    /// copied a THP whole on a write fault). A whole huge block the parent maps by a PMD becomes a folio: linux-7.2
    /// mm/huge_memory.c copy_huge_pmd gives the child the same PMD, write-protected (folio_try_dup_anon_rmap_pmd clears the head
    /// page's PageAnonExclusive, include/linux/rmap.h __folio_try_dup_anon_rmap), and the child takes the folio's second mm-id
    /// slot (folio_add_return_large_mapcount: the parent holds the first since the folio was mapped, folio_add_new_anon_rmap).
    /// A folio already known that the child now maps too: its pages the parent shared lose PageAnonExclusive (ChildCopy), the child maps it by
    /// a PMD where the parent still does, and it takes a slot if one is free (a holder that maps nothing of the folio any more
    /// freed its slot: folio_sub_return_large_mapcount).</summary>
    private static ImmutableList<Folio> ForkFolios(MmState s, PageRange range, List<int> pages)
    {
        var folios = s.Folios;
        if (!EventTables.IsKernel(s.Config.Vocabulary)) return folios;
        int n = s.Children.Count - 1;
        for (int i = 0; i < folios.Count; i++)
        {
            var f = folios[i];
            var shared = pages.Where(p => s.Ptes[p] is { Swapped: false } x && f.Frames.Contains(x.Frame)).ToList();
            if (shared.Count == 0) continue;
            var slots = f.Slots.Select(id => id != Folio.FreeSlot && s.FolioMaps(f, id) == 0 ? Folio.FreeSlot : id).ToImmutableArray();
            int free = slots.IndexOf(Folio.FreeSlot);
            if (free >= 0) slots = slots.SetItem(free, n);
            bool pmd = shared.All(p => s.Ptes[p] is { Huge: true });
            folios = folios.SetItem(i, f with
            {
                Slots = slots, ChildPmd = pmd ? f.ChildPmd.Add(n) : f.ChildPmd,
            });
        }
        int h = s.Config.HugePageSize;
        for (int b = (range.Start + h - 1) / h * h; b + h <= range.End; b += h)
        {
            var block = Enumerable.Range(b, h).Select(p => s.Ptes[p]).ToList();
            if (!block.All(x => x is { Huge: true, Swapped: false } y && y.Frame != MmState.ZeroFrame)) continue;
            var frames = block.Select(x => x!.Value.Frame).ToImmutableArray();
            if (s.FolioOf(frames[0]) >= 0) continue;
            folios = folios.Add(new Folio(frames, [n], [-1, n]));
        }
        return folios;
    }

    /// <summary>A frame freed: no longer a page of a folio (a folio whose frames are all freed is gone).</summary>
    private static ImmutableList<Folio> DropFolioFrame(ImmutableList<Folio> folios, int frame)
    {
        for (int i = 0; i < folios.Count; i++)
            if (folios[i].Frames.Contains(frame))
            {
                var rest = folios[i].Frames.Remove(frame);
                return rest.IsEmpty ? folios.RemoveAt(i) : folios.SetItem(i, folios[i] with { Frames = rest });
            }
        return folios;
    }

    /// <summary>A child's write fault (Planner.ChildWrite): the child's page becomes cf.Frame holding the value. A copy or a new
    /// page is one mapping of the new frame (its allocation's reference is the mapping's, as wp_page_copy's new folio), and the
    /// child's old frame loses the child's mapping and reference (wp_page_copy: folio_remove_rmap_pte, then folio_put of the old
    /// folio): the parent's page it shared is then mapped once, which its own next write fault reuses (do_wp_page).</summary>
    private static StepOutcome ChildFault(MmState s, CpuOp op, Prim.ChildFault cf)
    {
        var frames = s.Frames;
        var free = s.FreeList;
        bool freed = false;
        var nf = frames[cf.Frame];
        // a reuse makes the child's page PageAnonExclusive (do_wp_page: SetPageAnonExclusive), a copy or new page is (RMAP_EXCLUSIVE)
        if (cf.Kind == ChildFaultKind.WpPageReuse)
            frames = frames.SetItem(cf.Frame, nf with { Content = cf.Value, Dirty = nf.Dirty || nf.Lazyfree, AnonExclusive = true });
        else
        {
            frames = frames.SetItem(cf.Frame, nf with { Content = cf.Value, MapCount = 1 });
            if (cf.Old > MmState.ZeroFrame)
            {
                var of = frames[cf.Old];
                int refs = of.RefCount - 1;
                freed = refs == 0;
                frames = frames.SetItem(cf.Old, of with { MapCount = of.MapCount - 1, RefCount = refs, Free = freed, AnonExclusive = of.AnonExclusive && !freed });
                if (freed) free = free.Push(cf.Old);
            }
        }
        var child = s.Children[cf.Child].SetItem(cf.Page, cf.Frame);
        // a page of a folio fork shared: a copy under the child's PMD split it first (do_huge_pmd_wp_page's fallback,
        // __split_huge_pmd on the child's mm); a reuse makes the page PageAnonExclusive (do_wp_page), under the PMD the whole
        // folio's (do_huge_pmd_wp_page: SetPageAnonExclusive of the head page, the PMD made writable)
        var folios = s.Folios;
        if (cf.Old > MmState.ZeroFrame && s.FolioOf(cf.Old) is var fi and >= 0)
        {
            var fo = folios[fi];
            bool pmd = fo.ChildPmd.Contains(cf.Child);
            if (cf.Kind == ChildFaultKind.WpPageReuse && pmd)
                foreach (int ff in fo.Frames) frames = frames.SetItem(ff, frames[ff] with { AnonExclusive = true });
            if (cf.Kind != ChildFaultKind.WpPageReuse) folios = folios.SetItem(fi, fo with { ChildPmd = fo.ChildPmd.Remove(cf.Child) });
            if (freed) folios = DropFolioFrame(folios, cf.Old);
        }
        s = s with { Children = s.Children.SetItem(cf.Child, child), Frames = frames, FreeList = free, Folios = folios };
        string path = cf.Kind switch { ChildFaultKind.WpPageReuse => "wp_page_reuse", ChildFaultKind.WpPageCopy => "wp_page_copy", _ => "do_anonymous_page" };
        (string, object?)[] f = [("child", cf.Child), ("page", cf.Page), ("path", path), ("frame", cf.Frame)];
        if (cf.Old >= 0) f = [.. f, ("old", cf.Old), ("freed", freed)];
        return new(s, Line("step", op.Actor, "child_fault", f), null);
    }

    /// <summary>mmu_notifier_release (exit_mmap): every subscription's ->release tears its mirror down and
    /// freezes it; interval notifiers get MMU_NOTIFY_RELEASE (mn_itree_release), with the same effect.</summary>
    private static StepOutcome Release(MmState s, CpuOp op)
    {
        var told = new List<string>();
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var ms = s.Mirrors[m];
            if (!ms.Registered || ms.Released) continue;
            s = SetMirror(s, m, ms with { Pt = ImmutableDictionary<int, DevicePte>.Empty, Released = true });
            told.Add(s.Config.MirrorList[m].Name);
        }
        return new(s, Line("step", op.Actor, "release", ("mirrors", told.ToArray())), null);
    }

    private static StepOutcome CpuAccess(MmState s, CpuOp op, Prim.Access ac)
    {
        var pte = s.Ptes[ac.Page]!.Value;
        if (!ac.Write)
        {
            int value = s.Frames[pte.Frame].Content;
            s = s with { Ptes = s.Ptes.SetItem(ac.Page, pte with { Young = true }) };
            var rv = s.Shadow[ac.Page] is int want && want != value
                ? new Violation(Rules.CoherentAccess, $"CPU read {value} at page {ac.Page} (frame {pte.Frame}) but the last write to it stored {want}") : null;
            return new(s, Line("step", op.Actor, "cpu_read", ("page", ac.Page), ("frame", pte.Frame), ("value", value)), rv);
        }
        s = s with
        {
            // the PTE's dirty bit: a lazyfree frame is written again (Frame.Dirty)
            Frames = s.Frames.SetItem(pte.Frame, s.Frames[pte.Frame] with { Content = ac.Value, Dirty = s.Frames[pte.Frame].Lazyfree }),
            Ptes = s.Ptes.SetItem(ac.Page, pte with { Young = true, Dirty = true }),
            Shadow = s.Shadow.SetItem(ac.Page, ac.Value),
        };
        var v = pte.SoftDirty ? null : new Violation(Rules.SoftDirtyComplete, $"CPU write to page {ac.Page} left its PTE without soft-dirty ({PteText.Of(pte)})");
        return new(s, Line("step", op.Actor, "cpu_write", ("page", ac.Page), ("frame", pte.Frame), ("value", ac.Value)), v);
    }

    /// <summary>Page aging (include/linux/mmu_notifier.h clear_flush_young / test_young, R11): young if the CPU
    /// PTE or any listener's translation was accessed; clear_flush_young clears them all. Never changes a mapping.</summary>
    private static StepOutcome Young(MmState s, CpuOp op, Prim.Young y)
    {
        bool cpuYoung = s.Ptes[y.Page] is { Young: true };
        var told = new List<string>();
        for (int m = 0; m < s.Mirrors.Length; m++)
        {
            var ms = s.Mirrors[m];
            if (!ms.Registered || ms.Released || !ms.AccessedPages.Contains(y.Page)) continue;
            told.Add(s.Config.MirrorList[m].Name);
            if (y.Clear) s = SetMirror(s, m, ms with { Accessed = ms.AccessedPages.Remove(y.Page) });
        }
        if (y.Clear && s.Ptes[y.Page] is { } pte) s = s with { Ptes = s.Ptes.SetItem(y.Page, pte with { Young = false }) };
        return new(s, Line("step", op.Actor, y.Clear ? "clear_flush_young" : "test_young", ("page", y.Page), ("young", cpuYoung || told.Count > 0), ("mirrors", told.ToArray())), null);
    }

    /// <summary>lib/test_hmm.c dmirror_migrate_finalize_and_map: under the mirror's lock, the migrated pages' device PTEs
    /// become the device pages (a released mirror stores nothing).</summary>
    private static StepOutcome DeviceMigrateMap(MmState s, CpuOp op, Prim.DeviceMigrateMap dm)
    {
        var ms = s.Mirrors[dm.Mirror];
        var pages = new List<int>();
        if (!ms.Released)
        {
            var pt = ms.Pt;
            foreach (var (p, f, w) in dm.Entries) { pt = pt.SetItem(p, new DevicePte(f, s.Frames[f].Generation, w)); pages.Add(p); }
            s = SetMirror(s, dm.Mirror, ms with { Pt = pt });
        }
        return new(s, Line("step", op.Actor, "device_migrate_map", ("mirror", s.Config.MirrorList[dm.Mirror].Name), ("pages", pages.ToArray())), null);
    }

    /// <summary>lib/test_hmm.c dmirror_devmem_fault_alloc_and_copy: xa_erase of the owner's entry (no lock taken).</summary>
    private static StepOutcome DeviceErase(MmState s, CpuOp op, Prim.DeviceErase de)
    {
        var ms = s.Mirrors[de.Mirror];
        s = SetMirror(s, de.Mirror, ms with { Pt = ms.Pt.Remove(de.Page) });
        return new(s, Line("step", op.Actor, "device_pte_erase", ("mirror", s.Config.MirrorList[de.Mirror].Name), ("page", de.Page)), null);
    }

    /// <summary>dmirror_atomic_map: under the mirror's lock, the page is stored with the ATOMIC tag.</summary>
    private static StepOutcome AtomicMap(MmState s, CpuOp op, Prim.AtomicMap am)
    {
        var ms = s.Mirrors[am.Mirror] with { Op = null };
        s = SetMirror(s, am.Mirror, ms);
        if (s.Ptes[am.Page] is not { } pte || pte.Exclusive != am.Mirror || ms.Released)
            return new(s, Line("step", op.Actor, "device_atomic_map", ("page", am.Page), ("result", "EBUSY")), null);
        var e = new DevicePte(pte.Frame, s.Frames[pte.Frame].Generation, pte.Prot == Prot.ReadWrite, Atomic: true);
        s = SetMirror(s, am.Mirror, ms with { Pt = ms.Pt.SetItem(am.Page, e) });
        return new(s, Line("step", op.Actor, "device_atomic_map", ("page", am.Page), ("frame", pte.Frame)), null);
    }

    private static StepOutcome ZeroRemap(MmState s, CpuOp op, Prim.ZeroRemap zr)
    {
        bool zero = s.Frames[zr.Frame].Content == 0;
        // the steps planned for the page kept (Prim.IfKept) run only if it is kept
        var steps = op.Steps.SelectMany(p => p is Prim.IfKept k && k.Page == zr.Page ? (zero ? Array.Empty<Prim>() : new[] { k.Step }) : new[] { p }).ToList();
        if (!zero)
        {
            // written since the split was planned (a device through its mapping, before its invalidate callback): the page is
            // mapped again, and the put_page planned after it is dropped with the zero-page mapping
            int i = steps.FindIndex(p => p is Prim.FreeFrame f && f.Frame == zr.Frame);
            if (i >= 0) steps.RemoveAt(i);
            // MADV_FREE's walk marks the page it finds mapped again lazyfree and clean (Planner.MarkLazyfree)
            if (zr.Lazyfree) s = s with { Frames = s.Frames.SetItem(zr.Frame, s.Frames[zr.Frame] with { Lazyfree = true, Dirty = false, Clean = true }) };
        }
        op = op with { Steps = ImmutableQueue.CreateRange(steps) };
        s = s with { Op = op };
        return zero ? PteUpdate(s, op, new Prim.PteUpdate(zr.Page, PteOp.MapShared, MmState.ZeroFrame, zr.ZeroProt))
            : PteUpdate(s, op, new Prim.PteUpdate(zr.Page, PteOp.Map, zr.Frame, zr.Prot, UffdWp: zr.UffdWp));
    }

    private static StepOutcome KsmReplace(MmState s, CpuOp op, Prim.KsmReplace kr)
    {
        // replace_page: only if pages_identical() still holds, with both write-protected
        var before = s.Ptes[kr.Page];
        if (before is not { } cur || cur.Frame == kr.KFrame || s.Frames[cur.Frame].Content != s.Frames[kr.KFrame].Content || s.Frames[kr.KFrame].Free)
        {
            // no replacement: the put_page planned after the flush is dropped with it
            var steps = op.Steps.ToList();
            int i = before is { } b ? steps.FindIndex(p => p is Prim.FreeFrame f && f.Frame == b.Frame) : -1;
            if (i >= 0) steps.RemoveAt(i);
            s = s with { Op = op with { Steps = ImmutableQueue.CreateRange(steps) } };
            return new(s, Line("step", op.Actor, "pte_update", ("page", kr.Page), ("old", before), ("new", before), ("result", "not identical")), null);
        }
        // mk_pte(kpage, vma->vm_page_prot) (mm/ksm.c replace_page): read-only in a private VMA, and still
        // inaccessible in a PROT_NONE one (mprotect after the scan picked the page)
        var prot = s.VmaAt(kr.Page) is null or { Prot: Prot.None } ? Prot.None : Prot.Read;
        // the replaced PTE's uffd-wp bit is not carried over (no pte_mkuffd_wp); planted: carried over
        var o = PteUpdate(s, op, new Prim.PteUpdate(kr.Page, PteOp.MapShared, kr.KFrame, prot, UffdWp: s.Config.PlantKsmKeepsUffdWp && cur.UffdWp));
        // the kpage is a KSM page from now on (mm/ksm.c try_to_merge_one_page -> folio_set_stable_node on the kpage)
        var st = o.State with { Ptes = o.State.Ptes.SetItem(kr.Page, o.State.Ptes[kr.Page]!.Value with { Dirty = false }),
            Frames = o.State.Frames.SetItem(kr.KFrame, o.State.Frames[kr.KFrame] with { Ksm = true, Clean = false }) };
        return o with { State = st };
    }

    // ---------------------------------------------------------------- device side

    private static StepOutcome DeviceStep(MmState s, int m)
    {
        var cfg = s.Config.MirrorList[m];
        var ms = s.Mirrors[m];
        var d = ms.Op!;
        string dev = cfg.Name;
        switch (d.Phase)
        {
            case DevicePhase.Access:
            {
                if (ms.Pt.TryGetValue(d.Page, out var e) && (!d.Write || e.Writable))
                {
                    var fr = s.Frames[e.Frame];
                    Violation? v = null;
                    if (fr.Free || fr.Generation != e.Generation)
                        v = new(Rules.NoFreedFrameAccess, $"{dev} {(d.Write ? "wrote" : "read")} page {d.Page} through frame {e.Frame}.{e.Generation}, which is {(fr.Free ? "free" : $"reused (generation {fr.Generation})")}");
                    if (!d.Write)
                    {
                        int value = fr.Content;
                        int? cpu = s.CpuView(d.Page);
                        if (v is null && cpu != value && !Rules.InAllowedWindow(s, m, d.Page) && !(cpu is null && Rules.InOwnMigration(s, m, d.Page, e.Frame)))
                            v = new(Rules.CoherentAccess, $"{dev} read {value} at page {d.Page} (frame {e.Frame}) but a CPU read returns {(cpu?.ToString() ?? "a fault")}");
                        if (v is null && s.Shadow[d.Page] is int want && want != value && !Rules.InAllowedWindow(s, m, d.Page))
                            v = new(Rules.CoherentAccess, $"{dev} read {value} at page {d.Page} (frame {e.Frame}) but the last write to it stored {want}");
                        s = SetMirror(s, m, ms with { Op = null, LastRead = value, Accessed = ms.AccessedPages.Add(d.Page) });
                        return new(s, Line("step", dev, "device_read", ("page", d.Page), ("frame", e.Frame), ("value", value)), v);
                    }
                    // a write through a translation in its allowed stale window may or may not survive: the page's contents become unknown
                    bool window = Rules.InAllowedWindow(s, m, d.Page) && s.Ptes[d.Page]?.Frame != e.Frame;
                    s = s with { Frames = s.Frames.SetItem(e.Frame, fr with { Content = d.Value }), Shadow = s.Shadow.SetItem(d.Page, window ? null : d.Value) };
                    s = SetMirror(s, m, ms with { Op = null, Accessed = ms.AccessedPages.Add(d.Page) });
                    if (v is null && s.CpuView(d.Page) != d.Value && !Rules.InAllowedWindow(s, m, d.Page) && !(s.CpuView(d.Page) is null && Rules.InOwnMigration(s, m, d.Page, e.Frame)))
                        v = new(Rules.CoherentAccess, $"{dev} wrote {d.Value} at page {d.Page} (frame {e.Frame}) but a CPU read returns {(s.CpuView(d.Page)?.ToString() ?? "a fault")}");
                    // soft-dirty tracking starts at clear_refs' TLB flush: a write through a not yet flushed secondary TLB escapes it, as a CPU one would
                    // not for a device-private page: its writes never pass a CPU PTE (linux-7.2 mm/memory.c copy_nonpresent_pte: "We do
                    // not preserve soft-dirty information ... checkpoint/restore does not work when a device driver is involved")
                    if (v is null && !Rules.InAllowedWindow(s, m, d.Page) && s.Ptes[d.Page] is { DevicePrivate: < 0 } cp && cp.Frame == e.Frame && !cp.SoftDirty)
                        v = new(Rules.SoftDirtyComplete, $"{dev} wrote page {d.Page} but its CPU PTE is not soft-dirty ({PteText.Of(cp)}): the write escapes clear_refs tracking");
                    return new(s, Line("step", dev, "device_write", ("page", d.Page), ("frame", e.Frame), ("value", d.Value)), v);
                }
                // dmirror_fault starts with mmget_not_zero (lib/test_hmm.c): no fault once exit_mmap has begun
                if (ms.Released || s.MmUsersZero || !ms.Registered || !cfg.Covers(d.Page))
                {
                    s = SetMirror(s, m, ms with { Op = null, LastError = "EFAULT" });
                    return new(s, Line("step", dev, d.Name, ("page", d.Page), ("result", "EFAULT")), null);
                }
                var next = cfg.Kind == MirrorKind.SecondaryTlb ? DevicePhase.RangeFault : DevicePhase.ReadBegin;
                s = SetMirror(s, m, ms with { Op = d with { Phase = next }, Faults = ms.Faults + 1 });
                return new(s, Line("step", dev, d.Name, ("page", d.Page), ("result", "fault")), null);
            }
            case DevicePhase.ReadBegin:
            {
                long seq = ms.Seq;
                s = SetMirror(s, m, ms with { Op = d with { Phase = DevicePhase.RangeFault, Seq = seq } });
                return new(s, Line("step", dev, "mmu_interval_read_begin", ("seq", seq)), null);
            }
            case DevicePhase.RangeFault:
                return RangeFault(s, m);
            case DevicePhase.Lock:
            {
                var next = cfg.ReadRetryOutsideLock || cfg.SkipReadRetry ? DevicePhase.Install : DevicePhase.ReadRetry;
                s = SetMirror(s, m, ms with { Locked = true, Op = d with { Phase = next } });
                return new(s, Line("step", dev, "device_lock"), null);
            }
            case DevicePhase.ReadRetry:
            {
                bool retry = cfg.Kind == MirrorKind.Mm ? ms.InProgress > 0 || ms.Seq != d.Seq : ms.Seq != d.Seq;
                if (retry)
                {
                    s = SetMirror(s, m, ms with { Locked = false, Op = d with { Phase = DevicePhase.ReadBegin, Attempts = d.Attempts + 1 } });
                    return new(s, Line("step", dev, "mmu_interval_read_retry", ("seq", d.Seq), ("result", "retry")), null);
                }
                var next = cfg.ReadRetryOutsideLock ? DevicePhase.Lock : DevicePhase.Install;
                s = SetMirror(s, m, ms with { Op = d with { Phase = next } });
                return new(s, Line("step", dev, "mmu_interval_read_retry", ("seq", d.Seq), ("result", "ok")), null);
            }
            case DevicePhase.Install:
            {
                var pt = ms.Pt;
                var pages = new List<int>();
                if (!ms.Released)
                    foreach (var (p, e) in d.Snapshot)
                    {
                        pt = pt.SetItem(p, e); pages.Add(p);
                        // KVM marks a page it maps writable dirty (linux-7.2 arch/x86/kvm/mmu/mmu.c kvm_mmu_finish_page_fault ->
                        // kvm_release_faultin_page(.., fault->map_writable) -> kvm_release_page_dirty -> kvm_set_page_dirty): a lazyfree
                        // frame is dirty again, and no frame is known clean (Frame.Clean)
                        if (cfg.Kind == MirrorKind.Mm && e.Writable && s.Frames[e.Frame] is var kf && kf.Generation == e.Generation && (kf.Lazyfree || kf.Clean))
                            s = s with { Frames = s.Frames.SetItem(e.Frame, kf with { Dirty = kf.Dirty || kf.Lazyfree, Clean = false }) };
                    }
                s = SetMirror(s, m, ms with { Pt = pt, Op = d with { Phase = DevicePhase.Unlock } });
                return new(s, Line("step", dev, "device_pte_install", ("pages", pages.ToArray())), null);
            }
            case DevicePhase.Unlock:
                s = SetMirror(s, m, ms with { Locked = false, Op = d with { Phase = DevicePhase.Access } });
                return new(s, Line("step", dev, "device_unlock"), null);
            case DevicePhase.Remove:
                s = SetMirror(s, m, ms with { Registered = false, Op = null, Pt = ImmutableDictionary<int, DevicePte>.Empty });
                return new(s, Line("step", dev, "mmu_interval_notifier_remove"), null);
        }
        throw new InvalidOperationException(d.Phase.ToString());
    }

    /// <summary>A device-private entry of mirror m's device memory that hmm_range_fault hands to m without a fault: the VMA
    /// readable (hmm_vma_walk_test), and writable if a write is asked (hmm_pte_need_fault).</summary>
    private static bool OwnDevicePrivate(MmState s, int m, int p, bool write) =>
        s.Config.MirrorList[m].Kind == MirrorKind.Interval && s.Ptes[p] is { DevicePrivate: var o } dp && o == m
        && s.VmaAt(p) is { Prot: not Prot.None } && (!write || dp.Prot == Prot.ReadWrite);

    /// <summary>hmm_range_fault (for a SecondaryTlb: the hardware walk / ATS page request): walks the CPU
    /// page table over the fault chunk, faulting the target page in through handle_mm_fault if needed.</summary>
    private static StepOutcome RangeFault(MmState s, int m)
    {
        var cfg = s.Config.MirrorList[m];
        var ms = s.Mirrors[m];
        var d = ms.Op!;
        string dev = cfg.Name;
        if (s.Exited || ms.Released)
        {
            s = SetMirror(s, m, ms with { Op = null, LastError = "EFAULT", Locked = false });
            return new(s, Line("step", dev, "hmm_range_fault", ("page", d.Page), ("result", "EFAULT")), null);
        }
        int chunk = Math.Max(1, cfg.FaultChunk);
        int first = d.Page / chunk * chunk;
        int last = Math.Min(first + chunk, s.Config.Pages);
        // HMM_PFN_REQ_FAULT: every page of the chunk is faulted in, the target with the access asked for
        for (int p = first; p < last; p++)
        {
            bool target = p == d.Page;
            bool write = target && d.Write;
            var cur = s.Ptes[p];
            if (cur is { Readable: true } c && (!write || c.Writable)) continue;
            // hmm_vma_handle_pte (linux-7.2 mm/hmm.c): a device-private entry of the range's dev_private_owner (dmirror_fault:
            // dmirror->mdevice) is handed over as is, writable iff the entry is; any other owner's is faulted (migrate_to_ram)
            if (OwnDevicePrivate(s, m, p, write)) continue;
            if (!target && (s.VmaAt(p) is null or { Prot: Prot.None } || !cfg.Covers(p))) continue;
            if (s.Migrating.ContainsKey(p))
            {
                // a migration entry: hmm_range_fault waits on it and returns -EBUSY
                var back = cfg.Kind == MirrorKind.SecondaryTlb ? DevicePhase.RangeFault : DevicePhase.ReadBegin;
                s = SetMirror(s, m, ms with { Op = d with { Phase = back } });
                return new(s, Line("step", dev, "hmm_range_fault", ("page", p), ("result", "EBUSY")), null);
            }
            if (s.Op is not null)
            {
                // another CPU operation is in flight: handle_mm_fault would wait on it; hmm_range_fault returns -EBUSY
                var back = cfg.Kind == MirrorKind.SecondaryTlb ? DevicePhase.RangeFault : DevicePhase.ReadBegin;
                s = SetMirror(s, m, ms with { Op = d with { Phase = back } });
                return new(s, Line("step", dev, "hmm_range_fault", ("page", p), ("result", "EBUSY")), null);
            }
            var planner = new Planner(s);
            string? err;
            try { err = planner.Fault(p, write); }
            catch (ModelException e) { err = e.Message; }
            if (err is not null)
            {
                if (!target) continue;
                s = SetMirror(s, m, ms with { Op = null, LastError = err.StartsWith("SIGSEGV", StringComparison.Ordinal) ? (d.Write && s.VmaAt(d.Page) is { Prot: Prot.Read } ? "EPERM" : "EFAULT") : err });
                return new(s, Line("step", dev, "hmm_range_fault", ("page", d.Page), ("result", s.Mirrors[m].LastError)), null);
            }
            if (planner.Prims.IsEmpty) continue;
            var ns = planner.State with { Op = new CpuOp("handle_mm_fault", dev, MmapLock.Read, planner.Prims, Migration: planner.Migration) };
            return new(ns, Line("step", dev, "hmm_range_fault", ("page", p), ("write", write), ("result", "handle_mm_fault")), null);
        }
        int start = first;
        var snap = ImmutableArray.CreateBuilder<(int, DevicePte)>();
        var pages = new List<int>();
        for (int p = start; p < Math.Min(start + chunk, s.Config.Pages); p++)
        {
            if (OwnDevicePrivate(s, m, p, false) && cfg.Covers(p))
            {
                var dp = s.Ptes[p]!.Value;
                snap.Add((p, new DevicePte(dp.Frame, s.Frames[dp.Frame].Generation, dp.Prot == Prot.ReadWrite)));
                pages.Add(p);
                continue;
            }
            if (s.Ptes[p] is not { Readable: true } pte || !cfg.Covers(p)) continue;
            // hmm_range_fault reports HMM_PFN_WRITE whenever the CPU PTE is writable (dmirror tags it WRITE)
            snap.Add((p, new DevicePte(pte.Frame, s.Frames[pte.Frame].Generation, pte.Writable)));
            pages.Add(p);
        }
        if (cfg.Kind == MirrorKind.SecondaryTlb)
        {
            var pt = ms.Pt;
            foreach (var (p, e) in snap) pt = pt.SetItem(p, e);
            s = SetMirror(s, m, ms with { Pt = pt, Op = d with { Phase = DevicePhase.Access } });
            return new(s, Line("step", dev, "tlb_fill", ("pages", pages.ToArray())), null);
        }
        s = SetMirror(s, m, ms with { Op = d with { Phase = cfg.ReadRetryOutsideLock ? DevicePhase.ReadRetry : DevicePhase.Lock, Snapshot = snap.ToImmutable() } });
        return new(s, Line("step", dev, "hmm_range_fault", ("pages", pages.ToArray()), ("result", "ok")), null);
    }
}
