using System.Collections.Concurrent;
using System.Text;

namespace NotifierSpec.Checker;

/// <summary>An evaluation error (TLC would report it and stop); Loc is filled in by the nearest node.</summary>
public sealed class EvalError(string message) : Exception(message)
{
    public Loc? Where { get; set; }
    /// <summary>TLC reports it under an error code of a standard module's Java code (EC.TLC_MODULE_EVALUATING: \o or
    /// Append of a non-sequence; EC.TLC_MODULE_ONE_ARGUMENT_ERROR: Len, Head, Tail of one; EC.TLC_MODULE_APPLY_EMPTY_SEQ:
    /// Head or Tail of &lt;&lt;&gt;&gt;), which it exits with as 255 when met in the next-state relation.</summary>
    public bool ModuleEvaluating { get; init; }
}

public sealed record Loc(string File, string Module, int Line, int Col, int EndLine = 0, int EndCol = 0)
{
    public override string ToString() => $"{File}:{Line}:{Col}";
}

/// <summary>
/// Thrown, while the workers expand a batch in parallel (Interner.Frozen), by an evaluation that needs the serial
/// order: a string that has no token yet, Print's output, a TLC register, a new model value. The search expands that
/// state again after the parallel phase, serially and in the batch's order (ModelChecker.ExpandAll), so these
/// happen in the order one worker gives them. Not an EvalError: none of the evaluator's catches sees it.
/// </summary>
public sealed class SerialOnly() : Exception("internal: an evaluation that needs the serial order ran in a parallel phase");

/// <summary>
/// Interns strings and model values in order of first appearance, as TLC's UniqueString does:
/// TLC orders strings (and so sets of strings, CHOOSE, record fields) by that token order, not alphabetically.
/// One per loaded spec. TLC gives a token when a string is made (StringValue(String) calls
/// UniqueString.uniqueStringOf), so with several TLC workers two strings made by two workers get tokens in an
/// order that depends on timing; here no string gets a token while the workers expand a batch in parallel
/// (Frozen): the expansion that needs one throws SerialOnly and is done again in the batch's order, so tokens are
/// given in the order of one worker, whatever the number of workers.
/// </summary>
public sealed class Interner
{
    private readonly ConcurrentDictionary<string, StrV> _strs = new(StringComparer.Ordinal);
    private int _next;
    private readonly object _lock = new();
    private volatile bool _frozen;

    private readonly ConcurrentDictionary<int, StrV> _byTok = new();

    public int Token(string s) => Str(s).Tok;

    public StrV ByToken(int tok) => _byTok[tok];

    /// <summary>How many strings have a token (tokens are 0 .. Count - 1).</summary>
    public int Count { get { lock (_lock) return _next; } }

    /// <summary>Set by the search around a parallel phase of evaluation: Str of a string without a token and
    /// RequireSerial throw SerialOnly.</summary>
    public bool Frozen { get => _frozen; set => _frozen = value; }

    /// <summary>Throws SerialOnly in a parallel phase: for what must happen in the serial order (Print's output,
    /// TLC's registers, a new model value).</summary>
    public void RequireSerial()
    {
        if (_frozen) throw new SerialOnly();
    }

    public StrV Str(string s)
    {
        if (_strs.TryGetValue(s, out var v)) return v;
        RequireSerial();
        lock (_lock)
        {
            if (_strs.TryGetValue(s, out v)) return v;
            v = new StrV(s, _next++);
            _byTok[v.Tok] = v;
            _strs[s] = v;
            return v;
        }
    }
}

/// <summary>Array helpers for the evaluator's hot paths.</summary>
public static class ValueArrays
{
    /// <summary>A copy of a (small) array of values: one block move into a new array. Array.Clone goes through
    /// Object.MemberwiseClone, several times slower on the arrays of a few elements the evaluator copies (EXCEPT,
    /// successor states).</summary>
    public static Value[] Copy(Value?[] a)
    {
        var r = new Value?[a.Length];
        new ReadOnlySpan<Value?>(a).CopyTo(r);
        return r!;
    }
}

public abstract class Value : IComparable<Value>, IEquatable<Value>
{
    // Rank orders values of different kinds (TLC refuses most such comparisons; see Eq in the evaluator).
    public abstract int Rank { get; }
    private ulong _hash;
    private bool _hashed;

    /// <summary>Computed once, lazily; values are shared between workers, so the flag is written after the
    /// hash with release semantics and read with acquire semantics (a worker that sees the flag sees the hash).
    /// Two workers may both compute it: the value is immutable, so they write the same number.</summary>
    public ulong Hash
    {
        get
        {
            if (Volatile.Read(ref _hashed)) return _hash;
            _hash = ComputeHash();
            Volatile.Write(ref _hashed, true);
            return _hash;
        }
    }

    protected abstract ulong ComputeHash();
    protected abstract int CompareSame(Value other);

