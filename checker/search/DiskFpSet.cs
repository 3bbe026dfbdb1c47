using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NotifierSpec.Checker;

/// <summary>
/// A fingerprint set that spills to disk (TLC: tlc2/tool/fp/DiskFPSet): new fingerprints go into an in-memory
/// open-addressing table that grows up to budget bytes; when it is full at that size its fingerprints are sorted
/// and merged into one sorted file, and the table starts empty again. The file is looked up through an
/// in-memory index of its blocks (the first fingerprint of every block of Block entries) and one block read.
/// Contains is safe from several workers at once (the table is only read, the file read with pread).
/// </summary>
public sealed class DiskFpSet : IFingerprintSet
{
    private const int Block = 512; // fingerprints per block of the file: 4 KiB
    private readonly string _dir;
    private readonly long _maxTable;
    private long[] _t = new long[1 << 16];
    private int _mask = (1 << 16) - 1;
    private long _inTable;
    private string? _file;
    private SafeFileHandle? _handle;
    private long _onDisk;
    private long[] _index = [];

    /// <param name="dir">where the sorted file is written</param>
    /// <param name="budget">bytes the in-memory table may take</param>
    public DiskFpSet(string dir, long budget)
    {
        _dir = dir;
        _maxTable = Math.Max(1 << 10, 1L << BitOperations.Log2((ulong)Math.Max(8, budget / 8)));
        if (_t.Length > _maxTable) { _t = new long[_maxTable]; _mask = _t.Length - 1; }
    }

    public long Count { get; private set; }
    public long Bytes => _t.LongLength * 8 + _index.LongLength * 8;
    /// <summary>Times the table was merged into the file.</summary>
    public int Flushes { get; private set; }

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    public bool Contains(long fp)
    {
        fp = Norm(fp);
        return InTable(fp) || OnDisk(fp);
    }

    public bool Add(long fp)
    {
        fp = Norm(fp);
        if (InTable(fp) || OnDisk(fp)) return false;
        if ((_inTable + 1) * 2 > _t.Length)
        {
            if (_t.LongLength * 2 <= _maxTable) Resize(_t.Length * 2);
            else Flush();
        }
        Insert(fp);
        Count++;
        return true;
    }

    private int Slot(long fp) => (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> 32) & _mask;

    private bool InTable(long fp)
    {
        for (int i = Slot(fp); ; i = (i + 1) & _mask)
        {
            long x = _t[i];
            if (x == fp) return true;
            if (x == 0) return false;
        }
    }

    private void Insert(long fp)
    {
        int i = Slot(fp);
        while (_t[i] != 0) i = (i + 1) & _mask;
        _t[i] = fp;
        _inTable++;
    }

    private void Resize(int size)
    {
        var old = _t;
        _t = new long[size];
        _mask = size - 1;
        _inTable = 0;
        foreach (var x in old) if (x != 0) Insert(x);
    }

    private bool OnDisk(long fp)
    {
        if (_onDisk == 0 || fp < _index[0]) return false;
        int lo = 0, hi = _index.Length - 1; // the last block whose first fingerprint is <= fp
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (_index[mid] <= fp) lo = mid; else hi = mid - 1;
        }
        int n = (int)Math.Min(Block, _onDisk - (long)lo * Block);
        Span<byte> bytes = stackalloc byte[Block * 8];
        var span = bytes[..(n * 8)];
        int read = 0;
        while (read < span.Length) read += RandomAccess.Read(_handle!, span[read..], (long)lo * Block * 8 + read);
        return MemoryMarshal.Cast<byte, long>(span).BinarySearch(fp) >= 0;
    }

    /// <summary>Merges the table, sorted, with the file into a new file; the table is emptied.</summary>
    private void Flush()
    {
        var mem = new long[_inTable];
        int k = 0;
        foreach (var x in _t) if (x != 0) mem[k++] = x;
        Array.Sort(mem);
        string next = Path.Combine(_dir, $"fpset-{Flushes + 1}.bin");
        long total = _onDisk + mem.LongLength;
        var index = new long[(total + Block - 1) / Block];
        using (var output = new BinaryWriter(new FileStream(next, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)))
        using (var input = _file is null ? null : new BinaryReader(new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)))
        {
            long i = 0, written = 0;
            int j = 0;
            long head = _onDisk > 0 ? input!.ReadInt64() : 0;
            while (i < _onDisk || j < mem.Length)
            {
                long v;
                if (j >= mem.Length || (i < _onDisk && head < mem[j])) { v = head; if (++i < _onDisk) head = input!.ReadInt64(); }
                else v = mem[j++];
                if (written % Block == 0) index[written / Block] = v;
                output.Write(v);
                written++;
            }
        }
        _handle?.Dispose();
        if (_file is not null) File.Delete(_file);
        _file = next;
        _handle = File.OpenHandle(next, FileMode.Open, FileAccess.Read, FileShare.Read);
        _onDisk = total;
        _index = index;
        Array.Clear(_t);
        _inTable = 0;
        Flushes++;
    }

    /// <summary>Every fingerprint of the set, the file's then the table's (for a checkpoint).</summary>
    public IEnumerable<long> All()
    {
        if (_file is not null)
            using (var input = new BinaryReader(new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)))
                for (long i = 0; i < _onDisk; i++) yield return input.ReadInt64();
        foreach (var x in _t) if (x != 0) yield return x;
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        if (_file is not null) File.Delete(_file);
        _file = null;
    }
}
