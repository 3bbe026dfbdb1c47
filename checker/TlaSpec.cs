namespace NotifierSpec.Checker;

/// <summary>Finds, parses and caches modules EXTENDed or INSTANCEd from the spec's folder.</summary>
public sealed class ModuleLoader(string dir, Interner interner)
{
    private readonly Dictionary<string, ModuleSyn> _cache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loading = [];

    public ModuleSyn Parse(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new TlaError(path, 1, 1, $"cannot read {path}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw new TlaError(path, 1, 1, $"cannot read {path}: {e.Message}"); }
        var p = new Parser(path, text);
        // TLC orders strings by UniqueString creation: SANY interns identifiers when it parses a module, string
        // literals only in semantic analysis (the compiler, dependencies first); see Spec.Load
        foreach (var t in p.Tokens) if (t.Kind is Tk.Ident) interner.Token(t.Text);
        var m = p.ParseModule();
        var expected = Path.GetFileNameWithoutExtension(path);
        if (m.Name != expected) throw new TlaError(path, 1, 1, $"the module is named {m.Name} but its file is {Path.GetFileName(path)}");
        return m;
    }

    // the spec's folder first, then its parent (models/ next to the modules they extend), then TLA_LIB
    private List<string> SearchDirs()
    {
        var dirs = new List<string> { dir };
        if (Directory.GetParent(dir) is { } parent) dirs.Add(parent.FullName);
        if (Environment.GetEnvironmentVariable("TLA_LIB") is { Length: > 0 } lib) dirs.AddRange(lib.Split(':', StringSplitOptions.RemoveEmptyEntries));
        return dirs;
    }

    private string? FindFile(string name, List<string> dirs) => dirs.Select(d => Path.Combine(d, name + ".tla")).FirstOrDefault(File.Exists);

    /// <summary>The module is implemented natively (checker/evaluation/Builtins.cs): a standard module, or a community module
    /// (checker/evaluation/Community.cs) that no file on the search path provides.</summary>
    public bool IsNative(string name) => Builtins.IsStandard(name) || Builtins.IsCommunity(name) && !_cache.ContainsKey(name) && FindFile(name, SearchDirs()) is null;

    /// <summary>A module already parsed by Load, if any.</summary>
    public ModuleSyn? Loaded(string name) => _cache.TryGetValue(name, out var m) ? m : null;

    /// <summary>The files of the modules loaded so far (EXTENDS and INSTANCE), in name order.</summary>
    public IEnumerable<string> Files => _cache.Values.Select(m => m.File).Order(StringComparer.Ordinal);

    public ModuleSyn Load(string name, string fromFile, Token tok)
    {
        if (_cache.TryGetValue(name, out var m)) return m;
        var dirs = SearchDirs();
        var path = FindFile(name, dirs);
        if (path is null) throw new TlaError(fromFile, tok.Line, tok.Col, $"Cannot find source file for module {name} (looked in {string.Join(", ", dirs)})");
        if (!_loading.Add(name)) throw new TlaError(fromFile, tok.Line, tok.Col, $"circular dependency on module {name}");
        m = Parse(path);
        _loading.Remove(name);
        _cache[name] = m;
        return m;
    }

    /// <summary>Parses every module m depends on (EXTENDS, then INSTANCE in order of appearance, depth first) before
    /// any is compiled, as SANY parses the whole specification before its semantic analysis.
    /// A module that depends on itself through EXTENDS or INSTANCE is SANY's "Circular dependency among .tla files;
    /// dependency cycle is: M.tla --> N.tla --> M.tla", here at the EXTENDS or INSTANCE that closes the cycle.</summary>
    public void LoadDependencies(ModuleSyn m, HashSet<string>? seen = null, List<string>? path = null)
    {
        seen ??= [m.Name];
        path ??= [m.Name];
        var deps = m.Extends.Select(e => (e.Name, e.Tok)).ToList();
        foreach (var u in m.Units)
            if (u is InstanceSyn i) deps.Add((i.Module, i.Tok));
            else if (u is DefSyn { Instance: { } di }) deps.Add((di.Module, di.Tok));
        foreach (var (name, tok) in deps)
        {
            if (path.IndexOf(name) is var at and >= 0)
                throw new TlaError(m.File, tok.Line, tok.Col, "Circular dependency among .tla files; dependency cycle is: "
                    + string.Join(" --> ", path.Skip(at).Append(name).Select(n => n + ".tla")));
            if (IsNative(name) || !seen.Add(name)) continue;
            path.Add(name);
            LoadDependencies(Load(name, m.File, tok), seen, path);
            path.RemoveAt(path.Count - 1);
        }
    }
}

public sealed record ActionDef(string Name, OpDef? Def, Node Node, Env? Env, int Index)
{
    /// <summary>What the enumerator runs: Node in Env, or, for an operator applied to values of the split
    /// (ncs(self) in p(self) of tlaplus/Examples Boulanger), its body with the parameters bound once, as the
    /// enumerator would bind them in every state.</summary>
    public Node Run { get; init; } = Node;
    public Env? RunEnv { get; init; } = Env;
    public string Describe => $"<{Name} line {Node.Loc.Line}, col {Node.Loc.Col} to line {Node.Loc.EndLine}, col {Node.Loc.EndCol} of module {Node.Loc.Module}>";
}

public sealed record NamedPred(string Name, Node Node, Loc Loc);

/// <summary>A loaded, compiled spec with its model configuration.</summary>
public sealed class TlaSpec
{
    public Interner Interner { get; } = new();
    public TextWriter Out { get; set; } = TextWriter.Null;
    public List<string> Vars { get; } = [];
    public List<Loc> VarLocs { get; } = [];
    public List<(Node Expr, Loc Loc)> Assumes { get; } = [];
    public Dictionary<string, Sym> Overrides { get; } = new(StringComparer.Ordinal);
    public Config Config { get; private set; } = null!;
    public ModuleScope Root { get; private set; } = null!;
    public string RootName => Root.Name;
    public string File { get; private set; } = "";
    /// <summary>The files of the modules the root module loads (EXTENDS, INSTANCE), not the root's own.</summary>
    public IReadOnlyList<string> ModuleFiles { get; private set; } = [];

