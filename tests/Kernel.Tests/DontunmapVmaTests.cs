using System.Globalization;
using System.Runtime.InteropServices;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>A fact about the running 6.18 kernel's own VMAs (no KVM needed): skipped, with the reason, on another release.</summary>
public sealed class Linux618FactAttribute : FactAttribute
{
    public Linux618FactAttribute()
    {
        var release = KernelRelease.Running();
        if (KernelRelease.MajorMinorOf(release) != new Version(6, 18)) Skip = $"the running kernel is {release ?? "unknown"}: these VMAs were seen on 6.18.44";
    }
}

/// <summary>
/// What mremap(MREMAP_DONTUNMAP) leaves of this process's own VMAs on the running kernel, read from /proc/self/smaps, against
/// the reference's mremap_dontunmap under the kernel's vocabulary (docs/kernel.md "MREMAP_DONTUNMAP"). No KVM: the test
/// process maps a 32-page PROT_NONE reservation and works in its pages [8, 24) (the reference's 0 to 16), so nothing else
/// of the process maps there and the PROT_NONE rest merges with nothing.
/// </summary>
public sealed class DontunmapVmaTests
{
    [DllImport("libc", SetLastError = true)] private static extern nint mmap(nint addr, nuint len, int prot, int flags, int fd, nint off);
    [DllImport("libc", SetLastError = true)] private static extern int munmap(nint addr, nuint len);
    [DllImport("libc", SetLastError = true)] private static extern int mlock(nint addr, nuint len);
    [DllImport("libc", SetLastError = true)] private static extern nint mremap(nint old, nuint oldLen, nuint newLen, int flags, nint newAddr);

    private const int ProtNone = 0, ProtRw = 3, MapPrivate = 0x02, MapFixed = 0x10, MapAnonymous = 0x20;
    private const int MremapMaymove = 1, MremapFixed = 2, MremapDontunmap = 4; // linux-7.2 include/uapi/linux/mman.h
    private static readonly nuint P = (nuint)Environment.SystemPageSize;

    /// <summary>Runs the steps on a fresh reservation; returns the kernel's rw VMAs of the region as "[a, b)" (lo: VM_LOCKED).</summary>
    private static string Kernel(Action<Func<int, nint>> steps)
    {
        nint res = mmap(0, 32 * P, ProtNone, MapPrivate | MapAnonymous, -1, 0);
        Assert.NotEqual(-1, res);
        try
        {
            nint At(int page) => res + (nint)((nuint)(page + 8) * P);
            steps(At);
            var vmas = new List<string>();
            string? cur = null;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (w.Length >= 2 && w[0].Contains('-') && w[1].Length == 4)
                {
                    var ab = w[0].Split('-');
                    long a = long.Parse(ab[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), b = long.Parse(ab[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    long s = (a - At(0)) / (long)P, e = (b - At(0)) / (long)P;
                    cur = a >= res && b <= res + (nint)(32 * P) && w[1].StartsWith("rw", StringComparison.Ordinal) ? $"[{s}, {e})" : null;
                }
                else if (cur is not null && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                {
                    vmas.Add(cur + (line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("lo") ? "lo" : ""));
                    cur = null;
                }
            }
            return string.Join(" ", vmas);
        }
        finally { munmap(res, 32 * P); }
    }

    private static void Map(Func<int, nint> at, int s, int e) => Assert.Equal(at(s), mmap(at(s), (nuint)(e - s) * P, ProtRw, MapPrivate | MapAnonymous | MapFixed, -1, 0));
    private static void Dontunmap(Func<int, nint> at, int s, int e, int n) =>
        Assert.Equal(at(n), mremap(at(s), (nuint)(e - s) * P, (nuint)(e - s) * P, MremapMaymove | MremapFixed | MremapDontunmap, at(n)));

    /// <summary>The reference's VMAs after the same calls: its merged runs, lo for VM_LOCKED.</summary>
    private static string Reference(Vocabulary v, params Call[] calls)
    {
        var s = new Session(new MmConfig(16, 4, 48, v));
        foreach (var c in calls) s.Cpu(c);
        Assert.All(s.Trace.Where(l => l.Kind == "call"), l => Assert.Null(l.Get("result")));
        return string.Join(" ", s.State.Vmas.Select(x => (Run: Vma.MergedRun(s.State.Vmas, x), x)).DistinctBy(x => x.Run).Select(x => $"{x.Run}{(x.x.Mlocked ? "lo" : "")}"));
    }

    /// <summary>An unfaulted source next to its copy: 6.18.44 merged them (as linux-6.1 mm/mmap.c copy_vma), which linux-6.12
    /// and 7.2 mm/vma.c copy_vma refuse (keep_source); the reference's linux-6.18 merges them, its linux-7.2 (planted here as
    /// the wrong vocabulary for this kernel) does not.</summary>
    [Linux618Fact]
    public void An_unfaulted_source_merges_with_its_copy_on_6_18()
    {
        string kernel = Kernel(at => { Map(at, 0, 4); Dontunmap(at, 2, 4, 4); });
        Call[] calls = [new Call.Mmap(0, 4, Prot.ReadWrite), new Call.MremapDontunmap(2, 4, 4)];
        Assert.Equal(("[0, 6)", "[0, 6)"), (kernel, Reference(Vocabulary.Linux6_18, calls)));
        Assert.Equal("[0, 4) [4, 6)", Reference(Vocabulary.Linux7_2, calls));
    }

    /// <summary>A locked VMA: 6.18.44 cleared VM_LOCKED on all of it without a split (as linux-6.1 move_vma), where linux-6.12
    /// move_vma and 7.2 prep_move_vma split the old range off first; the copy keeps VM_LOCKED.</summary>
    [Linux618Fact]
    public void A_locked_vma_is_unlocked_whole_on_6_18()
    {
        string kernel = Kernel(at => { Map(at, 0, 8); Assert.Equal(0, mlock(at(0), 8 * P)); Dontunmap(at, 2, 4, 10); });
        Call[] calls = [new Call.Mmap(0, 8, Prot.ReadWrite), new Call.Mlock(0, 8), new Call.MremapDontunmap(2, 4, 10)];
        Assert.Equal(("[0, 8) [10, 12)lo", "[0, 8) [10, 12)lo"), (kernel, Reference(Vocabulary.Linux6_18, calls)));
        Assert.Equal("[0, 2)lo [2, 4) [4, 8)lo [10, 12)lo", Reference(Vocabulary.Linux7_2, calls));
    }
}
