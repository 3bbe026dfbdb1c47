using System.Text;

namespace NotifierSpec.Checker;

/// <summary>Evaluation context of one worker: the current state and the (partial) next state.</summary>
public sealed class Ctx(TlaSpec spec)
{
    public TlaSpec Spec { get; } = spec;
    public Interner In => Spec.Interner;
    public Value?[] Cur = [];
    public Value?[]? Nxt;
    public int PrimeDepth;
    public bool InInit;
    /// <summary>TLCGet("level"): the BFS level of the state being evaluated in (1 for initial states); 0 in
    /// ASSUME and the initial predicate, as TLC (tlc2/module/TLCGetSet.java, LEVEL).</summary>
    public int Level;
    /// <summary>Intermediate states of action compositions (A \cdot B) met while generating successors: TLC
    /// counts them in "states generated" (tlc2/tool/impl/Tool.java, nss.incrementStatesGenerated).</summary>
    public long Intermediate;
    public int Assigned;
    /// <summary>How many times a builtin that is not a constant operator (Print, PrintT, TLCSet, TLCGet, JavaTime,
    /// RandomElement, ...) was applied: an evaluation that left it unchanged showed nothing and read nothing but the
    /// state (FineStates).</summary>
    public long Effects;
    /// <summary>The search's memory of this worker's judged states (StateExpander); null outside a search.</summary>
    public FineStates? Fine;
    public TextWriter Out => Spec.Out;
}

/// <summary>Bound variables: a linked list keyed by the binder's identity. Immutable, except a LoopEnv node.</summary>
public class Env(object key, object val, Env? next)
{
    public readonly object Key = key;
    public object Val { get; protected set; } = val;
    public readonly Env? Next = next;

    public static object Lookup(Env? e, object key)
    {
        for (; e is not null; e = e.Next) if (ReferenceEquals(e.Key, key)) return e.Val;
        throw new EvalError("internal: unbound identifier");
    }

    /// <summary>e as an immutable list, for whatever keeps an environment beyond the evaluation it was made in (a
    /// Thunk, a LET Closure, a lazy set or function, an operator argument): e itself when it holds no LoopEnv,
    /// else a copy of its nodes down to the last LoopEnv, the rest shared.</summary>
    public static Env? Freeze(Env? e)
    {
        Env? last = null;
        for (var x = e; x is not null; x = x.Next) if (x is LoopEnv) last = x;
        return last is null ? e : Copy(e!, last);
    }

    private static Env Copy(Env x, Env last) => new(x.Key, x.Val, ReferenceEquals(x, last) ? x.Next : Copy(x.Next!, last));
}

/// <summary>The bound variable of a loop (\A, \E, CHOOSE, a set filter, a function constructor) over one set: one
/// node whose value is set to each element in turn, instead of a node per element. Whatever keeps an environment
/// freezes it first (Env.Freeze), so no one sees the node change.</summary>
public sealed class LoopEnv(object key, Env? next) : Env(key, null!, next)
{
    public void Set(Value v) => Val = v;
}

/// <summary>
/// The cached value of a Thunk or Closure and the state (c.Cur array) it was computed in, as ONE immutable
/// object: workers share Closures (the LET definitions of an action split by Spec.SplitActions, e.g.
/// "op == thr[t]" in invalidate_range_end(t)), so the value and its state must be published by a single
/// reference write. Two separate fields let a worker pair its own state with another worker's value.
/// Not used in Init: there the enumerator assigns the variables in place in one c.Cur array, so the
/// same array holds different states (P(v) == v \in {1, 2} /\ v > 1 with Init == P(x)).
/// </summary>
public sealed record Memo(Value?[] For, Value V);

/// <summary>A lazily evaluated operator argument (call by name, cached while the state does not change).</summary>
public sealed class Thunk(Node expr, Env? env)
{
    public Node Expr { get; } = expr;
    public Env? Env { get; } = Env.Freeze(env);
    private Memo? _memo;

    public Value Force(Ctx c)
    {
        var m = _memo; // one read: the value and its state are published together (see Memo)
        if (m is not null && c.PrimeDepth == 0 && (Expr.Level == 0 || !c.InInit && ReferenceEquals(m.For, c.Cur))) return m.V;
        var v = Expr.Eval(c, Env);
        if (c.PrimeDepth == 0 && Expr.Level <= 1) _memo = new Memo(c.Cur, v);
        return v;
    }
}

/// <summary>A LET-defined operator bound in an environment.</summary>
public sealed class Closure(LetDef def)
{
    public LetDef Def { get; } = def;
    public Env? Env;
    private Memo? _memo;

    public Value Call(Ctx c, Value[] args)
    {
        if (args.Length == 0)
        {
            var m = _memo; // one read: the value and its state are published together (see Memo)
            if (m is not null && c.PrimeDepth == 0 && !c.InInit && ReferenceEquals(m.For, c.Cur)) return m.V;
            var v = Def.Body.Eval(c, Env);
            if (c.PrimeDepth == 0 && Def.Body.Level <= 1) _memo = new Memo(c.Cur, v);
            return v;
        }
        var e = Env;
        for (int i = 0; i < args.Length; i++) e = new Env(Def.Params[i].Slot, args[i], e);
        return Def.Body.Eval(c, e);
    }
}

public sealed class ParamInfo(string name, int arity)
{
    public string Name { get; } = name;
    public int Arity { get; } = arity;
    public object Slot { get; } = new();
    public bool NeedsLazy { get; set; }
}

public sealed class LetDef(string name, ParamInfo[] ps, Loc loc)
{
    public string Name { get; } = name;
    public ParamInfo[] Params { get; } = ps;
    public Loc Loc { get; } = loc;
    public object Slot { get; } = new();
    public Node Body { get; set; } = null!;
    public bool Recursive { get; set; }
}

