using Microsoft.Z3;

namespace NotifierSpec.Spec;

/// <summary>The sorts of the encoding: uninterpreted pages, frames, devices (mirrors) and
/// invalidations (one struct mmu_notifier_range each), plus two finite enumerations.</summary>
public sealed class Sorts
{
    public required Sort Page { get; init; }
    public required Sort Frame { get; init; }
    public required Sort Dev { get; init; }
    public required Sort Inv { get; init; }
    public required EnumSort Phase { get; init; }
    public required EnumSort Event { get; init; }
    public required BoolSort Bool { get; init; }
}

/// <summary>
/// Finite instantiation of the four sorts (pages, frames, devices, invalidations), used by BMC:
/// the proofs use uninterpreted sorts (any size), BMC searches this many elements of each.
/// </summary>
public sealed record Bounds(int Pages, int Frames, int Devices, int Invalidations)
{
    public static readonly Bounds Default = new(1, 2, 1, 1);
    public override string ToString() => $"{Pages} pages, {Frames} frames, {Devices} devices, {Invalidations} invalidations";
}

/// <summary>One state variable: a Boolean/scalar constant, or an array over the given domain.</summary>
public sealed record VarSpec(string Name, Sort[] Domain, Sort Range, string Doc);

/// <summary>
/// A state: every variable mapped to a Z3 term (array constants in a fresh state, store/lambda
/// terms in a post-state built by an action). Immutable: With() returns a copy.
/// </summary>
public sealed class State
{
    private readonly Context _ctx;
    private readonly Dictionary<string, Expr> _vars;
    public IReadOnlyList<VarSpec> Specs { get; }

    private State(Context ctx, IReadOnlyList<VarSpec> specs, Dictionary<string, Expr> vars)
    {
        _ctx = ctx;
        Specs = specs;
        _vars = vars;
    }

    public static State Fresh(Context ctx, IReadOnlyList<VarSpec> specs, string suffix)
    {
        var vars = new Dictionary<string, Expr>(StringComparer.Ordinal);
        foreach (var s in specs)
        {
            string name = suffix.Length == 0 ? s.Name : $"{s.Name}@{suffix}";
            vars[s.Name] = s.Domain.Length == 0 ? ctx.MkConst(name, s.Range) : ctx.MkConst(name, ctx.MkArraySort(s.Domain, s.Range));
        }
        return new State(ctx, specs, vars);
    }

    /// <summary>A state whose variables are the given terms (finite models: lambdas over scalars).</summary>
    public static State FromTerms(Context ctx, IReadOnlyList<VarSpec> specs, Func<VarSpec, Expr> term)
    {
        var vars = new Dictionary<string, Expr>(StringComparer.Ordinal);
        foreach (var s in specs) vars[s.Name] = term(s);
        return new State(ctx, specs, vars);
    }

    public Expr this[string name] => _vars[name];

    public State With(string name, Expr value)
    {
        if (!_vars.ContainsKey(name)) throw new ArgumentException($"unknown state variable {name}");
        var copy = new Dictionary<string, Expr>(_vars, StringComparer.Ordinal) { [name] = value };
        return new State(_ctx, Specs, copy);
    }

    /// <summary>var[idx...]</summary>
    public Expr At(string name, params Expr[] idx) =>
        idx.Length == 0 ? _vars[name] : _ctx.MkSelect((ArrayExpr)_vars[name], idx);

    public BoolExpr B(string name, params Expr[] idx) => (BoolExpr)At(name, idx);

    /// <summary>Variables whose term differs (syntactically) from the other state's.</summary>
    public IEnumerable<string> ChangedFrom(State other) =>
        Specs.Select(s => s.Name).Where(n => !ReferenceEquals(_vars[n], other._vars[n]) && !_vars[n].Equals(other._vars[n]));
}
