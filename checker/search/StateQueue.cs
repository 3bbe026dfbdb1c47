namespace NotifierSpec.Checker;

/// <summary>
/// The in-memory queue of one level, serialized: each state is a record (its trace id and the length of its
/// encoding as varints, then the encoding: StateBuffer, with the functions' domains numbered in a KeyDomains
/// table of this queue) appended to a list of chunks (the first 1 KB, each next one twice the last, up to 64 KB,
/// so that a small level does not hold 64 KB), read back in order; a chunk is freed as soon as
/// the reader has passed it, so the level being expanded shrinks while the next one grows. States holding
/// values that cannot be encoded (lazy or infinite sets, recursive functions) are kept as objects, named in
/// the stream by a marker. Bytes counts the chunks held, the domain table and the object states' slots.
/// The search's parallel merge has its workers encode records (EncodeRecord, safe from several threads at
/// once) and appends them in order (AppendRecords); it takes records out without decoding them (DequeueRaw)
/// and has its workers decode them (Decode), the length telling where the next record starts.
/// </summary>
public sealed class StateQueue(TlaSpec spec) : IStateQueue
{
    private const int ChunkBytes = 1 << 16, FirstChunkBytes = 1 << 10;
    private const byte ObjectMarker = 0xFE; // no value's tag: a state's first byte is its first value's tag

    private readonly KeyDomains _domains = new();
    private readonly StateBuffer _enc = new(1 << 10), _state = new(1 << 10);
    private readonly List<byte[]?> _chunks = [];
    private readonly List<int> _used = [];
    private readonly Dictionary<int, Value[]> _objects = []; // by the state's id
    private long _held;
    private int _nextChunk = FirstChunkBytes;
    private long _enqueued, _dequeued;
    private int _readChunk, _readPos;

    public long Count => _enqueued - _dequeued;
    public long Bytes => _held + _domains.Bytes + 16L * _objects.Count;

    /// <summary>A buffer for EncodeRecord (one per thread).</summary>
    public StateBuffer NewBuffer() => new(1 << 12) { Domains = _domains };

    /// <summary>Before a batch's new states are encoded (by the parallel merge's workers at once, or by the serial merge
    /// in order): the atoms and domains met that the queue's table does not have are numbered at EndBatch, in an order
    /// of their own (KeyDomains.Deferring), so the queue's bytes depend neither on the threads' timing nor on which
    /// merge ran.</summary>
    public void BeginBatch() => _domains.Deferring = true;

    public void EndBatch() => _domains.Settle();

    public void Enqueue(Value[] st, int id)
    {
        _enc.Len = 0;
        _state.Domains = _domains;
        EncodeRecord(_enc, _state, st, id);
        Append(_enc.Buf, 0, _enc.Len);
        _enqueued++;
    }

    /// <summary>Appends st's record (id, length, encoding) to output; state is a scratch buffer of this queue
    /// (NewBuffer). Safe from several threads at once, each with its own buffers.</summary>
    public void EncodeRecord(StateBuffer output, StateBuffer state, Value[] st, int id)
    {
        state.Len = 0;
        if (!state.TryAdd(st))
        {
            // kept as an object, found again by the record's id
            lock (_objects) _objects.Add(id, st);
            state.Put(ObjectMarker);
        }
        else if (state.Buf[0] == ObjectMarker) throw new InvalidOperationException("state tag clashes with the object marker");
        output.PutVar((ulong)id);
        output.PutVar((ulong)state.Len);
        output.PutBytes(state.Buf, state.Len);
    }

    /// <summary>Appends count records that EncodeRecord wrote to b, in their order.</summary>
    public void AppendRecords(StateBuffer b, int count)
    {
        int p = 0;
        for (int k = 0; k < count; k++)
        {
            int start = p;
            StateCodec.GetVar(b.Buf, ref p);
            int len = (int)StateCodec.GetVar(b.Buf, ref p);
            p += len;
            Append(b.Buf, start, p - start);
        }
        if (p != b.Len) throw new InvalidOperationException("state queue: records do not fill the buffer");
        _enqueued += count;
    }

    private void Append(byte[] b, int from, int n)
    {
        int last = _chunks.Count - 1;
        if (last < 0 || _chunks[last] is not { } chunk || chunk.Length - _used[last] < n)
        {
            chunk = new byte[Math.Max(_nextChunk, n)];
            _nextChunk = Math.Min(_nextChunk * 2, ChunkBytes);
            _chunks.Add(chunk); _used.Add(0); _held += chunk.Length;
            last++;
        }
        Buffer.BlockCopy(b, from, chunk, _used[last], n);
        _used[last] += n;
    }

    public int Dequeue(Value[][] states, int[] ids)
    {
        var bufs = new byte[]?[states.Length];
        var offs = new int[states.Length];
        int n = DequeueRaw(bufs, offs, states, ids);
        for (int k = 0; k < n; k++) states[k] ??= Decode(bufs[k]!, offs[k]);
        return n;
    }

    /// <summary>Takes up to ids.Length records out of the queue, oldest first, without decoding them: record k
    /// is at bufs[k], offs[k] (Decode), or, kept as an object, states[k] (bufs[k] null). Returns how many.</summary>
    public int DequeueRaw(byte[]?[] bufs, int[] offs, Value[]?[] states, int[] ids)
    {
        int n = (int)Math.Min(ids.Length, Count);
        for (int k = 0; k < n; k++)
        {
            if (_readPos == _used[_readChunk])
            {
                _held -= _chunks[_readChunk]!.Length;
                _chunks[_readChunk] = null;
                _readChunk++; _readPos = 0;
            }
            var chunk = _chunks[_readChunk]!;
            ids[k] = (int)StateCodec.GetVar(chunk, ref _readPos);
            int len = (int)StateCodec.GetVar(chunk, ref _readPos);
            if (chunk[_readPos] == ObjectMarker)
            {
                states[k] = _objects[ids[k]];
                _objects.Remove(ids[k]);
                bufs[k] = null;
            }
            else { states[k] = null; bufs[k] = chunk; offs[k] = _readPos; }
            _readPos += len;
            _dequeued++;
        }
        return n;
    }

    /// <summary>The state whose encoding starts at buf[off] (DequeueRaw). Safe from several threads at once.</summary>
    public Value[] Decode(byte[] buf, int off) => StateCodec.Read(spec, buf, ref off, _domains);

    private (Value[], int) Peek(byte[] chunk, ref int p)
    {
        int id = (int)StateCodec.GetVar(chunk, ref p);
        int len = (int)StateCodec.GetVar(chunk, ref p);
        int start = p;
        p += len;
        if (chunk[start] == ObjectMarker) return (_objects[id], id);
        return (Decode(chunk, start), id);
    }

    public IEnumerable<(Value[] State, int Id)> Pending()
    {
        int c = _readChunk, p = _readPos;
        for (long i = _dequeued; i < _enqueued; i++)
        {
            if (p == _used[c]) { c++; p = 0; }
            yield return Peek(_chunks[c]!, ref p);
        }
    }

    public void Dispose() { }
}
