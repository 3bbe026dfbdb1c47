using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Z3;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec;

public enum RefinementVerdict
{
    /// <summary>every step of the trace is a spec action (or a stutter)</summary>
    Refines,
    /// <summary>a step is not an instance of the spec action it maps to</summary>
    StepRejected,
    /// <summary>the reference itself does not allow a line (the trace is not a reference run)</summary>
    NotAReferenceRun,
    /// <summary>the trace uses something spec/ does not model (see Refinement's summary)</summary>
    NotCovered,
    /// <summary>the trace cannot be read</summary>
    Malformed,
}

/// <summary>The answer of a refinement check: counts, and for a failure the line, the reference step,
/// the spec action it should be and a readable report (pre-state, changes, the violated conjunct).</summary>
public sealed record RefinementResult(RefinementVerdict Verdict, int Line, int Column, string Message, string? Step, string? Action,
    string? Violated, string? Report, int Lines, int SpecSteps, int Stutters, IReadOnlyDictionary<string, int> ActionCounts, double Millis)
{
    public bool Refines => Verdict == RefinementVerdict.Refines;
}

/// <summary>What spec/ does not model, as the caller's table says (conformance/Coverage.cs RefineScope): why a
/// trace's config, or a line with the reference state after it, is outside spec/, or null.</summary>
public sealed record RefinementScope(Func<Ref.MmConfig, string?> Config, Func<Ref.StepOutcome, string?> Step);

/// <summary>
/// The step-level refinement check: every step of a reference trace, abstracted by α, is an instance
/// of the spec's transition relation (spec/Model.cs) or a stutter. For each line the reference takes
/// (reference/Replay.Walk: a complete trace, every step logged, replayed past rule violations), the
/// pair (α(pre), α(post)) is checked against the spec action(s) the step maps to, instantiated with
/// concrete arguments read off the step (page, device, frame, event, range; free Boolean arguments from
/// α(post)): a ground formula (guard ∧ post = α(post), pointwise over a finite instance: the trace's
/// pages, frames and mirrors, and the invalidations live in that step), simplified by Z3 to true or
/// false. A failure names the guard conjunct that is false (spec/Model.cs's formula over its state
/// variables, as in `notifier prove`'s CTIs) or the updated variable whose value differs.
///
/// Mapping (docs/rules.md names; a list is a sequence of spec steps in one reference step):
///   invalidate_range_start[_nonblock] -> invalidate_range_start[_nonblock](i, event, range, new prot),
///       then invalidate(i, d) for each released mirror (it gets no callback: nothing left to tear down);
///   invalidate -> invalidate(i, d) (result ok) or invalidate[-EAGAIN](i, d);
///   pte_update -> pte_update(i, p, ...) inside a started invalidation, pte_update[fill] on an empty PTE,
///       pte_update[upgrade] otherwise (R8); stutter when α sees no change (dirty/young/huge bits);
///   free_frame (freed) -> free_frame(f); invalidate_range_end -> invalidate_range_end(i);
///   release -> release(d) per mirror told; mmu_interval_read_begin, device_lock, mmu_interval_read_retry,
///       device_unlock -> the action of that name (d); hmm_range_fault ok -> hmm_range_fault(d, p) per page
///       of the snapshot; device_pte_install -> device_pte_install(d, p) per page; device_read/device_write
///       through a device PTE -> device_read/device_write(d, p);
///   tlb_flush, copy_page, copy_pte_range, cpu_read, cpu_write, clear_flush_young, test_young,
///       mm_exited, device accesses that fault, calls -> stutter.
/// Three environment steps the spec leaves out are checked here as local actions (not in
/// Model.Actions, so `notifier prove` is unchanged; each preserves the invariant trivially):
///   alloc_page(f) (any step where a free frame leaves the free list: call sites allocate before
///       invalidate_range_start, mm/memory.c wp_page_copy; guard freed(f), update freed(f) := false);
///   vma_update(p, read, write) (mmap/munmap/mremap/mprotect_fixup under mmap_lock for write; guard:
///       no active invalidation; update: the VMA protection of p);
///   hmm_range_fault[error](d) (hmm_range_fault returns -EBUSY, -EFAULT or -EPERM: the driver goes
///       round the hmm.rst loop again or gives up; guard phase(d) = begun, update phase(d) := idle).
/// α: ReferenceCheck.Alpha's abstraction, with history where the spec keeps what the reference
/// forgets: the soft-dirty bit stays after the PTE is cleared, each device's snapshot stays until its
/// next read_begin, `collided` compares the mirror's seq with the one its last read_begin returned (a
/// released mirror counts as collided, and its thread is idle: its later steps are stutters), and
/// invalidations are the trace's own (event, range, callbacks that returned, refused, ended): an
/// ended (or refused, once its operation is over) invalidation is dropped from the abstract state
/// after the step, which no spec guard can tell apart (every guard on an invalidation other than a
/// fresh one needs it active). States are compared up to what spec/ cannot read (Canon).
/// Not covered (answered NotCovered at the first line that needs it): what the caller's RefinementScope says,
/// computed from conformance/Coverage.cs's table (mirror kinds other than interval notifiers, spans, driver bugs,
/// different policies, make_device_exclusive, interval insert/remove, v7's invalidate_page call sites), and a
/// trace without a mirror.
/// </summary>
public static class Refinement
{
    /// <summary>An invalidation of the trace, as the spec sees it.</summary>
    private sealed record AbsInv(string Event, Ref.PageRange Range, bool Nonblock, bool NpRead, bool NpWrite,
        ImmutableHashSet<int> Called, bool Refused = false, bool Ended = false, ImmutableHashSet<int>? FinishDue = null,
        bool VmaSet = true, bool UffdWp = false, bool UffdResolve = false)
    {
        public bool Retired => Ended || Refused;
    }

    /// <summary>What α keeps from the history of the run (ghosts and what the reference forgets).</summary>
    private sealed record History(ImmutableArray<bool> Dirtied, ImmutableArray<bool> SoftDirty,
        ImmutableArray<long> ReadBeginSeq, ImmutableArray<ImmutableDictionary<int, Ref.DevicePte>> Snap, ImmutableArray<ImmutableHashSet<int>> SnapValid,
        bool AccessedFreed, bool Incoherent,
        ImmutableList<AbsInv> Invs, bool ResolveCall = false);

    private sealed class NotCoveredException(string message) : Exception(message);


    /// <summary>One expected spec step: an action (of the model, or local) and its concrete arguments.</summary>
    private sealed record Expected(string Action, Dictionary<string, object> Args);

    /// <summary>Checks a trace file, read by reference/TraceReader (bounded lines, strict UTF-8).</summary>
    public static RefinementResult CheckFile(string path, RefinementScope scope) => Check(Ref.TraceReader.ReadFile(path), scope);

