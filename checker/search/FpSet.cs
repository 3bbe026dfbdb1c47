namespace NotifierSpec.Checker;

/// <summary>An open-addressing set of 64-bit fingerprints (about 16 bytes per state at load 1/2).</summary>
public sealed class FpSet : IFingerprintSet
{
    private long[] _t = new long[1 << 16];
    private int _mask = (1 << 16) - 1;
    public long Count { get; private set; }
    public long Bytes => _t.LongLength * 8;

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    public bool Contains(long fp)
    {
        fp = Norm(fp);
        int i = (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> 32) & _mask;
        while (true)
        {
            long x = _t[i];
            if (x == fp) return true;
            if (x == 0) return false;
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds fp; false if it was present. Not thread-safe (called from the sequential merge).</summary>
    public bool Add(long fp)
    {
        fp = Norm(fp);
        if ((Count + 1) * 2 > _t.Length) Grow();
        int i = (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> 32) & _mask;
        while (true)
        {
            long x = _t[i];
            if (x == fp) return false;
            if (x == 0) { _t[i] = fp; Count++; return true; }
            i = (i + 1) & _mask;
        }
    }

    private void Grow()
    {
        var old = _t;
        _t = new long[old.Length * 2];
        _mask = _t.Length - 1;
        Count = 0;
        foreach (var x in old) if (x != 0) Add(x);
    }

    public IEnumerable<long> All()
    {
        foreach (var x in _t) if (x != 0) yield return x;
    }

    public void Dispose() { }
}