/// <summary>A module-level operator definition.</summary>
public sealed class OpDef(string name, ParamInfo[] ps, Loc loc)
{
    public string Name { get; } = name;
    public ParamInfo[] Params { get; } = ps;
    public Loc Loc { get; } = loc;
    public Node? Body { get; set; }
    /// <summary>The level of Body when the parameters are constants (Compiler.LevelWithConstantParams); null: Body.Level.</summary>
    public int? ConstArgsLevel { get; set; }
    public bool Compiling { get; set; }
    public bool Recursive { get; set; }
    public Syn? Syntax { get; set; }
    public (int Line, int Col) EndLoc { get; set; }
    public (int Line, int Col) BodyStart { get; set; }
    /// <summary>TLC's description of the definition's body, e.g. "line 10, col 12 to line 11, col 28 of module DieHard".</summary>
    public string Where => $"line {BodyStart.Line}, col {BodyStart.Col} to line {EndLoc.Line}, col {EndLoc.Col} of module {Loc.Module}";
    private Value? _const;
    private readonly object _lock = new();
    private int _constEvaluations;

    /// <summary>How many times CallConst evaluated the body (once, but when two workers first call it at the same
    /// time): a count for tests, which guards that a constant definition is evaluated once without timing it.</summary>
    public int ConstEvaluations => Volatile.Read(ref _constEvaluations);

    public Value CallConst(Ctx c)
    {
        if (_const is not null) return _const;
        Interlocked.Increment(ref _constEvaluations);
        var v = Body!.Eval(c, null);
        lock (_lock) _const ??= v;
        return _const;
    }
}

public abstract class Node
{
    public Loc Loc { get; init; } = null!;
    public int Level { get; set; }
    public abstract Value Eval(Ctx c, Env? e);

    public bool EvalBool(Ctx c, Env? e)
    {
        var v = Eval(c, e);
        if (v is BoolV b) return b.B;
        throw At(new EvalError($"A non-boolean expression ({v.KindName} {Trunc(v)}) was used as a formula"));
    }

    public SetBase EvalSet(Ctx c, Env? e)
    {
        var v = Eval(c, e);
        if (v is SetBase s) return s;
        throw At(new EvalError($"Attempted to use {v.KindName} {Trunc(v)} as a set"));
    }

    public long EvalInt(Ctx c, Env? e)
    {
        var v = Eval(c, e);
        if (v is IntV i) return i.N;
        throw At(new EvalError($"Expected an integer but found {v.KindName} {Trunc(v)}"));
    }

    public EvalError At(EvalError err) { err.Where ??= Loc; return err; }
    /// <summary>For an exception filter: gives err this node's position if it has none, and lets it pass
    /// (catch (EvalError err) when (Mark(err))). A catch that rethrows would run on top of the frames it
    /// leaves, so a rethrow at every level of a deep recursion would itself overflow the stack.</summary>
    public bool Mark(EvalError err) { err.Where ??= Loc; return false; }
    public bool Mark(AssertError err) { err.Where ??= Loc; return false; }
    /// <summary>The recursion guard at operator and function applications: an evaluation error at this node
    /// when the thread's stack is nearly used up (see DeepStack).</summary>
    public void Enter(string name) { if (!DeepStack.Enter()) throw At(new EvalError(DeepStack.Message(name))); }
    public static string Trunc(Value v) { var s = v.ToString(); return s.Length > 200 ? s[..200] + "..." : s; }
}

public sealed class Lit(Value v) : Node
{
    public Value V { get; } = v;
    public override Value Eval(Ctx c, Env? e) => V;
}

/// <summary>An expression made only of constants (Compiler.Closed: literals, constant definitions without
/// parameters, constant operators and set constructors of those), evaluated once, when first needed, and kept:
/// [Procs -> Nat] or [TxId -> Store] in a type invariant was built anew on every state. An evaluation error is not
/// kept: it is raised again, where it was, each time.</summary>
public sealed class ConstN(Node inner) : Node
{
    public Node Inner { get; } = inner;
    private Value? _v;
    public override Value Eval(Ctx c, Env? e)
    {
        var v = Volatile.Read(ref _v);
        if (v is not null) return v;
        v = Inner.Eval(c, e);
        Volatile.Write(ref _v, v); // two workers may both evaluate it: the value is the same
        return v;
    }
}

/// <summary>A ConstN whose operands include a definition not compiled when this node was: the configuration's
/// `Op &lt;- Def` (Nat &lt;- NatOverride in tlaplus/Examples MCBoulanger; Def is compiled after the modules that use
/// Op), so [Procs -> Nat] was built anew on every state. Whether the operands are all constant is decided at the
/// first evaluation, when every definition is compiled; if they are, the value is kept as ConstN keeps it. Its
/// level stays the one the compiler gave it (a definition not yet compiled counts as state-level).</summary>
public sealed class LateConstN(Node inner, Node[] operands) : Node
{
    public Node Inner { get; } = inner;
    private int _closed; // 0: not decided, 1: constant, 2: not (two workers may both decide: the same answer)
    private Value? _v;

    public bool IsClosed
    {
        get
        {
            int s = Volatile.Read(ref _closed);
            if (s == 0) Volatile.Write(ref _closed, s = operands.All(ClosedNow) ? 1 : 2);
            return s == 1;
        }
    }

    /// <summary>Compiler.Closed, asked once everything is compiled.</summary>
    public static bool ClosedNow(Node n) => n switch
    {
        Lit or ConstN => true,
        LateConstN l => l.IsClosed,
        OpCall { Args.Length: 0 } oc => oc.Def.Body is { Level: 0 } && !oc.Def.Recursive,
        _ => false,
    };

    public override Value Eval(Ctx c, Env? e)
    {
        if (!IsClosed) return Inner.Eval(c, e);
        var v = Volatile.Read(ref _v);
        if (v is not null) return v;
        v = Inner.Eval(c, e);
        Volatile.Write(ref _v, v);
        return v;
    }
}

