using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>One exact expectation of a scenario.</summary>
public sealed record Check(string What, string Expected, string Actual)
{
    public bool Ok => Expected == Actual;
}

/// <summary>The outcome of a scenario: its session (state + trace), the rule it broke, and its checks.</summary>
public sealed record ScenarioResult(string Name, Session Session, string? ExpectedRule, ImmutableArray<Check> Checks)
{
    public string? ActualRule => Session.FirstViolation?.Rule;
    public bool Passed => ExpectedRule == ActualRule && Checks.All(c => c.Ok);
}

/// <summary>A named scenario: the intent of a tools/testing/selftests/mm/hmm-tests.c case or of the seed's debate.
/// Vocabulary: the one its set-up runs in; RunIn(v) runs it in vocabulary v instead (`notifier scenario --vocabulary`),
/// its checks and expected rule unchanged, so a check that holds only in its own vocabulary shows what differs.</summary>
public sealed record Scenario(string Name, string Origin, string Summary, string? ExpectedRule, Vocabulary Vocabulary, Func<Vocabulary?, ScenarioResult> RunIn)
{
    /// <summary>The scenario in its own vocabulary.</summary>
    public ScenarioResult Run() => RunIn(null);
}

/// <summary>
/// The scenario suite. Each scenario drives the reference through a fixed interleaving and records
/// exact CPU and device outcomes. Scenarios expected to break a rule are findings or planted bugs.
/// </summary>
public static class Scenarios
{
    private const int Pages = 16;

    private static MirrorConfig Dev(string name = "dev0", Policy? policy = null, MirrorKind kind = MirrorKind.Interval) => new(name, kind, policy ?? Policy.Hmm);

    /// <summary>The set-up of a scenario: its config (vocabulary, listeners, planted bugs) and the calls that bring the mm to
    /// where the scenario starts (mappings, CPU writes, device accesses), run in this order on a new session; e.g.
    /// <c>Setup.Anon(4).Mirror().Written(0, 1).DeviceRead(0, 0)</c>.</summary>
    private sealed record Setup(Vocabulary Vocab, ImmutableArray<MirrorConfig> Mirrors, Mutant Mutants, ImmutableArray<Action<Session>> Calls)
    {
        /// <summary>An mm with nothing mapped.</summary>
        public static Setup Mm(Vocabulary vocab = Vocabulary.Upstream) => new(vocab, [], Mutant.None, []);

        /// <summary>An mm with [0, pages) mapped private anonymous read-write.</summary>
        public static Setup Anon(int pages, Vocabulary vocab = Vocabulary.Upstream) => Mm(vocab).Mmap(new(0, pages, Prot.ReadWrite));

        public Setup Mmap(Call.Mmap mmap) => Then(s => s.Cpu(mmap));

        /// <summary>A listener, after those already added (the first is mirror 0).</summary>
        public Setup Mirror(string name = "dev0", Policy? policy = null, MirrorKind kind = MirrorKind.Interval) => Mirror(Dev(name, policy, kind));

        public Setup Mirror(MirrorConfig mirror) => this with { Mirrors = Mirrors.Add(mirror) };

        public Setup Planted(Mutant mutants) => this with { Mutants = mutants };

        /// <summary>A CPU write of value to page (faulting it in).</summary>
        public Setup Written(int page, int value) => Then(s => s.Cpu(new Call.CpuWrite(page, value)));

        /// <summary>A device read of page by mirror, run to its end.</summary>
        public Setup DeviceRead(int mirror, int page) => Then(s => s.DeviceRead(mirror, page));

        /// <summary>A device write of value to page by mirror, run to its end.</summary>
        public Setup DeviceWrite(int mirror, int page, int value) => Then(s => s.DeviceWrite(mirror, page, value));

        private Setup Then(Action<Session> call) => this with { Calls = Calls.Add(call) };

        public MmConfig Config => new(Pages, 4, 48, Vocab, Mirrors, Mutants);

        /// <summary>A new session on the config, the set-up calls run.</summary>
        public Session Start()
        {
            var s = new Session(Config);
            foreach (var call in Calls) call(s);
            return s;
        }
    }

    private sealed class Expect
    {
        public readonly List<Check> Checks = [];
        public void Eq<T>(string what, T expected, T actual) => Checks.Add(new(what, Show(expected), Show(actual)));
        private static string Show<T>(T v) => v switch { null => "null", bool b => b ? "true" : "false", _ => v.ToString()! };
    }

    /// <summary>The one frame of every scenario: the set-up's session, the body driving it and recording its checks, and
    /// the result with the rule the scenario is expected to break. In another vocabulary than its own a body may not get
    /// through (a step it waits for never comes, e.g. no invalidate_page in a kernel vocabulary): that is one failing
    /// check, "ran to its end", with the exception's message, after the checks made up to there.</summary>
    private static Scenario Define(string name, string origin, string summary, string? rule, Setup setup, Action<Session, Expect> body) =>
        new(name, origin, summary, rule, setup.Vocab, vocabulary =>
        {
            var s = (vocabulary is { } v ? setup with { Vocab = v } : setup).Start();
            var e = new Expect();
            if (vocabulary is null || vocabulary == setup.Vocab) body(s, e);
            else
                try { body(s, e); }
                catch (Exception x) when (x is InvalidOperationException or ArgumentException or KeyNotFoundException or NullReferenceException or IndexOutOfRangeException)
                { e.Checks.Add(new("ran to its end", "yes", $"no: {x.GetType().Name}: {x.Message.Split('\n')[0]}")); }
            return new(name, s, rule, [.. e.Checks]);
        });

