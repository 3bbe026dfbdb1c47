using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>
/// `notifier validate` holds an invalidate_range_start line to what the mm needs of its call site in the current state
/// (tla/trace/TraceNotifierSpec.tla IsStart: NotifierSpec's SiteApplicable, and HugetlbVmaFits for the hugetlb sites).
/// Before, any start whose event some candidate site of the call sends was taken: an mremap of an ordinary VMA with
/// hugetlb's MMU_NOTIFY_CLEAR (move_hugetlb_page_tables) was accepted, and a COW bracket after a read fault in a read-only
/// VMA was rejected only at its invalidate_range_end (line 9: the copy's PTE effect missing), not where it went wrong.
/// Each planted trace is now rejected at its start line; the same trace unplanted is accepted. TLC agrees (null fields
/// stripped: the planted ones stop at depth 6 and 8, the clean ones are accepted with 6 and 14 distinct states).
/// </summary>
public sealed class StartApplicableTests() : TraceDirTests("notifier-start-applicable")
{
    private static Session New() => new(new MmConfig(8, 4, 40, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = PathOf(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static List<string> Lines(Session s)
    {
        var w = new StringWriter();
        TraceFile.Write(w, s);
        return w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>A read fault in a read-only VMA, then (planted) a one-page MMU_NOTIFY_CLEAR bracket for the cpu_read call:
    /// the candidate sites of a CPU access (wp_page_copy, hugetlb_wp, remove_device_exclusive_entry) need a writable
    /// VMA, a hugetlb VMA or a device-exclusive entry (linux-7.2 mm/memory.c do_wp_page, hugetlb_fault, do_swap_page).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_cow_bracket_in_a_read_only_vma_is_rejected_at_its_start(bool planted)
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 4, Prot.Read));
        s.Cpu(new Call.CpuRead(0));
        Assert.Null(s.FirstViolation);
        var lines = Lines(s);
        if (planted)
            lines.AddRange(
            [
                """{"kind":"step","actor":"cpu","op":"invalidate_range_start","start":0,"end":1,"event":"MMU_NOTIFY_CLEAR","seq":3,"owner":null}""",
                """{"kind":"step","actor":"cpu","op":"invalidate","mirror":"dev0","event":"MMU_NOTIFY_CLEAR","reaction":"unmap","seq":3,"unmapped":[],"result":"ok"}""",
                """{"kind":"step","actor":"cpu","op":"invalidate_range_end","start":0,"end":1}""",
            ]);
        var path = Write(planted ? "planted" : "clean", lines);
        var v = TraceChecks.Validate(path);
        if (!planted) { Assert.True(v.Accepted, v.Message); return; }
        int start = lines.Count - 2;
        Assert.Equal((VerdictKind.Rejected, start), (v.Kind, v.Line));
        Assert.EndsWith($"planted.jsonl:{start}: rejected: no behaviour of the spec matches this line ({start - 1} lines matched)", v.Message);
    }

    /// <summary>mremap of an ordinary private VMA sends MMU_NOTIFY_UNMAP (linux-7.2 mm/mremap.c move_page_tables); the
    /// planted trace says MMU_NOTIFY_CLEAR, which only move_hugetlb_page_tables sends (mm/hugetlb.c), for a hugetlb VMA.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_mremap_of_an_ordinary_vma_with_hugetlbs_event_is_rejected_at_its_start(bool planted)
    {
        var s = New();
        s.Cpu(new Call.Mmap(0, 2, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(0, 5));
        s.Cpu(new Call.Mremap(0, 2, 4));
        Assert.Null(s.FirstViolation);
        var lines = Lines(s);
        int start = lines.FindIndex(l => l.Contains("\"op\":\"invalidate_range_start\"") && l.Contains("MMU_NOTIFY_UNMAP"));
        Assert.True(start > 0);
        if (planted)
            for (int k = start; k < lines.Count; k++) lines[k] = lines[k].Replace("MMU_NOTIFY_UNMAP", "MMU_NOTIFY_CLEAR");
        var path = Write(planted ? "planted" : "clean", lines);
        var v = TraceChecks.Validate(path);
        if (!planted) { Assert.True(v.Accepted, v.Message); return; }
        Assert.Equal((VerdictKind.Rejected, start + 1), (v.Kind, v.Line));
        Assert.EndsWith($"planted.jsonl:{start + 1}: rejected: no behaviour of the spec matches this line ({start} lines matched)", v.Message);
    }
}
