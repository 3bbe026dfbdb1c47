using System.Text;

namespace NotifierSpec.Checker;

/// <summary>A spec or config error: printed as one line "FILE:LINE:COL: message".</summary>
public sealed class TlaError(string file, int line, int col, string message, bool config = false) : Exception(message)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Col { get; } = col;
    public bool IsConfig { get; } = config;
    public override string ToString() => $"{File}:{Line}:{Col}: {Message}";
}

public enum Tk { Ident, Number, String, Op, Punct, Begin, End, Eof }

public sealed record Token(Tk Kind, string Text, int Line, int Col, bool FirstOnLine)
{
    public override string ToString() => Kind == Tk.Eof ? "end of file" : $"'{Text}'";
}

/// <summary>TLA+ tokenizer: comments (\* and nested (* *)), strings, numbers, operators, module delimiters.</summary>
public static class Lexer
{
    /// <summary>SANY's tab width (SimpleCharStream.tabSize).</summary>
    public const int TabSize = 8;

    // Longest first.
    private static readonly string[] Symbols =
    [
        "(+)", "(-)", "<=>", "-+->", "|->", "...", "==>", "::=",
        "=>", "==", "=<", "<=", ">=", "/=", "\\/", "/\\", "~>", "->", "<-", "[]", "<>", "::", ":=", ":>", "@@", "++", "--", "**", "//", "^^", "||", "&&", "..", "<<", ">>", "|-", "-|", "=|", "|=",
        "=", "#", "<", ">", "+", "-", "*", "/", "^", "%", "|", "&", "$", "?", "!", "'", "~", "(", ")", "[", "]", "{", "}", ",", ":", ".", "@", "_",
    ];

    private static readonly HashSet<string> PunctSet = ["(", ")", "[", "]", "{", "}", ",", ":", "::", "==", "'", "!", "@", "_", "<<", ">>", "|->", "->", "<-", "."];

