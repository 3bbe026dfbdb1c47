using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// Operator precedence as SANY parses it (tla2sany/parser/Operators.java, OperatorStack.java): every
/// expression below was given to SANY (tlaplus/tlaplus cc6b616cf); the accepted ones are parenthesized
/// here as SANY's operator stack reduces them, the refused ones are SANY's "Precedence conflict between
/// ops L and R" (at L, or at the prime for a prime after ENABLED / UNCHANGED / [] / &lt;&gt;).
/// </summary>
public class PrecedenceTests
{
    /// <summary>Parses D == expr and prints it fully parenthesized.</summary>
    public static string Paren(string expr)
    {
        var m = new Parser("M.tla", $"---- MODULE M ----\nD == {expr}\n====\n").ParseModule();
        return P(((DefSyn)m.Units.Single()).Body!);
    }

    private static string P(Syn s) => s.Kind switch
    {
        SK.Num or SK.Str or SK.At => s.Name!,
        SK.Ident => s.Kids.Length == 0 ? s.Name! : $"{s.Name}({string.Join(", ", s.Kids.Select(P))})",
        SK.OpApp when s.Kids.Length == 2 => $"({P(s.Kids[0])} {s.Name} {P(s.Kids[1])})",
        SK.OpApp when s.Kids.Length == 1 => $"({s.Name} {P(s.Kids[0])})",
        SK.OpApp => $"({s.Name} {string.Join(" ", s.Kids.Select(P))})",
        SK.Times => "(" + string.Join(" \\X ", s.Kids.Select(P)) + ")",
        SK.Always => $"([] {P(s.Kids[0])})",
        SK.Eventually => $"(<> {P(s.Kids[0])})",
        SK.Enabled => $"(ENABLED {P(s.Kids[0])})",
        SK.Unchanged => $"(UNCHANGED {P(s.Kids[0])})",
        SK.Prime => P(s.Kids[0]) + "'",
        SK.FcnApp => $"{P(s.Kids[0])}[{string.Join(", ", s.Kids.Skip(1).Select(P))}]",
        SK.Dot => $"{P(s.Kids[0])}.{s.Name}",
        SK.Tuple => "<<" + string.Join(", ", s.Kids.Select(P)) + ">>",
        SK.Quant => $"({s.Name} {string.Join(", ", ((List<Bound>)s.Extra!).Select(b => string.Join(", ", b.Names) + " \\in " + P(b.Set!)))} : {P(s.Kids[0])})",
        _ => s.Kind.ToString(),
    };

