namespace NotifierSpec.Checker;

/// <summary>
/// States as bytes (the in-memory queue, the pages of the disk queue, checkpoints): tag bytes, varints and
/// interned string tokens. Values that cannot be encoded (lazy or infinite sets, recursive functions) make
/// TryAdd return false; the caller keeps such a state as an object.
/// </summary>
public sealed class StateBuffer(int capacity)
{
    public byte[] Buf = new byte[capacity];
    public int Len;
    public long Capacity => Buf.LongLength;
    /// <summary>When set (the in-memory queue), a function whose domain is all atoms is written as the domain's
    /// number in this table and its values (tag 9) instead of its keys and values (tag 8).</summary>
    public KeyDomains? Domains;

    /// <summary>Appends st; false (and nothing appended) when one of its values cannot be encoded.</summary>
    public bool TryAdd(Value[] st)
    {
        int start = Len;
        try
        {
            foreach (var v in st) Enc(v);
            return true;
        }
        catch (NotSupportedException)
        {
            Len = start;
            return false;
        }
    }

    public void Put(byte b)
    {
        if (Len == Buf.Length) Array.Resize(ref Buf, Buf.Length * 2);
        Buf[Len++] = b;
    }

    public void PutBytes(byte[] b, int n)
    {
        if (Len + n > Buf.Length) Array.Resize(ref Buf, Math.Max(Buf.Length * 2, Len + n));
        Buffer.BlockCopy(b, 0, Buf, Len, n);
        Len += n;
    }

    public void PutVar(ulong x)
    {
        while (x >= 0x80) { Put((byte)(x | 0x80)); x >>= 7; }
        Put((byte)x);
    }

    private void Enc(Value v)
    {
        switch (v)
        {
            case BoolV b: Put(b.B ? (byte)1 : (byte)0); break;
            case IntV i: Put(2); PutVar((ulong)((i.N << 1) ^ (i.N >> 63))); break;
            case StrV s: Put(3); PutVar((ulong)s.Tok); break;
            case ModelV m: Put(4); PutVar((ulong)m.Tok); break;
            case IntervalV iv: Put(5); PutVar((ulong)((iv.Lo << 1) ^ (iv.Lo >> 63))); PutVar((ulong)((iv.Hi << 1) ^ (iv.Hi >> 63))); break;
            case SetV s: Put(6); PutVar((ulong)s.Elems.Length); foreach (var e in s.Elems) Enc(e); break;
            case TupleV t: Put(7); PutVar((ulong)t.Elems.Length); foreach (var e in t.Elems) Enc(e); break;
            case FcnV f when Domains is not null && Domains.Id(f.Keys) is int d:
                Put(9); PutVar((ulong)d);
                foreach (var x in f.Vals) Enc(x);
                break;
            case FcnV f:
                Put(8); PutVar((ulong)f.Keys.Length);
                foreach (var k in f.Keys) Enc(k);
                foreach (var x in f.Vals) Enc(x);
                break;
            case SetBase sb when sb.IsFinite && sb is not InfiniteSetV:
                Enc(sb.Normalize());
                break;
            default: throw new NotSupportedException();
        }
    }
}

/// <summary>Reads what StateBuffer wrote.</summary>
public static class StateCodec
{
    public static ulong GetVar(byte[] buf, ref int p)
    {
        ulong x = 0; int shift = 0;
        while (true)
        {
            byte b = buf[p++];
            x |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return x;
            shift += 7;
        }
    }

    public static Value[] Read(TlaSpec spec, byte[] buf, ref int p, KeyDomains? domains = null)
    {
        var st = new Value[spec.Vars.Count];
        for (int k = 0; k < st.Length; k++) st[k] = Dec(spec, buf, ref p, domains);
        return st;
    }

    private static long Zig(ulong x) => (long)(x >> 1) ^ -(long)(x & 1);

