using NotifierSpec.Conformance;
using Xunit;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// spec/ on userfaultfd write-protect (linux-7.2 mm/userfaultfd.c mwriteprotect_range / userfaultfd_clear_vma ->
/// uffd_wp_range -> mm/mprotect.c change_protection): MMU_NOTIFY_PROTECTION_VMA with the VMA unchanged, mode WP
/// (MM_CP_UFFD_WP) write-protecting the PTEs with the uffd-wp bit, mode 0 and UFFDIO_UNREGISTER (MM_CP_UFFD_WP_RESOLVE)
/// clearing it and possibly making a PTE writable. The reference's run refines; a wrong step planted into the
/// reference's outcome (Refinement.CheckPlanted: the reference itself cannot make it) is rejected at its line.
/// </summary>
public class UffdRefinementTests
{
    /// <summary>The run of tests/Conformance.Tests/UffdValidationTests: register [0, 6), write-protect, un-protect page 1
    /// (made writable again), a CPU write, write-protect again, unregister.</summary>
    private static List<string> Lines()
    {
        var s = new Ref.Session(new Ref.MmConfig(8, 4, 40, Ref.Vocabulary.Linux7_2, [new Ref.MirrorConfig("dev0")]));
        s.Cpu(new Ref.Call.Mmap(0, 8, Ref.Prot.ReadWrite));
        s.Cpu(new Ref.Call.CpuWrite(1, 7));
        s.Cpu(new Ref.Call.CpuRead(5));
        s.DeviceRead(0, 1);
        s.Cpu(new Ref.Call.UffdRegister(0, 6));
        s.Cpu(new Ref.Call.UffdWriteProtect(0, 6));
        s.Cpu(new Ref.Call.UffdWriteProtect(1, 2, Wp: false));
        s.Cpu(new Ref.Call.CpuWrite(1, 8));
        s.Cpu(new Ref.Call.UffdWriteProtect(0, 6));
        s.Cpu(new Ref.Call.UffdUnregister(0, 8));
        Assert.Null(s.FirstViolation);
        return Refinement.Lines(s).ToList();
    }

    /// <summary>The 1-based line of the k-th (0-based) pte_update of `page` after the call line of `op` number `call`.</summary>
    private static int PteLine(List<string> lines, string op, int call, int page)
    {
        int at = -1;
        for (int c = 0; c <= call; c++) at = lines.FindIndex(at + 1, l => l.Contains("\"kind\":\"call\"") && l.Contains($"\"op\":\"{op}\""));
        Assert.True(at >= 0);
        int k = lines.FindIndex(at + 1, l => l.Contains("\"op\":\"pte_update\"") && l.Contains($"\"page\":{page},"));
        Assert.True(k > at);
        return k + 1;
    }

    [Fact]
    public void Write_protect_unprotect_and_unregister_refine_with_the_vma_unchanged()
    {
        var r = Refinement.Check(Lines(), Coverage.RefineScope);
        Assert.True(r.Refines, $"{r.Message}\n{r.Report}");
        Assert.Equal(r.Lines - 1, r.SpecSteps + r.Stutters);
        // the write-protects, the un-protect's upgrade and the unregister's bit clearing are pte_update inside the bracket
        Assert.Equal((4, 8), (r.ActionCounts["invalidate_range_start"], r.ActionCounts["pte_update"]));
    }

    /// <summary>Plants a PTE for `page` in the reference's state after line `line`.</summary>
    private static Func<int, Ref.StepOutcome, Ref.StepOutcome> Plant(int line, int page, Func<Ref.Pte, Ref.Pte> f) => (n, o) =>
        n != line ? o : o with { State = o.State with { Ptes = o.State.Ptes.SetItem(page, f(o.State.Ptes[page]!.Value)) } };

    [Theory]
    // mode WP leaves the PTE writable while it sets the uffd-wp bit: not a write-protect
    [InlineData("keeps-write", "guard conjunct (or (= write (and cpu_write[p1] np_write[i0])) (and cp_uffd_resolve[i0] write read vma_write[p1])) is false")]
    // mode WP makes the PTE PROT_NONE (NUMA hinting's change under userfaultfd's call): read must stay
    [InlineData("removes-read", "guard conjunct (= read (and cpu_read[p1] np_read[i0])) is false")]
    // mode 0 makes the PTE writable but keeps the uffd-wp bit (page_table_check_pte_flags would warn)
    [InlineData("resolve-keeps-bit", "guard conjunct (=> cp_uffd_resolve[i0] (not uffd_wp)) is false")]
    public void A_wrong_uffd_wp_range_step_is_rejected_at_its_pte_update(string plant, string violated)
    {
        var lines = Lines();
        // page 1's pte_update under the first write-protect (read-only, uffd-wp), the un-protect (made writable again) or
        // the second write-protect (its writable PTE write-protected): calls 0, 1, 2 of uffdio_writeprotect
        int line = PteLine(lines, "uffdio_writeprotect", plant switch { "removes-read" => 0, "resolve-keeps-bit" => 1, _ => 2 }, 1);
        Func<Ref.Pte, Ref.Pte> f = plant switch
        {
            "keeps-write" => p => p with { Prot = Ref.Prot.ReadWrite },
            "removes-read" => p => p with { Prot = Ref.Prot.None },
            _ => p => p with { UffdWp = true },
        };
        var r = Refinement.CheckPlanted(lines, Coverage.RefineScope, Plant(line, 1, f));
        Assert.Equal((RefinementVerdict.StepRejected, line, "pte_update", violated), (r.Verdict, r.Line, r.Action, r.Violated));
    }
}
