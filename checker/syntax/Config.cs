using System.Text;

namespace NotifierSpec.Checker;

/// <summary>A value written in a .cfg file (integer, string, boolean, model value, set, tuple).</summary>
public abstract record CfgVal;
public sealed record CfgInt(long N) : CfgVal;
public sealed record CfgStr(string S) : CfgVal;
public sealed record CfgBool(bool B) : CfgVal;
public sealed record CfgModel(string Name) : CfgVal;
public sealed record CfgSet(List<CfgVal> Elems) : CfgVal;
public sealed record CfgTuple(List<CfgVal> Elems) : CfgVal;

public sealed record CfgPos(string File, int Line, int Col);

/// <summary>A TLC model configuration file.</summary>
public sealed class Config
{
    public string File { get; init; } = "";
    public List<(string Name, CfgVal Val, CfgPos Pos)> Values { get; } = [];
    /// <summary>Name = [M]v: the value replaces Name where module M defines it, also in an INSTANCE of M.</summary>
    public List<(string Name, CfgVal Val, CfgPos Pos, string Module)> ScopedValues { get; } = [];
    /// <summary>Name &lt;- Target; Module is M for Name &lt;- [M]Target (replaces Name where module M defines it, also in an INSTANCE of M).</summary>
    public List<(string Name, string Target, CfgPos Pos, string? Module)> Subs { get; } = [];
    public (string Name, CfgPos Pos)? Init { get; set; }
    public (string Name, CfgPos Pos)? Next { get; set; }
    public (string Name, CfgPos Pos)? Specification { get; set; }
    public List<(string Name, CfgPos Pos)> Invariants { get; } = [];
    /// <summary>POSTCONDITION: constant-level conditions checked once the search completes (TLC's Tool.checkPostCondition).</summary>
    public List<(string Name, CfgPos Pos)> PostConditions { get; } = [];
    public List<(string Name, CfgPos Pos)> Properties { get; } = [];
    public List<(string Name, CfgPos Pos)> Constraints { get; } = [];
    public List<(string Name, CfgPos Pos)> ActionConstraints { get; } = [];
    public (string Name, CfgPos Pos)? Symmetry { get; set; }
    public (string Name, CfgPos Pos)? View { get; set; }
    public (string Name, CfgPos Pos)? Alias { get; set; }
    public bool? CheckDeadlock { get; set; }

    /// <summary>A token of the .cfg file (Str: a quoted string).</summary>
    private sealed record CfgToken(string Text, int Line, int Col, bool Str);

    private static readonly HashSet<string> Sections =
    [
        "CONSTANT", "CONSTANTS", "INIT", "NEXT", "SPECIFICATION", "INVARIANT", "INVARIANTS", "PROPERTY", "PROPERTIES",
        "CONSTRAINT", "CONSTRAINTS", "ACTION_CONSTRAINT", "ACTION_CONSTRAINTS", "SYMMETRY", "VIEW", "CHECK_DEADLOCK", "ALIAS", "POSTCONDITION", "TYPE", "TYPE_CONSTRAINT",
    ];

