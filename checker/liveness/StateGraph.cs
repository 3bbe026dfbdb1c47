namespace NotifierSpec.Checker;

/// <summary>The complete state graph kept for liveness checking: every distinct state, its successors
/// (each once, in the order the search found the steps) and the initial states.</summary>
public sealed class StateGraph : IStateGraphSink
{
    private readonly Dictionary<long, int> _idOf = [];
    public List<Value[]> States { get; } = [];
    public List<List<int>> Succ { get; } = [];
    public List<int> Inits { get; } = [];

    public void State(int id, long fp, Value[] st, bool initial)
    {
        States.Add(st); Succ.Add([]); _idOf[fp] = id;
        if (initial) Inits.Add(id);
    }

    public void Edge(int from, int to, long fp)
    {
        int target = to >= 0 ? to : _idOf[fp];
        if (!Succ[from].Contains(target)) Succ[from].Add(target);
    }
}