    public int CompareTo(Value? other)
    {
        if (other is null) return 1;
        if (ReferenceEquals(this, other)) return 0;
        int r = Rank.CompareTo(other.Rank);
        if (r != 0) return r;
        return CompareSame(other);
    }

    public bool Equals(Value? other) => other is not null && (ReferenceEquals(this, other) || Rank == other.Rank && Hash == other.Hash && CompareSame(other) == 0);
    public override bool Equals(object? obj) => obj is Value v && Equals(v);
    public override int GetHashCode() => (int)(Hash ^ (Hash >> 32));

    public static ulong Mix(ulong h, ulong v)
    {
        h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 31;
        return h;
    }

    public abstract void Print(StringBuilder sb);
    public override string ToString() { var sb = new StringBuilder(); Print(sb); return sb.ToString(); }
    public abstract string KindName { get; }
}

public sealed class BoolV : Value
{
    public static readonly BoolV True = new(true), False = new(false);
    public bool B { get; }
    private BoolV(bool b) => B = b;
    public static BoolV Of(bool b) => b ? True : False;
    public override int Rank => 0;
    protected override ulong ComputeHash() => B ? 0x1234567UL : 0x7654321UL;
    protected override int CompareSame(Value o) => B.CompareTo(((BoolV)o).B);
    public override void Print(StringBuilder sb) => sb.Append(B ? "TRUE" : "FALSE");
    public override string KindName => "boolean";
}

public sealed class IntV : Value
{
    private static readonly IntV[] Small = Enumerable.Range(-128, 1152).Select(i => new IntV(i)).ToArray();
    public long N { get; }
    private IntV(long n) => N = n;
    public static IntV Of(long n) => n >= -128 && n < 1024 ? Small[n + 128] : new IntV(n);
    public override int Rank => 1;
    protected override ulong ComputeHash() => Mix(0xA1, (ulong)N);
    protected override int CompareSame(Value o) => N.CompareTo(((IntV)o).N);
    public override void Print(StringBuilder sb) => sb.Append(N);
    public override string KindName => "integer";
}

public sealed class StrV : Value
{
    public string S { get; }
    public int Tok { get; }
    internal StrV(string s, int tok) { S = s; Tok = tok; }
    public override int Rank => 2;
    protected override ulong ComputeHash()
    {
        ulong h = 0xB2;
        foreach (char c in S) h = Mix(h, c);
        return h;
    }
    protected override int CompareSame(Value o) => Tok.CompareTo(((StrV)o).Tok);
    public override void Print(StringBuilder sb)
    {
        sb.Append('"');
        foreach (char c in S)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }
    public override string KindName => "string";
}

/// <summary>A TLC model value (from the .cfg). Equal only to itself; comparable with anything (untyped).</summary>
public sealed class ModelV(string name, int tok) : Value
{
    public string Name { get; } = name;
    public int Tok { get; } = tok;
    public override int Rank => -1;
    protected override ulong ComputeHash()
    {
        ulong h = 0xC3;
        foreach (char c in Name) h = Mix(h, c);
        return h;
    }
    protected override int CompareSame(Value o) => Tok.CompareTo(((ModelV)o).Tok);
    public override void Print(StringBuilder sb) => sb.Append(Name);
    public override string KindName => "model value";
}

/// <summary>An operator passed as an argument (higher-order parameter, LAMBDA). Not a first-class TLA+ value.</summary>
public sealed class OpV(string name, int arity, Func<Ctx, Value[], Value> apply) : Value
{
    public string Name { get; } = name;
    public int Arity { get; } = arity;
    public Value Apply(Ctx c, Value[] args) => apply(c, args);
    public override int Rank => 9;
    protected override ulong ComputeHash() => throw new EvalError($"the operator {Name} is not a value");
    protected override int CompareSame(Value o) => throw new EvalError($"the operator {Name} is not a value");
    public override void Print(StringBuilder sb) => sb.Append(Name);
    public override string KindName => "operator";
}

// ------------------------------------------------------------------------------------------ functions

/// <summary>Functions, records and tuples (TLA+ does not distinguish them; neither does equality here).</summary>
public abstract class FcnBase : Value
{
    public override int Rank => 4;
    public abstract int Count { get; }
    public abstract Value KeyAt(int i);
    public abstract Value ValAt(int i);
    public abstract Value? Apply(Value key);
    public override string KindName => "function";

    protected override ulong ComputeHash()
    {
        ulong h = Mix(0xF4, (ulong)Count);
        for (int i = 0; i < Count; i++) { h = Mix(h, KeyAt(i).Hash); h = Mix(h, ValAt(i).Hash); }
        return h;
    }