public sealed class VarRef(int idx, string name) : Node
{
    public int Idx { get; } = idx;
    public string Name { get; } = name;
    public override Value Eval(Ctx c, Env? e)
    {
        var v = c.Cur[Idx];
        if (v is null)
            throw At(new EvalError(c.PrimeDepth > 0 || c.Nxt is null && c.InInit ? $"The variable {Name}{(c.PrimeDepth > 0 ? "'" : "")} is used before it is assigned a value" : $"The variable {Name} has no value"));
        return v;
    }
}

public sealed class BoundRef(object slot, string name) : Node
{
    public object Slot { get; } = slot;
    public string Name { get; } = name;
    public override Value Eval(Ctx c, Env? e)
    {
        var o = Env.Lookup(e, Slot);
        if (o is Value v) return v;
        if (o is Thunk t) return t.Force(c);
        if (o is Closure cl) return cl.Call(c, []);
        throw At(new EvalError($"{Name} is not a value"));
    }
}

public sealed class PrimeN(Node inner) : Node
{
    public Node Inner { get; } = inner;
    public override Value Eval(Ctx c, Env? e)
    {
        if (c.Nxt is null) throw At(new EvalError(c.PrimeDepth > 0 ? "A primed expression was primed again" : "A primed expression was used where only the current state is available"));
        var cur = c.Cur; var nxt = c.Nxt;
        c.Cur = nxt; c.Nxt = null; c.PrimeDepth++;
        try { return Inner.Eval(c, e); }
        finally { c.Cur = cur; c.Nxt = nxt; c.PrimeDepth--; }
    }
}

public sealed class OpCall(OpDef def, Node[] args) : Node
{
    public OpDef Def { get; } = def;
    public Node[] Args { get; } = args;

    public Env? BindArgs(Ctx c, Env? e)
    {
        Env? ne = null;
        var ps = Def.Params;
        for (int i = 0; i < Args.Length; i++)
        {
            var a = Args[i];
            object val = a is OpArgN oa ? oa.Eval(c, e) :
                a is Lit l ? l.V :
                (a.Level <= 1 && !ps[i].NeedsLazy) ? a.Eval(c, e) : new Thunk(a, e);
            ne = new Env(ps[i].Slot, val, ne);
        }
        return ne;
    }

    public override Value Eval(Ctx c, Env? e)
    {
        Enter(Def.Name);
        try
        {
            if (Args.Length == 0 && Def.Body!.Level == 0 && !Def.Recursive) return Def.CallConst(c);
            return Def.Body!.Eval(c, BindArgs(c, e));
        }
        catch (EvalError err) when (Mark(err)) { throw; }
        finally { DeepStack.Leave(); }
    }
}

/// <summary>Call of a LET-defined operator or of a higher-order parameter.</summary>
public sealed class DynCall(object slot, string name, Node[] args) : Node
{
    public object Slot { get; } = slot;
    public string Name { get; } = name;
    public Node[] Args { get; } = args;
    public override Value Eval(Ctx c, Env? e)
    {
        var o = Env.Lookup(e, Slot);
        var args = new Value[Args.Length];
        for (int i = 0; i < args.Length; i++) args[i] = Args[i].Eval(c, e);
        Enter(Name);
        try
        {
            if (o is Closure cl) return cl.Call(c, args);
            if (o is OpV op) return op.Apply(c, args);
            if (o is Thunk t && args.Length == 0) return t.Force(c);
            if (o is Value v && args.Length == 0) return v;
        }
        catch (EvalError err) when (Mark(err)) { throw; }
        finally { DeepStack.Leave(); }
        throw At(new EvalError($"{Name} is not an operator"));
    }
}

/// <summary>An operator passed as an argument to a higher-order operator.</summary>
public sealed class OpArgN(string name, int arity, Func<Ctx, Env?, Func<Ctx, Value[], Value>> make) : Node
{
    public string Name { get; } = name;
    public override Value Eval(Ctx c, Env? e) => new OpV(Name, arity, make(c, Env.Freeze(e)));
}

public sealed class BuiltinCall(Builtin b, Node[] args) : Node
{
    public Builtin B { get; } = b;
    public Node[] Args { get; } = args;
    public override Value Eval(Ctx c, Env? e)
    {
        if (B.Fn2 is { } f2 && Args.Length == 2)
        {
            var x = Args[0].Eval(c, e); var y = Args[1].Eval(c, e);
            if (!B.Constant) c.Effects++;
            try { return f2(c, x, y); }
            catch (EvalError err) when (Mark(err)) { throw; }
            catch (AssertError err) when (Mark(err)) { throw; }
            catch (OverflowException) { throw Overflow([x, y]); }
        }
        var vals = new Value[Args.Length];
        for (int i = 0; i < vals.Length; i++) vals[i] = Args[i].Eval(c, e);
        if (!B.Constant) c.Effects++;
        try { return B.Fn(c, vals); }
        catch (EvalError err) when (Mark(err)) { throw; }
        catch (AssertError err) when (Mark(err)) { throw; }
        catch (OverflowException) { throw Overflow(vals); }
    }

    // TLC's EC.TLC_MODULE_OVERFLOW ("Overflow when computing 2^100"), a standard module's error: exit 255 in Next
    private EvalError Overflow(Value[] vals)
    {
        string what = vals.Length == 2 ? $"{Show.V(vals[0])}{B.Name}{Show.V(vals[1])}" : $"{B.Name.TrimEnd('.')}{string.Join(", ", vals.Select(Show.V))}";
        return At(new EvalError($"Overflow when computing {what}") { ModuleEvaluating = true });
    }
}

public sealed class AndN(Node[] items) : Node
{
    public Node[] Items { get; } = items;
    public override Value Eval(Ctx c, Env? e)
    {
        foreach (var i in Items) if (!i.EvalBool(c, e)) return BoolV.False;
        return BoolV.True;
    }
}

public sealed class OrN(Node[] items) : Node
{
    public Node[] Items { get; } = items;
    public override Value Eval(Ctx c, Env? e)
    {
        foreach (var i in Items) if (i.EvalBool(c, e)) return BoolV.True;
        return BoolV.False;
    }
}

public sealed class NotN(Node a) : Node
{
    public Node A { get; } = a;
    public override Value Eval(Ctx c, Env? e) => BoolV.Of(!A.EvalBool(c, e));
}

public sealed class ImpliesN(Node a, Node b) : Node
{
    public Node A { get; } = a; public Node B { get; } = b;
    public override Value Eval(Ctx c, Env? e) => BoolV.Of(!A.EvalBool(c, e) || B.EvalBool(c, e));
}

public sealed class EquivN(Node a, Node b) : Node
{
    public override Value Eval(Ctx c, Env? e) => BoolV.Of(a.EvalBool(c, e) == b.EvalBool(c, e));
}

public sealed class EqN(Node a, Node b, bool neg) : Node
{
    public Node A { get; } = a; public Node B { get; } = b; public bool Neg { get; } = neg;
    public override Value Eval(Ctx c, Env? e)
    {
        var x = A.Eval(c, e); var y = B.Eval(c, e);
        bool eq;
        try { eq = ValEq(x, y); } catch (EvalError err) when (Mark(err)) { throw; }
        return BoolV.Of(eq != Neg);
    }

    /// <summary>TLC's equality: values of different kinds are an error, except model values.</summary>
    public static bool ValEq(Value x, Value y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x.Rank != y.Rank)
        {
            if (x is ModelV || y is ModelV) return false;
            if (x is LazyFcnV || y is LazyFcnV) return x.Equals(y);
            throw new EvalError($"Attempted to check equality of {x.KindName} {Trunc(x)} with {y.KindName} {Trunc(y)}");
        }
        return x.Equals(y);
    }
}

public sealed class InN(Node a, Node b, bool neg) : Node
{
    public Node A { get; } = a; public Node B { get; } = b; public bool Neg { get; } = neg;
    public override Value Eval(Ctx c, Env? e)
    {
        var x = A.Eval(c, e);
        var s = B.EvalSet(c, e);
        try { return BoolV.Of(s.Contains(x) != Neg); } catch (EvalError err) when (Mark(err)) { throw; }
    }
}

public sealed class IfN(Node c0, Node t, Node f) : Node
{
    public Node C { get; } = c0; public Node T { get; } = t; public Node F { get; } = f;
    public override Value Eval(Ctx c, Env? e) => C.EvalBool(c, e) ? T.Eval(c, e) : F.Eval(c, e);
}

public sealed class CaseN(Node[] conds, Node[] vals, Node? other) : Node
{
    public Node[] Conds { get; } = conds; public Node[] Vals { get; } = vals; public Node? Other { get; } = other;
    public override Value Eval(Ctx c, Env? e)
    {
        for (int i = 0; i < Conds.Length; i++) if (Conds[i].EvalBool(c, e)) return Vals[i].Eval(c, e);
        if (Other is not null) return Other.Eval(c, e);
        throw At(new EvalError("Attempted to evaluate a CASE with no conditions true"));
    }
}

public sealed class LetN(LetDef[] defs, Node body) : Node
{
    public LetDef[] Defs { get; } = defs; public Node Body { get; } = body;
    public Env? Bind(Env? e)
    {
        e = Env.Freeze(e); // the closures keep it
        foreach (var d in Defs)
        {
            var cl = new Closure(d);
            e = new Env(d.Slot, cl, e);
            cl.Env = e;
        }
        return e;
    }
    public override Value Eval(Ctx c, Env? e) => Body.Eval(c, Bind(e));
}

/// <summary>Binders of quantifiers, CHOOSE, set maps and function constructors.</summary>
public sealed class BoundN(object[] slots, string[] names, bool tuple, Node? set, Loc loc)
{
    public object[] Slots { get; } = slots;
    public string[] Names { get; } = names;
    public bool Tuple { get; } = tuple;
    public Node? Set { get; } = set;
    public Loc Loc { get; } = loc;

