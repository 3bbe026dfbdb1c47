using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MmState.PteTables: which huge blocks have a PTE table, and the THP fault that maps a PMD only where there is none
/// (linux-7.2 mm/memory.c __handle_mm_fault: create_huge_pmd only for pmd_none). Found live on 6.18.44 by `notifier kernel
/// --host-only --unseen --pages 1024 --seed 148` (docs/kernel.md, "PTE tables"). The plant PlantPteTableIgnored maps the PMD
/// whatever the table.</summary>
public class PteTableTests
{
    /// <summary>The live harness's configuration for 1024 pages (kernel/Conformance.cs: a huge block of 512 pages).</summary>
    private static Session Live(Vocabulary v = Vocabulary.Linux6_18, bool plant = false) =>
        new(new MmConfig(1024, 512, 8 * 1024 + 16, v) { PlantPteTableIgnored = plant });

    private static Session Small(Vocabulary v = Vocabulary.Linux7_2, bool plant = false) =>
        new(new MmConfig(16, 4, 48, v) { PlantPteTableIgnored = plant });

    [Fact]
    public void The_empty_table_mremap_leaves_at_its_destination_makes_the_fault_map_a_base_page()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = Live(plant: plant);
            s.Cpu(new Call.Mmap(0, 1024, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.Mmap(759, 1024, Prot.ReadWrite));
            s.Cpu(new Call.CpuWrite(761, 632381));
            Assert.Equal([512], s.State.PteTables);
            // the live harness's mremap: MREMAP_FIXED's munmap of the destination, then the move of the unfaulted page 718,
            // whose PMD (block [512, 1024)) has a table, so move_page_tables allocates one at block [0, 512)
            s.Cpu(new Call.Munmap(321, 322));
            s.Cpu(new Call.Mremap(718, 719, 321));
            Assert.Equal([0, 512], s.State.PteTables);
            s.Cpu(new Call.CpuWrite(199, 245745));
            Assert.Null(s.FirstViolation);
            // [0, 718) is one kernel VMA with THP (copy_vma lined the unfaulted page up): only the table decides
            Assert.Equal(plant, s.State.Ptes[0] is { Huge: true });
            Assert.Equal(!plant, s.State.Ptes[0] is null && s.State.Ptes[199] is { Huge: false });
        }
    }

    [Fact]
    public void Without_the_neighbours_fault_the_source_has_no_table_and_the_fault_maps_a_THP()
    {
        var s = Live();
        s.Cpu(new Call.Mmap(0, 1024, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.Mmap(759, 1024, Prot.ReadWrite));
        s.Cpu(new Call.Munmap(321, 322));
        s.Cpu(new Call.Mremap(718, 719, 321));
        Assert.Empty(s.State.PteTables);
        s.Cpu(new Call.CpuWrite(199, 245745));
        Assert.True(s.State.Ptes[0] is { Huge: true });
        Assert.Empty(s.State.PteTables);
    }

    [Fact]
    public void Munmap_frees_a_table_only_when_no_VMA_is_left_in_its_PMD()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = Live(plant: plant);
            s.Cpu(new Call.Mmap(0, 1024, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.Mmap(300, 400, Prot.ReadWrite));   // not THP: a base page and its table
            s.Cpu(new Call.CpuWrite(350, 1));
            Assert.Equal([0], s.State.PteTables);
            // free_pgd_range(300, 400, floor 300, ceiling 400): the PMD [0, 512) is below the floor's PMD and above the ceiling's
            s.Cpu(new Call.Munmap(300, 400));
            Assert.Equal([0], s.State.PteTables);
            s.Cpu(new Call.Mmap(300, 400, Prot.ReadWrite, Thp: true)); // merged back into one THP VMA [0, 1024)
            s.Cpu(new Call.CpuWrite(10, 2));
            Assert.Equal(plant, s.State.Ptes[10] is { Huge: true });
            Assert.Null(s.FirstViolation);
        }
        {
            // munmap of [0, 511) with [511, 1024) left: the floor is 0, the ceiling 511 rounds down to 0: nothing is freed
            var s = Written(10);
            s.Cpu(new Call.Munmap(0, 511));
            Assert.Equal([0], s.State.PteTables);
            // and then the last page of the PMD: free_pgd_range(511, 512, floor 0, ceiling 512) frees it
            s.Cpu(new Call.Munmap(511, 512));
            Assert.Empty(s.State.PteTables);
            s.Cpu(new Call.Mmap(0, 512, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.CpuWrite(10, 2));
            Assert.True(s.State.Ptes[10] is { Huge: true });
        }
        // a VMA left below in the PMD: free_pgd_range's addr (0) is below the floor (10), so it starts a PMD up
        Assert.Equal([0], Written(5).Cpu(new Call.Munmap(10, 512)).State.PteTables);
        {
            // a VMA left above in the PMD: end (1000) passes the ceiling's PMD (1000 -> 512), so it ends a PMD down
            var s = Written(600).Cpu(new Call.Munmap(512, 1000));
            Assert.Equal([512], s.State.PteTables);
            Assert.Empty(s.Cpu(new Call.Munmap(1000, 1024)).State.PteTables);
        }
        // the whole PMD's VMA gone at once, its neighbour in the next PMD: freed
        Assert.Equal([512], Written(10, 600).Cpu(new Call.Munmap(0, 512)).State.PteTables);
    }

    /// <summary>A plain private VMA over the 1024 pages with base pages written at the given pages.</summary>
    private static Session Written(params int[] pages)
    {
        var s = Live();
        s.Cpu(new Call.Mmap(0, 1024, Prot.ReadWrite));
        foreach (int p in pages) s.Cpu(new Call.CpuWrite(p, 1));
        return s;
    }

    [Fact]
    public void A_PMD_split_gives_the_block_a_table_which_MADV_DONTNEED_of_the_whole_block_reclaims_from_linux_6_18_on()
    {
        foreach (var v in new[] { Vocabulary.Linux7_2, Vocabulary.Linux6_18, Vocabulary.Linux6_12, Vocabulary.Linux6_1 })
        {
            var s = Small(v);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.CpuWrite(1, 5));
            Assert.True(s.State.Ptes[0] is { Huge: true });
            Assert.Empty(s.State.PteTables);
            s.Cpu(new Call.SplitHuge(1));   // __split_huge_pmd: the deposited table
            Assert.Equal([0], s.State.PteTables);
            // less than the whole block: pte_table_reclaim_possible is false
            s.Cpu(new Call.MadviseDontneed(0, 3));
            Assert.Equal([0], s.State.PteTables);
            s.Cpu(new Call.MadviseDontneed(0, 4));
            bool reclaim = v is Vocabulary.Linux7_2 or Vocabulary.Linux6_18;
            Assert.Equal(reclaim ? [] : new[] { 0 }, s.State.PteTables);
            s.Cpu(new Call.CpuWrite(2, 6));
            Assert.Equal(reclaim, s.State.Ptes[2] is { Huge: true });
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void A_PMD_that_mremap_moves_whole_leaves_no_table_a_partly_moved_THP_one_at_each_end()
    {
        var s = Small();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 5));
        s.Cpu(new Call.Mremap(0, 4, 8));            // move_pgt_entry(HPAGE_PMD): the PMD itself
        Assert.True(s.State.Ptes[8] is { Huge: true });
        Assert.Empty(s.State.PteTables);
        s.Cpu(new Call.Mremap(8, 10, 12));          // split_huge_pmd, then pte_alloc at [12, 16) and move_ptes
        Assert.Equal([8, 12], s.State.PteTables);
        Assert.True(s.State.Ptes[12] is { Huge: false });
        Assert.Null(s.FirstViolation);
    }

    [Fact]
    public void UFFDIO_MOVE_from_a_table_an_earlier_call_left_empty_is_refused_inside_its_bracket()
    {
        // move_pages: a none source PMD is -ENOENT before any bracket; a PTE table, even empty, reaches move_pages_ptes, which
        // opens MMU_NOTIFY_CLEAR and refuses the none PTE there (linux-7.2 mm/userfaultfd.c)
        foreach (bool emptied in new[] { false, true })
        {
            var s = Small();
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.UffdRegister(8, 12));
            if (emptied) { s.Cpu(new Call.CpuWrite(5, 1)); s.Cpu(new Call.MadviseDontneed(5, 6)); }
            Assert.Equal(emptied ? [4] : [], s.State.PteTables);
            int from = s.Trace.Count;
            var o = s.Call(new Call.UffdMove(5, 9));
            s.RunCpu();
            Assert.StartsWith("ENOENT", (string)o.Line.Get("result")!);
            Assert.Equal(emptied, s.Trace.Skip(from).Any(l => l.Op.StartsWith("invalidate_range_start", StringComparison.Ordinal)));
            // the destination's pte_alloc comes before move_pages_ptes' refusal
            Assert.Equal(emptied ? [4, 8] : [], s.State.PteTables);
            Assert.Null(s.FirstViolation);
        }
    }

    /// <summary>Seeded random runs of every call site (RandomRun): whenever the mm is idle, every base entry (a present PTE
    /// not mapped by a PMD, a swap, device or migration entry) lies in a block with a PTE table.</summary>
    [Fact]
    public void Every_base_entry_of_a_random_run_lies_in_a_block_with_a_table()
    {
        int checkedStates = 0;
        foreach (var v in new[] { Vocabulary.Linux7_2, Vocabulary.Linux6_12, Vocabulary.Linux6_1 })
            for (int seed = 1; seed <= 40; seed++)
                foreach (int steps in new[] { 60, 250, 700, 1500 })
                {
                    var s = RandomRun.Run(new MmConfig(16, 4, 64, v), seed, steps, record: false, stopAtViolation: false);
                    if (s.State.Op is not null) continue;
                    checkedStates++;
                    for (int p = 0; p < 16; p++)
                        if (s.State.Ptes[p] is { Huge: false } || s.State.Migrating.ContainsKey(p))
                            Assert.True(s.State.HasPteTable(p), $"{v} seed {seed} steps {steps}: page {p} ({PteText.Of(s.State.Ptes[p])}) in a block without a table");
                }
        Assert.True(checkedStates > 20, $"only {checkedStates} idle states checked");
    }

    [Fact]
    public void MADV_COLLAPSE_of_an_empty_block_without_a_table_is_SCAN_NO_PTE_TABLE()
    {
        var s = Small();
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(5, 5));
        var o = Machine.Submit(s.State, new Call.MadviseCollapse(0, 4));
        Assert.Equal("EINVAL (SCAN_NO_PTE_TABLE: the block has no page table)", o.Line.Get("result"));
    }
}
