using System.Diagnostics;
using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>--checkpoint DIR and --recover DIR: a run stopped after a checkpoint and recovered from it ends with
/// the counts, depth, counterexample and output of a run that was never stopped.</summary>
public class CheckpointTests
{
    /// <summary>A writer that cancels the run when the search reports its n-th checkpoint (the search writes the
    /// line right after the checkpoint file is in place, and checks for cancellation before its next batch).</summary>
    private sealed class StopAfterCheckpoints(int n, CancellationTokenSource cts) : StringWriter
    {
        private int _seen;
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith("Checkpoint written to ") == true && ++_seen == n) cts.Cancel();
        }
    }

    public static (CheckResult R, string Out) Run(string tla, string cfg, int workers, string? checkpoint = null, string? recover = null,
        long? maxMemory = null, int stopAfter = 0, string? spillDir = null)
    {
        var spec = TlaSpec.Load(tla, cfg);
        using var cts = new CancellationTokenSource();
        var o = stopAfter > 0 ? new StopAfterCheckpoints(stopAfter, cts) : new StringWriter();
        var r = new ModelChecker(spec, new CheckOptions
        {
            Workers = workers, Out = o, Cancel = cts.Token, MaxMemory = maxMemory, SpillDirectory = spillDir,
            Checkpoint = checkpoint, CheckpointEvery = TimeSpan.Zero, Recover = recover,
        }).Run();
        return (r, o.ToString());
    }

    /// <summary>The output from the first line that reports the end of the search (a violation or success).</summary>
    private static string Ending(string output)
    {
        var lines = SpillTests.Stable(output).Split('\n');
        int i = Array.FindIndex(lines, l => l.StartsWith("Error:") || l.StartsWith("Model checking completed") || l.StartsWith("Checking temporal"));
        return string.Join('\n', lines[i..]);
    }

    private static void AssertSameRun(CheckResult expected, string expectedOut, CheckResult actual, string actualOut)
    {
        Assert.Equal((expected.Outcome, expected.Violated, expected.Generated, expected.Distinct, expected.Left, expected.Depth),
            (actual.Outcome, actual.Violated, actual.Generated, actual.Distinct, actual.Left, actual.Depth));
        Assert.Equal(expected.TraceLength, actual.TraceLength);
        Assert.Equal(expected.LassoStart, actual.LassoStart);
        Assert.Equal(expected.Trace?.Select(s => (s.Action, string.Join(",", s.State.Select(v => v.ToString())))),
            actual.Trace?.Select(s => (s.Action, string.Join(",", s.State.Select(v => v.ToString())))));
        Assert.Equal(Ending(expectedOut), Ending(actualOut));
    }

    /// <summary>2,500 initial states: every level is more than one batch (Batch = 2048), so checkpoints are taken
    /// inside levels too, with states of the next level already queued.</summary>
    /// <summary>The run recovered from a checkpoint taken inside a level: states of the next level were queued.</summary>
    private static void AssertInsideALevel(string output)
    {
        var m = System.Text.RegularExpressions.Regex.Match(output, @"Recovered from .*: [0-9]+ distinct states found, ([0-9]+) states left on queue at level [0-9]+ and ([0-9]+) at level");
        Assert.True(m.Success, output);
        Assert.True(long.Parse(m.Groups[1].Value) > 0 && long.Parse(m.Groups[2].Value) > 0, m.Value);
    }

    private const string Grid = """
        ---- MODULE Grid ----
        EXTENDS Naturals
        CONSTANT N
        VARIABLES x, y, r
        vars == <<x, y, r>>
        Init == x \in 0..2499 /\ y = 0 /\ r = [on |-> FALSE, seen |-> {}]
        Next == \/ y < N /\ y' = y + 1 /\ UNCHANGED <<x, r>>
                \/ r' = [r EXCEPT !.on = ~@, !.seen = IF y < 2 THEN @ \cup {y} ELSE @] /\ UNCHANGED <<x, y>>
        Spec == Init /\ [][Next]_vars /\ WF_vars(Next)
        Safe == ~(x = 2000 /\ y = 3 /\ r.on /\ r.seen = {0})
        Far == <>(y > N)
        ====
        """;

    private static (string Tla, string Cfg) Write(DirectoryInfo dir, string cfg)
    {
        File.WriteAllText(Path.Combine(dir.FullName, "Grid.tla"), Grid);
        File.WriteAllText(Path.Combine(dir.FullName, "Grid.cfg"), cfg);
        return (Path.Combine(dir.FullName, "Grid.tla"), Path.Combine(dir.FullName, "Grid.cfg"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void AnInvariantViolationRecoveredFromACheckpointIsTheUninterruptedOne(int workers, bool spill)
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var (tla, cfg) = Write(dir, "CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Safe\n");
            var ck = dir.CreateSubdirectory("ck").FullName;
            long? max = spill ? Sizes.MinMemory : null;
            var (whole, wholeOut) = Run(tla, cfg, 1);
            Assert.Equal(Outcome.Safety, whole.Outcome);
            Assert.Equal(5, whole.Trace!.Count);
            Assert.Equal((63508, 49004, 17498, 5), (whole.Generated, whole.Distinct, whole.Left, whole.Depth)); // TLC's numbers
            var (stopped, _) = Run(tla, cfg, workers, checkpoint: ck, maxMemory: max, stopAfter: 8);
            Assert.Equal(Outcome.Interrupted, stopped.Outcome);
            Assert.True(stopped.Distinct is > 1000 && stopped.Distinct < whole.Distinct, $"stopped at {stopped.Distinct}");
            var (recovered, recoveredOut) = Run(tla, cfg, workers, recover: ck, maxMemory: max);
            AssertInsideALevel(recoveredOut);
            AssertSameRun(whole, wholeOut, recovered, recoveredOut);
        }
        finally { dir.Delete(true); }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALivenessCounterexampleRecoveredFromACheckpointIsTheUninterruptedOne(bool spill)
    {
        // the state graph for liveness is part of the checkpoint
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var (tla, cfg) = Write(dir, "CONSTANT N = 3\nSPECIFICATION Spec\nPROPERTY Far\n");
            var ck = dir.CreateSubdirectory("ck").FullName;
            var (whole, wholeOut) = Run(tla, cfg, 1);
            Assert.Equal(Outcome.Liveness, whole.Outcome);
            Assert.Equal((112500, 65000, 7), (whole.Generated, whole.Distinct, whole.Depth));
            Assert.Equal((4, 2), (whole.TraceLength, whole.LassoStart)); // TLC: State 1..3, then "Back to state 2"
            long? max = spill ? Sizes.MinMemory : null;
            var (stopped, _) = Run(tla, cfg, 2, checkpoint: ck, maxMemory: max, stopAfter: 12);
            Assert.Equal(Outcome.Interrupted, stopped.Outcome);
            var (recovered, recoveredOut) = Run(tla, cfg, 2, recover: ck, maxMemory: max);
            Assert.Equal(spill, recovered.Spills > 0);
            AssertInsideALevel(recoveredOut);
            AssertSameRun(whole, wholeOut, recovered, recoveredOut);
        }
        finally { dir.Delete(true); }
    }


    [Fact]
    public void ACheckpointOfAnotherSpecOrADamagedOneIsRefusedInOneLine()
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var (tla, cfg) = Write(dir, "CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Safe\n");
            var ck = dir.CreateSubdirectory("ck").FullName;
            var (stopped, _) = Run(tla, cfg, 1, checkpoint: ck, stopAfter: 3);
            Assert.Equal(Outcome.Interrupted, stopped.Outcome);
            var file = Path.Combine(ck, ModelChecker.CheckpointFile);

            // the same spec with another option: deadlock checking off changes the search
            var spec = TlaSpec.Load(tla, cfg);
            var other = new ModelChecker(spec, new CheckOptions { Workers = 1, NoDeadlock = true, Recover = ck }).Run();
            Assert.Equal(Outcome.BadInput, other.Outcome);
            Assert.Equal(255, other.ExitCode);
            Assert.Equal($"{file}: the checkpoint is of another spec, configuration or options", other.Message);

            // the same spec with another constant
            File.WriteAllText(cfg, "CONSTANT N = 4\nINIT Init\nNEXT Next\nINVARIANT Safe\n");
            var (otherConstant, _) = Run(tla, cfg, 1, recover: ck);
            Assert.Equal(Outcome.BadInput, otherConstant.Outcome);
            Assert.Equal($"{file}: the checkpoint is of another spec, configuration or options", otherConstant.Message);
            File.WriteAllText(cfg, "CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Safe\n");

            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
            var (cut, _) = Run(tla, cfg, 1, recover: ck);
            Assert.Equal(Outcome.BadInput, cut.Outcome);
            Assert.StartsWith($"{file}: the checkpoint cannot be read (", cut.Message);
            Assert.DoesNotContain('\n', cut.Message!);

            // bytes overwritten inside the body (lengths and counts read as huge or negative numbers): one line too
            for (int at = bytes.Length / 4; at < bytes.Length * 3 / 4; at += bytes.Length / 16)
            {
                var bad = (byte[])bytes.Clone();
                for (int i = at; i < at + 16 && i < bad.Length; i++) bad[i] = 0xFF;
                File.WriteAllBytes(file, bad);
                var (damaged, _) = Run(tla, cfg, 1, recover: ck);
                Assert.Equal(Outcome.BadInput, damaged.Outcome);
                Assert.StartsWith($"{file}: the checkpoint ", damaged.Message);
                Assert.DoesNotContain('\n', damaged.Message!);
            }
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void ACheckpointIsRefusedWhenAModuleTheSpecExtendsChanged()
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "Lim.tla"), "---- MODULE Lim ----\nLim == 2499\n====\n");
            File.WriteAllText(Path.Combine(dir.FullName, "Grid.tla"), Grid.Replace("EXTENDS Naturals", "EXTENDS Naturals, Lim").Replace("0..2499", "0..Lim"));
            File.WriteAllText(Path.Combine(dir.FullName, "Grid.cfg"), "CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Safe\n");
            string tla = Path.Combine(dir.FullName, "Grid.tla"), cfg = Path.Combine(dir.FullName, "Grid.cfg");
            var ck = dir.CreateSubdirectory("ck").FullName;
            var (stopped, _) = Run(tla, cfg, 1, checkpoint: ck, stopAfter: 3);
            Assert.Equal(Outcome.Interrupted, stopped.Outcome);
            File.WriteAllText(Path.Combine(dir.FullName, "Lim.tla"), "---- MODULE Lim ----\nLim == 2498\n====\n");
            var (edited, _) = Run(tla, cfg, 1, recover: ck);
            Assert.Equal(Outcome.BadInput, edited.Outcome);
            Assert.Equal($"{Path.Combine(ck, ModelChecker.CheckpointFile)}: the checkpoint is of another spec, configuration or options", edited.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void ACheckpointThatCannotBeWrittenEndsTheRunInOneLine()
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            var (tla, cfg) = Write(dir, "CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Safe\n");
            var ck = dir.CreateSubdirectory("ck");
            ck.CreateSubdirectory("checkpoint.tmp"); // where the checkpoint is written first: a directory, not a file
            var (r, _) = Run(tla, cfg, 1, checkpoint: ck.FullName);
            Assert.Equal(Outcome.BadInput, r.Outcome);
            Assert.Equal(255, r.ExitCode);
            Assert.StartsWith($"{ck.FullName}: ", r.Message);
            Assert.DoesNotContain('\n', r.Message!);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>Strings made during the search (ToString), in sets: TLC orders strings by when they were first
    /// made (UniqueString), and its checkpoint keeps that table. A recovered run in a fresh process (a fresh
    /// spec here) must know every string of the checkpoint and order them as the stopped run did, or the sets'
    /// fingerprints change and states are counted twice.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StringsMadeDuringTheSearchAreRecoveredInTheirOrder(int workers)
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            string tla = Path.Combine(dir.FullName, "Words.tla"), cfg = Path.Combine(dir.FullName, "Words.cfg");
            File.WriteAllText(tla, """
                ---- MODULE Words ----
                EXTENDS Naturals, TLC
                VARIABLES x, y, w
                Init == x \in 0..4999 /\ y = 0 /\ w = {}
                Next == y < 3 /\ y' = y + 1 /\ w' = w \cup {ToString((x * 7 + y) % 1000)} /\ UNCHANGED x
                Safe == ~(x = 4000 /\ y = 3)
                ====
                """);
            File.WriteAllText(cfg, "INIT Init\nNEXT Next\nINVARIANT Safe\n");
            var ck = dir.CreateSubdirectory("ck").FullName;
            var (whole, wholeOut) = Run(tla, cfg, 1);
            Assert.Equal(Outcome.Safety, whole.Outcome);
            Assert.Equal((19001, 19001, 4999, 4), (whole.Generated, whole.Distinct, whole.Left, whole.Depth)); // TLC's numbers
            var (stopped, _) = Run(tla, cfg, workers, checkpoint: ck, stopAfter: 80); // 80 batches of ModelChecker.Batch (128): 10,240 states expanded
            Assert.Equal(Outcome.Interrupted, stopped.Outcome);
            Assert.True(stopped.Distinct is > 6000 && stopped.Distinct < whole.Distinct, $"stopped at {stopped.Distinct}");
            var (recovered, recoveredOut) = Run(tla, cfg, workers, recover: ck);
            AssertSameRun(whole, wholeOut, recovered, recoveredOut);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>--max-memory bounds the queue, the fingerprint set and the states and steps of the graph kept for
    /// a PROPERTY, not the graph's index of states: when the heap outgrows the limit with a graph, the run says so
    /// once on stderr (and not without a graph).</summary>
    [Fact]
    public void TheLivenessGraphOverMaxMemoryIsReportedOnceOnStderr()
    {
        var dir = Directory.CreateTempSubdirectory("checkpoint-test-");
        try
        {
            foreach (var (cfgText, warned) in new[] { ("CONSTANT N = 3\nSPECIFICATION Spec\nPROPERTY Far\n", true), ("CONSTANT N = 3\nINIT Init\nNEXT Next\n", false) })
            {
                var (tla, cfg) = Write(dir, cfgText);
                var err = new StringWriter();
                var r = new ModelChecker(TlaSpec.Load(tla, cfg), new CheckOptions { Workers = 1, MaxMemory = Sizes.MinMemory, Err = err }).Run();
                Assert.Equal(warned ? Outcome.Liveness : Outcome.Success, r.Outcome);
                var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (!warned) { Assert.Empty(lines); continue; }
                Assert.Single(lines);
                Assert.Matches(@"^notifier check: warning: [0-9]+ bytes in memory, over --max-memory \(65536 bytes\): with a PROPERTY the liveness graph keeps an index of every state in memory \(its states and steps spill\)$", lines[0]);
            }
        }
        finally { dir.Delete(true); }
    }

}