    public Node Init { get; private set; } = null!;
    public Node Next { get; private set; } = null!;
    public List<ActionDef> Actions { get; } = [];
    public List<NamedPred> Invariants { get; } = [];
    /// <summary>POSTCONDITION: evaluated without a state after a search that found no error; false is TLC's
    /// "Postcondition P at ... is false." with the assumption exit code (tlc2/tool/impl/Tool.java, checkPostCondition).</summary>
    public List<NamedPred> PostConditions { get; } = [];
    public List<NamedPred> Constraints { get; } = [];
    public List<NamedPred> ActionConstraints { get; } = [];
    /// <summary>Action properties [][A]_v from PROPERTY, checked on every transition.</summary>
    public List<NamedPred> ActionProps { get; } = [];
    /// <summary>State properties []P from PROPERTY, checked on every state.</summary>
    public List<NamedPred> StateProps { get; } = [];
    /// <summary>State predicates in PROPERTY: they must hold in every initial state.</summary>
    public List<NamedPred> InitProps { get; } = [];
    /// <summary>No INIT/NEXT/SPECIFICATION: only the assumptions are checked.</summary>
    public bool NoBehavior { get; private set; }
    /// <summary>Other temporal properties (liveness), with the fairness conjuncts of the spec.</summary>
    public List<NamedPred> Liveness { get; } = [];
    public List<Node> FairnessNodes { get; } = [];
    public List<Fairness> FairnessList { get; private set; } = [];
    /// <summary>Temporal conjuncts of the SPECIFICATION other than WF/SF: assumed by every PROPERTY conjunct.</summary>
    public List<Assumption> Assumptions { get; } = [];
    public Node? View { get; private set; }
    public Node? Alias { get; private set; }
    public Node? Symmetry { get; private set; }
    public bool CheckDeadlock { get; set; } = true;

