using System.Numerics;

namespace NotifierSpec.Checker;

public abstract record Sym;
public sealed record VarSym(VarRef Ref) : Sym;
public sealed record NodeSym(Node N) : Sym;
public sealed record DefSym(OpDef D) : Sym;
public sealed record BoundSym(object Slot, string Name, int Arity, ParamInfo? P) : Sym;
public sealed record LetSym(LetDef D) : Sym;
public sealed record BuiltinSym(Builtin B) : Sym;
public sealed record InstSym(ModuleScope M) : Sym;
public sealed record MissingConstSym(string Name, Token Tok, string File) : Sym;

public sealed class Scope(Scope? parent)
{
    public Dictionary<string, Sym> Map { get; } = new(StringComparer.Ordinal);
    public Scope? Parent { get; } = parent;
    public Sym? Find(string n)
    {
        for (var s = this; s is not null; s = s.Parent) if (s.Map.TryGetValue(n, out var x)) return x;
        return null;
    }
}

/// <summary>A compiled module (root or instance): its top-level names.</summary>
public sealed class ModuleScope(string name, string file)
{
    public string Name { get; } = name;
    public string File { get; } = file;
    public Scope Top { get; } = new(null);
    public HashSet<string> LocalNames { get; } = [];
}

/// <summary>Resolves names and builds runtime nodes from syntax trees.</summary>
public sealed class Compiler
{
    private readonly TlaSpec _spec;
    /// <summary>The EXCEPT '@' slots referred to so far (an update that does not refer to its '@' is evaluated
    /// without binding it).</summary>
    private readonly HashSet<object> _atUsed = new(ReferenceEqualityComparer.Instance);
    private readonly ModuleLoader _loader;
    private string _file = "";
    private string _module = "";
    private int _primeDepth;
    private OpDef? _current;
    private bool _currentIsFcn; // _current is a function definition f[x \in S] == ..., which may name itself
    private readonly HashSet<LetDef> _compilingLets = [];
    private readonly HashSet<LetDef> _letFcns = []; // LET f[x \in S] == ...: a self-reference adds no level
    private HashSet<ParamInfo>? _constParams; // LevelWithConstantParams: these parameters are at level 0
    private HashSet<string> _recursive = []; // the RECURSIVE declarations of the module being compiled
    private readonly HashSet<OpDef> _pending = []; // its definitions not reached yet in unit order

    private static readonly Dictionary<string, Builtin> Core = BuildCore();

    public Compiler(TlaSpec spec, ModuleLoader loader) { _spec = spec; _loader = loader; }

    private TlaError Err(Token t, string msg) => new(_file, t.Line, t.Col, msg);
    private Loc L(Token t) => new(_file, _module, t.Line, t.Col);
    private Loc LS(Syn s)
    {
        var st = s.Start ?? s.Tok;
        var en = s.End ?? st;
        return new(_file, _module, st.Line, st.Col, en.Line, en.Col + Math.Max(1, en.Text.Length) - 1 + (en.Kind == Tk.String ? 2 : 0));
    }

    // ------------------------------------------------------------------ modules

    /// <summary>Compiles a module. outer/subs: for INSTANCE, the instantiating scope and its WITH substitutions.</summary>
    public ModuleScope CompileModule(ModuleSyn m, Scope? outer, Dictionary<string, Sym>? subs, HashSet<string>? extendedSeen = null)
    {
        var ms = new ModuleScope(m.Name, m.File);
        extendedSeen ??= [];
        Include(m, ms, outer, subs, extendedSeen, true);
        return ms;
    }

    private void Include(ModuleSyn m, ModuleScope ms, Scope? outer, Dictionary<string, Sym>? subs, HashSet<string> seen, bool isRoot)
    {
        if (!seen.Add(m.Name)) return;
        string savedFile = _file, savedModule = _module;
        var savedRecursive = _recursive;
        _file = m.File; _module = m.Name;
        try
        {
            foreach (var (ext, tok) in m.Extends)
            {
                if (_loader.IsNative(ext))
                {
                    foreach (var mod in Builtins.Closure(ext))
                        foreach (var (k, b) in Builtins.Modules[mod])
                            // a standard module's operator is one definition wherever its module is extended or
                            // instanced: TLC's Op <- Def replaces it everywhere (MCMajority: Seq <- BoundedSeq
                            // for the Seq of INSTANCE Majority)
                            ms.Top.Map.TryAdd(k, _spec.BuiltinOverrideFor(k, b.Arity) ?? new BuiltinSym(b));
                    continue;
                }
                var em = _loader.Load(ext, m.File, tok);
                Include(em, ms, outer, subs, seen, false);
                _file = m.File; _module = m.Name;
            }
            foreach (var (name, _, tok) in m.Constants) _decls[(m.File, name)] = tok;
            foreach (var (name, tok) in m.Variables) _decls[(m.File, name)] = tok;
            foreach (var (name, arity, tok) in m.Constants)
            {
                if (subs is not null)
                {
                    if (subs.TryGetValue(name, out var s)) { ms.Top.Map[name] = s; continue; }
                    var o = outer!.Find(name) ?? throw Err(tok, $"INSTANCE of {m.Name}: no substitution for constant {name} and no {name} in the instantiating module");
                    ms.Top.Map[name] = o;
                    continue;
                }
                ms.Top.Map[name] = _spec.ConstantSym(name, arity, tok, m.File, this);
            }
            foreach (var (name, tok) in m.Variables)
            {
                if (subs is not null)
                {
                    if (subs.TryGetValue(name, out var s)) { ms.Top.Map[name] = s; continue; }
                    var o = outer!.Find(name) ?? throw Err(tok, $"INSTANCE of {m.Name}: no substitution for variable {name} and no {name} in the instantiating module");
                    ms.Top.Map[name] = o;
                    continue;
                }
                if (ms.Top.Map.ContainsKey(name)) throw Err(tok, $"Multiply-defined symbol '{name}'");
                var vr = new VarRef(_spec.Vars.Count, name) { Loc = L(tok), Level = 1 };
                _spec.Vars.Add(name);
                _spec.VarLocs.Add(L(tok));
                ms.Top.Map[name] = new VarSym(vr);
            }
            // pre-register definitions (allows RECURSIVE and forward references)
            var defs = new Dictionary<DefSyn, OpDef>();
            foreach (var u in m.Units)
            {
                if (u is DefSyn d && d.Instance is null)
                {
                    var od = new OpDef(d.Name, d.Params.Select(p => new ParamInfo(p.Name, p.Arity)).ToArray(), L(d.Tok) with { EndLine = 0 }) { Syntax = d.Body };
                    defs[d] = od;
                    _pending.Add(od);
                    if (_spec.OverrideFor(d.Name, d.Params.Count, m.Name, subs is not null) is { } ov) { ms.Top.Map[d.Name] = ov; }
                    else ms.Top.Map[d.Name] = new DefSym(od);
                    if (d.Local) ms.LocalNames.Add(d.Name);
                }
            }
            _recursive = m.Recursive;
            foreach (var u in m.Units)
            {
                if (u is DefSyn du && du.Instance is null) _pending.Remove(defs[du]);
                switch (u)
                {
                    case DefSyn d when d.Instance is not null:
                        {
                            var inst = CompileInstance(d.Instance, ms.Top);
                            ms.Top.Map[d.Name] = new InstSym(inst);
                            if (d.Local) ms.LocalNames.Add(d.Name);
                            break;
                        }
                    case DefSyn d:
                        CompileDef(d, defs[d], ms.Top);
                        break;
                    case InstanceSyn i:
                        {
                            var inst = CompileInstance(i, ms.Top);
                            foreach (var (k, v) in inst.Top.Map)
                                if (!inst.LocalNames.Contains(k) && v is not BuiltinSym) ms.Top.Map.TryAdd(k, v);
                            // LOCAL INSTANCE hides from importers, but the module itself sees them (modules are merged here)
                            foreach (var (k, v) in inst.Top.Map)
                                if (v is BuiltinSym) ms.Top.Map.TryAdd(k, v);
                            break;
                        }
                    case Syn assume:
                        {
                            var ax = Compile(assume, ms.Top);
                            // TLC checks the assumptions of the root module and the modules it extends, not those
                            // of an INSTANCE (named or not): tlaplus/Examples Nano's ASSUME \A data, ... : ...
                            if (subs is null) _spec.Assumes.Add((ax, LS(assume)));
                            break;
                        }
                }
            }
        }
        finally { _file = savedFile; _module = savedModule; _recursive = savedRecursive; }
    }


