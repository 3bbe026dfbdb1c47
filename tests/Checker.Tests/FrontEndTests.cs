using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The TLA+ front end against SANY/TLC: tab columns, refusals SANY or TLC make, and one-line errors.
/// </summary>
public class FrontEndTests
{
    [Theory]
    [InlineData("\tx", 9)]
    [InlineData("ab\tx", 9)]
    [InlineData("abcdefg\tx", 9)]
    [InlineData("abcdefgh\tx", 17)]
    [InlineData("\t\tx", 17)]
    [InlineData("  \t   x", 12)]
    [InlineData("a b x", 5)]
    public void ATabMovesToSanysNextTabStop(string line, int col)
    {
        // SANY's SimpleCharStream: tabSize 8, column += 8 - (column % 8)
        var toks = Lexer.Lex("M.tla", $"---- MODULE M ----\n{line}\n====\n");
        var x = toks.Single(t => t.Text == "x");
        Assert.Equal((2, col), (x.Line, x.Col));
    }

    /// <summary>Corpus Tabs: TLC finds no error (4 distinct states); with a tab counted as one column the
    /// tab-indented conjunct fell out of its list and the spec deadlocked at x = 3.</summary>
    [Fact]
    public void TabIndentedBulletsAreReadAsTlcReadsThem()
    {
        var (exit, r, _, err) = CorpusTests.Run("Tabs", 1);
        Assert.True(exit == 0, err);
        Assert.Equal((4L, 5L, 4), (r!.Distinct, r.Generated, r.Depth));
    }

    [Fact]
    public void AnErrorAfterATabIsAtSanysColumn()
    {
        // TLC: "Precedence conflict between ops \land in block line 4, col 17 to line 4, col 18 of module TabsBad"
        var (exit, _, _, err) = CorpusTests.Run("TabsBad", 1);
        Assert.Equal(150, exit);
        Assert.Equal(Path.Combine(CorpusTests.CorpusDir, "TabsBad.tla:4:17: Precedence conflict between ops /\\ and \\/ (SANY refuses it; add parentheses)\n"), err);
    }
}