    public Env? Bind(Env? e, Value v)
    {
        if (!Tuple) return new Env(Slots[0], v, e);
        if (v is not FcnBase f || f is not TupleV t || t.Elems.Length != Slots.Length)
            throw new EvalError($"Attempted to bind the tuple <<{string.Join(", ", Names)}>> to {Node.Trunc(v)}") { Where = Loc };
        for (int i = 0; i < Slots.Length; i++) e = new Env(Slots[i], t.Elems[i], e);
        return e;
    }

    /// <summary>The bindings of All one after the other, without an iterator object: Start evaluates the domains
    /// (as All, in order, stopping at an empty one), Next binds the following combination (the first bound
    /// variable varies fastest) and throws where All's enumeration would.</summary>
    public struct Cursor
    {
        private BoundN[] _bs;
        private Value[][] _doms;
        private int[] _idx;
        private Env? _e;
        private bool _more;
        private LoopEnv? _top;

        /// <summary>loop: every binder is a single name and no binding outlives the step it is made for (the
        /// body is evaluated, not kept): one LoopEnv per binder, set to each combination in turn, instead of a
        /// new chain of nodes per combination (whatever keeps an environment freezes it, see Env.Freeze).</summary>
        public static Cursor Start(BoundN[] bs, Ctx c, Env? e, bool loop = false)
        {
            var cur = new Cursor { _bs = bs, _e = e, _doms = new Value[bs.Length][] };
            for (int i = 0; i < bs.Length; i++)
            {
                var b = bs[i];
                if (b.Set is null) throw new EvalError($"TLC cannot handle the unbounded quantifier over {string.Join(", ", b.Names)}") { Where = b.Loc };
                var s = b.Set.EvalSet(c, e);
                if (!s.IsFinite) throw new EvalError($"Attempted to enumerate the infinite set {s} bound to {string.Join(", ", b.Names)}") { Where = b.Loc };
                cur._doms[i] = s is SetV sv ? sv.Elems : s is IntervalV iv ? iv.Normalize().Elems : s.Elements().ToArray();
                if (cur._doms[i].Length == 0) return cur;
            }
            cur._idx = new int[bs.Length];
            cur._more = true;
            if (loop)
            {
                Env? chain = e;
                foreach (var b in bs) chain = new LoopEnv(b.Slots[0], chain);
                cur._top = (LoopEnv)chain!;
            }
            return cur;
        }

