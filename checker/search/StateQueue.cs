namespace NotifierSpec.Checker;

/// <summary>
/// The in-memory queue of one level, serialized: states are encoded into one growing byte buffer (StateBuffer)
/// with a 4-byte offset each, instead of object graphs. States holding values that cannot be encoded (lazy or
/// infinite sets, recursive functions) are kept as objects. The buffer is freed with the queue (at the end of
/// the level), so Bytes is the level's whole size.
/// </summary>
public sealed class StateQueue(Spec spec) : IStateQueue
{
    private readonly StateBuffer _buf = new(1 << 16);
    private readonly List<int> _offsets = [];
    private readonly List<int> _ids = [];
    private readonly Dictionary<int, Value[]> _objects = [];
    private int _head;

    public long Count => _offsets.Count - _head;
    public long Bytes => _buf.Capacity + _offsets.Count * 4L;

    public void Enqueue(Value[] st, int id)
    {
        int start = _buf.Len;
        if (_buf.TryAdd(st)) _offsets.Add(start);
        else
        {
            _objects[_offsets.Count] = st;
            _offsets.Add(-1);
        }
        _ids.Add(id);
    }

    public int Dequeue(Value[][] states, int[] ids)
    {
        int n = (int)Math.Min(states.Length, Count);
        for (int k = 0; k < n; k++, _head++) { states[k] = At(_head); ids[k] = _ids[_head]; }
        return n;
    }

    public IEnumerable<(Value[] State, int Id)> Pending()
    {
        for (int i = _head; i < _offsets.Count; i++) yield return (At(i), _ids[i]);
    }

    private Value[] At(int i)
    {
        if (_offsets[i] < 0) return _objects[i];
        int p = _offsets[i];
        return StateCodec.Read(spec, _buf.Buf, ref p);
    }

    public void Dispose() { }
}
