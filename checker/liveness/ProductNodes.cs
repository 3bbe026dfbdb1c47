namespace NotifierSpec.Checker;

/// <summary>
/// The nodes of the tableau product (a state and a tableau node), numbered 0, 1, ... in the order they were
/// added (breadth-first), each with the node it was reached from: three arrays of ints and an open-addressing
/// table of ids (linear probing, at most half full) whose keys are read back from those arrays, so a node
/// costs 12 bytes plus 8 to 16 of table, where a Dictionary&lt;(int, int), int&gt; took 24 to 48 more.
/// </summary>
public sealed class ProductNodes
{
    private int[] _st = new int[1 << 10], _q = new int[1 << 10], _par = new int[1 << 10];
    private int[] _slots = new int[1 << 11]; // id + 1 of the node hashed here, 0: empty
    private int _n;
    private readonly bool _plantedCollision;

    public ProductNodes() { }
    private ProductNodes(bool plantedCollision) => _plantedCollision = plantedCollision;

    /// <summary>A planted bug for tests (ProductNodesTests), never used otherwise: every node hashes to the same
    /// slot, and a lookup takes the first node with the same state for a hit whatever its tableau node.</summary>
    public static ProductNodes WithPlantedCollisionBug() => new(true);

    public int Count => _n;
    public int State(int u) => _st[u];
    public int Tab(int u) => _q[u];
    /// <summary>The node u was first reached from (-1: a start node).</summary>
    public int Parent(int u) => _par[u];

    /// <summary>The states of the nodes by id (the array may be longer than Count).</summary>
    public int[] StateArray() => _st;
    /// <summary>The tableau nodes of the nodes by id (the array may be longer than Count).</summary>
    public int[] TabArray() => _q;

    /// <summary>No more nodes will be added or looked up: the table of ids is dropped (the nodes stay).</summary>
    public void Seal() => _slots = [];

    /// <summary>Bytes held by the arrays.</summary>
    public long Bytes => 4L * (_st.Length + _q.Length + _par.Length + _slots.Length);

    /// <summary>The id of (s, q), or -1.</summary>
    public int Find(int s, int q)
    {
        if (_slots.Length == 0) throw new InvalidOperationException("the product's table of ids was dropped");
        int mask = _slots.Length - 1;
        for (int i = Hash(s, q) & mask; ; i = (i + 1) & mask)
        {
            int id = _slots[i] - 1;
            if (id < 0) return -1;
            if (_st[id] == s && (_q[id] == q || _plantedCollision)) return id;
        }
    }

    /// <summary>The id of (s, q); when new, it is added with parent par (and added is true).</summary>
    public int Add(int s, int q, int par, out bool added)
    {
        if (_slots.Length == 0) throw new InvalidOperationException("the product's table of ids was dropped");
        int mask = _slots.Length - 1;
        int i = Hash(s, q) & mask;
        for (; ; i = (i + 1) & mask)
        {
            int id = _slots[i] - 1;
            if (id < 0) break;
            if (_st[id] == s && (_q[id] == q || _plantedCollision)) { added = false; return id; }
        }
        int u = _n;
        if (u == _st.Length)
        {
            int cap = checked(2 * u);
            Array.Resize(ref _st, cap); Array.Resize(ref _q, cap); Array.Resize(ref _par, cap);
        }
        _st[u] = s; _q[u] = q; _par[u] = par;
        _n++;
        _slots[i] = u + 1;
        if (2 * _n > _slots.Length) Grow();
        added = true;
        return u;
    }

    private void Grow()
    {
        var slots = new int[checked(2 * _slots.Length)];
        int mask = slots.Length - 1;
        for (int u = 0; u < _n; u++)
        {
            int i = Hash(_st[u], _q[u]) & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = u + 1;
        }
        _slots = slots;
    }

    private int Hash(int s, int q)
    {
        if (_plantedCollision) return 0;
        ulong h = ((ulong)(uint)s << 32 | (uint)q) * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 33);
    }
}
