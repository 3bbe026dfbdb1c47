using System.Collections.Immutable;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>A planted bug: in the reference's call sites and notifier chain (Mutant), in a driver, or in a listener.</summary>
public sealed record MutantCase(string Name, string Plants, Func<MmConfig, MmConfig> Apply);

/// <summary>The mutation matrix: every planted bug against every property.</summary>
public static class Mutants
{
    /// <summary>Tests per cell of the matrix by default (the narrowest window, MigrateCopyBeforeUnmap, needs the most).</summary>
    public const int DefaultBudget = 250;

    private static MmConfig Mirrors(MmConfig c, Func<MirrorConfig, MirrorConfig> f) => c with { Mirrors = c.MirrorList.Select(f).ToImmutableArray() };

    /// <summary>What a mutant plants: its bug's description in catalogue/vocabulary.json, where every planted bug
    /// has one name (the mutant is the bug's "reference" name).</summary>
    private static string Plants(string mutant) =>
        Catalogue.Default.Bugs.FirstOrDefault(b => b.Reference == mutant) is { } bug ? $"{bug.Name}: {bug.Plants}"
            : throw new CatalogueException($"{Catalogue.ResourceName}: no planted bug with reference name '{mutant}'");

    /// <summary>The mutant on the generated configuration; FinishPassAtEnd only shows with two-pass interval listeners.</summary>
    private static Func<MmConfig, MmConfig> Planted(Mutant m) => m == Mutant.FinishPassAtEnd
        ? c => Mirrors(c with { Mutants = m }, x => x with { Kind = MirrorKind.Interval, Policy = Policy.TwoPass })
        : c => c with { Mutants = m };

    public static readonly ImmutableArray<MutantCase> All =
    [
        .. Enum.GetValues<Mutant>().Where(m => m != Mutant.None).Select(m => new MutantCase(m.ToString(), Plants(m.ToString()), Planted(m))),
        new("NoReadRetry", Plants("NoReadRetry"), c => Mirrors(c, m => m with { SkipReadRetry = true })),
        new("ReadRetryOutsideLock", Plants("ReadRetryOutsideLock"), c => Mirrors(c, m => m with { ReadRetryOutsideLock = true })),
        new("UnmapAtEnd", Plants("UnmapAtEnd"), c => Mirrors(c, m => m with { Kind = MirrorKind.Mm, Policy = Policy.UnmapAtEnd })),
        new("InvalidatePageOnly", Plants("InvalidatePageOnly"), c => Mirrors(c, m => m with { Kind = MirrorKind.InvalidatePage })),
        new("IgnoreSoftDirty", Plants("IgnoreSoftDirty"), c => Mirrors(c, m => m with { Policy = Policy.IgnoreSoftDirty })),
        new("V7MprotWriteProtect", Plants("V7MprotWriteProtect"), c => Mirrors(c with { Vocabulary = Vocabulary.V7 }, m => m with { Policy = Policy.WriteProtectOnMprot })),
    ];

    /// <summary>A row of the matrix by its mutant name or by any name of its planted bug in catalogue/vocabulary.json
    /// (its one name such as no-read-retry, its spec/ or tla/ name, an alias); the error lists the catalogue names.</summary>
    public static MutantCase Find(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? (Catalogue.Default.Bug(name) is { Reference: { } r } ? All.FirstOrDefault(m => m.Name == r) : null)
        ?? throw new ArgumentException($"unknown mutant '{name}' (known: {string.Join(", ", CatalogueNames)})");

    /// <summary>The catalogue's one name of each row's planted bug, in matrix order (what --mutant completes and help lists).</summary>
    public static IEnumerable<string> CatalogueNames => All.Select(m => Catalogue.Default.Bugs.First(b => b.Reference == m.Name).Name);

    /// <summary>One cell: the property fails on the mutant (killed, with the rule or reason) or survives.</summary>
    public sealed record Cell(string Mutant, string Property, bool Killed, string? Reason, int Tests);

    /// <summary>Checks every mutant against every property (rows can run in parallel; results do not depend on it);
    /// rowDone, when given, is called with the number of rows done and the number of rows after each row (from any thread).</summary>
    public static ImmutableArray<Cell> Matrix(int maxTest, ulong seed, int workers = 1, IEnumerable<MutantCase>? mutants = null, Action<int, int>? rowDone = null)
    {
        var rows = (mutants ?? All).ToList();
        var cells = new Cell[rows.Count][];
        int done = 0;
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, i =>
        {
            var mu = rows[i];
            cells[i] = NotifierProperties.All.Select(def =>
            {
                var r = PropertyChecker.Check(def, new GenOptions(Adjust: mu.Apply), maxTest, seed);
                string? reason = r.Passed ? null : r.Failure is { } f ? f.Split(' ')[0] : "failed";
                return new Cell(mu.Name, def.Name, !r.Passed, reason, r.Tests);
            }).ToArray();
            rowDone?.Invoke(Interlocked.Increment(ref done), rows.Count);
        });
        return [.. cells.SelectMany(c => c)];
    }

    /// <summary>The matrix as rows of text, laid out by the caller (the CLI's aligned tables): a header row (mutant, one
    /// column per property, verdict), then one row per mutant whose cells are "X RULE" (killed; the rule broken) or
    /// "-" (survived) and whose verdict is "killed" or "SURVIVED".</summary>
    public static (string[] Header, string[][] Rows) Table(ImmutableArray<Cell> cells)
    {
        var props = NotifierProperties.All.Select(p => p.Name).ToList();
        string[] header = ["mutant", .. props, "verdict"];
        var rows = cells.GroupBy(c => c.Mutant).Select(row => (string[])
        [
            row.Key,
            .. props.Select(p => row.Single(x => x.Property == p) is var c && c.Killed ? "X " + (c.Reason ?? "") : "-"),
            row.Any(c => c.Killed) ? "killed" : "SURVIVED",
        ]).ToArray();
        return (header, rows);
    }
}
