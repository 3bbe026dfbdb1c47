using System.Collections.Immutable;
using Microsoft.Z3;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec;

/// <summary>A reference state on which a conjunct of the invariant is false.</summary>
public sealed record ReferenceMismatch(int Seed, long Step, string Conjunct, string LastLine);

/// <summary>
/// Cross-check with reference/: runs the reference MMU (seeded random workloads, interval mirrors)
/// and evaluates every conjunct of the Z3 invariant on the abstraction of every state it reaches
/// (a ground formula over a finite instance the size of the reference's config, simplified to
/// true or false). The abstraction α maps: CPU PTE -> present/readable/writable (the hardware
/// write bit: clear_refs write-protects)/frame/soft-dirty; VMA protection; free frames; each
/// mirror's XArray entry (stale when the frame's generation moved on); the fault path's phase
/// (hmm.rst loop: before read_begin = idle; after it = begun; lock held before read_retry =
/// locked; after a successful read_retry = checked), "collided" = the subscription's seq differs
/// from read_begin's, the snapshot once hmm_range_fault returned it; the CPU operation's
/// invalidation (event, range, callbacks returned, nonblock, refused, an mprotect's new
/// protection = the VMA's); ghosts from the run (device writes since clear_refs, the reference's
/// own violations). The invariant is inductive for the spec; a reachable reference state where it
/// is false is a mismatch between the two models, or a reference bug.
/// </summary>
public static class ReferenceCheck
{
    public static Ref.MmConfig Config(Ref.Vocabulary vocabulary, int mirrors, Ref.Mutant mutants = Ref.Mutant.None) =>
        new(Pages: 6, HugePageSize: 2, Frames: 20, Vocabulary: vocabulary,
            Mirrors: Enumerable.Range(0, mirrors).Select(k => new Ref.MirrorConfig($"dev{k}", Ref.MirrorKind.Interval, Ref.Policy.Hmm)).ToImmutableArray(),
            Mutants: mutants);

    public static string VocabularyName(Ref.Vocabulary v) => Ref.EventTables.Name(v);

