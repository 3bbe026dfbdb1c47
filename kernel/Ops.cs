using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>
/// One operation of a conformance run, on the region under test (page numbers relative to its start). Each
/// is run on the live kernel (host syscalls, plain host loads and stores, guest accesses through KVM, a forked
/// child's loads) and, as the matching call, through the reference. Its text form is what `--ops` reads back.
/// </summary>
public abstract record KOp
{
    public sealed record Mmap(int Start, int End, Prot Prot) : KOp;
    public sealed record Munmap(int Start, int End) : KOp;
    public sealed record Mprotect(int Start, int End, Prot Prot) : KOp;
    public sealed record Mremap(int Start, int End, int NewStart) : KOp;
    /// <summary>mremap with MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP of [Start, End) to NewStart (the reference's
    /// mremap_dontunmap): the pages move, the old range stays mapped, empty.</summary>
    public sealed record MremapDontunmap(int Start, int End, int NewStart) : KOp;
    public sealed record Dontneed(int Start, int End) : KOp;
    public sealed record Free(int Start, int End) : KOp;
    public sealed record HostRead(int Page) : KOp;
    public sealed record HostWrite(int Page, int Value) : KOp;
    public sealed record GuestRead(int Page) : KOp;
    public sealed record GuestWrite(int Page, int Value) : KOp;
    public sealed record Fork : KOp;
    public sealed record ChildRead(int Child, int Page) : KOp;
    /// <summary>A store of Value by forked child Child at Page (its write fault on its own mm: the reference's child_write).</summary>
    public sealed record ChildWrite(int Child, int Page, int Value) : KOp;
    public sealed record ClearRefs : KOp;
    /// <summary>KSM: page Other gets page Page's contents (a host write), then ksmd runs until the two share a frame.</summary>
    public sealed record Ksm(int Page, int Other) : KOp;
    /// <summary>userfaultfd write-protect of [Start, End): UFFDIO_WRITEPROTECT (MODE_WP); the range must be registered.</summary>
    public sealed record UffdWp(int Start, int End) : KOp;
    /// <summary>UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_WP over [Start, End) (the reference's uffdio_register).</summary>
    public sealed record UffdRegister(int Start, int End) : KOp;
    /// <summary>UFFDIO_UNREGISTER over [Start, End) (the reference's uffdio_unregister).</summary>
    public sealed record UffdUnregister(int Start, int End) : KOp;
    /// <summary>UFFDIO_MOVE (mode 0) of pages [Src, Src + Len) to [Dst, Dst + Len) (the reference's uffdio_move); the kernel
    /// wants the destination's VMA registered with the userfaultfd (linux-7.2 mm/userfaultfd.c validate_move_areas).</summary>
    public sealed record UffdMove(int Src, int Dst, int Len) : KOp;
    /// <summary>mmap with MADV_HUGEPAGE (a THP VMA; the reference's Mmap with Thp).</summary>
    public sealed record MmapThp(int Start, int End, Prot Prot) : KOp;
    /// <summary>MADV_COLLAPSE of the huge block around Page (the reference's collapse_huge_page).</summary>
    public sealed record Collapse(int Page) : KOp;
    /// <summary>Page migration by compaction (/proc/sys/vm/compact_memory): every page of the region whose pfn it
    /// changed is the reference's migrate_pages of that page (one NUMA node here: no move_pages / mbind target).</summary>
    public sealed record Migrate : KOp;
    /// <summary>mlock(2) of [Start, End): VM_LOCKED, then the range faulted in (the reference's mlock: Planner.Mlock).</summary>
    public sealed record Mlock(int Start, int End) : KOp;
    /// <summary>munlock(2) of [Start, End) (the reference's munlock).</summary>
    public sealed record Munlock(int Start, int End) : KOp;
    /// <summary>madvise(MADV_PAGEOUT) of [Start, End) with swap (a swap file when the kernel has none): the reference's madvise_pageout.</summary>
    public sealed record Pageout(int Start, int End) : KOp;