    protected override int CompareSame(Value o)
    {
        var f = (FcnBase)Force(o);
        var me = Force(this);
        int n = me.Count, m = f.Count;
        if (n != m) return n.CompareTo(m);
        if (me is TupleV a && f is TupleV b)
        {
            for (int i = 0; i < n; i++) { int c = a.Elems[i].CompareTo(b.Elems[i]); if (c != 0) return c; }
            return 0;
        }
        for (int i = 0; i < n; i++) { int c = me.KeyAt(i).CompareTo(f.KeyAt(i)); if (c != 0) return c; }
        for (int i = 0; i < n; i++) { int c = me.ValAt(i).CompareTo(f.ValAt(i)); if (c != 0) return c; }
        return 0;
    }

    private static FcnBase Force(Value v) => v is LazyFcnV l ? l.Materialize() : (FcnBase)v;

    /// <summary>Builds the canonical function value: a tuple when the domain is 1..n.</summary>
    public static FcnBase Make(Value[] keys, Value[] vals)
    {
        // keys are sorted and distinct
        bool tuple = true;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] is not IntV iv || iv.N != i + 1) { tuple = false; break; }
        if (tuple) return new TupleV(vals);
        return new FcnV(keys, vals);
    }

    public static FcnBase MakeUnsorted(Value[] keys, Value[] vals)
    {
        var idx = Enumerable.Range(0, keys.Length).ToArray();
        try { Array.Sort(idx, (a, b) => keys[a].CompareTo(keys[b])); }
        catch (InvalidOperationException ex) when (ex.InnerException is EvalError ee) { throw ee; }
        return Make(idx.Select(i => keys[i]).ToArray(), idx.Select(i => vals[i]).ToArray());
    }

    public bool IsRecord()
    {
        if (Count == 0) return false;
        for (int i = 0; i < Count; i++) if (KeyAt(i) is not StrV) return false;
        return true;
    }

    public override void Print(StringBuilder sb)
    {
        if (IsRecord())
        {
            sb.Append('[');
            for (int i = 0; i < Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(((StrV)KeyAt(i)).S).Append(" |-> ");
                ValAt(i).Print(sb);
            }
            sb.Append(']');
            return;
        }
        sb.Append('(');
        for (int i = 0; i < Count; i++)
        {
            if (i > 0) sb.Append(" @@ ");
            KeyAt(i).Print(sb); sb.Append(" :> "); ValAt(i).Print(sb);
        }
        sb.Append(')');
    }

    public SetBase Domain()
    {
        if (this is TupleV t) return new IntervalV(1, t.Elems.Length);
        var keys = new Value[Count];
        for (int i = 0; i < keys.Length; i++) keys[i] = KeyAt(i);
        return new SetV(keys);
    }
}

public sealed class TupleV(Value[] elems) : FcnBase
{
    public static readonly TupleV Empty = new([]);
    public Value[] Elems { get; } = elems;
    public override int Count => Elems.Length;
    public override Value KeyAt(int i) => IntV.Of(i + 1);
    public override Value ValAt(int i) => Elems[i];
    public override Value? Apply(Value key) => key is IntV i && i.N >= 1 && i.N <= Elems.Length ? Elems[i.N - 1] : null;
    public override void Print(StringBuilder sb)
    {
        sb.Append("<<");
        for (int i = 0; i < Elems.Length; i++) { if (i > 0) sb.Append(", "); Elems[i].Print(sb); }
        sb.Append(">>");
    }
}

public sealed class FcnV : FcnBase
{
    public Value[] Keys { get; }
    public Value[] Vals { get; }
    internal FcnV(Value[] keys, Value[] vals) { Keys = keys; Vals = vals; }
    public override int Count => Keys.Length;
    public override Value KeyAt(int i) => Keys[i];
    public override Value ValAt(int i) => Vals[i];
    public int IndexOf(Value key)
    {
        // records and small functions: the key is usually the very value of the domain (strings, model values
        // and small integers are shared), found without a comparison; keys are distinct, so a hit is the index
        var keys = Keys;
        if (keys.Length <= 8)
            for (int i = 0; i < keys.Length; i++)
                if (ReferenceEquals(keys[i], key)) return i;
        int lo = 0, hi = Keys.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            int c = Keys[mid].CompareTo(key);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }
    public override Value? Apply(Value key) { int i = IndexOf(key); return i < 0 ? null : Vals[i]; }
}

/// <summary>A function defined recursively or over an infinite domain: applied on demand.</summary>
public sealed class LazyFcnV(SetBase domain, Func<Value, Value> body) : FcnBase
{
    public SetBase Dom { get; } = domain;
    private FcnBase? _m;
    private readonly Dictionary<Value, Value> _memo = [];
    public FcnBase Materialize()
    {
        if (_m is not null) return _m;
        var keys = Dom.Elements().ToArray();
        var vals = keys.Select(k => Apply(k)!).ToArray();
        return _m = Make(keys, vals);
    }
    public override int Count => Materialize().Count;
    public override Value KeyAt(int i) => Materialize().KeyAt(i);
    public override Value ValAt(int i) => Materialize().ValAt(i);
    public override Value? Apply(Value key)
    {
        if (!Dom.Contains(key)) return null;
        lock (_memo)
            if (_memo.TryGetValue(key, out var v)) return v;
        var r = body(key);
        lock (_memo) _memo[key] = r;
        return r;
    }
    protected override ulong ComputeHash() => Materialize().Hash;
    public override void Print(StringBuilder sb) => Materialize().Print(sb);
}