        /// <summary>The number of combinations (0 when a domain is empty).</summary>
        public readonly long Count
        {
            get
            {
                if (!_more) return 0;
                long n = 1;
                foreach (var d in _doms) n = n > long.MaxValue / Math.Max(1, d.Length) ? long.MaxValue : n * d.Length;
                return n;
            }
        }

        public bool Next(out Env? env)
        {
            env = _e;
            if (!_more) return false;
            if (_top is not null)
            {
                // the chain is the binders' nodes, the last binder's on top
                Env? le = _top;
                for (int i = _bs.Length - 1; i >= 0; i--) { ((LoopEnv)le!).Set(_doms[i][_idx[i]]); le = le.Next; }
                env = _top;
            }
            else
                for (int i = 0; i < _bs.Length; i++) env = _bs[i].Bind(env, _doms[i][_idx[i]]);
            int k = 0;
            while (k < _bs.Length && ++_idx[k] == _doms[k].Length) { _idx[k] = 0; k++; }
            if (k == _bs.Length) _more = false;
            return true;
        }
    }

    /// <summary>All bindings, in TLC's ContextEnumerator order: the domains are evaluated first,
    /// then the first bound variable varies fastest.</summary>
    public static IEnumerable<Env?> All(BoundN[] bs, Ctx c, Env? e)
    {
        var doms = new Value[bs.Length][];
        for (int i = 0; i < bs.Length; i++)
        {
            var b = bs[i];
            if (b.Set is null) throw new EvalError($"TLC cannot handle the unbounded quantifier over {string.Join(", ", b.Names)}") { Where = b.Loc };
            var s = b.Set.EvalSet(c, e);
            if (!s.IsFinite) throw new EvalError($"Attempted to enumerate the infinite set {s} bound to {string.Join(", ", b.Names)}") { Where = b.Loc };
            doms[i] = s is SetV sv ? sv.Elems : s is IntervalV iv ? iv.Normalize().Elems : s.Elements().ToArray();
            if (doms[i].Length == 0) yield break;
        }
        var idx = new int[bs.Length];
        while (true)
        {
            var e2 = e;
            for (int i = 0; i < bs.Length; i++) e2 = bs[i].Bind(e2, doms[i][idx[i]]);
            yield return e2;
            int k = 0;
            while (k < bs.Length && ++idx[k] == doms[k].Length) { idx[k] = 0; k++; }
            if (k == bs.Length) yield break;
        }
    }
}

public sealed class QuantN(bool all, BoundN[] bounds, Node body) : Node
{
    public bool All { get; } = all; public BoundN[] Bounds { get; } = bounds; public Node Body { get; } = body;
    /// <summary>Whether a binder is a tuple &lt;&lt;x, y&gt;&gt; \in S.</summary>
    public bool AnyTuple { get; } = bounds.Any(b => b.Tuple);
    /// <summary>[Body], for the enumerator's pending conjuncts of \A.</summary>
    public Node[] BodyList { get; } = [body];
    public override Value Eval(Ctx c, Env? e)
    {
        try
        {
            if (Bounds.Length == 1 && !Bounds[0].Tuple && Bounds[0].Set is { } sn)
            {
                var s = sn.EvalSet(c, e);
                if (!s.IsFinite) throw new EvalError($"Attempted to enumerate the infinite set {s}");
                var le = new LoopEnv(Bounds[0].Slots[0], e);
                // an array or an interval walked without an enumerator object (same elements, same order)
                if (s is SetV sv)
                {
                    foreach (var v in sv.Elems)
                    {
                        le.Set(v);
                        if (Body.EvalBool(c, le) != All) return BoolV.Of(!All);
                    }
                }
                else if (s is IntervalV iv)
                {
                    for (long i = iv.Lo; i <= iv.Hi; i++)
                    {
                        le.Set(IntV.Of(i));
                        if (Body.EvalBool(c, le) != All) return BoolV.Of(!All);
                    }
                }
                else
                    foreach (var v in s.Elements())
                    {
                        le.Set(v);
                        if (Body.EvalBool(c, le) != All) return BoolV.Of(!All);
                    }
                return BoolV.Of(All);
            }
            var cursor = BoundN.Cursor.Start(Bounds, c, e, loop: !AnyTuple);
            while (cursor.Next(out var e2))
                if (Body.EvalBool(c, e2) != All) return BoolV.Of(!All);
            return BoolV.Of(All);
        }
        catch (EvalError err) when (Mark(err)) { throw; }
    }
}

public sealed class ChooseN(BoundN bound, Node body) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        if (bound.Set is null) throw At(new EvalError("unsupported construct: unbounded CHOOSE (TLC cannot evaluate it; give the definition a value in the configuration)"));
        var s = bound.Set.EvalSet(c, e);
        if (!s.IsFinite) throw At(new EvalError($"Attempted to compute CHOOSE over the infinite set {s}"));
        var le = bound.Tuple ? null : new LoopEnv(bound.Slots[0], e);
        foreach (var v in s.Normalize().Elems)
        {
            Env? e2;
            if (le is null) e2 = bound.Bind(e, v);
            else { le.Set(v); e2 = le; }
            if (body.EvalBool(c, e2)) return v;
        }
        throw At(new EvalError($"Attempted to compute the value of an expression of form CHOOSE x \\in S: P, but no element of S satisfied P. S = {Trunc(s)}"));
    }
}

