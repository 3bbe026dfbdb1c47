using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>`notifier validate` on userfaultfd registration (tla/trace/TraceNotifierSpec.tla CandSites, UffdResolve):
/// UFFDIO_REGISTER changes VMA flags only, UFFDIO_WRITEPROTECT mode WP write-protects, mode 0 (the call line's
/// "wp": false) and UFFDIO_UNREGISTER may make an exclusive page writable again under uffd_wp_range.</summary>
public sealed class UffdValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("notifier-uffd-validate").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Trace(string name)
    {
        var s = new Session(new MmConfig(8, 4, 40, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(1, 7));
        s.Cpu(new Call.CpuRead(5));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdRegister(0, 6));
        s.Cpu(new Call.UffdWriteProtect(0, 8)); // refused: [6, 8) is not registered (ENOENT)
        s.Cpu(new Call.UffdWriteProtect(0, 6));
        s.Cpu(new Call.UffdWriteProtect(1, 2, Wp: false)); // the handler's un-protect: page 1 writable again
        s.Cpu(new Call.CpuWrite(1, 8));
        s.Cpu(new Call.UffdWriteProtect(0, 6));
        s.Cpu(new Call.UffdUnregister(0, 8)); // page 1 writable again, the zero page's bit cleared
        Assert.Null(s.FirstViolation);
        Assert.True(s.State.Ptes[1]!.Value.Writable);
        var path = Path.Combine(_dir, name + ".jsonl");
        TraceFile.Write(path, s);
        return path;
    }

    [Fact]
    public void Register_write_protect_unprotect_and_unregister_are_accepted()
    {
        var path = Trace("uffd");
        var v = TraceChecks.Validate(path);
        Assert.True(v.Accepted, v.Message);
        var p = TraceChecks.Replay(path);
        Assert.True(p.Accepted, p.Message);
        // spec/ (Z3) reads MMU_NOTIFY_PROTECTION_VMA as the VMA's new protection (Effect.Protection), which UFFDIO_WRITEPROTECT
        // leaves writable: its write-protect is not an instance there (as for scenario uffd_wp_consult_vma, docs/protection-vma.md)
        var lines = File.ReadAllLines(path);
        int wp = Array.FindIndex(lines, l => l.Contains("\"op\":\"pte_update\"") && l.Contains("\"new\":{\"frame\":1,\"prot\":\"r\"")) + 1;
        var r = TraceChecks.Refine(path);
        Assert.Equal(VerdictKind.Rejected, r.Kind);
        Assert.Equal(wp, r.Line);
        Assert.EndsWith($"uffd.jsonl:{wp}: step does not refine spec/: cpu pte_update page=1 old=frame 1 rw dirty soft-dirty new=frame 1 r dirty soft-dirty uffd-wp is not an instance of pte_update", r.Message);
    }

    /// <summary>Planted: the un-protect's call line without "wp": false reads as mode WP, whose uffd_wp_range only
    /// write-protects (SitePte): making page 1 writable there is rejected at that PTE change.</summary>
    [Fact]
    public void An_upgrade_under_a_write_protecting_uffd_wp_range_is_rejected()
    {
        var path = Trace("planted");
        var lines = File.ReadAllLines(path);
        int call = Array.FindIndex(lines, l => l.Contains("\"wp\":false"));
        lines[call] = lines[call].Replace(",\"wp\":false", "");
        File.WriteAllLines(path, lines);
        int update = Array.FindIndex(lines, call, l => l.Contains("\"op\":\"pte_update\"")) + 1;
        var v = TraceChecks.Validate(path);
        Assert.Equal(VerdictKind.Rejected, v.Kind);
        Assert.Equal(update, v.Line);
        Assert.EndsWith($"planted.jsonl:{update}: rejected: no behaviour of the spec matches this line ({update - 1} lines matched)", v.Message);
    }
}