// ------------------------------------------------------------------------------------------ sets

public abstract class SetBase : Value
{
    public override int Rank => 5;
    public override string KindName => "set";
    public abstract bool Contains(Value v);
    /// <summary>The elements in TLC's normalized order.</summary>
    public virtual SetV Normalize() => new(Elements().ToArray(), false);
    /// <summary>Enumeration (any order); throws for infinite sets.</summary>
    public abstract IEnumerable<Value> Elements();
    public virtual long Size => Normalize().Elems.Length;
    public virtual bool IsFinite => true;
    /// <summary>How many elements Elements() gives when it can be started at any index (ElementsFrom), -1
    /// otherwise: a set filter over it can then be cut into index ranges (FilterV). May throw what Elements()
    /// throws before its first element.</summary>
    public virtual long IndexedCount => -1;
    /// <summary>Elements() from index from on (IndexedCount >= 0).</summary>
    public virtual IEnumerable<Value> ElementsFrom(long from) => throw new InvalidOperationException($"{GetType().Name} is not indexed");
    protected override ulong ComputeHash() => Normalize().Hash;
    protected override int CompareSame(Value o)
    {
        var a = Normalize(); var b = ((SetBase)o).Normalize();
        int n = a.Elems.Length, m = b.Elems.Length;
        if (n != m) return n.CompareTo(m);
        for (int i = 0; i < n; i++) { int c = a.Elems[i].CompareTo(b.Elems[i]); if (c != 0) return c; }
        return 0;
    }
    public override void Print(StringBuilder sb) => Normalize().Print(sb);
}

/// <summary>A set operation kept unevaluated as TLC's SetCupValue, SetCapValue, SetDiffValue and SetPredValue:
/// membership asks the operands (so x \in S \cup {Nil} with S = [f : Nat] never enumerates Nat); the elements are
/// computed once, when first needed (equality, fingerprint, enumeration), and cached. A finite set is printed
/// with its elements, an infinite one in the form it was written in (TLC prints the form when it cannot expand).</summary>
public abstract class LazyOpSetV : SetBase
{
    private SetV? _norm;
    /// <summary>The elements in any order, possibly repeated; throws (TLC's message) when it cannot.</summary>
    protected abstract IEnumerable<Value> Enumerate();
    /// <summary>Finiteness without the evaluation errors TLC's isFinite raises (for printing).</summary>
    protected abstract bool KnownFinite { get; }
    protected abstract void PrintForm(StringBuilder sb);
    public override SetV Normalize() => _norm ??= Build();
    /// <summary>The normalized set of Enumerate()'s elements.</summary>
    protected virtual SetV Build() => new(Enumerate().ToArray());
    public override IEnumerable<Value> Elements() => Normalize().Elems;
    public override void Print(StringBuilder sb)
    {
        if (_norm is not null || KnownFinite) Normalize().Print(sb); else PrintForm(sb);
    }
    internal static bool Finite(SetBase s) => s is LazyOpSetV l ? l.KnownFinite : SafeFinite(s);
    private static bool SafeFinite(SetBase s) { try { return s.IsFinite; } catch (EvalError) { return false; } }
}

/// <summary>S \cup T when S or T is not an enumerated set or interval (TLC's SetCupValue; Reducible operands are
/// merged at once, as TLC's SetEnumValue.cup).</summary>
public sealed class CupV(SetBase a, SetBase b) : LazyOpSetV
{
    public override bool Contains(Value v) => a.Contains(v) || b.Contains(v);
    public override bool IsFinite => a.IsFinite && b.IsFinite;
    protected override bool KnownFinite => Finite(a) && Finite(b);
    protected override IEnumerable<Value> Enumerate() => a.Elements().Concat(b.Elements());
    protected override void PrintForm(StringBuilder sb) { a.Print(sb); sb.Append(" \\cup "); b.Print(sb); }
}

/// <summary>S \cap T when neither is an enumerated set or interval (TLC's SetCapValue).</summary>
public sealed class CapV(SetBase a, SetBase b) : LazyOpSetV
{
    public override bool Contains(Value v) => a.Contains(v) && b.Contains(v);
    public override bool IsFinite => a.IsFinite || b.IsFinite ? true : throw new EvalError($"Attempted to check if the set {this}is finite.");
    protected override bool KnownFinite => Finite(a) || Finite(b);
    protected override IEnumerable<Value> Enumerate()
    {
        if (Finite(a)) return a.Elements().Where(b.Contains);
        if (Finite(b)) return b.Elements().Where(a.Contains);
        throw new EvalError($"Attempted to enumerate S \\cap T when neither S:\n{Node.Trunc(a)}\nnor T:\n{Node.Trunc(b)}\nis enumerable");
    }
    protected override void PrintForm(StringBuilder sb) { a.Print(sb); sb.Append(" \\cap "); b.Print(sb); }
}