    private static Value Dec(TlaSpec spec, byte[] buf, ref int p, KeyDomains? domains)
    {
        byte tag = buf[p++];
        switch (tag)
        {
            case 0: return BoolV.False;
            case 1: return BoolV.True;
            case 2: return IntV.Of(Zig(GetVar(buf, ref p)));
            case 3: return spec.Interner.ByToken((int)GetVar(buf, ref p));
            case 4: return spec.ModelValue(spec.Interner.ByToken((int)GetVar(buf, ref p)).S);
            case 5: { long lo = Zig(GetVar(buf, ref p)); long hi = Zig(GetVar(buf, ref p)); return new IntervalV(lo, hi); }
            case 6:
                {
                    int n = (int)GetVar(buf, ref p);
                    if (n == 0) return SetV.Empty;
                    var el = new Value[n];
                    for (int i = 0; i < n; i++) el[i] = Dec(spec, buf, ref p, domains);
                    return new SetV(el, true);
                }
            case 7:
                {
                    int n = (int)GetVar(buf, ref p);
                    if (n == 0) return TupleV.Empty;
                    var el = new Value[n];
                    for (int i = 0; i < n; i++) el[i] = Dec(spec, buf, ref p, domains);
                    return new TupleV(el);
                }
            case 8:
                {
                    int n = (int)GetVar(buf, ref p);
                    var ks = new Value[n]; var vs = new Value[n];
                    for (int i = 0; i < n; i++) ks[i] = Dec(spec, buf, ref p, domains);
                    for (int i = 0; i < n; i++) vs[i] = Dec(spec, buf, ref p, domains);
                    return FcnBase.Make(ks, vs);
                }
            case 9 when domains is not null:
                {
                    var ks = domains.Keys((int)GetVar(buf, ref p));
                    var vs = new Value[ks.Length];
                    for (int i = 0; i < vs.Length; i++) vs[i] = Dec(spec, buf, ref p, domains);
                    return FcnBase.Make(ks, vs);
                }
        }
        throw new InvalidOperationException("corrupt state queue");
    }
}

/// <summary>
/// The domains of the functions of one queue, numbered in order of appearance, so that a record or function
/// stored in the queue names its domain by number (records of one shape share one entry). Only domains of
/// atoms (booleans, integers, strings, model values) are numbered: two such keys are equal exactly when they
/// are written alike. The key arrays are shared by the functions read back (values are immutable).
/// </summary>
public sealed class KeyDomains
{
    // looked up by several workers at once (each encoding the new states it found); a new domain is added under
    // the lock. Keys is read only while no domain is added (the queue being read is no longer written).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Value[], int> _ids = new(new AtomsComparer());
    private readonly List<Value[]> _keys = [];
    private long _bytes;

    /// <summary>Bytes held: the key arrays' references and the table's entries (estimated at 48 bytes each).</summary>
    public long Bytes => _bytes;

    public Value[] Keys(int id) => _keys[id];

    /// <summary>The domain's number (added if new); null when a key is not an atom. Safe from several threads.</summary>
    public int? Id(Value[] keys)
    {
        foreach (var k in keys) if (k is not (StrV or ModelV or IntV or BoolV)) return null;
        if (_ids.TryGetValue(keys, out int id)) return id;
        lock (_keys)
        {
            if (_ids.TryGetValue(keys, out id)) return id;
            id = _keys.Count;
            _keys.Add(keys);
            _bytes += 48 + 8L * keys.Length;
            _ids[keys] = id;
            return id;
        }
    }

    private sealed class AtomsComparer : IEqualityComparer<Value[]>
    {
        public bool Equals(Value[]? a, Value[]? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!Same(a[i], b[i])) return false;
            return true;
        }

        private static bool Same(Value x, Value y) => (x, y) switch
        {
            (StrV s, StrV t) => s.Tok == t.Tok,
            (ModelV m, ModelV n) => m.Tok == n.Tok,
            (IntV i, IntV j) => i.N == j.N,
            (BoolV b, BoolV c) => b.B == c.B,
            _ => false,
        };

        public int GetHashCode(Value[] a)
        {
            var h = new HashCode();
            h.Add(a.Length);
            foreach (var x in a)
                h.Add(x switch { StrV s => s.Tok * 4, ModelV m => m.Tok * 4 + 1, IntV i => (int)i.N * 4 + 2, BoolV b => b.B ? 3 : 7, _ => 0 });
            return h.ToHashCode();
        }
    }
}
