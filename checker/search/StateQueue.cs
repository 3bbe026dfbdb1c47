namespace NotifierSpec.Checker;

/// <summary>
/// The in-memory queue of one level, serialized: each state is its trace id (varint) and its encoding
/// (StateBuffer, with the functions' domains numbered in a KeyDomains table of this queue) appended to a
/// list of 64 KB chunks, read back in order; a chunk is freed as soon as the reader has passed it, so the
/// level being expanded shrinks while the next one grows. States holding values that cannot be encoded
/// (lazy or infinite sets, recursive functions) are kept as objects, named in the stream by a marker.
/// Bytes counts the chunks held, the domain table and the object states' slots.
/// </summary>
public sealed class StateQueue(TlaSpec spec) : IStateQueue
{
    private const int ChunkBytes = 1 << 16;
    private const byte ObjectMarker = 0xFE; // no value's tag: a state's first byte is its first value's tag

    private readonly StateBuffer _enc = new(1 << 10) { Domains = new KeyDomains() };
    private readonly List<byte[]?> _chunks = [];
    private readonly List<int> _used = [];
    private readonly Dictionary<int, Value[]> _objects = [];
    private int _objectCount;
    private long _held;
    private long _enqueued, _dequeued;
    private int _readChunk, _readPos;

    public long Count => _enqueued - _dequeued;
    public long Bytes => _held + _enc.Domains!.Bytes + 16L * _objects.Count;

    public void Enqueue(Value[] st, int id)
    {
        _enc.Len = 0;
        _enc.PutVar((ulong)id);
        int start = _enc.Len;
        if (!_enc.TryAdd(st))
        {
            _enc.Put(ObjectMarker);
            _enc.PutVar((ulong)_objectCount);
            _objects[_objectCount++] = st;
        }
        else if (_enc.Buf[start] == ObjectMarker) throw new InvalidOperationException("state tag clashes with the object marker");
        Append(_enc.Buf, _enc.Len);
        _enqueued++;
    }

    private void Append(byte[] b, int n)
    {
        int last = _chunks.Count - 1;
        if (last < 0 || _chunks[last] is not { } chunk || chunk.Length - _used[last] < n)
        {
            chunk = new byte[Math.Max(ChunkBytes, n)];
            _chunks.Add(chunk); _used.Add(0); _held += chunk.Length;
            last++;
        }
        Buffer.BlockCopy(b, 0, chunk, _used[last], n);
        _used[last] += n;
    }

    public int Dequeue(Value[][] states, int[] ids)
    {
        int n = (int)Math.Min(states.Length, Count);
        for (int k = 0; k < n; k++)
        {
            if (_readPos == _used[_readChunk])
            {
                _held -= _chunks[_readChunk]!.Length;
                _chunks[_readChunk] = null;
                _readChunk++; _readPos = 0;
            }
            (states[k], ids[k]) = Read(_chunks[_readChunk]!, ref _readPos, take: true);
            _dequeued++;
        }
        return n;
    }

    private (Value[], int) Read(byte[] chunk, ref int p, bool take)
    {
        int id = (int)StateCodec.GetVar(chunk, ref p);
        if (chunk[p] == ObjectMarker)
        {
            p++;
            int o = (int)StateCodec.GetVar(chunk, ref p);
            var st = _objects[o];
            if (take) _objects.Remove(o);
            return (st, id);
        }
        return (StateCodec.Read(spec, chunk, ref p, _enc.Domains), id);
    }

    public IEnumerable<(Value[] State, int Id)> Pending()
    {
        int c = _readChunk, p = _readPos;
        for (long i = _dequeued; i < _enqueued; i++)
        {
            if (p == _used[c]) { c++; p = 0; }
            yield return Read(_chunks[c]!, ref p, take: false);
        }
    }

    public void Dispose() { }
}
