using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>The outcome of a campaign: the counts, and the first mismatch shrunk to a shortest sequence with the
/// reference's step trace of that sequence; Vacuous when the vCPU statistics show the guest was emulated.</summary>
/// Reference: the reference session of the shrunk failing sequence, else (with keepTrace) of the last sequence run.
public sealed record CampaignResult(RunStats Stats, int Runs, TimeSpan Elapsed, KOp[]? Failing, Mismatch? Mismatch,
    IReadOnlyList<TraceLine> ReferenceTrace, int Shrinks, string? Vacuous, Session? Reference = null);

/// <summary>Generated sequences (FsCheck, seeded) run one after another against the live kernel until the operation
/// count (exactly: the last sequence is cut short) or the time is reached or a mismatch shows; a mismatch is shrunk by deletion to a sequence from which no
/// block of operations can be removed without losing it.</summary>
public static class Campaign
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    public const int MaxOps = 40;

    /// <summary>Sequence k of a campaign with this seed (the same whatever ran before).</summary>
    /// Without unseen (Conformance.Unseen) a generated mremap_dontunmap is the plain mremap it replaced: session 11's sequences.
    /// hostOnly (no VM: LiveMm.HostOnly): a generated guest_read / guest_write is the host_read / host_write of the same page and
    /// value (no extra draw: the sequence is otherwise the one a run with KVM makes of this seed).
    public static KOp[] Sequence(int pages, ulong seed, int k, bool uffd = false, bool unseen = false, bool hostOnly = false) =>
        [.. Gen.Sample(KGen.Sequence(pages, MaxOps, uffd), 30, new Rnd(seed + (ulong)k * Gamma, Gamma), 1)[0]
            .Select(o => o is KOp.MremapDontunmap d && !unseen ? new KOp.Mremap(d.Start, d.End, d.NewStart) : o)
            .Select(o => !hostOnly ? o : o switch { KOp.GuestRead g => new KOp.HostRead(g.Page), KOp.GuestWrite g => new KOp.HostWrite(g.Page, g.Value), _ => o })];

    /// <param name="uffd">generate userfaultfd operations (uffd_register, uffd_wp, uffd_unregister) where the kernel has
    /// userfaultfd write-protect (LiveMm.UffdWhy null).</param>
    public static CampaignResult Run(LiveMm live, MmConfig config, long count, TimeSpan? time, ulong seed,
        IReadOnlyList<KOp>? ops = null, Action<RunStats, TimeSpan>? progress = null, bool keepTrace = false, bool uffd = true, bool unseen = false)
    {
        uffd &= live.UffdWhy is null;
        Session? last = null;
        var conf = new Conformance(live, config) { Unseen = unseen };
        var total = RunStats.Zero;
        var sw = Stopwatch.StartNew();
        int runs = 0;
        for (int k = 0; ops is not null ? k < 1 : time is { } t ? sw.Elapsed < t : total.Ops < count; k++)
        {
            var seq = ops?.ToArray() ?? Sequence(config.Pages, seed, k, uffd, unseen, live.HostOnly);
            // --count N is exact: the last sequence is cut to the operations left (with --time whole sequences run)
            if (ops is null && time is null && seq.Length > count - total.Ops) seq = seq[..(int)(count - total.Ops)];
            var r = conf.Run(seq, record: keepTrace);
            last = r.Reference;
            runs++;
            total = total.Add(r.Stats);
            progress?.Invoke(total, sw.Elapsed);
            if (r.Stats.InsnEmulation != r.Stats.Mmio)
                return new(total, runs, sw.Elapsed, seq, null, [], 0,
                    $"the vCPU emulated {r.Stats.InsnEmulation} instructions for {r.Stats.Mmio} MMIO exits: guest data accesses were emulated, not run through the shadow MMU");
            if (r.Mismatch is null) continue;
            var (shrunk, mm, shrinks) = Shrink(conf, seq, r.Mismatch);
            var traced = conf.Run(shrunk, record: true);
            return new(total, runs, sw.Elapsed, shrunk, traced.Mismatch ?? mm, traced.Reference.Trace, shrinks, null, traced.Reference);
        }
        return new(total, runs, sw.Elapsed, null, null, [], 0, null, keepTrace ? last : null);
    }

    /// <summary>Deletes blocks of operations while some mismatch remains (1-minimal for single deletions).</summary>
    public static (KOp[] Ops, Mismatch Mismatch, int Shrinks) Shrink(Conformance conf, KOp[] ops, Mismatch mismatch)
    {
        int shrinks = 0;
        for (bool progress = true; progress;)
        {
            progress = false;
            foreach (var cand in KGen.Shrink(ops))
            {
                if (conf.Run(cand).Mismatch is { } m) { ops = cand; mismatch = m; shrinks++; progress = true; break; }
            }
        }
        return (ops, mismatch, shrinks);
    }
}