/// <summary>S \ T when S is not an enumerated set or interval (TLC's SetDiffValue).</summary>
public sealed class DiffV(SetBase a, SetBase b) : LazyOpSetV
{
    public override bool Contains(Value v) => a.Contains(v) && !b.Contains(v);
    public override bool IsFinite => a.IsFinite || (b.IsFinite ? false : throw new EvalError($"Attempted to check if the set {this}is finite."));
    protected override bool KnownFinite => Finite(a);
    protected override IEnumerable<Value> Enumerate() => a.Elements().Where(v => !b.Contains(v));
    protected override void PrintForm(StringBuilder sb) { a.Print(sb); sb.Append(" \\ "); b.Print(sb); }
}

/// <summary>{x \in S : P} when S is not an enumerated set or interval (TLC's SetPredValue): membership is
/// x \in S /\ P(x); enumerated (S filtered by P) only when needed.</summary>
public sealed class FilterV(SetBase s, Func<Value, bool> pred) : LazyOpSetV
{
    public SetBase Base => s;
    public override bool Contains(Value v) => s.Contains(v) && pred(v);
    public override bool IsFinite => s.IsFinite ? true : throw new EvalError($"Attempted to check if expression of form {{x \\in S : p(x)}} is a finite set, but cannot check if S:\n{Node.Trunc(s)}\nis finite.");
    protected override bool KnownFinite => Finite(s);
    protected override IEnumerable<Value> Enumerate() => s.Elements().Where(pred);
    // filtered by the workers when they are offered (PerState.Filter), which also tell whether the elements kept are
    // already strictly ascending (s's elements come in the normalized order): then they are not sorted again
    protected override SetV Build() =>
        PerState.Filter(s, pred) is var (kept, ascending) ? new(kept.ToArray(), ascending) : base.Build();
    protected override void PrintForm(StringBuilder sb) { sb.Append("{x \\in "); s.Print(sb); sb.Append(" : ...}"); }
}

public sealed class SetV : SetBase
{
    public static readonly SetV Empty = new([], true);
    public Value[] Elems { get; }

    /// <summary>sorted: elements already sorted and distinct.</summary>
    public SetV(Value[] elems, bool sorted = false)
    {
        if (!sorted && elems.Length > 1)
        {
            CheckComparable(elems);
            if (Ascending(elems)) { Elems = elems; return; }
            // an element that cannot be compared (an infinite set) throws inside the sort, which wraps it
            try { Array.Sort(elems); }
            catch (InvalidOperationException ex) when (ex.InnerException is EvalError ee) { throw ee; }
            int w = 1;
            for (int i = 1; i < elems.Length; i++)
                if (elems[i].CompareTo(elems[w - 1]) != 0) elems[w++] = elems[i];
            if (w != elems.Length) Array.Resize(ref elems, w);
        }
        Elems = elems;
    }

    /// <summary>Elements already strictly ascending (an enumeration in the normalized order, such as a record
    /// set's or a set filter's over it): the sort and the removal of duplicates would leave them as they are. An
    /// evaluation error comparing two of them: false (the sort reports it, as before).</summary>
    internal static bool Ascending(IReadOnlyList<Value> elems)
    {
        try
        {
            for (int i = 1; i < elems.Count; i++) if (elems[i - 1].CompareTo(elems[i]) >= 0) return false;
            return true;
        }
        catch (EvalError) { return false; }
    }

    private static void CheckComparable(Value[] elems)
    {
        int rank = int.MinValue;
        foreach (var e in elems)
        {
            if (e is ModelV) continue;
            if (e is OpV) throw new EvalError($"an operator is not a value: {e}");
            if (rank == int.MinValue) rank = e.Rank;
            else if (e.Rank != rank) throw Incomparable(elems, rank, e);
        }
    }

    // apart from CheckComparable: the lambda's captured rank would be allocated on every entry to it
    private static EvalError Incomparable(Value[] elems, int rank, Value e)
    {
        var first = elems.First(x => x.Rank == rank);
        return new EvalError($"Attempted to compare {first.KindName} {first} with {e.KindName} {e}");
    }

    public override SetV Normalize() => this;
    public override IEnumerable<Value> Elements() => Elems;
    public override long IndexedCount => Elems.Length;
    public override IEnumerable<Value> ElementsFrom(long from) => Elems.Skip((int)from);

