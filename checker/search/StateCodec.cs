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
    /// <summary>When set (the in-memory queue), a function whose domain is all atoms (or tuples of atoms) is
    /// written as the domain's number in this table and its values (tag 9) instead of its keys and values (tag
    /// 8), and the first atoms met are written as one byte each (their code in the table).</summary>
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
        if (Domains is not null && v is IntV or StrV or ModelV && Domains.Code(v) is byte code) { Put(code); return; }
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
        if (tag >= KeyDomains.FirstCode && domains is not null) return domains.Atom(tag);
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
/// stored in the queue names its domain by number (records of one shape share one entry), and the first atoms
/// (integers, strings, model values) met, each coded as one byte (FirstCode ..; tags 0-9 are the values' and
/// 0xFE the queue's object marker). Only domains whose keys are atoms (booleans, integers, strings, model
/// values) or tuples of atoms are numbered: two such keys are equal exactly when they are written alike. The
/// key arrays and atoms are shared by the values read back (values are immutable).
/// While Deferring (a batch's new states being encoded: StateQueue.BeginBatch), an atom or a domain the table
/// does not have is not given a code or a number: the state is written without it and the atom or domain is
/// noted, and Settle, at the batch's end, numbers the noted ones in an order of their own (atoms by slot,
/// domains by their keys). So what the table holds after a batch, and the queue's size, depend on the states
/// encoded, never on which worker met an atom first: the same at any number of workers.
/// </summary>
public sealed class KeyDomains
{
    /// <summary>The first byte that codes an atom; codes run up to LastCode.</summary>
    public const byte FirstCode = 16, LastCode = 0xFD;

    // looked up by several workers at once (each encoding the new states it found); a new domain or atom code is
    // added under the lock. Keys is read only while no domain is added (the queue being read is no longer written).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Value[], int> _ids = new(new AtomsComparer());
    private readonly List<Value[]> _keys = [];
    private byte[] _codes = new byte[1152 + 64]; // by slot (see Code); 0: no code
    private readonly Value[] _atoms = new Value[LastCode - FirstCode + 1];
    private int _atomCount;
    private long _bytes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Value> _pendingAtoms = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Value[], bool> _pendingDomains = new(new AtomsComparer());
    private readonly bool _plantedNoDefer;

    /// <param name="plantedNoDefer">A planted bug for QueueBytesWorkersTests: Deferring is ignored (codes in the order met).</param>
    public KeyDomains(bool plantedNoDefer = false) => _plantedNoDefer = plantedNoDefer;

    /// <summary>Set while several threads may encode at once: new atoms and domains are noted, numbered by Settle.</summary>
    public bool Deferring
    {
        get => _deferring && !_plantedNoDefer;
        set => _deferring = value;
    }
    private volatile bool _deferring;

    /// <summary>Bytes held: the key arrays' references and the table's entries (estimated at 48 bytes each),
    /// and the atom tables.</summary>
    public long Bytes => _bytes + 8L * _atoms.Length + _codes.Length;

    public Value[] Keys(int id) => _keys[id];

    /// <summary>The atom the byte code stands for.</summary>
    public Value Atom(byte code) => _atoms[code - FirstCode];

    /// <summary>The one-byte code of an integer in -128 .. 1023, a string or a model value (given one while
    /// codes are left), or null. Safe from several threads.</summary>
    public byte? Code(Value v)
    {
        int slot = v switch
        {
            IntV i when i.N >= -128 && i.N < 1024 => (int)i.N + 128,
            StrV s => 1152 + 2 * s.Tok,
            ModelV m => 1153 + 2 * m.Tok,
            _ => -1,
        };
        if (slot < 0) return null;
        var codes = Volatile.Read(ref _codes);
        if (slot < codes.Length && Volatile.Read(ref codes[slot]) is var known and not 0) return known;
        // no code left: no lock either (read again: the last code may have been given since the first read)
        if (Volatile.Read(ref _atomCount) == _atoms.Length)
        {
            codes = Volatile.Read(ref _codes);
            return slot < codes.Length && Volatile.Read(ref codes[slot]) is var last and not 0 ? last : null;
        }
        if (Deferring)
        {
            if (!_pendingAtoms.ContainsKey(slot)) _pendingAtoms.TryAdd(slot, v);
            return null;
        }
        return Give(slot, v);
    }

