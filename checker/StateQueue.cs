namespace NotifierSpec.Checker;

/// <summary>
/// The BFS queue of one level, serialized: states are encoded into one growing byte buffer (tag bytes,
/// varints, interned string tokens) with a 4-byte offset each, instead of object graphs. States holding
/// values that cannot be encoded (lazy or infinite sets, recursive functions) are kept as objects.
/// </summary>
public sealed class StateQueue(Spec spec)
{
    private byte[] _buf = new byte[1 << 16];
    private int _len;
    private readonly List<int> _offsets = [];
    private readonly Dictionary<int, Value[]> _objects = [];

    public int Count => _offsets.Count;
    public long Bytes => _buf.LongLength + _offsets.Count * 4L;

    public void Add(Value[] st)
    {
        int start = _len;
        try
        {
            foreach (var v in st) Enc(v);
            _offsets.Add(start);
        }
        catch (NotSupportedException)
        {
            _len = start;
            _objects[_offsets.Count] = st;
            _offsets.Add(-1);
        }
    }

    public Value[] this[int i]
    {
        get
        {
            if (_offsets[i] < 0) return _objects[i];
            int p = _offsets[i];
            var st = new Value[spec.Vars.Count];
            for (int k = 0; k < st.Length; k++) st[k] = Dec(ref p);
            return st;
        }
    }

    private void Put(byte b)
    {
        if (_len == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        _buf[_len++] = b;
    }

    private void PutVar(ulong x)
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

    private ulong GetVar(ref int p)
    {
        ulong x = 0; int shift = 0;
        while (true)
        {
            byte b = _buf[p++];
            x |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return x;
            shift += 7;
        }
    }

    private static long Zig(ulong x) => (long)(x >> 1) ^ -(long)(x & 1);

    private Value Dec(ref int p)
    {
        byte tag = _buf[p++];
        switch (tag)
        {
            case 0: return BoolV.False;
            case 1: return BoolV.True;
            case 2: return IntV.Of(Zig(GetVar(ref p)));
            case 3: return spec.Interner.ByToken((int)GetVar(ref p));
            case 4: return spec.ModelValue(spec.Interner.ByToken((int)GetVar(ref p)).S);
            case 5: { long lo = Zig(GetVar(ref p)); long hi = Zig(GetVar(ref p)); return new IntervalV(lo, hi); }
            case 6:
                {
                    int n = (int)GetVar(ref p);
                    if (n == 0) return SetV.Empty;
                    var el = new Value[n];
                    for (int i = 0; i < n; i++) el[i] = Dec(ref p);
                    return new SetV(el, true);
                }
            case 7:
                {
                    int n = (int)GetVar(ref p);
                    if (n == 0) return TupleV.Empty;
                    var el = new Value[n];
                    for (int i = 0; i < n; i++) el[i] = Dec(ref p);
                    return new TupleV(el);
                }
            case 8:
                {
                    int n = (int)GetVar(ref p);
                    var ks = new Value[n]; var vs = new Value[n];
                    for (int i = 0; i < n; i++) ks[i] = Dec(ref p);
                    for (int i = 0; i < n; i++) vs[i] = Dec(ref p);
                    return FcnBase.Make(ks, vs);
                }
        }
        throw new InvalidOperationException("corrupt state queue");
    }
}
