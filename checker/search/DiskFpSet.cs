using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NotifierSpec.Checker;

/// <summary>
/// A fingerprint set that spills to disk (TLC: tlc2/tool/fp/DiskFPSet): new fingerprints go into an in-memory
/// FpSet that grows up to budget bytes; when it is full at that size its fingerprints are sorted
/// and merged into one sorted file, and the table starts empty again. The file is looked up through an
/// in-memory index of its blocks (the first fingerprint of every block of Block entries) and one block read.
/// Contains is safe from several workers at once (the table is only read, the file read with pread).
/// </summary>
public sealed class DiskFpSet : IFingerprintSet
{
    private const int Block = 512; // fingerprints per block of the file: 4 KiB
    private readonly string _dir;
    private readonly FpSet _table;
    private string? _file;
    private SafeFileHandle? _handle;
    private long _onDisk;
    private long[] _index = [];

    /// <param name="dir">where the sorted file is written</param>
    /// <param name="budget">bytes the in-memory table may take (at most the largest array's)</param>
    public DiskFpSet(string dir, long budget)
    {
        _dir = dir;
        _table = new FpSet(Math.Max(1 << 10, budget / 8));
    }

    public long Count { get; private set; }
    /// <summary>The most the in-memory table grows to.</summary>
    public long MaxTableBytes => _table.MaxSlots * 8;
    public long Bytes => _table.Bytes + _index.LongLength * 8;
    /// <summary>Times the table was merged into the file.</summary>
    public int Flushes { get; private set; }

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    public bool Contains(long fp)
    {
        fp = Norm(fp);
        return _table.Contains(fp) || OnDisk(fp);
    }

    public bool Add(long fp)
    {
        fp = Norm(fp);
        if (_table.Contains(fp) || OnDisk(fp)) return false;
        if (_table.Full) Flush();
        _table.Add(fp);
        Count++;
        return true;
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
        var mem = _table.Sorted();
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
        _table.Clear();
        Flushes++;
    }

    /// <summary>Every fingerprint of the set, the file's then the table's (for a checkpoint).</summary>
    public IEnumerable<long> All()
    {
        if (_file is not null)
            using (var input = new BinaryReader(new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)))
                for (long i = 0; i < _onDisk; i++) yield return input.ReadInt64();
        foreach (var x in _table.All()) yield return x;
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        if (_file is not null) File.Delete(_file);
        _file = null;
    }
}