public sealed class SetEnumN(Node[] elems) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        if (elems.Length == 0) return SetV.Empty;
        var vs = new Value[elems.Length];
        for (int i = 0; i < vs.Length; i++) vs[i] = elems[i].Eval(c, e);
        try { return new SetV(vs); } catch (EvalError err) when (Mark(err)) { throw; }
    }
}

public sealed class SetFilterN(BoundN bound, Node pred) : Node
{
    public BoundN Bound => bound; public Node Pred => pred;
    public override Value Eval(Ctx c, Env? e)
    {
        var s = bound.Set!.EvalSet(c, e);
        try { return Filter(c, e, s); } catch (EvalError err) when (Mark(err)) { throw; }
    }

    /// <summary>As TLC's OPCODE_sso: over an enumerated set or interval (TLC's Reducible values) the set is filtered
    /// at once; over anything else it is kept as a SetPredValue, whose membership is x \in S /\ P(x) and which is
    /// filtered only when enumerated (x \in {y \in SUBSET SUBSET S : P(y)}, {n \in Nat : P(n)}).</summary>
    public SetBase Filter(Ctx c, Env? e, SetBase s)
    {
        if (s is SetV or IntervalV)
        {
            // the elements kept are marked, then copied into an array of their number (no list, no regrowth)
            var elems = s.Normalize().Elems;
            int n = elems.Length, kept = 0;
            Span<bool> keep = n <= 256 ? stackalloc bool[n] : new bool[n];
            var le = bound.Tuple ? null : new LoopEnv(bound.Slots[0], e);
            for (int i = 0; i < n; i++)
            {
                Env? e2;
                if (le is null) e2 = bound.Bind(e, elems[i]);
                else { le.Set(elems[i]); e2 = le; }
                if (keep[i] = pred.EvalBool(c, e2)) kept++;
            }
            if (kept == 0) return SetV.Empty;
            if (kept == n && s is SetV same) return same; // the set itself: values are immutable
            var res = new Value[kept];
            for (int i = 0, k = 0; i < n; i++) if (keep[i]) res[k++] = elems[i];
            return new SetV(res, true);
        }
        // evaluated later, perhaps by another worker: a context of its own on copies of the states as they are now
        // (the initial predicate's enumerator and the next-state enumerator fill c.Cur / c.Nxt in place, so the
        // arrays hold other states by the time the set is enumerated for its fingerprint)
        return Lazy(c, e, s);
    }

    // apart from Filter: a lambda's captured parameters are allocated on entry to the method that has it, taken or not
    private FilterV Lazy(Ctx c, Env? e, SetBase s)
    {
        e = Env.Freeze(e);
        var spec = c.Spec; var cur = (Value?[])c.Cur.Clone(); var nxt = (Value?[]?)c.Nxt?.Clone(); var lvl = c.Level; var pd = c.PrimeDepth; var ii = c.InInit;
        return new FilterV(s, v => pred.EvalBool(new Ctx(spec) { Cur = cur, Nxt = nxt, Level = lvl, PrimeDepth = pd, InInit = ii }, bound.Bind(e, v)));
    }
}

public sealed class SetMapN(Node expr, BoundN[] bounds) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        try
        {
            var cursor = BoundN.Cursor.Start(bounds, c, e);
            long n = cursor.Count;
            if (n == 0) return SetV.Empty;
            if (n > Array.MaxLength) throw new EvalError($"The set of {n} elements is too large to enumerate");
            var res = new Value[n];
            for (int i = 0; cursor.Next(out var e2); i++) res[i] = expr.Eval(c, e2);
            return new SetV(res);
        }
        catch (EvalError err) when (Mark(err)) { throw; }
    }
}

public sealed class TupleN(Node[] elems) : Node
{
    public Node[] Elems { get; } = elems;
    public override Value Eval(Ctx c, Env? e)
    {
        if (Elems.Length == 0) return TupleV.Empty;
        var vs = new Value[Elems.Length];
        for (int i = 0; i < vs.Length; i++) vs[i] = Elems[i].Eval(c, e);
        return new TupleV(vs);
    }
}

public sealed class RecordN : Node
{
    private readonly Value[] _keys;
    private readonly int[] _order;
    private readonly Node[] _vals;
    public RecordN(StrV[] names, Node[] vals)
    {
        _order = Enumerable.Range(0, names.Length).OrderBy(i => names[i].Tok).ToArray();
        _keys = _order.Select(i => (Value)names[i]).ToArray();
        _vals = vals;
    }
    public override Value Eval(Ctx c, Env? e)
    {
        var vs = new Value[_vals.Length];
        for (int i = 0; i < vs.Length; i++) vs[i] = _vals[_order[i]].Eval(c, e);
        return FcnBase.Make(_keys, vs);
    }
}

public sealed class RecordSetN(StrV[] names, Node[] sets) : Node
{
    public override Value Eval(Ctx c, Env? e) => new RecSetV(names, sets.Select(s => s.EvalSet(c, e)).ToArray());
}