    /// <summary>Checks a complete trace (docs/trace-format.md).</summary>
    public static RefinementResult Check(IEnumerable<string> lines, RefinementScope scope) => Check(Ref.TraceReader.FromLines(lines), scope);

    public static RefinementResult Check(IEnumerable<Ref.TraceRecord> records, RefinementScope scope) => Z3Session.Run(ctx => new StepChecker(ctx, scope, null).Run(records));

    /// <summary>For tests: checks a complete trace with a planted bug, `plant(line, outcome)` replacing the reference's
    /// outcome of a line (its state after the step) before spec/ sees it: a wrong step the reference itself cannot make.</summary>
    public static RefinementResult CheckPlanted(IEnumerable<string> lines, RefinementScope scope, Func<int, Ref.StepOutcome, Ref.StepOutcome> plant) =>
        Z3Session.Run(ctx => new StepChecker(ctx, scope, plant).Run(Ref.TraceReader.FromLines(lines)));

    /// <summary>The trace of a session, as lines (config line first).</summary>
    public static IEnumerable<string> Lines(Ref.Session s) =>
        new[] { Ref.TraceFile.ConfigLine(s.State.Config) }.Concat(s.Trace.Select(t => t.ToJsonLine()));

    /// <summary>Why a config is outside what spec/ models, or null: the scope's table (conformance/Coverage.cs), and
    /// what spec/'s model needs of any trace (a device, a policy spec/ can state), which the table refuses first.</summary>
    private static string? Uncovered(Ref.MmConfig c, RefinementScope scope)
    {
        if (scope.Config(c) is { } why) return why;
        // what the table leaves to spec/ (never reached while it refuses these first: CoverageTests)
        if (c.MirrorList.Length == 0) return "no mirror: spec/ needs at least one device";
        return PolicyOf(c) is null ? $"listener policy {c.MirrorList[0].Listener.Name}: not expressible as spec/ reactions" : null;
    }

    /// <summary>The trace's listener policy as spec/ reactions by event name, or null if not expressible.</summary>
    private static Dictionary<string, ModelReaction>? PolicyOf(Ref.MmConfig c)
    {
        var pol = c.MirrorList[0].Listener;
        var voc = ModelVocabulary.Find(ReferenceCheck.VocabularyName(c.Vocabulary))!;
        var map = new Dictionary<string, ModelReaction>(StringComparer.Ordinal);
        foreach (var e in voc.Events)
        {
            if (!Enum.TryParse<Ref.MmuEvent>(e.Name, out var re)) return null;
            var r = pol.For(re);
            ModelReaction? sr = (r, pol.At) switch
            {
                (Ref.Reaction.Ignore, _) => ModelReaction.Ignore,
                (Ref.Reaction.Unmap, Ref.TeardownAt.Start) => ModelReaction.Unmap,
                (Ref.Reaction.Unmap, Ref.TeardownAt.End) => ModelReaction.UnmapAtEnd,
                (Ref.Reaction.WriteProtect, Ref.TeardownAt.Start) => ModelReaction.WriteProtect,
                (Ref.Reaction.ConsultVma, Ref.TeardownAt.Start) => ModelReaction.ConsultVma,
                // a two-pass listener reacts in its finish pass as a one-pass one does in invalidate (spec/ two_pass)
                (Ref.Reaction.Unmap, Ref.TeardownAt.Finish) => ModelReaction.Unmap,
                (Ref.Reaction.WriteProtect, Ref.TeardownAt.Finish) => ModelReaction.WriteProtect,
                (Ref.Reaction.ConsultVma, Ref.TeardownAt.Finish) => ModelReaction.ConsultVma,
                _ => null,
            };
            if (sr is null) return null;
            map[e.Name] = sr.Value;
        }
        return map;
    }

    private sealed class StepChecker(Context ctx, RefinementScope scope, Func<int, Ref.StepOutcome, Ref.StepOutcome>? plant)
    {
        private readonly Dictionary<int, Model> _models = [];
        private Ref.MmConfig _cfg = null!;
        private ModelVocabulary _voc = null!;
        private Variant _variant = null!;
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        // α of the last post-state: the next step's pre-state when the same invalidations are live
        private (Ref.MmState State, Model Model, IReadOnlyList<AbsInv?> Slots, Dictionary<string, Expr[]> Alpha)? _lastPost;

        private int _specSteps, _stutters;

        private Model ModelFor(int invs)
        {
            invs = Math.Max(1, invs);
            if (!_models.TryGetValue(invs, out var m))
                _models[invs] = m = new Model(ctx, _voc, _variant, bounds: new Bounds(_cfg.Pages, _cfg.Frames, _cfg.MirrorList.Length, invs));
            return m;
        }

        public RefinementResult Run(IEnumerable<Ref.TraceRecord> lines)
        {
            var sw = Stopwatch.StartNew();
            History? h = null;
            RefinementResult? failure = null;
            var replay = Ref.Replay.Walk(lines, (n, pre, o) =>
            {
                if (h is null)
                {
                    _cfg = pre.Config;
                    if (Uncovered(_cfg, scope) is { } why) { failure = Fail(RefinementVerdict.NotCovered, 1, 1, why, null, null, null, null); return false; }
                    _voc = ModelVocabulary.Find(ReferenceCheck.VocabularyName(_cfg.Vocabulary))!;
                    _variant = Variant.Correct(_voc.Name) with { Name = "trace-policy", Description = "the trace's listener policy", Policy = PolicyOf(_cfg) };
                    h = Initial(pre);
                }
                if (scope.Step(o) is { } outside) { failure = Fail(RefinementVerdict.NotCovered, n, 1, outside, o.Line.ToString(), null, null, null); return false; }
                try
                {
                    var (ok, next, fail) = Step(n, h, pre, plant is null ? o : plant(n, o));
                    if (!ok) { failure = fail; return false; }
                    h = next;
                    return true;
                }
                catch (NotCoveredException e)
                {
                    failure = Fail(RefinementVerdict.NotCovered, n, 1, e.Message, o.Line.ToString(), null, null, null);
                    return false;
                }
            });
            sw.Stop();
            if (replay.Verdict == Ref.ReplayVerdict.Malformed)
                return Fail(RefinementVerdict.Malformed, replay.Line, replay.Column, replay.Message, null, null, null, null) with { Millis = sw.Elapsed.TotalMilliseconds };
            if (replay.Verdict == Ref.ReplayVerdict.Rejected)
                return Fail(RefinementVerdict.NotAReferenceRun, replay.Line, replay.Column, replay.Message, null, null, null, null) with { Millis = sw.Elapsed.TotalMilliseconds };
            if (failure is not null) return failure with { Millis = sw.Elapsed.TotalMilliseconds };
            return new(RefinementVerdict.Refines, replay.Lines, 0, "refines", null, null, null, null, replay.Lines, _specSteps, _stutters,
                new Dictionary<string, int>(_counts), sw.Elapsed.TotalMilliseconds);
        }

