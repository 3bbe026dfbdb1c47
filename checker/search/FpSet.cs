namespace NotifierSpec.Checker;

/// <summary>
/// An open-addressing set of 64-bit fingerprints (linear probing in one long[]). The table grows by half when
/// three quarters full, so the load stays between 1/2 and 3/4: at most 16 bytes per fingerprint once past the
/// initial table (and about 10.7 just before a growth). The initial table is 1,024 slots (8 KB): with 65,536
/// (512 KB) a model of 4,122 states (Examples' ElevatorSafetySmall) paid 127 bytes per state for the table alone. It never grows past MaxSlots (DiskFpSet's table:
/// when Full, its fingerprints go to the file and it is cleared).
/// </summary>
public sealed class FpSet : IFingerprintSet
{
    private const int Initial = 1 << 10;
    private long[] _t;
    private long _limit;

    public FpSet() : this(Array.MaxLength) { }

    /// <param name="maxSlots">the most slots the table may have (at least 16, at most Array.MaxLength)</param>
    public FpSet(long maxSlots)
    {
        MaxSlots = Math.Clamp(maxSlots, 16, Array.MaxLength);
        _t = new long[Math.Min(Initial, MaxSlots)];
        _limit = _t.LongLength * 3 / 4;
    }

    public long MaxSlots { get; }
    /// <summary>Whether one more fingerprint would need more slots than MaxSlots.</summary>
    public bool Full => Count + 1 > _limit && _t.LongLength >= MaxSlots;
    public long Count { get; private set; }
    public long Bytes => _t.LongLength * 8;

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    /// <summary>The home slot: the fingerprint's mixed high bits scaled to the table's length (any length).</summary>
    private static int Home(long fp, int length) =>
        (int)((((ulong)fp * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)length >> 32);

    private static int Home(long fp, long[] t) => Home(fp, t.Length);

    public bool Contains(long fp)
    {
        fp = Norm(fp);
        var t = _t;
        int i = Home(fp, t);
        while (true)
        {
            long x = t[i];
            if (x == fp) return true;
            if (x == 0) return false;
            if (++i == t.Length) i = 0;
        }
    }

    /// <summary>Adds fp; false if it was present. Not thread-safe (called from the sequential merge).</summary>
    public bool Add(long fp)
    {
        fp = Norm(fp);
        if (Count + 1 > _limit) Grow();
        if (!Insert(_t, fp)) return false;
        Count++;
        return true;
    }

    /// <summary>Makes room for extra more fingerprints (before AddConcurrent: the table does not grow then).</summary>
    public void EnsureRoom(long extra)
    {
        while (Count + extra > _limit && _t.LongLength < MaxSlots) Grow();
        if (Count + extra > _limit) throw new OutOfMemoryException("fingerprint set: more than 2^31 slots");
    }

    /// <summary>Adds fp (false if it was present) from any of several threads at once, while no other method runs
    /// and with room made for it (EnsureRoom); Count is then told by Added.</summary>
    public bool AddConcurrent(long fp)
    {
        fp = Norm(fp);
        var t = _t;
        int i = Home(fp, t);
        while (true)
        {
            long x = Volatile.Read(ref t[i]);
            if (x == 0)
            {
                x = Interlocked.CompareExchange(ref t[i], fp, 0);
                if (x == 0) return true;
            }
            if (x == fp) return false;
            if (++i == t.Length) i = 0;
        }
    }

    /// <summary>Counts n fingerprints added by AddConcurrent.</summary>
    public void Added(long n) => Count += n;

    private static bool Insert(long[] t, long fp)
    {
        int i = Home(fp, t);
        while (true)
        {
            long x = t[i];
            if (x == fp) return false;
            if (x == 0) { t[i] = fp; return true; }
            if (++i == t.Length) i = 0;
        }
    }

    private void Grow()
    {
        var old = _t;
        long len = Math.Min(old.LongLength + old.LongLength / 2, MaxSlots);
        if (len <= old.LongLength) throw new OutOfMemoryException("fingerprint set: more than 2^31 slots");
        var t = new long[len];
        foreach (var x in old) if (x != 0) Insert(t, x);
        _t = t;
        _limit = len * 3 / 4;
    }

    public IEnumerable<long> All()
    {
        foreach (var x in _t) if (x != 0) yield return x;
    }

    /// <summary>The fingerprints, sorted.</summary>
    public long[] Sorted()
    {
        var a = new long[Count];
        int k = 0;
        foreach (var x in _t) if (x != 0) a[k++] = x;
        Array.Sort(a);
        return a;
    }

    /// <summary>Empties the set; the table keeps its size.</summary>
    public void Clear()
    {
        Array.Clear(_t);
        Count = 0;
    }

    public void Dispose() { }
}