    /// <summary>Linear merge of two normalized sets.</summary>
    public static SetV Union(SetV a, SetV b)
    {
        if (b.Elems.Length == 0) return a;
        if (a.Elems.Length == 0) return b;
        var x = a.Elems; var y = b.Elems;
        if (x[0].Rank != y[0].Rank && x[0] is not ModelV && y[0] is not ModelV) return new SetV([.. x, .. y]);
        var r = new Value[x.Length + y.Length];
        int i = 0, j = 0, k = 0;
        while (i < x.Length && j < y.Length)
        {
            int c = x[i].CompareTo(y[j]);
            if (c < 0) r[k++] = x[i++];
            else if (c > 0) r[k++] = y[j++];
            else { r[k++] = x[i++]; j++; }
        }
        while (i < x.Length) r[k++] = x[i++];
        while (j < y.Length) r[k++] = y[j++];
        if (k != r.Length) Array.Resize(ref r, k);
        return new SetV(r, true);
    }
    public override long Size => Elems.Length;
    public override bool Contains(Value v)
    {
        int lo = 0, hi = Elems.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            int c = Elems[mid].CompareTo(v);
            if (c == 0) return true;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return false;
    }
    protected override ulong ComputeHash()
    {
        ulong h = Mix(0x5E7, (ulong)Elems.Length);
        foreach (var e in Elems) h = Mix(h, e.Hash);
        return h;
    }
    public override void Print(StringBuilder sb)
    {
        sb.Append('{');
        for (int i = 0; i < Elems.Length; i++) { if (i > 0) sb.Append(", "); Elems[i].Print(sb); }
        sb.Append('}');
    }
}

public sealed class IntervalV(long lo, long hi) : SetBase
{
    public long Lo { get; } = lo;
    public long Hi { get; } = hi;
    // as TLC's IntervalValue.member: a non-integer is refused only by a non-empty interval ([type |-> "pl"] \in
    // DOMAIN network[n] with network[n] the empty bag <<>>, tlaplus/Examples EWD998PCal)
    public override bool Contains(Value v) => v is IntV i ? i.N >= Lo && i.N <= Hi : v is ModelV || Hi < Lo ? false : throw new EvalError($"Attempted to check if the value {v} is in the integer interval {this}");
    public override IEnumerable<Value> Elements() => ElementsFrom(0);
    public override long IndexedCount => Size;
    public override IEnumerable<Value> ElementsFrom(long from) { for (long i = Lo + from; i <= Hi; i++) yield return IntV.Of(i); }
    public override long Size => Hi < Lo ? 0 : Hi - Lo + 1;
    // kept: an interval that is a constant (Procs == 1..N) is enumerated or normalized on every state otherwise
    // (\A i \in Procs, [Procs -> Nat]); two workers may both build it, with equal elements
    private SetV? _norm;
    public override SetV Normalize() => _norm ??= new(Elements().ToArray(), true);
    public override void Print(StringBuilder sb) { if (Hi < Lo) sb.Append("{}"); else sb.Append(Lo).Append("..").Append(Hi); }
}

/// <summary>Nat, Int, STRING, Seq(S): infinite; membership only.</summary>
public sealed class InfiniteSetV(string name, Func<Value, bool> contains) : SetBase
{
    public string Name { get; } = name;
    public override bool IsFinite => false;
    public override bool Contains(Value v) => contains(v);
    public override IEnumerable<Value> Elements() => throw new EvalError($"Attempted to enumerate the infinite set {Name}");
    public override SetV Normalize() => throw new EvalError($"Attempted to enumerate the infinite set {Name}");
    public override long Size => throw new EvalError($"Attempted to compute the cardinality of the infinite set {Name}");
    protected override ulong ComputeHash() => throw new EvalError($"Attempted to fingerprint the infinite set {Name}");
    protected override int CompareSame(Value o)
    {
        if (o is InfiniteSetV i && i.Name == Name) return 0;
        throw new EvalError($"Attempted to compare the infinite set {Name} with {o}");
    }
    public override void Print(StringBuilder sb) => sb.Append(Name);
}

public sealed class SubsetV(SetBase baseSet) : SetBase
{
    public SetBase Base { get; } = baseSet;
    public override bool IsFinite => Base.IsFinite;
    // as TLC's SubsetValue.member: the elements of v, each a member of Base (Base is never enumerated)
    public override bool Contains(Value v)
    {
        if (v is not SetBase s)
        {
            if (v is ModelV) return false;
            throw new EvalError($"Attempted to check if the non-enumerable value\n{Node.Trunc(v)}\nis element of\n{Node.Trunc(this)}");
        }
        foreach (var e in s.Elements()) if (!Base.Contains(e)) return false;
        return true;
    }
    public override IEnumerable<Value> Elements()
    {
        var b = Base.Normalize().Elems;
        if (b.Length > 30) throw new EvalError($"SUBSET of a set with {b.Length} elements is too large to enumerate");
        // by size then lexicographic, as TLC enumerates SUBSET
        for (int k = 0; k <= b.Length; k++)
            foreach (var comb in Combinations(b.Length, k))
                yield return new SetV(comb.Select(i => b[i]).ToArray(), true);
    }
    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var c = Enumerable.Range(0, k).ToArray();
        if (k > n) yield break;
        while (true)
        {
            yield return (int[])c.Clone();
            int i = k - 1;
            while (i >= 0 && c[i] == n - k + i) i--;
            if (i < 0) yield break;
            c[i]++;
            for (int j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
        }
    }
    public override long Size => 1L << (int)Base.Size;
    public override void Print(StringBuilder sb) { if (LazyOpSetV.Finite(Base)) Normalize().Print(sb); else { sb.Append("SUBSET "); Base.Print(sb); } }
}

