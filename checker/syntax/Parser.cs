namespace NotifierSpec.Checker;

/// <summary>
/// Hand-written TLA+ parser: SANY's operator-precedence rules (ranges, conflicts) on an explicit operator stack, and the
/// offside rule for bulleted /\ and \/ lists (a token at or left of the bullet's column ends the item).
/// </summary>
public sealed class Parser
{
    private readonly string _file;
    private readonly List<Token> _t;
    private int _p;
    private int _offside; // tokens with Col <= _offside are invisible (end of current bullet item)

    private static readonly HashSet<string> Keywords =
    [
        "MODULE", "EXTENDS", "CONSTANT", "CONSTANTS", "VARIABLE", "VARIABLES", "ASSUME", "ASSUMPTION", "AXIOM", "THEOREM",
        "LEMMA", "PROPOSITION", "COROLLARY", "LOCAL", "INSTANCE", "WITH", "LET", "IN", "IF", "THEN", "ELSE", "CASE", "OTHER",
        "CHOOSE", "EXCEPT", "DOMAIN", "SUBSET", "UNION", "UNCHANGED", "ENABLED", "LAMBDA", "RECURSIVE", "PROOF", "BY", "QED",
        "OBVIOUS", "OMITTED", "USE", "HIDE", "DEFINE", "HAVE", "TAKE", "WITNESS", "PICK", "SUFFICES", "ASSUMPTION", "NEW", "STATE", "ACTION", "TEMPORAL", "DEF", "DEFS", "ONLY",
    ];

    private static readonly Dictionary<string, string> Synonyms = new()
    {
        ["\\union"] = "\\cup", ["\\intersect"] = "\\cap", ["\\land"] = "/\\", ["\\lor"] = "\\/", ["\\lnot"] = "~", ["\\neg"] = "~",
        ["=<"] = "<=", ["\\leq"] = "<=", ["\\geq"] = ">=", ["#"] = "/=", ["\\times"] = "\\X", ["\\circ"] = "\\o", ["\\equiv"] = "<=>",
    };

    /// <summary>An operator's precedence range and associativity ('l' left, 'n' none), as SANY's
    /// tla2sany/parser/Operators.java defines them (the TLA+ book's table, times 10).</summary>
    private readonly record struct OpInfo(int Low, int High, char Assoc);

    // Infix operators, keyed by Norm's canonical spelling (SANY's Operators.CanonicalOperators).
    private static readonly Dictionary<string, OpInfo> Infix = new()
    {
        ["=>"] = new(10, 10, 'n'), ["<=>"] = new(20, 20, 'n'), ["~>"] = new(20, 20, 'n'), ["-+->"] = new(20, 20, 'n'),
        ["\\/"] = new(30, 30, 'l'), ["/\\"] = new(30, 30, 'l'),
        ["="] = new(50, 50, 'n'), ["/="] = new(50, 50, 'n'), ["<"] = new(50, 50, 'n'), [">"] = new(50, 50, 'n'), ["<="] = new(50, 50, 'n'), [">="] = new(50, 50, 'n'),
        ["\\in"] = new(50, 50, 'n'), ["\\notin"] = new(50, 50, 'n'), ["\\subseteq"] = new(50, 50, 'n'), ["\\subset"] = new(50, 50, 'n'),
        ["\\supseteq"] = new(50, 50, 'n'), ["\\supset"] = new(50, 50, 'n'), ["\\prec"] = new(50, 50, 'n'), ["\\preceq"] = new(50, 50, 'n'),
        ["\\succ"] = new(50, 50, 'n'), ["\\succeq"] = new(50, 50, 'n'), ["\\sqsubset"] = new(50, 50, 'n'), ["\\sqsubseteq"] = new(50, 50, 'n'),
        ["\\sqsupset"] = new(50, 50, 'n'), ["\\sqsupseteq"] = new(50, 50, 'n'), ["\\sim"] = new(50, 50, 'n'), ["\\simeq"] = new(50, 50, 'n'),
        ["\\approx"] = new(50, 50, 'n'), ["\\cong"] = new(50, 50, 'n'), ["\\asymp"] = new(50, 50, 'n'), ["\\doteq"] = new(50, 50, 'n'),
        ["\\ll"] = new(50, 50, 'n'), ["\\gg"] = new(50, 50, 'n'), ["\\propto"] = new(50, 50, 'n'),
        ["|-"] = new(50, 50, 'n'), ["|="] = new(50, 50, 'n'), ["-|"] = new(50, 50, 'n'), ["=|"] = new(50, 50, 'n'), [":="] = new(50, 50, 'n'), ["::="] = new(50, 50, 'n'),
        ["\\cdot"] = new(50, 140, 'l'),
        ["@@"] = new(60, 60, 'l'), [":>"] = new(70, 70, 'n'), ["<:"] = new(70, 70, 'n'),
        ["\\cup"] = new(80, 80, 'l'), ["\\cap"] = new(80, 80, 'l'), ["\\"] = new(80, 80, 'n'),
        [".."] = new(90, 90, 'n'), ["..."] = new(90, 90, 'n'),
        ["$"] = new(90, 130, 'l'), ["$$"] = new(90, 130, 'l'), ["??"] = new(90, 130, 'l'), ["##"] = new(90, 130, 'l'), ["!!"] = new(90, 130, 'n'),
        ["\\uplus"] = new(90, 130, 'l'), ["\\sqcap"] = new(90, 130, 'l'), ["\\sqcup"] = new(90, 130, 'l'), ["\\wr"] = new(90, 140, 'n'),
        ["+"] = new(100, 100, 'l'), ["++"] = new(100, 100, 'l'), ["\\oplus"] = new(100, 100, 'l'),
        ["|"] = new(100, 110, 'l'), ["||"] = new(100, 110, 'l'), ["%"] = new(100, 110, 'n'), ["%%"] = new(100, 110, 'l'),
        ["\\X"] = new(100, 130, 'l'),
        ["-"] = new(110, 110, 'l'), ["--"] = new(110, 110, 'l'), ["\\ominus"] = new(110, 110, 'l'),
        ["*"] = new(130, 130, 'l'), ["/"] = new(130, 130, 'n'), ["\\div"] = new(130, 130, 'n'), ["\\o"] = new(130, 130, 'l'), ["**"] = new(130, 130, 'l'),
        ["//"] = new(130, 130, 'n'), ["&"] = new(130, 130, 'l'), ["&&"] = new(130, 130, 'l'), ["\\odot"] = new(130, 130, 'l'), ["\\otimes"] = new(130, 130, 'l'),
        ["\\oslash"] = new(130, 130, 'n'), ["\\bullet"] = new(130, 130, 'l'), ["\\star"] = new(130, 130, 'l'), ["\\bigcirc"] = new(130, 130, 'l'),
        ["^"] = new(140, 140, 'n'), ["^^"] = new(140, 140, 'n'),
    };

