namespace NotifierSpec.Checker;

/// <summary>
/// SANY's refusal of a second definition of a name already in scope (tla2sany/semantic/Generator.java,
/// processOperator / processFunction: "Operator A already defined or declared.", "Function name `f' already
/// defined or declared."): a module-level definition whose name is a definition or declaration of the same
/// module, of a module it EXTENDS (transitively; not their LOCAL definitions), of a module it INSTANCEs without
/// a name, or an operator of an extended standard module. Runs on the parsed modules before compilation.
/// </summary>
public static class Definitions
{
    public static void CheckUnique(ModuleSyn root, ModuleLoader loader) => Exports(root, loader, new(StringComparer.Ordinal));

    /// <summary>A module's names for a module that extends it (its LOCAL definitions excluded); Decls: the
    /// CONSTANTs and VARIABLEs among them, which an INSTANCE substitutes instead of importing.</summary>
    private sealed record Names(HashSet<string> All, HashSet<string> Decls);

    private static Names Exports(ModuleSyn m, ModuleLoader loader, Dictionary<string, Names> memo)
    {
        if (memo.TryGetValue(m.Name, out var done)) return done;
        memo[m.Name] = new([], []); // a cycle is refused by ModuleLoader.LoadDependencies; this only guards the recursion
        var scope = new HashSet<string>(StringComparer.Ordinal);
        var exports = new HashSet<string>(StringComparer.Ordinal);
        var decls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (ext, tok) in m.Extends)
        {
            var names = Imported(ext, tok, m, loader, memo);
            scope.UnionWith(names.All);
            exports.UnionWith(names.All);
            decls.UnionWith(names.Decls);
        }
        foreach (var (name, _, _) in m.Constants) { scope.Add(name); exports.Add(name); decls.Add(name); }
        foreach (var (name, _) in m.Variables) { scope.Add(name); exports.Add(name); decls.Add(name); }
        foreach (var u in m.Units)
        {
            switch (u)
            {
                case DefSyn d:
                    if (scope.Contains(d.Name))
                        throw new TlaError(m.File, d.Tok.Line, d.Tok.Col, d.FcnBounds is not null
                            ? $"Function name `{d.Name}' already defined or declared."
                            : $"Operator {d.Name} already defined or declared.");
                    new LetCheck(m.File, scope).Def(d);
                    scope.Add(d.Name);
                    if (!d.Local) exports.Add(d.Name);
                    break;
                case Syn assume:
                    new LetCheck(m.File, scope).Walk(assume);
                    break;
                case InstanceSyn i:
                    {
                        var names = Imported(i.Module, i.Tok, m, loader, memo);
                        var defs = names.All.Except(names.Decls);
                        scope.UnionWith(defs);
                        if (!i.Local) exports.UnionWith(defs);
                        break;
                    }
            }
        }
        return memo[m.Name] = new(exports, decls);
    }

    private static Names Imported(string name, Token tok, ModuleSyn from, ModuleLoader loader, Dictionary<string, Names> memo)
    {
        if (loader.IsNative(name))
            return new(new HashSet<string>(Builtins.Closure(name).SelectMany(mod => Builtins.Modules.TryGetValue(mod, out var ops) ? ops.Keys : Enumerable.Empty<string>()), StringComparer.Ordinal), []);
        return Exports(loader.Load(name, from.File, tok), loader, memo);
    }

    /// <summary>A LET definition named like a symbol in scope there (a module-level name defined before, a
    /// parameter, a bound variable, an enclosing LET definition) is SANY's "Operator x already defined or
    /// declared." too. The names in scope are counted, as a bound name may repeat one (the compiler refuses that).</summary>
    private sealed class LetCheck(string file, HashSet<string> module)
    {
        private readonly Dictionary<string, int> _local = new(StringComparer.Ordinal);

        private bool InScope(string n) => module.Contains(n) || _local.GetValueOrDefault(n) > 0;
        private void Add(string n) => _local[n] = _local.GetValueOrDefault(n) + 1;
        private void Remove(string n) => _local[n]--;

        public void Def(DefSyn d)
        {
            foreach (var b in d.FcnBounds ?? []) if (b.Set is not null) Walk(b.Set);
            var names = d.Params.Select(p => p.Name).Concat((d.FcnBounds ?? []).SelectMany(b => b.Names)).ToList();
            foreach (var n in names) Add(n);
            if (d.Body is not null) Walk(d.Body);
            foreach (var n in names) Remove(n);
        }

        private void Bound(IEnumerable<Bound> bs, Syn body)
        {
            var list = bs.ToList();
            foreach (var b in list) if (b.Set is not null) Walk(b.Set);
            foreach (var b in list) foreach (var n in b.Names) Add(n);
            Walk(body);
            foreach (var b in list) foreach (var n in b.Names) Remove(n);
        }

        public void Walk(Syn s)
        {
            switch (s.Extra)
            {
                case List<DefSyn> defs when s.Kind == SK.Let:
                    {
                        var added = new List<string>();
                        foreach (var d in defs)
                        {
                            if (InScope(d.Name))
                                throw new TlaError(file, d.Tok.Line, d.Tok.Col, d.FcnBounds is not null
                                    ? $"Function name `{d.Name}' already defined or declared."
                                    : $"Operator {d.Name} already defined or declared.");
                            Def(d);
                            Add(d.Name);
                            added.Add(d.Name);
                        }
                        Walk(s.Kids[0]);
                        foreach (var n in added) Remove(n);
                        return;
                    }
                case List<Bound> bs when s.Kind is SK.Quant or SK.SetMap or SK.FcnCtor:
                    Bound(bs, s.Kids[0]);
                    return;
                case Bound b when s.Kind is SK.Choose or SK.SetFilter:
                    Bound([b], s.Kids[0]);
                    return;
                case List<string> ps when s.Kind == SK.Lambda:
                    foreach (var n in ps) Add(n);
                    Walk(s.Kids[0]);
                    foreach (var n in ps) Remove(n);
                    return;
                case List<ExceptUpdate> us:
                    foreach (var u in us) { Walk(u.Value); foreach (var pe in u.Path) foreach (var a in pe.Args ?? []) Walk(a); }
                    break;
            }
            foreach (var k in s.Kids) Walk(k);
        }
    }
}