/// <summary>UNION S, kept lazy as TLC's UnionValue: membership asks each member set (so UNION {[D -> Int]} and
/// a large UNION {[D -> SUBSET R]} in a type invariant are not enumerated); enumerated only when needed.</summary>
public sealed class UnionV(SetBase outer, SetBase[] sets) : SetBase
{
    public SetBase Outer { get; } = outer;
    private SetV? _norm;
    public override bool IsFinite => sets.All(x => x.IsFinite);
    public override bool Contains(Value v) => sets.Any(x => x.Contains(v));
    public override IEnumerable<Value> Elements() => Normalize().Elems; // distinct, in TLC's order
    public override SetV Normalize() => _norm ??= new SetV(sets.SelectMany(x => x.Elements()).ToArray());
    public override void Print(StringBuilder sb) { if (sets.All(LazyOpSetV.Finite)) Normalize().Print(sb); else { sb.Append("UNION "); Outer.Print(sb); } }
}

public sealed class FcnSetV(SetBase dom, SetBase rng) : SetBase
{
    public SetBase Dom { get; } = dom;
    public SetBase Rng { get; } = rng;
    public override bool IsFinite => Dom.IsFinite && Rng.IsFinite;
    // as TLC's SetOfFcnsValue.member: a non-function is an error; the domain must equal Dom, each value be in
    // Rng (Rng is never enumerated)
    public override bool Contains(Value v)
    {
        if (v is not FcnBase f)
        {
            if (v is ModelV) return false;
            throw new EvalError($"Attempted to check if \n{Node.Trunc(v)}\nwhich is not a TLC function value, is in the set of functions:\n{Node.Trunc(this)}");
        }
        if (Dom is IntervalV iv && f is TupleV t)
        {
            // the tuple's domain 1..n is the interval's when their sizes are equal and it starts at 1
            if (t.Elems.Length != iv.Size || t.Elems.Length > 0 && iv.Lo != 1) return false;
            foreach (var x in t.Elems) if (!Rng.Contains(x)) return false;
            return true;
        }
        var d = Dom.Normalize();
        if (f.Count != d.Elems.Length) return false;
        for (int i = 0; i < f.Count; i++)
        {
            if (!d.Contains(f.KeyAt(i))) return false;
            if (!Rng.Contains(f.ValAt(i))) return false;
        }
        return true;
    }
    public override IEnumerable<Value> Elements() => ElementsFrom(0);
    public override long IndexedCount
    {
        get
        {
            int d = Dom.Normalize().Elems.Length, r = Rng.Normalize().Elems.Length;
            long n = 1;
            for (int i = 0; i < d; i++) { if (n > long.MaxValue / Math.Max(1, r)) return -1; n *= r; }
            return n;
        }
    }
    public override IEnumerable<Value> ElementsFrom(long from)
    {
        var d = Dom.Normalize().Elems;
        var r = Rng.Normalize().Elems;
        if (d.Length == 0) { if (from == 0) yield return TupleV.Empty; yield break; }
        if (r.Length == 0) yield break;
        var idx = RecSetV.Digits(from, Enumerable.Repeat(r.Length, d.Length).ToArray());
        if (idx is null) yield break;
        while (true)
        {
            var vals = new Value[d.Length];
            for (int i = 0; i < d.Length; i++) vals[i] = r[idx[i]];
            yield return FcnBase.Make(d, vals);
            int k = d.Length - 1;
            while (k >= 0 && idx[k] == r.Length - 1) { idx[k] = 0; k--; }
            if (k < 0) yield break;
            idx[k]++;
        }
    }
    public override long Size => (long)Math.Pow(Rng.Size, Dom.Size);
    public override void Print(StringBuilder sb) { if (LazyOpSetV.Finite(Dom) && LazyOpSetV.Finite(Rng)) { Normalize().Print(sb); return; } sb.Append('['); Dom.Print(sb); sb.Append(" -> "); Rng.Print(sb); sb.Append(']'); }
}

