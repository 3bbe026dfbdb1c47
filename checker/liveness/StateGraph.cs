using System.Buffers.Binary;
using System.Collections;
using System.Runtime.InteropServices;

namespace NotifierSpec.Checker;

/// <summary>
/// The complete state graph kept for liveness checking: every distinct state, its successors (each once, in the
/// order the search found the steps) and the initial states. In memory, or (with a spill directory, for
/// --max-memory) with the states serialized and the successor lists in two PagedLogs that keep a budget of
/// pages in memory and write the rest to files (TLC: tlc2/tool/liveness/DiskGraph, whose nodes are in a file
/// too); then only each state's two positions (16 bytes), its fingerprint's id (the fingerprint-to-id table)
/// and the states that cannot be serialized stay in memory.
/// </summary>
public sealed class StateGraph : IStateGraphSink, IDisposable
{
    private readonly GraphIds _idOf = new();
    // in memory
    private readonly List<Value[]>? _states;
    private readonly List<int[]>? _succ;
    // spilled
    private readonly TlaSpec? _spec;
    private readonly PagedLog? _stateLog, _succLog;
    private readonly List<long> _statePos = [], _succPos = [];
    private readonly List<Value[]> _objects = [];
    private readonly StateBuffer _buf = new(1 << 10);
    private byte[] _scratch = new byte[1 << 10];
    // the successors of the state whose steps are being told (a state's steps come together)
    private int _from = -1;
    private readonly List<int> _pending = [];

    public List<int> Inits { get; } = [];
    /// <summary>Distinct states so far.</summary>
    public int Count { get; private set; }

    /// <summary>A graph held in memory.</summary>
    public StateGraph() { _states = []; _succ = []; }

    /// <summary>A graph whose states and successor lists keep at most budget bytes of pages of pageBytes in
    /// memory (half each) and spill the rest to files in dir.</summary>
    public StateGraph(TlaSpec spec, string dir, int pageBytes, long budget)
    {
        _spec = spec;
        string name = Guid.NewGuid().ToString("N");
        _stateLog = new PagedLog(Path.Combine(dir, $"graph-{name}.states"), pageBytes, budget / 2);
        _succLog = new PagedLog(Path.Combine(dir, $"graph-{name}.succ"), pageBytes, budget / 2);
    }

    /// <summary>Pages of the graph written to disk so far.</summary>
    public long PagesWritten => (_stateLog?.PagesWritten ?? 0) + (_succLog?.PagesWritten ?? 0);

    /// <summary>Every state by id.</summary>
    public IReadOnlyList<Value[]> States => _states ?? (IReadOnlyList<Value[]>)new StateView(this);

    /// <summary>Every state's successors by id.</summary>
    public IReadOnlyList<int[]> Succ
    {
        get
        {
            Flush();
            return _succ ?? (IReadOnlyList<int[]>)new SuccView(this);
        }
    }

    public void State(int id, long fp, Value[] st, bool initial)
    {
        if (id != Count) throw new InvalidOperationException($"state {id} told as state {Count}");
        _idOf.Add(fp, id);
        if (initial) Inits.Add(id);
        Count++;
        if (_states is not null) { _states.Add(st); _succ!.Add([]); return; }
        _buf.Len = 0;
        int header;
        if (_buf.TryAdd(st)) header = _buf.Len;
        else { header = -(_objects.Count + 1); _objects.Add(st); _buf.Len = 0; }
        Span<byte> h = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(h, header);
        _statePos.Add(_stateLog!.Append(h));
        _stateLog.Append(_buf.Buf.AsSpan(0, _buf.Len));
        _succPos.Add(-1);
    }

    public void Edge(int from, int to, long fp)
    {
        int target = to >= 0 ? to : _idOf.Get(fp);
        if (from != _from) { Flush(); _from = from; }
        if (!_pending.Contains(target)) _pending.Add(target);
    }

    /// <summary>Held in memory: a parallel merge may tell it states and steps (Reserve, StateAt, IdOf, SetSucc).</summary>
    public bool InMemory => _states is not null;

