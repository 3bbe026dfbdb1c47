using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>--max-memory: the queue and the fingerprint set spill to disk with the same results, and the spill
/// directory is removed at the end (also when the run ends in an error).</summary>
public class SpillTests
{
    /// <summary>The smallest limit: 16 KiB of queue pages per level and a 4,096-slot table, so every model
    /// over a few thousand states spills.</summary>
    private const long Tiny = Sizes.MinMemory;

    internal static (CheckResult R, string Out) Run(string tla, string? cfg, int workers, long? maxMemory = null, string? spillDir = null)
    {
        var spec = TlaSpec.Load(tla, cfg);
        var o = new StringWriter();
        var r = new ModelChecker(spec, new CheckOptions { Workers = workers, Out = o, MaxMemory = maxMemory, SpillDirectory = spillDir }).Run();
        return (r, o.ToString());
    }

    /// <summary>The output without the lines that differ between runs (time) or with --max-memory (memory).</summary>
    internal static string Stable(string output) => string.Join('\n', output.Split('\n')
        .Where(l => !l.StartsWith("Finished in") && !l.StartsWith("Progress(") && !l.StartsWith("Memory:") && !l.StartsWith("Spilled to disk:") && !l.StartsWith("Running breadth-first")));

    [Fact]
    public void Puzzle8SpilledToDiskHasTlcsCountsAndLeavesNoFiles()
    {
        // Puzzle8: 181,440 distinct states; MemoryTests checks the same numbers without --max-memory
        var e = CorpusTests.Manifest()["Puzzle8"];
        var dir = Directory.CreateTempSubdirectory("spill-test-");
        try
        {
            var (r, output) = Run(Path.Combine(CorpusTests.CorpusDir, e.Model.Spec), Path.Combine(CorpusTests.CorpusDir, e.Model.Config), 2, Tiny, dir.FullName);
            Assert.Equal(Outcome.Success, r.Outcome);
            Assert.Equal(e.Model.DistinctStates, r.Distinct);
            Assert.Equal(e.Generated, r.Generated);
            Assert.Equal(e.Model.StateDepth, r.Depth);
            Assert.True(r.Spills > 100, $"only {r.Spills} spills");
            Assert.Contains("Spilled to disk: ", output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.FullName));
        }
        finally { dir.Delete(true); }
    }

    private const string Grid = """
        ---- MODULE Grid ----
        EXTENDS Naturals
        VARIABLES x, y, r
        Init == x = 0 /\ y = 0 /\ r = [on |-> FALSE, seen |-> {}]
        Next == \/ x < 100 /\ x' = x + 1 /\ UNCHANGED <<y, r>>
                \/ y < 100 /\ y' = y + 1 /\ UNCHANGED <<x, r>>
                \/ r' = [r EXCEPT !.on = ~@, !.seen = IF x < 2 THEN @ \cup {x} ELSE @] /\ UNCHANGED <<x, y>>
        Safe == ~(x = 97 /\ y = 99 /\ r.on)
        ====
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AViolationFoundWhileSpillingHasTheUnspilledRunsOutputAndTrace(int workers)
    {
        var dir = Directory.CreateTempSubdirectory("spill-test-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "Grid.tla"), Grid);
            File.WriteAllText(Path.Combine(dir.FullName, "Grid.cfg"), "INIT Init\nNEXT Next\nINVARIANT Safe\n");
            var spill = dir.CreateSubdirectory("spill");
            var (plain, plainOut) = Run(Path.Combine(dir.FullName, "Grid.tla"), Path.Combine(dir.FullName, "Grid.cfg"), 1);
            var (spilled, spilledOut) = Run(Path.Combine(dir.FullName, "Grid.tla"), Path.Combine(dir.FullName, "Grid.cfg"), workers, Tiny, spill.FullName);
            Assert.Equal(Outcome.Safety, plain.Outcome);
            Assert.Equal(198, plain.Trace!.Count);
            Assert.True(plain.Distinct > 20000, $"{plain.Distinct} states");
            Assert.True(spilled.Spills > 0);
            Assert.Equal((plain.Generated, plain.Distinct, plain.Left, plain.Depth), (spilled.Generated, spilled.Distinct, spilled.Left, spilled.Depth));
            Assert.Equal(Stable(plainOut), Stable(spilledOut));
            Assert.Empty(Directory.EnumerateFileSystemEntries(spill.FullName));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void TheDiskFingerprintSetAgreesWithAHashSet()
    {
        var dir = Directory.CreateTempSubdirectory("spill-test-");
        try
        {
            var rnd = new Random(7);
            var set = new DiskFpSet(dir.FullName, 8 * 1024);
            var model = new HashSet<long>();
            for (int i = 0; i < 60000; i++)
            {
                // a small range: many repeats, found in the table or in the file; 0 and 1 are one fingerprint
                long fp = rnd.Next(2) == 0 ? rnd.NextInt64(-40000, 40000) : rnd.NextInt64();
                long norm = fp == 0 ? 1 : fp;
                Assert.Equal(model.Contains(norm), set.Contains(fp));
                Assert.Equal(model.Add(norm), set.Add(fp));
            }
            Assert.Equal(model.Count, set.Count);
            Assert.True(set.Flushes > 10);
            Assert.Equal(model.OrderBy(x => x), set.All().OrderBy(x => x));
            set.Dispose();
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.FullName));
        }
        finally { dir.Delete(true); }
    }

    /// <summary>The in-memory table of the disk set is capped at the largest array, whatever --max-memory says
    /// (a table doubled past 2^30 slots overflowed its int length).</summary>
    [Fact]
    public void TheDiskFingerprintSetTableIsCappedAtTheLargestArray()
    {
        var dir = Directory.CreateTempSubdirectory("spill-test-");
        try
        {
            using var small = new DiskFpSet(dir.FullName, 1L << 20);
            Assert.Equal(1L << 20, small.MaxTableBytes);
            using var huge = new DiskFpSet(dir.FullName, 1L << 40);
            Assert.Equal(Array.MaxLength * 8L, huge.MaxTableBytes);
        }
        finally { dir.Delete(true); }
    }
}
