namespace NotifierSpec.Checker;

/// <summary>
/// What the search tells liveness checking about the state graph as it finds it (TLC: the behavior graph
/// tlc2/tool/liveness/ILiveCheck.addInitState / addNextState is fed by the workers). States are numbered as
/// the search numbers them (its trace ids, in breadth-first order); the search calls State before any Edge
/// that ends in it. Without temporal properties the search is given NoStateGraph.
/// </summary>
public interface IStateGraphSink
{
    /// <summary>A new distinct state (initial: one of the initial states).</summary>
    void State(int id, long fp, Value[] st, bool initial);

    /// <summary>A step from state from to a state in the model: to is its id when the step found it first,
    /// else -1 and fp names the state found before.</summary>
    void Edge(int from, int to, long fp);
}

/// <summary>The sink of a run without temporal properties: nothing is kept.</summary>
public sealed class NoStateGraph : IStateGraphSink
{
    public static readonly NoStateGraph Instance = new();
    private NoStateGraph() { }
    public void State(int id, long fp, Value[] st, bool initial) { }
    public void Edge(int from, int to, long fp) { }
}
