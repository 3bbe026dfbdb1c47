namespace NotifierSpec.Checker;

/// <summary>
/// The fingerprint of a state as TLC computes which states are the same: the VIEW's value when the cfg has a
/// VIEW, else the smallest state under the SYMMETRY permutations when it has one, else the state itself
/// (TLC: tlc2/tool/TLCState.fingerPrint, TLCStateMut with its MVPerm[]).
/// </summary>
public sealed class Fingerprinter
{
    private readonly TlaSpec _spec;
    private readonly Value?[][]? _perms; // the group without the identity, as token tables

    /// <summary>Evaluates the SYMMETRY set (in c, before any state exists) into its permutation group.</summary>
    public Fingerprinter(TlaSpec spec, Ctx c)
    {
        _spec = spec;
        if (spec.Symmetry is null) return;
        var sv = spec.Symmetry.EvalSet(c, null);
        var gens = new List<Dictionary<Value, Value>>();
        foreach (var p in sv.Normalize().Elems)
        {
            if (p is not FcnBase f) throw new EvalError($"SYMMETRY {spec.Config.Symmetry!.Value.Name} must be a set of permutations (functions)") { Where = spec.Symmetry.Loc };
            var map = new Dictionary<Value, Value>();
            for (int i = 0; i < f.Count; i++) map[f.KeyAt(i)] = f.ValAt(i);
            gens.Add(map);
        }
        _perms = Group(gens).Select(Table).Where(t => t.Any(x => x is not null)).ToArray();
        _imagesKept = Math.Max(64, ImagesKept / Math.Max(1, _perms.Length));
        int np = _perms.Length + 1;
        _acc = new(() => new ulong[np]);
    }

    public long Of(Ctx c, Value[] st)
    {
        if (_spec.View is not null)
        {
            var saved = c.Cur; c.Cur = st;
            try { return (long)_spec.View.Eval(c, null).Hash; } finally { c.Cur = saved; }
        }
        return _perms is not null ? Symmetric(st) : Hash(st);
    }

