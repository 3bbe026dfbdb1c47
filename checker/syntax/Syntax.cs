namespace NotifierSpec.Checker;

public enum SK
{
    Num, Str, Ident, Inst, OpApp, If, Case, Let, Quant, Choose, SetEnum, SetFilter, SetMap, Tuple, Record, RecordSet,
    FcnCtor, FcnSet, Except, FcnApp, Dot, Prime, Unchanged, BoxAct, AngleAct, Enabled, Always, Eventually, Fair, Lambda, At, Times, OpRef,
}

/// <summary>A syntax-tree node. Meaning of Name/Kids/Extra depends on Kind (see Parser).</summary>
public sealed class Syn(SK kind, Token tok, string? name, Syn[] kids, object? extra = null)
{
    public SK Kind { get; } = kind;
    public Token Tok { get; } = tok;
    public string? Name { get; } = name;
    public Syn[] Kids { get; } = kids;
    public object? Extra { get; } = extra;
    public Token? Start { get; set; }
    public Token? End { get; set; }
}

/// <summary>One bound: names (or a tuple pattern) and an optional set.</summary>
public sealed record Bound(List<string> Names, bool Tuple, Syn? Set, Token Tok)
{
    /// <summary>The token of each name (SANY reports a conflicting bound name at its own position).</summary>
    public List<Token>? NameToks { get; init; }
}

public sealed record PathElem(string? Field, Syn[]? Args);

public sealed record ExceptUpdate(List<PathElem> Path, Syn Value);

public sealed record Param(string Name, int Arity)
{
    /// <summary>The parameter's name token (SANY reports a conflicting parameter there).</summary>
    public Token? Tok { get; init; }
}

public sealed class DefSyn
{
    public required string Name { get; init; }
    public List<Param> Params { get; init; } = [];
    public Syn? Body { get; init; }
    public List<Bound>? FcnBounds { get; init; }
    public InstanceSyn? Instance { get; init; }
    public required Token Tok { get; init; }
    public bool Local { get; init; }
    public Token? EndTok { get; set; }
}

public sealed record InstanceSyn(string Module, List<(string Name, Syn Expr)> Subs, Token Tok, bool Local);

public sealed class ModuleSyn
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public List<(string Name, Token Tok)> Extends { get; } = [];
    public List<(string Name, int Arity, Token Tok)> Constants { get; } = [];
    public List<(string Name, Token Tok)> Variables { get; } = [];
    /// <summary>Units in order: DefSyn, InstanceSyn (unnamed), or Syn (ASSUME).</summary>
    public List<object> Units { get; } = [];
    /// <summary>Names declared by module-level RECURSIVE: they may be used before their definition.</summary>
    public HashSet<string> Recursive { get; } = [];
}
