namespace NotifierSpec.Checker;

/// <summary>
/// The state graph's fingerprint-to-id table: open addressing with linear probing in two arrays (fingerprints,
/// ids), grown by half when three quarters full, as FpSet. Filled in order by the serial merge (Add) or by the
/// workers of a parallel merge (AddConcurrent, room made beforehand: the ids are given by the merge's numbering,
/// so the table's contents do not depend on which worker puts a fingerprint first). Get may run on several
/// threads while others AddConcurrent: an entry is never moved, and a fingerprint looked up then was put before.
/// </summary>
public sealed class GraphIds
{
    private long[] _fps = new long[1 << 10];
    private int[] _ids = new int[1 << 10];
    private long _limit = (1 << 10) * 3 / 4;

    public long Count { get; private set; }

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    private static int Home(long fp, int length) =>
        (int)((((ulong)fp * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)length >> 32);

    /// <summary>Gives fp the id (a fingerprint told again keeps its latest id, as a dictionary's indexer).</summary>
    public void Add(long fp, int id)
    {
        if (Count + 1 > _limit) Grow();
        if (Put(_fps, _ids, Norm(fp), id)) Count++;
    }

    /// <summary>Makes room for extra more fingerprints (before AddConcurrent: the table does not grow then).</summary>
    public void EnsureRoom(long extra)
    {
        while (Count + extra > _limit) Grow();
    }

    /// <summary>Gives a fingerprint not in the table its id, from any of several threads at once (with room made by
    /// EnsureRoom, no Add or Grow running); Count is then told by Added.</summary>
    public void AddConcurrent(long fp, int id)
    {
        fp = Norm(fp);
        var fps = _fps;
        int i = Home(fp, fps.Length);
        while (true)
        {
            long x = Volatile.Read(ref fps[i]);
            if (x == 0 && Interlocked.CompareExchange(ref fps[i], fp, 0) == 0) { _ids[i] = id; return; }
            if (x == fp) throw new InvalidOperationException("state graph: a new state's fingerprint has an id");
            if (x != 0 && ++i == fps.Length) i = 0;
        }
    }

    /// <summary>Counts n fingerprints put by AddConcurrent.</summary>
    public void Added(long n) => Count += n;

    /// <summary>The id of a fingerprint in the table.</summary>
    public int Get(long fp)
    {
        fp = Norm(fp);
        var fps = _fps;
        int i = Home(fp, fps.Length);
        while (true)
        {
            long x = fps[i];
            if (x == fp) return _ids[i];
            if (x == 0) throw new KeyNotFoundException($"state graph: no state has the fingerprint {fp}");
            if (++i == fps.Length) i = 0;
        }
    }

    private static bool Put(long[] fps, int[] ids, long fp, int id)
    {
        int i = Home(fp, fps.Length);
        while (true)
        {
            long x = fps[i];
            if (x == fp) { ids[i] = id; return false; }
            if (x == 0) { fps[i] = fp; ids[i] = id; return true; }
            if (++i == fps.Length) i = 0;
        }
    }

    private void Grow()
    {
        int len = checked(_fps.Length + _fps.Length / 2);
        var fps = new long[len];
        var ids = new int[len];
        for (int k = 0; k < _fps.Length; k++)
            if (_fps[k] != 0) Put(fps, ids, _fps[k], _ids[k]);
        _fps = fps; _ids = ids;
        _limit = (long)len * 3 / 4;
    }
}
