using NotifierSpec.Kernel;
using NotifierSpec.Properties;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>A fact that needs a usable /dev/kvm; skipped, with the reason, where there is none.</summary>
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute()
    {
        if (!File.Exists("/dev/kvm")) { Skip = "no /dev/kvm on this machine: the live-kernel run cannot be driven"; return; }
        try { using var f = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { Skip = $"/dev/kvm is not usable: {e.Message}"; return; }
        // LiveMm.Open needs the pfns of /proc/self/pagemap (CAP_SYS_ADMIN); the uffd and THP checks read /proc/kpageflags (root)
        if (Environment.UserName != "root") Skip = "not root: pagemap frame numbers and /proc/kpageflags need CAP_SYS_ADMIN";
    }
}

/// <summary>A fact that needs /dev/kvm and root (tracefs, mounted if need be, for the call-path comparison): KvmFact's
/// conditions, which already include root (the duplicate root check is gone); a machine without tracefs or the KVM
/// tracepoint fails in Traced with EnableTrace's reason.</summary>
public sealed class KvmTraceFactAttribute : FactAttribute
{
    public KvmTraceFactAttribute() => Skip = new KvmFactAttribute().Skip;
}

/// <summary>A live fact written on a machine without /dev/kvm (session 12) whose operations have not yet been seen against a
/// live kernel through KVM (Conformance.Unseen; docs/kernel.md "Not yet seen live"): skipped, saying so, unless
/// NOTIFIER_KERNEL_UNSEEN=1 asks for it (and then KvmFact's conditions hold). Once one has passed on a machine with KVM, its
/// operations leave Conformance.Unseen and the test becomes a KvmFact.</summary>
public sealed class UnseenKvmFactAttribute : FactAttribute
{
    public const string Why = "not yet seen against a live kernel through KVM (written in session 12 on a machine without /dev/kvm): NOTIFIER_KERNEL_UNSEEN=1 runs it";
    public UnseenKvmFactAttribute() => Skip = Environment.GetEnvironmentVariable("NOTIFIER_KERNEL_UNSEEN") == "1" ? new KvmFactAttribute().Skip : Why;
}

/// <summary>UnseenKvmFact for a traced test (KvmTraceFact's conditions once asked for).</summary>
public sealed class UnseenKvmTraceFactAttribute : FactAttribute
{
    public UnseenKvmTraceFactAttribute() => Skip = new UnseenKvmFactAttribute().Skip;
}

/// <summary>One VM per process (the native part keeps process-wide state): every live test shares it.</summary>
public sealed class LiveFixture : IDisposable
{
    private LiveMm? _live;
    public LiveMm Live => _live ??= LiveMm.Open(1024); // 16-page runs use its first 16 pages
    public void Dispose() => _live?.Dispose();
    /// <summary>Closes the VM (one per process) so that a test can run the CLI, which opens its own; reopened on next use.</summary>
    public void Close() { _live?.Dispose(); _live = null; }
}

/// <summary>One collection with SwapCleanupTests: xunit runs test classes in parallel, and a live run's swap file
/// (/var/tmp/notifier-kernel-PID.swap, the same PID) made SwapCleanupTests' Ensure/Restore race test see a file it had not
/// made (seen failing once in a full run on the merged main).</summary>
[Collection(MachineWide.Name)]
public sealed class LiveKernelTests(LiveFixture fx) : IClassFixture<LiveFixture>
{
    private MmConfig Config(string? mutant = null) => KvmConfig(16, Vocabulary.Upstream, mutant is null ? null : Mutants.Find(mutant));

    /// <summary>Conformance.KvmConfig for the running kernel, as `notifier kernel` makes it (cli/KernelCommand.cs): with its
    /// mm_forbids_zeropage (LiveMm.ForbidsZeroPage).</summary>
    private MmConfig KvmConfig(int pages, Vocabulary vocabulary, MutantCase? mutant, bool? hugeZeroPage = null) =>
        Conformance.KvmConfig(pages, vocabulary, mutant, hugeZeroPage, fx.Live.ForbidsZeroPage);

    private RunResult Run(string ops, string? mutant = null) => new Conformance(fx.Live, Config(mutant)).Run(KOp.Parse(ops, 16));

    /// <summary>Run with the operations not yet seen live (Conformance.Unseen), for the UnseenKvmFact tests.</summary>
    private RunResult RunUnseen(string ops, string? mutant = null) => new Conformance(fx.Live, Config(mutant)) { Unseen = true }.Run(KOp.Parse(ops, 16));

    [KvmFact]
    public void A_clean_run_of_a_few_hundred_operations_shows_no_mismatch_and_is_not_vacuous()
    {
        var r = Campaign.Run(fx.Live, Config(), 300, null, 1);
        Assert.Null(r.Mismatch);
        Assert.Null(r.Vacuous);
        Assert.True(r.Stats.Ops >= 300, $"{r.Stats.Ops} operations");
        Assert.True(r.Stats.GuestAccesses > 100, $"{r.Stats.GuestAccesses} guest accesses");
        // every instruction the vCPU emulated was an MMIO access of the command channel: the data accesses ran natively
        Assert.Equal(r.Stats.Mmio, r.Stats.InsnEmulation);
        Assert.True(r.Stats.RefaultsFixed > 0 && r.Stats.Refaults >= r.Stats.RefaultsFixed, $"{r.Stats.RefaultsFixed} of {r.Stats.Refaults} re-faults grew pf_fixed");
    }

    [KvmFact]
    public void Count_is_the_exact_number_of_operations_run()
    {
        // issue 13: `--count 50` ran 74 operations (whole sequences of up to 40 until 50 were reached); the last sequence is now
        // cut, and it is the prefix of the sequence a longer count runs
        var r = Campaign.Run(fx.Live, Config(), 50, null, 3);
        Assert.Null(r.Mismatch);
        Assert.Equal(50, r.Stats.Ops);
        int n = 0, k = 0;
        while (n < 50) n += Campaign.Sequence(16, 3, k++).Length;
        Assert.True(n > 50, "the seed's sequences happen to end at 50: the cut is not exercised");
        Assert.Equal(k, r.Runs);
    }

    [KvmFact]
    public void The_reference_steps_of_a_live_run_replay_as_a_trace()
    {
        var ops = KOp.Parse("mmap 0 16 rw; guest_write 3 5; fork; host_write 3 6; child_read 0 3; munmap 2 5; guest_read 3", 16);
        var r = Campaign.Run(fx.Live, Config(), 1, null, 1, ops, keepTrace: true);
        Assert.Null(r.Mismatch);
        var w = new StringWriter();
        TraceFile.Write(w, r.Reference!);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var replay = Replay.Run(lines);
        Assert.True(replay.Accepted, replay.Message);
        Assert.Equal(lines.Length, replay.Lines);
        Assert.Equal(r.Reference!.State.Ptes.ToArray(), replay.Final!.Ptes.ToArray());
    }

    [KvmFact]
    public void Guest_reads_see_host_writes_and_a_munmapped_page_faults_for_host_and_guest()
    {
        var r = Run("mmap 0 4 rw; host_write 1 42; guest_read 1; guest_write 2 7; host_read 2; munmap 1 3; guest_read 1; host_read 2");
        Assert.Null(r.Mismatch);
        Assert.Equal(8, r.Stats.Ops);
    }

    [KvmFact]
    public void Finding_fork_copies_no_zero_page_pte_of_a_vma_without_anon_vma()
    {
        // the shrunk sequence that showed the reference copying the zero-page PTE (before vma_needs_copy was modelled)
        var r = Run("mmap 1 15 none; mprotect 2 3 rw; guest_read 2; fork; child_read 0 2");
        Assert.Null(r.Mismatch);
        Assert.Empty(r.Reference.State.Children[0]); // nothing copied; the child read faulted the zero page in itself
    }

    [KvmFact]
    public void Finding_a_vma_made_read_only_after_its_first_page_keeps_vm_account_and_stays_apart()
    {
        // mm/mprotect.c mprotect_fixup keeps VM_ACCOUNT of [10, 11) (it has an anon_vma), so it does not merge into
        // [7, 10) (mapped r: no VM_ACCOUNT), which stays without an anon_vma: fork copies no PTE of it, the child
        // has no page 9 (the reference merged the two and copied the zero-page PTE before; Reference.Tests
        // A_vma_made_read_only_after_its_first_page_keeps_vm_account_...)
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap 0 16 rw; host_write 10 308225; mmap 7 10 r; mprotect 8 11 r; guest_read 9; fork; child_read 0 9; child_read 0 10", 16));
        Assert.Null(r.Mismatch);
        Assert.False(r.Reference.State.Children[0].ContainsKey(9));
    }

    [KvmFact]
    public void Finding_a_vma_mremap_moves_after_its_first_page_keeps_its_pgoff_and_stays_apart()
    {
        // mm/vma.c copy_vma keeps vm_pgoff of a moved VMA with an anon_vma: [8, 11) does not merge with [0, 8), which has
        // no anon_vma, so the child has no PTE of page 3 (Reference.Tests A_vma_mremap_moves_after_its_first_page_...)
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap 0 16 rw; guest_read 10; mremap 10 12 3; host_write 13 910638; mremap 12 15 8; mmap 10 12 rw; fork; child_read 0 3; child_read 0 8", 16));
        Assert.Null(r.Mismatch);
        Assert.False(r.Reference.State.Children[0].ContainsKey(3));
    }

    [KvmFact]
    public void Finding_madvise_over_a_hole_advises_the_mapped_part_and_fails_with_enomem()
    {
        var r = Run("mmap 0 2 rw; host_write 1 5; dontneed 1 3; host_read 1");
        Assert.Null(r.Mismatch);
    }

    [KvmFact]
    public void Ksm_merges_pages_the_guest_then_reads_and_a_guest_write_unshares()
    {
        var r = Run("mmap 0 16 rw; guest_write 3 5; ksm 3 4; guest_read 4; ksm 3 5; guest_write 4 6; host_read 4; host_read 3; guest_read 5");
        Assert.Null(r.Mismatch);
        Assert.Equal(2, r.Stats.Driven["ksm"]);
        Assert.Equal(0, r.Stats.Refused);
        // the reference agrees: 3 and 5 still share the KSM frame, 4 has its own copy
        var st = r.Reference.State;
        Assert.Equal(st.Ptes[3]!.Value.Frame, st.Ptes[5]!.Value.Frame);
        Assert.NotEqual(st.Ptes[3]!.Value.Frame, st.Ptes[4]!.Value.Frame);
        Assert.Equal("0", File.ReadAllText("/sys/kernel/mm/ksm/run").Trim()); // ksmd stopped again
    }

    [KvmFact]
    public void CowForgetsWriteProtect_is_caught_by_the_exclusive_bit_after_the_guest_writes()
    {
        var r = Run("mmap 0 16 rw; guest_write 3 1; fork; guest_write 3 2", "CowForgetsWriteProtect");
        Assert.Equal(new Mismatch(3, "guest_write 3 2", "pagemap exclusively mapped", 3, "exclusive", "not exclusive (frame 1, map count 2)"), r.Mismatch);
    }

    [KvmFact]
    public void CowForgetsWriteProtect_is_caught_by_a_child_read()
    {
        // without the exclusive-bit check the child's read would still show it: the child sees the parent's write
        var r = Run("mmap 0 16 rw; host_write 3 1; fork; host_write 3 2; child_read 0 3", "CowForgetsWriteProtect");
        Assert.NotNull(r.Mismatch);
        Assert.Equal(3, r.Mismatch!.OpIndex);
    }

    [KvmFact]
    public void ForkNoEvent_is_caught()
    {
        var r = Run("mmap 0 16 rw; guest_write 3 1; fork; guest_write 3 2; child_read 0 3", "ForkNoEvent");
        Assert.Equal(new Mismatch(3, "guest_write 3 2", "pagemap exclusively mapped", 3, "exclusive", "not exclusive (frame 1, map count 2)"), r.Mismatch);
    }

    [KvmFact]
    public void RangeOnePageShort_is_caught_by_a_guest_read_of_the_last_page()
    {
        var r = Run("mmap 15 16 rw; host_read 15; munmap 14 16", "RangeOnePageShort");
        Assert.Equal(new Mismatch(2, "munmap 14 16", "guest read (check)", 15, "a fault", "0"), r.Mismatch);
    }