    private readonly Dictionary<string, Value> _tlcRegs = [];
    private readonly List<(OpDef Proxy, string Target, CfgPos Pos)> _proxies = [];

    /// <summary>TLCGet("config") while a model is checked: the record TLC's breadth-first checker gives
    /// (tlc2/tool/AbstractChecker.java, createConfig): mode, deadlock, worker. TLC's seed, fingerprint and install
    /// fields name its random seed, fingerprint polynomial and jar: this checker has none of them, so they are absent.</summary>
    private Value? _runConfig;

    /// <summary>Called by the checker before the assumptions are evaluated.</summary>
    public void SetRunConfig(int workers, bool checkDeadlock)
    {
        var f = new (string Name, Value V)[] { ("mode", Interner.Str("bfs")), ("deadlock", BoolV.Of(checkDeadlock)), ("worker", IntV.Of(workers)) };
        var ordered = f.Select(x => (K: Interner.Str(x.Name), x.V)).OrderBy(x => x.K.Tok).ToArray();
        _runConfig = FcnBase.Make(ordered.Select(x => (Value)x.K).ToArray(), ordered.Select(x => x.V).ToArray());
    }

    public Value TlcGet(Ctx c, Value key)
    {
        if (key is StrV { S: "level" }) return IntV.Of(c.InInit ? 0 : c.Level);
        if (key is StrV { S: "config" } && _runConfig is { } rc) return rc;
        // TLC gives the Java system property named after -D, or the key itself when it is unset
        // (tlc2/module/TLCGetSet.java); this checker composes actions as TLC with -Dtlc2.tool.impl.Tool.cdot=true
        if (key is StrV { S: "-Dtlc2.tool.impl.Tool.cdot" }) return Interner.Str("true");
        if (key is StrV d && d.S.StartsWith("-D", StringComparison.Ordinal)) return d;
        Interner.RequireSerial(); // a register's value: what the states before this one in the serial order set
        lock (_tlcRegs)
        {
            if (key is IntV or StrV && _tlcRegs.TryGetValue(key.ToString(), out var v)) return v;
            if (key is StrV s && s.S is "diameter" or "distinct" or "generated" or "queue" or "duration" or "stats")
                throw new EvalError($"TLCGet(\"{s.S}\") is not supported by this checker");
            throw new EvalError($"TLCGet({key}) has no value");
        }
    }

    public void TlcSet(Value key, Value v)
    {
        lock (_tlcRegs) _tlcRegs[key.ToString()] = v;
    }

    private Value CfgToValue(CfgVal v) => v switch
    {
        CfgInt i => IntV.Of(i.N),
        CfgStr s => Interner.Str(s.S),
        CfgBool b => BoolV.Of(b.B),
        CfgModel m => ModelValue(m.Name),
        CfgSet s => new SetV(s.Elems.Select(CfgToValue).ToArray()),
        CfgTuple t => new TupleV(t.Elems.Select(CfgToValue).ToArray()),
        _ => throw new InvalidOperationException(),
    };

    private readonly Dictionary<string, ModelV> _models = [];
    public ModelV ModelValue(string name)
    {
        if (_models.TryGetValue(name, out var m)) return m;
        Interner.RequireSerial(); // TLCModelValue("x") during the search: made (and its token given) in the serial order
        _models[name] = m = new ModelV(name, Interner.Token(name));
        return m;
    }

    private readonly Dictionary<string, (string Target, CfgPos Pos)> _subs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Module, string Name), (string Target, CfgPos Pos)> _scopedSubs = [];
    private readonly Dictionary<(string Module, string Name), Sym> _scopedOverrides = [];

    /// <summary>The configuration's replacement for a constant, definition or built-in operator of the given arity, if any.</summary>
    internal Sym? OverrideFor(string name, int arity)
    {
        if (Overrides.TryGetValue(name, out var s)) return s;
        if (!_subs.TryGetValue(name, out var sub)) return null;
        var sym = Proxy(name, arity, sub.Target, sub.Pos);
        Overrides[name] = sym;
        return sym;
    }