    /// <summary>Steps the device until it reaches the given phase (or finishes).</summary>
    private static void DeviceUntil(Session s, int m, DevicePhase phase)
    {
        for (int i = 0; i < 100 && s.State.Mirrors[m].Op is { } d && d.Phase != phase; i++)
        {
            if (Machine.CanStep(s.State, m)) s.Step(m);
            else s.Step(Machine.Cpu);
        }
    }

    private static DevicePte? DevPte(Session s, int m, int page) => s.State.Mirrors[m].Pt.TryGetValue(page, out var e) ? e : null;

    public static readonly ImmutableArray<Scenario> All =
    [
        Define("anon_read", "hmm-tests hmm.anon_read", "device reads private anon memory, including a never-touched page (zero page); data as the CPU wrote it", null, Setup.Anon(4).Mirror().Written(0, 10).Written(1, 11).Written(2, 12), (s, e) =>
        {
            for (int p = 0; p < 4; p++) { s.DeviceRead(0, p); e.Eq($"device read page {p}", p < 3 ? 10 + p : 0, s.LastRead(0)); }
            e.Eq("device faults (2-page chunks)", 2, s.State.Mirrors[0].Faults);
            e.Eq("page 3 maps the zero page", MmState.ZeroFrame, s.State.Ptes[3]?.Frame);
        }),
        Define("anon_read_prot", "hmm-tests hmm.anon_read_prot", "device read of a PROT_NONE range fails with EFAULT and maps nothing", null, Setup.Mm().Mmap(new(0, 4, Prot.None)).Mirror(), (s, e) =>
        {
            s.DeviceRead(0, 1);
            e.Eq("device read result", "EFAULT", s.LastError(0));
            e.Eq("device PTEs", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("anon_write", "hmm-tests hmm.anon_write", "a device write is visible to the CPU and leaves the page soft-dirty", null, Setup.Anon(4).Mirror(), (s, e) =>
        {
            s.DeviceWrite(0, 1, 42);
            e.Eq("CPU read page 1", 42, s.CpuView(1));
            e.Eq("CPU PTE soft-dirty", true, s.State.Ptes[1]?.SoftDirty);
            e.Eq("device faults", 1, s.State.Mirrors[0].Faults);
        }),
        Define("anon_write_prot", "hmm-tests hmm.anon_write_prot", "device write to a read-only VMA fails (EPERM); after mprotect RW a new fault learns the upgrade (R8)", null, Setup.Mm().Mmap(new(0, 4, Prot.Read)).Mirror(), (s, e) =>
        {
            s.DeviceRead(0, 0);
            e.Eq("device read of the zero page", 0, s.LastRead(0));
            s.DeviceWrite(0, 0, 5);
            e.Eq("device write to a read-only VMA", "EPERM", s.LastError(0));
            s.Cpu(new Call.Mprotect(0, 4, Prot.ReadWrite));
            s.DeviceWrite(0, 0, 7);
            e.Eq("device write after mprotect RW", null, s.LastError(0));
            e.Eq("CPU read page 0", 7, s.CpuView(0));
            e.Eq("the zero page still reads 0", 0, s.State.Frames[MmState.ZeroFrame].Content);
        }),
        Define("anon_write_child", "hmm-tests hmm.anon_write_child", "after fork the device loses write (MMU_FORK / PROTECTION_PAGE); its next write COWs: the parent sees it, the child keeps the old data", null, Setup.Anon(4).Mirror().Written(0, 1).DeviceRead(0, 0), (s, e) =>
        {
            e.Eq("device maps page 0 writable before fork", true, DevPte(s, 0, 0)?.Writable);
            s.Cpu(new Call.Fork());
            e.Eq("device maps page 0 read-only after fork", false, DevPte(s, 0, 0)?.Writable);
            s.DeviceWrite(0, 0, 2);
            e.Eq("parent reads the device write", 2, s.CpuView(0));
            e.Eq("child keeps the old data", 1, s.State.Frames[s.State.Children[0][0]].Content);
            e.Eq("parent and child frames differ", true, s.State.Children[0][0] != s.State.Ptes[0]?.Frame);
        }),
        Define("anon_read_multiple", "hmm-tests hmm.anon_read_multiple", "ten rounds of mmap / CPU write / device read / munmap: frames are reused and the device never reads stale data", null, Setup.Mm().Mirror(), (s, e) =>
        {
            var reads = new List<int?>();
            for (int i = 0; i < 10; i++)
            {
                s.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
                s.Cpu(new Call.CpuWrite(0, 100 + i));
                s.DeviceRead(0, 0);
                reads.Add(s.LastRead(0));
                s.Cpu(new Call.Munmap(0, 2));
            }
            e.Eq("device reads", string.Join(",", Enumerable.Range(100, 10)), string.Join(",", reads));
            e.Eq("frame 1 reused ten times (generation)", 10, s.State.Frames[1].Generation);
            e.Eq("device PTEs after the last munmap", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("anon_teardown", "hmm-tests hmm.anon_teardown", "a device fault walks the page, then munmap runs in full; read_retry under the lock sees the collision and the retried fault fails: never stale data", null, Setup.Anon(4).Mirror().Written(2, 9), (s, e) =>
        {
            s.Call(new Call.DeviceRead(0, 2));
            DeviceUntil(s, 0, DevicePhase.Lock); // snapshot taken by hmm_range_fault
            s.Cpu(new Call.Munmap(2, 4));
            s.Device(0);
            e.Eq("device read result", "EFAULT", s.LastError(0));
            e.Eq("read_retry said retry", 1, s.Trace.Count(l => l.Op == "mmu_interval_read_retry" && (string?)l.Get("result") == "retry"));
            e.Eq("device PTEs", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("mprotect_none_v7_wp_listener", "seed debate (Hubbard on MMU_MPROT)", "under v7 a listener that write-protects on MMU_MPROT keeps read access after mprotect(PROT_NONE): the first rule breaks", Rules.NoStaleDeviceMapping, Setup.Anon(4, Vocabulary.V7).Mirror(policy: Policy.WriteProtectOnMprot).Written(1, 3).DeviceRead(0, 1), (s, e) =>
        {
            s.Cpu(new Call.Mprotect(0, 4, Prot.None));
            e.Eq("event sent", "MMU_MPROT", (string?)s.Trace.First(l => l.Op == "invalidate_range_start").Get("event"));
            e.Eq("device still maps page 1", true, DevPte(s, 0, 1) is not null);
        }),
        Define("mprotect_none_v7_reviewed_wp_listener", "seed debate, resolved", "the same listener under v7-reviewed receives MMU_UNMAP for PROT_NONE and unmaps: no rule breaks, the device read then fails", null, Setup.Anon(4, Vocabulary.V7Reviewed).Mirror(policy: Policy.WriteProtectOnMprot).Written(1, 3).DeviceRead(0, 1), (s, e) =>
        {
            s.Cpu(new Call.Mprotect(0, 4, Prot.None));
            e.Eq("event sent", "MMU_UNMAP", (string?)s.Trace.First(l => l.Op == "invalidate_range_start").Get("event"));
            e.Eq("device maps page 1", false, DevPte(s, 0, 1) is not null);
            s.DeviceRead(0, 1);
            e.Eq("device read after PROT_NONE", "EFAULT", s.LastError(0));
        }),
        Define("mprotect_ro_v7_consult_vma", "seed HMM listener (hmm_mmu_mprot_to_etype)", "under v7 the HMM listener consults the VMA on MMU_MPROT: mprotect(PROT_READ) only write-protects; reads still hit, writes fail", null, Setup.Anon(4, Vocabulary.V7).Mirror().Written(0, 4).DeviceRead(0, 0), (s, e) =>
        {
            s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
            e.Eq("device PTE after mprotect RO", "frame 1.1 r", PteText.Of(DevPte(s, 0, 0)));
            s.DeviceRead(0, 0);
            e.Eq("device read", 4, s.LastRead(0));
            e.Eq("device faults (the read hit)", 1, s.State.Mirrors[0].Faults);
            s.DeviceWrite(0, 0, 5);
            e.Eq("device write", "EPERM", s.LastError(0));
        }),
        Define("install_without_read_retry", "kernel-facts.md M3 / B12", "a driver that installs without mmu_interval_read_retry maps a page munmap freed meanwhile", Rules.NoFreedFrameAccess, Setup.Anon(4).Mirror(Dev() with { SkipReadRetry = true }).Written(2, 9), (s, e) =>
        {
            s.Call(new Call.DeviceRead(0, 2));
            DeviceUntil(s, 0, DevicePhase.Lock);
            s.Cpu(new Call.Munmap(2, 4));
            s.Device(0);
            e.Eq("device read returned the stale value", 9, s.LastRead(0));
        }),
        Define("read_retry_outside_lock", "Documentation/mm/hmm.rst (read_retry under the lock)", "read_retry checked before taking the device lock: munmap's callback runs between the check and the install", Rules.NoFreedFrameAccess, Setup.Anon(4).Mirror(Dev() with { ReadRetryOutsideLock = true }).Written(2, 9), (s, e) =>
        {
            s.Call(new Call.DeviceRead(0, 2));
            DeviceUntil(s, 0, DevicePhase.Lock); // read_retry already said ok, outside the lock
            s.Cpu(new Call.Munmap(2, 4));
            s.Device(0);
            e.Eq("read_retry results", "ok", string.Join(",", s.Trace.Where(l => l.Op == "mmu_interval_read_retry").Select(l => l.Get("result"))));
        }),
        Define("teardown_at_end", "kernel-facts.md B12", "a full-mm listener that tears down only in invalidate_range_end still maps the page when munmap clears it", Rules.NoStaleDeviceMapping, Setup.Anon(4).Mirror(policy: Policy.UnmapAtEnd, kind: MirrorKind.Mm).DeviceRead(0, 0), (s, e) =>
        {
            s.Cpu(new Call.Munmap(0, 4));
            e.Eq("violating step", "pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
            e.Eq("device PTEs after invalidate_range_end", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("two_pass_interval", "mm/mmu_notifier.c mn_itree_invalidate, mn_itree_finish_pass; drivers/gpu/drm/xe/xe_userptr.c", "a two-pass interval notifier (invalidate_start sets the seq, invalidate_finish unmaps): the finish pass runs before invalidate_range_start returns, so the device PTE is gone before munmap clears the CPU PTE", null, Setup.Anon(4).Mirror(policy: Policy.TwoPass).Written(0, 1).DeviceRead(0, 0), (s, e) =>
        {
            e.Eq("device read", 1, s.LastRead(0));
            int from = s.Trace.Count;
            s.Cpu(new Call.Munmap(0, 4));
            e.Eq("munmap steps", "vma_update,invalidate_range_start,invalidate,invalidate_finish,pte_update,pte_update,tlb_flush,free_frame,invalidate_range_end",
                string.Join(",", s.Trace.Skip(from + 1).Select(l => l.Op)));
            e.Eq("device PTEs after munmap", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("oom_reaper_eagain", "mm/oom_kill.c __oom_reap_task_mm, lib/test_hmm.c trylock", "the OOM reaper's non-blockable start is refused while the device holds its lock: no end, the VMA is skipped; a later reap succeeds", null, Setup.Anon(4).Mirror().Written(0, 1), (s, e) =>
        {
            s.Call(new Call.DeviceRead(0, 0));
            DeviceUntil(s, 0, DevicePhase.ReadRetry);
            s.Step(0); // read_retry ok; the device now holds its lock
            s.Cpu(new Call.OomReap());
            e.Eq("callback result", "EAGAIN", (string?)s.Trace.Last(l => l.Op == "invalidate").Get("result"));
            e.Eq("invalidate_range_end calls", 0, s.Trace.Count(l => l.Op == "invalidate_range_end"));
            e.Eq("page 0 still mapped by the CPU", true, s.State.Ptes[0] is not null);
            s.Device(0);
            e.Eq("device read", 1, s.LastRead(0));
            s.Cpu(new Call.OomReap());
            e.Eq("page 0 reaped", true, s.State.Ptes[0] is null);
            e.Eq("device PTEs", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("end_after_refused_start", "kernel-facts.md M7 / B10 (planted)", "a planted bug calls invalidate_range_end after the refused non-blockable start", Rules.StartEndPaired, Setup.Anon(4).Mirror().Planted(Mutant.EndAfterRefusedStart).Written(0, 1), (s, e) =>
        {
            s.Call(new Call.DeviceRead(0, 0));
            DeviceUntil(s, 0, DevicePhase.ReadRetry);
            s.Step(0);
            s.Cpu(new Call.OomReap());
            e.Eq("violating step", "invalidate_range_end", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        }),
        Define("invalidate_page_only_listener", "kernel-facts.md B1 / ea25c4317946", "an old-style listener that implements only invalidate_page never hears munmap's start/end: it keeps a page the CPU unmapped and frees", Rules.NoStaleDeviceMapping, Setup.Anon(4, Vocabulary.V7).Mirror(kind: MirrorKind.InvalidatePage).Written(0, 1).DeviceRead(0, 0), (s, e) =>
        {
            s.Cpu(new Call.Munmap(0, 4));
            e.Eq("frame 1 freed", true, s.State.Frames[1].Free);
            e.Eq("device still maps page 0", true, DevPte(s, 0, 0) is not null);
        }),
        Define("writeback_v7_invalidate_page", "seed v7 page_mkclean_one (MMU_WRITE_BACK via invalidate_page)", "v7 writeback notifies after the PTE change; the frame is held in the window, the listener write-protects, and the next device write re-dirties the page", null, Setup.Mm(Vocabulary.V7).Mmap(new(0, 4, Prot.ReadWrite, Shared: true)).Mirror().Written(0, 3).DeviceRead(0, 0), (s, e) =>
        {
            s.Cpu(new Call.Writeback(0));
            e.Eq("invalidate_page sent", "MMU_WRITE_BACK", (string?)s.Trace.Last(l => l.Op == "invalidate_page").Get("event"));
            e.Eq("device PTE after writeback", "frame 1.1 r", PteText.Of(DevPte(s, 0, 0)));
            e.Eq("CPU PTE clean", false, s.State.Ptes[0]?.Dirty);
            s.DeviceWrite(0, 0, 8);
            e.Eq("CPU PTE dirty again", true, s.State.Ptes[0]?.Dirty);
            e.Eq("CPU read", 8, s.CpuView(0));
        }),
        Define("clear_refs_ignore_soft_dirty", "seed review of MMU_ISDIRTY (Hubbard)", "a listener that ignores MMU_ISDIRTY keeps device write access: a device write after clear_refs is not soft-dirty", Rules.SoftDirtyComplete, Setup.Anon(4, Vocabulary.V7).Mirror(policy: Policy.IgnoreSoftDirty).DeviceWrite(0, 0, 1), (s, e) =>
        {
            s.Cpu(new Call.ClearRefs());
            e.Eq("event sent", "MMU_ISDIRTY", (string?)s.Trace.Last(l => l.Op == "invalidate_range_start").Get("event"));
            s.DeviceWrite(0, 0, 2);
            e.Eq("CPU PTE soft-dirty", false, s.State.Ptes[0]?.SoftDirty);
        }),
        Define("clear_refs_write_protect", "seed review of MMU_ISDIRTY, HMM listener", "the HMM listener write-protects on MMU_ISDIRTY: the next device write faults, the CPU write fault marks the page soft-dirty", null, Setup.Anon(4, Vocabulary.V7).Mirror().DeviceWrite(0, 0, 1), (s, e) =>
        {
            s.Cpu(new Call.ClearRefs());
            e.Eq("CPU PTE soft-dirty after clear_refs", false, s.State.Ptes[0]?.SoftDirty);
            s.DeviceWrite(0, 0, 2);
            e.Eq("CPU PTE soft-dirty after the device write", true, s.State.Ptes[0]?.SoftDirty);
            e.Eq("device faults", 2, s.State.Mirrors[0].Faults);
        }),
        Define("ksm_merge", "mm/ksm.c write_protect_page + replace_page", "KSM merges two identical pages: both are write-protected, the second remapped to the first's frame; a device write then COWs", null, Setup.Mm(Vocabulary.V7).Mmap(new(0, 4, Prot.ReadWrite, Mergeable: true)).Mirror().Written(0, 5).Written(1, 5).DeviceRead(0, 0).DeviceRead(0, 1), (s, e) =>
        {
            s.Cpu(new Call.KsmMerge(0, 1));
            e.Eq("events", "MMU_WRITE_PROTECT,MMU_WRITE_PROTECT,MMU_MIGRATE", string.Join(",", s.Trace.Where(l => l.Op == "invalidate_range_start").Select(l => l.Get("event"))));
            e.Eq("pages 0 and 1 share a frame", s.State.Ptes[0]?.Frame, s.State.Ptes[1]?.Frame);
            e.Eq("frame 2 freed", true, s.State.Frames[2].Free);
            s.DeviceWrite(0, 1, 6);
            e.Eq("CPU read page 1", 6, s.CpuView(1));
            e.Eq("CPU read page 0 keeps the merged data", 5, s.CpuView(0));
        }),
        Define("thp_split_v7_hsplit", "seed v7 MMU_HSPLIT (HMM ignores it)", "splitting a huge page keeps the frames: a listener that ignores MMU_HSPLIT keeps valid mappings", null, Setup.Mm(Vocabulary.V7).Mmap(new(0, 8, Prot.ReadWrite, Thp: true)).Mirror().Written(1, 7), (s, e) =>
        {
            e.Eq("page 1 is huge", true, s.State.Ptes[1]?.Huge);
            s.DeviceRead(0, 1);
            s.Cpu(new Call.SplitHuge(1));
            e.Eq("page 1 is a base mapping", false, s.State.Ptes[1]?.Huge);
            e.Eq("device still maps page 1", true, DevPte(s, 0, 1) is not null);
            s.DeviceRead(0, 1);
            e.Eq("device read", 7, s.LastRead(0));
            e.Eq("device faults", 1, s.State.Mirrors[0].Faults);
        }),
        Define("migrate_v7_invalidate_page", "seed v7 try_to_unmap_one (MMU_MIGRATE via invalidate_page)", "migration under v7: the migration entry comes first, invalidate_page follows while the old frame is held; the device refaults the new frame", null, Setup.Anon(4, Vocabulary.V7).Mirror().Written(0, 11).DeviceRead(0, 0), (s, e) =>
        {
            int old = s.State.Ptes[0]!.Value.Frame;
            s.Cpu(new Call.Migrate(0));
            e.Eq("old frame freed", true, s.State.Frames[old].Free);
            e.Eq("device PTEs for page 0", false, DevPte(s, 0, 0) is not null);
            s.DeviceRead(0, 0);
            e.Eq("device read after migration", 11, s.LastRead(0));
            e.Eq("device maps the new frame", s.State.Ptes[0]?.Frame, DevPte(s, 0, 0)?.Frame);
        }),
        Define("munlock_v7_no_event", "seed v7: MMU_MUNLOCK never sent", "mlock populates without notification, munlock sends nothing: the device mapping survives", null, Setup.Anon(4, Vocabulary.V7).Mirror(), (s, e) =>
        {
            s.Cpu(new Call.Mlock(0, 4));
            e.Eq("pages populated by mlock", 4, Enumerable.Range(0, 4).Count(p => s.State.Ptes[p] is not null));
            s.DeviceRead(0, 0);
            s.Cpu(new Call.Munlock(0, 4));
            e.Eq("invalidations sent", 0, s.Trace.Count(l => l.Op == "invalidate_range_start"));
            e.Eq("device still maps page 0", true, DevPte(s, 0, 0) is not null);
        }),
        Define("hugetlb_fork_v7", "seed v7 finding: copy_hugetlb_page_range sends MMU_MIGRATE", "fork of a hugetlb VMA is tagged MMU_MIGRATE, not MMU_FORK: the HMM listener drops the mapping instead of write-protecting it", null, Setup.Mm(Vocabulary.V7).Mmap(new(0, 4, Prot.ReadWrite, Hugetlb: true)).Mmap(new(4, 8, Prot.ReadWrite)).Mirror().Written(0, 1).Written(4, 2).DeviceRead(0, 0).DeviceRead(0, 4), (s, e) =>
        {
            s.Cpu(new Call.Fork());
            e.Eq("events", "MMU_MIGRATE,MMU_FORK", string.Join(",", s.Trace.Where(l => l.Op == "invalidate_range_start").Select(l => l.Get("event"))));
            e.Eq("hugetlb page dropped by the device", false, DevPte(s, 0, 0) is not null);
            e.Eq("normal page write-protected on the device", "frame 2.1 r", PteText.Of(DevPte(s, 0, 4)));
        }),
        Define("secondary_tlb_window", "Documentation/mm/mmu_notifier.rst, R9", "a hardware secondary TLB is stale only between the PTE clear and the TLB flush that calls arch_invalidate_secondary_tlbs", null, Setup.Anon(4).Mirror("iommu0", kind: MirrorKind.SecondaryTlb).Written(0, 1).DeviceRead(0, 0), (s, e) =>
        {
            s.Call(new Call.Munmap(0, 4));
            while (s.State.Op is { } op && !s.Trace[^1].Op.Equals("pte_update", StringComparison.Ordinal)) s.Step(Machine.Cpu);
            e.Eq("TLB entry stale inside the window", true, DevPte(s, 0, 0) is not null && s.State.Ptes[0] is null);
            s.RunCpu();
            e.Eq("secondary callback", "arch_invalidate_secondary_tlbs", (string?)s.Trace.Last(l => l.Op == "tlb_flush").Get("secondary"));
            e.Eq("TLB entries after the flush", 0, s.State.Mirrors[0].Pt.Count);
        }),
        Define("exclusive", "nouveau: Linux 7.2 drivers/gpu/drm/nouveau/nouveau_svm.c nouveau_atomic_range_fault (make_device_exclusive(mm, start, drm->dev, &folio)), nouveau_svm_range_invalidate (returns for MMU_NOTIFY_EXCLUSIVE with owner drm->dev); mm/memory.c remove_device_exclusive_entry", "make_device_exclusive with the device as owner, as nouveau calls it, gives the device atomic access under MMU_NOTIFY_EXCLUSIVE (its own event, skipped); a CPU write restores the PTE (MMU_NOTIFY_CLEAR, owner NULL, since 6.15) and revokes the atomic entry", null, Setup.Anon(4).Mirror().Written(0, 1), (s, e) =>
        {
            s.Call(new Call.DeviceExclusive(0, 0));
            s.RunCpu();
            e.Eq("owner of the event", "dev0", (string?)s.Trace.Last(l => l.Op == "invalidate_range_start").Get("owner"));
            e.Eq("the owner skipped its own event", "owner", (string?)s.Trace.Last(l => l.Op == "invalidate").Get("reaction"));
            e.Eq("device PTE", "frame 1.1 rw atomic", PteText.Of(DevPte(s, 0, 0)));
            e.Eq("CPU PTE", "frame 1 rw dirty soft-dirty device-exclusive(0)", PteText.Of(s.State.Ptes[0]));
            s.DeviceWrite(0, 0, 5);
            e.Eq("device atomic write, no fault", 0, s.State.Mirrors[0].Faults);
            s.Cpu(new Call.CpuWrite(0, 6));
            e.Eq("restore event (MMU_NOTIFY_CLEAR since 6.15, remove_device_exclusive_entry)", "MMU_NOTIFY_CLEAR", (string?)s.Trace.Last(l => l.Op == "invalidate_range_start").Get("event"));
            e.Eq("CHECK_EXCLUSIVE: no atomic entry survives", 0, s.State.Mirrors[0].Pt.Values.Count(x => x.Atomic));
            e.Eq("CPU read", 6, s.CpuView(0));
        }),
        Define("exclusive_dmirror", "hmm-tests hmm.exclusive; Linux 7.2 lib/test_hmm.c dmirror_exclusive (make_device_exclusive(mm, addr, NULL, &folio)), dmirror_interval_invalidate (skips only MMU_NOTIFY_MIGRATE with its own owner), dmirror_atomic_map", "lib/test_hmm.c passes owner NULL to make_device_exclusive: its own MMU_NOTIFY_EXCLUSIVE is not skipped, the mirror drops its mapping of the page, then dmirror_atomic_map maps the atomic entry; a CPU write revokes it", null, Setup.Anon(4).Mirror(Dev() with { NullExclusiveOwner = true }).Written(0, 1).DeviceRead(0, 0), (s, e) =>
        {
            e.Eq("device PTE before", "frame 1.1 rw", PteText.Of(DevPte(s, 0, 0)));
            s.Call(new Call.DeviceExclusive(0, 0));
            s.RunCpu();
            var start = s.Trace.Last(l => l.Op == "invalidate_range_start");
            e.Eq("event and owner", "MMU_NOTIFY_EXCLUSIVE NULL", $"{start.Get("event")} {(string?)start.Get("owner") ?? "NULL"}");
            e.Eq("the mirror invalidated on its own exclusive event", "unmap", (string?)s.Trace.Last(l => l.Op == "invalidate").Get("reaction"));
            e.Eq("device PTE", "frame 1.1 rw atomic", PteText.Of(DevPte(s, 0, 0)));
            e.Eq("CPU PTE", "frame 1 rw dirty soft-dirty device-exclusive(0)", PteText.Of(s.State.Ptes[0]));
            int faults = s.State.Mirrors[0].Faults;
            s.DeviceWrite(0, 0, 5);
            e.Eq("device atomic write, no fault", faults, s.State.Mirrors[0].Faults);
            s.Cpu(new Call.CpuWrite(0, 6));
            e.Eq("CHECK_EXCLUSIVE: no atomic entry survives", 0, s.State.Mirrors[0].Pt.Values.Count(x => x.Atomic));
            e.Eq("CPU read", 6, s.CpuView(0));
        }),
        Define("exclusive_mprotect", "hmm-tests hmm.exclusive_mprotect", "after make_device_exclusive, mprotect(PROT_READ) write-protects the atomic entry; a device write then fails", null, Setup.Anon(4).Mirror().Written(0, 1), (s, e) =>
        {
            s.Call(new Call.DeviceExclusive(0, 0));
            s.RunCpu();
            s.Cpu(new Call.Mprotect(0, 4, Prot.Read));
            e.Eq("device PTE after mprotect", "frame 1.1 r atomic", PteText.Of(DevPte(s, 0, 0)));
            s.DeviceWrite(0, 0, 2);
            e.Eq("device write", "EPERM", s.LastError(0));
            e.Eq("CPU read", 1, s.CpuView(0));
        }),
        Define("exclusive_owner_filter_all", "kernel-facts.md UP-POLICY (owner filtering), planted", "a listener that skips every event carrying an owner, not only its own, keeps a page another device made exclusive", Rules.NoStaleDeviceMapping, Setup.Anon(4).Mirror().Mirror("dev1").Planted(Mutant.OwnerFilterAll).DeviceWrite(1, 0, 1), (s, e) =>
        {
            s.Call(new Call.DeviceExclusive(0, 0));
            s.RunCpu();
            e.Eq("dev1 skipped dev0's event", "owner", (string?)s.Trace.Last(l => l.Op == "invalidate" && (string?)l.Get("mirror") == "dev1").Get("reaction"));
            e.Eq("violating step", "pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        }),
        Define("device_private_migration", "hmm-tests hmm.migrate, hmm.migrate_fault; Linux 7.2 mm/migrate_device.c migrate_vma_collect, lib/test_hmm.c dmirror_migrate_to_device / dmirror_devmem_fault", "HMM_DMIRROR_MIGRATE_TO_DEV moves pages to dev0's memory under MMU_NOTIFY_MIGRATE with dev0 as owner: dev0 skips its own event and maps the device pages, dev1 drops its mapping; the CPU PTEs become device-private entries; a CPU read migrates the page back (MMU_NOTIFY_MIGRATE, owner dev0 again) to a present PTE", null, Setup.Anon(4, Vocabulary.Linux7_2).Mirror(policy: Policy.UnmapAll).Mirror("dev1", Policy.UnmapAll).Written(0, 7).DeviceRead(1, 0), (s, e) =>
        {
            s.Call(new Call.MigrateToDevice(0, 0, 2));
            s.Device(0);
            e.Eq("events", "MMU_NOTIFY_MIGRATE[0,2) dev0,MMU_NOTIFY_MIGRATE[1,2) dev0", string.Join(",", s.Trace.Where(l => l.Op == "invalidate_range_start").Select(l => $"{l.Get("event")}[{l.Get("start")},{l.Get("end")}) {l.Get("owner")}")));
            e.Eq("dev0 skipped its own event", "owner", (string?)s.Trace.First(l => l.Op == "invalidate" && (string?)l.Get("mirror") == "dev0").Get("reaction"));
            e.Eq("dev1 dropped its mapping", false, DevPte(s, 1, 0) is not null);
            e.Eq("CPU PTE of the written page (soft-dirty kept: remove_migration_pte)", "frame 2 rw soft-dirty device-private(0)", PteText.Of(s.State.Ptes[0]));
            e.Eq("CPU PTE of the empty page (migrate_vma_insert_page)", "frame 3 rw device-private(0)", PteText.Of(s.State.Ptes[1]));
            e.Eq("dev0 maps its device page", "frame 2.1 rw", PteText.Of(DevPte(s, 0, 0)));
            e.Eq("the system page is freed", true, s.State.Frames[1].Free);
            s.DeviceRead(0, 0);
            e.Eq("dev0 reads without a fault", (7, 0), (s.LastRead(0) ?? -1, s.State.Mirrors[0].Faults));
            int before = s.Trace.Count;
            s.Cpu(new Call.CpuRead(0));
            var back = s.Trace.Skip(before).Where(l => l.Op == "invalidate_range_start").Single();
            e.Eq("migrate_to_ram event", "MMU_NOTIFY_MIGRATE dev0", $"{back.Get("event")} {back.Get("owner")}");
            e.Eq("dev0's entry erased (dmirror_devmem_fault_alloc_and_copy)", false, DevPte(s, 0, 0) is not null);
            e.Eq("CPU PTE after the fault", "frame 1 rw dirty soft-dirty", PteText.Of(s.State.Ptes[0]));
            e.Eq("CPU read", 7, s.CpuView(0));
            s.DeviceRead(1, 1);
            e.Eq("dev1's fault migrates page 1 back too", "frame 2 rw dirty soft-dirty", PteText.Of(s.State.Ptes[1]));
            e.Eq("dev1 reads the cleared page", 0, s.LastRead(1));
        }),
        Define("migrate_skip_any_owner", "lib/test_hmm.c dmirror_interval_invalidate without its owner check, planted", "a listener that skips every MMU_NOTIFY_MIGRATE event, not only those its own device sends, keeps its mapping of a page another device migrates", Rules.NoStaleDeviceMapping, Setup.Anon(4, Vocabulary.Linux7_2).Mirror(policy: Policy.UnmapAll).Mirror("dev1", Policy.UnmapAll).Planted(Mutant.MigrateSkipAnyOwner).DeviceWrite(1, 0, 1), (s, e) =>
        {
            s.Call(new Call.MigrateToDevice(0, 0, 1));
            s.Device(0);
            e.Eq("dev1 skipped dev0's event", "owner", (string?)s.Trace.Last(l => l.Op == "invalidate" && (string?)l.Get("mirror") == "dev1").Get("reaction"));
            e.Eq("violating step", "pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        }),
        Define("uffd_wp_consult_vma", "docs/protection-vma.md; Linux 7.2 mm/userfaultfd.c mwriteprotect_range -> uffd_wp_range (MMU_NOTIFY_PROTECTION_VMA, the VMA unchanged)", "a listener that consults the VMA on MMU_NOTIFY_PROTECTION_VMA, as its kernel-doc allows, finds it still writable after UFFDIO_WRITEPROTECT and keeps device write access: a device write would escape the write-protection", Rules.NoStaleDeviceMapping, Setup.Anon(4, Vocabulary.Linux7_2).Mirror().DeviceWrite(0, 0, 1), (s, e) =>
        {
            e.Eq("device PTE before", "frame 1.1 rw", PteText.Of(DevPte(s, 0, 0)));
            s.Cpu(new Call.UffdRegister(0, 4));
            s.Cpu(new Call.UffdWriteProtect(0, 4));
            e.Eq("event", "MMU_NOTIFY_PROTECTION_VMA", (string?)s.Trace.Last(l => l.Op == "invalidate_range_start").Get("event"));
            e.Eq("the listener consulted the VMA", "consult-vma", (string?)s.Trace.Last(l => l.Op == "invalidate").Get("reaction"));
            e.Eq("VMA protection kept", Prot.ReadWrite, s.State.VmaAt(0)!.Prot);
            e.Eq("device PTE kept writable", "frame 1.1 rw", PteText.Of(DevPte(s, 0, 0)));
            e.Eq("violating step", "pte_update", s.Trace[s.FirstViolationLine!.Value - 1].Op);
        }),
        Define("page_aging_sees_device_access", "include/linux/mmu_notifier.h clear_flush_young / test_young (R11)", "page aging ORs the CPU accessed bit with every listener's: a page only a device touched is still young", null, Setup.Anon(4).Mirror().Mirror("dev1").Written(0, 1), (s, e) =>
        {
            s.Cpu(new Call.PageReferenced(0));
            e.Eq("young after a CPU write", true, (bool?)s.Trace[^1].Get("young"));
            s.Cpu(new Call.PageReferenced(0));
            e.Eq("old after clear_flush_young", false, (bool?)s.Trace[^1].Get("young"));
            s.DeviceRead(1, 0);
            s.Cpu(new Call.TestYoung(0));
            e.Eq("test_young after a device read", "dev1", string.Join(",", (string[])s.Trace[^1].Get("mirrors")!));
            s.Cpu(new Call.PageReferenced(0));
            e.Eq("young through dev1", true, (bool?)s.Trace[^1].Get("young"));
            s.Cpu(new Call.TestYoung(0));
            e.Eq("old again", false, (bool?)s.Trace[^1].Get("young"));
            e.Eq("aging changed no mapping", "frame 1.1 rw", PteText.Of(DevPte(s, 1, 0)));
        }),
        Define("exit_release", "mm/mmu_notifier.c __mmu_notifier_release", "exit_mmap calls release before unmapping: the mirror is torn down and frozen, later device reads fail", null, Setup.Anon(4).Mirror().Mirror("dev1").DeviceWrite(0, 0, 3).DeviceRead(1, 0), (s, e) =>
        {
            e.Eq("second device reads the first's write", 3, s.LastRead(1));
            s.Cpu(new Call.Exit());
            e.Eq("release told", "dev0,dev1", string.Join(",", (string[])s.Trace.First(l => l.Op == "release").Get("mirrors")!));
            s.DeviceRead(0, 0);
            e.Eq("device read after exit", "EFAULT", s.LastError(0));
            e.Eq("free frames", 47, s.State.Frames.Count(f => f.Free));
        }),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