    private ModuleScope CompileInstance(InstanceSyn i, Scope outer)
    {
        if (_loader.IsNative(i.Module))
        {
            var ms0 = new ModuleScope(i.Module, _file);
            foreach (var mod in Builtins.Closure(i.Module))
                foreach (var (k, b) in Builtins.Modules[mod]) ms0.Top.Map.TryAdd(k, _spec.BuiltinOverrideFor(k, b.Arity) ?? new BuiltinSym(b));
            return ms0;
        }
        var m = _loader.Load(i.Module, _file, i.Tok);
        var subs = new Dictionary<string, Sym>(StringComparer.Ordinal);
        foreach (var (n, e) in i.Subs)
        {
            // a substitution of a defined operator name passes the operator itself
            if (e.Kind == SK.Ident && e.Kids.Length == 0 && outer.Find(e.Name!) is DefSym ds && ds.D.Params.Length > 0) { subs[n] = ds; continue; }
            // Op <- LAMBDA x, y : e for a constant operator Op(_, _) (tlaplus/Examples TestGraphs: Constraint <- LAMBDA s, l : TRUE)
            if (e.Kind == SK.Lambda) { subs[n] = new DefSym(CompileLambdaDef(e, outer)); continue; }
            subs[n] = new NodeSym(Compile(e, outer));
        }
        foreach (var n in subs.Keys)
            if (!m.Constants.Any(c => c.Name == n) && !m.Variables.Any(v => v.Name == n))
                throw Err(i.Tok, $"INSTANCE {i.Module} WITH {n}: {n} is not a constant or variable of {i.Module}");
        var saved = (_file, _module);
        var ms = CompileModule(m, outer, subs);
        (_file, _module) = saved;
        return ms;
    }

    private void CompileDef(DefSyn d, OpDef od, Scope top)
    {
        var saved = (_current, _currentIsFcn); _current = od; _currentIsFcn = d.FcnBounds is not null;
        od.Compiling = true;
        try
        {
            var sc = new Scope(top);
            for (int i = 0; i < od.Params.Length; i++)
            {
                var p = od.Params[i];
                // SANY: a parameter named like a symbol in scope is a "Multiply-defined symbol" (G(Len) == ...)
                if (d.Params[i].Tok is { } ptok) NotYetDefined(p.Name, ptok, sc);
                sc.Map[p.Name] = new BoundSym(p.Slot, p.Name, p.Arity, p);
            }
            if (d.FcnBounds is not null)
            {
                var bounds = CompileBounds(d.FcnBounds, sc, out var inner);
                var body = Compile(d.Body!, inner);
                if (od.Recursive)
                {
                    od.Body = new RecFcnN(od, bounds, body) { Loc = od.Loc, Level = Math.Max(body.Level, bounds.Max(b => b.Set?.Level ?? 0)) };
                    od.Recursive = false; // a recursive function is a value: cache it
                }
                else od.Body = new FcnCtorN(bounds, body) { Loc = od.Loc, Level = Math.Max(body.Level, bounds.Max(b => b.Set?.Level ?? 0)) };
            }
            else
            {
                od.Body = Compile(d.Body!, sc);
                if (od.Params.Length > 0 && od.Body.Level == 1 && od.Params.All(p => p.Arity == 0))
                    od.ConstArgsLevel = LevelWithConstantParams(d, od, sc);
            }
            var last = d.EndTok ?? LastToken(d.Body!);
            od.EndLoc = (last.Line, last.Col + Math.Max(1, last.Text.Length) - 1 + (last.Kind == Tk.String ? 2 : 0));
            od.BodyStart = (d.Body!.Tok.Line, FirstToken(d.Body!).Col);
        }
        finally { od.Compiling = false; (_current, _currentIsFcn) = saved; }
    }

