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

    /// <summary>Refusals SANY or TLC make (their message; TLC printed the same position, "line 6, col 1 to ..."
    /// for the duplicate definitions): spec errors exit 150, configuration errors 151.</summary>
    [Theory]
    [InlineData("DupDef", 150, "DupDef.tla:6:1: Operator A already defined or declared.")]
    [InlineData("DupDefExt", 150, "DupDefExt.tla:6:1: Operator A already defined or declared.")]
    [InlineData("DupDefStd", 150, "DupDefStd.tla:6:1: Operator Len already defined or declared.")]
    [InlineData("DupFcn", 150, "DupFcn.tla:6:1: Function name `f' already defined or declared.")]
    [InlineData("DupConst", 150, "DupConst.tla:6:1: Operator c already defined or declared.")]
    [InlineData("ExtendsSelf", 150, "ExtendsSelf.tla:2:9: Circular dependency among .tla files; dependency cycle is: ExtendsSelf.tla --> ExtendsSelf.tla")]
    [InlineData("ExtendsCycA", 150, "ExtendsCycB.tla:2:9: Circular dependency among .tla files; dependency cycle is: ExtendsCycA.tla --> ExtendsCycB.tla --> ExtendsCycA.tla")]
    [InlineData("CfgEmpty", 151, "CfgEmpty.cfg:1:1: The configuration file did not specify the initial state predicate.")]
    [InlineData("CfgComments", 151, "CfgComments.cfg:1:1: The configuration file did not specify the initial state predicate.")]
    [InlineData("CfgUndeclSub", 151, "CfgUndeclSub.cfg:3:10: In the configuration file, the identifier M does not appear in the specification.")]
    [InlineData("CfgUndefTarget", 151, "CfgUndefTarget.cfg:3:10: The configuration file substitutes for Inv with the undefined identifier Foo.")]
    [InlineData("CfgNoModule", 151, "CfgNoModule.cfg:3:10: In the configuration file, the module name Foo is not a module in the specification.")]
    public void RefusedAsSanyOrTlcRefuseIt(string name, int code, string error)
    {
        var (exit, _, _, err) = CorpusTests.Run(name, 1);
        Assert.Equal(code, exit);
        Assert.Equal(Path.Combine(CorpusTests.CorpusDir, error) + "\n", err);
    }

    /// <summary>A LOCAL definition of an extended module is not in scope: redefining it is fine (TLC: no error).</summary>
    [Fact]
    public void ALocalDefinitionOfAnExtendedModuleMayBeRedefined()
    {
        var (exit, r, _, err) = CorpusTests.Run("DupLocalOk", 1);
        Assert.True(exit == 0, err);
        Assert.Equal(1, r!.Distinct);
    }

    /// <summary>A cfg ALIAS shapes the printed counterexample as TLC's does: each state shows the fields of the alias
    /// record, evaluated in the state and its successor (the last state: itself; a lasso's: the state it goes back
    /// to); an alias that fails shows the variables and _ALIASEvalError. Expected values are what local TLC printed
    /// (tlaplus/tlaplus cc6b616cf) for the same specs; our trace prints changes after the first state.</summary>
    [Theory]
    [InlineData("INIT Init\nNEXT Next\nINVARIANT Inv\nALIAS Al\n",
        "State 1: <Initial predicate>|/\\ y = 0|/\\ nx = 1||State 2: <Next line 5, col 9 to line 5, col 18 of module A>|/\\ y = 10  (was 0)|/\\ nx = 2  (was 1)||" +
        "State 3: <Next line 5, col 9 to line 5, col 18 of module A>|/\\ y = 20  (was 10)|/\\ nx = 3  (was 2)||State 4: <Next line 5, col 9 to line 5, col 18 of module A>|/\\ y = 30  (was 20)|")]
    [InlineData("INIT Init\nNEXT Next\nINVARIANT Inv2\nALIAS Bad\n",
        "State 1: <Initial predicate>|/\\ x = 0|/\\ _ALIASEvalError = \"The second argument of \\\\div is 0.\"||State 2: <Next line 5, col 9 to line 5, col 18 of module A>|/\\ y = 1||" +
        "State 3: <Next line 5, col 9 to line 5, col 18 of module A>|/\\ y = 0  (was 1)|")]
    [InlineData("SPECIFICATION Spec\nPROPERTY Live\nALIAS Al\n",
        "State 1: <Initial predicate>|/\\ y = 0|/\\ nx = 1||State 2: <Next line 5, col 9 to line 5, col 24 of module A>|/\\ y = 10  (was 0)|/\\ nx = 2  (was 1)||" +
        "State 3: <Next line 5, col 9 to line 5, col 24 of module A>|/\\ y = 20  (was 10)|/\\ nx = 0  (was 2)||Back to state 1.|", true)]
    public void AliasShapesTheCounterexampleAsTlc(string cfg, string expected, bool cyclic = false)
    {
        string next = cyclic ? "x' = (x + 1) % 3" : "x' = x + 1";
        var o = new StringWriter();
        var (exit, _, _) = TempSpec.Check("A", "---- MODULE A ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == " + next + "\n" +
            "Inv == x < 3\nInv2 == x < 2\nAl == [y |-> x * 10, nx |-> x']\nBad == [y |-> 1 \\div x]\nLive == <>(x = 5)\nSpec == Init /\\ [][Next]_x /\\ WF_x(Next)\n====\n",
            cfg, output: o);
        Assert.Equal(cyclic ? 13 : 12, exit);
        var text = o.ToString().Replace("\r", "");
        int from = text.IndexOf("State 1:", StringComparison.Ordinal);
        Assert.True(from >= 0, text);
        var got = string.Join("|", text[from..].Split('\n').TakeWhile(l => !l.Contains("states generated")));
        Assert.Equal(expected, got.TrimEnd('|') + "|");
    }

    /// <summary>LET definitions named like a symbol in scope: SANY's "Operator x already defined or declared." at
    /// the LET definition (SANY printed these positions for the same modules, which EXTEND Naturals, Sequences).</summary>
    [Theory]
    [InlineData("A == 1\nB == LET A == 2 IN A", "M.tla:4:10: Operator A already defined or declared.")]
    [InlineData("F(x) == LET x == 1 IN x", "M.tla:3:13: Operator x already defined or declared.")]
    [InlineData("G == \\E y \\in {1} : LET y == 2 IN y = 2", "M.tla:3:25: Operator y already defined or declared.")]
    [InlineData("H == LET a == 1 IN LET a == 2 IN a", "M.tla:3:24: Operator a already defined or declared.")]
    [InlineData("L == LET Len == 1 IN Len", "M.tla:3:10: Operator Len already defined or declared.")]
    [InlineData("N == LET a == 1\n  b == 2\n  a == 3 IN a", "M.tla:5:3: Operator a already defined or declared.")]
    [InlineData("K == LET C == 1 IN C\nC == 3", null)]
    [InlineData("P == LET a == 1 IN a\nQ == LET a == 2 IN a", null)]
    [InlineData("R == \\E a \\in {1} : a = 1\nS == LET a == 2 IN a", null)]
    public void ALetDefinitionNamedLikeASymbolInScopeIsRefused(string defs, string? error)
    {
        var dir = Directory.CreateTempSubdirectory("let-").FullName;
        try
        {
            var f = Path.Combine(dir, "M.tla");
            File.WriteAllText(f, $"---- MODULE M ----\nEXTENDS Naturals, Sequences\n{defs}\n====\n");
            var loader = new ModuleLoader(dir, new Interner());
            var root = loader.Parse(f);
            loader.LoadDependencies(root);
            var e = Record.Exception(() => Definitions.CheckUnique(root, loader));
            Assert.Equal(error is null ? null : Path.Combine(dir, error), e?.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A module ending right after INSTANCE M WITH (found by FuzzTests once the corpus grew): one line at
    /// the end, exit 150 (was an ArgumentOutOfRangeException stack trace).</summary>
    [Fact]
    public void AnInstanceEndingAfterWithIsOneLine()
    {
        var (exit, _, err) = TempSpec.Check("A", "---- MODULE A ----\nVARIABLE x\nB == INSTANCE Naturals WITH", "INIT Init\nNEXT Next\n");
        Assert.Equal(150, exit);
        Assert.Equal("A.tla:3:28: unexpected end of expression\n", err.Replace("\r", ""));
    }
}