    /// <summary>Runs `steps` reference steps from `seed` and returns the first mismatches (at most `max`).</summary>
    public static List<ReferenceMismatch> Run(Ref.MmConfig config, int seed, int steps, int max = 5, bool excludeV7PageSites = true)
    {
        var voc = ModelVocabulary.Find(VocabularyName(config.Vocabulary))!;
        return Z3Session.Run(ctx =>
        {
            var model = new Model(ctx, voc, Variant.Correct(voc.Name),
                bounds: new Bounds(config.Pages, config.Frames, config.MirrorList.Length, 1));
            var found = new List<ReferenceMismatch>();
            var dirtied = new bool[config.Pages];
            // the spec keeps a page's soft-dirty bit while it has no PTE; the reference drops the PTE
            var softDirty = new bool[config.Pages];
            void Shadow(Ref.MmState st)
            {
                for (int p = 0; p < config.Pages; p++) if (st.Ptes[p] is { } pte) softDirty[p] = pte.SoftDirty;
            }
            bool accessedFreed = false, incoherent = false;
            var rng = new Random(seed);
            var session = new Ref.Session(config) { Record = true };
            session.Call(new Ref.Call.Mmap(0, config.Pages, Ref.Prot.ReadWrite, Thp: true, Mergeable: true));
            Shadow(session.State);
            Check(model, session.State, dirtied, softDirty, accessedFreed, incoherent, seed, found, session);
            int refused = 0;
            while (session.Lines < steps && found.Count < max && refused < 200)
            {
                var st = session.State;
                if (st.Exited && Ref.Machine.Idle(st)) break;
                var enabled = Ref.Machine.Enabled(st).ToList();
                int choices = enabled.Count + (st.Op is null && !st.Exited ? 1 : 0) + st.Mirrors.Count(m => m.Op is null);
                if (choices == 0) break;
                int pick = rng.Next(choices);
                Ref.StepOutcome o;
                try
                {
                    if (pick < enabled.Count) o = session.Step(enabled[pick]);
                    else
                    {
                        pick -= enabled.Count;
                        if (st.Op is null && !st.Exited && pick-- == 0)
                        {
                            var call = Ref.RandomRun.RandomCpuCall(rng, st);
                            // v7's rmap call sites (try_to_unmap_one, page_mkclean_one) notify with
                            // invalidate_page after the PTL is dropped (B1): spec/ expresses that only
                            // as the failing variants invalidate-page-*, so they are left out here
                            if (excludeV7PageSites && !Ref.EventTables.IsKernel(config.Vocabulary) && call is Ref.Call.Migrate or Ref.Call.Writeback) call = new Ref.Call.CpuRead(0);
                            o = session.Call(call);
                        }
                        else
                        {
                            int m = Enumerable.Range(0, st.Mirrors.Length).Where(i => st.Mirrors[i].Op is null).ElementAt(pick);
                            int page = rng.Next(config.Pages);
                            o = session.Call(rng.Next(2) == 0 ? new Ref.Call.DeviceRead(m, page) : new Ref.Call.DeviceWrite(m, page, rng.Next(1, 100)));
                        }
                    }
                }
                catch (Ref.ModelException)
                {
                    refused++;
                    continue;
                }
                // ghosts: device writes since clear_refs (SoftDirtyComplete), the reference's own findings
                var line = o.Line;
                if (line.Kind == "step" && line.Op == "device_write" && line.Get("frame") is not null && line.Get("page") is int wp) dirtied[wp] = true;
                if (line.Op == "pte_update" && line.Get("page") is int cp && st.Ptes[cp] is { SoftDirty: true } && session.State.Ptes[cp] is { SoftDirty: false }) dirtied[cp] = false;
                if (o.Violation is { } v)
                {
                    if (v.Rule == Rules.NoFreedFrameAccess) accessedFreed = true;
                    if (v.Rule == Rules.CoherentAccess) incoherent = true;
                }
                Shadow(session.State);
                Check(model, session.State, dirtied, softDirty, accessedFreed, incoherent, seed, found, session);
            }
            return found;
        });
    }

    private static void Check(Model m, Ref.MmState s, bool[] dirtied, bool[] softDirty, bool accessedFreed, bool incoherent, int seed,
        List<ReferenceMismatch> found, Ref.Session session)
    {
        var st = Alpha(m, s, dirtied, softDirty, accessedFreed, incoherent);
        foreach (var c in m.Conjuncts)
        {
            var value = m.Closed(c, st).Simplify();
            if (!value.IsTrue)
            {
                var last = string.Join("\n", session.Trace.Skip(Math.Max(0, session.Trace.Count - 14)).Select(t => t.ToJsonLine()));
                found.Add(new ReferenceMismatch(seed, session.Lines, c.Name, last));
            }
        }
    }