    /// <summary>The replacement for the definition name of module (Name &lt;- [module]Target), then, outside an
    /// INSTANCE (instanced false), an unscoped one.</summary>
    internal Sym? OverrideFor(string name, int arity, string module, bool instanced)
    {
        if (_scopedOverrides.TryGetValue((module, name), out var s)) return s;
        if (_scopedSubs.TryGetValue((module, name), out var sub)) return _scopedOverrides[(module, name)] = Proxy(name, arity, sub.Target, sub.Pos);
        return instanced ? null : OverrideFor(name, arity);
    }

    private readonly Dictionary<string, Sym> _builtinOverrides = new(StringComparer.Ordinal);

    /// <summary>The replacement for a standard module's operator: Op &lt;- Def, or Op &lt;- [M]Def for the module M
    /// that extends or instances the standard module. The operator is one definition wherever its module is
    /// used, so TLC's override replaces it everywhere (Examples MCLeastCircularSubstring: Nat &lt;- [ZSequences]ZSeqNat,
    /// ZSequences having LOCAL INSTANCE Naturals).</summary>
    internal Sym? BuiltinOverrideFor(string name, int arity)
    {
        if (OverrideFor(name, arity) is { } s) return s;
        if (_builtinOverrides.TryGetValue(name, out var b)) return b;
        foreach (var ((_, n), sub) in _scopedSubs.OrderBy(kv => kv.Key.Module, StringComparer.Ordinal))
            if (n == name) return _builtinOverrides[name] = Proxy(name, arity, sub.Target, sub.Pos);
        return null;
    }

    private DefSym Proxy(string name, int arity, string target, CfgPos pos)
    {
        var proxy = new OpDef(name, Enumerable.Range(0, arity).Select(i => new ParamInfo($"_{i}", 0)).ToArray(), new Loc(pos.File, "cfg", pos.Line, pos.Col));
        _proxies.Add((proxy, target, pos));
        return new DefSym(proxy);
    }

    internal Sym ConstantSym(string name, int arity, Token tok, string file, Compiler c)
        => OverrideFor(name, arity) ?? new MissingConstSym(name, tok, file);

    /// <summary>Settings IOEnv reports before the process environment (trace validation passes the trace's path here).</summary>
    public IReadOnlyDictionary<string, string> Env { get; private init; } = new Dictionary<string, string>();

    /// <summary>Parses, compiles and sets up on a thread with a deep stack (DeepStack): deeply nested expressions
    /// are compiled, never a .NET stack overflow.</summary>
    public static TlaSpec Load(string tlaPath, string? cfgPath, TextWriter? output = null, IReadOnlyDictionary<string, string>? env = null)
        => DeepStack.Run(() => LoadOnThisThread(tlaPath, cfgPath, output, env));