    // Prefix operators (SANY: ~ 40-40, -. 120-120, [] <> ENABLED UNCHANGED 40-150, SUBSET UNION DOMAIN 100-130).
    private static readonly Dictionary<string, OpInfo> Prefix = new()
    {
        ["~"] = new(40, 40, 'l'), ["-."] = new(120, 120, 'n'), ["[]"] = new(40, 150, 'n'), ["<>"] = new(40, 150, 'n'),
        ["ENABLED"] = new(40, 150, 'n'), ["UNCHANGED"] = new(40, 150, 'n'), ["SUBSET"] = new(100, 130, 'n'), ["UNION"] = new(100, 130, 'n'), ["DOMAIN"] = new(100, 130, 'n'),
    };

    /// <summary>The postfix prime's precedence (150): a prime right after [], <>, ENABLED or UNCHANGED's operand is a conflict.</summary>
    private const int PrimePrec = 150;

    public Parser(string file, string text)
    {
        _file = file;
        _t = Lexer.Lex(file, text);
    }

    public IReadOnlyList<Token> Tokens => _t;
    private Token Raw => _t[_p];
    private Token Peek => _p >= _stop ? StopTok(_t[_p]) : Visible(_t[_p]);
    private Token PeekAt(int k) => _p + k >= _stop && _p + k < _t.Count ? StopTok(_t[_p + k]) : _p + k < _t.Count ? Visible(_t[_p + k]) : _t[^1];
    private int _stop = int.MaxValue; // tokens from this index on are invisible (the proof after a THEOREM's statement)
    private static Token StopTok(Token t) => new(Tk.Eof, "", t.Line, t.Col, t.FirstOnLine);
    private Token Visible(Token t) => t.Kind != Tk.Eof && t.Col <= _offside ? new Token(Tk.Eof, "", t.Line, t.Col, t.FirstOnLine) : t;

    private TlaError Err(Token t, string msg) => new(_file, t.Line, t.Col, msg);

    private Token Next()
    {
        var t = Peek;
        if (t.Kind == Tk.Eof) throw Err(t, "unexpected end of expression");
        _p++;
        return t;
    }

    private bool Is(string text) { var t = Peek; return t.Kind != Tk.Eof && t.Kind != Tk.String && t.Text == text; }
    private bool IsAt(int k, string text) { var t = PeekAt(k); return t.Kind != Tk.Eof && t.Kind != Tk.String && t.Text == text; }
    private bool IsKw(string kw) => Peek.Kind == Tk.Ident && Peek.Text == kw;

    private Token Expect(string text)
    {
        var t = Peek;
        if (t.Kind == Tk.Eof || t.Kind == Tk.String || t.Text != text) throw Err(t, $"expected '{text}' but found {t}");
        _p++;
        return t;
    }

    private string ExpectIdent()
    {
        var t = Peek;
        if (t.Kind != Tk.Ident || Keywords.Contains(t.Text)) throw Err(t, $"expected an identifier but found {t}");
        _p++;
        return t.Text;
    }

    private static string Norm(string op) => Synonyms.TryGetValue(op, out var s) ? s : op;

    // ---------------------------------------------------------------- module level

    public ModuleSyn ParseModule()
    {
        var b = Raw;
        if (b.Kind != Tk.Begin) throw Err(b, "expected '---- MODULE name ----'");
        _p++;
        string name = ExpectIdent();
        var m = new ModuleSyn { Name = name, File = _file };
        ParseModuleBody(m);
        return m;
    }

