using NotifierSpec.Kernel;
using NotifierSpec.Kernel.Tests;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier kernel` on the live kernel through the CLI (only CLI tests reference cli/): one VM per process,
/// so these run in the "live kernel" collection, one at a time with the other CLI runs that open it.</summary>
[Collection("live kernel")]
public sealed class KernelLiveCommandTests
{
    [KvmSkippableFact]
    public void The_cli_exits_12_on_MigrateNoNotify()
    {
        // repeated while compaction moved none of the region's pages (CompactionRetry: other frames each time); skipped, with the
        // reason, when it moved none in every run
        var (code, output) = CompactionRetry.Until(() =>
        {
            var o = new StringWriter(); var e = new StringWriter();
            int c = NotifierSpec.Cli.Cli.Run(["kernel", "--pages", "128", "--vocabulary", "linux-6.18", "--mutant", "MigrateNoNotify", "--no-trace", "--quiet", "--ops", LiveKernelTests.MigrationOps()], o, e);
            return (c, o + e.ToString());
        }, x => !x.Item2.Contains("compactions moved 0 pages"), out long elsewhere);
        if (code == 0 && output.Contains("1 compactions moved 0 pages of the region")) throw CompactionRetry.NoneMoved(128, elsewhere);
        Assert.True(code == 12, output);
        Assert.Contains("MISMATCH after operation", output);
        Assert.Contains("--mutant MigrateNoNotify --ops \"", output);
    }

    [KvmTraceFact]
    public void The_cli_makes_a_swap_file_for_pageout_matches_try_to_unmap_one_and_removes_the_file()
    {
        bool hadSwap = SwapControl.KernelHasSwap();
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(["kernel", "--vocabulary", "linux-6.18", "--quiet", "--ops", LiveKernelTests.PageoutOps], o, e);
        Assert.True(code == 0, o + e.ToString());
        Assert.True(o.ToString().Contains("try_to_unmap_one 4"), o + e.ToString());
        if (!hadSwap)
        {
            Assert.Matches(@"pageout \(MADV_PAGEOUT\): swap file /var/tmp/notifier-kernel-\d+\.swap made by this run", o.ToString());
            Assert.False(SwapControl.KernelHasSwap());
            Assert.Empty(Directory.GetFiles("/var/tmp", $"notifier-kernel-{Environment.ProcessId}.swap"));
        }
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static bool CmdlineForbidsZeroPage => File.ReadAllText("/proc/cmdline").Contains("pvm_no_zero_page=1", StringComparison.Ordinal);

    [HostOnlyFact]
    public void A_host_only_run_says_host_only_and_what_it_did_not_compare()
    {
        var (code, o, e) = Cli("kernel", "--host-only", "--count", "100", "--seed", "1", "--quiet");
        Assert.True(code == 0, o + e);
        var lines = o.Split('\n');
        Assert.EndsWith(", host only", lines[0]);
        Assert.StartsWith("  100 operations in ", lines[1]);
        Assert.Equal("  host only: guest values, KVM mappings, call paths not compared (no VM); host values and pagemap compared; 0 guest operations not run (generated ones are host accesses)", lines[2]);
        Assert.Contains("  call paths not compared: host only: no KVM, so no kvm:kvm_unmap_hva_range tracepoint to trace\n", o);
        Assert.Contains(CmdlineForbidsZeroPage ? "  zero page: this kernel maps no zero page on a read fault (mm_forbids_zeropage; command line pvm_no_zero_page=1; the zero page is pfn 0x" : "  zero page: a read fault maps it (pfn 0x", o);
        Assert.DoesNotContain("guest accesses", o);
        Assert.EndsWith("no mismatch\n", o);
    }

    [HostOnlyFact]
    public void A_host_only_run_in_json_names_what_it_did_not_compare()
    {
        var (code, o, e) = Cli("kernel", "--host-only", "--ops", "mmap 0 4 rw; host_write 1 42; guest_read 1; host_read 2; munmap 1 3; host_read 1", "--pages", "4", "--vocabulary", "upstream", "--quiet", "--json");
        Assert.True(code == 0, o + e);
        var r = JsonSchemas.Conforming("kernel", o);
        Assert.True(r.GetProperty("host_only").GetBoolean());
        Assert.Equal(["guest values", "KVM mappings", "call paths"], r.GetProperty("not_compared").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal((6L, 1L, 1L, 0L), (r.GetProperty("operations").GetInt64(), r.GetProperty("refused").GetInt64(), r.GetProperty("guest_refused").GetInt64(), r.GetProperty("guest_accesses").GetInt64()));
        // what was not run, by operation: the guest read (no VM)
        Assert.Equal(["guest_read 1"], r.GetProperty("refused_by").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetInt64()}").ToArray());
        Assert.StartsWith("host only: ", r.GetProperty("call_paths_not_compared").GetString());
        if (CmdlineForbidsZeroPage) Assert.True(r.GetProperty("mm_forbids_zeropage").GetBoolean());
    }

    [HostOnlyFact]
    public void A_host_only_run_exits_12_on_a_mutant_and_its_reproduction_is_host_only()
    {
        var (code, o, e) = Cli("kernel", "--host-only", "--mutant", "CowForgetsWriteProtect", "--count", "300", "--seed", "1", "--quiet");
        Assert.True(code == 12, o + e);
        Assert.Contains("MISMATCH after operation", o);
        Assert.Matches(@"reproduce: notifier kernel --pages 16 --vocabulary linux-[0-9.]+ --mutant CowForgetsWriteProtect --host-only --ops "".*fork.*""", o);
    }
}

/// <summary>A fact for a machine without /dev/kvm; skipped, saying so, where there is one.</summary>
public sealed class NoKvmFactAttribute : FactAttribute
{
    public NoKvmFactAttribute() { if (File.Exists("/dev/kvm")) Skip = "this machine has /dev/kvm"; }
}

public sealed class KernelNoKvmTests
{
    [NoKvmFact]
    public void Without_host_only_and_without_kvm_the_run_is_one_line_and_exit_30()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(["kernel", "--count", "10", "--quiet"], o, e);
        Assert.Equal((KernelCommand.NoKvm, "", "notifier kernel: no /dev/kvm: the live kernel cannot be driven here\n"), (code, o.ToString(), e.ToString()));
    }
}