    /// <summary>α: the reference state as a ground state of the finite model.</summary>
    public static State Alpha(Model m, Ref.MmState s, bool[] dirtied, bool[] softDirty, bool accessedFreed, bool incoherent)
    {
        var ctx = m.Ctx;
        var pages = m.Elements(m.S.Page);
        var frames = m.Elements(m.S.Frame);
        var inv = s.Op?.Inv;
        Expr B(bool b) => ctx.MkBool(b);
        Expr Phase(int d)
        {
            var ms = s.Mirrors[d];
            string ph = ms.Op?.Phase switch
            {
                Ref.DevicePhase.RangeFault or Ref.DevicePhase.Lock => "begun",
                Ref.DevicePhase.ReadRetry => "locked",
                Ref.DevicePhase.Install or Ref.DevicePhase.Unlock => ms.Locked ? "checked" : "retried",
                _ => "idle",
            };
            return m.PhaseConst(ph);
        }
        bool SnapValid(int d) => s.Mirrors[d].Op is { Phase: Ref.DevicePhase.Lock or Ref.DevicePhase.ReadRetry or Ref.DevicePhase.Install or Ref.DevicePhase.Unlock };
        Ref.DevicePte? Snap(int d, int p) =>
            SnapValid(d) && !s.Mirrors[d].Op!.Snapshot.IsDefault && s.Mirrors[d].Op!.Snapshot.Any(x => x.Page == p) ? s.Mirrors[d].Op!.Snapshot.First(x => x.Page == p).Entry : null;
        Ref.DevicePte? Dev(int d, int p) => s.Mirrors[d].Pt.TryGetValue(p, out var e) ? e : null;
        var vmaProt = Enumerable.Range(0, s.Config.Pages).Select(p => s.VmaAt(p)?.Prot ?? Ref.Prot.None).ToArray();
        string? ev = inv?.Event.ToString();
        bool isProt = ev is not null && m.Vocabulary.Events.Any(e => e.Name == ev && e.Effect == Effect.Protection);
        var npProt = isProt ? vmaProt[inv!.Range.Start] : Ref.Prot.ReadWrite;

        Expr Value(VarSpec v, int[] t) => v.Name switch
        {
            "cpu_present" => B(s.Ptes[t[0]] is not null),
            "cpu_read" => B(s.Ptes[t[0]] is { Readable: true }),
            "cpu_write" => B(s.Ptes[t[0]] is { Writable: true }),
            "cpu_frame" => frames[s.Ptes[t[0]]?.Frame ?? 0],
            "soft_dirty" => B(softDirty[t[0]]),
            "uffd_wp" => B(s.Ptes[t[0]] is { UffdWp: true }),
            "dirtied" => B(dirtied[t[0]]),
            "vma_read" => B(vmaProt[t[0]] != Ref.Prot.None),
            "vma_write" => B(vmaProt[t[0]] == Ref.Prot.ReadWrite),
            "page_pending" => B(false),
            "freed" => B(s.Frames[t[0]].Free),
            "dev_present" => B(Dev(t[0], t[1]) is not null),
            "dev_write" => B(Dev(t[0], t[1]) is { Writable: true }),
            "dev_frame" => frames[Dev(t[0], t[1])?.Frame ?? 0],
            "stale" => B(Dev(t[0], t[1]) is { } e && (s.Frames[e.Frame].Generation != e.Generation)),
            "snap_valid" => B(Snap(t[0], t[1]) is not null),
            "snap_write" => B(Snap(t[0], t[1]) is { Writable: true }),
            "snap_frame" => frames[Snap(t[0], t[1])?.Frame ?? 0],
            "phase" => Phase(t[0]),
            "collided" => B(s.Mirrors[t[0]].Op is { } op && s.Mirrors[t[0]].Seq != op.Seq),
            "begun" => B(inv is not null),
            "ended" => B(false),
            "refused" => B(inv is { Refused: true }),
            "nonblock" => B(inv is { Blockable: false }),
            "event" => ev is not null && m.Vocabulary.Events.Any(e => e.Name == ev) ? m.EventConst(ev) : m.EventConst(m.Vocabulary.Events[0].Name),
            "np_read" => B(npProt != Ref.Prot.None),
            "np_write" => B(npProt == Ref.Prot.ReadWrite),
            "cp_uffd_wp" => B(false),
            "cp_uffd_resolve" => B(false),
            "in_range" => B(inv is not null && inv.Range.Contains(t[1])),
            "called" => B(inv is not null && !inv.PendingCallbacks.Contains(t[1])),
            "two_pass" => B(s.Config.MirrorList[t[0]] is { Kind: Ref.MirrorKind.Interval, Listener.At: Ref.TeardownAt.Finish }),
            "finish_due" => B(inv is not null && inv.FinishList.Contains(t[1])),
            "accessed_freed" => B(accessedFreed),
            "accessed_incoherent" => B(incoherent),
            "uncovered_change" => B(false),
            _ => throw new InvalidOperationException("no abstraction for " + v.Name),
        };
        return State.FromTerms(ctx, m.Vars, v => m.ConstantTerm(v, t => Value(v, t)));
    }
}