public sealed class RecSetV(StrV[] names, SetBase[] sets) : SetBase
{
    public StrV[] Names { get; } = names;
    public SetBase[] Sets { get; } = sets;
    public override bool IsFinite => Sets.All(s => s.IsFinite);
    // as TLC's SetOfRcdsValue.member: a value that is not a record is an error (the empty function is the empty
    // record); the field names must be Names, each field in its set (the sets are never enumerated)
    public override bool Contains(Value v)
    {
        if (v is not FcnBase f || f.Count > 0 && !f.IsRecord())
        {
            if (v is ModelV) return false;
            throw new EvalError($"Attempted to check if non-record\n{Node.Trunc(v)}\nis in the set of records:\n{Node.Trunc(this)}");
        }
        if (f.Count != Names.Length) return false;
        for (int i = 0; i < Names.Length; i++)
        {
            var x = f.Apply(Names[i]);
            if (x is null || !Sets[i].Contains(x)) return false;
        }
        return true;
    }
    public override IEnumerable<Value> Elements() => ElementsFrom(0);
    public override long IndexedCount => Count(Sets.Select(s => s.Normalize().Elems.Length));
    public override IEnumerable<Value> ElementsFrom(long from)
    {
        var order = Enumerable.Range(0, Names.Length).OrderBy(i => Names[i].Tok).ToArray();
        var keys = order.Select(i => (Value)Names[i]).ToArray();
        var sets = order.Select(i => Sets[i].Normalize().Elems).ToArray();
        foreach (var combo in Product(sets, from)) yield return FcnBase.Make(keys, combo);
    }
    /// <summary>The product of the sizes, -1 past a long.</summary>
    internal static long Count(IEnumerable<int> sizes)
    {
        long n = 1;
        foreach (int k in sizes) { if (k > 0 && n > long.MaxValue / k) return -1; n *= k; }
        return n;
    }
    /// <summary>Index from of a product (the last position fastest) as its digits; null past the end.</summary>
    internal static int[]? Digits(long from, int[] radix)
    {
        var idx = new int[radix.Length];
        for (int k = radix.Length - 1; k >= 0; k--) { idx[k] = (int)(from % radix[k]); from /= radix[k]; }
        return from == 0 ? idx : null;
    }
    internal static IEnumerable<Value[]> Product(Value[][] sets, long from = 0)
    {
        if (sets.Any(s => s.Length == 0)) yield break;
        var idx = Digits(from, sets.Select(s => s.Length).ToArray());
        if (idx is null) yield break;
        while (true)
        {
            var vals = new Value[sets.Length];
            for (int i = 0; i < sets.Length; i++) vals[i] = sets[i][idx[i]];
            yield return vals;
            int k = sets.Length - 1;
            while (k >= 0 && idx[k] == sets[k].Length - 1) { idx[k] = 0; k--; }
            if (k < 0) yield break;
            idx[k]++;
        }
    }
    public override long Size => Sets.Aggregate(1L, (a, s) => a * s.Size);
    public override void Print(StringBuilder sb)
    {
        if (Sets.All(LazyOpSetV.Finite)) { Normalize().Print(sb); return; }
        sb.Append('[');
        for (int i = 0; i < Names.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(Names[i].S).Append(" : "); Sets[i].Print(sb); }
        sb.Append(']');
    }
}

public sealed class ProductV(SetBase[] sets) : SetBase
{
    public SetBase[] Sets { get; } = sets;
    public override bool IsFinite => Sets.All(s => s.IsFinite);
    // as TLC's SetOfTuplesValue.member: a function whose domain is not all integers is an error
    public override bool Contains(Value v)
    {
        if (v is LazyFcnV lz) v = lz.Materialize();
        if (v is not TupleV t)
        {
            if (v is ModelV || v is FcnBase f && Enumerable.Range(0, f.Count).All(i => f.KeyAt(i) is IntV)) return false;
            throw new EvalError($"Attempted to check if non-tuple\n{Node.Trunc(v)}\nis in the set of tuples:\n{Node.Trunc(this)}");
        }
        if (t.Elems.Length != Sets.Length) return false;
        for (int i = 0; i < Sets.Length; i++) if (!Sets[i].Contains(t.Elems[i])) return false;
        return true;
    }
    public override IEnumerable<Value> Elements() => ElementsFrom(0);
    public override long IndexedCount => RecSetV.Count(Sets.Select(s => s.Normalize().Elems.Length));
    public override IEnumerable<Value> ElementsFrom(long from) =>
        RecSetV.Product(Sets.Select(s => s.Normalize().Elems).ToArray(), from).Select(v => (Value)new TupleV(v));
    public override long Size => Sets.Aggregate(1L, (a, s) => a * s.Size);
    public override void Print(StringBuilder sb)
    {
        if (Sets.All(LazyOpSetV.Finite)) { Normalize().Print(sb); return; }
        for (int i = 0; i < Sets.Length; i++) { if (i > 0) sb.Append(" \\X "); Sets[i].Print(sb); }
    }
}
