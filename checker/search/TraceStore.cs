namespace NotifierSpec.Checker;

/// <summary>
/// The search's record of every distinct state: its fingerprint and the state it was first reached from
/// (TLC: tlc2/tool/TLCTrace). Ids are given in the order states are found (breadth-first); a behaviour to a
/// state is rebuilt from these by re-running Init and Next and matching fingerprints, as TLC does. In memory,
/// or (with a file, for --max-memory) appended to a file of 12-byte records as TLC's trace file.
/// </summary>
public sealed class TraceStore(TlaSpec spec, Fingerprinter fingerprint, string? file = null) : IDisposable
{
    private const int Record = 12;
    private readonly List<long> _fps = [];
    private readonly List<int> _parent = [];
    private readonly FileStream? _file = file is null ? null : new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    private int _count;

    public int Count => _count;
    /// <summary>The breadth-first level of the state found last (the search's depth so far).</summary>
    public int LastLevel { get; private set; }
    /// <summary>Each state's parent id (-1: an initial state); in memory only (liveness).</summary>
    public List<int> Parents => _file is null ? _parent : throw new InvalidOperationException("the trace is on disk");
    /// <summary>Each state's fingerprint; in memory only (liveness).</summary>
    public IReadOnlyList<long> Fingerprints => _file is null ? _fps : throw new InvalidOperationException("the trace is on disk");

    public int Add(long fp, int parent, int level)
    {
        if (_file is null) { _fps.Add(fp); _parent.Add(parent); }
        else
        {
            Span<byte> b = stackalloc byte[Record];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b, fp);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b[8..], parent);
            _file.Write(b);
        }
        LastLevel = level;
        return _count++;
    }

    /// <summary>Ids for n new states of the given level, the first returned; each is then given its fingerprint
    /// and parent by Set (in memory only).</summary>
    public int Reserve(int n, int level)
    {
        if (_file is not null) throw new InvalidOperationException("the trace is on disk");
        int first = _count;
        if (n == 0) return first;
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(_fps, first + n);
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(_parent, first + n);
        _count += n;
        LastLevel = level;
        return first;
    }

    /// <summary>The fingerprint and parent of a reserved id; safe from several threads at once for different ids.</summary>
    public void Set(int id, long fp, int parent)
    {
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fps)[id] = fp;
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_parent)[id] = parent;
    }

    private (long Fp, int Parent) At(int id)
    {
        if (_file is null) return (_fps[id], _parent[id]);
        _file.Flush();
        Span<byte> b = stackalloc byte[Record];
        int read = 0;
        while (read < Record) read += RandomAccess.Read(_file.SafeFileHandle, b[read..], (long)id * Record + read);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(b), System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b[8..]));
    }

    public void Dispose() => _file?.Dispose();

    /// <summary>The behaviour from an initial state to state id.</summary>
    public List<TraceStep> Behaviour(Ctx c, int id)
    {
        var path = new List<int>();
        for (int x = id; x >= 0; x = At(x).Parent) path.Add(x);
        path.Reverse();
        var trace = new List<TraceStep>();
        // initial state
        Value[]? cur = null;
        c.InInit = true;
        c.Cur = new Value?[spec.Vars.Count]; c.Nxt = null;
        var found = new List<Value[]>();
        Enumerator.Enum(c, spec.Init, null, () => found.Add((Value[])c.Cur.Clone()!), true);
        c.InInit = false;
        c.Level = 1;
        foreach (var st in found) if (fingerprint.Of(c, st) == At(path[0]).Fp) { cur = st; break; }
        if (cur is null) throw new EvalError("internal: could not reconstruct the initial state of the trace");
        trace.Add(new TraceStep(1, "<Initial predicate>", cur));
        for (int k = 1; k < path.Count; k++)
        {
            long want = At(path[k]).Fp;
            Value[]? nextSt = null; string act = "?";
            foreach (var a in spec.Actions)
            {
                c.Cur = cur; c.Nxt = new Value?[spec.Vars.Count]; c.Level = k;
                Value[]? hit = null;
                Enumerator.Enum(c, a.Run, a.RunEnv, () =>
                {
                    if (hit is not null) return;
                    var t = (Value[])c.Nxt!.Clone()!;
                    var save = c.Cur;
                    c.Level = k + 1;
                    if (fingerprint.Of(c, t) == want) hit = t;
                    c.Cur = save; c.Level = k;
                }, false);
                if (hit is not null) { nextSt = hit; act = a.Describe; break; }
            }
            if (nextSt is null) throw new EvalError("internal: could not reconstruct a step of the trace");
            trace.Add(new TraceStep(k + 1, act, nextSt));
            cur = nextSt;
        }
        return trace;
    }

    /// <summary>Writes the fingerprints, parents and last level (a checkpoint).</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(_count); w.Write(LastLevel);
        for (int i = 0; i < _count; i++) { var (fp, parent) = At(i); w.Write(fp); w.Write(parent); }
    }

    /// <summary>Reads what Write wrote into this (empty) store.</summary>
    public void Read(BinaryReader r)
    {
        int n = r.ReadInt32(); int level = r.ReadInt32();
        for (int i = 0; i < n; i++) Add(r.ReadInt64(), r.ReadInt32(), level);
        LastLevel = level;
    }
}