    public sealed override string ToString() => this switch
    {
        Mmap m => $"mmap {m.Start} {m.End} {PteText.ProtText(m.Prot)}",
        Munmap m => $"munmap {m.Start} {m.End}",
        Mprotect m => $"mprotect {m.Start} {m.End} {PteText.ProtText(m.Prot)}",
        Mremap m => $"mremap {m.Start} {m.End} {m.NewStart}",
        MremapDontunmap m => $"mremap_dontunmap {m.Start} {m.End} {m.NewStart}",
        Dontneed m => $"dontneed {m.Start} {m.End}",
        Free m => $"free {m.Start} {m.End}",
        HostRead m => $"host_read {m.Page}",
        HostWrite m => $"host_write {m.Page} {m.Value}",
        GuestRead m => $"guest_read {m.Page}",
        GuestWrite m => $"guest_write {m.Page} {m.Value}",
        Fork => "fork",
        ChildRead m => $"child_read {m.Child} {m.Page}",
        ChildWrite m => $"child_write {m.Child} {m.Page} {m.Value}",
        ClearRefs => "clear_refs",
        Ksm k => $"ksm {k.Page} {k.Other}",
        UffdWp u => $"uffd_wp {u.Start} {u.End}",
        UffdRegister u => $"uffd_register {u.Start} {u.End}",
        UffdUnregister u => $"uffd_unregister {u.Start} {u.End}",
        UffdMove u => $"uffd_move {u.Src} {u.Dst} {u.Len}",
        MmapThp m => $"mmap_thp {m.Start} {m.End} {PteText.ProtText(m.Prot)}",
        Collapse c => $"collapse {c.Page}",
        Migrate => "migrate",
        Pageout m => $"pageout {m.Start} {m.End}",
        Mlock m => $"mlock {m.Start} {m.End}",
        Munlock m => $"munlock {m.Start} {m.End}",
        _ => GetType().Name,
    };

    public static string Render(IEnumerable<KOp> ops) => string.Join("; ", ops);

