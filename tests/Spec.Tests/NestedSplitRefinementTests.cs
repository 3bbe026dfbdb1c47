using NotifierSpec.Conformance;
using Xunit;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec.Tests;

/// <summary>spec/ on MADV_FREE's folio split nested in madvise_free_single_vma's bracket (Ref.MmConfig.NestedFolioSplit; linux-7.2
/// mm/madvise.c madvise_free_single_vma -> walk_page_range -> madvise_free_huge_pmd / madvise_free_pte_range -> split_folio ->
/// mm/rmap.c try_to_migrate_one): two invalidations open at once, the split's the current one (Refinement.Current, the newest
/// not ended) until its end.</summary>
public class NestedSplitRefinementTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_split_nested_in_madvise_free_refines(bool pteMapped)
    {
        var s = new Ref.Session(new Ref.MmConfig(16, 4, 48, Ref.Vocabulary.Linux7_2, [new Ref.MirrorConfig("dev0")]));
        s.Cpu(new Ref.Call.Mmap(0, 8, Ref.Prot.ReadWrite, Thp: true));
        s.Cpu(new Ref.Call.CpuWrite(1, 7));
        if (pteMapped) s.Cpu(new Ref.Call.Mprotect(0, 1, Ref.Prot.Read));
        s.DeviceRead(0, 1);
        s.Cpu(new Ref.Call.MadviseFree(1, 3));
        s.Cpu(new Ref.Call.CpuRead(2));
        Assert.Null(s.FirstViolation);
        var lines = Refinement.Lines(s).ToList();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"madvise_free\"", StringComparison.Ordinal));
        // madvise_free_single_vma's start first, the split's nested in it
        Assert.Contains("\"start\":1,\"end\":3", lines.Skip(call).First(l => l.Contains("invalidate_range_start", StringComparison.Ordinal)));
        var r = Refinement.Check(lines, Coverage.RefineScope);
        Assert.True(r.Refines, $"{r.Message}\n{r.Report}");
        Assert.Equal(r.Lines - 1, r.SpecSteps + r.Stutters);
    }
}