    [KvmFact]
    public void Driver_side_V7MprotWriteProtect_is_caught_by_a_guest_read_after_mprotect_none()
    {
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Upstream, Mutants.Find("V7MprotWriteProtect")))
            .Run(KOp.Parse("mmap 0 16 rw; guest_read 2; mprotect 1 3 none", 16));
        Assert.Equal(new Mismatch(2, "mprotect 1 3 none", "guest read (check)", 2, "a fault", "0"), r.Mismatch);
    }

    private T Traced<T>(Func<T> f)
    {
        Assert.Null(fx.Live.EnableTrace());
        try { return f(); } finally { fx.Live.DisableTrace(); }
    }

    [KvmTraceFact]
    public void WrongEventMprotect_is_caught_only_by_the_invalidating_call_path()
    {
        const string ops = "mmap 0 16 rw; guest_read 2; mprotect 1 3 none";
        var r = Traced(() => Run(ops, "WrongEventMprotect"));
        var m = r.Mismatch!;
        Assert.Equal((2, "invalidation call path", 1, "MMU_NOTIFY_PROTECTION_PAGE over [1, 3) (a call site of copy_page_range/page_mkclean_one/wp_clean_pre_vma)"), (m.OpIndex, m.What, m.Page, m.Reference));
        Assert.StartsWith("[1, 3) from change_protection (change_protection < mprotect_fixup", m.Kernel);
        // the pages and values agree: KVM unmaps on every event, so without the trace the mutant survives
        Assert.Null(Run(ops, "WrongEventMprotect").Mismatch);
    }

    [KvmTraceFact]
    public void Under_v7_ksm_tells_write_protect_page_from_replace_page_and_replaces_the_page_scanned_first()
    {
        // v7: write_protect_page sends MMU_WRITE_PROTECT, replace_page MMU_MIGRATE; ksmd replaces page 12 (scanned
        // first, in the unstable tree) by page 15's frame, not the other way round
        var conf = new Conformance(fx.Live, KvmConfig(16, Vocabulary.V7, null));
        var r = Traced(() => conf.Run(KOp.Parse("mmap 0 16 rw; host_write 12 5; ksm 12 15; guest_read 12", 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Paths["replace_page"]);
        Assert.Equal(2, r.Stats.Paths["write_protect_page"]);
        Assert.Contains(r.Reference.Trace, l => l.Op == "ksm_merge" && (int)l.Get("page")! == 15 && (int)l.Get("other")! == 12);
    }

    [KvmTraceFact]
    public void A_traced_clean_run_matches_every_call_path_with_a_row_of_the_running_kernels_vocabulary()
    {
        var (vocab, why) = KernelRelease.VocabularyOf(KernelRelease.Running());
        Assert.True(vocab != Vocabulary.Upstream, $"this test is about a kernel the catalogue has: {why}");
        // 1,000 operations: since the generators draw child writes and the userfaultfd operations too (session 9), seed 1's
        // first 300 have no mprotect over a page with a PTE (the kernel's change_protection calls there are over ranges with
        // a page table but no PTE, which the reference does not notify: counted as kernel invalidations it does not make)
        var r = Traced(() => Campaign.Run(fx.Live, KvmConfig(16, vocab, null), 1000, null, 1));
        Assert.Null(r.Mismatch);
        foreach (var site in new[] { "unmap_vmas", "copy_page_range", "change_protection", "zap_page_range", "wp_page_copy" })
            Assert.True(r.Stats.Paths.GetValueOrDefault(site) > 0, $"{site}: {string.Join(", ", r.Stats.Paths)}");
        Assert.False(Directory.Exists($"/sys/kernel/tracing/instances/notifier-kernel-{Environment.ProcessId}")); // removed again
    }

    // page 5 maps the zero page, write-protected with the rest; the handler resolves the writes to 3 and 4; the unregister
    // clears the zero page's bit, so the host's write of 5 is a plain COW (no handler)
    private const string UffdOps = "mmap 0 16 rw; guest_write 3 5; host_write 4 6; guest_read 5; uffd_register 2 6; uffd_wp 2 6; host_read 3; guest_write 3 7; "
        + "host_write 4 8; guest_read 4; host_read 3; uffd_unregister 0 16; host_write 5 9; guest_write 4 10";

    [KvmFact]
    public void Uffd_write_protect_agrees_and_the_handler_resolves_each_write_to_a_protected_page()
    {
        Assert.Null(fx.Live.UffdWhy);
        var r = Run(UffdOps);
        Assert.Null(r.Mismatch);
        Assert.Equal((1, 1, 1), (r.Stats.Driven["uffd_register"], r.Stats.Driven["uffd_wp"], r.Stats.Driven["uffd_unregister"]));
        Assert.Equal(0, r.Stats.Refused);
        // the guest's write of page 3 and the host's of page 4 faulted to the handler, as the reference predicted (each
        // operation's count is compared: Conformance UffdResolved); page 5's write after the unregister did not
        Assert.Equal(2, r.Stats.UffdResolved);
    }

    [KvmFact]
    public void A_harness_that_skips_the_reference_uffd_call_is_caught_by_the_pagemap_uffd_wp_bit()
    {
        var conf = new Conformance(fx.Live, Config()) { PlantUffdWpSkipsReference = true };
        var r = conf.Run(KOp.Parse(UffdOps, 16));
        Assert.Equal(new Mismatch(5, "uffd_wp 2 6", "pagemap uffd-wp", 3, "uffd-wp", "no uffd-wp bit (frame 1)"), r.Mismatch);
    }

    /// <summary>Planted: the reference keeps its uffd-wp bits through UFFDIO_UNREGISTER (the harness skips its call, as a
    /// reference whose unregister forgot userfaultfd_clear_vma's uffd_wp_range(.., false) would): the kernel cleared page 5's
    /// bit (the zero page, still mapped read-only), the reference did not.</summary>
    [KvmFact]
    public void A_reference_that_keeps_the_bits_through_unregister_is_caught_by_the_pagemap_uffd_wp_bit()
    {
        var conf = new Conformance(fx.Live, Config()) { PlantUnregisterSkipsReference = true };
        var r = conf.Run(KOp.Parse(UffdOps, 16));
        Assert.Equal(new Mismatch(11, "uffd_unregister 0 16", "pagemap uffd-wp", 5, "no uffd-wp bit", "uffd-wp (frame 0)"), r.Mismatch);
    }

    [KvmFact]
    public void Under_v7_the_reference_refuses_userfaultfd_and_the_kernel_is_not_asked()
    {
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.V7, null)).Run(KOp.Parse(UffdOps, 16));
        Assert.Null(r.Mismatch);
        Assert.Equal(3, r.Stats.Refused);
        Assert.Equal(0, r.Stats.UffdResolved);
    }

    [KvmFact]
    public void Errors_without_effect_are_asked_of_the_kernel_too()
    {
        // no VMA in the range: UFFDIO_REGISTER and UFFDIO_UNREGISTER -EINVAL (vma_find), UFFDIO_WRITEPROTECT -ENOENT; a first
        // VMA not registered: -ENOENT before any change (mwriteprotect_range). uffd_wp 0 16 with [0, 4) registered and [4, 8)
        // not: the kernel would protect [0, 4) and then fail, the reference refuses without effect, so it is not run
        var r = Run("uffd_register 0 4; uffd_unregister 0 4; uffd_wp 0 4; mmap 0 16 rw; uffd_wp 0 4; uffd_register 8 16; uffd_register 0 4; uffd_wp 0 16; uffd_wp 8 16");
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
        Assert.Equal((3, 3, 1), (r.Stats.Driven["uffd_register"], r.Stats.Driven["uffd_wp"], r.Stats.Driven["uffd_unregister"]));
    }

    [KvmFact]
    public void Finding_uffd_registration_keeps_vmas_apart_and_the_reference_now_follows()
    {
        // UFFDIO_REGISTER sets VM_UFFD_WP on [9, 12) (mm/userfaultfd.c userfaultfd_register -> vma_modify_flags_uffd); the
        // kernel keeps [12, 16) apart from [4, 9), with no anon_vma, and fork does not copy its zero-page PTE (mm/memory.c
        // vma_needs_copy). The reference, without registration, merged the VMAs and copied it (child 0 pagemap present of
        // page 12: live kernel not present, reference present (frame 0)); with Vma.UffdWp it predicts the kernel's layout
        var r = Run("mmap 0 16 rw; uffd_register 9 12; uffd_wp 9 12; mmap 1 4 rw; guest_read 12; guest_write 2 535762; fork");
        Assert.Null(r.Mismatch);
        Assert.Equal([2], r.Reference.State.Children[0].Keys.Order().ToArray());
    }

    /// <summary>Planted: the reference without the registration (the harness skips its uffdio_register) merges [4, 9) and
    /// [12, 16) across the registered [9, 12), as the reference did before Vma.UffdWp: caught at fork.</summary>
    [KvmFact]
    public void A_reference_that_merges_registered_vmas_is_caught_by_what_fork_copies()
    {
        var conf = new Conformance(fx.Live, Config()) { PlantRegisterSkipsReference = true };
        var r = conf.Run(KOp.Parse("mmap 0 16 rw; uffd_register 9 12; mmap 1 4 rw; guest_read 12; guest_write 2 535762; fork", 16));
        Assert.Equal(new Mismatch(5, "fork", "child 0 pagemap present", 12, "not present", "present (frame 0)"), r.Mismatch);
    }

    [KvmFact]
    public void A_generated_run_drives_userfaultfd_by_default_with_no_mismatch()
    {
        var r = Campaign.Run(fx.Live, Config(), 300, null, 2);
        Assert.Null(r.Mismatch);
        foreach (var op in new[] { "uffd_register", "uffd_wp", "uffd_unregister" })
            Assert.True(r.Stats.Driven.GetValueOrDefault(op) > 0, $"{op}: {string.Join(", ", r.Stats.Driven)}");
        Assert.True(r.Stats.UffdResolved > 0, "no write to a uffd-wp page in 300 operations of seed 2");
        var off = Campaign.Run(fx.Live, Config(), 100, null, 2, uffd: false);
        Assert.DoesNotContain(off.Stats.Driven.Keys, k => k.StartsWith("uffd_", StringComparison.Ordinal));
    }

    [KvmTraceFact]
    public void Traced_uffd_write_protect_and_unregister_are_uffd_wp_range_and_the_handlers_unprotects_match_the_reference()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse(UffdOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(2, r.Stats.UffdUnprotects);
        Assert.Equal(0, r.Stats.Extra);
        // the first UFFDIO_WRITEPROTECT's event was dropped once as another process's (session 10: its task's tgid column not
        // filled yet; KvmUnmapTrace.Owner decides by the event's pid now)
        Assert.Equal(4, r.Stats.Paths["uffd_wp_range"]); // UFFDIO_WRITEPROTECT, two un-protects, UFFDIO_UNREGISTER
    }

    [KvmFact]
    public void A_thp_vma_faults_a_huge_page_and_madv_collapse_agrees_with_collapse_huge_page()
    {
        // 1024 pages, huge pages of 512: the first write faults a THP (kpageflags THP checked for all 512 pages);
        // MADV_DONTNEED of page 0 splits the PMD, page 0 refaults as a base page, MADV_COLLAPSE makes the block huge again
        const string ops = "mmap_thp 0 1024 rw; host_write 3 5; dontneed 0 1; host_write 0 4; collapse 3; guest_read 3; host_read 0; guest_write 0 6; guest_read 1";
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)).Run(KOp.Parse(ops, 1024));
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Driven["collapse"]);
        Assert.Equal(0, r.Stats.Refused);
        Assert.All(Enumerable.Range(0, 512), p => Assert.True(r.Reference.State.Ptes[p] is { Huge: true }));
        Assert.Equal(Enumerable.Repeat<Pte?>(null, 512), r.Reference.State.Ptes.Skip(512));
    }

    [KvmFact]
    public void A_harness_that_does_not_send_madv_collapse_is_caught_by_kpageflags_thp()
    {
        const string ops = "mmap_thp 0 1024 rw; host_write 3 5; dontneed 0 1; host_write 0 4; collapse 3";
        var conf = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)) { PlantCollapseSkipsKernel = true };
        var r = conf.Run(KOp.Parse(ops, 1024));
        Assert.Equal((4, "collapse 3", "kpageflags THP", 0, "a base page"), (r.Mismatch!.OpIndex, r.Mismatch.Op, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel));
        Assert.StartsWith("a huge page (frame ", r.Mismatch.Reference);
    }

    private const string HugeZeroOps = "mmap_thp 0 1024 rw; host_read 3; guest_read 600; fork; child_read 0 700; child_read 0 5; host_write 5 7; guest_read 5; guest_write 520 9; host_read 1; child_read 0 6";

    [KvmTraceFact]
    public void Huge_zero_page_reads_fork_and_writes_agree_and_the_write_is_do_huge_zero_wp_pmd()
    {
        // linux-7.2 mm/huge_memory.c do_huge_pmd_anonymous_page: a read fault with use_zero_page maps the huge zero page
        // (the reference's zero frame mapped huge; pagemap: not exclusive, KPF_ZERO_PAGE + KPF_THP, no AnonHugePages); fork
        // copies it (copy_huge_pmd) and the child's own read fault maps it too; a write is do_huge_pmd_wp_page ->
        // do_huge_zero_wp_pmd (a new THP, MMU_NOTIFY_CLEAR over the PMD), traced from do_huge_pmd_wp_page
        Assert.True(LiveMm.HugeZeroPageEnabled(), "use_zero_page is 1 on these machines");
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)).Run(KOp.Parse(HugeZeroOps, 1024)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(2, r.Stats.Paths["do_huge_zero_wp_pmd"]); // blocks 0 and 1, each written once
        Assert.Equal(1, r.Stats.Paths["copy_page_range"]); // the huge zero page attached an anon_vma: fork copies the VMA
        Assert.Contains(r.Reference.Trace, l => l.Op == "invalidate_range_start" && (int)l.Get("start")! == 512 && (int)l.Get("end")! == 1024);
    }

    [KvmTraceFact]
    public void Under_linux_6_12_the_huge_zero_write_is_a_split_and_the_live_618_kernel_disagrees_by_call_path()
    {
        // linux-6.12 do_huge_pmd_wp_page: is_huge_zero_pmd -> fallback (__split_huge_pmd, then wp_page_copy of one page); the
        // 6.18 kernel here has do_huge_zero_wp_pmd: the catalogue's linux-6.18 row is what makes the two agree
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_12, null)).Run(KOp.Parse("mmap_thp 0 1024 rw; host_read 3; host_write 5 7", 1024)));
        Assert.NotNull(r.Mismatch);
        Assert.Equal((2, "invalidation call path", 0), (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page));
        Assert.StartsWith("[0, 512) from do_huge_zero_wp_pmd (do_huge_pmd_wp_page <", r.Mismatch.Kernel);
    }

    // pages 1 and 2 written and read by the guest, then moved to [8, 10) of a registered VMA (linux-7.2 mm/userfaultfd.c
    // validate_move_areas: the destination VMA must be registered with this userfaultfd); the guest reads them there and
    // faults on the emptied source
    private const string MoveOps = "mmap 0 16 rw; uffd_register 4 12; host_write 1 5; host_write 2 6; guest_read 1; guest_read 2; uffd_move 1 8 2; "
        + "guest_read 8; guest_read 9; host_read 8; guest_read 1";

    /// <summary>UFFDIO_MOVE on the live 6.18 kernel: the values, pagemap and KVM's mappings agree with the reference's
    /// uffdio_move, and the one invalidation is traced from move_pages_ptes over [1, 3), the whole move (linux-6.18 row:
    /// commit 50944692052b, v6.18, [src_addr, src_addr + len)); the kernel moves both pages in that one bracket
    /// (move_present_ptes' batch), the reference's second step brackets [2, 3) (one range difference, not a mismatch).</summary>
    [KvmTraceFact]
    public void Uffd_move_agrees_with_linux_6_18_and_is_traced_from_move_pages_ptes_over_the_whole_move()
    {
        Assert.Null(fx.Live.UffdWhy);
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse(MoveOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Driven["uffd_move"]);
        Assert.Equal(2, r.Stats.Paths["move_pages_ptes"]);
        Assert.Equal(1, r.Stats.RangeDiffs);
        Assert.Equal("uffd_move 1 8 2: move_pages_ptes over [1, 3), reference MMU_NOTIFY_CLEAR over [2, 3)", r.Stats.FirstRangeDiff);
        Assert.Equal(0, r.Stats.Extra);
        Assert.Equal([(1, 3), (2, 3)], r.Reference.Trace.Where(l => l.Op == "invalidate_range_start").Select(l => ((int)l.Get("start")!, (int)l.Get("end")!)));
    }

    /// <summary>Planted: the reference with linux-6.12's move_pages_pte (one page per bracket), the linux-6.18 rows of before
    /// (the catalogue took 6.18 as 6.12 there): the live 6.18 kernel's move_pages_ptes invalidates [1, 3), the reference [1, 2).</summary>
    [KvmTraceFact]
    public void Under_linux_6_12_the_move_bracket_is_one_page_and_the_live_618_kernel_disagrees()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_12, null)).Run(KOp.Parse(MoveOps, 16)));
        Assert.NotNull(r.Mismatch);
        Assert.Equal((6, "uffdio_move bracket", 1), (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page));
        Assert.StartsWith("[1, 3) from move_pages_ptes (move_pages_ptes < move_pages <", r.Mismatch.Kernel);
        Assert.Equal("MMU_NOTIFY_CLEAR over [1, 2) MMU_NOTIFY_CLEAR over [2, 3)", r.Mismatch.Reference);
    }

    /// <summary>UFFDIO_MOVE's refusals agree: a destination the reference does not hold registered is not run (refused); a
    /// mapped destination (EEXIST) and, after fork, a page the child maps too (EBUSY: not PageAnonExclusive) fail on both
    /// sides with nothing moved; the moves in between agree page by page, also in the child.</summary>
    [KvmFact]
    public void Uffd_move_refusals_agree_and_a_move_to_an_unregistered_vma_is_not_run()
    {
        var r = Run("mmap 0 16 rw; uffd_register 8 12; host_write 1 5; uffd_move 1 4 1; uffd_move 2 8 1; host_write 9 3; uffd_move 1 9 1; uffd_move 1 8 1; "
            + "guest_read 8; host_read 1; host_write 3 7; fork; uffd_move 3 10 1; child_read 0 3; uffd_move 8 11 1; guest_read 11; host_write 11 4; child_read 0 3");
        Assert.Null(r.Mismatch);
        // refused: the unregistered destination, and `uffd_move 2 8 1` (no source page, [8, 12) without an anon_vma)
        Assert.Equal(2, r.Stats.Refused);
        Assert.Equal(4, r.Stats.Driven["uffd_move"]);
    }

    /// <summary>UFFDIO_MOVE's refusals agree: a destination VMA not registered with the userfaultfd (EINVAL: linux-7.2
    /// mm/userfaultfd.c validate_move_areas, in the reference too), a mapped destination (EEXIST) and, after fork, a page the
    /// child maps too (EBUSY: not PageAnonExclusive) fail on both sides with nothing moved; the moves in between agree page by
    /// page, also in the child. Not run: `uffd_move 2 8 1`, refused by the reference into [8, 12), which has no anon_vma
    /// (the kernel would give it one).</summary>
    [UnseenKvmFact]
    public void Uffd_move_refusals_agree_and_a_move_to_an_unregistered_vma_fails_on_both_sides()
    {
        var r = RunUnseen("mmap 0 16 rw; uffd_register 8 12; host_write 1 5; uffd_move 1 4 1; uffd_move 2 8 1; host_write 9 3; uffd_move 1 9 1; uffd_move 1 8 1; "
            + "guest_read 8; host_read 1; host_write 3 7; fork; uffd_move 3 10 1; child_read 0 3; uffd_move 8 11 1; guest_read 11; host_write 11 4; child_read 0 3");
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
        Assert.Equal(5, r.Stats.Driven["uffd_move"]);
    }

    /// <summary>Planted: PlantUffdMoveUnregisteredDst (the reference of session 11 moved into any VMA): the live kernel refuses
    /// the move into [0, 8), which is not registered (validate_move_areas: -EINVAL), where the reference moves.</summary>
    [UnseenKvmFact]
    public void A_reference_that_moves_into_an_unregistered_vma_is_caught()
    {
        var cfg = KvmConfig(16, Vocabulary.Linux6_18, null) with { PlantUffdMoveUnregisteredDst = true };
        var r = new Conformance(fx.Live, cfg) { Unseen = true }.Run(KOp.Parse("mmap 0 16 rw; uffd_register 8 12; host_write 1 5; uffd_move 1 4 1; host_read 4", 16));
        Assert.Equal(new Mismatch(3, "uffd_move 1 4 1", "uffdio_move", 1, "errno 22", "moves"), r.Mismatch);
    }

    /// <summary>Overlapping ranges, the example the harness found in session 11 (linux-7.2 mm/userfaultfd.c move_pages has no
    /// overlap check and walks up from src_start): page 9's value is carried up to page 14 in both. The kernel moves the five
    /// steps in one move_pages_ptes bracket over [9, 14) (move_present_ptes' batch: check_ptes_for_batched_move finds each
    /// next source page, the one just moved, present and exclusive); the reference brackets each step over the rest of the
    /// move: [9, 14), then [10, 14) ... [13, 14), four range differences.</summary>
    [UnseenKvmTraceFact]
    public void An_overlapping_move_carries_the_page_up_as_the_live_kernel_does()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { Unseen = true }.Run(KOp.Parse(OverlapOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Driven["uffd_move"]);
        Assert.Equal((5L, 4L), (r.Stats.Paths["move_pages_ptes"], r.Stats.RangeDiffs));
        Assert.Equal("uffd_move 9 10 5: move_pages_ptes over [9, 14), reference MMU_NOTIFY_CLEAR over [10, 14)", r.Stats.FirstRangeDiff);
    }

    private const string OverlapOps = "mmap 0 16 rw; uffd_register 4 11; uffd_register 10 15; host_write 9 71274; uffd_move 9 10 5; host_read 14; guest_read 14; guest_read 9";

    /// <summary>Planted: PlantUffdMoveRefusesOverlap, the reference of session 11 (EINVAL for overlapping ranges), against the
    /// live kernel, which moves them.</summary>
    [UnseenKvmFact]
    public void A_reference_that_refuses_overlapping_moves_is_caught()
    {
        var cfg = KvmConfig(16, Vocabulary.Linux6_18, null) with { PlantUffdMoveRefusesOverlap = true };
        var r = new Conformance(fx.Live, cfg) { Unseen = true }.Run(KOp.Parse(OverlapOps, 16));
        Assert.Equal(new Mismatch(4, "uffd_move 9 10 5", "uffdio_move", 9, "moves all", "EINVAL (source and destination overlap)"), r.Mismatch);
    }

    /// <summary>Found live: UFFDIO_MOVE gives the destination VMA its anon_vma first (linux-7.2 mm/userfaultfd.c uffd_lock_vma
    /// -> find_vma_and_prepare_anon), so the zero page moved into [8, 12) is copied by fork (copy_page_range once, for that
    /// VMA only: [0, 8) has none). The reference without it (seen: child 0 pagemap present of page 9) disagreed at fork.</summary>
    [KvmTraceFact]
    public void Uffd_move_of_the_zero_page_leaves_the_destination_an_anon_vma_that_fork_copies()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap 0 16 rw; uffd_register 8 12; guest_read 2; uffd_move 2 9 1; fork; child_read 0 9; guest_read 9", 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal((1L, 1L), (r.Stats.Paths["move_pages_ptes"], r.Stats.Paths["copy_page_range"]));
    }

    /// <summary>Overlapping ranges are not run (the reference refuses them with EINVAL; the live 6.18.44 kernel moved
    /// `uffd_move 9 10 5` with page 9 written: no overlap check in linux-6.12 fs/userfaultfd.c userfaultfd_move or linux-7.2
    /// mm/userfaultfd.c move_pages), nor a refused move into a VMA the reference holds without an anon_vma (the kernel
    /// would have given it one).</summary>
    [KvmFact]
    public void Overlapping_moves_and_refusals_that_would_prepare_an_anon_vma_are_not_run()
    {
        var r = Run("mmap 0 16 rw; uffd_register 4 8; host_write 5 71274; uffd_move 5 6 2; uffd_register 12 16; guest_read 13; uffd_move 2 13 1; fork; child_read 0 13");
        Assert.Null(r.Mismatch);
        Assert.Equal(2, r.Stats.Refused);
        Assert.False(r.Stats.Driven.ContainsKey("uffd_move"));
    }

    /// <summary>A refusal into a VMA without an anon_vma is run: `uffd_move 2 13 1` (EEXIST: page 13 holds the zero page)
    /// into [12, 16), which the kernel's uffd_lock_vma (linux-7.2 mm/userfaultfd.c) gives an anon_vma first, as the
    /// reference's refusal now does (Planner.RefusalVmas); fork then copies its zero page on both sides. The overlapping
    /// move before it is run too: page 5 carried up to page 7 (5 -> 6 -> 7).</summary>
    [UnseenKvmFact]
    public void A_refusal_into_a_vma_without_an_anon_vma_and_an_overlapping_move_agree()
    {
        var r = RunUnseen(RefusalOps);
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(2, r.Stats.Driven["uffd_move"]);
    }

    private const string RefusalOps = "mmap 0 16 rw; uffd_register 4 8; host_write 5 71274; uffd_move 5 6 2; host_read 7; uffd_register 12 16; guest_read 13; uffd_move 2 13 1; fork; child_read 0 13";

    /// <summary>Planted: PlantUffdMoveRefusalForgetsAnonVma, the reference of session 11 (a refused move left the destination
    /// VMA as it was): the kernel's fork copies the zero page of [12, 16), which now has an anon_vma, the reference's does not.</summary>
    [UnseenKvmFact]
    public void A_reference_whose_refused_move_forgets_the_anon_vma_is_caught_at_fork()
    {
        var cfg = KvmConfig(16, Vocabulary.Linux6_18, null) with { PlantUffdMoveRefusalForgetsAnonVma = true };
        var r = new Conformance(fx.Live, cfg) { Unseen = true }.Run(KOp.Parse(RefusalOps, 16));
        Assert.NotNull(r.Mismatch);
        Assert.Equal((8, "fork", 13), (r.Mismatch!.OpIndex, r.Mismatch.Op, r.Mismatch.Page));
    }

    /// <summary>UFFDIO_MOVE of a whole PMD-mapped THP to an empty, registered, aligned block: one invalidation, traced from
    /// move_pages_huge_pmd over the source block [0, 512) (linux-7.2 mm/huge_memory.c move_pages_huge_pmd: src_addr,
    /// src_addr + HPAGE_PMD_SIZE), as the reference's; its values and pagemap agree.</summary>
    [KvmTraceFact]
    public void Uffd_move_of_a_whole_thp_is_traced_from_move_pages_huge_pmd()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap_thp 0 1024 rw; uffd_register 512 1024; host_write 0 1; host_write 3 9; guest_read 3; uffd_move 0 512 512; guest_read 515; host_read 3; guest_read 3", 1024)));
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Paths["move_pages_huge_pmd"]);
        Assert.Equal((0L, 0L), (r.Stats.Extra, r.Stats.RangeDiffs));
        Assert.Contains(r.Reference.Trace, l => l.Op == "invalidate_range_start" && (int)l.Get("start")! == 0 && (int)l.Get("end")! == 512);
    }

    /// <summary>Planted: MoveHugePmdNoNotify (the THP's PMD moves without invalidate_range_start/end) against the live kernel:
    /// KVM keeps the reference's guest mapping of page 3 after the move, so its guest read does not fault and page 0 stays
    /// empty in the reference, while the kernel's read fault maps it (the pagemap check, no tracing needed).</summary>
    [KvmFact]
    public void MoveHugePmdNoNotify_is_caught_against_the_live_kernel()
    {
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, Mutants.Find("MoveHugePmdNoNotify")))
            .Run(KOp.Parse("mmap_thp 0 1024 rw; uffd_register 512 1024; guest_read 3; uffd_move 0 512 512; guest_read 3", 1024));
        Assert.Equal(new Mismatch(4, "guest_read 3", "pagemap present", 0, "present", "not present"), r.Mismatch);
    }

    [KvmFact]
    public void A_reference_without_the_huge_zero_page_is_caught_by_the_zero_page_check_and_its_reads_are_otherwise_not_run()
    {
        // the planted bug is the reference of before (MmConfig.HugeZeroPage off: its THP read fault allocates a huge page)
        var off = KvmConfig(1024, Vocabulary.Linux6_18, null, hugeZeroPage: false);
        var r = new Conformance(fx.Live, off) { RunHugeZeroReads = true }.Run(KOp.Parse("mmap_thp 0 1024 rw; host_read 3", 1024));
        Assert.Equal(new Mismatch(1, "host_read 3", "zero page", 0, "the huge zero page", "frame 1"), r.Mismatch);
        // so with it off such a read is not run (counted as refused) unless asked for
        var q = new Conformance(fx.Live, off).Run(KOp.Parse("mmap_thp 0 1024 rw; host_read 3; guest_read 4", 1024));
        Assert.Null(q.Mismatch);
        Assert.Equal(2, q.Stats.Refused);
        // with it on (the kernel's use_zero_page), they run and agree
        var on = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null, hugeZeroPage: true)).Run(KOp.Parse("mmap_thp 0 1024 rw; host_read 3; guest_read 4", 1024));
        Assert.Null(on.Mismatch);
        Assert.Equal(0, on.Stats.Refused);
    }

    [KvmFact]
    public void The_reference_refuses_a_collapse_of_a_block_that_is_already_huge_and_the_kernel_is_not_asked()
    {
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)).Run(KOp.Parse("mmap_thp 0 1024 rw; host_write 3 5; collapse 3", 1024));
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
    }

    /// <summary>128 pages written by the host (and so read by the guest in the check after each write), compaction, then
    /// every page written again: the check after each write reads every page through the guest. No two pages of the region
    /// ever hold the same value, nor one of another process running this sequence (the values carry the process id, the second
    /// round its own range): the region is MADV_MERGEABLE, and while ksmd runs (any session's `ksm`) it merges such pages (seen:
    /// page 59's second value p * 11 + 3 = 652 was page 93's first, p * 7 + 1: `after operation 219 (host_write 88 4797971):
    /// pagemap exclusively mapped of page 59: live kernel not exclusive, reference exclusive (frame 60, map count 1)`).</summary>
    public static string MigrationOps()
    {
        int salt = Environment.ProcessId % 100_000 * 10_000;
        var ops = new List<string> { "mmap 0 128 rw" };
        for (int p = 0; p < 128; p++) ops.Add($"host_write {p} {salt + p * 7 + 1}");
        ops.Add("migrate");
        for (int p = 0; p < 128; p++) ops.Add($"host_write {p} {salt + 5000 + p * 11 + 3}");
        return string.Join("; ", ops);
    }

    /// <summary>The migration sequence, repeated (CompactionRetry) until compaction moved a page of the region. The harness
    /// must have run the compaction and migrated in the reference every page compaction moved (none is mapped by a child here,
    /// so none may be counted as not modelled); when compaction moved none of the 128 pages in every run, the test is skipped
    /// with that reason (SkipException), never passed.</summary>
    private RunResult RunUntilMigrated(string? mutant)
    {
        var config = KvmConfig(128, Vocabulary.Linux6_18, mutant is null ? null : Mutants.Find(mutant));
        var r = CompactionRetry.Until(() => new Conformance(fx.Live, config).Run(KOp.Parse(MigrationOps(), 128)), x => x.Stats.Migrated > 0, out long elsewhere);
        Assert.True(r.Stats.Compactions == 1, $"the harness ran {r.Stats.Compactions} compactions (live.MigrateWhy: {fx.Live.MigrateWhy})");
        Assert.True(r.Stats.MigratedUnmodelled == 0, $"moved pages the reference did not migrate: {r.Stats.FirstUnmodelled}");
        if (r.Stats.Migrated == 0) throw CompactionRetry.NoneMoved(128, elsewhere);
        return r;
    }

    [KvmSkippableFact]
    public void Compaction_migrates_pages_the_guest_maps_and_the_reference_migrate_pages_agrees()
    {
        var r = RunUntilMigrated(null);
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Compactions);
        Assert.Equal(0, r.Stats.MigratedUnmodelled);
        // KVM faulted the migrated pages again (their old frames' shadow PTEs were dropped)
        Assert.True(r.Stats.RefaultsFixed > 0, $"{r.Stats.RefaultsFixed} of {r.Stats.Refaults}");
    }

    [KvmSkippableFact]
    public void MigrateNoNotify_is_caught_the_guest_reads_the_migrated_page_through_kvm()
    {
        var r = RunUntilMigrated("MigrateNoNotify");
        Assert.NotNull(r.Mismatch);
        Assert.Equal("guest read (check)", r.Mismatch!.What);
        Assert.True(r.Mismatch.OpIndex >= 129, r.Mismatch.ToString()); // at the compaction (operation 130: a migrated page's old frame
        // reused by the next page migrated) or after it
    }


    public const string PageoutOps = "mmap 0 16 rw; host_write 1 11; guest_write 2 22; host_read 3; pageout 0 8; guest_read 1; host_read 2; "
        + "guest_write 1 33; pageout 1 2; mremap 1 2 12; guest_read 12; pageout 2 3; free 0 4; host_read 2";

    [KvmFact]
    public void Madv_pageout_gives_swap_entries_the_guest_faults_back_and_madv_free_drops_them()
    {
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse(PageoutOps, 16));
        Assert.Null(r.Mismatch);
        Assert.Equal(3, r.Stats.Driven["pageout"]);
        Assert.Null(fx.Live.Swap.Why);
        // the guest's reads of the swapped-out pages faulted in KVM again (try_to_unmap_one dropped them)
        Assert.True(r.Stats.RefaultsFixed > 0, $"{r.Stats.RefaultsFixed} of {r.Stats.Refaults}");
        Assert.Equal(0, r.Reference.State.CpuView(2)); // MADV_FREE dropped page 2's swap entry: a fresh zero page
    }

    [KvmFact]
    public void Finding_madv_pageout_of_a_lazyfree_page_discards_it_when_clean_and_is_run_now()
    {
        // found by `--count 500 --seed 4` (then not run): MADV_FREE makes the page lazyfree, and reclaim discards it when clean
        // (linux-7.2 mm/rmap.c try_to_unmap_one, "MADV_FREE page check"), never a swap entry as the reference's pageout made.
        // The reference now has lazyfree frames (Planner.MarkLazyfree, ReclaimLazyfree): page 1 is discarded and reads 0, the
        // page written there afterwards is swapped out as any other
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse("mmap 0 3 rw; guest_write 1 632771; free 0 5; pageout 1 2; host_read 1; host_write 1 7; pageout 1 2", 16));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.True(r.Reference.State.Ptes[1] is { Swapped: true });
        Assert.Equal(7, r.Reference.State.Frames[r.Reference.State.Ptes[1]!.Value.Frame].Content);
    }

    private RunResult Lazy(string ops, bool plantKept = false, bool plantNoPrefetch = false) =>
        new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { PlantLazyfreeKept = plantKept, PlantNoPrefetch = plantNoPrefetch }.Run(KOp.Parse(ops, 16));

    [KvmTraceFact]
    public void Madv_pageout_discards_a_clean_lazyfree_page_and_keeps_one_written_or_mapped_by_kvm_since_madv_free()
    {
        // pages 0 and 9 clean after MADV_FREE: discarded (no swap entry; they read 0 again); page 12 written by the host and page
        // 10 read by the guest (KVM maps it writable and marks it dirty) after it: kept and swap-backed again, so the second
        // pageout swaps them out. Page 8 has no page, so the guest's faults at 10 and 12 prefetch nothing (__direct_pte_prefetch
        // stops at the first page get_user_pages_fast_only cannot get)
        const string ops = "mmap 0 16 rw; host_write 0 4; host_write 9 7; host_write 10 6; host_write 12 5; free 0 16; host_write 12 8; guest_read 10; "
            + "pageout 0 16; host_read 0; host_read 9; pageout 0 16; host_read 12; guest_read 10";
        var r = Traced(() => Lazy(ops));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(6, r.Stats.Paths["try_to_unmap_one"]); // four pages reclaimed by the first pageout (two discarded), two by the second
        var st = r.Reference.State;
        Assert.True(st.Ptes[0] is { Frame: MmState.ZeroFrame } && st.Ptes[9] is { Frame: MmState.ZeroFrame });
        Assert.True(st.Ptes[12] is { Swapped: false } p12 && st.Frames[p12.Frame] is { Content: 8, Lazyfree: false });
        Assert.True(st.Ptes[10] is { Swapped: false } p10 && st.Frames[p10.Frame] is { Content: 6, Lazyfree: false });
    }

    [KvmFact]
    public void A_reference_that_keeps_a_clean_lazyfree_page_is_caught_by_pagemap_after_the_pageout()
    {
        const string ops = "mmap 0 16 rw; host_write 0 4; free 0 16; pageout 0 16; host_read 0";
        Assert.Null(Lazy(ops).Mismatch);
        var r = Lazy(ops, plantKept: true);
        Assert.Equal(new Mismatch(3, "pageout 0 16", "pagemap present", 0, "not present", $"present (frame {r.Reference.State.Ptes[0]!.Value.Frame})"), r.Mismatch);
    }

    [KvmFact]
    public void Kvms_prefetch_dirties_lazyfree_neighbours_of_a_guest_fault_and_a_harness_that_ignores_it_is_caught()
    {
        // the check's guest read of page 3 (the zero page, after host_read 3) faults; KVM prefetches pages 0 and 1 (writable,
        // lazyfree) and marks them dirty (linux-7.2 arch/x86/kvm/mmu/mmu.c direct_pte_prefetch_many -> kvm_release_page_dirty),
        // so the pageout keeps them; page 2 has no page, which ends the run there
        const string ops = "mmap 0 16 rw; host_write 0 4; host_write 1 5; free 0 16; host_read 3; pageout 0 16; host_read 0";
        var r = Lazy(ops);
        Assert.Null(r.Mismatch);
        Assert.True(r.Reference.State.Ptes[0] is { Swapped: false, Frame: > 0 } && r.Reference.State.Ptes[1] is { Swapped: false, Frame: > 0 });
        var p = Lazy(ops, plantNoPrefetch: true);
        Assert.Equal(new Mismatch(5, "pageout 0 16", "pagemap present", 0, "present", "not present"), p.Mismatch);
    }

    [KvmFact]
    public void A_harness_that_sends_madv_dontneed_for_pageout_is_caught_by_the_pagemap_swapped_bit()
    {
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { PlantPageoutSendsDontneed = true }
            .Run(KOp.Parse("mmap 0 4 rw; host_write 1 11; pageout 0 4; host_read 1", 4));
        Assert.Equal(new Mismatch(2, "pageout 0 4", "pagemap swapped", 1, "no entry", $"a swap entry (frame {r.Reference.State.Ptes[1]!.Value.Frame} in the swap cache)"), r.Mismatch);
    }


    private RunResult Thp(string ops, bool plantWholeBlocks = false) =>
        new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)) { PlantMprotectWholeBlocks = plantWholeBlocks }.Run(KOp.Parse(ops, 1024));

    [KvmTraceFact]
    public void Partial_mprotect_munmap_and_dontneed_of_a_thp_split_its_pmd_as_the_reference_splits()
    {
        // block 0 split by mprotect of page 0, block 1 by munmap of page 700 (__split_huge_pmd, MMU_NOTIFY_CLEAR over
        // the 2 MiB block: the reference's split_huge_page); the smaps AnonHugePages check follows each split
        var r = Traced(() => Thp("mmap_thp 0 1024 rw; host_write 3 5; host_write 600 7; mprotect 0 1 r; munmap 700 701; dontneed 5 6; guest_read 3; guest_write 1 9"));
        Assert.Null(r.Mismatch);
        Assert.Equal(2, r.Stats.Paths["split_huge_page"]);
        Assert.True(r.Reference.State.Ptes[600] is { Huge: false } && r.Reference.State.Ptes[3] is { Huge: false });
    }

    [KvmFact]
    public void A_harness_whose_mprotect_splits_no_pmd_is_caught_by_smaps_anon_huge_pages()
    {
        var r = Thp("mmap_thp 0 1024 rw; host_write 3 5; mprotect 0 1 r", plantWholeBlocks: true);
        Assert.Equal(new Mismatch(2, "mprotect 0 1 r", "smaps AnonHugePages (PMD-mapped THPs)", 0, "2048 kB", "0 kB (0 whole huge blocks)"), r.Mismatch);
    }

    [KvmFact]
    public void Finding_mprotect_to_the_protection_a_vma_has_splits_no_pmd()
    {
        // mm/mprotect.c mprotect_fixup returns at once when the flags do not change: no __split_huge_pmd (the reference
        // split the block before; Reference.Tests Mprotect_to_the_protection_a_vma_has_changes_nothing_...)
        var r = Thp("mmap_thp 0 1024 rw; host_write 3 5; mprotect 0 1 rw; guest_read 3");
        Assert.Null(r.Mismatch);
        Assert.True(r.Reference.State.Ptes[0] is { Huge: true });
    }

    public const string FreeSplitOps = "mmap_thp 0 1024 rw; host_write 1010 390503; guest_write 700 5; free 761 762; guest_read 512; guest_read 700; host_read 1010; free 512 1024; host_write 600 8";

    [KvmTraceFact]
    public void Madv_free_over_part_of_a_pmd_mapped_thp_splits_its_folio_and_maps_zero_filled_subpages_to_the_zero_page()
    {
        // linux-7.2 mm/huge_memory.c madvise_free_huge_pmd -> split_folio -> __folio_split (try_to_migrate_one under
        // MMU_NOTIFY_CLEAR over the folio), remap_page with TTU_USE_SHARED_ZEROPAGE: mm/migrate.c try_to_map_unused_to_zeropage
        // maps the 510 zero-filled subpages of block [512, 1024) to the zero page, pages 700 and 1010 keep their frames
        var r = Traced(() => Thp(FreeSplitOps));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(2, r.Stats.Driven["free"]);
        Assert.Equal(1, r.Stats.Paths["try_to_unmap_one"]); // the folio split, traced from try_to_migrate_one
        var st = r.Reference.State;
        // 510 zero pages after the split, 509 once page 600 is written
        Assert.Equal(509, Enumerable.Range(512, 512).Count(p => st.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: false }));
        Assert.True(st.Ptes[700] is { Huge: false, Frame: > 0 } && st.Ptes[1010] is { Huge: false, Frame: > 0 });
        Assert.True(st.Ptes[600] is { Frame: > 0, Prot: Prot.ReadWrite }); // written after the split: do_wp_page copied the zero page
    }

    [KvmFact]
    public void Under_linux_6_1_madv_free_splits_without_the_zero_page_and_the_live_618_kernel_disagrees()
    {
        // the planted difference: linux-6.1's folio split maps every subpage back (no try_to_map_unused_to_zeropage), as the
        // reference did before it modelled 6.12+; the zero page check sees it at the split
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_1, null)).Run(KOp.Parse(FreeSplitOps, 1024));
        Assert.NotNull(r.Mismatch);
        Assert.Equal((3, "zero page", 512, "the zero page"), (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel));
    }

    [KvmFact]
    public void Madv_free_over_part_of_a_pte_mapped_thp_is_not_run_and_over_a_shared_thp_splits_nothing()
    {
        // a PTE-mapped THP (its PMD split by dontneed, the folio still large: the reference has no folios) is refused; after
        // fork the folio is mapped by the child too (folio_maybe_mapped_shared): madvise_free_huge_pmd skips it, no split
        var r = Thp("mmap_thp 0 1024 rw; host_write 3 7; dontneed 5 6; free 7 8; host_write 600 9; fork; free 700 701; host_read 600; child_read 0 700");
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
        Assert.True(Enumerable.Range(512, 512).All(p => r.Reference.State.Ptes[p] is { Huge: true }));
    }

    private const string PageoutSplitRepro = "mmap_thp 0 1024 rw; guest_write 932 477356; mprotect 931 932 none; pageout 932 935";

    [KvmTraceFact]
    public void Finding_madv_pageout_over_part_of_a_pte_mapped_thp_splits_its_folio_per_vma()
    {
        // found by `--pages 1024 --count 200 --seed 1` (then refused): mprotect of page 931 splits the PMD of block [512, 1024)
        // (__split_huge_pmd: the folio stays large, Frame.PteFolio) and its VMA in three; pageout over part of the folio splits
        // it (madvise_cold_or_pageout_pte_range -> split_folio -> try_to_migrate_one once per VMA: [512, 931), [931, 932),
        // [932, 1024)), mapping its zero-filled subpages to the zero page (512 among them, 931 with PROT_NONE), then swaps out
        // page 932 (try_to_unmap_one); 933 and 934 are the zero page now. try_to_unmap_one 4: three split brackets, one swap-out
        var r = Traced(() => Thp(PageoutSplitRepro + "; guest_read 932; host_read 512"));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(["change_protection 1", "split_huge_page 1", "try_to_unmap_one 4"], r.Stats.Paths.Select(kv => $"{kv.Key} {kv.Value}").ToArray());
        Assert.Equal((0, 0, 0), (r.Stats.Missing, r.Stats.Extra, r.Stats.RangeDiffs));
        var st = r.Reference.State;
        Assert.True(st.Ptes[932] is { Huge: false, Swapped: false } p && st.Frames[p.Frame].Content == 477356); // swapped in again
        Assert.Equal(511, Enumerable.Range(512, 512).Count(q => st.Ptes[q] is { Frame: MmState.ZeroFrame, Huge: false }));
        Assert.False(st.IsPteFolio(new PageRange(512, 1024)));
    }

    [KvmTraceFact]
    public void Madv_pageout_and_madv_free_of_pte_mapped_thps_split_them_as_the_kernel_does()
    {
        // block 0: mprotect 0 1 r splits its PMD, mprotect 0 1 rw merges the VMAs again: pageout 0 512 meets the folio whole in
        // one VMA (nr == folio_nr_pages), reclaim_pages -> shrink_folio_list splits it (try_to_migrate_one over [0, 512)) and
        // swaps out pages 3 and 200. Block 1: mprotect 600 601 r splits its PMD and VMA; free 700 702 splits the folio
        // (madvise_free_pte_range -> split_folio: try_to_migrate_one over [512, 600), [600, 601), [601, 1024)). Block 0 again
        // for a fresh THP: a pageout over both VMAs of a folio split by mprotect 0 1 r splits it per VMA
        const string ops = "mmap_thp 0 1024 rw; host_write 3 5; host_write 200 9; guest_read 7; mprotect 0 1 r; mprotect 0 1 rw; pageout 0 512; "
            + "guest_read 200; host_read 3; guest_write 700 6; mprotect 600 601 r; free 700 702; host_read 700; free 512 1024; pageout 512 1024; host_read 513; "
            + "munmap 0 512; mmap_thp 0 512 rw; host_write 3 5; host_write 200 9; mprotect 0 1 r; pageout 0 512; guest_read 200";
        var r = Traced(() => Thp(ops));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        // pageout 0 512: 1 + 2; free 700 702: 3; pageout 512 1024: page 700 (lazyfree, kept) 1; pageout 0 512 again: 2 + 2
        Assert.Equal(11, r.Stats.Paths["try_to_unmap_one"]);
        Assert.Equal((0, 0), (r.Stats.Missing, r.Stats.Extra));
        var st = r.Reference.State;
        // page 700 kept by the pageout: lazyfree, but dirty again (KVM's prefetch around the guest's reads of its neighbours maps it
        // writable, OneRun.Prefetch), so reclaim remaps it (try_to_unmap_one, "MADV_FREE page check")
        Assert.True(st.Ptes[3] is { Swapped: true } && st.Ptes[200] is { Swapped: false } && st.Ptes[700] is { Swapped: false } p700 && st.Frames[p700.Frame].Content == 6,
            $"3: {PteText.Of(st.Ptes[3])}, 200: {PteText.Of(st.Ptes[200])}, 700: {PteText.Of(st.Ptes[700])}");
        Assert.Equal(0, Enumerable.Range(0, 1024).Count(q => st.Ptes[q] is { Huge: true }));
    }

    [KvmFact]
    public void A_reference_that_forgets_the_pte_mapped_folio_is_caught_by_the_zero_page_check()
    {
        // the planted reference bug MmConfig.PlantPteFolioForgotten (the reference before it modelled PTE-mapped large folios),
        // run by the harness without its refusal (RunPageoutLargeFolio): the kernel's folio split maps page 512 (zero-filled)
        // to the zero page, the reference swaps out base pages
        var cfg = KvmConfig(1024, Vocabulary.Linux6_18, null) with { PlantPteFolioForgotten = true };
        var r = new Conformance(fx.Live, cfg) { RunPageoutLargeFolio = true }.Run(KOp.Parse(PageoutSplitRepro, 1024));
        Assert.Equal(new Mismatch(3, "pageout 932 935", "zero page", 512, "the zero page", "frame 1"), r.Mismatch);
        // with the plant the harness refuses the pageout (the kernel's folio is one the reference does not know)
        var q = new Conformance(fx.Live, cfg).Run(KOp.Parse(PageoutSplitRepro, 1024));
        Assert.Null(q.Mismatch);
        Assert.Equal(1, q.Stats.Refused);
    }

    /// <summary>/proc/vmstat's THP swap-out counters (linux-7.2 mm/vmscan.c shrink_folio_list: THP_SWPOUT_FALLBACK when a
    /// PMD-sized folio is split for want of a large swap cluster; THP_SWPOUT, mm/page_io.c count_swpout_vm_event, when swapped out whole).</summary>
    private static (long Swpout, long Fallback) ThpSwpout()
    {
        var v = File.ReadAllLines("/proc/vmstat").Select(l => l.Split(' ')).ToDictionary(f => f[0], f => long.Parse(f[1]));
        return (v["thp_swpout"], v["thp_swpout_fallback"]);
    }

    public const string ThpPageoutOps = "mmap_thp 0 1024 rw; host_write 3 5; guest_write 600 7; guest_read 10; pageout 0 512; host_read 3; guest_read 4; "
        + "guest_read 10; pageout 520 530; guest_read 600; host_read 512; pageout 512 1024; host_read 600; guest_write 3 8";

    [KvmTraceFact]
    public void Madv_pageout_of_a_pmd_mapped_thp_splits_its_folio_and_swaps_out_the_written_pages()
    {
        // pageout 0 512, the whole THP of block 0: reclaim_pages -> shrink_folio_list, folio_alloc_swap fails for the large
        // folio on a swap file (mm/swapfile.c cluster_alloc_swap_entry: not SWP_BLKDEV) -> split_folio_to_list
        // (THP_SWPOUT_FALLBACK; try_to_migrate_one over the block), zero-filled subpages the zero page, page 3 swapped out
        // (try_to_unmap_one); pageout 520 530, part of block 1: split_folio, nothing written in the range; pageout 512 1024:
        // page 600, a base page now. try_to_unmap_one 4: two splits, pages 3 and 600
        Assert.True(SwapControl.OnlyFiles() || !SwapControl.KernelHasSwap(), "the kernel swaps to a partition: a THP may be swapped out whole");
        var (out0, fb0) = ThpSwpout();
        var r = Traced(() => Thp(ThpPageoutOps));
        var (out1, fb1) = ThpSwpout();
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(3, r.Stats.Driven["pageout"]);
        Assert.Equal(["try_to_unmap_one 4"], r.Stats.Paths.Select(kv => $"{kv.Key} {kv.Value}").ToArray());
        Assert.Equal((0, 0), (r.Stats.Missing, r.Stats.Extra));
        // the kernel's own count: one THP split for want of a large swap cluster (more only if another process swapped a THP
        // meanwhile), none swapped out whole
        Assert.True(fb1 - fb0 >= 1, $"thp_swpout_fallback grew by {fb1 - fb0}");
        Assert.Equal(out0, out1);
        var st = r.Reference.State;
        // every page the zero page but 3 (swapped out and in again) and 600 (swapped out)
        Assert.Equal(1022, Enumerable.Range(0, 1024).Count(p => st.Ptes[p] is { Frame: MmState.ZeroFrame, Huge: false }));
        // both swapped in again by the host's reads (do_swap_page maps the swap cache's page; the guest then wrote 3)
        Assert.True(st.Ptes[600] is { Swapped: false, Huge: false } p600 && st.Frames[p600.Frame].Content == 7);
        Assert.True(st.Ptes[3] is { Swapped: false, Huge: false } p3 && st.Frames[p3.Frame].Content == 8);
    }

    [KvmFact]
    public void A_reference_whose_pageout_keeps_a_thp_mapped_by_its_pmd_is_caught_by_the_zero_page_check()
    {
        // the planted reference bug MmConfig.PlantThpPageoutKeepsPmd: no split, no swap entry, the PMD kept; the kernel's split
        // mapped page 0 (zero-filled) to the zero page
        var cfg = KvmConfig(1024, Vocabulary.Linux6_18, null) with { PlantThpPageoutKeepsPmd = true };
        var r = new Conformance(fx.Live, cfg).Run(KOp.Parse(ThpPageoutOps, 1024));
        Assert.Equal(new Mismatch(4, "pageout 0 512", "zero page", 0, "the zero page", $"frame {r.Reference.State.Ptes[0]!.Value.Frame}"), r.Mismatch);
        Assert.True(r.Reference.State.Ptes[0] is { Huge: true });
    }

    [KvmFact]
    public void Finding_madv_free_over_part_of_a_thp_leaves_the_base_pages_of_its_range_lazyfree()
    {
        // found by `--pages 1024 --count 200 --seed 1` once the pageout above was refused: after MADV_FREE split the folio,
        // madvise_free_pte_range marks page 932 lazyfree; the guest's read dirties it (KVM maps it writable), so pageout keeps it
        // mapped and swap-backed (try_to_unmap_one, "MADV_FREE page check"). The reference had not marked it (its MarkLazyfree
        // saw the PTEs before the split) and swapped it out: `pagemap swapped of page 932: live kernel present`
        var r = Thp("mmap_thp 0 1024 rw; guest_write 932 477356; free 931 933; guest_read 932; pageout 932 935");
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.True(r.Reference.State.Ptes[932] is { Huge: false, Swapped: false } p && r.Reference.State.Frames[p.Frame] is { Lazyfree: false, Content: 477356 });
    }

    private const string MremapUffdRepro = "mmap 0 16 rw; uffd_register 15 16; guest_read 3; mremap 15 16 10; guest_write 14 961880; fork";

    [KvmFact]
    public void Finding_mremap_of_a_userfaultfd_registered_vma_leaves_it_apart_and_fork_copies_no_pte_of_its_neighbours()
    {
        // found by `--time 3m --seed 9` (then refused): the moved VMA [10, 11) stays apart from [0, 10) and [11, 15) in the kernel
        // (copy_vma merges with the uffd flags, mremap_userfaultfd_prep drops them after: Vma.Seam), so the write to 14 gives only
        // [11, 15) an anon_vma and fork copies no PTE of [0, 10), not the zero page of 3
        var r = Run(MremapUffdRepro);
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        var st = r.Reference.State;
        Assert.Equal([new PageRange(0, 10), new PageRange(10, 11), new PageRange(11, 15)],
            new[] { 3, 10, 14 }.Select(p => Vma.MergedRun(st.Vmas, st.VmaAt(p)!)).ToArray());
        Assert.Equal([14], st.Children[0].Keys.Order().ToArray());
    }

    [KvmFact]
    public void A_reference_that_merges_the_moved_registered_vma_is_caught_by_the_childs_pagemap()
    {
        // the planted bug is the old reference (MmConfig.PlantMremapUffdMerges): the moved VMA merged with [0, 10) and [11, 15),
        // so the write to 14 gave all of [0, 15) an anon_vma and fork copied the zero page of 3
        var r = new Conformance(fx.Live, Config() with { PlantMremapUffdMerges = true }).Run(KOp.Parse(MremapUffdRepro, 16));
        Assert.Equal((5, "child 0 pagemap present", 3, "not present", "present (frame 0)"),
            (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel, r.Mismatch.Reference));
    }

    // [8, 10) registered and write-protected; the registered [13, 14) moved next to it merges with it (same flags and context,
    // pgoffs in line: copy_vma), and mremap_userfaultfd_prep drops the uffd flags of the merged [8, 11): the write to 9 (uffd-wp
    // bit still in the PTE) is an ordinary write fault, not one for the userfaultfd's handler (mm/memory.c do_wp_page:
    // userfaultfd_pte_wp asks for a VM_UFFD_WP VMA)
    private const string MremapUffdNeighbour = "mmap 0 16 rw; uffd_register 8 10; host_write 9 5; uffd_wp 8 10; uffd_register 13 14; mremap 13 14 10; host_write 9 7; guest_read 9; fork";

    [KvmFact]
    public void Finding_mremap_of_a_registered_vma_next_to_a_registered_one_merges_them_and_unregisters_both()
    {
        var r = Run(MremapUffdNeighbour);
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        var st = r.Reference.State;
        Assert.Equal((new PageRange(8, 11), false, true), (Vma.MergedRun(st.Vmas, st.VmaAt(9)!), st.VmaAt(9)!.UffdWp, st.VmaAt(10)!.AnonVma));
        Assert.Equal(new PageRange(0, 8), Vma.MergedRun(st.Vmas, st.VmaAt(7)!));
        Assert.Equal(7, st.Frames[st.Ptes[9]!.Value.Frame].Content);
    }

    [KvmFact]
    public void A_reference_whose_moved_vma_keeps_its_registered_neighbour_registered_is_caught_by_the_handler_count()
    {
        // the old reference (PlantMremapUffdMerges): [8, 10) stays registered, so the reference sends the write to 9 to the handler
        var r = new Conformance(fx.Live, Config() with { PlantMremapUffdMerges = true }).Run(KOp.Parse(MremapUffdNeighbour, 16));
        Assert.Equal((6, "uffd-wp write faults resolved by the handler", "0", "1"),
            (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Kernel, r.Mismatch.Reference));
    }

    [KvmFact]
    public void Finding_an_unfaulted_vma_mremap_moves_next_to_one_with_an_anon_vma_shares_it_and_fork_copies_its_zero_pages()
    {
        // seen live on the reference before (no anon_vma runs after mremap): `child 0 pagemap present of page 11: live kernel
        // present, reference not present`. copy_vma merges the unfaulted moved VMA [10, 12) with [0, 10), which has an
        // anon_vma, and with its own source [12, 16) (pgoff reset to the new address: the "vma_merge with self"), so [0, 12)
        // and the source's rest [14, 16) have that anon_vma and fork copies their zero-page PTEs (vma_needs_copy)
        var r = Run("mmap 0 10 rw; mmap 12 16 rw; host_write 1 5; guest_read 13; guest_read 15; mremap 12 14 10; fork; child_read 0 11");
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal([1, 11, 15], r.Reference.State.Children[0].Keys.Order().ToArray());
    }

    [KvmFact]
    public void Finding_an_mremap_back_into_a_thp_vma_merges_it_and_the_reference_faults_a_thp_there_too()
    {
        // found by a generated run (--pages 1024 --seed 2): the moved VMA (no anon_vma, so its pgoff follows the new
        // address: mm/vma.c copy_vma) merges with its THP neighbours, so block 0 lies inside one kernel VMA and a fault
        // there is a huge one (do_huge_pmd_anonymous_page: the huge zero page on a read, a THP on a write); the reference's
        // Fault now asks thp_vma_suitable_order of the merged run (Vma.MergedRun) and agrees
        var r = Thp("mmap_thp 0 1024 rw; mremap 576 878 98; guest_read 242; host_write 300 5; guest_write 3 4; host_write 950 6");
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.True(r.Reference.State.Ptes[0] is { Huge: true } p0 && p0.Frame != MmState.ZeroFrame); // the huge zero page, then written
        // page 950: its block [512, 1024) is not inside one VMA (the hole [878, 1024) left by the move) -> a base page in both
        Assert.True(r.Reference.State.Ptes[950] is { Huge: false, Frame: > 0 });
    }

    [KvmFact]
    public void Finding_pagemap_shows_the_exclusive_bit_of_a_pmds_head_page_for_every_subpage()
    {
        // found by `--pages 1024 --seed 1` (shrunk to the first four operations): after fork the parent's COW of page 141
        // splits its PMD and copies the page; the child still maps the THP by its PMD, and pagemap gives every subpage the
        // exclusive bit of the PMD's head page (linux-7.2 fs/proc/task_mmu.c pagemap_pmd_range_thp: page = pmd_page(pmd),
        // not advanced), mapped by the parent too: page 141, mapped by the child alone, shows not exclusive. Once the
        // parent's write of page 0 copies the head, every subpage of the child's PMD shows exclusive
        var r = Thp("mmap_thp 0 1024 rw; guest_write 143 802103; fork; guest_write 141 643386; child_read 0 141; host_write 0 5; child_read 0 3");
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
    }

    [KvmTraceFact]
    public void Finding_mremap_breaks_the_ksm_pages_it_moves_through_wp_page_copy()
    {
        // found by `--count 1000 --seed 7` (shrunk: mmap 0 16 rw; host_write 11 264628; ksm 11 13; mremap 9 12 5 -> `pagemap
        // exclusively mapped of page 7: live kernel exclusive, reference not exclusive (map count 2)`): linux-7.2 mm/mremap.c
        // prep_move_vma -> ksm_madvise(MADV_UNMERGEABLE) -> mm/ksm.c break_ksm unshares page 11 (a KSM page) before the move,
        // traced as wp_page_copy < do_wp_page < ... < break_ksm; page 13 keeps the KSM page, the moved page 7 its own copy
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap 0 16 rw; host_write 11 264628; ksm 11 13; mremap 9 12 5; guest_read 7; host_read 13; guest_write 7 5; host_read 13", 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Paths["wp_page_copy"]);
        Assert.Equal(1, r.Stats.Paths["move_page_tables"]);
        var st = r.Reference.State;
        int f7 = st.Ptes[7]!.Value.Frame, f13 = st.Ptes[13]!.Value.Frame;
        Assert.Equal((1, false, 5), (st.Frames[f7].MapCount, st.Frames[f7].Ksm, st.Frames[f7].Content));
        Assert.Equal((1, true, 264628), (st.Frames[f13].MapCount, st.Frames[f13].Ksm, st.Frames[f13].Content));
    }

    // MREMAP_DONTUNMAP of part of a faulted VMA (docs/kernel.md "MREMAP_DONTUNMAP"): the pages move to [10, 12), the old range
    // stays mapped and empty (the guest's read of 2 faults the zero page there, the guest's write of 3 copies it: wp_page_copy)
    private const string DontunmapOps = "mmap 0 8 rw; host_write 2 5; host_write 3 6; guest_read 2; guest_read 3; mremap_dontunmap 2 4 10; "
        + "guest_read 2; host_read 3; guest_read 10; host_read 11; guest_write 3 7";

    /// <summary>mremap with MREMAP_DONTUNMAP on the live kernel: values, pagemap (the old range not present, then the zero page)
    /// and KVM's mappings agree with the reference's mremap_dontunmap, and the move is traced from move_page_tables over the old
    /// range (linux-7.2 mm/mremap.c: MMU_NOTIFY_UNMAP over [old_addr, old_end); no try_realign_addr: 2 is not the VMA's start)
    /// with nothing else of the kernel's: no unmap of the old range. The same operations with a plain mremap (the old range
    /// then faults) show that unmap as one kernel invalidation more, which the reference does not make (Extra or, overlapping
    /// its move bracket with the same event, a range difference).</summary>
    [UnseenKvmTraceFact]
    public void Mremap_dontunmap_agrees_and_is_traced_from_move_page_tables_alone()
    {
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { Unseen = true }.Run(KOp.Parse(DontunmapOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Driven["mremap_dontunmap"]);
        Assert.Equal((1, 1), (r.Stats.Paths["move_page_tables"], r.Stats.Paths["wp_page_copy"]));
        Assert.Equal((0, 0), (r.Stats.Extra, r.Stats.RangeDiffs));
        var m = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { Unseen = true }
            .Run(KOp.Parse(DontunmapOps.Replace("mremap_dontunmap", "mremap"), 16)));
        Assert.Null(m.Mismatch);
        Assert.Equal(1, m.Stats.Paths["move_page_tables"]);
        Assert.Equal(1, m.Stats.Extra + m.Stats.RangeDiffs);
    }

    /// <summary>Planted: the reference moves the pages without move_page_tables' bracket (MmConfig.PlantDontunmapNoNotify), so
    /// its KVM listener keeps page 2; the guest's next read of 2 gets the old value there, the zero page from the kernel.</summary>
    [UnseenKvmFact]
    public void A_reference_whose_dontunmap_move_skips_the_notifier_is_caught_by_the_guests_read()
    {
        var r = new Conformance(fx.Live, Config() with { PlantDontunmapNoNotify = true }) { Unseen = true }.Run(KOp.Parse(DontunmapOps, 16));
        Assert.Equal((6, "guest read", 2, "0", "5"), (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel, r.Mismatch.Reference));
    }

    // MREMAP_DONTUNMAP of a whole VMA: dontunmap_complete unlinks its anon_vma (linux-7.2 mm/mremap.c; 6.12 and 6.1 move_vma),
    // so the zero page the guest then reads there is not copied by fork (linux-7.2 mm/memory.c vma_needs_copy)
    private const string DontunmapWholeOps = "mmap 0 4 rw; host_write 1 7; mremap_dontunmap 0 4 8; guest_read 1; fork; child_read 0 1; child_read 0 9";

    [UnseenKvmFact]
    public void Mremap_dontunmap_of_a_whole_vma_unlinks_its_anon_vma_and_fork_copies_none_of_it()
    {
        var r = RunUnseen(DontunmapWholeOps);
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal([9], r.Reference.State.Children[0].Keys.Order().ToArray());
    }

    /// <summary>Planted: the reference keeps the whole VMA's anon_vma (MmConfig.PlantDontunmapKeepsAnonVma); its fork copies the
    /// zero page of 1, the kernel's does not.</summary>
    [UnseenKvmFact]
    public void A_reference_that_keeps_the_anon_vma_of_a_whole_dontunmap_vma_is_caught_by_the_childs_pagemap()
    {
        var r = new Conformance(fx.Live, Config() with { PlantDontunmapKeepsAnonVma = true }) { Unseen = true }.Run(KOp.Parse(DontunmapWholeOps, 16));
        Assert.Equal((4, "child 0 pagemap present", 1, "not present", "present (frame 0)"),
            (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel, r.Mismatch.Reference));
    }

    public const string KsmLeftoverOps = "mmap 0 16 rw; guest_write 10 475358; fork; guest_write 11 664746; ksm 10 13; ksm 11 12";

    [KvmFact]
    public void Finding_ksmd_merges_every_identical_pair_so_a_ksm_not_run_leaves_no_pair_behind()
    {
        // found by `--count 100000 --seed 5`: `ksm 10 13` is not run (page 10's frame is mapped by the child too), but page 13
        // had got page 10's contents first, and ksmd merged 13 with 10 (and the child's 10) during `ksm 11 12` (linux-7.2 mm/ksm.c
        // ksm_do_scan -> cmp_and_merge_page on every mergeable page): page 13 not exclusive in the kernel, exclusive in the
        // reference. Now the harness decides before the write (Conformance.KsmCandidates)
        var planted = new Conformance(fx.Live, Config()) { PlantKsmCandidatesLeft = true }.Run(KOp.Parse(KsmLeftoverOps, 16));
        Assert.Equal((5, "pagemap exclusively mapped", 13, "not exclusive"), (planted.Mismatch!.OpIndex, planted.Mismatch.What, planted.Mismatch.Page, planted.Mismatch.Kernel));
        var r = Run(KsmLeftoverOps + "; host_read 13");
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Driven["ksm"]);
        Assert.Equal(MmState.ZeroFrame, r.Reference.State.Ptes[13]!.Value.Frame); // never written: host_read 13 faulted the zero page
        // a KSM page broken by mremap leaves its copy identical to the KSM page (ksmd would merge them back: prep_move_vma keeps
        // VM_MERGEABLE): a later merge is not run while the pair is there
        // (values no other test writes: ksmd merges identical pages of every process, an earlier test's too while it maps them)
        var m = Run("mmap 0 16 rw; host_write 11 264628; ksm 11 13; mremap 9 12 5; host_write 2 771453; ksm 2 3; host_write 7 818737; ksm 2 3");
        Assert.Null(m.Mismatch);
        Assert.Equal((1, 2), (m.Stats.Refused, m.Stats.Driven["ksm"]));
    }

    [KvmFact]
    public void Finding_ksm_of_a_page_in_a_large_folio_splits_it_and_is_not_run()
    {
        // found by `--pages 1024 --seed 1`: ksmd splits a large folio before merging (linux-7.2 mm/ksm.c try_to_merge_one_page
        // -> split_huge_page) and the split maps the zero-filled subpages to the zero page (mm/migrate.c
        // try_to_map_unused_to_zeropage): page 0 became the zero page in the kernel, frame 1 in the reference
        var r = Thp("mmap_thp 0 1024 rw; host_write 142 363818; fork; guest_write 143 626613; ksm 143 145");
        Assert.Null(r.Mismatch);
        Assert.Equal(1, r.Stats.Refused);
    }

    public const string ForkSwapOps = "mmap 0 16 rw; host_write 1 11; host_write 2 22; host_write 3 33; host_write 5 55; pageout 0 6; fork; "
        + "host_read 1; child_read 0 1; child_read 0 2; host_write 2 44; guest_read 2; child_read 0 2; guest_write 3 66; child_read 0 3; "
        + "host_read 5; pageout 5 6; free 5 6; child_read 0 5; pageout 2 3; guest_read 2";

    [KvmTraceFact]
    public void Fork_after_pageout_copies_swap_entries_and_a_write_to_a_shared_swap_entry_copies_the_page()
    {
        // linux-7.2 mm/memory.c copy_nonpresent_pte: the child's swap entries (pagemap bit 62 in the child until it reads);
        // do_swap_page of an entry fork shared maps the page read-only, and a write copies it (do_wp_page -> wp_page_copy), so the
        // child still reads the old value; MADV_FREE drops the parent's entry only (free 5 6), the child's still swaps in 55
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse(ForkSwapOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(1, r.Stats.Driven["fork"]);
        Assert.Equal(3, r.Stats.Driven["pageout"]);
        Assert.True(r.Stats.Paths["wp_page_copy"] >= 2, string.Join(", ", r.Stats.Paths)); // host_write 2 and guest_write 3
    }

    [KvmFact]
    public void A_harness_that_expects_a_childs_copy_of_a_swap_entry_present_is_caught_by_the_childs_pagemap()
    {
        var r = new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)) { PlantChildSwapMapped = true }
            .Run(KOp.Parse("mmap 0 4 rw; host_write 1 11; pageout 0 4; fork", 4));
        Assert.NotNull(r.Mismatch);
        Assert.Equal((3, "child 0 pagemap swapped", 1, "a swap entry", "no swap entry"), (r.Mismatch!.OpIndex, r.Mismatch.What, r.Mismatch.Page, r.Mismatch.Kernel, r.Mismatch.Reference));
    }

    public const string ChildWriteOps = "mmap 0 16 rw; mmap 12 14 r; host_write 3 7; host_write 4 8; guest_read 3; host_read 2; fork; "
        + "child_write 0 3 99; host_read 3; child_read 0 3; host_write 3 5; guest_read 3; child_write 0 4 77; child_write 0 4 78; "
        + "child_write 0 9 11; child_read 0 9; host_write 4 1; child_read 0 4; child_write 0 12 5; child_write 0 2 6; child_read 0 2; "
        + "host_read 2; guest_write 2 4";

    [KvmTraceFact]
    public void Child_writes_copy_or_reuse_and_the_parents_page_mapped_once_again_is_reused_as_the_reference_says()
    {
        // the child's writes: wp_page_copy of a shared page (3, and 4 the first time), wp_page_reuse of the page it then maps
        // alone (4 again), do_anonymous_page where it has no PTE (9), SIGSEGV in a read-only VMA (12), wp_page_copy of the zero
        // page (2); none is on the parent's mm (no invalidation traced). The parent's writes of 3 and 4 after the child's copies
        // reuse their pages (do_wp_page: mapped once): the one wp_page_copy traced is the guest's write of the zero page 2
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null)).Run(KOp.Parse(ChildWriteOps, 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(6, r.Stats.Driven["child_write"]);
        Assert.Equal(1, r.Stats.Paths.GetValueOrDefault("wp_page_copy"));
        Assert.Equal((0, 0), (r.Stats.Extra, r.Stats.Missing));
        var st = r.Reference.State;
        Assert.Equal((5, 1), (st.Frames[st.Ptes[3]!.Value.Frame].Content, st.Frames[st.Ptes[3]!.Value.Frame].MapCount));
        Assert.Equal([99, 78, 11, 6], new[] { 3, 4, 9, 2 }.Select(p => st.Frames[st.Children[0][p]].Content).ToArray());
    }

    [KvmFact]
    public void A_childs_write_after_its_own_read_fault_and_after_the_parent_unmapped_the_page_agrees()
    {
        // child 0 read-faults page 5 (the zero page), then writes it (wp_page_copy of the zero page in the kernel; the reference's
        // do_anonymous_page: the same new page); the parent unmaps everything, so child 1 maps page 2's page alone and reuses it
        var r = Run("mmap 0 16 rw; host_write 0 1; fork; child_read 0 5; child_write 0 5 9; child_read 0 5; host_write 2 3; fork; munmap 0 16; "
            + "child_write 1 2 5; child_read 1 2; child_write 1 7 1; child_write 0 2 8; child_read 1 2; mmap 0 16 rw; host_write 2 4; child_read 0 2");
        Assert.Null(r.Mismatch);
        Assert.Equal((0, 4), (r.Stats.Refused, r.Stats.Driven["child_write"]));
        var st = r.Reference.State;
        Assert.Equal([9, 5, 1, 8], new[] { (0, 5), (1, 2), (1, 7), (0, 2) }.Select(x => st.Frames[st.Children[x.Item1][x.Item2]].Content).ToArray());
        Assert.Equal((1, 1), (st.Frames[st.Children[1][2]].MapCount, st.Frames[st.Children[1][2]].RefCount));
    }

    [KvmTraceFact]
    public void Finding_a_ksm_page_mapped_once_is_copied_by_a_write_fault_not_reused()
    {
        // the child's copy leaves the parent's KSM page mapped once; the kernel's write copies it (wp_can_reuse_anon_folio:
        // folio_test_ksm), traced as wp_page_copy; the reference reused it before (a kernel invalidation it did not make)
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(16, Vocabulary.Linux6_18, null))
            .Run(KOp.Parse("mmap 0 16 rw; host_write 1 5; host_write 2 6; ksm 1 2; fork; child_write 0 2 9; host_read 2; child_read 0 2; host_write 2 3; child_write 0 1 4; host_write 1 2", 16)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(2, r.Stats.Paths.GetValueOrDefault("wp_page_copy"));
        Assert.Equal((0, 0), (r.Stats.Extra, r.Stats.Missing));
    }

    [KvmFact]
    public void A_reference_whose_child_write_changes_the_parents_page_is_caught_by_the_host_read()
    {
        var r = new Conformance(fx.Live, Config()) { PlantChildWriteInParent = true }.Run(KOp.Parse("mmap 0 16 rw; host_write 3 7; fork; child_write 0 3 99", 16));
        Assert.Equal(new Mismatch(3, "child_write 0 3 99", "host read (check)", 3, "7", "99"), r.Mismatch);
    }

    [KvmFact]
    public void A_reference_without_child_writes_is_caught_by_the_parents_exclusive_bit()
    {
        var r = new Conformance(fx.Live, Config()) { PlantChildWriteNotInReference = true }.Run(KOp.Parse("mmap 0 16 rw; host_write 3 7; fork; child_write 0 3 99", 16));
        Assert.Equal(new Mismatch(3, "child_write 0 3 99", "pagemap exclusively mapped", 3, "exclusive", "not exclusive (frame 1, map count 2)"), r.Mismatch);
    }

    /// <summary>Child writes into THPs fork shared while the parent mapped them by a PMD (block 0 through the guest, block 512
    /// through the host, with a second child for block 512).</summary>
    public const string ChildThpWriteOps = "mmap_thp 0 1024 rw; guest_write 3 5; fork; child_write 0 3 7; host_write 3 9; child_write 0 4 8; "
        + "host_write 4 10; host_read 3; child_read 0 3; guest_write 5 11; child_write 0 5 12; child_read 0 6; host_write 600 1; fork; "
        + "child_write 1 600 2; child_write 1 10 4; host_write 600 3; child_write 1 601 6; guest_read 601";

    [KvmTraceFact]
    public void Child_writes_into_a_thp_shared_by_fork_split_the_childs_pmd_and_copy_and_the_parents_writes_then_split_and_copy()
    {
        // the child's writes: do_huge_pmd_wp_page on its PMD (folio_ref_count 2) -> __split_huge_pmd and wp_page_copy, both on the
        // child's mm (nothing traced); its later writes copy too (linux-6.18 __wp_can_reuse_large_anon_folio: the folio is mapped
        // by both mms). The parent's write of page 3, which the child copied away: its PMD is not the folio's only reference ->
        // split (traced split_huge_page: __split_huge_pmd) and wp_page_copy of the page, mapped once in the parent but a page of a
        // large folio the child still maps (the reference without folios reused it: the planted test below)
        var r = Traced(() => new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)).Run(KOp.Parse(ChildThpWriteOps, 1024)));
        Assert.Null(r.Mismatch);
        Assert.Equal(0, r.Stats.Refused);
        Assert.Equal(6, r.Stats.Driven["child_write"]);
        Assert.Equal(2, r.Stats.Paths.GetValueOrDefault("split_huge_page"));
        Assert.Equal(4, r.Stats.Paths.GetValueOrDefault("wp_page_copy"));
        Assert.Equal((0, 0), (r.Stats.Extra, r.Stats.Missing));
        var st = r.Reference.State;
        // two folios (block 0 shared with child 0, then child 1 too, without a mm-id slot; block 512 with child 1), no child PMD left
        Assert.Equal(2, st.Folios.Count);
        Assert.Equal([-1, 0], st.Folios[0].Slots.ToArray());
        Assert.Equal([-1, 1], st.Folios[1].Slots.ToArray());
        Assert.True(st.Folios.All(f => f.ChildPmd.IsEmpty));
    }

    [KvmFact]
    public void A_reference_whose_childs_write_into_a_shared_thp_reuses_the_parents_page_is_caught_by_the_host_read()
    {
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)) { PlantThpChildWriteReuses = true }
            .Run(KOp.Parse("mmap_thp 0 1024 rw; guest_write 3 5; fork; child_write 0 3 7", 1024));
        // the reference wrote 7 into the frame the parent maps by its PMD: the child's own page is not exclusive there
        Assert.Equal(new Mismatch(3, "child_write 0 3 7", "child 0 pagemap exclusively mapped", 3, "exclusive",
            "not exclusive (frame 4, map count 2; the PMD's head frame 1, map count 2)"), r.Mismatch);
    }

    [KvmFact]
    public void A_reference_whose_parent_reuses_a_page_of_a_thp_the_child_still_maps_is_caught()
    {
        var r = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)) { PlantThpParentWriteReuses = true }
            .Run(KOp.Parse("mmap_thp 0 1024 rw; guest_write 3 5; fork; child_write 0 3 7; host_write 3 9", 1024));
        // the reference kept the PMD and wrote in place; the kernel split it (do_huge_pmd_wp_page's fallback) and copied the page
        Assert.Equal(new Mismatch(4, "host_write 3 9", "kpageflags THP", 3, "a base page", "a huge page (frame 4)"), r.Mismatch);
    }

    public const string KhugepagedOps = "mmap_thp 0 1024 rw; host_write 5 1; dontneed 3 4; host_read 5; host_read 6; host_read 7; host_read 8; host_read 9; host_read 10";

    [KvmFact]
    public void A_run_that_does_not_hold_khugepaged_off_sees_its_background_collapse_and_a_held_one_does_not()
    {
        // khugepaged scanning every 100 ms (the planted bug: not held off) collapses block 0, PTE-mapped after the dontneed
        // split, into a new THP and fills page 3 (linux-7.2 mm/khugepaged.c collapse_huge_page); held off, it does not
        var bad = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)) { PlantKhugepagedNotHeld = true }.Run(KOp.Parse(KhugepagedOps, 1024));
        Assert.NotNull(bad.Mismatch);
        Assert.Equal(("pagemap present", 3, "present"), (bad.Mismatch!.What, bad.Mismatch.Page, bad.Mismatch.Kernel));
        var good = new Conformance(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null)).Run(KOp.Parse(KhugepagedOps, 1024));
        Assert.Null(good.Mismatch);
        Assert.Equal(KhugepagedControl.HeldSleep, File.ReadAllText(KhugepagedControl.Dir + "scan_sleep_millisecs").Trim());
    }

    [KvmFact]
    public void A_generated_thp_campaign_of_1024_pages_shows_no_mismatch()
    {
        var r = Campaign.Run(fx.Live, KvmConfig(1024, Vocabulary.Linux6_18, null), 100, null, 1);
        Assert.Null(r.Mismatch);
        Assert.Null(r.Vacuous);
        Assert.True(r.Stats.Driven.GetValueOrDefault("mmap_thp") > 0);
    }

    [KvmFact]
    public void Generated_campaigns_catch_the_mutants_and_shrink_them()
    {
        // RangeOnePageShort's shrunk length was 3 before generated sequences had uffd_move (session 11): seed 1's sequences changed
        foreach (var (mutant, len) in new[] { ("CowForgetsWriteProtect", 4), ("RangeOnePageShort", 5), ("InvalidatePageOnly", 3) })
        {
            var r = Campaign.Run(fx.Live, Config(mutant), 2000, null, 1);
            Assert.NotNull(r.Mismatch);
            Assert.Null(r.Vacuous);
            Assert.True(len == r.Failing!.Length, $"{mutant}: {KOp.Render(r.Failing!)}");
            Assert.NotEmpty(r.ReferenceTrace);
            // the shrunk sequence reproduces the mismatch on its own
            Assert.Equal(r.Mismatch, new Conformance(fx.Live, Config(mutant)).Run(r.Failing).Mismatch);
        }
    }
}