    private static long Hash(Value[] st)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var v in st) h = Value.Mix(h, v.Hash);
        return (long)h;
    }

    /// <summary>The fingerprint of st's orbit under the SYMMETRY group: the smallest, over the group's permutations
    /// (the identity included), of the permuted state's orbit hash. TLC fingerprints the smallest permuted state
    /// in its value order instead (tlc2/tool/TLCStateMut.fingerPrint); both are functions of the orbit alone, so
    /// two states get one fingerprint exactly when TLC's does (up to hash collisions, as for any fingerprint):
    /// the same distinct states, counts, depth and traces. The orbit hash needs no permuted state: a set's and a
    /// function's hash is a sum over its elements (pairs), independent of their order, and the hashes of a set's
    /// elements under every permutation are kept per element object (a state's successors share its elements).</summary>
    private long Symmetric(Value[] st)
    {
        int n = st.Length, np = _perms!.Length + 1;
        var cache = _images.Value!;
        var acc = _acc!.Value!;
        Array.Fill(acc, 0xCBF29CE484222325UL);
        for (int i = 0; i < n; i++)
        {
            var h = OrbitHashes(st[i], cache);
            for (int k = 0; k < np; k++) acc[k] = Value.Mix(acc[k], h[k]);
        }
        ulong min = acc[0];
        for (int k = 1; k < np; k++) if (acc[k] < min) min = acc[k];
        return (long)min;
    }

    /// <summary>v's orbit hash under each permutation (index 0: the identity, k: _perms[k - 1]); kept for sets and
    /// their elements, by object.</summary>
    private ulong[] OrbitHashes(Value v, Dictionary<Value, ulong[]> cache)
    {
        if (cache.TryGetValue(v, out var h)) return h;
        int np = _perms!.Length + 1;
        h = new ulong[np];
        switch (v)
        {
            case SetBase sb when sb is SetV || sb.IsFinite:
                {
                    var e = sb.Normalize().Elems;
                    foreach (var x in e)
                    {
                        var hx = OrbitHashes(x, cache);
                        for (int k = 0; k < np; k++) h[k] += Spread(hx[k]);
                    }
                    for (int k = 0; k < np; k++) h[k] = Value.Mix(0x5E7 ^ (ulong)e.Length << 8, h[k]);
                    break;
                }
            default:
                for (int k = 0; k < np; k++) h[k] = OrbitHash(v, k == 0 ? null : _perms[k - 1], cache);
                break;
        }
        if (cache.Count >= _imagesKept) cache.Clear();
        cache[v] = h;
        return h;
    }

    /// <summary>v's orbit hash under one permutation (null: the identity): atoms as their image's Hash, a function
    /// (tuples and records too) as the sum over its pairs, a set as the sum over its elements: equal values, in
    /// whatever representation, hash alike.</summary>
    private ulong OrbitHash(Value v, Value?[]? map, Dictionary<Value, ulong[]> cache)
    {
        switch (v)
        {
            case ModelV m: return map is not null && m.Tok < map.Length && map[m.Tok] is { } r ? r.Hash : m.Hash;
            case SetBase sb when sb is SetV || sb.IsFinite:
                {
                    var e = sb.Normalize().Elems;
                    ulong h = 0;
                    foreach (var x in e) h += Spread(OrbitHash(x, map, cache));
                    return Value.Mix(0x5E7 ^ (ulong)e.Length << 8, h);
                }
            case FcnBase f:
                {
                    ulong h = 0;
                    for (int i = 0; i < f.Count; i++)
                        h += Spread(Value.Mix(OrbitHash(f.KeyAt(i), map, cache) ^ 0xF4, OrbitHash(f.ValAt(i), map, cache)));
                    return Value.Mix(0xF4F ^ (ulong)f.Count << 8, h);
                }
            default: return v.Hash;
        }
    }

    /// <summary>A bijective 64-bit finalizer (splitmix64's), so that sums of element hashes stay well spread.</summary>
    private static ulong Spread(ulong x)
    {
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27; x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    /// <summary>The permutation group generated by the SYMMETRY set (TLC's MVPerm.permutationSubgroup).</summary>
    private static List<Dictionary<Value, Value>> Group(List<Dictionary<Value, Value>> gens)
    {
        static string Key(Dictionary<Value, Value> m) => string.Join(";", m.Where(kv => !kv.Key.Equals(kv.Value)).OrderBy(kv => kv.Key).Select(kv => kv.Key + ">" + kv.Value));
        var seen = new Dictionary<string, Dictionary<Value, Value>>();
        var queue = new Queue<Dictionary<Value, Value>>();
        foreach (var g in gens) if (seen.TryAdd(Key(g), g)) queue.Enqueue(g);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            foreach (var g in gens)
            {
                var comp = new Dictionary<Value, Value>();
                foreach (var k in a.Keys.Union(g.Keys))
                {
                    var x = g.TryGetValue(k, out var gx) ? gx : k;
                    comp[k] = a.TryGetValue(x, out var ax) ? ax : x;
                }
                if (seen.TryAdd(Key(comp), comp)) queue.Enqueue(comp);
                if (seen.Count > 100000) throw new EvalError("SYMMETRY group too large");
            }
        }
        return seen.Values.ToList();
    }

    /// <summary>Per worker: the orbit hashes of set-valued variables and their elements, by object. The
    /// successors of a state share its elements (S \cup {m} keeps S's), so each element is hashed once for all of
    /// them; emptied when it holds _imagesKept values (ImagesKept hashes in all: 910 values for 144 permutations,
    /// 64 at least).</summary>
    private readonly ThreadLocal<Dictionary<Value, ulong[]>> _images = new(() => new(ReferenceEqualityComparer.Instance));
    private const int ImagesKept = 1 << 17;
    /// <summary>Per worker: the orbit hashes of the state being fingerprinted, one per permutation.</summary>
    private readonly ThreadLocal<ulong[]>? _acc;
    private readonly int _imagesKept;

    /// <summary>A permutation as a table from a model value's token to its image (null: not moved).</summary>
    private static Value?[] Table(Dictionary<Value, Value> map)
    {
        int max = -1;
        foreach (var k in map.Keys) if (k is ModelV m) max = Math.Max(max, m.Tok);
        var t = new Value?[max + 1];
        foreach (var (k, v) in map) if (k is ModelV m && !ReferenceEquals(k, v)) t[m.Tok] = v;
        return t;
    }
}
