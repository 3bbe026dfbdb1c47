namespace NotifierSpec.Checker;

/// <summary>
/// A state queue that spills to disk (TLC: tlc2/tool/queue/DiskStateQueue): states are written, serialized,
/// into pages of about pageBytes; a full page stays in memory while the queue's pages fit in budget bytes and
/// is written to a file of dir otherwise. Pages are read back, and their files deleted, in order. A record is
/// the state's id (varint, low bit: kept as an object) and the state; states that cannot be serialized (lazy or
/// infinite sets, recursive functions) stay in memory as objects.
/// </summary>
public sealed class DiskStateQueue(TlaSpec spec, string dir, int pageBytes, long budget) : IStateQueue
{
    private sealed class Page
    {
        public byte[]? Bytes;  // in memory, or null when in File
        public string? File;
        public int Count;
    }

    private readonly string _name = Guid.NewGuid().ToString("N");
    private readonly Queue<Page> _full = new();
    private StateBuffer _write = new(pageBytes + 1024);
    private int _writeCount;
    private byte[] _read = [];
    private int _readPos, _readLeft;
    private readonly Dictionary<long, Value[]> _objects = [];
    private long _objectSeq;
    private long _inMemory;

    public long Count { get; private set; }
    public long Bytes => _write.Capacity + _read.LongLength + _inMemory;
    /// <summary>Pages written to files so far.</summary>
    public long PagesWritten { get; private set; }

    public void Enqueue(Value[] st, int id)
    {
        int start = _write.Len;
        _write.PutVar((ulong)id << 1);
        if (!_write.TryAdd(st))
        {
            _write.Len = start;
            _write.PutVar(((ulong)id << 1) | 1);
            _write.PutVar((ulong)_objectSeq);
            _objects[_objectSeq++] = st;
        }
        _writeCount++;
        Count++;
        if (_write.Len >= pageBytes) Seal();
    }

    private void Seal()
    {
        var page = new Page { Count = _writeCount };
        if (_inMemory + _write.Capacity <= budget)
        {
            page.Bytes = _write.Buf;
            _inMemory += _write.Capacity;
        }
        else
        {
            page.File = Path.Combine(dir, $"queue-{_name}-{PagesWritten + 1}.page");
            using (var f = new FileStream(page.File, FileMode.CreateNew, FileAccess.Write)) f.Write(_write.Buf, 0, _write.Len);
            PagesWritten++;
        }
        _full.Enqueue(page);
        _write = new StateBuffer(pageBytes + 1024);
        _writeCount = 0;
    }

    public int Dequeue(Value[][] states, int[] ids)
    {
        int n = 0;
        while (n < states.Length && Count > 0)
        {
            if (_readLeft == 0) NextPage();
            (states[n], ids[n]) = ReadRecord(_read, ref _readPos);
            _readLeft--; Count--; n++;
        }
        return n;
    }

    private void NextPage()
    {
        if (_full.TryDequeue(out var page))
        {
            if (page.Bytes is { } b) { _read = b; _inMemory -= b.LongLength; }
            else { _read = File.ReadAllBytes(page.File!); File.Delete(page.File!); }
            _readLeft = page.Count;
        }
        else
        {
            _read = _write.Buf; _readLeft = _writeCount;
            _write = new StateBuffer(pageBytes + 1024); _writeCount = 0;
        }
        _readPos = 0;
    }

    private (Value[], int) ReadRecord(byte[] buf, ref int p)
    {
        ulong head = StateCodec.GetVar(buf, ref p);
        int id = (int)(head >> 1);
        if ((head & 1) == 0) return (StateCodec.Read(spec, buf, ref p), id);
        long key = (long)StateCodec.GetVar(buf, ref p);
        var st = _objects[key];
        if (!_pendingOnly) _objects.Remove(key);
        return (st, id);
    }

    private bool _pendingOnly;

    public IEnumerable<(Value[] State, int Id)> Pending()
    {
        _pendingOnly = true;
        try
        {
            foreach (var r in Records(_read, _readPos, _readLeft)) yield return r;
            foreach (var page in _full)
                foreach (var r in Records(page.Bytes ?? File.ReadAllBytes(page.File!), 0, page.Count)) yield return r;
            foreach (var r in Records(_write.Buf, 0, _writeCount)) yield return r;
        }
        finally { _pendingOnly = false; }
    }

    private IEnumerable<(Value[] State, int Id)> Records(byte[] buf, int pos, int count)
    {
        var list = new List<(Value[], int)>(count);
        for (int k = 0; k < count; k++) list.Add(ReadRecord(buf, ref pos));
        return list;
    }

    public void Dispose()
    {
        foreach (var page in _full) if (page.File is not null) File.Delete(page.File);
        _full.Clear();
    }
}