    public static List<Token> Lex(string file, string text)
    {
        var toks = new List<Token>();
        int i = 0, line = 1, lineStart = 0, n = text.Length;
        int lastLine = -1;
        bool inModule = false;
        int depth = 0; // nesting of modules
        // SANY's columns (tla2sany/parser/SimpleCharStream.UpdateLineColumn, tabSize 8): a tab moves to the next
        // tab stop, so the character after it is at column 8k + 1; every other character counts one
        int cacheLine = -1, cachePos = 0, cacheCol = 1;
        int Col(int pos)
        {
            if (cacheLine != lineStart || pos < cachePos) { cacheLine = lineStart; cachePos = lineStart; cacheCol = 1; }
            for (; cachePos < pos; cachePos++) cacheCol = text[cachePos] == '\t' ? (cacheCol - 1) / TabSize * TabSize + TabSize + 1 : cacheCol + 1;
            return cacheCol;
        }
        void Add(Tk k, string s, int start)
        {
            int col = Col(start);
            toks.Add(new Token(k, s, line, col, lastLine != line));
            lastLine = line;
        }
        while (i < n)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; lineStart = i; continue; }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') { i++; continue; }
            // ---- MODULE Name ----
            if (c == '-' && i + 3 < n && text[i + 1] == '-' && text[i + 2] == '-' && text[i + 3] == '-')
            {
                int j = i; while (j < n && text[j] == '-') j++;
                int k = j; while (k < n && (text[k] == ' ' || text[k] == '\t')) k++;
                if (k + 6 <= n && text.AsSpan(k, 6).SequenceEqual("MODULE") && (k + 6 == n || !IsIdChar(text[k + 6])))
                {
                    if (!inModule && depth == 0) { inModule = true; }
                    depth++;
                    Add(Tk.Begin, "MODULE", i);
                    i = k + 6;
                    continue;
                }
                if (!inModule) { i = j; continue; }
                // separator line inside a module: skip
                i = j; continue;
            }
            if (!inModule) { if (c == '\n') { line++; lineStart = i + 1; } i++; continue; }
            if (c == '=' && i + 3 < n && text[i + 1] == '=' && text[i + 2] == '=' && text[i + 3] == '=')
            {
                Add(Tk.End, "====", i);
                while (i < n && text[i] == '=') i++;
                depth--;
                if (depth == 0) { inModule = false; break; }
                continue;
            }
            if (c == '\\' && i + 1 < n && text[i + 1] == '*')
            {
                while (i < n && text[i] != '\n') i++;
                continue;
            }
            if (c == '(' && i + 1 < n && text[i + 1] == '*')
            {
                int d = 0; int sl = line, sc = Col(i);
                while (i < n)
                {
                    if (text[i] == '(' && i + 1 < n && text[i + 1] == '*') { d++; i += 2; continue; }
                    if (text[i] == '*' && i + 1 < n && text[i + 1] == ')') { d--; i += 2; if (d == 0) break; continue; }
                    if (text[i] == '\n') { line++; lineStart = i + 1; }
                    i++;
                }
                if (d != 0) throw new TlaError(file, sl, sc, "unterminated comment");
                continue;
            }
            if (c == '"')
            {
                int start = i; var sb = new StringBuilder(); i++;
                while (true)
                {
                    if (i >= n || text[i] == '\n') throw new TlaError(file, line, Col(start), "unterminated string");
                    char ch = text[i];
                    if (ch == '"') { i++; break; }
                    if (ch == '\\' && i + 1 < n)
                    {
                        char e = text[i + 1];
                        sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'f' => '\f', _ => e });
                        i += 2; continue;
                    }
                    sb.Append(ch); i++;
                }
                Add(Tk.String, sb.ToString(), start);
                continue;
            }
            if (char.IsDigit(c) || (c == '\\' && i + 2 < n && (text[i + 1] is 'b' or 'o' or 'h' or 'B' or 'O' or 'H') && IsRadixDigit(text[i + 2], text[i + 1])))
            {
                int start = i;
                if (c == '\\')
                {
                    char r = char.ToLowerInvariant(text[i + 1]); i += 2;
                    int b = r == 'b' ? 2 : r == 'o' ? 8 : 16;
                    int s2 = i; while (i < n && IsRadixDigit(text[i], text[start + 1])) i++;
                    var v = System.Numerics.BigInteger.Zero;
                    foreach (char d in text.AsSpan(s2, i - s2)) v = v * b + Convert.ToInt32(d.ToString(), 16);
                    Add(Tk.Number, v.ToString(), start);
                    continue;
                }
                while (i < n && char.IsDigit(text[i])) i++;
                if (i < n && IsIdChar(text[i]) && !char.IsDigit(text[i]))
                {
                    // identifiers may start with digits (e.g. 1a) -- rare, treat as identifier
                    while (i < n && IsIdChar(text[i])) i++;
                    Add(Tk.Ident, text[start..i], start);
                    continue;
                }
                if (i + 1 < n && text[i] == '.' && char.IsDigit(text[i + 1]))
                    throw new TlaError(file, line, Col(start), "unsupported construct: decimal number (TLC does not support reals)");
                Add(Tk.Number, text[start..i], start);
                continue;
            }
            if (IsIdChar(c) && !(c == '_' && toks.Count > 0 && toks[^1].Text is "]" or ">>" && toks[^1].Line == line && toks[^1].Col + toks[^1].Text.Length == Col(i)))
            {
                int start = i;
                while (i < n && IsIdChar(text[i])) i++;
                string id = text[start..i];
                // WF_ / SF_ prefixes
                if ((id.StartsWith("WF_", StringComparison.Ordinal) || id.StartsWith("SF_", StringComparison.Ordinal)))
                {
                    Add(Tk.Op, id[..3], start);
                    if (id.Length > 3) { toks.Add(new Token(Tk.Ident, id[3..], line, Col(start) + 3, false)); }
                    continue;
                }
                Add(Tk.Ident, id, start);
                continue;
            }
            if (c == '\\')
            {
                int start = i; i++;
                int s2 = i; while (i < n && char.IsLetter(text[i])) i++;
                if (i == s2)
                {
                    if (i < n && (text[i] == '/')) { i++; Add(Tk.Op, "\\/", start); continue; }
                    Add(Tk.Op, "\\", start); continue;
                }
                Add(Tk.Op, "\\" + text[s2..i], start);
                continue;
            }
            bool matched = false;
            foreach (var s in Symbols)
            {
                if (string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                {
                    Add(PunctSet.Contains(s) ? Tk.Punct : Tk.Op, s == "(+)" ? "\\oplus" : s == "(-)" ? "\\ominus" : s, i);
                    i += s.Length; matched = true; break;
                }
            }
            if (!matched) throw new TlaError(file, line, Col(i), $"unexpected character '{c}'");
        }
        toks.Add(new Token(Tk.Eof, "", line, Col(Math.Min(i, n)), true));
        return toks;
    }

    private static bool IsRadixDigit(char d, char radix) => char.ToLowerInvariant(radix) switch
    {
        'b' => d is '0' or '1',
        'o' => d >= '0' && d <= '7',
        _ => Uri.IsHexDigit(d),
    };

    public static bool IsIdChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
