using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>MmConfig.MmForbidsZeropage: upstream's mm_forbids_zeropage(mm) (linux-7.2 include/linux/mm.h, 0 but on s390) at each
/// site that asks it, linux-7.2 mm/memory.c do_anonymous_page, mm/huge_memory.c do_huge_pmd_anonymous_page and mm/migrate.c
/// try_to_map_unused_to_zeropage (6.12 has the same three; 6.1 the first two). Found on this project's PVM machines, whose
/// command line has pvm_no_zero_page=1 (docs/kernel.md, "Host-only runs"). Each test also runs the plant
/// PlantZeropageNotForbidden (the option ignored) and sees the zero page the site would map without it.</summary>
public class ZeropageTests
{
    private static Session New(bool plant = false, bool hugeZero = false) =>
        new(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, HugeZeroPage: hugeZero, MmForbidsZeropage: true) { PlantZeropageNotForbidden = plant });

    [Fact]
    public void A_read_fault_allocates_a_page_of_its_own_writable_and_dirty_and_fork_copies_it()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
            s.Cpu(new Call.CpuRead(3));
            var pte = s.State.Ptes[3]!.Value;
            if (plant)
            {   // the zero page, read-only, and no anon_vma: fork copies nothing (vma_needs_copy)
                Assert.Equal((MmState.ZeroFrame, Prot.Read), (pte.Frame, pte.Prot));
                Assert.False(s.State.VmaAt(3)!.AnonVma);
                continue;
            }
            // do_anonymous_page's allocation: pte_mkwrite(pte_mkdirty(entry)) for VM_WRITE, vmf_anon_prepare gave the VMA an anon_vma
            Assert.NotEqual(MmState.ZeroFrame, pte.Frame);
            Assert.Equal((Prot.ReadWrite, true), (pte.Prot, pte.Dirty));
            Assert.Equal((0, 1), (s.State.Frames[pte.Frame].Content, s.State.Frames[pte.Frame].MapCount));
            Assert.True(s.State.VmaAt(3)!.AnonVma);
            s.Cpu(new Call.Fork());
            Assert.Equal(pte.Frame, s.State.Children[0][3]);
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void A_read_fault_in_an_empty_huge_block_allocates_a_huge_page_not_the_huge_zero_page()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant, hugeZero: true);
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.CpuRead(1));
            var frames = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value).ToList();
            Assert.All(frames, p => Assert.True(p.Huge));
            // use_zero_page on (HugeZeroPage): the huge zero page unless mm_forbids_zeropage
            Assert.Equal(plant, frames.All(p => p.Frame == MmState.ZeroFrame));
            if (!plant) Assert.Equal(4, frames.Select(p => p.Frame).Distinct().Count(f => f != MmState.ZeroFrame));
        }
    }

    [Fact]
    public void A_folio_split_keeps_its_zero_filled_subpages()
    {
        foreach (bool plant in new[] { false, true })
        {
            var s = New(plant);
            s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
            s.Cpu(new Call.CpuWrite(1, 7));
            var before = Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToArray();
            // MADV_FREE over part of the THP splits its folio (madvise_free_huge_pmd -> split_folio); the remap maps zero-filled
            // subpages to the zero page only where try_to_map_unused_to_zeropage may
            s.Cpu(new Call.MadviseFree(2, 3));
            Assert.Equal(plant, s.State.Ptes[0] is { Frame: MmState.ZeroFrame } && s.State.Ptes[3] is { Frame: MmState.ZeroFrame });
            if (!plant) Assert.Equal(before, Enumerable.Range(0, 4).Select(p => s.State.Ptes[p]!.Value.Frame).ToArray());
            Assert.Equal(before[1], s.State.Ptes[1]!.Value.Frame);
            Assert.Null(s.FirstViolation);
        }
    }

    [Fact]
    public void The_trace_config_line_carries_it_and_a_trace_without_it_does_not_replay()
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuRead(3));
        s.Cpu(new Call.CpuWrite(3, 4));
        var w = new StringWriter();
        TraceFile.Write(w, s);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"mm_forbids_zeropage\":true", lines[0]);
        Assert.True(TraceConfig.FromJson(TraceConfig.ToJson(s.State.Config)).MmForbidsZeropage);
        var replay = Replay.Run(lines);
        Assert.True(replay.Accepted, replay.Message);
        // the field dropped: the replayed read fault maps the zero page where the trace has a page of its own
        var without = lines.ToArray();
        without[0] = without[0].Replace(",\"mm_forbids_zeropage\":true", "");
        Assert.False(Replay.Run(without).Accepted);
    }
}