        private RefinementResult Fail(RefinementVerdict v, int line, int col, string msg, string? step, string? action, string? violated, string? report) =>
            new(v, line, col, msg, step, action, violated, report, line, _specSteps, _stutters, new Dictionary<string, int>(_counts), 0);

        private History Initial(Ref.MmState s)
        {
            int P = _cfg.Pages, D = _cfg.MirrorList.Length;
            return new History([.. new bool[P]], [.. Enumerable.Range(0, P).Select(p => s.Ptes[p]?.SoftDirty ?? false)],
                [.. s.Mirrors.Select(m => m.Seq)],
                [.. Enumerable.Repeat(ImmutableDictionary<int, Ref.DevicePte>.Empty, D)], [.. Enumerable.Repeat(ImmutableHashSet<int>.Empty, D)], false, false, []);
        }

        private int Mirror(string name)
        {
            for (int i = 0; i < _cfg.MirrorList.Length; i++) if (_cfg.MirrorList[i].Name == name) return i;
            throw new NotCoveredException($"no mirror named {name}");
        }

        // ------------------------------------------------------------ history

        /// <summary>The history after the step, before retired invalidations are dropped.</summary>
        private History Advance(History h, Ref.MmState pre, Ref.StepOutcome o)
        {
            var post = o.State;
            var line = o.Line;
            var dirtied = h.Dirtied.ToBuilder();
            var sd = h.SoftDirty.ToBuilder();
            for (int p = 0; p < _cfg.Pages; p++)
                if (post.Ptes[p] is { } pte)
                    sd[p] = pte.SoftDirty;
            if (line.Kind == "step" && line.Op == "pte_update" && line.Get("page") is int cp && pre.Ptes[cp] is { SoftDirty: true } && post.Ptes[cp] is { SoftDirty: false })
                dirtied[cp] = false;
            if (line.Kind == "step" && line.Op == "device_write" && line.Get("frame") is not null && line.Get("page") is int wp) dirtied[wp] = true;
            bool freed = h.AccessedFreed, incoherent = h.Incoherent;
            if (line.Kind == "step" && line.Op is "device_read" or "device_write" && o.Violation is { } v)
            {
                freed |= v.Rule == Rules.NoFreedFrameAccess;
                incoherent |= v.Rule == Rules.CoherentAccess;
            }
            var seqs = h.ReadBeginSeq;
            var snap = h.Snap;
            var valid = h.SnapValid;
            var invs = h.Invs;
            bool resolveCall = line.Kind == "call" ? line.Op == "uffdio_unregister" || line.Op == "uffdio_writeprotect" && line.Get("wp") is false : h.ResolveCall;
            if (line.Kind == "step" && !(Ref.Replay.DeviceSteps.Contains(line.Op) && pre.Mirrors[Mirror(line.Actor)].Released))
            {
                int m = Ref.Replay.DeviceSteps.Contains(line.Op) ? Mirror(line.Actor) : -1;
                switch (line.Op)
                {
                    case "mmu_interval_read_begin":
                        seqs = seqs.SetItem(m, post.Mirrors[m].Op!.Seq);
                        valid = valid.SetItem(m, []);
                        break;
                    case "hmm_range_fault" when (string?)line.Get("result") == "ok":
                        var d = snap[m];
                        foreach (var (p, e) in post.Mirrors[m].Op!.Snapshot) d = d.SetItem(p, e);
                        snap = snap.SetItem(m, d);
                        valid = valid.SetItem(m, valid[m].Union(post.Mirrors[m].Op!.Snapshot.Select(x => x.Page)));
                        break;
                    case "invalidate_range_start" or "invalidate_range_start_nonblock":
                    {
                        var inv = post.Op!.Inv!;
                        string ev = inv.Event.ToString();
                        if (_voc.Events.All(e => e.Name != ev)) throw new NotCoveredException($"event {ev} is not in spec/'s {_voc.Name} vocabulary");
                        bool prot = _voc[ev].Effect == Effect.Protection;
                        var vp = post.VmaAt(inv.Range.Start)?.Prot ?? Ref.Prot.None;
                        var called = Enumerable.Range(0, _cfg.MirrorList.Length).Where(x => !inv.PendingCallbacks.Contains(x)).ToImmutableHashSet();
                        var a = new AbsInv(ev, inv.Range, !inv.Blockable, !prot || vp != Ref.Prot.None, !prot || vp == Ref.Prot.ReadWrite, called);
                        invs = invs.Add(prot && _voc[ev].VmaMayStay ? VmaStays(a, post.Op?.Name, resolveCall, vp) : a);
                        break;
                    }
                    case "invalidate":
                    {
                        if ((string?)line.Get("reaction") == "owner") throw new NotCoveredException("a listener skipping its own event (owner): spec/ has no owner filtering");
                        int k = Current(invs);
                        if (k < 0) break;
                        var a = invs[k];
                        int md = Mirror((string)line.Get("mirror")!);
                        bool queued = ((string?)line.Get("reaction"))?.EndsWith("-at-finish", StringComparison.Ordinal) == true;
                        invs = invs.SetItem(k, (string?)line.Get("result") == "EAGAIN" ? a with { Refused = true }
                            : a with { Called = a.Called.Add(md), FinishDue = queued ? (a.FinishDue ?? []).Add(md) : a.FinishDue });
                        break;
                    }
                    case "invalidate_finish":
                    {
                        int k = Current(invs);
                        if (k < 0) break;
                        invs = invs.SetItem(k, invs[k] with { FinishDue = (invs[k].FinishDue ?? []).Remove(Mirror((string)line.Get("mirror")!)) });
                        break;
                    }
                    case "invalidate_range_end":
                    {
                        int k = Current(invs);
                        if (k >= 0) invs = invs.SetItem(k, invs[k] with { Ended = true });
                        break;
                    }
                }
            }
            return new History(dirtied.MoveToImmutable(), sd.MoveToImmutable(), seqs, snap, valid, freed, incoherent, invs, resolveCall);
        }