    private static TlaSpec LoadOnThisThread(string tlaPath, string? cfgPath, TextWriter? output, IReadOnlyDictionary<string, string>? env)
    {
        var spec = new TlaSpec { Out = output ?? TextWriter.Null, File = tlaPath, Env = env ?? new Dictionary<string, string>() };
        cfgPath ??= Path.ChangeExtension(tlaPath, ".cfg");
        if (!System.IO.File.Exists(tlaPath)) throw new TlaError(tlaPath, 1, 1, $"spec file {tlaPath} not found");
        if (!System.IO.File.Exists(cfgPath)) throw new TlaError(cfgPath, 1, 1, $"configuration file {cfgPath} not found", true);
        var loader = new ModuleLoader(Path.GetDirectoryName(Path.GetFullPath(tlaPath))!, spec.Interner);
        // TLC parses the configuration before the spec: its strings and model values come first in string order
        var cfg = Config.Parse(cfgPath, System.IO.File.ReadAllText(cfgPath));
        spec.Config = cfg;
        foreach (var (n, v, pos) in cfg.Values)
        {
            try { spec.Overrides[n] = new NodeSym(new Lit(spec.CfgToValue(v)) { Loc = new Loc(pos.File, "cfg", pos.Line, pos.Col) }); }
            catch (EvalError e) { throw new TlaError(pos.File, pos.Line, pos.Col, e.Message, true); }
        }
        foreach (var (n, v, pos, module) in cfg.ScopedValues)
        {
            try { spec._scopedOverrides[(module, n)] = new NodeSym(new Lit(spec.CfgToValue(v)) { Loc = new Loc(pos.File, "cfg", pos.Line, pos.Col) }); }
            catch (EvalError e) { throw new TlaError(pos.File, pos.Line, pos.Col, e.Message, true); }
        }
        foreach (var (n, target, pos, module) in cfg.Subs)
        {
            if (module is null) spec._subs[n] = (target, pos);
            else spec._scopedSubs[(module, n)] = (target, pos);
        }
        var root = loader.Parse(tlaPath);
        loader.LoadDependencies(root);
        spec.ModuleFiles = [.. loader.Files.Where(f => f != root.File)];
        Definitions.CheckUnique(root, loader);
        var compiler = new Compiler(spec, loader);
        spec.Root = compiler.CompileModule(root, null, null);
        spec.CheckSubstitutions(cfg, root, loader);
        spec.FixProxies();
        spec.Setup(cfg);
        return spec;
    }

    /// <summary>TLC's checks of the configuration's Name &lt;- Target and Name &lt;- [M]Target
    /// (tlc2/tool/impl/SpecProcessor.processConstantDefns): Name must be a constant or definition of the spec
    /// ("In the configuration file, the identifier M does not appear in the specification."); in Name &lt;- [M]Target
    /// M must be a module of the spec; Target must be defined.</summary>
    private void CheckSubstitutions(Config cfg, ModuleSyn root, ModuleLoader loader)
    {
        foreach (var (name, target, pos, module) in cfg.Subs)
        {
            if (module is null)
            {
                if (Root.Top.Find(name) is null or VarSym)
                    throw new TlaError(pos.File, pos.Line, pos.Col, $"In the configuration file, the identifier {name} does not appear in the specification.", true);
            }
            else if (!loader.IsNative(module))
            {
                // (whether module defines name, also through its EXTENDS and INSTANCEs, is left to the proxy)
                if (module != root.Name && loader.Loaded(module) is null)
                    throw new TlaError(pos.File, pos.Line, pos.Col, $"In the configuration file, the module name {module} is not a module in the specification.", true);
            }
            if (Root.Top.Find(target) is null)
                throw new TlaError(pos.File, pos.Line, pos.Col, $"The configuration file substitutes for {name} with the undefined identifier {target}.", true);
        }
    }

    private void FixProxies()
    {
        foreach (var (proxy, target, pos) in _proxies)
        {
            var sym = Root.Top.Find(target);
            if (sym is not DefSym d) throw new TlaError(pos.File, pos.Line, pos.Col, $"{proxy.Name} <- {target}: {target} is not an operator defined in the spec", true);
            var real = d.D;
            if (real.Params.Length != proxy.Params.Length)
                throw new TlaError(pos.File, pos.Line, pos.Col, $"{proxy.Name} <- {target}: {proxy.Name} takes {proxy.Params.Length} arguments but {target} takes {real.Params.Length}", true);
            if (real.Params.Any(p => p.Arity > 0))
                throw new TlaError(pos.File, pos.Line, pos.Col, $"unsupported: substituting {target}, which takes operator arguments, for {proxy.Name}", true);
            proxy.Body = real.Params.Length == 0 ? real.Body
                : new OpCall(real, proxy.Params.Select(p => (Node)new BoundRef(p.Slot, p.Name) { Loc = real.Loc, Level = 1 }).ToArray()) { Loc = real.Loc, Level = Math.Max(1, real.Body?.Level ?? 1) };
            proxy.BodyStart = real.BodyStart; proxy.EndLoc = real.EndLoc;
        }
    }