    /// <summary>Parses `--ops` text ("mmap 0 8 rw; guest_write 3 7; ..."); an error names the 1-based operation and column.</summary>
    public static ImmutableArray<KOp> Parse(string text, int pages)
    {
        var ops = ImmutableArray.CreateBuilder<KOp>();
        int col = 1, n = 0;
        foreach (var part in text.Split(';'))
        {
            n++;
            var w = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int at = col + part.Length - part.TrimStart().Length;
            col += part.Length + 1;
            if (w.Length == 0) continue;
            string Where() => $"--ops:1:{at}: operation {n} '{part.Trim()}'";
            int Int(int i)
            {
                if (i >= w.Length || !int.TryParse(w[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new FormatException($"{Where()}: argument {i} must be an integer");
                return v;
            }
            int Child(int i) { int v = Int(i); if (v < 0) throw new FormatException($"{Where()}: child {v} is negative"); return v; }
            int Page(int i) { int v = Int(i); if (v < 0 || v >= pages) throw new FormatException($"{Where()}: page {v} is outside [0, {pages})"); return v; }
            int Bound(int i) { int v = Int(i); if (v < 0 || v > pages) throw new FormatException($"{Where()}: bound {v} is outside [0, {pages}]"); return v; }
            Prot P(int i) => i < w.Length ? w[i] switch { "none" => Prot.None, "r" => Prot.Read, "rw" => Prot.ReadWrite, _ => throw new FormatException($"{Where()}: protection must be none, r or rw") }
                : throw new FormatException($"{Where()}: a protection (none, r, rw) is missing");
            (int, int) Range() { int s = Bound(1), e = Bound(2); if (s >= e) throw new FormatException($"{Where()}: empty range [{s}, {e})"); return (s, e); }
            int want = w[0] switch
            {
                "mmap" or "mprotect" or "mremap" or "mremap_dontunmap" or "mmap_thp" or "child_write" or "uffd_move" => 4, "munmap" or "dontneed" or "free" or "pageout" or "mlock" or "munlock" or "uffd_wp" or "uffd_register" or "uffd_unregister" or "host_write" or "guest_write" or "child_read" or "ksm" => 3,
                "host_read" or "guest_read" or "collapse" => 2, "fork" or "clear_refs" or "migrate" => 1,
                _ => throw new FormatException($"{Where()}: unknown operation (known: mmap munmap mprotect mremap mremap_dontunmap dontneed free host_read host_write guest_read guest_write fork child_read child_write clear_refs ksm uffd_register uffd_wp uffd_unregister uffd_move mmap_thp collapse migrate pageout mlock munlock)"),
            };
            if (w.Length != want) throw new FormatException($"{Where()}: expects {want - 1} argument(s)");
            KOp op = w[0] switch
            {
                "mmap" => Range() is var (a, b) ? new Mmap(a, b, P(3)) : null!,
                "munmap" => Range() is var (a, b) ? new Munmap(a, b) : null!,
                "mprotect" => Range() is var (a, b) ? new Mprotect(a, b, P(3)) : null!,
                "mremap" => Range() is var (a, b) ? (Page(3) + b - a <= pages ? new Mremap(a, b, Page(3)) : throw new FormatException($"{Where()}: the destination ends beyond page {pages}")) : null!,
                "mremap_dontunmap" => Range() is var (a, b) ? (Page(3) + b - a <= pages ? new MremapDontunmap(a, b, Page(3)) : throw new FormatException($"{Where()}: the destination ends beyond page {pages}")) : null!,
                "dontneed" => Range() is var (a, b) ? new Dontneed(a, b) : null!,
                "free" => Range() is var (a, b) ? new Free(a, b) : null!,
                "host_read" => new HostRead(Page(1)),
                "host_write" => new HostWrite(Page(1), Int(2)),
                "guest_read" => new GuestRead(Page(1)),
                "guest_write" => new GuestWrite(Page(1), Int(2)),
                "child_read" => new ChildRead(Child(1), Page(2)),
                "child_write" => new ChildWrite(Child(1), Page(2), Int(3)),
                "fork" => new Fork(),
                "ksm" => new Ksm(Page(1), Page(2)),
                "uffd_wp" => Range() is var (a, b) ? new UffdWp(a, b) : null!,
                "uffd_register" => Range() is var (a, b) ? new UffdRegister(a, b) : null!,
                "uffd_unregister" => Range() is var (a, b) ? new UffdUnregister(a, b) : null!,
                "uffd_move" => Page(1) is var src && Page(2) is var dst && Int(3) is var len
                    ? (len >= 1 && src + len <= pages && dst + len <= pages ? new UffdMove(src, dst, len) : throw new FormatException($"{Where()}: length {len} must be at least 1 and both ranges inside [0, {pages})"))
                    : null!,
                "mmap_thp" => Range() is var (a, b) ? new MmapThp(a, b, P(3)) : null!,
                "collapse" => new Collapse(Page(1)),
                "migrate" => new Migrate(),
                "pageout" => Range() is var (a, b) ? new Pageout(a, b) : null!,
                "mlock" => Range() is var (a, b) ? new Mlock(a, b) : null!,
                "munlock" => Range() is var (a, b) ? new Munlock(a, b) : null!,
                _ => new ClearRefs(),
            };
            ops.Add(op);
        }
        if (ops.Count == 0) throw new FormatException("--ops:1:1: no operation");
        return ops.ToImmutable();
    }
}

/// <summary>FsCheck generators of operation sequences: ranges biased to a few hot pages, most sequences start by
/// mapping part of the region, guest and host accesses are frequent (they are what observes a stale mapping).</summary>
public static class KGen
{
    public const int MaxForks = 3;

    private static Gen<int> PageNear(int pages, int hot) =>
        Gen.Frequency((3, Gen.Choose(Math.Max(0, hot - 1), Math.Min(pages - 1, hot + 2))), (1, Gen.Choose(0, pages - 1)));

    private static Gen<(int, int)> Range(int pages, int hot) =>
        from s in PageNear(pages, hot)
        from len in Gen.Frequency((3, Gen.Choose(1, 3)), (1, Gen.Choose(1, pages)))
        select (s, Math.Min(pages, s + len));

    private static Gen<Prot> Protection => Gen.Frequency((3, Gen.Constant(Prot.ReadWrite)), (2, Gen.Constant(Prot.Read)), (1, Gen.Constant(Prot.None)));

    /// <summary>migrate (compaction of every zone, slow: 1 in 102), pageout (1 in 102), mlock and munlock (each one in eight of
    /// the 7 in 102 mprotect draws). uffd (where the kernel has userfaultfd
    /// write-protect): also uffd_register (3 in 114, most followed by uffd_wp over the same range: Sequence), uffd_wp (4 in
    /// 114), uffd_unregister (2 in 114) and uffd_move of the range to a page near the hot ones (3 in 114; run only where the
    /// destination is registered).</summary>
    public static Gen<KOp> Op(int pages, int hot, bool uffd = false) =>
        from which in Gen.Choose(0, uffd ? 113 : 101)
        from r in Range(pages, hot)
        from p in PageNear(pages, hot)
        from prot in Protection
        from value in Gen.Choose(1, 1_000_000)
        from dst in Gen.Choose(0, pages - 1)
        from child in Gen.Choose(0, MaxForks - 1)
        select which switch
        {
            < 8 => (KOp)new KOp.Mmap(r.Item1, r.Item2, prot),
            < 13 => new KOp.Munmap(r.Item1, r.Item2),
            // one mprotect slot in eight is mlock, one munlock (no extra draw: the other operations' random stream is unchanged)
            < 20 when value % 8 == 0 => new KOp.Mlock(r.Item1, r.Item2),
            < 20 when value % 8 == 1 => new KOp.Munlock(r.Item1, r.Item2),
            < 20 => new KOp.Mprotect(r.Item1, r.Item2, prot),
            // one mremap in four with MREMAP_DONTUNMAP (no extra draw: the other operations' random stream is unchanged)
            < 24 when value % 4 == 0 => new KOp.MremapDontunmap(r.Item1, r.Item2, dst % (pages - (r.Item2 - r.Item1) + 1)),
            < 24 => new KOp.Mremap(r.Item1, r.Item2, dst % (pages - (r.Item2 - r.Item1) + 1)),
            < 30 => new KOp.Dontneed(r.Item1, r.Item2),
            < 34 => new KOp.Free(r.Item1, r.Item2),
            < 44 => new KOp.HostRead(p),
            < 54 => new KOp.HostWrite(p, value),
            < 70 => new KOp.GuestRead(p),
            < 84 => new KOp.GuestWrite(p, value),
            < 88 => new KOp.Fork(),
            < 96 => new KOp.ChildRead(child, p),
            < 97 => new KOp.ClearRefs(),
            < 100 => new KOp.Ksm(p, (p + 1 + dst % 3) % pages),
            100 => new KOp.Migrate(),
            101 => new KOp.Pageout(r.Item1, r.Item2),
            < 105 => new KOp.UffdRegister(r.Item1, r.Item2),
            < 109 => new KOp.UffdWp(r.Item1, r.Item2),
            < 111 => new KOp.UffdUnregister(r.Item1, r.Item2),
            _ => new KOp.UffdMove(r.Item1, p, Math.Max(1, Math.Min(r.Item2 - r.Item1, pages - Math.Max(p, r.Item1)))),
        };

    /// <summary>With 512 pages or more (2 MiB huge pages): most sequences map the region as a THP VMA (mmap_thp), then the
    /// ordinary operations (partial mprotect / munmap / MADV_DONTNEED of a huge block split its PMD: __split_huge_pmd,
    /// the reference's split_huge_page), collapse (MADV_COLLAPSE) 1 in 104, and MADV_PAGEOUT of a whole 2 MiB block 1 in 104
    /// (a PMD-mapped THP or a PTE-mapped large folio split in reclaim: Planner.MadvisePageout).</summary>
    public static Gen<KOp[]> ThpSequence(int pages, int maxOps, bool uffd = false) =>
        from hot in Gen.Choose(0, pages - 1)
        from first in Gen.Frequency((3, Gen.Constant<KOp?>(new KOp.MmapThp(0, pages, Prot.ReadWrite))), (1, Gen.Constant<KOp?>(new KOp.Mmap(0, pages, Prot.ReadWrite))), (1, Gen.Constant<KOp?>(null)))
        from n in Gen.Choose(4, maxOps)
        from ops in Gen.ArrayOf(Gen.Frequency((102, WithChildWrites(Op(pages, hot, uffd), pages, hot)), (1, from p in Gen.Choose(0, pages - 1) select (KOp)new KOp.Collapse(p)),
            (1, from p in Gen.Choose(0, pages / 512 - 1) select (KOp)new KOp.Pageout(p * 512, p * 512 + 512))), n)
        select first is null ? ops : [first, .. ops];

    public static Gen<KOp[]> Sequence(int pages, int maxOps, bool uffd = false) =>
        from ops in pages >= 512 ? ThpSequence(pages, maxOps, uffd) : SmallSequence(pages, maxOps, uffd)
        from protect in Gen.ArrayOf(Gen.Choose(0, 2), ops.Length)
        select WithWriteProtects(ops, protect);

    /// <summary>Two in three generated uffd_register S E are followed by uffd_wp S E, half of those also with a host write of
    /// page S before and a guest write of it after, so that writes to uffd-wp pages (the handler's un-protects, here through
    /// KVM's GUP) happen within a sequence. Two in three generated collapse P are prepared (below). No draw of its own: the
    /// generated sequences are otherwise unchanged.</summary>
    private static KOp[] WithWriteProtects(KOp[] ops, int[] protect) =>
        [.. ops.SelectMany((o, i) => o is KOp.UffdRegister r && protect[i] > 0
            ? protect[i] == 2 ? [new KOp.HostWrite(r.Start, 7919 * r.Start + 1), o, new KOp.UffdWp(r.Start, r.End), new KOp.GuestWrite(r.Start, 7919 * r.Start + 2)]
                : [o, new KOp.UffdWp(r.Start, r.End)]
            // a generated uffd_move registers its destination first, two times in three (validate_move_areas wants it registered),
            // half of those also emptying the destination (MADV_DONTNEED: else EEXIST) and writing the source's first page
            // a generated collapse P is prepared two times in three: a host write of P (a huge page in an empty block of a THP VMA,
            // else a base page) and MADV_DONTNEED of its neighbour (which splits the PMD: a block of base pages with a hole), half of
            // those then a fork (every page of the block mapped by the child too), so that MADV_COLLAPSE has base pages to collapse
            : o is KOp.Collapse c && protect[i] > 0
                ? [new KOp.HostWrite(c.Page, 7919 * c.Page + 5), new KOp.Dontneed(c.Page ^ 1, (c.Page ^ 1) + 1), .. protect[i] == 2 ? new KOp[] { new KOp.Fork() } : [], o]
            : o is KOp.UffdMove m && protect[i] > 0 ? protect[i] == 2
                ? [new KOp.Dontneed(m.Dst, m.Dst + m.Len), new KOp.UffdRegister(m.Dst, m.Dst + m.Len), new KOp.HostWrite(m.Src, 7919 * m.Src + 3), o]
                : [new KOp.UffdRegister(m.Dst, m.Dst + m.Len), o]
            : new[] { o })];

    /// <summary>A forked child's store (child_write): 6 in 108 of the generated operations (WithChildWrites). Near the hot
    /// pages, so that the parent's and the children's accesses meet on shared pages; child 0 (the first fork, the one a
    /// sequence most often has) 3 times in 5.</summary>
    public static Gen<KOp> ChildWrite(int pages, int hot) =>
        from child in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
        from p in PageNear(pages, hot)
        from value in Gen.Choose(1, 1_000_000)
        select (KOp)new KOp.ChildWrite(child, p, value);

    private static Gen<KOp> WithChildWrites(Gen<KOp> op, int pages, int hot) => Gen.Frequency((102, op), (6, ChildWrite(pages, hot)));

    private static Gen<KOp[]> SmallSequence(int pages, int maxOps, bool uffd) =>
        from hot in Gen.Choose(0, pages - 1)
        from first in Gen.Frequency((4, Gen.Constant<KOp?>(new KOp.Mmap(0, pages, Prot.ReadWrite))), (1, Gen.Constant<KOp?>(null)))
        from n in Gen.Choose(4, maxOps)
        from ops in Gen.ArrayOf(WithChildWrites(Op(pages, hot, uffd), pages, hot), n)
        select first is null ? ops : [first, .. ops];

    /// <summary>Shrinks by deleting blocks (halves, quarters, ... single operations); every subsequence is a valid run.</summary>
    public static IEnumerable<KOp[]> Shrink(KOp[] ops)
    {
        for (int size = ops.Length / 2; size >= 1; size /= 2)
            for (int i = 0; i + size <= ops.Length; i += size)
                yield return [.. ops[..i], .. ops[(i + size)..]];
    }

    public static Arbitrary<KOp[]> Arbitrary(int pages, int maxOps) => Arb.From(Sequence(pages, maxOps), Shrink);
}