        /// <summary>A protection event some sender raises with the VMA unchanged (catalogue vma_may_stay): the senders the
        /// reference runs, by its operation, with the protection their walk gives the PTEs (docs/protection-vma.md; linux-7.2
        /// mm/mprotect.c change_protection): UFFDIO_WRITEPROTECT mode WP write-protects with the uffd-wp bit (uffd_wp_range,
        /// MM_CP_UFFD_WP), mode 0 and UFFDIO_UNREGISTER clear the bits and may make PTEs writable (MM_CP_UFFD_WP_RESOLVE),
        /// NUMA hinting makes them PROT_NONE (change_prot_numa, MM_CP_PROT_NUMA: newprot = PAGE_NONE), PAGEMAP_SCAN
        /// write-protects (do_pagemap_scan, make_uffd_wp_pte; the reference keeps no uffd-wp bit there). mprotect (and
        /// hugetlb_change_protection under it) sets the VMA first: its new protection is the VMA's.</summary>
        private static AbsInv VmaStays(AbsInv a, string? op, bool resolveCall, Ref.Prot vp) => op switch
        {
            "uffdio_writeprotect" or "uffdio_unregister" when resolveCall => a with { VmaSet = false, UffdResolve = true },
            "uffdio_writeprotect" => a with { VmaSet = false, NpWrite = false, UffdWp = true },
            "change_prot_numa" => a with { VmaSet = false, NpRead = false, NpWrite = false },
            "pagemap_scan_wp" => a with { VmaSet = false, NpWrite = false },
            _ => a,
        };

        /// <summary>The invalidation a CPU step acts on: the newest that has not ended.</summary>
        private static int Current(ImmutableList<AbsInv> invs)
        {
            for (int k = invs.Count - 1; k >= 0; k--) if (!invs[k].Ended) return k;
            return -1;
        }

        /// <summary>Drops invalidations no spec guard can see again: ended ones, and refused ones once
        /// the reference's operation is over.</summary>
        private static History Collect(History h, Ref.MmState post) =>
            h with { Invs = h.Invs.RemoveAll(a => a.Ended || a.Refused && post.Op?.Inv is not { Refused: true }) };

        // ------------------------------------------------------------ α

        /// <summary>α as ground values, one array per variable in Model.Tuples order.</summary>
        private Dictionary<string, Expr[]> Alpha(Model m, Ref.MmState s, History h, IReadOnlyList<AbsInv?> slots)
        {
            var frames = m.Elements(m.S.Frame);
            Expr B(bool b) => ctx.MkBool(b);
            foreach (var pte in s.Ptes) if (pte is { Exclusive: >= 0 }) throw new NotCoveredException("a device-exclusive entry: spec/ has none");
            var vmaProt = Enumerable.Range(0, _cfg.Pages).Select(p => s.VmaAt(p)?.Prot ?? Ref.Prot.None).ToArray();
            Ref.DevicePte? Dev(int d, int p) => s.Mirrors[d].Pt.TryGetValue(p, out var e) ? e : null;
            Ref.DevicePte? Snap(int d, int p) => h.SnapValid[d].Contains(p) && h.Snap[d].TryGetValue(p, out var e) ? e : null;
            bool Stale(Ref.DevicePte e) => s.Frames[e.Frame].Free || s.Frames[e.Frame].Generation != e.Generation;
            Expr Phase(int d)
            {
                var ms = s.Mirrors[d];
                // a released mirror is dead to spec/: release(d) was its last step (its thread can only
                // end with -EFAULT and install nothing: lib/test_hmm.c, reference Machine.RangeFault)
                if (ms.Released) return m.PhaseConst("idle");
                if (ms.Op?.Phase == Ref.DevicePhase.Exclusive) throw new NotCoveredException("make_device_exclusive: spec/ has no device-exclusive entries");
                if (ms.Op?.Phase == Ref.DevicePhase.Migrate) throw new NotCoveredException("migrate_to_device: spec/ has no device-private entries");
                return m.PhaseConst(ms.Op?.Phase switch
                {
                    Ref.DevicePhase.RangeFault or Ref.DevicePhase.Lock => "begun",
                    Ref.DevicePhase.ReadRetry => "locked",
                    Ref.DevicePhase.Install or Ref.DevicePhase.Unlock => ms.Locked ? "checked" : "retried",
                    _ => "idle",
                });
            }
            Expr Value(string v, int[] t) => v switch
            {
                "cpu_present" => B(s.Ptes[t[0]] is not null),
                "cpu_read" => B(s.Ptes[t[0]] is { Readable: true }),
                "cpu_write" => B(s.Ptes[t[0]] is { Writable: true }),
                "cpu_frame" => frames[s.Ptes[t[0]]?.Frame ?? 0],
                "soft_dirty" => B(h.SoftDirty[t[0]]),
                "uffd_wp" => B(s.Ptes[t[0]] is { UffdWp: true }),
                "dirtied" => B(h.Dirtied[t[0]]),
                "vma_read" => B(vmaProt[t[0]] != Ref.Prot.None),
                "vma_write" => B(vmaProt[t[0]] == Ref.Prot.ReadWrite),
                "page_pending" => B(false),
                "freed" => B(s.Frames[t[0]].Free),
                "dev_present" => B(s.Mirrors[t[0]].Pt.ContainsKey(t[1])),
                "dev_write" => B(Dev(t[0], t[1]) is { Writable: true }),
                "dev_frame" => frames[Dev(t[0], t[1])?.Frame ?? 0],
                "stale" => B(Dev(t[0], t[1]) is { } e && Stale(e)),
                "snap_valid" => B(h.SnapValid[t[0]].Contains(t[1])),
                "snap_write" => B(Snap(t[0], t[1]) is { Writable: true }),
                "snap_frame" => frames[Snap(t[0], t[1])?.Frame ?? 0],
                "phase" => Phase(t[0]),
                "collided" => B(s.Mirrors[t[0]].Seq != h.ReadBeginSeq[t[0]] || s.Mirrors[t[0]].Released),
                "begun" => B(slots[t[0]] is not null),
                "ended" => B(slots[t[0]] is { Ended: true }),
                "refused" => B(slots[t[0]] is { Refused: true }),
                "nonblock" => B(slots[t[0]] is { Nonblock: true }),
                "event" => m.EventConst(slots[t[0]]?.Event ?? _voc.Events[0].Name),
                "np_read" => B(slots[t[0]]?.NpRead ?? true),
                "np_write" => B(slots[t[0]]?.NpWrite ?? true),
                "cp_uffd_wp" => B(slots[t[0]] is { UffdWp: true }),
                "cp_uffd_resolve" => B(slots[t[0]] is { UffdResolve: true }),
                "in_range" => B(slots[t[0]] is { } a && a.Range.Contains(t[1])),
                "called" => B(slots[t[0]] is { } a2 && a2.Called.Contains(t[1])),
                "two_pass" => B(_cfg.MirrorList[t[0]] is { Kind: Ref.MirrorKind.Interval, Listener.At: Ref.TeardownAt.Finish }),
                "finish_due" => B(slots[t[0]] is { FinishDue: { } due } && due.Contains(t[1])),
                "accessed_freed" => B(h.AccessedFreed),
                "accessed_incoherent" => B(h.Incoherent),
                "uncovered_change" => B(false),
                _ => throw new InvalidOperationException("no abstraction for " + v),
            };
            var result = new Dictionary<string, Expr[]>(StringComparer.Ordinal);
            foreach (var v in m.Vars)
            {
                if (v.Domain.Length == 0) { result[v.Name] = [Value(v.Name, [])]; continue; }
                var sizes = v.Domain.Select(d => m.Elements(d).Length).ToArray();
                int total = sizes.Aggregate(1, (a, b) => a * b);
                var vals = new Expr[total];
                var idx = new int[sizes.Length];
                for (int k = 0; k < total; k++)
                {
                    vals[k] = Value(v.Name, (int[])idx.Clone());
                    for (int j = sizes.Length - 1; j >= 0; j--) { if (++idx[j] < sizes[j]) break; idx[j] = 0; }
                }
                result[v.Name] = vals;
            }
            return result;
        }