    /// <summary>The level of od's body when its parameters are constants: the body compiled once more, only for its
    /// level, with the parameters at level 0 (SANY's level of an operator is that of its body apart from its
    /// parameters; a call's level adds its arguments'). Without it a call with constant arguments, such as
    /// IsSimpleCycle(Node, r) in RingOfNodes == CHOOSE r \in [Node -> Node] : IsSimpleCycle(Node, r)
    /// (EWD998ChanID), counted as state level, so the constant definition calling it was evaluated again at
    /// every use instead of once (OpDef.CallConst), which TLC does once.</summary>
    private int LevelWithConstantParams(DefSyn d, OpDef od, Scope sc)
    {
        var saved = _constParams;
        _constParams = new HashSet<ParamInfo>(od.Params, ReferenceEqualityComparer.Instance);
        try { return Compile(d.Body!, sc).Level; }
        catch (TlaError) { return od.Body!.Level; }
        finally { _constParams = saved; }
    }

    /// <summary>A LAMBDA as an operator definition of its parameters (all of arity 0, as SANY requires).</summary>
    private OpDef CompileLambdaDef(Syn lambda, Scope outer)
    {
        var ps = (List<string>)lambda.Extra!;
        var od = new OpDef("LAMBDA", ps.Select(p => new ParamInfo(p, 0)).ToArray(), L(lambda.Tok) with { EndLine = 0 });
        var saved = (_current, _currentIsFcn); _current = od; _currentIsFcn = false;
        od.Compiling = true;
        try
        {
            var sc = new Scope(outer);
            foreach (var p in od.Params) sc.Map[p.Name] = new BoundSym(p.Slot, p.Name, p.Arity, p);
            od.Body = Compile(lambda.Kids[0], sc);
            var last = LastToken(lambda.Kids[0]);
            od.EndLoc = (last.Line, last.Col + Math.Max(1, last.Text.Length) - 1 + (last.Kind == Tk.String ? 2 : 0));
            od.BodyStart = (lambda.Tok.Line, lambda.Tok.Col);
        }
        finally { od.Compiling = false; (_current, _currentIsFcn) = saved; }
        return od;
    }

    private static Token FirstToken(Syn s)
    {
        var best = s.Tok;
        void Walk(Syn x)
        {
            if (x.Tok.Line < best.Line || x.Tok.Line == best.Line && x.Tok.Col < best.Col) best = x.Tok;
            foreach (var k in x.Kids) Walk(k);
        }
        Walk(s);
        return best;
    }

    private static Token LastToken(Syn s)
    {
        var best = s.Tok;
        void Walk(Syn x)
        {
            if (x.Tok.Line > best.Line || x.Tok.Line == best.Line && x.Tok.Col > best.Col) best = x.Tok;
            foreach (var k in x.Kids) Walk(k);
            if (x.Extra is List<Bound> bs) foreach (var b in bs) if (b.Set is not null) Walk(b.Set);
            if (x.Extra is Bound b1 && b1.Set is not null) Walk(b1.Set);
            if (x.Extra is List<ExceptUpdate> ups) foreach (var u in ups) { Walk(u.Value); foreach (var p in u.Path) if (p.Args is not null) foreach (var a in p.Args) Walk(a); }
            if (x.Extra is List<DefSyn> ds) foreach (var d in ds) if (d.Body is not null) Walk(d.Body);
        }
        Walk(s);
        return best;
    }

    // ------------------------------------------------------------------ expressions

