namespace NotifierSpec.Checker;

/// <summary>
/// The search's record of every distinct state: its fingerprint and the state it was first reached from
/// (TLC: tlc2/tool/TLCTrace). Ids are given in the order states are found (breadth-first); a behaviour to a
/// state is rebuilt from these by re-running Init and Next and matching fingerprints, as TLC does.
/// </summary>
public sealed class TraceStore(Spec spec, Fingerprinter fingerprint)
{
    private readonly List<long> _fps = [];
    private readonly List<int> _parent = [];

    public int Count => _fps.Count;
    /// <summary>The breadth-first level of the state found last (the search's depth so far).</summary>
    public int LastLevel { get; private set; }
    /// <summary>Each state's parent id (-1: an initial state).</summary>
    public List<int> Parents => _parent;
    public IReadOnlyList<long> Fingerprints => _fps;

    public int Add(long fp, int parent, int level)
    {
        _fps.Add(fp); _parent.Add(parent); LastLevel = level;
        return _fps.Count - 1;
    }

    /// <summary>The behaviour from an initial state to state id.</summary>
    public List<TraceStep> Behaviour(Ctx c, int id)
    {
        var path = new List<int>();
        for (int x = id; x >= 0; x = _parent[x]) path.Add(x);
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
        foreach (var st in found) if (fingerprint.Of(c, st) == _fps[path[0]]) { cur = st; break; }
        if (cur is null) throw new EvalError("internal: could not reconstruct the initial state of the trace");
        trace.Add(new TraceStep(1, "<Initial predicate>", cur));
        for (int k = 1; k < path.Count; k++)
        {
            long want = _fps[path[k]];
            Value[]? nextSt = null; string act = "?";
            foreach (var a in spec.Actions)
            {
                c.Cur = cur; c.Nxt = new Value?[spec.Vars.Count]; c.Level = k;
                Value[]? hit = null;
                Enumerator.Enum(c, a.Node, a.Env, () =>
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
        w.Write(_fps.Count); w.Write(LastLevel);
        for (int i = 0; i < _fps.Count; i++) { w.Write(_fps[i]); w.Write(_parent[i]); }
    }

    /// <summary>Reads what Write wrote into this (empty) store.</summary>
    public void Read(BinaryReader r)
    {
        int n = r.ReadInt32(); LastLevel = r.ReadInt32();
        _fps.Capacity = n; _parent.Capacity = n;
        for (int i = 0; i < n; i++) { _fps.Add(r.ReadInt64()); _parent.Add(r.ReadInt32()); }
    }
}