        private static int Flat(Model m, VarSpec v, int[] idx)
        {
            int f = 0;
            for (int j = 0; j < idx.Length; j++) f = f * m.Elements(v.Domain[j]).Length + idx[j];
            return f;
        }

        private State Ground(Model m, Dictionary<string, Expr[]> a) =>
            State.FromTerms(ctx, m.Vars, v => m.ConstantTerm(v, t => a[v.Name][Flat(m, v, t)]));

        private readonly Dictionary<(Model, string), HashSet<string>> _reads = [];
        private (Dictionary<string, Expr[]> Alpha, Dictionary<string, Expr> Terms)? _groundCache;

        /// <summary>The state variables an action's guard and updates read (from its symbolic instance).</summary>
        private HashSet<string> Reads(Model m, string action)
        {
            if (_reads.TryGetValue((m, action), out var r)) return r;
            var fresh = State.Fresh(ctx, m.Vars, "");
            var inst = Build(m, fresh, action, "z");
            var names = new HashSet<string>(m.Vars.Select(v => v.Name), StringComparer.Ordinal);
            r = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<uint>();
            void Walk(Expr e)
            {
                if (!seen.Add(e.Id)) return;
                if (e is Lambda l) { Walk(l.Body); return; }
                if (e is Quantifier q) { Walk(q.Body); return; }
                if (e.IsConst && names.Contains(e.FuncDecl.Name.ToString())) r.Add(e.FuncDecl.Name.ToString());
                if (e.IsApp) foreach (var a in e.Args) Walk(a);
            }
            Walk(inst.Guard);
            foreach (var v in m.Vars) if (!ReferenceEquals(inst.Post[v.Name], fresh[v.Name])) Walk(inst.Post[v.Name]);
            _reads[(m, action)] = r;
            return r;
        }

        /// <summary>α as a state for one action: ground terms for the variables it reads, an
        /// unconstrained constant for the others (never read, so never in a simplified value).</summary>
        private State GroundFor(Model m, Dictionary<string, Expr[]> a, string action)
        {
            if (_groundCache is not { } gc || !ReferenceEquals(gc.Alpha, a)) _groundCache = gc = (a, new Dictionary<string, Expr>(StringComparer.Ordinal));
            var reads = Reads(m, action);
            return State.FromTerms(ctx, m.Vars, v =>
            {
                if (!reads.Contains(v.Name)) return v.Domain.Length == 0 ? ctx.MkConst("unread!" + v.Name, v.Range) : ctx.MkConst("unread!" + v.Name, ctx.MkArraySort(v.Domain, v.Range));
                if (!gc.Terms.TryGetValue(v.Name, out var t)) gc.Terms[v.Name] = t = m.ConstantTerm(v, i => a[v.Name][Flat(m, v, i)]);
                return t;
            });
        }

        // ------------------------------------------------------------ the mapping

        private List<Expected> Expect(Ref.MmState pre, Ref.StepOutcome o, History h2, int slotOf, Dictionary<string, Expr[]> aPre, Dictionary<string, Expr[]> aPost, Model m)
        {
            var line = o.Line;
            var post = o.State;
            var list = new List<Expected>();
            // a frame leaving the free list: alloc_page (environment step)
            for (int f = 0; f < _cfg.Frames; f++)
                if (pre.Frames[f].Free && !post.Frames[f].Free) list.Add(new("alloc_page", new() { ["f"] = f }));
            if (line.Kind == "call")
            {
                // what spec/ does not model of a call (device-exclusive entries, interval insert/remove, v7's
                // invalidate_page call sites) is the scope's table (conformance/Coverage.cs), asked for every line
                return list;
            }
            int Dev() => Mirror(line.Actor);
            int inv = slotOf;
            // the steps of a released mirror's thread are stutters (see Alpha)
            if (Ref.Replay.DeviceSteps.Contains(line.Op) && pre.Mirrors[Dev()].Released) return list;
            switch (line.Op)
            {
                case "invalidate_range_start" or "invalidate_range_start_nonblock":
                {
                    var a = h2.Invs[^1];
                    int i = h2.Invs.Count - 1;
                    list.Add(new(line.Op, new() { ["i"] = i, ["event"] = a.Event, ["range"] = a.Range, ["new_read"] = a.NpRead, ["new_write"] = a.NpWrite, ["vma_set"] = a.VmaSet, ["uffd_wp"] = a.UffdWp, ["uffd_resolve"] = a.UffdResolve }));
                    foreach (int d in a.Called.Order()) list.Add(new("invalidate", new() { ["i"] = i, ["d"] = d, ["set_seq"] = true }));
                    break;
                }
                case "invalidate":
                {
                    int d = Mirror((string)line.Get("mirror")!);
                    if ((string?)line.Get("result") == "EAGAIN") list.Add(new("invalidate[-EAGAIN]", new() { ["i"] = inv, ["d"] = d }));
                    else list.Add(new("invalidate", new() { ["i"] = inv, ["d"] = d, ["set_seq"] = Val(aPost, m, "collided", d) }));
                    break;
                }
                case "invalidate_finish":
                    list.Add(new("invalidate_finish", new() { ["i"] = inv, ["d"] = Mirror((string)line.Get("mirror")!) }));
                    break;
                case "pte_update":
                {
                    int p = (int)line.Get("page")!;
                    if (Same(aPre, aPost, m)) break;
                    bool wasPresent = pre.Ptes[p] is not null;
                    var np = Val(aPost, m, "cpu_present", p);
                    var nr = Val(aPost, m, "cpu_read", p);
                    var nw = Val(aPost, m, "cpu_write", p);
                    var nsd = Val(aPost, m, "soft_dirty", p);
                    var nu = Val(aPost, m, "uffd_wp", p);
                    int nf = post.Ptes[p]?.Frame ?? pre.Ptes[p]?.Frame ?? 0;
                    bool upgrade = wasPresent && !NeedsInvalidation(pre, o);
                    if (!wasPresent) list.Add(new("pte_update[fill]", new() { ["p"] = p, ["frame"] = nf, ["read"] = nr, ["write"] = nw, ["soft_dirty"] = nsd, ["uffd_wp"] = nu }));
                    else if (inv >= 0 && !(upgrade && Current(h2.Invs) < 0)) list.Add(new("pte_update", new() { ["i"] = inv, ["p"] = p, ["present"] = np, ["read"] = nr, ["write"] = nw, ["frame"] = nf, ["soft_dirty"] = nsd, ["uffd_wp"] = nu }));
                    else list.Add(new("pte_update[upgrade]", new() { ["p"] = p, ["read"] = nr, ["write"] = nw }));
                    break;
                }
                case "free_frame" when line.Get("freed") is true:
                    list.Add(new("free_frame", new() { ["f"] = (int)line.Get("frame")! }));
                    break;
                case "invalidate_range_end":
                    list.Add(new("invalidate_range_end", new() { ["i"] = inv }));
                    break;
                case "release":
                    foreach (var name in (string[])line.Get("mirrors")!)
                    {
                        int d = Mirror(name);
                        list.Add(new("release", new() { ["d"] = d }));
                        // a fault path in flight can only fail now (hmm_range_fault returns -EFAULT)
                        if (pre.Mirrors[d].Op?.Phase is Ref.DevicePhase.RangeFault or Ref.DevicePhase.Lock) list.Add(new("hmm_range_fault[error]", new() { ["d"] = d }));
                    }
                    break;
                case "vma_update":
                    for (int p = 0; p < _cfg.Pages; p++)
                    {
                        int k = Flat(m, m.Vars.First(v => v.Name == "vma_read"), [p]);
                        if (!aPre["vma_read"][k].Equals(aPost["vma_read"][k]) || !aPre["vma_write"][k].Equals(aPost["vma_write"][k]))
                            list.Add(new("vma_update", new() { ["p"] = p, ["read"] = Val(aPost, m, "vma_read", p), ["write"] = Val(aPost, m, "vma_write", p) }));
                    }
                    break;
                case "mmu_interval_read_begin" or "device_lock" or "mmu_interval_read_retry" or "device_unlock":
                    list.Add(new(line.Op, new() { ["d"] = Dev() }));
                    break;
                case "hmm_range_fault":
                    switch ((string?)line.Get("result"))
                    {
                        case "ok":
                            foreach (int p in (int[])line.Get("pages")!) list.Add(new("hmm_range_fault", new() { ["d"] = Dev(), ["p"] = p }));
                            break;
                        case "handle_mm_fault": break;
                        default: list.Add(new("hmm_range_fault[error]", new() { ["d"] = Dev() })); break;
                    }
                    break;
                case "device_pte_install":
                    foreach (int p in (int[])line.Get("pages")!) list.Add(new("device_pte_install", new() { ["d"] = Dev(), ["p"] = p }));
                    break;
                case "device_read" or "device_write" when line.Get("frame") is not null:
                    list.Add(new(line.Op, new() { ["d"] = Dev(), ["p"] = (int)line.Get("page")! }));
                    break;
                case "invalidate_page" or "tlb_fill" or "device_atomic_map" or "mmu_interval_notifier_remove":
                    throw new NotCoveredException($"step {line.Op}: not in spec/");
            }
            return list;
        }

