using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>
/// `validate` and `replay` take a trace of every vocabulary of the catalogue (v7, v7-reviewed, the kernel releases
/// linux-6.1 ... linux-7.3, upstream): a seeded random run of an interval mirror, inside what the TLA+ spec models
/// (RandomRun draw: Coverage.Draws(CoverageCheck.Validate)), is accepted by both. The planted case: the same trace relabelled with a vocabulary of
/// another family (its events are not that vocabulary's) is refused by both.
/// </summary>
public class VocabularyCoverageTests
{
    public static TheoryData<string> Vocabularies() => [.. Enum.GetValues<Vocabulary>().Select(EventTables.Name)];

    private static string RandomTrace(Vocabulary v, string name)
    {
        var cfg = new MmConfig(8, 4, 40, v, [new MirrorConfig("dev0", MirrorKind.Interval, Policy.Hmm)]);
        var s = RandomRun.Run(cfg, 1, 200, stopAtViolation: false, draw: Coverage.Draws(CoverageCheck.Validate));
        var path = Path.Combine(Directory.CreateTempSubdirectory("vocabulary").FullName, name + ".jsonl");
        TraceFile.Write(path, s);
        return path;
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void A_random_run_of_every_vocabulary_is_accepted_by_replay_and_validate(string vocabulary)
    {
        var v = Enum.GetValues<Vocabulary>().Single(x => EventTables.Name(x) == vocabulary);
        var path = RandomTrace(v, vocabulary);
        Assert.Contains($"\"vocabulary\":\"{vocabulary}\"", File.ReadLines(path).First());
        var replay = TraceChecks.Replay(path, allowIncomplete: true);
        Assert.True(replay.Accepted, replay.Message);
        var validate = TraceChecks.Validate(path, allowIncomplete: true);
        Assert.True(validate.Accepted, validate.Message + "\n" + validate.Detail);
    }

    [Fact]
    public void A_trace_relabelled_with_another_family_is_refused()
    {
        var path = RandomTrace(Vocabulary.Upstream, "relabelled");
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace("\"vocabulary\":\"upstream\"", "\"vocabulary\":\"v7\"");
        File.WriteAllLines(path, lines);
        Assert.Equal(VerdictKind.Rejected, TraceChecks.Replay(path, allowIncomplete: true).Kind);
        Assert.Equal(VerdictKind.Rejected, TraceChecks.Validate(path, allowIncomplete: true).Kind);
    }
}