    private OpDef DefOf((string Name, CfgPos Pos) r)
    {
        var sym = Root.Top.Find(r.Name);
        if (sym is DefSym d) return d.D;
        throw new TlaError(r.Pos.File, r.Pos.Line, r.Pos.Col, sym is null ? $"The operator {r.Name} named in the configuration is not defined in the spec" : $"{r.Name} (named in the configuration) is not an operator definition", true);
    }

    private NamedPred Pred((string Name, CfgPos Pos) r, string what, int maxLevel, int arity = 0)
    {
        var d = DefOf(r);
        if (d.Params.Length != arity) throw new TlaError(r.Pos.File, r.Pos.Line, r.Pos.Col, $"The {what} {r.Name} must be an operator without arguments", true);
        if (d.Body!.Level > maxLevel)
            throw new TlaError(r.Pos.File, r.Pos.Line, r.Pos.Col, $"The {what} {r.Name} is not a {(maxLevel <= 1 ? "state predicate" : "action")}", true);
        return new NamedPred(r.Name, new OpCall(d, []) { Loc = d.Loc, Level = d.Body.Level }, d.Loc);
    }

    private void Setup(Config cfg)
    {
        if (cfg.Specification is { } sp)
        {
            if (cfg.Init is not null || cfg.Next is not null)
                throw new TlaError(sp.Pos.File, sp.Pos.Line, sp.Pos.Col, "SPECIFICATION cannot be combined with INIT/NEXT", true);
            var d = DefOf(sp);
            var inits = new List<Node>();
            Node? next = null;
            foreach (var conj in Conjuncts(new OpCall(d, []) { Loc = d.Loc, Level = 3 }))
            {
                if (conj.Level <= 1) { inits.Add(conj); continue; }
                if (conj is TemporalN { Op: "[]" } box && box.Kids[0] is BoxActN { Angle: false } ba)
                {
                    if (next is not null) throw new TlaError(sp.Pos.File, sp.Pos.Line, sp.Pos.Col, "unsupported: the specification has several [][A]_v conjuncts", true);
                    next = ba.A;
                    continue;
                }
                if (conj is TemporalN { Op: "WF" or "SF" } || conj is QuantN { All: true, Level: 3 }) { FairnessNodes.Add(conj); continue; }
                if (conj is TemporalN { Op: "[]" } box2 && box2.Kids[0].Level <= 1) { inits.Add(conj); continue; }
                // any other temporal conjunct (e.g. <>[][A]_v, []<>P): an assumption of every PROPERTY (see FairnessOf)
                if (conj.Level == 3) { FairnessNodes.Add(conj); continue; }
                throw new TlaError(conj.Loc.File, conj.Loc.Line, conj.Loc.Col, "unsupported construct in SPECIFICATION: expected Init /\\ [][Next]_vars /\\ WF_vars(A) /\\ SF_vars(A)", false);
            }
            if (next is null) throw new TlaError(sp.Pos.File, sp.Pos.Line, sp.Pos.Col, $"the specification {sp.Name} has no [][Next]_vars conjunct", true);
            Init = inits.Count == 1 ? inits[0] : new AndN(inits.ToArray()) { Loc = d.Loc, Level = 1 };
            Next = next;
        }
        else
        {
            // TLC (SpecProcessor.processSpec): without INIT, a spec with variables, invariants or properties is refused
            if (cfg.Init is null && (Vars.Count > 0 || cfg.Invariants.Count > 0 || cfg.Properties.Count > 0))
                throw new TlaError(cfg.File, 1, 1, "The configuration file did not specify the initial state predicate.", true);
            if (cfg.Init is null && cfg.Next is null)
            {
                NoBehavior = true;
                Init = new Lit(BoolV.True) { Loc = new Loc(cfg.File, "cfg", 1, 1) };
                Next = new Lit(BoolV.False) { Loc = Init.Loc };
                return;
            }
            if (cfg.Init is not { } ini) throw new TlaError(cfg.File, 1, 1, "The configuration has NEXT but no INIT", true);
            if (cfg.Next is not { } nxt) throw new TlaError(cfg.File, 1, 1, "The configuration has INIT but no NEXT", true);
            var di = DefOf(ini);
            if (di.Params.Length > 0 || di.Body!.Level > 1) throw new TlaError(ini.Pos.File, ini.Pos.Line, ini.Pos.Col, $"INIT {ini.Name} must be a state predicate without arguments", true);
            Init = new OpCall(di, []) { Loc = di.Loc, Level = di.Body.Level };
            var dn = DefOf(nxt);
            if (dn.Params.Length > 0 || dn.Body!.Level > 2) throw new TlaError(nxt.Pos.File, nxt.Pos.Line, nxt.Pos.Col, $"NEXT {nxt.Name} must be an action without arguments", true);
            Next = new OpCall(dn, []) { Loc = dn.Loc, Level = 2 };
        }
        foreach (var r in cfg.Invariants) Invariants.Add(Pred(r, "invariant", 1));
        foreach (var r in cfg.PostConditions)
        {
            var pc = Pred(r, "postcondition", 1);
            // TLC: "The post condition P cannot be a constant." (a RuntimeException once the search is over)
            if (pc.Node.Level == 0) throw new TlaError(r.Pos.File, r.Pos.Line, r.Pos.Col, $"The post condition {r.Name} cannot be a constant.", true);
            PostConditions.Add(pc);
        }
        foreach (var r in cfg.Constraints) Constraints.Add(Pred(r, "constraint", 1));
        foreach (var r in cfg.ActionConstraints) ActionConstraints.Add(Pred(r, "action constraint", 2));
        foreach (var r in cfg.Properties)
        {
            var d = DefOf(r);
            if (d.Params.Length > 0) throw new TlaError(r.Pos.File, r.Pos.Line, r.Pos.Col, $"The property {r.Name} must be an operator without arguments", true);
            var conjs = Conjuncts(new OpCall(d, []) { Loc = d.Loc, Level = 3 }).ToList();
            foreach (var c in conjs)
            {
                if (c is TemporalN { Op: "[]" } b && b.Kids[0] is BoxActN { Angle: false } ba) { ActionProps.Add(new NamedPred(r.Name, ba, d.Loc)); continue; }
                if (c is TemporalN { Op: "[]" } b2 && b2.Kids[0].Level <= 1)
                {
                    // TLC (SpecProcessor.processConfigProps) checks []P as an invariant, named after P when P is
                    // an operator without arguments
                    StateProps.Add(new NamedPred(b2.Kids[0] is OpCall { Args.Length: 0 } pc ? pc.Def.Name : r.Name, b2.Kids[0], d.Loc));
                    continue;
                }
                // a state predicate (also a definition of one: the PROPERTY's own name has level 3 here) is checked on
                // the initial states, as TLC (SpecProcessor: "impliedInits"), while they are generated
                if (c.Level <= 1 || c is OpCall { Args.Length: 0 } ip && ip.Def.Body is { Level: <= 1 }) { InitProps.Add(new NamedPred(r.Name, c, d.Loc)); continue; }
                Liveness.Add(new NamedPred(r.Name, c, d.Loc));
            }
        }
        if (cfg.View is { } v) { var d = DefOf(v); View = new OpCall(d, []) { Loc = d.Loc, Level = d.Body!.Level }; }
        if (cfg.Alias is { } al)
        {
            var d = DefOf(al);
            Alias = new OpCall(d, []) { Loc = d.Loc, Level = d.Body!.Level };
        }
        if (cfg.Symmetry is { } sy) { var d = DefOf(sy); Symmetry = new OpCall(d, []) { Loc = d.Loc, Level = d.Body!.Level }; }
        if (cfg.CheckDeadlock is { } cd) CheckDeadlock = cd;
        SplitActions();
        var ctx = new Ctx(this);
        try { FairnessList = FairnessNodes.SelectMany(n => LiveChecker.FairnessOf(ctx, n, null, Assumptions)).ToList(); }
        catch (EvalError e) { var w = e.Where ?? Init.Loc; throw new TlaError(w.File, w.Line, w.Col, e.Message); }
    }