        private static bool Val(Dictionary<string, Expr[]> a, Model m, string v, params int[] idx) =>
            a[v][Flat(m, m.Vars.First(x => x.Name == v), idx)].IsTrue;

        private static bool Same(Dictionary<string, Expr[]> a, Dictionary<string, Expr[]> b, Model m) =>
            m.Vars.All(v => a[v.Name].SequenceEqual(b[v.Name]));

        // ------------------------------------------------------------ one step

        private (bool Ok, History Next, RefinementResult? Fail) Step(int n, History h, Ref.MmState pre, Ref.StepOutcome o)
        {
            var h2 = Advance(h, pre, o);
            // slots: every invalidation the step can see (live before it, or started by it), and a
            // never-begun one when the step needs an invalidation and none is live (its guard fails)
            var slotsPost = h2.Invs.Select(a => (AbsInv?)a).ToList();
            var slotsPre = slotsPost.Select((a, k) => k < h.Invs.Count ? h.Invs[k] : null).ToList();
            int cur = o.Line.Op == "invalidate_range_end" ? LastEnded(h2.Invs) : Current(h2.Invs);
            if (cur < 0 && NeedsInvalidation(pre, o))
            {
                cur = slotsPost.Count;
                slotsPost.Add(null);
                slotsPre.Add(null);
            }
            var m = ModelFor(slotsPost.Count);
            var preSlots = Pad(slotsPre, m);
            var postSlots = Pad(slotsPost, m);
            // the history α reads (all but the invalidations) is the same in h2 and in Collect(h2)
            var aPre = _lastPost is { } lp && ReferenceEquals(lp.State, pre) && lp.Model == m && lp.Slots.SequenceEqual(preSlots, ReferenceEqualityComparer.Instance)
                ? lp.Alpha : Alpha(m, pre, h, preSlots);
            var aPost = Alpha(m, o.State, h2, postSlots);
            _lastPost = (o.State, m, postSlots, aPost);
            var expected = Expect(pre, o, h2, cur, aPre, aPost, m);
            var next = Collect(h2, o.State);
            var verdict = Evaluate(m, aPre, aPost, expected);
            if (verdict is null) return (true, Count(next, expected), null);
            // pte_update: another form may fit (a failure is reported against the expected one)
            if (o.Line.Op == "pte_update" && expected.Count > 0)
                foreach (var alt in Alternatives(expected[^1], o, cur, aPost, m))
                {
                    var tryList = expected.Take(expected.Count - 1).Append(alt).ToList();
                    if (Evaluate(m, aPre, aPost, tryList) is null) return (true, Count(next, tryList), null);
                }
            var (j, violated) = verdict.Value;
            string action = expected.Count == 0 ? "stutter" : expected[j].Action;
            string step = o.Line.ToString();
            var report = Report(m, aPre, aPost, expected, j, violated);
            return (false, h, Fail(RefinementVerdict.StepRejected, n, 1, $"{step}: not an instance of {action}: {violated}", step, action, violated, report));
        }

        private History Count(History next, List<Expected> done)
        {
            if (done.Count == 0) _stutters++;
            else _specSteps++;
            foreach (var e in done) _counts[e.Action] = _counts.GetValueOrDefault(e.Action) + 1;
            return next;
        }

        /// <summary>Does the step act on an invalidation (so that, with none live, a never-begun one fails its guard)?</summary>
        private static bool NeedsInvalidation(Ref.MmState pre, Ref.StepOutcome o)
        {
            if (o.Line.Kind != "step") return false;
            if (o.Line.Op is "invalidate" or "invalidate_range_end") return true;
            if (o.Line.Op != "pte_update" || o.Line.Get("page") is not int p) return false;
            // a fill or a permission upgrade is not notified (R8); any other change needs a started invalidation
            if (pre.Ptes[p] is not { } a) return false;
            return o.State.Ptes[p] is not { } b || a.Frame != b.Frame || a.Readable && !b.Readable || a.Writable && !b.Writable;
        }