    private void ParseModuleBody(ModuleSyn m)
    {
        if (IsKw("EXTENDS"))
        {
            _p++;
            do { var t = Peek; m.Extends.Add((ExpectIdent(), t)); } while (TryConsume(","));
        }
        while (true)
        {
            var t = Raw;
            if (t.Kind == Tk.End) { _p++; return; }
            if (t.Kind == Tk.Eof) throw Err(t, $"missing '====' at the end of module {m.Name}");
            if (t.Kind == Tk.Begin) throw Err(t, "unsupported construct: nested MODULE");
            if (t.Kind == Tk.Ident)
            {
                switch (t.Text)
                {
                    case "CONSTANT" or "CONSTANTS":
                        _p++;
                        do
                        {
                            var ct = Peek;
                            string cn = ExpectIdent();
                            int ar = 0;
                            if (Is("(")) { _p++; do { Expect("_"); ar++; } while (TryConsume(",")); Expect(")"); }
                            m.Constants.Add((cn, ar, ct));
                        } while (TryConsume(","));
                        continue;
                    case "VARIABLE" or "VARIABLES":
                        _p++;
                        do { var vt = Peek; m.Variables.Add((ExpectIdent(), vt)); } while (TryConsume(","));
                        continue;
                    case "ASSUME" or "ASSUMPTION" or "AXIOM":
                        _p++;
                        if (Peek.Kind == Tk.Ident && IsAt(1, "=="))
                        {
                            // ASSUME Name == P defines Name as well (SANY), e.g. Paxos's PaxosAssume
                            var nt = Peek; _p += 2;
                            var body = ParseExpr();
                            m.Units.Add(new DefSyn { Name = nt.Text, Tok = nt, Body = body });
                            m.Units.Add(body);
                            continue;
                        }
                        m.Units.Add(ParseExpr());
                        continue;
                    case "THEOREM" or "LEMMA" or "PROPOSITION" or "COROLLARY":
                        // theorems and their proofs are not checked by TLC: skip to the next unit at column 1;
                        // THEOREM Name == P defines Name (SANY) when P is an expression (not ASSUME ... PROVE)
                        _p++;
                        if (Peek.Kind == Tk.Ident && IsAt(1, "=="))
                        {
                            int at = _p;
                            var nt = Peek; _p += 2;
                            _stop = ProofStart(_p);
                            try { m.Units.Add(new DefSyn { Name = nt.Text, Tok = nt, Body = ParseExpr() }); }
                            catch (TlaError) { _p = at; }
                            finally { _stop = int.MaxValue; }
                        }
                        while (true)
                        {
                            var r = Raw;
                            if (r.Kind is Tk.End or Tk.Eof or Tk.Begin) break;
                            if (r.FirstOnLine && r.Col == 1 && StartsUnit()) break;
                            _p++;
                        }
                        continue;
                    case "RECURSIVE":
                        _p++;
                        do { m.Recursive.Add(ExpectIdent()); if (Is("(")) { _p++; do { Expect("_"); } while (TryConsume(",")); Expect(")"); } } while (TryConsume(","));
                        continue;
                    case "INSTANCE":
                        m.Units.Add(ParseInstance(false));
                        continue;
                    case "LOCAL":
                        _p++;
                        if (IsKw("INSTANCE")) { m.Units.Add(ParseInstance(true)); continue; }
                        m.Units.Add(ParseDef(true));
                        continue;
                }
            }
            m.Units.Add(ParseDef(false));
        }
    }

    /// <summary>The index of the first token of a THEOREM's proof (a step &lt;1&gt;..., BY, PROOF, OBVIOUS, OMITTED
    /// beginning a line) or of the next unit, from index i.</summary>
    private int ProofStart(int i)
    {
        int saved = _p;
        try
        {
            for (_p = i; _p < _t.Count; _p++)
            {
                var r = _t[_p];
                if (r.Kind is Tk.End or Tk.Eof or Tk.Begin) return _p;
                if (!r.FirstOnLine) continue;
                if (r.Kind == Tk.Ident && r.Text is "BY" or "PROOF" or "OBVIOUS" or "OMITTED") return _p;
                if (r.Text == "<" && _p + 1 < _t.Count && (_t[_p + 1].Kind == Tk.Number || _t[_p + 1].Text is "*" or "+")) return _p;
                if (System.Text.RegularExpressions.Regex.IsMatch(r.Text, @"^<\d+>")) return _p;
                if (r.Col == 1 && StartsUnit()) return _p;
            }
            return _t.Count;
        }
        finally { _p = saved; }
    }

    private bool StartsUnit()
    {
        var t = Raw;
        if (t.Kind != Tk.Ident) return t.Kind == Tk.Op && _p + 2 < _t.Count && _t[_p + 1].Kind == Tk.Ident && _t[_p + 2].Text == "==";
        if (t.Text is "CONSTANT" or "CONSTANTS" or "VARIABLE" or "VARIABLES" or "ASSUME" or "ASSUMPTION" or "AXIOM" or "THEOREM" or "LEMMA"
            or "PROPOSITION" or "COROLLARY" or "INSTANCE" or "LOCAL" or "RECURSIVE") return true;
        if (Keywords.Contains(t.Text)) return false;
        var n = _p + 1 < _t.Count ? _t[_p + 1] : null;
        return n is not null && (n.Text is "==" or "(" or "[" || n.Kind == Tk.Op);
    }

    private bool TryConsume(string s) { if (Is(s)) { _p++; return true; } return false; }