    public Node Compile(Syn s, Scope sc)
    {
        // Spec.Load compiles on a deep stack (DeepStack); only an absurdly deep nesting reaches this
        if (!DeepStack.HasRoom()) throw Err(s.Tok, "The expression is nested too deeply to be compiled");
        var loc = LS(s);
        switch (s.Kind)
        {
            case SK.Num:
                if (!long.TryParse(s.Name, out long n))
                {
                    if (BigInteger.TryParse(s.Name, out _)) throw Err(s.Tok, $"unsupported construct: integer literal {s.Name} is too large");
                    throw Err(s.Tok, $"bad number {s.Name}");
                }
                return new Lit(IntV.Of(n)) { Loc = loc };
            case SK.Str:
                return new Lit(_spec.Interner.Str(s.Name!)) { Loc = loc };
            case SK.Ident:
                return CompileIdent(s, sc);
            case SK.Inst:
                return CompileInstRef(s, sc);
            case SK.OpApp:
                return CompileOpApp(s, sc);
            case SK.If:
                {
                    var c = Compile(s.Kids[0], sc); var a = Compile(s.Kids[1], sc); var b = Compile(s.Kids[2], sc);
                    return new IfN(c, a, b) { Loc = loc, Level = Max(c, a, b) };
                }
            case SK.Case:
                {
                    bool other = (bool)s.Extra!;
                    int arms = (s.Kids.Length - (other ? 1 : 0)) / 2;
                    var conds = new Node[arms]; var vals = new Node[arms];
                    for (int i = 0; i < arms; i++) { conds[i] = Compile(s.Kids[2 * i], sc); vals[i] = Compile(s.Kids[2 * i + 1], sc); }
                    var oth = other ? Compile(s.Kids[^1], sc) : null;
                    return new CaseN(conds, vals, oth) { Loc = loc, Level = Math.Max(Max(conds), Math.Max(Max(vals), oth?.Level ?? 0)) };
                }
            case SK.Let:
                {
                    var inner = new Scope(sc);
                    var defs = new List<LetDef>();
                    foreach (var d in (List<DefSyn>)s.Extra!)
                    {
                        if (d.Instance is not null)
                        {
                            // LET CC == INSTANCE M IN ... CC!Op ... (tlaplus/Examples MCCheckpointCoordination): the
                            // instance is compiled once, in the scope of the LET
                            inner.Map[d.Name] = new InstSym(CompileInstance(d.Instance, inner));
                            continue;
                        }
                        var ld = new LetDef(d.Name, d.Params.Select(p => new ParamInfo(p.Name, p.Arity)).ToArray(), L(d.Tok));
                        _compilingLets.Add(ld);
                        if (d.FcnBounds is not null) _letFcns.Add(ld);
                        inner.Map[d.Name] = new LetSym(ld);
                        var ps = new Scope(inner);
                        for (int pi = 0; pi < ld.Params.Length; pi++)
                        {
                            var p = ld.Params[pi];
                            if (d.Params[pi].Tok is { } ptok) NotYetDefined(p.Name, ptok, ps);
                            ps.Map[p.Name] = new BoundSym(p.Slot, p.Name, p.Arity, p);
                        }
                        if (d.FcnBounds is not null)
                        {
                            var bounds = CompileBounds(d.FcnBounds, ps, out var fin);
                            var body = Compile(d.Body!, fin);
                            if (ld.Recursive) ld.Body = new RecFcnN(null, bounds, body) { Loc = ld.Loc, Level = body.Level };
                            else ld.Body = new FcnCtorN(bounds, body) { Loc = ld.Loc, Level = body.Level };
                        }
                        else ld.Body = Compile(d.Body!, ps);
                        _compilingLets.Remove(ld);
                        defs.Add(ld);
                    }
                    var bodyN = Compile(s.Kids[0], inner);
                    return new LetN(defs.ToArray(), bodyN) { Loc = loc, Level = bodyN.Level };
                }
            case SK.Quant:
                {
                    var bounds = CompileBounds((List<Bound>)s.Extra!, sc, out var inner);
                    var body = Compile(s.Kids[0], inner);
                    // unbounded quantifiers: TLC cannot evaluate them; refused when evaluated (BoundN.All)
                    return new QuantN(s.Name == "\\A", bounds, body) { Loc = loc, Level = Math.Max(body.Level, bounds.Max(b => b.Set?.Level ?? 0)) };
                }
            case SK.Choose:
                {
                    var b = (Bound)s.Extra!;
                    var bounds = CompileBounds([b], sc, out var inner);
                    var body = Compile(s.Kids[0], inner);
                    return new ChooseN(bounds[0], body) { Loc = loc, Level = Math.Max(body.Level, bounds[0].Set?.Level ?? 0) };
                }
            case SK.SetEnum:
                {
                    var el = s.Kids.Select(k => Compile(k, sc)).ToArray();
                    if (el.All(e => e is Lit))
                    {
                        try { return new Lit(new SetV(el.Select(e => ((Lit)e).V).ToArray())) { Loc = loc }; }
                        catch (EvalError) { /* reported when evaluated, as TLC does */ }
                    }
                    return Keep(new SetEnumN(el) { Loc = loc, Level = Max(el) }, el);
                }
            case SK.SetFilter:
                {
                    var bounds = CompileBounds([(Bound)s.Extra!], sc, out var inner);
                    var p = Compile(s.Kids[0], inner);
                    return new SetFilterN(bounds[0], p) { Loc = loc, Level = Math.Max(p.Level, bounds[0].Set!.Level) };
                }
            case SK.SetMap:
                {
                    var bounds = CompileBounds((List<Bound>)s.Extra!, sc, out var inner);
                    if (bounds.Any(b => b.Set is null)) throw Err(s.Tok, "a set map { e : x \\in S } needs bounded variables");
                    var e = Compile(s.Kids[0], inner);
                    return new SetMapN(e, bounds) { Loc = loc, Level = Math.Max(e.Level, bounds.Max(b => b.Set!.Level)) };
                }
            case SK.Tuple:
                {
                    var el = s.Kids.Select(k => Compile(k, sc)).ToArray();
                    return new TupleN(el) { Loc = loc, Level = Max(el) };
                }
            case SK.Record:
                {
                    var names = ((List<string>)s.Extra!).Select(n => _spec.Interner.Str(n)).ToArray();
                    if (names.Distinct().Count() != names.Length) throw Err(s.Tok, "duplicate field in record constructor");
                    var el = s.Kids.Select(k => Compile(k, sc)).ToArray();
                    return new RecordN(names, el) { Loc = loc, Level = Max(el) };
                }
            case SK.RecordSet:
                {
                    var names = ((List<string>)s.Extra!).Select(n => _spec.Interner.Str(n)).ToArray();
                    var el = s.Kids.Select(k => Compile(k, sc)).ToArray();
                    return Keep(new RecordSetN(names, el) { Loc = loc, Level = Max(el) }, el);
                }
            case SK.FcnCtor:
                {
                    var bounds = CompileBounds((List<Bound>)s.Extra!, sc, out var inner);
                    if (bounds.Any(b => b.Set is null)) throw Err(s.Tok, "a function constructor needs bounded variables");
                    if (bounds.Length > 1 && bounds.Any(b => b.Tuple)) throw Err(s.Tok, "unsupported construct: tuple binder among several function-constructor bounds");
                    var body = Compile(s.Kids[0], inner);
                    // [k \in Key |-> NoVal]: a body that is a constant does not refer to the bound variables
                    return Keep(new FcnCtorN(bounds, body) { Loc = loc, Level = Math.Max(body.Level, bounds.Max(b => b.Set!.Level)) },
                        [.. bounds.Select(b => b.Set!), body]);
                }
            case SK.FcnSet:
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return Keep(new FcnSetN(a, b) { Loc = loc, Level = Max(a, b) }, a, b);
                }
            case SK.Times:
                {
                    var el = s.Kids.Select(k => Compile(k, sc)).ToArray();
                    return Keep(new TimesN(el) { Loc = loc, Level = Max(el) }, el);
                }
            case SK.Except:
                {
                    var f = Compile(s.Kids[0], sc);
                    var atSlot = new object();
                    var inner = new Scope(sc);
                    inner.Map["@"] = new BoundSym(atSlot, "@", 0, null);
                    int lvl = f.Level;
                    var ups = new List<(Node[][], Node, bool)>();
                    foreach (var u in (List<ExceptUpdate>)s.Extra!)
                    {
                        var path = u.Path.Select(p => p.Field is not null ? [new Lit(_spec.Interner.Str(p.Field)) { Loc = loc }] : p.Args!.Select(a => Compile(a, sc)).ToArray()).ToArray();
                        _atUsed.Remove(atSlot);
                        var v = Compile(u.Value, inner);
                        lvl = Math.Max(lvl, Math.Max(v.Level, path.SelectMany(x => x).Select(x => x.Level).DefaultIfEmpty(0).Max()));
                        ups.Add((path, v, _atUsed.Remove(atSlot)));
                    }
                    return new ExceptN(f, ups.ToArray(), atSlot) { Loc = loc, Level = lvl };
                }
            case SK.At:
                {
                    if (sc.Find("@") is not BoundSym b) throw Err(s.Tok, "'@' used outside an EXCEPT");
                    _atUsed.Add(b.Slot);
                    return new BoundRef(b.Slot, "@") { Loc = loc };
                }
            case SK.FcnApp:
                {
                    var f = Compile(s.Kids[0], sc);
                    var args = s.Kids.Skip(1).Select(k => Compile(k, sc)).ToArray();
                    return new FcnAppN(f, args) { Loc = loc, Level = Math.Max(f.Level, Max(args)) };
                }
            case SK.Dot:
                {
                    var r = Compile(s.Kids[0], sc);
                    return new DotN(r, _spec.Interner.Str(s.Name!)) { Loc = loc, Level = r.Level };
                }
            case SK.Prime:
                {
                    _primeDepth++;
                    try
                    {
                        var e = Compile(s.Kids[0], sc);
                        if (e.Level >= 2 && e is not OpCall) throw Err(s.Tok, "a primed expression contains a primed variable (double prime)");
                        return new PrimeN(e) { Loc = loc, Level = 2 };
                    }
                    finally { _primeDepth--; }
                }
            case SK.Unchanged:
                {
                    _primeDepth++;
                    try
                    {
                        var e = Compile(s.Kids[0], sc);
                        var vars = new List<VarRef>();
                        bool ok = CollectVars(e, vars);
                        return new UnchangedN(e, ok ? vars.ToArray() : null) { Loc = loc, Level = 2 };
                    }
                    finally { _primeDepth--; }
                }
            case SK.BoxAct or SK.AngleAct:
                {
                    var a = Compile(s.Kids[0], sc);
                    _primeDepth++;
                    Node v;
                    try { v = Compile(s.Kids[1], sc); } finally { _primeDepth--; }
                    return new BoxActN(a, v, s.Kind == SK.AngleAct) { Loc = loc, Level = 2 };
                }
            case SK.Enabled:
                {
                    _primeDepth++;
                    try
                    {
                        var a = Compile(s.Kids[0], sc);
                        return new EnabledN(a) { Loc = loc, Level = 1 };
                    }
                    finally { _primeDepth--; }
                }
            case SK.Always:
                {
                    var a = Compile(s.Kids[0], sc);
                    return new TemporalN("[]", [a]) { Loc = loc, Level = 3 };
                }
            case SK.Eventually:
                {
                    var a = Compile(s.Kids[0], sc);
                    return new TemporalN("<>", [a]) { Loc = loc, Level = 3 };
                }
            case SK.Fair:
                {
                    _primeDepth++;
                    Node v;
                    try { v = Compile(s.Kids[0], sc); } finally { _primeDepth--; }
                    var a = Compile(s.Kids[1], sc);
                    return new TemporalN(s.Name == "WF_" ? "WF" : "SF", [a], v) { Loc = loc, Level = 3 };
                }
            case SK.Lambda:
                // SANY allows LAMBDA only as an operator argument or an INSTANCE substitution; elsewhere its parser stops:
                // "Was expecting \"Expression or Instance\" Encountered \"LAMBDA\" at line L, column C"
                throw Err(s.Tok, "Was expecting \"Expression or Instance\": encountered \"LAMBDA\" (a LAMBDA is only an operator argument or an INSTANCE substitution)");
            case SK.OpRef:
                throw Err(s.Tok, $"unsupported construct: operator {s.Name} used as a value");
        }
        throw Err(s.Tok, $"unsupported construct: {s.Kind}");
    }

    private static bool CollectVars(Node e, List<VarRef> vars)
    {
        switch (e)
        {
            case VarRef v: vars.Add(v); return true;
            case TupleN t: return t.Elems.All(x => CollectVars(x, vars));
            case OpCall { Args.Length: 0 } oc when oc.Def.Body is not null: return CollectVars(oc.Def.Body, vars);
            default: return false;
        }
    }

    private static int Max(params Node[] ns) => ns.Length == 0 ? 0 : ns.Max(n => n.Level);

    private BoundN[] CompileBounds(List<Bound> bs, Scope sc, out Scope inner)
    {
        inner = new Scope(sc);
        var res = new BoundN[bs.Count];
        for (int i = 0; i < bs.Count; i++)
        {
            var b = bs[i];
            var set = b.Set is null ? null : Compile(b.Set, sc);
            var slots = b.Names.Select(_ => new object()).ToArray();
            res[i] = new BoundN(slots, b.Names.ToArray(), b.Tuple, set, L(b.Tok));
            for (int j = 0; j < b.Names.Count; j++)
            {
                NotYetDefined(b.Names[j], b.NameToks is { } nt ? nt[j] : b.Tok, inner);
                inner.Map[b.Names[j]] = new BoundSym(slots[j], b.Names[j], 0, null);
            }
        }
        return res;
    }

    /// <summary>SANY refuses a bound name that is already a symbol in scope (a VARIABLE, CONSTANT, definition, bound
    /// variable or standard-module operator): "Multiply-defined symbol 'x': this definition or declaration conflicts
    /// with the one at ...". Definitions and declarations that come later in the module are not yet in scope.</summary>
    private readonly Dictionary<(string File, string Name), Token> _decls = [];

    private void NotYetDefined(string name, Token tok, Scope sc)
    {
        var sym = sc.Find(name);
        if (sym is null) return;
        string? other;
        // a CONSTANT or VARIABLE of this module (also when an INSTANCE substitutes it): in scope from its declaration
        if (_decls.TryGetValue((_file, name), out var dt))
        {
            if (dt.Line > tok.Line || dt.Line == tok.Line && dt.Col > tok.Col) return;
            throw Err(tok, $"Multiply-defined symbol '{name}': this definition or declaration conflicts with the one at line {dt.Line}, col {dt.Col} of module {_module}.");
        }
        switch (sym)
        {
            case DefSym d:
                if (_pending.Contains(d.D) || ReferenceEquals(d.D, _current)) return;
                other = At(d.D.Loc);
                break;
            case VarSym v:
                if (Later(v.Ref.Loc, tok)) return;
                other = At(v.Ref.Loc);
                break;
            case MissingConstSym mc:
                if (mc.File == _file && (mc.Tok.Line > tok.Line || mc.Tok.Line == tok.Line && mc.Tok.Col > tok.Col)) return;
                other = $"the one at line {mc.Tok.Line}, col {mc.Tok.Col} of module {Path.GetFileNameWithoutExtension(mc.File)}";
                break;
            case LetSym l:
                if (_compilingLets.Contains(l.D)) return; // LET x == CHOOSE x \in S : TRUE (Chameneos)
                other = At(l.D.Loc);
                break;
            case BuiltinSym b: other = KnownModuleOf(b.B.Name) is { } m ? $"the one in module {m}" : "a built-in operator"; break;
            case BoundSym: other = "a bound variable in scope"; break;
            default: other = "another symbol in scope"; break;
        }
        throw Err(tok, $"Multiply-defined symbol '{name}': this definition or declaration conflicts with {other}.");
    }

    private static string At(Loc l) => $"the one at line {l.Line}, col {l.Col} of module {l.Module}";

    private bool Later(Loc l, Token tok) => l.File == _file && (l.Line > tok.Line || l.Line == tok.Line && l.Col > tok.Col);

    private Node CompileInstRef(Syn s, Scope sc)
    {
        var head = s.Kids[0];
        if (head.Kids.Length > 0) throw Err(head.Tok, "unsupported construct: parameterized instance");
        var sym = sc.Find(head.Name!);
        if (sym is not InstSym inst) throw Err(head.Tok, $"{head.Name} is not a module instance");
        var ms = inst.M;
        for (int i = 1; i < s.Kids.Length; i++)
        {
            var part = s.Kids[i];
            if (!ms.Top.Map.TryGetValue(part.Name!, out var target) || ms.LocalNames.Contains(part.Name!))
                throw Err(part.Tok, $"Unknown operator: `{head.Name}!{part.Name}'.");
            if (i < s.Kids.Length - 1)
            {
                if (target is not InstSym i2) throw Err(part.Tok, $"{part.Name} is not a module instance");
                ms = i2.M;
                continue;
            }
            return CompileSymRef(target, part, part.Kids, sc);
        }
        throw Err(s.Tok, "bad instance reference");
    }

    private Node CompileIdent(Syn s, Scope sc)
    {
        var name = s.Name!;
        switch (name)
        {
            case "TRUE": return new Lit(BoolV.True) { Loc = L(s.Tok) };
            case "FALSE": return new Lit(BoolV.False) { Loc = L(s.Tok) };
            case "BOOLEAN": return new Lit(new SetV([BoolV.False, BoolV.True], true)) { Loc = L(s.Tok) };
            case "STRING": return new Lit(new InfiniteSetV("STRING", v => v is StrV || (v is ModelV ? false : throw new EvalError($"Attempted to check if the value:\n{Node.Trunc(v)}\nis an element of STRING.")))) { Loc = L(s.Tok) };
        }
        var sym = sc.Find(name) ?? throw Err(s.Tok, $"Unknown operator: `{name}'.");
        return CompileSymRef(sym, s, s.Kids, sc);
    }

    private Node CompileSymRef(Sym sym, Syn s, Syn[] argSyn, Scope sc)
    {
        var loc = LS(s);
        string name = s.Name!;
        switch (sym)
        {
            case VarSym v:
                if (argSyn.Length > 0) throw Err(s.Tok, $"variable {name} is not an operator");
                return v.Ref;
            case NodeSym n:
                if (argSyn.Length > 0) throw Err(s.Tok, $"{name} is not an operator");
                return n.N;
            case MissingConstSym mc:
                throw new TlaError(mc.File, mc.Tok.Line, mc.Tok.Col, $"The constant parameter {mc.Name} is not assigned a value by the configuration file.", true);
            case DefSym d:
                {
                    var def = d.D;
                    // SANY: an operator is known only after its definition, unless declared RECURSIVE
                    if (_pending.Contains(def) && !_recursive.Contains(def.Name)) throw Err(s.Tok, $"Unknown operator: `{name}'.");
                    if (def == _current && def.Compiling)
                    {
                        if (!_currentIsFcn && !_recursive.Contains(def.Name)) throw Err(s.Tok, $"Unknown operator: `{name}'.");
                        def.Recursive = true;
                    }
                    if (argSyn.Length == 0 && def.Params.Length > 0)
                        return OpArgFor(sym, name, loc, sc);
                    if (argSyn.Length != def.Params.Length)
                        throw Err(s.Tok, $"The operator {name} requires {def.Params.Length} arguments, but {argSyn.Length} were given.");
                    var args = CompileArgs(argSyn, def.Params.Select(p => p.Arity).ToArray(), sc);
                    // a recursive function definition f[x \in S] == ... f[y] ... has the level of its body apart from f
                    int bodyLvl = def == _current && _currentIsFcn && def.Compiling ? 0 : def.ConstArgsLevel ?? def.Body?.Level ?? 1;
                    int lvl = Math.Max(Max(args), bodyLvl);
                    if (def.Body is null && def.Syntax is not null && ContainsPrime(def.Syntax)) lvl = 2;
                    return new OpCall(def, args) { Loc = loc, Level = lvl };
                }
            case BoundSym b:
                if (b.P is not null && _primeDepth > 0) b.P.NeedsLazy = true;
                if (b.Arity == 0)
                {
                    if (argSyn.Length > 0) throw Err(s.Tok, $"{name} is not an operator");
                    return new BoundRef(b.Slot, name) { Loc = loc, Level = b.P is null || _constParams?.Contains(b.P) == true ? 0 : 1 };
                }
                if (argSyn.Length == 0) return OpArgFor(sym, name, loc, sc);
                if (argSyn.Length != b.Arity) throw Err(s.Tok, $"The operator {name} requires {b.Arity} arguments, but {argSyn.Length} were given.");
                {
                    var args = argSyn.Select(a => Compile(a, sc)).ToArray();
                    return new DynCall(b.Slot, name, args) { Loc = loc, Level = Math.Max(1, Max(args)) };
                }
            case LetSym l:
                {
                    if (_compilingLets.Contains(l.D)) l.D.Recursive = true;
                    if (argSyn.Length == 0 && l.D.Params.Length > 0) return OpArgFor(sym, name, loc, sc);
                    if (argSyn.Length != l.D.Params.Length) throw Err(s.Tok, $"The operator {name} requires {l.D.Params.Length} arguments, but {argSyn.Length} were given.");
                    var args = CompileArgs(argSyn, l.D.Params.Select(p => p.Arity).ToArray(), sc);
                    int bodyLvl = _compilingLets.Contains(l.D) && _letFcns.Contains(l.D) ? 0 : l.D.Body?.Level ?? 1;
                    return new DynCall(l.D.Slot, name, args) { Loc = loc, Level = Math.Max(Max(args), bodyLvl) };
                }
            case BuiltinSym bs:
                {
                    var b = bs.B;
                    if (argSyn.Length == 0 && b.Arity > 0) return OpArgFor(sym, name, loc, sc);
                    if (argSyn.Length != b.Arity) throw Err(s.Tok, $"The operator {name} requires {b.Arity} arguments, but {argSyn.Length} were given.");
                    var arities = b.OpArities ?? HigherOrderArities(b.Name, b.Arity);
                    var args = CompileArgs(argSyn, arities, sc);
                    return MakeBuiltin(b, args, loc);
                }
            case InstSym:
                throw Err(s.Tok, $"{name} is a module instance; use {name}!Op");
        }
        throw Err(s.Tok, $"cannot use {name} here");
    }

    private static bool ContainsPrime(Syn s) => s.Kind is SK.Prime or SK.Unchanged or SK.BoxAct or SK.AngleAct || s.Kids.Any(ContainsPrime);

    private static int[] HigherOrderArities(string name, int arity) => name switch
    {
        "SelectSeq" => [0, 1],
        "SortSeq" => [0, 2],
        "BagOfAll" => [1, 0],
        _ => new int[arity],
    };

    private Node MakeBuiltin(Builtin b, Node[] args, Loc loc)
    {
        int lvl = b.Constant ? Max(args) : Math.Max(1, Max(args));
        var n = new BuiltinCall(b, args) { Loc = loc, Level = lvl };
        if (b.Constant && args.All(a => a is Lit))
        {
            try { return new Lit(n.Eval(new Ctx(_spec), null)) { Loc = loc }; }
            catch (EvalError) { /* reported at run time, where TLC reports it */ }
        }
        return b.Constant ? Keep(n, args) : n;
    }

    /// <summary>n, evaluated once (ConstN) when its operands are all Closed; when some are definitions not compiled
    /// yet (Late) and the others Closed, once if they turn out constant (LateConstN).</summary>
    private static Node Keep(Node n, params Node[] operands)
    {
        if (operands.Length == 0) return n;
        if (operands.All(Closed)) return new ConstN(n) { Loc = n.Loc, Level = 0 };
        if (operands.All(o => Closed(o) || Late(o))) return new LateConstN(n, operands) { Loc = n.Loc, Level = n.Level };
        return n;
    }

    /// <summary>A call of a definition without parameters whose body is not compiled yet (a configuration's Op &lt;-
    /// Def is compiled after the modules that use Op), or a LateConstN.</summary>
    private static bool Late(Node n) => n is LateConstN || n is OpCall { Args.Length: 0 } oc && oc.Def.Body is null;

    /// <summary>Whether n's value is the same wherever and whenever it is evaluated: a literal, a constant
    /// definition without parameters (OpCall evaluates it once, OpDef.CallConst), or a ConstN. Bound variables
    /// have level 0 too, so the level alone does not say it.</summary>
    private static bool Closed(Node n) => n switch
    {
        Lit or ConstN => true,
        OpCall { Args.Length: 0 } oc => oc.Def.Body is { Level: 0 } && !oc.Def.Recursive,
        _ => false,
    };

    private Node[] CompileArgs(Syn[] argSyn, int[] arities, Scope sc)
    {
        var res = new Node[argSyn.Length];
        for (int i = 0; i < argSyn.Length; i++)
        {
            var a = argSyn[i];
            if (arities[i] > 0)
            {
                if (a.Kind == SK.Lambda)
                {
                    var ps = (List<string>)a.Extra!;
                    if (ps.Count != arities[i]) throw Err(a.Tok, $"LAMBDA has {ps.Count} parameters but {arities[i]} are expected");
                    var inner = new Scope(sc);
                    var slots = ps.Select(_ => new object()).ToArray();
                    for (int j = 0; j < ps.Count; j++) inner.Map[ps[j]] = new BoundSym(slots[j], ps[j], 0, null);
                    var body = Compile(a.Kids[0], inner);
                    res[i] = new OpArgN("LAMBDA", ps.Count, (c, e) => (c2, vals) =>
                    {
                        var e2 = e;
                        for (int j = 0; j < slots.Length; j++) e2 = new Env(slots[j], vals[j], e2);
                        return body.Eval(c2, e2);
                    }) { Loc = L(a.Tok), Level = 1 };
                    continue;
                }
                if (a.Kind == SK.OpRef)
                {
                    var sym = OpSymbol(a.Name!, sc) ?? throw Err(a.Tok, $"Unknown operator: `{a.Name}'.");
                    res[i] = OpArgFor(sym, a.Name!, L(a.Tok), sc);
                    continue;
                }
                if (a.Kind == SK.Ident && a.Kids.Length == 0)
                {
                    var sym = sc.Find(a.Name!) ?? throw Err(a.Tok, $"Unknown operator: `{a.Name}'.");
                    res[i] = OpArgFor(sym, a.Name!, L(a.Tok), sc);
                    continue;
                }
                throw Err(a.Tok, "expected an operator argument (a name or LAMBDA)");
            }
            if (a.Kind == SK.Lambda) throw Err(a.Tok, "LAMBDA passed where a value is expected");
            res[i] = Compile(a, sc);
        }
        return res;
    }

    private Sym? OpSymbol(string op, Scope sc) => sc.Find(op) ?? (Core.TryGetValue(op, out var b) ? new BuiltinSym(b) : null);

    private Node OpArgFor(Sym sym, string name, Loc loc, Scope sc)
    {
        switch (sym)
        {
            case DefSym d:
                {
                    var def = d.D;
                    return new OpArgN(name, def.Params.Length, (c, e) => (c2, vals) =>
                    {
                        Env? ne = null;
                        for (int i = 0; i < vals.Length; i++) ne = new Env(def.Params[i].Slot, vals[i], ne);
                        return def.Body!.Eval(c2, ne);
                    }) { Loc = loc, Level = 1 };
                }
            case BuiltinSym b:
                return new OpArgN(name, b.B.Arity, (c, e) => (c2, vals) => { if (!b.B.Constant) c2.Effects++; return b.B.Fn(c2, vals); }) { Loc = loc, Level = 1 };
            case LetSym l:
                return new OpArgN(name, l.D.Params.Length, (c, e) =>
                {
                    var cl = (Closure)Env.Lookup(e, l.D.Slot);
                    return (c2, vals) => cl.Call(c2, vals);
                }) { Loc = loc, Level = 1 };
            case BoundSym bs when bs.Arity > 0:
                return new OpArgN(name, bs.Arity, (c, e) =>
                {
                    var op = (OpV)Env.Lookup(e, bs.Slot);
                    return (c2, vals) => op.Apply(c2, vals);
                }) { Loc = loc, Level = 1 };
        }
        throw new TlaError(loc.File, loc.Line, loc.Col, $"{name} cannot be passed as an operator argument");
    }

    private Node CompileOpApp(Syn s, Scope sc)
    {
        var loc = LS(s);
        string op = s.Name!;
        switch (op)
        {
            case "/\\":
                {
                    var items = new List<Node>();
                    foreach (var k in s.Kids)
                    {
                        var n = Compile(k, sc);
                        if (n is AndN a) items.AddRange(a.Items); else items.Add(n);
                    }
                    return new AndN(items.ToArray()) { Loc = loc, Level = Max(items.ToArray()) };
                }
            case "\\/":
                {
                    var items = new List<Node>();
                    foreach (var k in s.Kids)
                    {
                        var n = Compile(k, sc);
                        if (n is OrN a) items.AddRange(a.Items); else items.Add(n);
                    }
                    return new OrN(items.ToArray()) { Loc = loc, Level = Max(items.ToArray()) };
                }
            case "~":
                {
                    var a = Compile(s.Kids[0], sc);
                    return new NotN(a) { Loc = loc, Level = a.Level };
                }
            case "=>":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new ImpliesN(a, b) { Loc = loc, Level = Max(a, b) };
                }
            case "<=>":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new EquivN(a, b) { Loc = loc, Level = Max(a, b) };
                }
            case "~>":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new TemporalN("~>", [a, b]) { Loc = loc, Level = 3 };
                }
            case "=" or "/=":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new EqN(a, b, op == "/=") { Loc = loc, Level = Max(a, b) };
                }
            case "\\in" or "\\notin":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new InN(a, b, op == "\\notin") { Loc = loc, Level = Max(a, b) };
                }
            case "\\cdot":
                {
                    var a = Compile(s.Kids[0], sc); var b = Compile(s.Kids[1], sc);
                    return new CdotN(a, b) { Loc = loc, Level = 2 };
                }
            case "-+->":
                throw Err(s.Tok, "unsupported construct: -+->");
        }
        var sym = sc.Find(op);
        if (sym is null && Core.TryGetValue(op, out var core)) sym = new BuiltinSym(core);
        if (sym is null) throw Err(s.Tok, $"Unknown operator: `{op}'." + (KnownModuleOf(op) is { } m ? $" (EXTENDS {m} is missing)" : ""));
        var fake = new Syn(SK.Ident, s.Tok, op, s.Kids) { Start = s.Start, End = s.End };
        return CompileSymRef(sym, fake, s.Kids, sc);
    }

    private static string? KnownModuleOf(string op)
    {
        foreach (var (m, ops) in Builtins.Modules) if (ops.ContainsKey(op)) return m;
        return null;
    }

    // ------------------------------------------------------------------ TLA+ core operators

    private static Dictionary<string, Builtin> BuildCore()
    {
        var d = new Dictionary<string, Builtin>();
        static SetBase S(Value v, string op) => v is SetBase s ? s : throw new EvalError($"The argument of {op} should be a set, but instead it is: {v.KindName} {Node.Trunc(v)}");
        // as TLC's Tool (OPCODE_cup/cap/setdiff): enumerated sets and intervals (TLC's Reducible values) are combined
        // at once, anything else is kept as an unevaluated set whose membership asks the operands
        static bool Reducible(SetBase s) => s is SetV or IntervalV;
        d["\\cup"] = Builtin.Binary("\\cup", (_, a0, a1) =>
        {
            var x = S(a0, "\\cup"); var y = S(a1, "\\cup");
            if (!Reducible(x) && !Reducible(y)) return new CupV(x, y); // in this order: x's membership is asked first
            if (!Reducible(x)) (x, y) = (y, x);
            if (x.Size == 0) return y;
            if (!Reducible(y)) return new CupV(x, y);
            return SetV.Union(x.Normalize(), y.Normalize());
        });
        d["\\cap"] = Builtin.Binary("\\cap", (_, a0, a1) =>
        {
            var x = S(a0, "\\cap"); var y = S(a1, "\\cap");
            if (!Reducible(x) && !Reducible(y)) return new CapV(x, y);
            if (!Reducible(x)) (x, y) = (y, x);
            return Keep(x.Normalize().Elems, y, true);
        });
        d["\\"] = Builtin.Binary("\\", (_, a0, a1) =>
        {
            var x = S(a0, "\\"); var y = S(a1, "\\");
            if (!Reducible(x)) return new DiffV(x, y);
            return Keep(x.Normalize().Elems, y, false);
        });
        // the elements of xs (sorted, distinct) that are in y (in: true) or not in y: a loop, not LINQ, asking
        // y about each element once and in order, as Where did
        static SetV Keep(Value[] xs, SetBase y, bool @in)
        {
            int n = xs.Length, kept = 0;
            Span<bool> keep = n <= 256 ? stackalloc bool[n] : new bool[n];
            for (int i = 0; i < n; i++)
                if (keep[i] = y.Contains(xs[i]) == @in) kept++;
            if (kept == 0) return SetV.Empty;
            var r = new Value[kept];
            for (int i = 0, k = 0; i < n; i++) if (keep[i]) r[k++] = xs[i];
            return new SetV(r, true);
        }
        d["\\subseteq"] = new("\\subseteq", 2, (_, a) =>
        {
            var x = S(a[0], "\\subseteq"); var y = S(a[1], "\\subseteq");
            return BoolV.Of(x.Elements().All(y.Contains));
        });
        // \subset and \supset are not built into TLA+: SANY refuses them unless the spec defines them
        // ("Could not find declaration or definition of symbol '\subset'")
        d["\\supseteq"] = new("\\supseteq", 2, (c, a) => d["\\subseteq"].Fn(c, [a[1], a[0]]));
        d["SUBSET"] = new("SUBSET", 1, (_, a) => new SubsetV(S(a[0], "SUBSET")));
        d["UNION"] = new("UNION", 1, (_, a) =>
        {
            var outer = S(a[0], "UNION");
            return new UnionV(outer, outer.Elements().Select(x => S(x, "UNION")).ToArray());
        });
        d["DOMAIN"] = new("DOMAIN", 1, (_, a) => a[0] is FcnBase f ? (f is LazyFcnV l ? l.Dom : f.Domain()) : throw new EvalError($"Attempted to compute the domain of {a[0].KindName} {Node.Trunc(a[0])}"));
        return d;
    }
}