        private static int LastEnded(ImmutableList<AbsInv> invs)
        {
            for (int k = invs.Count - 1; k >= 0; k--) if (invs[k].Ended) return k;
            return -1;
        }

        private static IReadOnlyList<AbsInv?> Pad(List<AbsInv?> slots, Model m)
        {
            int n = m.Elements(m.S.Inv).Length;
            var r = new List<AbsInv?>(slots);
            while (r.Count < n) r.Add(null);
            return r;
        }

        private IEnumerable<Expected> Alternatives(Expected e, Ref.StepOutcome o, int cur, Dictionary<string, Expr[]> aPost, Model m)
        {
            int p = (int)o.Line.Get("page")!;
            var np = Val(aPost, m, "cpu_present", p);
            var nr = Val(aPost, m, "cpu_read", p);
            var nw = Val(aPost, m, "cpu_write", p);
            var nsd = Val(aPost, m, "soft_dirty", p);
            var nu = Val(aPost, m, "uffd_wp", p);
            int nf = o.State.Ptes[p]?.Frame ?? 0;
            if (e.Action != "pte_update" && cur >= 0)
                yield return new("pte_update", new() { ["i"] = cur, ["p"] = p, ["present"] = np, ["read"] = nr, ["write"] = nw, ["frame"] = nf, ["soft_dirty"] = nsd, ["uffd_wp"] = nu });
            if (e.Action != "pte_update[upgrade]") yield return new("pte_update[upgrade]", new() { ["p"] = p, ["read"] = nr, ["write"] = nw });
            if (e.Action != "pte_update[fill]") yield return new("pte_update[fill]", new() { ["p"] = p, ["frame"] = nf, ["read"] = nr, ["write"] = nw, ["soft_dirty"] = nsd, ["uffd_wp"] = nu });
        }

        // ------------------------------------------------------------ the ground query

        private ActionInstance Build(Model m, State s, string action, string k)
        {
            switch (action)
            {
                case "alloc_page":
                {
                    var f = ctx.MkConst($"f#{k}", m.S.Frame);
                    var x = m.Bound(m.S.Frame, "x");
                    var post = s.With("freed", ctx.MkLambda([x], ctx.MkITE(ctx.MkEq(x, f), ctx.MkFalse(), s.At("freed", x))));
                    return new("alloc_page", [("f", f)], s.B("freed", f), post);
                }
                case "vma_update":
                {
                    var p = ctx.MkConst($"p#{k}", m.S.Page);
                    var r = ctx.MkBoolConst($"read#{k}");
                    var w = ctx.MkBoolConst($"write#{k}");
                    var x = m.Bound(m.S.Page, "x");
                    var guard = ctx.MkAnd(m.Elements(m.S.Inv).Select(i => ctx.MkNot(m.Active(s, i))).ToArray());
                    var post = s.With("vma_read", ctx.MkLambda([x], ctx.MkITE(ctx.MkEq(x, p), r, s.At("vma_read", x))))
                        .With("vma_write", ctx.MkLambda([x], ctx.MkITE(ctx.MkEq(x, p), w, s.At("vma_write", x))));
                    return new("vma_update", [("p", p), ("read", r), ("write", w)], guard, post);
                }
                case "hmm_range_fault[error]":
                {
                    var d = ctx.MkConst($"d#{k}", m.S.Dev);
                    var x = m.Bound(m.S.Dev, "x");
                    var post = s.With("phase", ctx.MkLambda([x], ctx.MkITE(ctx.MkEq(x, d), m.PhaseConst("idle"), s.At("phase", x))));
                    return new("hmm_range_fault[error]", [("d", d)], ctx.MkEq(s.At("phase", d), m.PhaseConst("begun")), post);
                }
                default:
                    return m.Actions.First(a => a.Name == action).Build(s, k);
            }
        }

        /// <summary>The argument constants of an instance and the concrete values they take.</summary>
        private (Expr[] From, Expr[] To) Bind(Model m, ActionInstance inst, Expected e, string k)
        {
            var from = new List<Expr>();
            var to = new List<Expr>();
            foreach (var (name, c) in inst.Args)
            {
                var v = e.Args[name];
                if (v is Ref.PageRange r)
                {
                    foreach (var (pe, idx) in m.Elements(m.S.Page).Select((x, j) => (x, j)))
                    {
                        from.Add(ctx.MkBoolConst($"{name}@{k}[{pe}]"));
                        to.Add(ctx.MkBool(r.Contains(idx)));
                    }
                    continue;
                }
                from.Add(c);
                to.Add(v switch
                {
                    bool b => ctx.MkBool(b),
                    string ev => m.EventConst(ev),
                    int j => m.Elements(c.Sort)[j],
                    _ => throw new InvalidOperationException(name),
                });
            }
            return (from.ToArray(), to.ToArray());
        }

        /// <summary>Null when the chain of expected actions takes α(pre) to α(post); else the index
        /// of the failing action and the violated guard conjunct or update.</summary>
        private (int, string)? Evaluate(Model m, Dictionary<string, Expr[]> aPre, Dictionary<string, Expr[]> aPost, List<Expected> chain)
        {
            // each action runs on a ground state; its post-state is read back pointwise into values
            // (args substituted after the select: a substituted lambda is no longer an array term)
            var cur = aPre;
            var touched = new HashSet<string>(StringComparer.Ordinal);
            for (int j = 0; j < chain.Count; j++)
            {
                string k = "r" + j.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var s = GroundFor(m, cur, chain[j].Action);
                var inst = Build(m, s, chain[j].Action, k);
                var (from, to) = Bind(m, inst, chain[j], k);
                var guard = inst.Guard.Substitute(from, to).Simplify();
                if (!guard.IsTrue && !guard.IsFalse) throw new InvalidOperationException($"{chain[j].Action}: the ground guard did not simplify to a value: {guard}");
                if (!guard.IsTrue)
                {
                    var sym = Build(m, State.Fresh(ctx, m.Vars, ""), chain[j].Action, k);
                    // the printed conjunct names elements (p3, d0, i0) but keeps Boolean arguments by name
                    var el = Enumerable.Range(0, from.Length).Where(x => !to[x].IsBool).ToArray();
                    string conj = FalseConjunct(inst.Guard.Substitute(from, to), sym.Guard.Substitute(el.Select(x => from[x]).ToArray(), el.Select(x => to[x]).ToArray()));
                    return (j, $"guard conjunct {conj} is false");
                }
                var next = new Dictionary<string, Expr[]>(cur, StringComparer.Ordinal);
                foreach (var v in m.Vars)
                {
                    var t = inst.Post[v.Name];
                    if (ReferenceEquals(t, s[v.Name])) continue;
                    touched.Add(v.Name);
                    next[v.Name] = v.Domain.Length == 0
                        ? [t.Substitute(from, to).Simplify()]
                        : m.Tuples(v.Domain).Select(tp => ctx.MkSelect((ArrayExpr)t, tp).Substitute(from, to).Simplify()).ToArray();
                }
                cur = next;
            }
            int last = Math.Max(0, chain.Count - 1);
            cur = Canon(m, cur);
            // the final state against α(post), pointwise
            foreach (var v in m.Vars)
            {
                if (cur[v.Name].SequenceEqual(aPost[v.Name])) continue;
                var tuples = v.Domain.Length == 0 ? [[]] : m.Tuples(v.Domain);
                int q = Enumerable.Range(0, tuples.Count).First(q => !cur[v.Name][q].Equals(aPost[v.Name][q]));
                string at = v.Domain.Length == 0 ? v.Name : $"{v.Name}[{string.Join(",", tuples[q].Select(x => x.ToString()))}]";
                if (!touched.Contains(v.Name))
                {
                    string why = chain.Count == 0 ? "the step is a stutter for spec/ (no action)" : "no action of the step changes it";
                    return (last, $"update {at}: {why}, but the reference changed it from {Show(aPre[v.Name][q])} to {Show(aPost[v.Name][q])}");
                }
                return (last, $"update {at}: spec/ gives {Show(cur[v.Name][q])}, the reference reached {Show(aPost[v.Name][q])}");
            }
            return null;
        }

