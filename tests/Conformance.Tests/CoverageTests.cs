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

    [Theory]
    [MemberData(nameof(Features))]
    public void Each_check_refuses_exactly_what_the_table_says_it_does_not_cover(string feature)
    {
        var row = Coverage.Rows.Single(r => r.Feature == feature);
        var path = Example(row);
        var replay = TraceChecks.Replay(path, allowIncomplete: true);
        Assert.True(replay.Kind is VerdictKind.Accepted or VerdictKind.Violation, replay.Message);
        var validate = TraceChecks.Validate(path, allowIncomplete: true);
        Assert.True((validate.Kind == VerdictKind.OutsideSpec) == !row.Validate, $"validate: {validate.Kind}: {validate.Message}");
        var refine = TraceChecks.Refine(path, allowIncomplete: true);
        Assert.True((refine.Kind == VerdictKind.OutsideSpec) == !row.Refine, $"refine: {refine.Kind}: {refine.Message}");
        // the refusals are the table's (it drives them): this row's, or an earlier row's the example also shows
        var upTo = Coverage.Rows.TakeWhile(r => r != row).Append(row).ToList();
        if (!row.Validate) Assert.Contains(upTo, r => !r.Validate && validate.Message.Contains($"{r.Feature}: {r.NotValidated}"));
        if (!row.Refine) Assert.Contains(upTo, r => !r.Refine && refine.Message.Contains($"{r.Feature}: {r.NotRefined}"));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }
}