public sealed class FcnCtorN(BoundN[] bounds, Node body) : Node
{
    public BoundN[] Bounds { get; } = bounds; public Node Body { get; } = body;
    public override Value Eval(Ctx c, Env? e)
    {
        try
        {
            if (Bounds.Length == 1)
            {
                var s = Bounds[0].Set!.EvalSet(c, e);
                if (!s.IsFinite) return Lazy(c, e, s);
                var keys = s.Normalize().Elems;
                var vals = new Value[keys.Length];
                var b = Bounds[0];
                var le = b.Tuple ? null : new LoopEnv(b.Slots[0], e);
                for (int i = 0; i < keys.Length; i++)
                {
                    Env? e2;
                    if (le is null) e2 = b.Bind(e, keys[i]);
                    else { le.Set(keys[i]); e2 = le; }
                    vals[i] = Body.Eval(c, e2);
                }
                return FcnBase.Make(keys, vals);
            }
            // several bounds: domain is a product, keys are tuples
            var sets = new SetBase[Bounds.Length];
            for (int j = 0; j < sets.Length; j++) sets[j] = Bounds[j].Set!.EvalSet(c, e);
            var dom = new ProductV(sets);
            var ks = dom.Normalize().Elems;
            var vs = new Value[ks.Length];
            for (int i = 0; i < ks.Length; i++)
            {
                var t = (TupleV)ks[i];
                var e2 = e;
                for (int j = 0; j < Bounds.Length; j++) e2 = Bounds[j].Bind(e2, t.Elems[j]);
                vs[i] = Body.Eval(c, e2);
            }
            return FcnBase.Make(ks, vs);
        }
        catch (EvalError err) when (Mark(err)) { throw; }
    }

    public LazyFcnV Lazy(Ctx c, Env? e, SetBase s)
    {
        e = Env.Freeze(e);
        var b = Bounds[0];
        var spec = c.Spec;
        var cur = LazyState.Of(c); var lvl = c.Level;
        return new LazyFcnV(s, k => Body.Eval(new Ctx(spec) { Cur = cur, Level = lvl }, b.Bind(e, k)));
    }
}

/// <summary>The current state for a value evaluated later (a lazy function): inside a primed expression c.Cur is
/// the next-state array the enumerator fills in place and reuses for every action, so a copy of it as it is now.</summary>
internal static class LazyState
{
    public static Value?[] Of(Ctx c) => c.PrimeDepth > 0 ? (Value?[])c.Cur.Clone() : c.Cur;
}

/// <summary>A recursive function definition f[x \in S] == ... f[...] ...: evaluated on demand.</summary>
public sealed class RecFcnN(OpDef? def, BoundN[] bounds, Node body) : Node
{
    public OpDef? Def { get; } = def;
    public override Value Eval(Ctx c, Env? e)
    {
        e = Env.Freeze(e);
        var spec = c.Spec;
        var cur = LazyState.Of(c); var lvl = c.Level;
        if (bounds.Length == 1)
        {
            var s = bounds[0].Set!.EvalSet(c, e);
            return new LazyFcnV(s, k => body.Eval(new Ctx(spec) { Cur = cur, Level = lvl }, bounds[0].Bind(e, k)));
        }
        var dom = new ProductV(bounds.Select(b => b.Set!.EvalSet(c, e)).ToArray());
        return new LazyFcnV(dom, k =>
        {
            var t = (TupleV)k;
            var e2 = e;
            for (int j = 0; j < bounds.Length; j++) e2 = bounds[j].Bind(e2, t.Elems[j]);
            return body.Eval(new Ctx(spec) { Cur = cur, Level = lvl }, e2);
        });
    }
}

public sealed class FcnSetN(Node dom, Node rng) : Node
{
    public override Value Eval(Ctx c, Env? e) => new FcnSetV(dom.EvalSet(c, e), rng.EvalSet(c, e));
}

public sealed class TimesN(Node[] sets) : Node
{
    public override Value Eval(Ctx c, Env? e) => new ProductV(sets.Select(s => s.EvalSet(c, e)).ToArray());
}

public sealed class FcnAppN(Node f, Node[] args) : Node
{
    public Node F { get; } = f; public Node[] Args { get; } = args;
    public override Value Eval(Ctx c, Env? e)
    {
        var fv = F.Eval(c, e);
        Value key;
        if (Args.Length == 1) key = Args[0].Eval(c, e);
        else key = EvalTuple(c, e, Args);
        Enter(F is OpCall oc ? oc.Def.Name : "a function application");
        try { return Apply(fv, key); }
        finally { DeepStack.Leave(); }
    }

    /// <summary>The tuple of the values of args (a loop, not a lambda: a lambda's captured c and e would be
    /// allocated on every entry to the method that has it).</summary>
    public static TupleV EvalTuple(Ctx c, Env? e, Node[] args)
    {
        var vs = new Value[args.Length];
        for (int i = 0; i < vs.Length; i++) vs[i] = args[i].Eval(c, e);
        return new TupleV(vs);
    }

    public Value Apply(Value fv, Value key)
    {
        if (fv is not FcnBase f) throw At(new EvalError($"A non-function ({fv.KindName} {Trunc(fv)}) was applied as a function"));
        Value? r;
        try { r = f.Apply(key); } catch (EvalError err) when (Mark(err)) { throw; }
        if (r is null)
        {
            if (f.IsRecord() && key is StrV ks) throw At(new EvalError($"Attempted to access nonexistent field '{ks.S}' of record\n{Trunc(f)}"));
            throw At(new EvalError($"Attempted to apply function:\n{Trunc(f)}\nto argument {Trunc(key)}, which is not in the domain of the function."));
        }
        return r;
    }
}