    private byte? Give(int slot, Value v)
    {
        lock (_keys) // a code is given once, by one worker; readers see it only after its atom is stored
        {
            if (slot >= _codes.Length)
            {
                var grown = new byte[Math.Max(slot + 1, 2 * _codes.Length)];
                _codes.CopyTo(grown, 0);
                Volatile.Write(ref _codes, grown);
            }
            byte c = _codes[slot];
            if (c != 0) return c;
            if (_atomCount == _atoms.Length) return null;
            c = (byte)(FirstCode + _atomCount);
            _atoms[_atomCount] = v;
            Volatile.Write(ref _codes[slot], c);
            Volatile.Write(ref _atomCount, _atomCount + 1); // after the code: a reader that sees the table full sees every code
            return c;
        }
    }

    /// <summary>The domain's number (added if new); null when a key is neither an atom nor a tuple of atoms.
    /// Safe from several threads.</summary>
    public int? Id(Value[] keys)
    {
        foreach (var k in keys) if (!IsKey(k)) return null;
        if (_ids.TryGetValue(keys, out int id)) return id;
        if (Deferring)
        {
            if (!_pendingDomains.ContainsKey(keys)) _pendingDomains.TryAdd(keys, true);
            return null;
        }
        return Number(keys);
    }

    private int Number(Value[] keys)
    {
        lock (_keys)
        {
            int id;
            if (_ids.TryGetValue(keys, out id)) return id;
            id = _keys.Count;
            _keys.Add(keys);
            _bytes += 48 + 8L * keys.Length;
            _ids[keys] = id;
            return id;
        }
    }

    /// <summary>Ends Deferring: the atoms and domains noted meanwhile get their codes and numbers, atoms in the order of
    /// their slots, domains in the order of their keys (KeyOrder). One thread, after the encoding phase.</summary>
    public void Settle()
    {
        _deferring = false;
        if (!_pendingAtoms.IsEmpty)
        {
            foreach (var slot in _pendingAtoms.Keys.Order()) Give(slot, _pendingAtoms[slot]);
            _pendingAtoms.Clear();
        }
        if (!_pendingDomains.IsEmpty)
        {
            foreach (var keys in _pendingDomains.Keys.Order(KeyOrder.Instance)) Number(keys);
            _pendingDomains.Clear();
        }
    }

    private static bool IsAtom(Value k) => k is StrV or ModelV or IntV or BoolV;

    private static bool IsKey(Value k)
    {
        if (IsAtom(k)) return true;
        if (k is not TupleV t) return false;
        foreach (var x in t.Elems) if (!IsAtom(x)) return false;
        return true;
    }

    /// <summary>An order of key arrays that depends on their keys alone: length, then key by key (booleans,
    /// integers, strings and model values by token, tuples element by element).</summary>
    private sealed class KeyOrder : IComparer<Value[]>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(Value[]? a, Value[]? b) => All(a!, b!);

        private static int All(Value[] a, Value[] b)
        {
            if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
            for (int i = 0; i < a.Length; i++)
                if (One(a[i], b[i]) is var c and not 0) return c;
            return 0;
        }

        private static int Kind(Value x) => x switch { BoolV => 0, IntV => 1, StrV => 2, ModelV => 3, _ => 4 };

        private static int One(Value x, Value y) => (x, y) switch
        {
            (BoolV p, BoolV q) => p.B.CompareTo(q.B),
            (IntV i, IntV j) => i.N.CompareTo(j.N),
            (StrV s, StrV t) => s.Tok.CompareTo(t.Tok),
            (ModelV m, ModelV n) => m.Tok.CompareTo(n.Tok),
            (TupleV s, TupleV t) => All(s.Elems, t.Elems),
            _ => Kind(x).CompareTo(Kind(y)),
        };
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
            (TupleV s, TupleV t) => SameAll(s.Elems, t.Elems),
            _ => false,
        };

        private static bool SameAll(Value[] a, Value[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!Same(a[i], b[i])) return false;
            return true;
        }

        private static int Code(Value x) => x switch
        {
            StrV s => s.Tok * 4,
            ModelV m => m.Tok * 4 + 1,
            IntV i => (int)i.N * 4 + 2,
            BoolV b => b.B ? 3 : 7,
            TupleV t => t.Elems.Aggregate(t.Elems.Length * 31 + 11, (h, e) => h * 31 + Code(e)),
            _ => 0,
        };

        public int GetHashCode(Value[] a)
        {
            var h = new HashCode();
            h.Add(a.Length);
            foreach (var x in a) h.Add(Code(x));
            return h.ToHashCode();
        }
    }
}
