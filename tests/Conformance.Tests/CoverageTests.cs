using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>
/// conformance/Coverage.cs is the one table of what replay, validate and refine cover: every row's example trace
/// goes through the three checks, and a check answers "outside the spec" (exit 20) exactly where the table says it
/// does not cover the feature. Replay covers every row (its verdict is on the trace, never a refusal).
/// </summary>
public class CoverageTests
{
    public static TheoryData<string> Features() => [.. Coverage.Rows.Select(r => r.Feature)];

    private static string Example(CoverageRow row)
    {
        var session = Scenarios.Find(row.Example)!.Run().Session;
        if (row.Extra == "mmu_interval_notifier_remove")
        {
            session.Call(new Call.IntervalRemove(0));
            session.RunCpu();
        }
        else if (row.Extra == "collapse_huge_page")
        {
            // a huge page, split, then collapsed again (reference/Calls: collapse_huge_page)
            session = new Session(session.State.Config);
            session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
            session.Cpu(new Call.CpuWrite(5, 3));
            session.Cpu(new Call.SplitHuge(5));
            session.Cpu(new Call.CollapseHuge(5));
            Assert.Contains(session.Trace, l => l.Op == "collapse_huge_page");
        }
        else if (row.Extra == "a second mirror dev1 with skip_read_retry")
        {
            // the example's config with a second mirror whose driver skips read_retry, and CPU calls only
            var config = session.State.Config;
            session = new Session(config with { Mirrors = [.. config.MirrorList, new MirrorConfig("dev1", SkipReadRetry: true)] });
            session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
            session.Cpu(new Call.CpuWrite(2, 7));
            session.Cpu(new Call.Munmap(0, 4));
        }
        else if (row.Extra is "madvise_pageout" or "madvise_collapse" or "wp_shared_mapping_range")
        {
            // a block the device mapped, then the call over it (MADV_COLLAPSE: four exclusive base pages)
            session = new Session(session.State.Config);
            session.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite, Shared: row.Extra == "wp_shared_mapping_range"));
            for (int p = 0; p < 4; p++) session.Cpu(new Call.CpuWrite(p, 5 + p));
            session.DeviceRead(0, 1);
            session.Cpu(row.Extra switch
            {
                "madvise_pageout" => new Call.MadvisePageout(0, 4),
                "madvise_collapse" => new Call.MadviseCollapse(0, 4),
                _ => new Call.WpSharedMapping(0, 4),
            });
            Assert.Contains(session.Trace, l => l.Kind == "call" && l.Op == row.Extra && l.Get("result") is null);
        }
        else if (row.Extra == "child_write")
        {
            // the forked child writes the page the device's write made the parent copy (the child's page is its own: reused)
            // and one it shares with the parent (copied)
            session.Cpu(new Call.ChildWrite(0, 0, 9));
            session.Cpu(new Call.ChildWrite(0, 1, 8));
            Assert.Equal(2, session.Trace.Count(l => l.Kind == "call" && l.Op == "child_write" && l.Get("result") is null));
        }
        else if (row.Extra == "mremap_dontunmap")
        {
            // a page the device read, moved with MREMAP_DONTUNMAP; the CPU then reads the emptied old range (the zero page)
            session = new Session(session.State.Config);
            session.Cpu(new Call.Mmap(0, 4, Prot.ReadWrite));
            session.Cpu(new Call.CpuWrite(1, 6));
            session.DeviceRead(0, 1);
            session.Cpu(new Call.MremapDontunmap(0, 4, 8));
            session.Cpu(new Call.CpuRead(1));
            Assert.Contains(session.Trace, l => l.Kind == "call" && l.Op == row.Extra && l.Get("result") is null);
        }
        else if (row.Extra == "no mirror")
        {
            session = new Session(session.State.Config with { Mirrors = [] });
            session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
            session.Cpu(new Call.CpuWrite(2, 7));
            session.Cpu(new Call.Munmap(0, 4));
        }
        else Assert.Null(row.Extra);
        var path = Path.Combine(Directory.CreateTempSubdirectory("coverage").FullName, row.Example + ".jsonl");
        TraceFile.Write(path, session);
        if (row.ConfigEdit.Length > 0)
        {
            var lines = File.ReadAllLines(path);
            foreach (var (pattern, to) in row.ConfigEdit)
            {
                var re = new System.Text.RegularExpressions.Regex(pattern);
                Assert.Matches(re, lines[0]);
                lines[0] = re.Replace(lines[0], to, 1);
            }
            File.WriteAllLines(path, lines);
        }
        return path;
    }

    /// <summary>What is wrong when `row`'s example goes through replay, validate and refine judged by `table`
    /// (empty when the checks answer as the table says).</summary>
    private static List<string> Problems(CoverageRow row, IReadOnlyList<CoverageRow> table)
    {
        var problems = new List<string>();
        var path = Example(row);
        var replay = TraceChecks.Replay(path, allowIncomplete: true);
        if (replay.Kind is not (VerdictKind.Accepted or VerdictKind.Violation)) problems.Add($"replay: {replay.Kind}: {replay.Message}");
        var validate = TraceChecks.Validate(path, allowIncomplete: true, coverage: table);
        var refine = TraceChecks.Refine(path, allowIncomplete: true, coverage: table);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
        bool edited = row.ConfigEdit.Length > 0;
        var upTo = table.TakeWhile(r => r.Feature != row.Feature).Append(row).ToList();
        foreach (var (name, v, covered, why) in new[] { ("validate", validate, row.Validate, (Func<CoverageRow, string?>)(r => r.NotValidated)), ("refine", refine, row.Refine, r => r.NotRefined) })
        {
            if ((v.Kind == VerdictKind.OutsideSpec) == covered) problems.Add($"{name}: {v.Kind}: {v.Message}");
            // a covered feature gets a verdict on the trace, never a failure to judge it; an unedited example (a
            // run of the reference) is accepted: a row that wrongly says a check covers its feature fails here
            else if (covered && !(v.Kind is VerdictKind.Accepted || edited && v.Kind is VerdictKind.Rejected)) problems.Add($"{name}: {v.Kind}: {v.Message}");
            // the refusals are the table's (it drives them): this row's, or an earlier row's the example also shows
            else if (!covered && !upTo.Any(r => why(r) is { } w && v.Message.Contains($"{r.Feature}: {w}"))) problems.Add($"{name}: not the table's reason: {v.Message}");
        }
        return problems;
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void Each_check_refuses_exactly_what_the_table_says_it_does_not_cover(string feature)
    {
        Assert.Empty(Problems(Coverage.Rows.Single(r => r.Feature == feature), Coverage.Rows));
    }

    /// <summary>Planted: a table that says validate covers khugepaged's collapse. Validate, driven by it, no longer
    /// refuses the trace and rejects the reference's own run at the collapse's first invalidation.</summary>
    [Fact]
    public void A_row_that_wrongly_says_a_check_covers_its_feature_is_caught()
    {
        var planted = Coverage.Rows.Select(r => r.CallOp == "collapse_huge_page" ? r with { NotValidated = null } : r).ToList();
        var problems = Problems(planted.Single(r => r.CallOp == "collapse_huge_page"), planted);
        Assert.Single(problems);
        Assert.Matches(@"^validate: Rejected: .*anon_write\.jsonl:[0-9]+: rejected: no behaviour of the spec matches this line", problems[0]);
    }

    /// <summary>UFFDIO_MOVE with a length needs no row: validate's trace spec takes a whole THP moved by
    /// move_pages_huge_pmd (uffdio_move with len 4, one MMU_NOTIFY_CLEAR over the source PMD) and a two-page move
    /// (move_pages_ptes brackets over the rest of the move); the same THP move with the PMD moved outside any bracket
    /// (planted: MoveHugePmdNoNotify) is rejected at its first PTE change.</summary>
    [Theory]
    [InlineData(true, false, "Accepted")]
    [InlineData(false, false, "Accepted")]
    [InlineData(true, true, "Rejected")]
    public void Validate_takes_uffdio_move_with_a_length(bool thp, bool planted, string verdict)
    {
        var config = Scenarios.Find("anon_read")!.Run().Session.State.Config;
        var session = new Session(config with { Vocabulary = Vocabulary.Linux7_2, Mutants = planted ? Mutant.MoveHugePmdNoNotify : Mutant.None });
        session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: thp));
        session.Cpu(new Call.UffdRegister(4, 8));
        session.Cpu(new Call.CpuWrite(1, 5));
        session.Cpu(new Call.CpuWrite(2, 6));
        session.DeviceRead(0, 1);
        session.Cpu(thp ? new Call.UffdMove(0, 4, 4) : new Call.UffdMove(1, 4, 2));
        Assert.Equal(thp, session.State.Ptes[5]!.Value.Huge);
        Assert.Contains(session.Trace, l => l.Kind == "call" && l.Op == "uffdio_move" && l.Get("len") is (4 or 2) && l.Get("result") is null);
        var path = Path.Combine(Directory.CreateTempSubdirectory("coverage").FullName, "uffdio_move.jsonl");
        TraceFile.Write(path, session);
        var lines = File.ReadAllLines(path).ToList();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"uffdio_move\""));
        int firstPte = lines.FindIndex(call, l => l.Contains("\"op\":\"pte_update\"")) + 1;   // after the destination's anon_vma
        var v = TraceChecks.Validate(path, allowIncomplete: true);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
        Assert.Equal(verdict, v.Kind.ToString());
        if (planted) Assert.Equal(firstPte, v.Line);   // the first PTE change of the move, with no invalidate_range_start
    }

    /// <summary>The trace spec holds UFFDIO_MOVE's brackets to the ranges the kernel sends (TraceNotifierSpec
    /// MoveRange): a two-page move of pages [1, 3) to [4, 6) sends MMU_NOTIFY_CLEAR over [1, 3), then [2, 3) in
    /// linux-7.2 (move_pages_ptes: the rest of the move) and over [1, 2), then [2, 3) in linux-6.12 (move_pages_pte: one
    /// page). The same trace with its first bracket (start and end line) rewritten is rejected at that
    /// invalidate_range_start: the four pages [1, 5), past the move's end and no huge page (no release sends it; the
    /// trace spec accepted it before MoveRange, seen failing), [1, 4), under linux-6.12, 7.2's [1, 3), and under
    /// linux-6.18 (7.2's move_pages_ptes, commit 50944692052b, v6.18) 6.12's [1, 2) (accepted while the trace spec took
    /// 6.18 as 6.12).</summary>
    [Theory]
    [InlineData(Vocabulary.Linux7_2, -1, -1, "Accepted")]
    [InlineData(Vocabulary.Linux6_12, -1, -1, "Accepted")]
    [InlineData(Vocabulary.Linux7_2, 1, 5, "Rejected")]
    [InlineData(Vocabulary.Linux6_12, 1, 5, "Rejected")]
    [InlineData(Vocabulary.Linux7_2, 1, 4, "Rejected")]
    [InlineData(Vocabulary.Linux6_12, 1, 3, "Rejected")]
    [InlineData(Vocabulary.Linux6_18, -1, -1, "Accepted")]
    [InlineData(Vocabulary.Linux6_18, 1, 2, "Rejected")]
    public void A_uffdio_move_bracket_the_kernel_never_sends_is_rejected(Vocabulary vocabulary, int start, int end, string verdict)
    {
        var config = Scenarios.Find("anon_read")!.Run().Session.State.Config;
        var session = new Session(config with { Vocabulary = vocabulary });
        session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        session.Cpu(new Call.UffdRegister(4, 8));
        session.Cpu(new Call.CpuWrite(1, 5));
        session.Cpu(new Call.CpuWrite(2, 6));
        session.DeviceRead(0, 1);
        session.Cpu(new Call.UffdMove(1, 4, 2));
        Assert.True(session.State.Ptes[1] is null && session.State.Ptes[2] is null && session.State.Ptes[4] is not null && session.State.Ptes[5] is not null);
        var dir = Directory.CreateTempSubdirectory("coverage").FullName;
        var path = Path.Combine(dir, "uffdio_move.jsonl");
        TraceFile.Write(path, session);
        var lines = File.ReadAllLines(path).ToList();
        int call = lines.FindIndex(l => l.Contains("\"op\":\"uffdio_move\""));
        int first = lines.FindIndex(call, l => l.Contains("\"op\":\"invalidate_range_start\""));
        int firstEnd = lines.FindIndex(first, l => l.Contains("\"op\":\"invalidate_range_end\""));
        var brackets = lines.Skip(call).Where(l => l.Contains("\"op\":\"invalidate_range_start\"")).Select(Range).ToList();
        Assert.Equal(vocabulary == Vocabulary.Linux6_12 ? ["1-2", "2-3"] : ["1-3", "2-3"], brackets);
        if (start >= 0)
            foreach (int i in new[] { first, firstEnd })
            {
                string edited = System.Text.RegularExpressions.Regex.Replace(lines[i], "\"start\":[0-9]+,\"end\":[0-9]+", $"\"start\":{start},\"end\":{end}");
                Assert.NotEqual(lines[i], edited);
                lines[i] = edited;
            }
        File.WriteAllLines(path, lines);
        var v = TraceChecks.Validate(path, allowIncomplete: true);
        Directory.Delete(dir, true);
        Assert.Equal(verdict, v.Kind.ToString());
        if (start >= 0) Assert.Equal(first + 1, v.Line);
    }

    /// <summary>Overlapping UFFDIO_MOVE ranges (linux-7.2 mm/userfaultfd.c move_pages has no overlap check and walks up from
    /// src_start): a page carried up from page 1 to page 4 by `uffdio_move` 1 -> 2, len 3, then pages moved down (5, 6, 7 ->
    /// 4, 5, 6), each step a move_pages_ptes bracket over the rest of the move (linux-6.12: one page), validate's trace spec
    /// takes both under every vocabulary that has UFFDIO_MOVE.</summary>
    [Theory]
    [InlineData(Vocabulary.Linux7_2)]
    [InlineData(Vocabulary.Linux6_18)]
    [InlineData(Vocabulary.Linux6_12)]
    public void Validate_takes_overlapping_uffdio_moves(Vocabulary vocabulary)
    {
        var config = Scenarios.Find("anon_read")!.Run().Session.State.Config;
        var session = new Session(config with { Vocabulary = vocabulary });
        session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        session.Cpu(new Call.UffdRegister(0, 8));
        session.Cpu(new Call.CpuWrite(1, 5));
        session.DeviceRead(0, 1);
        session.Cpu(new Call.UffdMove(1, 2, 3));
        Assert.Equal(5, session.State.CpuView(4));
        session.Cpu(new Call.CpuWrite(5, 6));
        session.Cpu(new Call.CpuWrite(6, 7));
        session.Cpu(new Call.CpuWrite(7, 8));
        session.Cpu(new Call.MadviseDontneed(4, 5));
        session.Cpu(new Call.UffdMove(5, 4, 3));
        Assert.Equal([6, 7, 8], Enumerable.Range(4, 3).Select(p => session.State.CpuView(p)!.Value).ToList());
        Assert.Null(session.FirstViolation);
        Assert.Equal("Accepted", MoveVerdict(session));
    }

    /// <summary>validate's verdict on the session's trace.</summary>
    private static string MoveVerdict(Session session)
    {
        var dir = Directory.CreateTempSubdirectory("coverage").FullName;
        var path = Path.Combine(dir, "uffdio_move.jsonl");
        TraceFile.Write(path, session);
        var v = TraceChecks.Validate(path, allowIncomplete: true);
        Directory.Delete(dir, true);
        return v.Kind.ToString();
    }

    /// <summary>A refused UFFDIO_MOVE leaves the destination VMA the anon_vma the kernel prepared before its checks (linux-7.2
    /// mm/userfaultfd.c uffd_lock_vma), with no step line (the refused step's bracket, move_pages_ptes, has its lines); the fork after it copies that VMA's zero page, and validate's
    /// trace spec takes the trace (the child's copy is its copy_page_range steps).</summary>
    [Fact]
    public void Validate_takes_a_fork_after_a_refused_uffdio_move()
    {
        var config = Scenarios.Find("anon_read")!.Run().Session.State.Config;
        var session = new Session(config with { Vocabulary = Vocabulary.Linux7_2 });
        session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite));
        session.Cpu(new Call.UffdRegister(4, 8));
        session.Cpu(new Call.CpuRead(5));
        session.Cpu(new Call.CpuRead(1));
        int before = session.Trace.Count;
        Assert.Equal("EEXIST (destination is mapped)", session.Call(new Call.UffdMove(1, 5)).Line.Get("result"));
        session.RunCpu();   // move_pages_ptes' bracket around the refused step
        Assert.Equal(["uffdio_move", "invalidate_range_start", "invalidate", "invalidate_range_end"], session.Trace.Skip(before).Select(l => l.Op));
        session.Cpu(new Call.Fork());
        Assert.True(session.State.Children[0].ContainsKey(5));
        Assert.Null(session.FirstViolation);
        Assert.Equal("Accepted", MoveVerdict(session));
    }

    /// <summary>The hugetlb calls under validate: mprotect (hugetlb_change_protection), truncate (unmap_hugepage_range:
    /// MMU_NOTIFY_UNMAP in linux-6.1, CLEAR from 6.12), a COW write fault after fork (hugetlb_wp) and mremap
    /// (move_hugetlb_page_tables), each run by the trace spec as the TLA+ site of that name (CandSites).</summary>
    [Theory]
    [InlineData(Vocabulary.Linux6_1)]
    [InlineData(Vocabulary.Linux6_12)]
    [InlineData(Vocabulary.Linux7_2)]
    public void Validate_takes_the_hugetlb_calls(Vocabulary vocabulary)
    {
        var config = Scenarios.Find("anon_read")!.Run().Session.State.Config;
        var session = new Session(config with { Vocabulary = vocabulary });
        session.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Hugetlb: true));
        for (int p = 0; p < 8; p++) session.Cpu(new Call.CpuWrite(p, 5 + p));
        session.DeviceRead(0, 1);
        session.Cpu(new Call.Fork());
        session.Cpu(new Call.CpuWrite(1, 9));
        session.DeviceRead(0, 2);
        session.Cpu(new Call.Mprotect(4, 8, Prot.Read));
        session.Cpu(new Call.Truncate(0, 4));
        session.Cpu(new Call.Mremap(4, 8, 8));
        // each call of the test after the device's read, with the events of its brackets
        var calls = new List<string>();
        foreach (var l in session.Trace.SkipWhile(l => l.Op != "fork"))
            if (l.Kind == "call" && l.Actor == "cpu") calls.Add(l.Op + (l.Get("result") is { } r ? $"={r}" : ""));
            else if (l.Op == "invalidate_range_start") calls[^1] += " " + l.Get("event");
        string unmap = vocabulary == Vocabulary.Linux6_1 ? "MMU_NOTIFY_UNMAP" : "MMU_NOTIFY_CLEAR";
        Assert.Equal(["fork MMU_NOTIFY_CLEAR", "cpu_write MMU_NOTIFY_CLEAR", "mprotect MMU_NOTIFY_PROTECTION_VMA",
            $"truncate {unmap}", "mremap MMU_NOTIFY_CLEAR"], calls);
        var dir = Directory.CreateTempSubdirectory("coverage").FullName;
        var path = Path.Combine(dir, "hugetlb.jsonl");
        TraceFile.Write(path, session);
        var v = TraceChecks.Validate(path, allowIncomplete: true);
        Directory.Delete(dir, true);
        Assert.True(v.Accepted, v.Message + "\n" + v.Detail);
    }

    private static string Range(string line)
    {
        var m = System.Text.RegularExpressions.Regex.Match(line, "\"start\":([0-9]+),\"end\":([0-9]+)");
        Assert.True(m.Success, line);
        return $"{m.Groups[1].Value}-{m.Groups[2].Value}";
    }
}