    private InstanceSyn ParseInstance(bool local)
    {
        var t = Expect("INSTANCE");
        string mod = ExpectIdent();
        var subs = new List<(string, Syn)>();
        if (IsKw("WITH"))
        {
            _p++;
            do
            {
                var st = Peek;
                string n;
                if (st.Kind == Tk.Ident) n = ExpectIdent();
                else { Next(); n = Norm(st.Text); } // Next: refuses the end of the module (was read past it)
                Expect("<-");
                subs.Add((n, ParseExpr()));
            } while (TryConsume(","));
        }
        return new InstanceSyn(mod, subs, t, local);
    }

    /// <summary>A definition: Name == e, Name(p, q) == e, f[x \in S] == e, a OP b == e, OP a == e, a OP == e, Name == INSTANCE M.</summary>
    private DefSyn ParseDef(bool local)
    {
        var d = ParseDef0(local);
        d.EndTok = _t[_p - 1];
        return d;
    }

    private DefSyn ParseDef0(bool local)
    {
        var t = Peek;
        if (t.Kind == Tk.Ident && !Keywords.Contains(t.Text))
        {
            if (IsAt(1, "=="))
            {
                _p += 2;
                if (IsKw("INSTANCE")) return new DefSyn { Name = t.Text, Tok = t, Local = local, Instance = ParseInstance(local) };
                return new DefSyn { Name = t.Text, Tok = t, Local = local, Body = ParseExpr() };
            }
            if (IsAt(1, "("))
            {
                _p += 2;
                var ps = new List<Param>();
                do
                {
                    var pt = Peek;
                    if (pt.Kind == Tk.Op || pt.Kind == Tk.Punct && pt.Text != ")")
                        throw Err(pt, "unsupported construct: operator-symbol parameter");
                    string pn = ExpectIdent();
                    int ar = 0;
                    if (Is("(")) { _p++; do { Expect("_"); ar++; } while (TryConsume(",")); Expect(")"); }
                    ps.Add(new Param(pn, ar) { Tok = pt });
                } while (TryConsume(","));
                Expect(")");
                Expect("==");
                if (IsKw("INSTANCE")) throw Err(t, "unsupported construct: parameterized INSTANCE");
                return new DefSyn { Name = t.Text, Tok = t, Local = local, Params = ps, Body = ParseExpr() };
            }
            if (IsAt(1, "["))
            {
                _p += 2;
                var bs = ParseBounds();
                Expect("]");
                Expect("==");
                return new DefSyn { Name = t.Text, Tok = t, Local = local, FcnBounds = bs, Body = ParseExpr() };
            }
            // infix: a OP b == ;  postfix: a OP ==
            var op = PeekAt(1);
            if (op.Kind == Tk.Op || op.Kind == Tk.Punct && op.Text is "." )
            {
                if (PeekAt(2).Kind == Tk.Ident && IsAt(3, "=="))
                {
                    _p += 4;
                    return new DefSyn { Name = Norm(op.Text), Tok = op, Local = local, Params = [new Param(t.Text, 0), new Param(_t[_p - 2].Text, 0)], Body = ParseExpr() };
                }
                if (IsAt(2, "=="))
                    throw Err(op, "unsupported construct: postfix operator definition");
            }
        }
        if (t.Kind == Tk.Op && PeekAt(1).Kind == Tk.Ident && IsAt(2, "=="))
        {
            _p += 3;
            string name = t.Text == "-" ? "-." : Norm(t.Text);
            return new DefSyn { Name = name, Tok = t, Local = local, Params = [new Param(_t[_p - 2].Text, 0)], Body = ParseExpr() };
        }
        throw Err(t, $"expected a definition but found {t}");
    }

    // ---------------------------------------------------------------- expressions

    /// <summary>
    /// An expression, parsed as SANY's tla2sany/parser/OperatorStack.reduceStack does: an operator stack where
    /// the left operator L is applied before the right one R when L.Low &gt; R.High (or L = R is left-associative),
    /// R is shifted when L.High &lt; R.Low, and any other pair is SANY's "Precedence conflict between ops". The
    /// loop is iterative, so a long chain of infix operators costs no stack depth.
    /// </summary>
    public Syn ParseExpr()
    {
        var start = Peek;
        if (++_nest > MaxDepth) throw Err(start, $"expression nested too deeply (more than {MaxDepth} levels)");
        try
        {
            var e = ParseExpr0();
            if (_nest == 1) CheckDepth(e);
            return e;
        }
        finally { _nest--; }
    }

    /// <summary>The deepest expression accepted: parsing, compiling and evaluating recurse on nesting (on the
    /// check thread's 1 GB stack, cli/CheckCommand.CheckStackBytes); deeper is refused at its position, a
    /// one-line error instead of a stack overflow. TLC checks 5,000 levels (issue 11's inputs).</summary>
    public const int MaxDepth = 50_000;

    private int _nest; // ParseExpr calls in progress