    public static Config Parse(string file, string text)
    {
        var toks = Lex(file, text);
        var cfg = new Config { File = file };
        int p = 0;
        TlaError Err(CfgToken t, string m) => new(file, t.Line, t.Col, m, true);
        CfgToken Peek() => p < toks.Count ? toks[p] : toks.Count > 0 ? new CfgToken("", toks[^1].Line, toks[^1].Col + toks[^1].Text.Length + (toks[^1].Str ? 2 : 0), false) : new CfgToken("", 1, 1, false);
        bool AtEnd() => p >= toks.Count;
        CfgPos Pos(CfgToken t) => new(file, t.Line, t.Col);
        string Ident()
        {
            var t = Peek();
            if (AtEnd() || t.Str || !(char.IsLetter(t.Text[0]) || t.Text[0] == '_') || Sections.Contains(t.Text)) throw Err(t, $"expected an identifier but found '{t.Text}'");
            p++;
            return t.Text;
        }
        CfgVal Val()
        {
            var t = Peek();
            if (AtEnd()) throw Err(t, "expected a value");
            p++;
            if (t.Str) return new CfgStr(t.Text);
            if (t.Text == "-" && p < toks.Count && long.TryParse(toks[p].Text, out long neg)) { p++; return new CfgInt(-neg); }
            if (long.TryParse(t.Text, out long n)) return new CfgInt(n);
            if (t.Text is "TRUE" or "FALSE") return new CfgBool(t.Text == "TRUE");
            if (t.Text is "{" or "<<")
            {
                string close = t.Text == "{" ? "}" : ">>";
                var el = new List<CfgVal>();
                if (Peek().Text != close)
                {
                    do el.Add(Val()); while (TryTake(","));
                }
                if (Peek().Text != close) throw Err(Peek(), $"expected '{close}' but found '{Peek().Text}'");
                p++;
                return t.Text == "{" ? new CfgSet(el) : new CfgTuple(el);
            }
            if (char.IsLetter(t.Text[0]) || t.Text[0] == '_')
            {
                if (Sections.Contains(t.Text)) throw Err(t, $"expected a value but found '{t.Text}'");
                return new CfgModel(t.Text);
            }
            throw Err(t, $"unexpected '{t.Text}' in a value");
        }
        bool TryTake(string s) { if (!AtEnd() && !Peek().Str && Peek().Text == s) { p++; return true; } return false; }

        while (!AtEnd())
        {
            var t = Peek();
            if (t.Str || !Sections.Contains(t.Text)) throw Err(t, $"unknown configuration keyword '{t.Text}'");
            p++;
            switch (t.Text)
            {
                case "CONSTANT" or "CONSTANTS":
                    while (!AtEnd() && !Sections.Contains(Peek().Text))
                    {
                        var nt = Peek();
                        string name = Ident();
                        if (TryTake("("))
                        {
                            throw Err(nt, "unsupported: operator definitions in the configuration (Op(x) = ...)");
                        }
                        if (TryTake("<-"))
                        {
                            // [M]Def: the substitution applies to the definition of name in module M (TLC's ModelConfig)
                            string? module = null;
                            if (TryTake("[")) { module = Ident(); if (!TryTake("]")) throw Err(Peek(), "expected ']'"); }
                            cfg.Subs.Add((name, Ident(), Pos(nt), module));
                        }
                        else if (TryTake("="))
                        {
                            // name = [M]v: the definition or constant name of module M gets the value v
                            string? module = null;
                            if (TryTake("[")) { module = Ident(); if (!TryTake("]")) throw Err(Peek(), "expected ']'"); }
                            if (module is null) cfg.Values.Add((name, Val(), Pos(nt)));
                            else cfg.ScopedValues.Add((name, Val(), Pos(nt), module));
                        }
                        else throw Err(Peek(), $"expected '=' or '<-' after {name}");
                    }
                    break;
                case "INIT": cfg.Init = (Ident(), Pos(Back())); break;
                case "NEXT": cfg.Next = (Ident(), Pos(Back())); break;
                case "SPECIFICATION": cfg.Specification = (Ident(), Pos(Back())); break;
                case "INVARIANT" or "INVARIANTS":
                    while (!AtEnd() && !Sections.Contains(Peek().Text)) { var q = Peek(); cfg.Invariants.Add((Ident(), Pos(q))); }
                    break;
                case "POSTCONDITION":
                    while (!AtEnd() && !Sections.Contains(Peek().Text)) { var q = Peek(); cfg.PostConditions.Add((Ident(), Pos(q))); }
                    break;
                case "PROPERTY" or "PROPERTIES":
                    while (!AtEnd() && !Sections.Contains(Peek().Text)) { var q = Peek(); cfg.Properties.Add((Ident(), Pos(q))); }
                    break;
                case "CONSTRAINT" or "CONSTRAINTS":
                    while (!AtEnd() && !Sections.Contains(Peek().Text)) { var q = Peek(); cfg.Constraints.Add((Ident(), Pos(q))); }
                    break;
                case "ACTION_CONSTRAINT" or "ACTION_CONSTRAINTS":
                    while (!AtEnd() && !Sections.Contains(Peek().Text)) { var q = Peek(); cfg.ActionConstraints.Add((Ident(), Pos(q))); }
                    break;
                case "SYMMETRY": { var q = Peek(); cfg.Symmetry = (Ident(), Pos(q)); break; }
                case "VIEW": { var q = Peek(); cfg.View = (Ident(), Pos(q)); break; }
                case "ALIAS": { var q = Peek(); cfg.Alias = (Ident(), Pos(q)); break; }
                case "CHECK_DEADLOCK":
                    {
                        var q = Peek();
                        if (q.Text is not ("TRUE" or "FALSE")) throw Err(q, "CHECK_DEADLOCK expects TRUE or FALSE");
                        p++;
                        cfg.CheckDeadlock = q.Text == "TRUE";
                        break;
                    }
                default:
                    throw Err(t, $"unsupported configuration keyword {t.Text}");
            }
        }
        return cfg;

        CfgToken Back() => toks[p - 1];
    }

    private static List<CfgToken> Lex(string file, string text)
    {
        var res = new List<CfgToken>();
        int i = 0, line = 1, ls = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; ls = i; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '*') { while (i < text.Length && text[i] != '\n') i++; continue; }
            if (c == '(' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int d = 0;
                while (i < text.Length)
                {
                    if (text[i] == '(' && i + 1 < text.Length && text[i + 1] == '*') { d++; i += 2; continue; }
                    if (text[i] == '*' && i + 1 < text.Length && text[i + 1] == ')') { d--; i += 2; if (d == 0) break; continue; }
                    if (text[i] == '\n') { line++; ls = i + 1; }
                    i++;
                }
                continue;
            }
            int col = i - ls + 1;
            if (c == '-' && i + 3 < text.Length && text.AsSpan(i, 4).SequenceEqual("----")) { while (i < text.Length && text[i] != '\n') i++; continue; }
            if (c == '=' && i + 3 < text.Length && text.AsSpan(i, 4).SequenceEqual("====")) break;
            if (c == '"')
            {
                var sb = new StringBuilder(); i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\n') throw new TlaError(file, line, col, "unterminated string", true);
                    if (text[i] == '\\' && i + 1 < text.Length) { sb.Append(text[i + 1] == 'n' ? '\n' : text[i + 1]); i += 2; continue; }
                    sb.Append(text[i++]);
                }
                if (i >= text.Length) throw new TlaError(file, line, col, "unterminated string", true);
                i++;
                res.Add(new CfgToken(sb.ToString(), line, col, true));
                continue;
            }
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                int s = i; while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                res.Add(new CfgToken(text[s..i], line, col, false));
                continue;
            }
            foreach (var sym in new[] { "<-", "<<", ">>", "=", "{", "}", ",", "-", "(", ")", "[", "]" })
            {
                if (string.CompareOrdinal(text, i, sym, 0, sym.Length) == 0) { res.Add(new CfgToken(sym, line, col, false)); i += sym.Length; goto next; }
            }
            throw new TlaError(file, line, col, $"unexpected character '{c}'", true);
        next:;
        }
        return res;
    }
}