/// <summary>Compaction migrates only pages below where its scanners meet (its migration scanner starts at the zone's first pfn,
/// linux-7.2 mm/compaction.c compact_zone), so which pages of the region move is the machine's choice: on a machine whose
/// zones kcompactd keeps compact, fresh pages often all lie above that point ("compaction moved no page" ten runs over).
/// So before each run a ballast of 16,384 written pages is made, its 384 lowest-pfn pages freed again (MADV_DONTNEED) just
/// before the run: the per-CPU free list hands the most recently freed pages out first, so the run's faults get those low
/// frames, which compaction moves (seen: 121 of 128 region pages on them, all 121 migrated). A run is repeated, with a new
/// ballast, until compaction moved one of its pages, at most Attempts times; the ballasts are freed at the end.</summary>
public static class CompactionRetry
{
    public const int Attempts = 10;
    private const int BallastPages = 16384, LowPages = 384; // under the per-CPU list's high mark (1,625 pages here: /proc/zoneinfo)

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int madvise(IntPtr addr, nuint length, int advice);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint size, ref ulong mask);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);

    /// <summary>pgmigrate_success of /proc/vmstat: the pages migrated on the whole machine so far.</summary>
    public static long PgmigrateSuccess() =>
        File.ReadLines("/proc/vmstat").Select(l => l.Split(' ')).Where(x => x[0] == "pgmigrate_success").Select(x => long.Parse(x[1])).Single();

    /// <summary>Why a compaction test is skipped: compaction moved none of the region's pages in any run, which is the machine's
    /// choice, not the harness's (machineMigrated: the pages it migrated elsewhere meanwhile).</summary>
    public static SkipException NoneMoved(int pages, long machineMigrated) =>
        new($"compaction moved none of the region's {pages} pages in {Attempts} runs (it migrated {machineMigrated} pages elsewhere on the machine "
            + "meanwhile, /proc/vmstat pgmigrate_success): it moves only pages below where its migration and free scanners meet (linux-7.2 "
            + "mm/compaction.c compact_zone), and under memory pressure other processes take the low frames freed for the region first");

    public static T Until<T>(Func<T> run, Func<T, bool> done) => Until(run, done, out _);

    /// <summary>Runs run until done holds, at most Attempts times, each after a ballast's low frames were freed. The calling
    /// thread is pinned to its first allowed CPU meanwhile (the free lists are per CPU; the CLI runs on the calling thread).
    /// machineMigrated: pgmigrate_success's growth over the runs.</summary>
    public static T Until<T>(Func<T> run, Func<T, bool> done, out long machineMigrated)
    {
        long migrated0 = PgmigrateSuccess();
        var ballast = new List<IntPtr>();
        ulong saved = 0;
        if (sched_getaffinity(0, 8, ref saved) != 0) throw new InvalidOperationException($"sched_getaffinity failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        ulong one = saved & (~saved + 1); // the lowest CPU allowed
        if (sched_setaffinity(0, 8, ref one) != 0) throw new InvalidOperationException($"sched_setaffinity failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        try
        {
            T r = default!;
            for (int attempt = 0; attempt < Attempts && (attempt == 0 || !done(r)); attempt++)
            {
                ballast.Add(LowFramesFreed());
                r = run();
            }
            machineMigrated = PgmigrateSuccess() - migrated0;
            return r;
        }
        finally
        {
            foreach (var b in ballast) System.Runtime.InteropServices.Marshal.FreeHGlobal(b);
            sched_setaffinity(0, 8, ref saved);
        }
    }

    /// <summary>Writes a ballast, frees its lowest-pfn pages again (read from /proc/self/pagemap) and returns it.</summary>
    private static IntPtr LowFramesFreed()
    {
        // one page more, so that whole pages aligned to 4 KiB fit in the block
        var raw = System.Runtime.InteropServices.Marshal.AllocHGlobal((BallastPages + 1) * 4096);
        long b = ((long)raw + 4095) / 4096 * 4096;
        for (int i = 0; i < BallastPages; i++) System.Runtime.InteropServices.Marshal.WriteByte((IntPtr)(b + i * 4096L), 1);
        var pfn = new ulong[BallastPages];
        using (var f = new FileStream("/proc/self/pagemap", FileMode.Open, FileAccess.Read))
        {
            f.Seek(b / 4096 * 8, SeekOrigin.Begin);
            var buf = new byte[BallastPages * 8];
            f.ReadExactly(buf);
            for (int i = 0; i < BallastPages; i++) pfn[i] = BitConverter.ToUInt64(buf, i * 8) & ((1UL << 55) - 1);
        }
        foreach (int i in Enumerable.Range(0, BallastPages).OrderBy(i => pfn[i]).Take(LowPages))
            if (madvise((IntPtr)(b + i * 4096L), 4096, 4) != 0) // MADV_DONTNEED
                throw new InvalidOperationException($"madvise(MADV_DONTNEED) of a ballast page failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return raw;
    }
}

/// <summary>The tests that use the machine's swap, KSM, tracefs or /dev/kvm run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class MachineWide { public const string Name = "machine-wide (swap, KSM, tracefs, /dev/kvm)"; }

public sealed class KernelReleaseTests
{
    [Theory]
    [InlineData("6.18.44-fc-v1272", "linux-6.18", "linux-6.18: from uname -r 6.18.44-fc-v1272")]
    [InlineData("6.1.0-28-amd64", "linux-6.1", "linux-6.1: from uname -r 6.1.0-28-amd64")]
    [InlineData("7.3.4", "linux-7.3", "linux-7.3: from uname -r 7.3.4")]
    [InlineData("6.5.0-1-amd64", "upstream", "upstream = linux-7.3: the catalogue has no linux-6.5 (uname -r 6.5.0-1-amd64; it has v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)")]
    [InlineData("6.180.1", "upstream", "upstream = linux-7.3: the catalogue has no linux-6.180 (uname -r 6.180.1; it has v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)")]
    [InlineData("rc-unknown", "upstream", "upstream = linux-7.3: uname -r 'rc-unknown' does not start with major.minor")]
    [InlineData(null, "upstream", "upstream = linux-7.3: the kernel release could not be read from /proc/sys/kernel/osrelease")]
    public void The_vocabulary_follows_uname_r_major_minor_when_the_catalogue_has_it(string? release, string vocabulary, string why)
    {
        var (v, w) = KernelRelease.VocabularyOf(release);
        Assert.Equal((vocabulary, why), (EventTables.Name(v), w));
    }

    [Fact]
    public void The_running_release_is_uname_r()
    {
        var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("uname", "-r") { RedirectStandardOutput = true })!;
        string uname = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.Equal(uname, KernelRelease.Running());
    }
}

public sealed class KernelHarnessTests
{
    [Theory]
    [InlineData("4096", "10000", "4096", "10000")]
    [InlineData("100", "500", "100", "500")]
    [InlineData(KhugepagedControl.HeldPages, KhugepagedControl.HeldSleep, KhugepagedControl.DefaultPages, KhugepagedControl.DefaultSleep)]
    [InlineData("100", KhugepagedControl.HeldSleep, "100", KhugepagedControl.DefaultSleep)]
    public void Khugepaged_settings_found_are_restored_and_a_killed_runs_held_ones_become_the_defaults(string pages, string sleep, string wantPages, string wantSleep)
    {
        Assert.Equal((wantPages, wantSleep), KhugepagedControl.ToRestore(pages, sleep));
    }

    [Fact]
    public void Ksm_settings_found_are_restored_and_a_killed_merges_ones_become_the_defaults()
    {
        var found = new Dictionary<string, string> { ["pages_to_scan"] = "250", ["sleep_millisecs"] = "40", ["smart_scan"] = "0", ["run"] = "0" };
        Assert.Equal(found, KsmControl.ToRestore(found));
        var killed = new Dictionary<string, string> { ["pages_to_scan"] = "1000", ["sleep_millisecs"] = "0", ["smart_scan"] = "0", ["run"] = "0" };
        Assert.Equal(new Dictionary<string, string> { ["pages_to_scan"] = "100", ["sleep_millisecs"] = "20", ["smart_scan"] = "1", ["run"] = "0" },
            KsmControl.ToRestore(killed));
        // before linux-6.7 there is no smart_scan
        var old = new Dictionary<string, string> { ["pages_to_scan"] = "1000", ["sleep_millisecs"] = "0", ["run"] = "1" };
        Assert.Equal(new Dictionary<string, string> { ["pages_to_scan"] = "100", ["sleep_millisecs"] = "20", ["run"] = "1" }, KsmControl.ToRestore(old));
        // the planted old code kept them
        Assert.Equal(killed, KsmControl.ToRestore(killed, plantKeep: true));
    }

    [KvmFact]
    public void A_ksm_merge_writes_the_scan_settings_back_as_soon_as_it_ends()
    {
        Assert.True(KsmControl.Available, "no /sys/kernel/mm/ksm here");
        string[] names = ["pages_to_scan", "sleep_millisecs", "smart_scan", "run"];
        Dictionary<string, string> Now() => names.Where(n => File.Exists("/sys/kernel/mm/ksm/" + n)).ToDictionary(n => n, n => File.ReadAllText("/sys/kernel/mm/ksm/" + n).Trim());
        var before = KsmControl.ToRestore(Now());
        var ksm = new KsmControl();
        bool seen = false;
        Assert.True(ksm.Merge(() => seen = Now()["pages_to_scan"] == KsmControl.MergePages, TimeSpan.FromSeconds(5)));
        Assert.True(seen);
        Assert.Equal(before.Where(kv => kv.Key != "run"), Now().Where(kv => kv.Key != "run"));
        Assert.Equal("0", Now()["run"]);
        ksm.Restore();
    }

    [Fact]
    public void A_missing_kvm_device_is_one_line_never_a_pass()
    {
        var e = Assert.Throws<KvmUnavailableException>(() => LiveMm.Open(16, "/nonexistent/kvm"));
        Assert.Equal("no /nonexistent/kvm: the live kernel cannot be driven here", e.Message);
    }

    [Fact]
    public void Ops_text_round_trips()
    {
        const string text = "mmap 0 16 rw; munmap 1 2; mprotect 0 4 r; mremap 0 2 8; dontneed 3 5; free 3 5; host_read 1; host_write 1 9; guest_read 2; guest_write 2 8; fork; child_read 0 3; clear_refs; uffd_register 0 8; uffd_wp 2 5; uffd_unregister 1 3; uffd_move 1 9 2; mremap_dontunmap 9 11 12; migrate; pageout 1 3";
        Assert.Equal(text, KOp.Render(KOp.Parse(text, 16)));
    }

    [Theory]
    [InlineData("uffd_move 1 9", "--ops:1:1: operation 1 'uffd_move 1 9': expects 3 argument(s)")]
    [InlineData("uffd_move 1 9 0", "--ops:1:1: operation 1 'uffd_move 1 9 0': length 0 must be at least 1 and both ranges inside [0, 16)")]
    [InlineData("uffd_move 1 14 3", "--ops:1:1: operation 1 'uffd_move 1 14 3': length 3 must be at least 1 and both ranges inside [0, 16)")]
    [InlineData("uffd_move 16 1 1", "--ops:1:1: operation 1 'uffd_move 16 1 1': page 16 is outside [0, 16)")]
    [InlineData("mremap_dontunmap 2 4 15", "--ops:1:1: operation 1 'mremap_dontunmap 2 4 15': the destination ends beyond page 16")]
    [InlineData("mremap_dontunmap 2 4", "--ops:1:1: operation 1 'mremap_dontunmap 2 4': expects 3 argument(s)")]
    public void A_bad_uffd_move_is_one_line(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => KOp.Parse(text, 16)).Message);
}