    [Theory]
    // prefix set operators (10-13) before the set operators (8, 9); the allocator's UNION S \cup UNION T
    [InlineData("UNION S \\cup UNION T", "((UNION S) \\cup (UNION T))")]
    [InlineData("DOMAIN f \\cup S", "((DOMAIN f) \\cup S)")]
    [InlineData("SUBSET S \\cup T", "((SUBSET S) \\cup T)")]
    [InlineData("SUBSET S .. T", "((SUBSET S) .. T)")]
    [InlineData("DOMAIN f ^ 2", "(DOMAIN (f ^ 2))")]
    [InlineData("DOMAIN f[1]", "(DOMAIN f[1])")]
    [InlineData("SUBSET - a", "(SUBSET (-. a))")]
    [InlineData("- SUBSET a", "(-. (SUBSET a))")]
    // arithmetic: + 10, - 11, % 10-11, * 13, ^ 14, prefix - 12
    [InlineData("a % b * c", "(a % (b * c))")]
    [InlineData("a * b % c", "((a * b) % c)")]
    [InlineData("2 + -3", "(2 + -3)")]
    [InlineData("a + b - c", "(a + (b - c))")]
    [InlineData("a - b + c", "((a - b) + c)")]
    [InlineData("- a ^ 2", "(-. (a ^ 2))")]
    [InlineData("- a * 2", "(-. (a * 2))")]
    [InlineData("- a % 2", "((-. a) % 2)")]
    [InlineData("- a .. 2", "((-. a) .. 2)")]
    [InlineData("- a + b", "((-. a) + b)")]
    [InlineData("a .. - 2", "(a .. -2)")]
    [InlineData("- - a", "(-. (-. a))")]
    [InlineData("a - - b", "(a - (-. b))")]
    [InlineData("-x'", "(-. x')")]
    // left-associative chains and Cartesian products (\X 10-13, n-ary)
    [InlineData("a \\cup b \\cup c", "((a \\cup b) \\cup c)")]
    [InlineData("a \\X b \\X c", "(a \\X b \\X c)")]
    [InlineData("(a \\X b) \\X c", "((a \\X b) \\X c)")]
    [InlineData("a \\X b \\cup c", "((a \\X b) \\cup c)")]
    [InlineData("a \\cup b \\X c", "(a \\cup (b \\X c))")]
    [InlineData("a \\cdot b \\cdot c", "((a \\cdot b) \\cdot c)")]
    [InlineData("a \\cdot b /\\ c", "((a \\cdot b) /\\ c)")]
    // logic and temporal: ~ 4, ENABLED UNCHANGED [] <> 4-15, /\ \/ 3, ~> 2, => 1
    [InlineData("~ x = 1", "(~ (x = 1))")]
    [InlineData("~x' = 1", "(~ (x' = 1))")]
    [InlineData("~ a /\\ b", "((~ a) /\\ b)")]
    [InlineData("~ ~ a", "(~ (~ a))")]
    [InlineData("ENABLED ~ x", "(ENABLED (~ x))")]
    [InlineData("UNCHANGED x /\\ a", "((UNCHANGED x) /\\ a)")]
    [InlineData("<>[]x /\\ a", "((<> ([] x)) /\\ a)")]
    [InlineData("[]f[1]", "([] f[1])")]
    [InlineData("ENABLED f[1]", "(ENABLED f[1])")]
    [InlineData("a ~> b => c", "((a ~> b) => c)")]
    [InlineData("a => b ~> c", "(a => (b ~> c))")]
    [InlineData("a /\\ b => c", "((a /\\ b) => c)")]
    [InlineData("a => b /\\ c", "(a => (b /\\ c))")]
    [InlineData("x' \\in S", "(x' \\in S)")]
    [InlineData("a.b'", "a.b'")]
    [InlineData("\\E i \\in S : a /\\ b", "(\\E i \\in S : (a /\\ b))")]
    [InlineData("1 + \\E i \\in S : a = b", "(1 + (\\E i \\in S : (a = b)))")]
    public void ParsesAsSany(string expr, string expected) => Assert.Equal(expected, Paren(expr));