        /// <summary>
        /// The canonical representative of a state up to what no guard, update or conjunct of spec/
        /// can read: the frame, write bit and stale ghost of an absent device PTE, the write bit and
        /// frame of a snapshot that is not valid, the frame of an absent CPU PTE (spec/Model.cs reads
        /// each only under dev_present, snap_valid or cpu_present) take a fixed value (false, f0).
        /// α produces canonical states; the spec's post-state is canonicalized before the comparison.
        /// </summary>
        private Dictionary<string, Expr[]> Canon(Model m, Dictionary<string, Expr[]> a)
        {
            var r = new Dictionary<string, Expr[]>(a, StringComparer.Ordinal);
            var f0 = m.Elements(m.S.Frame)[0];
            void Mask(string presence, string v, Expr dflt)
            {
                var pres = a[presence];
                var vals = (Expr[])a[v].Clone();
                for (int q = 0; q < vals.Length; q++) if (!pres[q].IsTrue) vals[q] = dflt;
                r[v] = vals;
            }
            Mask("dev_present", "dev_write", ctx.MkFalse());
            Mask("dev_present", "dev_frame", f0);
            Mask("dev_present", "stale", ctx.MkFalse());
            Mask("snap_valid", "snap_write", ctx.MkFalse());
            Mask("snap_valid", "snap_frame", f0);
            Mask("cpu_present", "cpu_frame", f0);
            return r;
        }

        private static string Show(Expr e) => e.IsTrue ? "true" : e.IsFalse ? "false" : e.ToString();

        /// <summary>Walks the ground and the symbolic guard in lockstep (same builder, same shape) down
        /// through conjunctions to the first false conjunct; prints the symbolic one.</summary>
        private static string FalseConjunct(Expr ground, Expr sym)
        {
            while (ground.NumArgs == sym.NumArgs && ground.NumArgs > 0)
            {
                int k;
                if (ground.IsAnd && sym.IsAnd) k = Array.FindIndex(ground.Args, a => !a.Simplify().IsTrue);
                else if (ground.IsOr && sym.IsOr)
                {
                    // a dispatch (event = E ∧ what E allows) ∨ ...: follow the disjunct whose case holds
                    var cases = Enumerable.Range(0, (int)ground.NumArgs).Where(x => ground.Args[x].IsAnd && ground.Args[x].Args[0].Simplify().IsTrue).ToList();
                    k = cases.Count == 1 ? cases[0] : -1;
                }
                else break;
                if (k < 0) break;
                (ground, sym) = (ground.Args[k], sym.Args[k]);
            }
            return Pretty(sym.ToString());
        }

        /// <summary>(select v a b) -> v[a,b]; one line.</summary>
        public static string Pretty(string z3)
        {
            var s = Regex.Replace(Regex.Replace(z3, @"\s+", " "), @"\|?([a-z_]+)#r\d+\|?", "$1");
            string prev;
            do
            {
                prev = s;
                s = Regex.Replace(s, @"\(select (\S+) ([^()]+?)\)", m => $"{m.Groups[1].Value}[{m.Groups[2].Value.Replace(' ', ',')}]");
            } while (s != prev);
            return s;
        }

        private string Report(Model m, Dictionary<string, Expr[]> aPre, Dictionary<string, Expr[]> aPost, List<Expected> chain, int j, string violated)
        {
            var solver = ctx.MkSolver();
            solver.Check();
            var render = new Render(m, solver.Model);
            var pre = Ground(m, aPre);
            var post = Ground(m, aPost);
            string Args(Expected e) => $"{e.Action}({string.Join(", ", e.Args.Select(a => $"{a.Key}={ShowArg(m, a.Key, a.Value)}"))})";
            var sb = new StringBuilder();
            sb.AppendLine($"  expected spec step{(chain.Count > 1 ? "s" : "")}: {(chain.Count == 0 ? "stutter (no spec action: the abstraction must not change)" : string.Join("; ", chain.Select(Args)))}");
            if (chain.Count > 1) sb.AppendLine($"  failing: step {j + 1} of {chain.Count}, {Args(chain[j])}");
            sb.AppendLine($"  violated: {violated}");
            sb.AppendLine("  pre-state (α of the reference state before the step):");
            var before = render.Lines(pre);
            foreach (var l in before) sb.Append("    ").AppendLine(l);
            sb.AppendLine("  changes the reference made (α):");
            var after = render.Lines(post);
            var b = new HashSet<string>(before);
            var a = new HashSet<string>(after);
            foreach (var l in before.Where(l => !a.Contains(l))) sb.Append("    - ").AppendLine(l);
            foreach (var l in after.Where(l => !b.Contains(l))) sb.Append("    + ").AppendLine(l);
            return sb.ToString();
        }

        private static string ShowArg(Model m, string name, object v) => v switch
        {
            bool b => b ? "true" : "false",
            int j when name is "f" or "frame" => $"f{j}",
            int j when name is "d" => $"d{j}",
            int j when name is "i" => $"i{j}",
            int j => $"p{j}",
            Ref.PageRange r => "{" + string.Join(",", Enumerable.Range(r.Start, r.Length).Select(p => $"p{p}")) + "}",
            _ => v.ToString() ?? "",
        };
    }
}