/// <summary>[f EXCEPT ![a]... = v, ...]; usesAt: v refers to '@' (else it is evaluated without binding '@').</summary>
public sealed class ExceptN(Node f, (Node[][] path, Node val, bool usesAt)[] updates, object atSlot) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        var fv = f.Eval(c, e);
        foreach (var (path, val, usesAt) in updates)
        {
            if (path.Length == 1)
            {
                // ![a] = v: no array of keys
                var p0 = path[0];
                var k0 = p0.Length == 1 ? p0[0].Eval(c, e) : FcnAppN.EvalTuple(c, e, p0);
                fv = Update(c, e, fv, k0, null, 0, val, usesAt);
                continue;
            }
            var keys = new Value[path.Length];
            for (int i = 0; i < path.Length; i++)
                keys[i] = path[i].Length == 1 ? path[i][0].Eval(c, e) : FcnAppN.EvalTuple(c, e, path[i]);
            fv = Update(c, e, fv, keys[0], keys, 0, val, usesAt);
        }
        return fv;
    }

    private Value New(Ctx c, Env? e, Node val, bool usesAt, Value old) => usesAt ? val.Eval(c, new Env(atSlot, old, e)) : val.Eval(c, e);

    /// <summary>fv with the value at k (= keys[i] when keys is not null; keys null: a path of one key) replaced by
    /// the update of the rest of the path. Each level is a new array (copied with one block move, not
    /// Array.Clone), never a change to fv's: fv and its subvalues are shared with the current state and
    /// other successors.</summary>
    private Value Update(Ctx c, Env? e, Value fv, Value k, Value[]? keys, int i, Node val, bool usesAt)
    {
        if (fv is LazyFcnV lz) fv = lz.Materialize();
        if (fv is not FcnBase f) throw At(new EvalError($"EXCEPT applied to a non-function ({fv.KindName} {Trunc(fv)})"));
        bool last = keys is null || i == keys.Length - 1;
        if (f is FcnV fn)
        {
            // one look-up; the keys are kept, so the result is an FcnV again (FcnBase.Make made f one: its
            // keys are not 1..n)
            int at = fn.IndexOf(k);
            if (at < 0) return f; // TLC: updating outside the domain leaves the function unchanged
            var nv0 = last ? New(c, e, val, usesAt, fn.Vals[at]) : Update(c, e, fn.Vals[at], keys![i + 1], keys, i + 1, val, usesAt);
            var vals0 = ValueArrays.Copy(fn.Vals);
            vals0[at] = nv0;
            return new FcnV(fn.Keys, vals0);
        }
        var old = f.Apply(k);
        if (old is null) return f; // TLC: updating outside the domain leaves the function unchanged
        var nv = last ? New(c, e, val, usesAt, old) : Update(c, e, old, keys![i + 1], keys, i + 1, val, usesAt);
        if (f is TupleV t)
        {
            var arr = ValueArrays.Copy(t.Elems);
            arr[((IntV)k).N - 1] = nv;
            return new TupleV(arr);
        }
        throw new InvalidOperationException($"EXCEPT on an unexpected function representation {f.GetType().Name}");
    }
}

public sealed class DotN(Node r, StrV field) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        var v = r.Eval(c, e);
        if (v is not FcnBase f) throw At(new EvalError($"Attempted to access field '{field.S}' of non-record {v.KindName} {Trunc(v)}"));
        return f.Apply(field) ?? throw At(new EvalError($"Attempted to access nonexistent field '{field.S}' of record\n{Trunc(v)}"));
    }
}

/// <summary>UNCHANGED e: e' = e. Vars lists the variables when e is a (nested) tuple of variables.</summary>
public sealed class UnchangedN(Node inner, VarRef[]? vars) : Node
{
    public Node Inner { get; } = inner; public VarRef[]? Vars { get; } = vars;
    public override Value Eval(Ctx c, Env? e)
    {
        if (c.Nxt is null) throw At(new EvalError("UNCHANGED used where no next state is available"));
        var now = Inner.Eval(c, e);
        var p = new PrimeN(Inner) { Loc = Loc }.Eval(c, e);
        return BoolV.Of(now.Equals(p));
    }
}

/// <summary>Action composition A \cdot B: s -A-> t -B-> u for some intermediate t. As TLC with
/// -Dtlc2.tool.impl.Tool.cdot=true (tlc2/tool/impl/Tool.java, OPCODE_cdot): evaluated, t ranges over the states A
/// generates from the current state; B is then evaluated with t as the current state and the same next state.</summary>
public sealed class CdotN(Node a, Node b) : Node
{
    public Node A { get; } = a; public Node B { get; } = b;
    public override Value Eval(Ctx c, Env? e)
    {
        if (c.Nxt is null) throw At(new EvalError("Action composition (\\cdot) used where no next state is available"));
        var cur = c.Cur; var nxt = c.Nxt; int assigned = c.Assigned;
        var mids = new List<Value?[]>();
        try
        {
            c.Nxt = new Value?[nxt.Length];
            Enumerator.Enum(c, A, e, () => mids.Add((Value?[])c.Nxt!.Clone()), false);
            c.Nxt = nxt;
            foreach (var t in mids)
            {
                c.Cur = t;
                if (B.EvalBool(c, e)) return BoolV.True;
            }
            return BoolV.False;
        }
        finally { c.Cur = cur; c.Nxt = nxt; c.Assigned = assigned; }
    }
}

public sealed class EnabledN(Node action) : Node
{
    public override Value Eval(Ctx c, Env? e)
    {
        if (c.PrimeDepth > 0) throw At(new EvalError("ENABLED inside a primed expression"));
        var saved = c.Nxt;
        try { return BoolV.Of(Enumerator.IsEnabled(c, action, e)); }
        finally { c.Nxt = saved; }
    }
}

/// <summary>Temporal operators: checked by the liveness checker, never evaluated as values.</summary>
public sealed class TemporalN(string op, Node[] kids, Node? sub = null) : Node
{
    public string Op { get; } = op;
    public Node[] Kids { get; } = kids;
    public Node? Sub { get; } = sub;
    public override Value Eval(Ctx c, Env? e) => throw At(new EvalError($"The temporal formula ({Op}) cannot be evaluated as a state or action formula"));
}

public sealed class BoxActN(Node a, Node v, bool angle) : Node
{
    public Node A { get; } = a; public Node V { get; } = v; public bool Angle { get; } = angle;
    public override Value Eval(Ctx c, Env? e)
    {
        var same = new UnchangedN(V, null) { Loc = Loc }.EvalBool(c, e);
        if (Angle) return BoolV.Of(!same && A.EvalBool(c, e));
        return BoolV.Of(same || A.EvalBool(c, e));
    }
}

/// <summary>Strings for output: TLC's value printing.</summary>
public static class Show
{
    public static string V(Value v) { var sb = new StringBuilder(); v.Print(sb); return sb.ToString(); }
}