    [Theory]
    [InlineData("DOMAIN f + 1", "DOMAIN", "+")]
    [InlineData("DOMAIN f * 2", "DOMAIN", "*")]
    [InlineData("SUBSET S \\X T", "SUBSET", "\\X")]
    [InlineData("UNION S \\X T", "UNION", "\\X")]
    [InlineData("DOMAIN f \\X T", "DOMAIN", "\\X")]
    [InlineData("a + b % c", "+", "%")]
    [InlineData("a - b % c", "-", "%")]
    [InlineData("a % b - c", "%", "-")]
    [InlineData("a % b % c", "%", "%")]
    [InlineData("2 * -3", "*", "-")]
    [InlineData("2 ^ -3", "^", "-")]
    [InlineData("a * - 2", "*", "-")]
    [InlineData("- a \\X b", "-", "\\X")]
    [InlineData("a => b => c", "=>", "=>")]
    [InlineData("a = b = c", "=", "=")]
    [InlineData("a \\in b \\in c", "\\in", "\\in")]
    [InlineData("a # b = c", "#", "=")]
    [InlineData("a <=> b <=> c", "<=>", "<=>")]
    [InlineData("a \\equiv b <=> c", "\\equiv", "<=>")]
    [InlineData("a ~> b ~> c", "~>", "~>")]
    [InlineData("1 .. 2 .. 3", "..", "..")]
    [InlineData("a \\cup b \\cap c", "\\cup", "\\cap")]
    [InlineData("a \\ b \\ c", "\\", "\\")]
    [InlineData("a \\cup b \\ c", "\\cup", "\\")]
    [InlineData("a * b / c", "*", "/")]
    [InlineData("a / b * c", "/", "*")]
    [InlineData("a / b / c", "/", "/")]
    [InlineData("a ^ b ^ c", "^", "^")]
    [InlineData("a ^^ b ^ c", "^^", "^")]
    [InlineData("a + b \\X c", "+", "\\X")]
    [InlineData("a \\X b + c", "\\X", "+")]
    [InlineData("a \\cdot b + c", "\\cdot", "+")]
    [InlineData("a \\cdot b = c", "\\cdot", "=")]
    [InlineData("a $ b + c", "$", "+")]
    [InlineData("a | b + c", "|", "+")]
    [InlineData("a && b & c", "&&", "&")]
    [InlineData("a ** b * c", "**", "*")]
    [InlineData("a // b // c", "//", "//")]
    [InlineData("a ++ b + c", "++", "+")]
    [InlineData("a -- b - c", "--", "-")]
    [InlineData("a (+) b + c", "\\oplus", "+")]
    [InlineData("a \\wr b \\wr c", "\\wr", "\\wr")]
    [InlineData("a := b = c", ":=", "=")]
    [InlineData("a -| b =| c", "-|", "=|")]
    [InlineData("a \\prec b \\ll c", "\\prec", "\\ll")]
    [InlineData("a /\\ b \\/ c", "/\\", "\\/")]
    [InlineData("x' = x /\\ TRUE \\/ FALSE", "/\\", "\\/")]
    [InlineData("[]x = 1", "[]", "=")]
    [InlineData("[]x \\in S", "[]", "\\in")]
    [InlineData("ENABLED x \\in S", "ENABLED", "\\in")]
    [InlineData("UNCHANGED x = 1", "UNCHANGED", "=")]
    public void PrecedenceConflictsAreRefusedAsSany(string expr, string left, string right)
    {
        var e = Assert.Throws<TlaError>(() => Paren(expr));
        int col = 6 + (left == "\\oplus" ? expr.IndexOf("(+)") : expr.IndexOf(left));
        Assert.Equal($"M.tla:2:{col}: Precedence conflict between ops {(left == "\\oplus" ? "\\oplus" : left)} and {right} (SANY refuses it; add parentheses)", e.ToString());
    }

    [Theory]
    [InlineData("ENABLED x'", "ENABLED")]
    [InlineData("ENABLED x' = 1", "ENABLED")]
    [InlineData("UNCHANGED x'", "UNCHANGED")]
    [InlineData("UNCHANGED <<x, a>>'", "UNCHANGED")]
    [InlineData("[]x'", "[]")]
    [InlineData("<>x'", "<>")]
    public void APrimeAfterATemporalPrefixIsRefusedAtThePrime(string expr, string left)
    {
        var e = Assert.Throws<TlaError>(() => Paren(expr));
        Assert.Equal($"M.tla:2:{6 + expr.IndexOf('\'')}: Precedence conflict between ops {left} and ' (SANY refuses it; add parentheses)", e.ToString());
    }

    /// <summary>The corpus refusals: TLC printed these positions (PrecConflict: "\land in block line 6, col 16";
    /// PrecPrime: "ENABLED in block line 7, col 17", the prime).</summary>
    [Theory]
    [InlineData("PrecConflict", "PrecConflict.tla:6:16: Precedence conflict between ops /\\ and \\/ (SANY refuses it; add parentheses)")]
    [InlineData("PrecPrime", "PrecPrime.tla:7:17: Precedence conflict between ops ENABLED and ' (SANY refuses it; add parentheses)")]
    public void CorpusConflictsAreOneLineErrorsAtSanysPosition(string name, string error)
    {
        var (exit, _, _, err) = CorpusTests.Run(name, 1);
        Assert.Equal(150, exit);
        Assert.Equal(Path.Combine(CorpusTests.CorpusDir, error) + "\n", err);
    }

    /// <summary>A long infix chain is parsed without recursion (the operator stack is a list).</summary>
    [Fact]
    public void ALongInfixChainIsParsedIteratively()
    {
        var expr = string.Join(" + ", Enumerable.Repeat("1", 20000));
        var m = new Parser("M.tla", $"---- MODULE M ----\nD == {expr}\n====\n").ParseModule();
        int depth = 0;
        for (var s = ((DefSyn)m.Units.Single()).Body!; s.Kind == SK.OpApp; s = s.Kids[0]) { Assert.Equal("+", s.Name); depth++; }
        Assert.Equal(19999, depth); // ((1 + 1) + 1) + ...: left-associative
    }
}