    /// <summary>Flattens /\ and zero-argument definitions (for SPECIFICATION and PROPERTY formulas).</summary>
    private static IEnumerable<Node> Conjuncts(Node n)
    {
        if (n is AndN a) { foreach (var i in a.Items) foreach (var x in Conjuncts(i)) yield return x; yield break; }
        if (n is OpCall { Args.Length: 0 } oc && oc.Def.Body is not null && oc.Def.Body.Level >= 2)
        {
            foreach (var x in Conjuncts(oc.Def.Body)) yield return x;
            yield break;
        }
        if (n is OpCall { Args.Length: 0 } oc2 && oc2.Def.Body is AndN) { foreach (var x in Conjuncts(oc2.Def.Body)) yield return x; yield break; }
        yield return n;
    }

    /// <summary>Splits Next into actions as TLC's Tool.getActions does: disjuncts, user-defined operators
    /// applied to constant arguments, LET bodies, and \E over constant sets.</summary>
    private void SplitActions()
    {
        var ctx = new Ctx(this);
        void Split(Node n, Env? e, string name, OpDef? def)
        {
            switch (n)
            {
                case OrN o:
                    foreach (var i in o.Items) Split(i, e, name, def);
                    return;
                case LetN l:
                    Split(l.Body, l.Bind(e), name, def);
                    return;
                case OpCall oc when oc.Def.Body is not null:
                    if (oc.Args.All(a => a.Level == 0))
                    {
                        try
                        {
                            var vals = oc.Args.Select(a => a is OpArgN ? null : a.Eval(ctx, e)).ToArray();
                            Env? ne = null;
                            for (int i = 0; i < vals.Length; i++) ne = new Env(oc.Def.Params[i].Slot, (object?)vals[i] ?? oc.Args[i].Eval(ctx, e), ne);
                            string nm = oc.Def.Name + (vals.Length == 0 ? "" : "(" + string.Join(",", vals.Select(v => v is null ? "_" : Show.V(v))) + ")");
                            Split(oc.Def.Body, ne, nm, oc.Def);
                            return;
                        }
                        catch (EvalError) { }
                    }
                    Actions.Add(Bound(new ActionDef(oc.Def.Name, oc.Def, n, e, Actions.Count), oc, e));
                    return;
                case QuantN { All: false } q when q.Bounds.All(b => b.Set is not null && b.Set.Level == 0):
                    {
                        List<Env?> envs;
                        try { envs = BoundN.All(q.Bounds, ctx, e).ToList(); }
                        catch (EvalError) { break; }
                        if (envs.Count == 0) break;
                        foreach (var e2 in envs) Split(q.Body, e2, name, def);
                        return;
                    }
            }
            Actions.Add(new ActionDef(name, def, n, e, Actions.Count));
        }
        // an operator whose arguments are literals or bound variables the split gave values (its parameters are
        // then values in every state, as Enumerator.E would bind them: a bound variable holding a value, not a Thunk)
        static ActionDef Bound(ActionDef a, OpCall oc, Env? e)
        {
            Env? ne = null;
            for (int i = 0; i < oc.Args.Length; i++)
            {
                object? val = oc.Args[i] switch
                {
                    Lit l => l.V,
                    BoundRef br when e is not null && Lookup(e, br.Slot) is Value v => v,
                    _ => null,
                };
                if (val is null) return a;
                ne = new Env(oc.Def.Params[i].Slot, val, ne);
            }
            return a with { Run = oc.Def.Body!, RunEnv = ne };
        }
        static object? Lookup(Env? e, object key)
        {
            for (; e is not null; e = e.Next) if (ReferenceEquals(e.Key, key)) return e.Val;
            return null;
        }
        if (Next is OpCall top && top.Def.Body is not null) Split(Next, null, top.Def.Name, top.Def);
        else Split(Next, null, "Next", null);
    }
}