    /// <summary>Before a parallel merge tells n new states (ids Count to Count + n - 1) by StateAt and steps by
    /// SetSucc: the steps told so far stored, room made for the states and their fingerprints.</summary>
    public void Reserve(int n)
    {
        if (_states is null) throw new InvalidOperationException("state graph: spilled");
        Flush();
        _idOf.EnsureRoom(n);
        CollectionsMarshal.SetCount(_states, Count + n);
        CollectionsMarshal.SetCount(_succ!, Count + n);
        Count += n;
    }

    /// <summary>A new state of Reserve's (not initial); from several threads at once for different ids. Then Added
    /// counts them in the fingerprint table.</summary>
    public void StateAt(int id, long fp, Value[] st)
    {
        _idOf.AddConcurrent(fp, id);
        CollectionsMarshal.AsSpan(_states)[id] = st;
        CollectionsMarshal.AsSpan(_succ)[id] = [];
    }

    /// <summary>Counts n states told by StateAt.</summary>
    public void Added(int n) => _idOf.Added(n);

    /// <summary>The id of a state told before (safe while StateAt runs on other threads).</summary>
    public int IdOf(long fp) => _idOf.Get(fp);

    /// <summary>The successors of a state expanded once, each once in the order of its steps; from several threads
    /// at once for different states.</summary>
    public void SetSucc(int from, int[] targets) => CollectionsMarshal.AsSpan(_succ)[from] = targets;

    /// <summary>Stores the successors of the state whose steps were told last.</summary>
    public void Flush()
    {
        if (_from < 0) return;
        int from = _from;
        _from = -1;
        var old = SuccOf(from);
        // steps of a state told twice (not done by the search): the later ones follow the earlier ones
        var all = old.Length == 0 ? [.. _pending] : old.Concat(_pending.Where(t => !old.Contains(t))).ToArray();
        _pending.Clear();
        if (_succ is not null) { _succ[from] = all; return; }
        var bytes = new byte[4 * (all.Length + 1)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, all.Length);
        for (int k = 0; k < all.Length; k++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * (k + 1)), all[k]);
        _succPos[from] = _succLog!.Append(bytes);
    }

    private int[] SuccOf(int s)
    {
        if (_succ is not null) return _succ[s];
        long pos = _succPos[s];
        if (pos < 0) return [];
        Span<byte> h = stackalloc byte[4];
        _succLog!.Read(pos, h);
        int n = BinaryPrimitives.ReadInt32LittleEndian(h);
        var bytes = Scratch(4 * n);
        _succLog.Read(pos + 4, bytes.AsSpan(0, 4 * n));
        var res = new int[n];
        for (int k = 0; k < n; k++) res[k] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * k));
        return res;
    }

    private Value[] StateOf(int s)
    {
        if (_states is not null) return _states[s];
        long pos = _statePos[s];
        Span<byte> h = stackalloc byte[4];
        _stateLog!.Read(pos, h);
        int header = BinaryPrimitives.ReadInt32LittleEndian(h);
        if (header < 0) return _objects[-header - 1];
        var bytes = Scratch(header);
        _stateLog.Read(pos + 4, bytes.AsSpan(0, header));
        int p = 0;
        return StateCodec.Read(_spec!, bytes, ref p);
    }

    private byte[] Scratch(int n)
    {
        if (_scratch.Length < n) _scratch = new byte[Math.Max(n, 2 * _scratch.Length)];
        return _scratch;
    }

    public void Dispose()
    {
        _stateLog?.Dispose();
        _succLog?.Dispose();
    }

    /// <summary>The spilled states, read back (and decoded) on each access.</summary>
    private sealed class StateView(StateGraph g) : IReadOnlyList<Value[]>
    {
        public Value[] this[int index] => (uint)index < (uint)g.Count ? g.StateOf(index) : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => g.Count;
        public IEnumerator<Value[]> GetEnumerator() { for (int s = 0; s < g.Count; s++) yield return g.StateOf(s); }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The spilled successor lists, read back on each access.</summary>
    private sealed class SuccView(StateGraph g) : IReadOnlyList<int[]>
    {
        public int[] this[int index] => (uint)index < (uint)g.Count ? g.SuccOf(index) : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => g.Count;
        public IEnumerator<int[]> GetEnumerator() { for (int s = 0; s < g.Count; s++) yield return g.SuccOf(s); }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
