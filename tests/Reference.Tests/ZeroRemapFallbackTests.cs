using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>The zero-page remap after a folio split is decided when it runs (Prim.ZeroRemap: linux-7.2 mm/migrate.c
/// try_to_map_unused_to_zeropage reads the subpage after the unmap, pages_identical with ZERO_PAGE(0)), and what the madvise
/// walk does after the split follows that decision: linux-7.2 mm/madvise.c madvise_free_pte_range and
/// madvise_cold_or_pageout_pte_range set nr = 0 after a successful split_folio and look at the same PTE again, so a subpage
/// mapped back to its own page is made old and clean and marked lazyfree (MADV_FREE) or swapped out (MADV_PAGEOUT), while the
/// zero page is skipped (vm_normal_folio NULL). Here a device writes a subpage that was zero-filled when the call was planned
/// through its mapping, before its own invalidate callback: the remap keeps the page, and the later steps must treat it as
/// kept (Prim.IfKept, ZeroRemap.Lazyfree). Each test failed before (the page was left mapped, dirty and not lazyfree).</summary>
public class ZeroRemapFallbackTests
{
    /// <summary>A THP at [0, 4) (page 1 written with 7, the others zero-filled), page 2 mapped writable by dev0 (its write of
    /// 0); pteMapped: its PMD split by mprotect 0 1 r first (Frame.PteFolio, VMAs [0, 1) r and [1, 8) rw).</summary>
    private static (Session S, int Frame) Setup(bool pteMapped)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)],
            PteFolioSplit: true));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.CpuWrite(1, 7));
        if (pteMapped) s.Cpu(new Call.Mprotect(0, 1, Prot.Read));
        s.DeviceWrite(0, 2, 0);
        Assert.Equal(pteMapped, s.State.IsPteFolio(new PageRange(0, 4)));
        Assert.True(s.State.Ptes[2] is { Huge: var h } && h == !pteMapped);
        return (s, s.State.Ptes[2]!.Value.Frame);
    }

    /// <summary>Setup, then call planned, dev0 writing 5 into page 2 through its mapping before the call's first step, and the
    /// call run: pages 0 and 3, still zero-filled, become the zero page. Returns the session and page 2's frame.</summary>
    private static (Session S, int Frame) WithDeviceWriteAfterPlan(bool pteMapped, Call call)
    {
        var (s, frame) = Setup(pteMapped);
        Assert.Null(s.Call(call).Line.Get("result"));
        int from = s.Trace.Count;
        s.Call(new Call.DeviceWrite(0, 2, 5));
        s.Device(0);
        // a hit: the CPU took no step yet
        Assert.Equal(["device_write", "device_write"], s.Trace.Skip(from).Select(l => l.Op).ToArray());
        Assert.Equal(5, s.State.Frames[frame].Content);
        s.RunCpu();
        Assert.True(s.State.Ptes[0] is { Frame: MmState.ZeroFrame } && s.State.Ptes[3] is { Frame: MmState.ZeroFrame });
        Assert.Null(s.FirstViolation);
        return (s, frame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pageout_swaps_out_a_subpage_the_split_kept_because_a_device_wrote_it_after_the_plan(bool pteMapped)
    {
        var (s, frame) = WithDeviceWriteAfterPlan(pteMapped, new Call.MadvisePageout(2, 3));
        // kept by the remap (not the zero page), then swapped out as the walk's next look at the PTE does
        Assert.True(s.State.Ptes[2] is { Swapped: true } p && p.Frame == frame, s.State.Ptes[2]?.ToString());
        Assert.False(s.State.Frames[frame].Free);
        Assert.True(s.State.Ptes[1] is { Swapped: false, Prot: Prot.ReadWrite });
        s.Cpu(new Call.CpuRead(2));   // swapped in again: the device's write is there
        Assert.Equal(5, s.State.CpuView(2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Madvise_free_makes_a_subpage_the_split_kept_old_clean_and_lazyfree(bool pteMapped)
    {
        var (s, frame) = WithDeviceWriteAfterPlan(pteMapped, new Call.MadviseFree(2, 3));
        Assert.True(s.State.Ptes[2] is { Swapped: false, Dirty: false, Young: false } p && p.Frame == frame, s.State.Ptes[2]?.ToString());
        Assert.True(s.State.Frames[frame] is { Lazyfree: true, Dirty: false, Free: false }, s.State.Frames[frame].ToString());
        // a lazyfree page not written since is discarded by reclaim (mm/rmap.c try_to_unmap_one "goto discard")
        s.Cpu(new Call.MadvisePageout(2, 3));
        Assert.Null(s.State.Ptes[2]);
        Assert.True(s.State.Frames[frame].Free);
    }
}