    /// <summary>Refuses a syntax tree deeper than MaxDepth (a long chain of infix operators is parsed without
    /// recursion but compiled and evaluated with it), walking it without recursion.</summary>
    private void CheckDepth(Syn root)
    {
        var stack = new Stack<(Syn Node, int Depth)>();
        stack.Push((root, 1));
        void Push(Syn? n, int d) { if (n is not null) stack.Push((n, d)); }
        while (stack.Count > 0)
        {
            var (n, d) = stack.Pop();
            if (d > MaxDepth) throw Err(n.Start ?? n.Tok, $"expression nested too deeply (more than {MaxDepth} levels)");
            foreach (var k in n.Kids) Push(k, d + 1);
            switch (n.Extra)
            {
                case Bound b: Push(b.Set, d + 1); break;
                case List<Bound> bs: foreach (var b in bs) Push(b.Set, d + 1); break;
                case List<DefSyn> ds: foreach (var x in ds) { Push(x.Body, d + 1); foreach (var b in x.FcnBounds ?? []) Push(b.Set, d + 1); } break;
                case List<ExceptUpdate> us:
                    foreach (var u in us) { Push(u.Value, d + 1); foreach (var pe in u.Path) foreach (var a in pe.Args ?? []) Push(a, d + 1); }
                    break;
            }
        }
    }

    private Syn ParseExpr0()
    {
        var ops = new List<StackOp>();
        var vals = new List<(Syn Syn, int Start)>();
        HashSet<Syn>? times = null; // \X products built in this expression (a parenthesized one is not extended)
        while (true)
        {
            // operand position: labels and prefix operators
            while (true)
            {
                if (Peek.Kind == Tk.Ident && IsAt(1, "::") && !Keywords.Contains(Peek.Text)) { _p += 2; continue; } // "P0:: e": TLC ignores labels
                var t = Peek;
                string? pre = PrefixName(t);
                if (pre is null) break;
                var info = Prefix[pre];
                // SANY: "-" after an operator is the prefix -. and conflicts with a left operator binding tighter (2 * -3)
                if (pre == "-." && ops.Count > 0 && ops[^1].Info.Low > info.High) throw Conflict(ops[^1], t.Text);
                ops.Add(new StackOp(t, pre, info, true, _p));
                _p++;
            }
            int start = _p;
            var operand = ParseOperand(out var prime);
            if (prime is not null && ops.Count > 0 && ops[^1].Info.High >= PrimePrec) throw Conflict(ops[^1], "'", prime); // SANY: at the prime
            vals.Add((Mark(operand, start), start));
            // operator position
            var o = Peek;
            if (o.Kind != Tk.Op || !Infix.TryGetValue(Norm(o.Text), out var oi)) break;
            string name = Norm(o.Text);
            while (ops.Count > 0)
            {
                var l = ops[^1];
                if (l.Info.Low > oi.High || (!l.Prefix && l.Name == name && l.Info.Assoc == 'l')) Reduce(ops, vals, ref times);
                else if (l.Info.High < oi.Low) break;
                else throw Conflict(l, o.Text);
            }
            ops.Add(new StackOp(o, name, oi, false, vals[^1].Start));
            _p++;
        }
        while (ops.Count > 0) Reduce(ops, vals, ref times);
        return vals[0].Syn;
    }

    private sealed record StackOp(Token Tok, string Name, OpInfo Info, bool Prefix, int Start);

    private TlaError Conflict(StackOp left, string right, Token? at = null) =>
        Err(at ?? left.Tok, $"Precedence conflict between ops {left.Tok.Text} and {right} (SANY refuses it; add parentheses)");

    private static string? PrefixName(Token t)
    {
        if (t.Kind == Tk.Op) return Norm(t.Text) switch { "~" => "~", "-" => "-.", "[]" => "[]", "<>" => "<>", _ => null };
        if (t.Kind == Tk.Ident && t.Text is "ENABLED" or "UNCHANGED" or "SUBSET" or "UNION" or "DOMAIN") return t.Text;
        return null;
    }

    private void Reduce(List<StackOp> ops, List<(Syn Syn, int Start)> vals, ref HashSet<Syn>? times)
    {
        var op = ops[^1];
        ops.RemoveAt(ops.Count - 1);
        var t = op.Tok;
        if (op.Prefix)
        {
            var e = vals[^1].Syn;
            Syn node = op.Name switch
            {
                "-." => e.Kind == SK.Num && !e.Name!.StartsWith('-') ? new Syn(SK.Num, t, "-" + e.Name, []) : new Syn(SK.OpApp, t, "-.", [e]),
                "[]" => new Syn(SK.Always, t, null, [e]),
                "<>" => new Syn(SK.Eventually, t, null, [e]),
                "ENABLED" => new Syn(SK.Enabled, t, null, [e]),
                "UNCHANGED" => new Syn(SK.Unchanged, t, null, [e]),
                _ => new Syn(SK.OpApp, t, op.Name, [e]),
            };
            vals[^1] = (Mark(node, op.Start), op.Start);
            return;
        }
        var (right, _) = vals[^1];
        var (left, ls) = vals[^2];
        vals.RemoveAt(vals.Count - 1);
        Syn res;
        if (op.Name == "\\X")
        {
            times ??= new HashSet<Syn>(ReferenceEqualityComparer.Instance);
            res = times.Remove(left) ? new Syn(SK.Times, left.Tok, "\\X", [.. left.Kids, right]) : new Syn(SK.Times, t, "\\X", [left, right]);
            times.Add(res);
        }
        else res = new Syn(SK.OpApp, t, op.Name, [left, right]);
        vals[^1] = (Mark(res, ls), ls);
    }

