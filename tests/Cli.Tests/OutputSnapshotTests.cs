using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// Approved output (Snapshooter.Xunit) of the commands whose text does not depend on time or the machine: the aligned
/// tables (Spectre.Console, cli/Tables.cs) of `events`, `scenario`, `scenario --list`, `audit` and a row of `hammer --mutants`
/// (its time masked), exactly as approved
/// in __snapshots__/. The timed tables (prove, contract, check's manifest comparison, bench-reference) are checked by
/// their own tests' patterns. A deliberate change: delete the .snap file, run once, read the new file.
/// </summary>
public class OutputSnapshotTests
{
    private static string Run(int expected, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(args, o, e);
        Assert.Equal((expected, ""), (code, e.ToString()));
        return o.ToString();
    }

    [Theory]
    [InlineData("v7")]
    [InlineData("v7-reviewed")]
    [InlineData("upstream")]
    [InlineData("linux-6.1")]
    [InlineData("linux-6.12")]
    [InlineData("linux-6.18")]
    [InlineData("linux-7.2")]
    [InlineData("linux-7.3")]
    public void Events_table_is_the_approved_text(string vocabulary) =>
        Snapshot.Match(Run(0, "events", "--vocabulary", vocabulary), SnapshotNameExtension.Create(vocabulary));

    [Fact]
    public void Scenario_list_is_the_approved_text() => Snapshot.Match(Run(0, "scenario", "--list"));

    [Fact]
    public void Scenario_outcomes_are_the_approved_text() => Snapshot.Match(Run(0, "scenario"));

    [Fact]
    public void Scenario_verbose_is_the_approved_text() => Snapshot.Match(Run(0, "scenario", "anon_write", "clear_refs_write_protect", "--verbose"));

    [Fact]
    public void Audit_of_the_planted_tree_is_the_approved_text()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        var tree = Path.Combine(dir.FullName, "tests", "Reference.Tests", "audit-fixtures", "planted");
        // the tree's path is the one text that depends on the machine
        string text = Run(12, "audit", tree, "--vocabulary", "linux-7.2").Replace(tree, "TREE");
        Snapshot.Match(text);
    }

    /// <summary>One row of the mutation matrix (hammer --mutant), laid out by cli/Tables.cs; the run's time is masked.</summary>
    [Fact]
    public void Hammer_mutant_row_is_the_approved_text()
    {
        string text = Run(0, "hammer", "--mutant", "UnmapAtEnd", "--count", "30", "--workers", "1", "--quiet");
        Assert.Matches(@"\(30 tests per cell, seed 1, [0-9]+\.[0-9] s\)\n$", text);
        Snapshot.Match(System.Text.RegularExpressions.Regex.Replace(text, @"[0-9]+\.[0-9] s\)\n$", "S s)\n"));
    }
}
