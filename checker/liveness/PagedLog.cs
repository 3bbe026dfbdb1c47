namespace NotifierSpec.Checker;

/// <summary>
/// An append-only log of bytes for the liveness graph under --max-memory: pages of pageBytes stay in memory
/// while they fit in budget bytes, later pages are written to file (page k at offset k * pageBytes) and read
/// back from it on demand through a one-page cache (the graph is mostly read in id order).
/// </summary>
public sealed class PagedLog(string file, int pageBytes, long budget) : IDisposable
{
    private readonly List<byte[]?> _pages = [new byte[pageBytes]];
    private FileStream? _file;
    private long _length;
    private long _inMemory = pageBytes;
    private int _cached = -1;
    private readonly byte[] _cache = new byte[pageBytes];

    /// <summary>Bytes appended so far.</summary>
    public long Length => _length;
    /// <summary>Pages written to the file so far.</summary>
    public long PagesWritten { get; private set; }
    /// <summary>Bytes of pages held in memory (the page being written included).</summary>
    public long BytesInMemory => _inMemory;

    /// <summary>Appends data; returns its position.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        long pos = _length;
        while (data.Length > 0)
        {
            int off = (int)(_length % pageBytes);
            var page = _pages[^1]!;
            int n = Math.Min(data.Length, pageBytes - off);
            data[..n].CopyTo(page.AsSpan(off));
            data = data[n..];
            _length += n;
            if (off + n == pageBytes) Seal();
        }
        return pos;
    }

    /// <summary>The full last page goes to the file unless it fits in the budget; a new page is started.</summary>
    private void Seal()
    {
        int k = _pages.Count - 1;
        if (_inMemory + pageBytes > budget)
        {
            _file ??= new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.RandomAccess);
            RandomAccess.Write(_file.SafeFileHandle, _pages[k], (long)k * pageBytes);
            PagesWritten++;
            _pages[k] = null;
            _inMemory -= pageBytes;
        }
        _pages.Add(new byte[pageBytes]);
        _inMemory += pageBytes;
    }

    /// <summary>Fills dst with the bytes at pos (pos + dst.Length at most Length).</summary>
    public void Read(long pos, Span<byte> dst)
    {
        if (pos < 0 || pos + dst.Length > _length) throw new ArgumentOutOfRangeException(nameof(pos));
        while (dst.Length > 0)
        {
            int k = (int)(pos / pageBytes), off = (int)(pos % pageBytes);
            int n = Math.Min(dst.Length, pageBytes - off);
            var page = _pages[k] ?? Load(k);
            page.AsSpan(off, n).CopyTo(dst);
            dst = dst[n..];
            pos += n;
        }
    }

    private byte[] Load(int k)
    {
        if (_cached == k) return _cache;
        int read = 0;
        while (read < pageBytes)
        {
            int r = RandomAccess.Read(_file!.SafeFileHandle, _cache.AsSpan(read), (long)k * pageBytes + read);
            if (r <= 0) throw new IOException($"{file}: short read of page {k}");
            read += r;
        }
        _cached = k;
        return _cache;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        try { File.Delete(file); } catch (IOException) { }
    }
}