    private Syn Mark(Syn s, int startIdx)
    {
        if (s.Start is null || s.Start.Line > _t[startIdx].Line || s.Start.Line == _t[startIdx].Line && s.Start.Col > _t[startIdx].Col) s.Start = _t[startIdx];
        var e = _t[_p - 1];
        if (s.End is null || e.Line > s.End.Line || e.Line == s.End.Line && e.Col > s.End.Col) s.End = e;
        return s;
    }

    /// <summary>An operand: a bulleted list, a quantifier, WF_/SF_, or a primary with its postfix ' [ ] and .field;
    /// prime is the first postfix prime applied to it, if any.</summary>
    private Syn ParseOperand(out Token? prime)
    {
        prime = null;
        var t = Peek;
        if (t.Kind == Tk.Op)
        {
            string op = Norm(t.Text);
            switch (op)
            {
                case "/\\" or "\\/":
                    return ParseBulletList(t, op);
                case "\\A" or "\\E":
                    {
                        _p++;
                        var bs = ParseBounds();
                        Expect(":");
                        var body = ParseExpr();
                        return new Syn(SK.Quant, t, op, [body], bs);
                    }
                case "\\AA" or "\\EE":
                    throw Err(t, $"unsupported construct: temporal quantifier {op}");
                case "WF_" or "SF_":
                    {
                        _p++;
                        var sub = ParseSubscript();
                        Expect("(");
                        var a = ParseExpr();
                        Expect(")");
                        return new Syn(SK.Fair, t, op, [sub, a]);
                    }
            }
            throw Err(t, $"unexpected operator {t}");
        }
        return ParsePostfix(ParsePrimary(), out prime);
    }

    private Syn ParseSubscript()
    {
        var t = Peek;
        if (t.Kind == Tk.Ident)
        {
            _p++;
            var id = new Syn(SK.Ident, t, t.Text, []);
            if (!(Is("!") && PeekAt(1).Kind == Tk.Ident)) return id;
            // an instance's definition, [][M!Next]_M!vars (tlaplus/Examples EWD998PCal); no arguments, so that
            // WF_M!vars(A) keeps (A) as its action
            var path = new List<Syn> { id };
            while (Is("!") && PeekAt(1).Kind == Tk.Ident)
            {
                _p++;
                var ot = Next();
                path.Add(new Syn(SK.Ident, ot, ot.Text, []));
            }
            return new Syn(SK.Inst, t, t.Text, path.ToArray());
        }
        if (Is("<<")) return ParsePrimary();
        if (Is("(")) return ParsePrimary();
        throw Err(t, "expected a subscript (variable, tuple or parenthesized expression)");
    }

    private Syn ParseBulletList(Token first, string op)
    {
        int col = first.Col;
        int saved = _offside;
        var items = new List<Syn>();
        while (true)
        {
            var r = Raw;
            if (r.Kind != Tk.Op || Norm(r.Text) != op || r.Col != col || (items.Count > 0 && !r.FirstOnLine && false)) break;
            if (saved >= col) break;
            _p++;
            _offside = col;
            try { items.Add(ParseExpr()); }
            finally { _offside = saved; }
        }
        if (items.Count == 1) return items[0];
        var list = new Syn(SK.OpApp, first, op, items.ToArray()) { Start = first };
        list.End = _t[_p - 1];
        return list;
    }

    private Syn ParsePostfix(Syn e, out Token? prime)
    {
        prime = null;
        while (true)
        {
            var t = Peek;
            if (t.Kind == Tk.Punct && t.Text == "'") { _p++; prime ??= t; e = new Syn(SK.Prime, t, null, [e]); continue; }
            if (t.Kind == Tk.Punct && t.Text == "[")
            {
                _p++;
                var args = new List<Syn> { ParseExpr() };
                while (TryConsume(",")) args.Add(ParseExpr());
                Expect("]");
                e = new Syn(SK.FcnApp, t, null, [e, .. args]);
                continue;
            }
            if (t.Kind == Tk.Punct && t.Text == "." && PeekAt(1).Kind == Tk.Ident)
            {
                _p++;
                var f = Next();
                e = new Syn(SK.Dot, t, f.Text, [e]);
                continue;
            }
            break;
        }
        return e;
    }

