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
                    if (!scope.Add(d.Name))
                        throw new TlaError(m.File, d.Tok.Line, d.Tok.Col, d.FcnBounds is not null
                            ? $"Function name `{d.Name}' already defined or declared."
                            : $"Operator {d.Name} already defined or declared.");
                    if (!d.Local) exports.Add(d.Name);
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
}