    private Syn ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case Tk.Number: _p++; return new Syn(SK.Num, t, t.Text, []);
            case Tk.String: _p++; return new Syn(SK.Str, t, t.Text, []);
            case Tk.Eof: throw Err(t, "unexpected end of expression");
            case Tk.Begin or Tk.End: throw Err(t, "unexpected module delimiter");
        }
        if (t.Kind == Tk.Ident)
        {
            switch (t.Text)
            {
                case "IF":
                    {
                        _p++;
                        var c = ParseExpr(); Expect("THEN");
                        var a = ParseExpr(); Expect("ELSE");
                        var b = ParseExpr();
                        return new Syn(SK.If, t, null, [c, a, b]);
                    }
                case "CASE":
                    {
                        _p++;
                        var kids = new List<Syn>();
                        bool other = false;
                        while (true)
                        {
                            if (IsKw("OTHER")) { _p++; Expect("->"); kids.Add(ParseExpr()); other = true; break; }
                            kids.Add(ParseExpr()); Expect("->"); kids.Add(ParseExpr());
                            if (!(Peek.Kind == Tk.Op && Peek.Text == "[]")) break;
                            _p++;
                        }
                        return new Syn(SK.Case, t, null, kids.ToArray(), other);
                    }
                case "LET":
                    {
                        _p++;
                        var defs = new List<DefSyn>();
                        while (!IsKw("IN"))
                        {
                            if (Peek.Kind == Tk.Eof) throw Err(Peek, "expected 'IN'");
                            if (IsKw("RECURSIVE"))
                            {
                                _p++;
                                do { ExpectIdent(); if (Is("(")) { _p++; do { Expect("_"); } while (TryConsume(",")); Expect(")"); } } while (TryConsume(","));
                                continue;
                            }
                            defs.Add(ParseDef(false));
                        }
                        _p++;
                        var body = ParseExpr();
                        return new Syn(SK.Let, t, null, [body], defs);
                    }
                case "CHOOSE":
                    {
                        _p++;
                        var b = ParseOneBound();
                        Expect(":");
                        var body = ParseExpr();
                        return new Syn(SK.Choose, t, null, [body], b);
                    }
                case "LAMBDA":
                    {
                        _p++;
                        var ps = new List<string>();
                        do ps.Add(ExpectIdent()); while (TryConsume(","));
                        Expect(":");
                        return new Syn(SK.Lambda, t, null, [ParseExpr()], ps);
                    }
                case "TRUE" or "FALSE" or "BOOLEAN" or "STRING": _p++; return new Syn(SK.Ident, t, t.Text, []);
            }
            if (Keywords.Contains(t.Text)) throw Err(t, $"unexpected keyword {t.Text}");
            _p++;
            Syn[] args = [];
            if (Is("(") ) args = ParseArgs();
            var id = new Syn(SK.Ident, t, t.Text, args, args.Length > 0);
            if (Is("!") && (PeekAt(1).Kind is Tk.Ident or Tk.Op or Tk.Number))
            {
                // M!Op(args), possibly chained
                var path = new List<Syn> { id };
                while (Is("!"))
                {
                    _p++;
                    var ot = Next();
                    if (ot.Kind == Tk.Number || ot.Text is "<<" or ">>" or ":" or "@") throw Err(ot, "unsupported construct: positional subexpression reference (" + t.Text + "!" + ot.Text + ")");
                    string on = ot.Kind == Tk.Op ? Norm(ot.Text) : ot.Text;
                    Syn[] a2 = Is("(") ? ParseArgs() : [];
                    path.Add(new Syn(SK.Ident, ot, on, a2));
                }
                return new Syn(SK.Inst, t, t.Text, path.ToArray());
            }
            return id;
        }
        if (t.Kind == Tk.Punct)
        {
            switch (t.Text)
            {
                case "(":
                    {
                        _p++;
                        int saved = _offside; _offside = 0;
                        // operator as argument e.g. (+) is not supported
                        Syn e;
                        try { e = ParseExpr(); } finally { _offside = saved; }
                        Expect(")");
                        return e;
                    }
                case "@": _p++; return new Syn(SK.At, t, "@", []);
                case "<<":
                    {
                        _p++;
                        var elems = new List<Syn>();
                        if (!Is(">>")) { do elems.Add(ParseExpr()); while (TryConsume(",")); }
                        Expect(">>");
                        if (Is("_") ) { _p++; var sub = ParseSubscript(); return new Syn(SK.AngleAct, t, null, [elems.Count == 1 ? elems[0] : new Syn(SK.Tuple, t, null, elems.ToArray()), sub]); }
                        return new Syn(SK.Tuple, t, null, elems.ToArray());
                    }
                case "{": return ParseBrace();
                case "[": return ParseBracket();
            }
        }
        throw Err(t, $"unexpected {t}");
    }

    private Syn[] ParseArgs()
    {
        Expect("(");
        var args = new List<Syn>();
        int saved = _offside; _offside = 0;
        try
        {
            do args.Add(ParseArg()); while (TryConsume(","));
        }
        finally { _offside = saved; }
        Expect(")");
        return args.ToArray();
    }

    private Syn ParseArg()
    {
        // an operator symbol passed as argument, e.g. F(+, 1)
        var t = Peek;
        if (t.Kind == Tk.Op && (IsAt(1, ",") || IsAt(1, ")")))
        {
            _p++;
            return new Syn(SK.OpRef, t, Norm(t.Text), []);
        }
        return ParseExpr();
    }

    private bool BoundStartsHere()
    {
        // ident (, ident)* \in   |  << ident, ... >> \in
        int k = 0;
        if (IsAt(0, "<<"))
        {
            k = 1;
            while (PeekAt(k).Kind == Tk.Ident && (IsAt(k + 1, ",") || IsAt(k + 1, ">>"))) { k += 2; if (IsAt(k - 1, ">>")) break; }
            return IsAt(k - 1, ">>") && IsAt(k, "\\in");
        }
        while (PeekAt(k).Kind == Tk.Ident && !Keywords.Contains(PeekAt(k).Text))
        {
            if (IsAt(k + 1, "\\in")) return true;
            if (!IsAt(k + 1, ",")) return false;
            k += 2;
        }
        return false;
    }

    private Syn ParseBrace()
    {
        var t = Expect("{");
        int saved = _offside; _offside = 0;
        try
        {
            if (Is("}")) { _p++; return new Syn(SK.SetEnum, t, null, []); }
            if (BoundStartsHere())
            {
                int save = _p;
                var b = ParseOneBound();
                if (Is(":") && b.Set is not null)
                {
                    _p++;
                    var pred = ParseExpr();
                    Expect("}");
                    return new Syn(SK.SetFilter, t, null, [pred], b);
                }
                _p = save;
            }
            var first = ParseExpr();
            if (Is(":"))
            {
                _p++;
                var bs = ParseBounds();
                Expect("}");
                return new Syn(SK.SetMap, t, null, [first], bs);
            }
            var elems = new List<Syn> { first };
            while (TryConsume(",")) elems.Add(ParseExpr());
            Expect("}");
            return new Syn(SK.SetEnum, t, null, elems.ToArray());
        }
        finally { _offside = saved; }
    }

    private Syn ParseBracket()
    {
        var t = Expect("[");
        int saved = _offside; _offside = 0;
        Syn result;
        try
        {
            if (Peek.Kind == Tk.Ident && IsAt(1, "|->"))
            {
                var names = new List<string>(); var vals = new List<Syn>();
                do { names.Add(ExpectIdent()); Expect("|->"); vals.Add(ParseExpr()); } while (TryConsume(","));
                Expect("]");
                return new Syn(SK.Record, t, null, vals.ToArray(), names);
            }
            if (Peek.Kind == Tk.Ident && IsAt(1, ":") )
            {
                var names = new List<string>(); var vals = new List<Syn>();
                do { names.Add(ExpectIdent()); Expect(":"); vals.Add(ParseExpr()); } while (TryConsume(","));
                Expect("]");
                return new Syn(SK.RecordSet, t, null, vals.ToArray(), names);
            }
            if (BoundStartsHere())
            {
                int save = _p;
                var bs = ParseBounds();
                if (Is("|->"))
                {
                    _p++;
                    var body = ParseExpr();
                    Expect("]");
                    return new Syn(SK.FcnCtor, t, null, [body], bs);
                }
                _p = save;
            }
            var e = ParseExpr();
            if (IsKw("EXCEPT"))
            {
                _p++;
                var ups = new List<ExceptUpdate>();
                do
                {
                    Expect("!");
                    var path = new List<PathElem>();
                    while (true)
                    {
                        if (Is(".")) { _p++; path.Add(new PathElem(ExpectIdent(), null)); continue; }
                        if (Is("["))
                        {
                            _p++;
                            var args = new List<Syn> { ParseExpr() };
                            while (TryConsume(",")) args.Add(ParseExpr());
                            Expect("]");
                            path.Add(new PathElem(null, args.ToArray()));
                            continue;
                        }
                        break;
                    }
                    if (path.Count == 0) throw Err(Peek, "expected '[' or '.' after '!' in EXCEPT");
                    Expect("=");
                    ups.Add(new ExceptUpdate(path, ParseExpr()));
                } while (TryConsume(","));
                Expect("]");
                return new Syn(SK.Except, t, null, [e], ups);
            }
            if (Is("->"))
            {
                _p++;
                var r = ParseExpr();
                Expect("]");
                return new Syn(SK.FcnSet, t, null, [e, r]);
            }
            Expect("]");
            result = e;
        }
        finally { _offside = saved; }
        if (Is("_")) { _p++; var sub = ParseSubscript(); return new Syn(SK.BoxAct, t, null, [result, sub]); }
        throw Err(t, "expected ']_' subscript after action '[A]'");
    }

    private Bound ParseOneBound()
    {
        var t = Peek;
        var names = new List<string>();
        var toks = new List<Token>();
        bool tuple = false;
        if (Is("<<"))
        {
            _p++; tuple = true;
            do { toks.Add(Peek); names.Add(ExpectIdent()); } while (TryConsume(","));
            Expect(">>");
        }
        else { toks.Add(Peek); names.Add(ExpectIdent()); }
        Syn? set = null;
        if (Peek.Kind == Tk.Op && Peek.Text == "\\in") { _p++; set = ParseExpr(); }
        return new Bound(names, tuple, set, t) { NameToks = toks };
    }

    private List<Bound> ParseBounds()
    {
        var res = new List<Bound>();
        while (true)
        {
            var t = Peek;
            if (Is("<<"))
            {
                res.Add(ParseOneBound());
            }
            else
            {
                var toks = new List<Token> { Peek };
                var names = new List<string> { ExpectIdent() };
                while (Is(",") && PeekAt(1).Kind == Tk.Ident && (IsAt(2, ",") || IsAt(2, "\\in") || IsAt(2, ":") || IsAt(2, "|->") || IsAt(2, "]")))
                {
                    // "x, y \in S" : shared set; but "x \in S, y \in T" handled by outer loop
                    _p++;
                    toks.Add(Peek);
                    names.Add(ExpectIdent());
                }
                Syn? set = null;
                if (Peek.Kind == Tk.Op && Peek.Text == "\\in") { _p++; set = ParseExpr(); }
                for (int k = 0; k < names.Count; k++) res.Add(new Bound([names[k]], false, set, t) { NameToks = [toks[k]] });
            }
            if (!Is(",")) break;
            _p++;
        }
        return res;
    }
}
