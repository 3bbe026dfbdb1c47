using System.Collections.Immutable;

namespace NotifierSpec.Reference;

/// <summary>
/// Turns a CPU call into the primitive steps its kernel call site runs, in kernel order:
/// invalidate_range_start -> PTE changes under the PTL -> TLB flush (+ secondary TLB callback) ->
/// frame release -> invalidate_range_end. Frames a call site allocates before its start (alloc_page
/// before mmu_notifier_invalidate_range_start, e.g. wp_page_copy) are taken here.
/// Planning reads a stable state: CPU operations are serialized (each holds its mmap_lock mode or the
/// page lock for its whole duration), while device work interleaves at every primitive step.
/// </summary>
internal sealed class Planner(MmState state)
{
    public MmState State { get; private set; } = state;
    private readonly List<Prim> _prims = [];
    /// <summary>How many start/end brackets the planning is inside (Bracket's body): a start planned at depth &gt; 0 is nested
    /// (Prim.Start.Nested).</summary>
    private int _bracketDepth;
    private MmConfig Config => State.Config;
    private Vocabulary Vocab => Config.Vocabulary;

    public ImmutableQueue<Prim> Prims => ImmutableQueue.CreateRange(_prims);

    // ---------------------------------------------------------------- allocation

    /// <summary>alloc_page: pop the free list (LIFO), bump the generation, zero the content; the caller holds one reference.</summary>
    /// The new page is PageAnonExclusive (Frame.AnonExclusive): every caller maps it as a new anonymous page
    /// (folio_add_new_anon_rmap with RMAP_EXCLUSIVE) but a migration's, which takes its source's bit (MigratedAnonExclusive),
    /// and a shared VMA's, whose Map clears it (Machine).
    /// clean: a base page do_anonymous_page or wp_page_copy maps, known neither dirty nor in the swap cache (Frame.Clean).
    public int Alloc(bool clean = false)
    {
        if (State.FreeList.IsEmpty) throw new ModelException("out of frames (ENOMEM): raise --frames");
        var fl = State.FreeList.Pop(out int f);
        var fr = State.Frames[f];
        State = State with { FreeList = fl, Frames = State.Frames.SetItem(f, new Frame(0, 0, 1, false, fr.Generation + 1, AnonExclusive: true, Clean: clean)) };
        return f;
    }

    // ---------------------------------------------------------------- notifier brackets

    private PageRange Notified(PageRange r) => Config.Has(Mutant.RangeOnePageShort) && r.Length > 1 ? r with { End = r.End - 1 } : r;

    /// <summary>Emits body inside the call site's notification mechanism (start/end, or invalidate_page after).</summary>
    private void Bracket(CallSite site, PageRange range, Action<bool> body, Prot newProt = Prot.None, bool blockable = true, int owner = -1)
    {
        var row = EventTables.Row(Vocab, site);
        var ev = EventTables.EventOf(Vocab, site, newProt);
        if (site == CallSite.change_protection && newProt == Prot.None && Config.Has(Mutant.WrongEventMprotect))
            ev = EventTables.IsKernel(Vocab) ? MmuEvent.MMU_NOTIFY_PROTECTION_PAGE : MmuEvent.MMU_WRITE_PROTECT;
        var mech = row.Mechanism;
        if (site is CallSite.try_to_unmap_one && Config.Has(Mutant.MigrateNoNotify)) mech = Mechanism.None;
        if (site is CallSite.copy_page_range or CallSite.copy_hugetlb_page_range && Config.Has(Mutant.ForkNoEvent)) mech = Mechanism.None;
        switch (mech)
        {
            case Mechanism.StartEnd when ev is { } e:
                var n = Notified(range);
                _prims.Add(new Prim.Start(n, e, blockable, owner, Nested: _bracketDepth > 0));
                _bracketDepth++;
                try { body(false); } finally { _bracketDepth--; }
                if (!Config.Has(Mutant.StartWithoutEnd)) _prims.Add(new Prim.End(n));
                break;
            case Mechanism.InvalidatePage when ev is { } e:
                int from = _prims.Count;
                body(true);
                // mmu_notifier_invalidate_page(mm, address, event) once the PTL is dropped, per page changed
                var pages = _prims.Skip(from).OfType<Prim.PteUpdate>().Select(p => p.Page).Distinct().ToList();
                int insertAt = _prims.FindIndex(from, p => p is Prim.FreeFrame or Prim.CopyFrame);
                var notes = pages.Select(p => (Prim)new Prim.InvalidatePage(p, e)).ToList();
                if (insertAt < 0) _prims.AddRange(notes); else _prims.InsertRange(insertAt, notes);
                break;
            default:
                body(false);
                break;
        }
    }

    private void Pte(int page, PteOp op, bool after, int frame = 0, Prot prot = Prot.None, bool huge = false, bool uffdWp = false)
        => _prims.Add(new Prim.PteUpdate(page, op, frame, prot, huge, after, UffdWp: uffdWp));

    /// <summary>Plans steps for page, a subpage of a folio split earlier in the call whose ZeroRemap may map the zero page, that
    /// run only if the remap keeps its frame (Prim.IfKept: the madvise walk's next look at the PTE after split_folio).</summary>
    private void IfKept(int page, Action plan)
    {
        int from = _prims.Count;
        plan();
        for (int i = from; i < _prims.Count; i++) _prims[i] = new Prim.IfKept(page, _prims[i]);
    }

    // ---------------------------------------------------------------- helpers

    private IEnumerable<int> Present(PageRange r) => Enumerable.Range(r.Start, r.Length).Where(p => State.Ptes[p] is not null);

    private bool WholeHuge(PageRange b) => b.Length == Config.HugePageSize && Enumerable.Range(b.Start, b.Length).All(p => State.Ptes[p] is { Huge: true });

    private PageRange HugeBlock(int page) { int h = Config.HugePageSize; int s = page / h * h; return new(s, Math.Min(s + h, Config.Pages)); }

    /// <summary>Huge blocks that straddle a range boundary must be split first (split_huge_pmd in zap/mprotect).</summary>
    private void SplitStraddling(PageRange r)
    {
        foreach (int edge in new[] { r.Start, r.End - 1 }.Where(e => e >= 0 && e < Config.Pages).DistinctBy(HugeBlock))
        {
            if (State.Ptes[edge] is not { Huge: true }) continue;
            var b = HugeBlock(edge);
            if (b.Start >= r.Start && b.End <= r.End) continue;
            if (Config.Has(Mutant.ZapSkipsHuge)) continue;
            SplitHugePage(b);
        }
    }

    /// <summary>The zap of a range (zap_pte_range under unmap_vmas, MADV_DONTNEED and truncate's zap_vma_range_batched
    /// (v7.1, 784a742e7b6d; zap_page_range_single before), the OOM reaper's zap_vma_for_reaping (v7.1, ba25127a8f0c and
    /// f52f202ddebb: MMU_NOTIFY_CLEAR; __oom_reap_task_mm's MMU_NOTIFY_UNMAP before; docs/dating.md)): straddling huge blocks split first, then
    /// the body its call site brackets: clear the present PTEs, flush, free the frames.</summary>
    private Action<bool> ZapPtes(PageRange r)
    {
        SplitStraddling(r);
        var clearRange = r;
        if (Config.Has(Mutant.ZapSkipsHuge))
        {
            // B6: the whole huge page is zapped while only the asked range is notified
            if (State.Ptes[r.Start] is { Huge: true }) clearRange = clearRange with { Start = HugeBlock(r.Start).Start };
            if (State.Ptes[r.End - 1] is { Huge: true }) clearRange = clearRange with { End = HugeBlock(r.End - 1).End };
        }
        return after =>
        {
            var frames = new List<int>();
            foreach (int p in Present(clearRange))
            {
                Pte(p, PteOp.Clear, after);
                if (State.Ptes[p]!.Value.Frame != MmState.ZeroFrame) frames.Add(State.Ptes[p]!.Value.Frame);
            }
            _prims.Add(new Prim.TlbFlush(clearRange));
            foreach (int f in frames) _prims.Add(new Prim.FreeFrame(f));
        };
    }

    /// <summary>The planted bug B1 (Mutant.FreeBeforeNotify): a zap's frees moved before its notification.</summary>
    private void FreeBeforeNotify()
    {
        if (!Config.Has(Mutant.FreeBeforeNotify)) return;
        var frees = _prims.OfType<Prim.FreeFrame>().ToList();
        _prims.RemoveAll(p => p is Prim.FreeFrame);
        int at = _prims.FindIndex(p => p is Prim.Start);
        _prims.InsertRange(at < 0 ? 0 : at, frees);
    }

    // ---------------------------------------------------------------- call sites shared by several calls
    // One method per call site (CallSite, a row of catalogue/vocabulary.json), named after its kernel function, as
    // lib/test_hmm.c names its dmirror_* functions: each brackets its own site only (Bracket(CallSite.x) in method X;
    // tests/Reference.Tests PlannerSiteTests). The calls below the PlanCall switch dispatch to them.

    /// <summary>split_huge_page's site: the PMD split of one huge block (split_huge_pmd in zap, mprotect, UFFDIO_MOVE and
    /// device migration; the seed's MMU_HSPLIT), each huge PTE becomes a base one.</summary>
    private void SplitHugePage(PageRange block)
    {
        // the folio stays large, now mapped by PTEs (Frame.PteFolio; kernel vocabularies: the seed's v7 splits the page)
        if (EventTables.IsKernel(Vocab) && Config.PteFolioSplit && !Config.PlantPteFolioForgotten && WholeHuge(block) && State.Ptes[block.Start] is { Frame: not MmState.ZeroFrame } head
            && Enumerable.Range(block.Start, block.Length).All(p => State.Ptes[p] is { NonPresent: false } x && x.Frame != MmState.ZeroFrame))
            State = State with { Frames = Enumerable.Range(block.Start, block.Length).Select(p => State.Ptes[p]!.Value.Frame)
                .Aggregate(State.Frames, (fs, f) => fs.SetItem(f, fs[f] with { PteFolio = head.Frame })) };
        Bracket(CallSite.split_huge_page, block, after =>
        {
            foreach (int p in Present(block)) if (State.Ptes[p] is { Huge: true }) Pte(p, PteOp.Split, after);
            _prims.Add(new Prim.TlbFlush(block));
        });
    }

    /// <summary>Linux 7.2 mm/memory.c unmap_vmas (munmap, MAP_FIXED, exit_mmap).</summary>
    private void UnmapVmas(PageRange r)
    {
        Bracket(CallSite.unmap_vmas, r, ZapPtes(r));
        FreeBeforeNotify();
    }

    /// <summary>free_pgtables after the VMAs of [r) are gone (MmState.PteTables), planned when the call is (munmap, mremap's
    /// source and MAP_FIXED hold mmap_lock for write, so nothing reads the tables before its steps ran). linux-7.2 mm/vma.c
    /// vms_clear_ptes -> mm/memory.c free_pgtables with pg_start = prev->vm_end and pg_end = next->vm_start
    /// (vms_gather_munmap_vmas: vms->unmap_start / unmap_end; FIRST_USER_ADDRESS and USER_PGTABLES_CEILING without one):
    /// free_pgtables walks the detached VMAs, gathering those within PMD_SIZE of each other into one free_pgd_range(addr =
    /// first vm_start, end = last vm_end, floor = pg_start, ceiling = the next detached VMA's vm_start or pg_end), which frees
    /// the PTE table of every PMD from addr &amp; PMD_MASK (one PMD up when that is below floor) to end (one PMD down when end
    /// passes ceiling &amp; PMD_MASK): a table goes only when no VMA left shares its PMD range. linux-6.12 and 6.1 mm/memory.c
    /// free_pgtables and free_pgd_range the same (floor prev->vm_end, ceiling next->vm_start: 6.12 mm/vma.c vms_clear_ptes
    /// with vms->unmap_start / unmap_end, 6.1 mm/mmap.c unmap_region). before: the VMAs with [r); after: the VMAs left, none
    /// in [r).</summary>
    private void FreePgtables(PageRange r, ImmutableArray<Vma> before, ImmutableArray<Vma> after)
    {
        if (!Config.ModelsPteTables || State.PteTables.IsEmpty) return;
        int h = Config.HugePageSize;
        bool In(ImmutableArray<Vma> vs, int p) => vs.Any(v => v.Contains(p));
        // the detached VMAs as runs of pages (adjacent ones are always gathered: next->vm_start <= vma->vm_end + PMD_SIZE)
        var runs = new List<PageRange>();
        for (int p = r.Start; p < r.End; p++)
        {
            if (!In(before, p)) continue;
            if (runs.Count > 0 && runs[^1].End == p) runs[^1] = runs[^1] with { End = p + 1 };
            else runs.Add(new PageRange(p, p + 1));
        }
        if (runs.Count == 0) return;
        int floor = after.Where(v => v.End <= runs[0].Start).Select(v => v.End).DefaultIfEmpty(0).Max();
        int? pgEnd = after.Where(v => v.Start >= runs[^1].End).Select(v => (int?)v.Start).Min();
        var freed = new List<int>();
        for (int i = 0; i < runs.Count;)
        {
            int addr = runs[i].Start, end = runs[i].End;
            while (i + 1 < runs.Count && runs[i + 1].Start <= end + h) end = runs[++i].End;
            i++;
            int? ceiling = i < runs.Count ? runs[i].Start : pgEnd;
            // free_pgd_range
            int a = addr / h * h;
            if (a < floor) a += h;
            if (ceiling is { } c)
            {
                // (the kernel's "if (!ceiling) return" after the rounding guards its 0 = top of the address space; a model
                // ceiling below the first PMD boundary leaves end <= 0 here, which frees nothing all the same)
                c = c / h * h;
                if (end > c) end -= h;
            }
            for (int b = a; b < end; b += h) freed.Add(b);
        }
        State = State with { PteTables = State.PteTables.Except(freed) };
    }

    /// <summary>move_page_tables' PTE tables for the move of [old) to [dst) (MmState.PteTables), planned when the call is
    /// (mmap_lock held for write). linux-7.2 mm/mremap.c move_page_tables walks extents that end at the next PMD boundary of
    /// the old and of the new address (get_extent): a source PMD that is none (get_old_pmd) moves nothing and allocates
    /// nothing; else alloc_new_pmd, and a huge source PMD of a whole-PMD extent moves as it is (move_pgt_entry HPAGE_PMD: no
    /// table), any other is split (split_huge_pmd) and, like a source PTE table, gets the destination's table (pte_alloc, then
    /// move_ptes), even when no PTE of the extent is present, so an empty table is left there; a source PTE table of a
    /// whole-PMD extent is moved itself (move_normal_pmd, CONFIG_HAVE_MOVE_PMD on x86) when the destination has none and the
    /// source VMA is not userfaultfd-armed (uffd_supports_page_table_move; the model has no UFFD_FEATURE_EVENT_REMAP),
    /// leaving the source without one. linux-6.12 and 6.1 move_page_tables the same (6.1 without the huge-PUD case).
    /// try_realign_addr (a source VMA starting at old.Start with no VMA below it in its PMD) is not modelled: it moves a
    /// table the model copies, which differs only for MREMAP_DONTUNMAP's source.</summary>
    private void MovePteTables(Vma src, PageRange old, PageRange dst)
    {
        if (!Config.ModelsPteTables || src.Hugetlb) return;
        int h = Config.HugePageSize;
        var tables = State.PteTables;
        for (int a = old.Start; a < old.End;)
        {
            int d = a - old.Start + dst.Start;
            int next = Math.Min(Math.Min((a / h + 1) * h, a + (d / h + 1) * h - d), old.End);
            var sb = HugeBlock(a);
            bool huge = Enumerable.Range(sb.Start, sb.Length).Any(p => State.Ptes[p] is { Huge: true });
            bool whole = next - a == h;
            if (huge && whole && WholeHuge(sb)) { a = next; continue; }
            if (huge || tables.Contains(sb.Start))
            {
                int db = d / h * h;
                if (whole && !huge && !tables.Contains(db) && !src.UffdWp) tables = tables.Remove(sb.Start);
                tables = tables.Add(db);
            }
            a = next;
        }
        State = State with { PteTables = tables };
    }

    /// <summary>PT_RECLAIM (MmConfig.PtReclaim): MADV_DONTNEED frees the PTE table of every block its zap covers whole inside
    /// one kernel VMA (linux-7.2 mm/memory.c zap_pte_range: pte_table_reclaim_possible, end - start &gt;= PMD_SIZE, zap_pmd_range
    /// clipping each call to the PMD and madvise_walk_vmas to the VMA) once every PTE of it is none: an anonymous VMA's zap
    /// leaves none (zap_install_uffd_wp_if_needed: "Zap on anonymous always means dropping everything"), a shared one armed
    /// for uffd-wp may leave markers, so not there. The tables go with the zap's flush (Prim.TlbFlush.FreedTables, checked
    /// empty when it runs: zap_pte_table_if_empty). from: the index of the call's first step.</summary>
    private void ReclaimPteTables(PageRange r, int from)
    {
        if (!Config.PtReclaim) return;
        int h = Config.HugePageSize;
        var blocks = new List<int>();
        for (int b = (r.Start + h - 1) / h * h; b + h <= r.End && b + h <= Config.Pages; b += h)
            if (State.VmaAt(b) is { Hugetlb: false } v && !(v.Shared && v.UffdWp) && Vma.MergedRun(State.Vmas, v).Contains(new PageRange(b, b + h)))
                blocks.Add(b);
        int at = _prims.FindLastIndex(p => p is Prim.TlbFlush);
        if (blocks.Count == 0 || at < from) return;
        _prims[at] = ((Prim.TlbFlush)_prims[at]) with { FreedTables = [.. blocks] };
    }

    /// <summary>MADV_DONTNEED's zap (Linux 7.2 mm/madvise.c madvise_dontneed_single_vma -> zap_vma_range_batched; the seed's
    /// zap_page_range).</summary>
    private void ZapPageRange(PageRange r)
    {
        Bracket(CallSite.zap_page_range, r, ZapPtes(r));
        FreeBeforeNotify();
    }

    /// <summary>truncate's zap (Linux 7.2 mm/memory.c unmap_mapping_range_tree -> zap_vma_range_batched; zap_page_range_single
    /// before 7.x).</summary>
    private void ZapPageRangeSingle(PageRange r)
    {
        Bracket(CallSite.zap_page_range_single, r, ZapPtes(r));
        FreeBeforeNotify();
    }

    /// <summary>hugetlbfs truncation / hole punch: hugetlb_vmdelete_list -> Linux 7.2 mm/hugetlb.c unmap_hugepage_range
    /// (MMU_NOTIFY_CLEAR).</summary>
    private void UnmapHugepageRange(PageRange r)
    {
        Bracket(CallSite.unmap_hugepage_range, r, ZapPtes(r));
        FreeBeforeNotify();
    }

    /// <summary>Linux 7.2 mm/oom_kill.c __oom_reap_task_mm -> zap_vma_for_reaping of one VMA: a non-blockable start; a
    /// refusal skips the VMA. The bracket moved to mm/memory.c zap_vma_for_reaping and its event became MMU_NOTIFY_CLEAR in
    /// v7.1 (ba25127a8f0c, f52f202ddebb "mm/oom_kill: use MMU_NOTIFY_CLEAR in __oom_reap_task_mm()"; MMU_NOTIFY_UNMAP in
    /// __oom_reap_task_mm through linux-6.18); the event comes from the vocabulary's row.</summary>
    private void OomReapTaskMm(PageRange vma)
    {
        Bracket(CallSite.oom_reap_task_mm, vma, ZapPtes(vma), blockable: false);
        FreeBeforeNotify();
    }

    /// <summary>Linux 7.2 mm/rmap.c try_to_unmap_one (try_to_migrate_one for migration): the PTEs of one folio's range
    /// replaced (a swap entry for MADV_PAGEOUT's reclaim, a migration entry, cleared for collapse_file), then flushed. op null:
    /// the PTEs are set again as they were (a redirtied lazyfree folio: get_and_clear_ptes, then set_ptes and walk_abort);
    /// discard: the frame a lazyfree folio's discard frees ("goto discard"), or -1.</summary>
    private void TryToUnmapOne(PageRange r, PteOp? op, int discard = -1) =>
        Bracket(CallSite.try_to_unmap_one, r, after =>
        {
            if (op is { } o) foreach (int p in Enumerable.Range(r.Start, r.Length)) Pte(p, o, after);
            _prims.Add(new Prim.TlbFlush(r));
            if (discard >= 0) _prims.Add(new Prim.FreeFrame(discard));
        });

    private void CheckRange(int start, int end, string what)
    {
        if (start < 0 || end > Config.Pages || start >= end)
            throw new ModelException($"{what}: range [{start}, {end}) is outside the address space [0, {Config.Pages}) or empty", badInput: true);
    }

    private void CheckPage(int page, string what)
    {
        if (page < 0 || page >= Config.Pages) throw new ModelException($"{what}: page {page} is outside the address space [0, {Config.Pages})", badInput: true);
    }

    private ImmutableArray<Vma> VmasWithout(PageRange r, IEnumerable<Vma>? from = null)
    {
        var b = ImmutableArray.CreateBuilder<Vma>();
        foreach (var v in from ?? State.Vmas)
        {
            if (!v.Range.Overlaps(r)) { b.Add(v); continue; }
            if (v.Start < r.Start) b.Add(v with { End = r.Start });
            if (v.End > r.End) b.Add(v with { Start = r.End });
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<Vma> Sorted(IEnumerable<Vma> vmas) => vmas.OrderBy(v => v.Start).ToImmutableArray();

    /// <summary>Kernel VMAs merge when adjacent with equal flags (mm/vma.c vma_merge_new_range, vma_modify): a run of
    /// adjacent private VMAs of the same kind is one kernel VMA, so it has an anon_vma if any part has one.</summary>
    public static ImmutableArray<Vma> AnonVmaRuns(ImmutableArray<Vma> sorted)
    {
        var b = sorted.ToBuilder();
        for (int i = 0; i < b.Count;)
        {
            // a piece with another anon_vma ends the run: the VMA between two with different anon_vmas merges with the left one only
            // (linux-7.2 mm/vma.c vma_merge_new_range: can_vma_merge_right is false when prev's and next's anon_vmas differ)
            int j = i + 1, id = b[i].AnonVmaId;
            bool any = b[i].AnonVma;
            while (j < b.Count && Vma.Merged(b[j - 1], b[j]) && !(any && b[j].AnonVma && b[j].AnonVmaId != id))
            {
                if (!any && b[j].AnonVma) { any = true; id = b[j].AnonVmaId; }
                j++;
            }
            if (any && !b[i].Shared) for (int k = i; k < j; k++) b[k] = b[k] with { AnonVma = true, AnonVmaId = id };
            i = j;
        }
        return b.ToImmutable();
    }

    /// <summary>anon_vma_prepare of v, a private VMA without one (linux-7.2 mm/rmap.c __anon_vma_prepare -> mm/vma.c
    /// find_mergeable_anon_vma): the anon_vma of the kernel VMA's next neighbour, else of its previous one, where that one has an
    /// anon_vma and is compatible (Vma.AnonVmaCompatible), else a new one; then shared by v's run (AnonVmaRuns). Planted
    /// (MmConfig.PlantOneAnonVma): every VMA gets the same one, as the reference before anon_vma identities.</summary>
    public static ImmutableArray<Vma> PrepareAnonVma(ImmutableArray<Vma> vmas, Vma v, bool plantOne = false)
    {
        var run = Vma.MergedRun(vmas, v);
        var next = vmas.FirstOrDefault(x => x.Start == run.End);
        var prev = vmas.FirstOrDefault(x => x.End == run.Start);
        var kv = v with { Start = run.Start, End = run.End };
        int id = plantOne ? 1
            : next is { AnonVma: true } && Vma.AnonVmaCompatible(kv, next) ? next.AnonVmaId
            : prev is { AnonVma: true } && Vma.AnonVmaCompatible(prev, kv) ? prev.AnonVmaId
            : vmas.Select(x => x.AnonVmaId).DefaultIfEmpty(0).Max() + 1;
        return AnonVmaRuns(vmas.Replace(v, v with { AnonVma = true, AnonVmaId = id }));
    }

    /// <summary>The kernel tries a merge at each of these addresses (vma_modify's vma_merge_existing_range at the edges of the
    /// range it changes, vma_merge_new_range at a new VMA's edges: linux-7.2 mm/vma.c), so a Vma.Seam there goes: SameKind
    /// neighbours merge, others stay apart by their kind.</summary>
    /// Under linux-6.1, 6.12 and 6.18 a VMA with an anon_vma does not merge into a neighbour without one
    /// (OldAnonVmaMerge), so such an edge keeps its seam.
    private ImmutableArray<Vma> Unseamed(ImmutableArray<Vma> sorted, IEnumerable<int> edges)
    {
        var at = edges.ToHashSet();
        var vmas = sorted.Select(v => v.Seam && at.Contains(v.Start) ? v with { Seam = false } : v).ToImmutableArray();
        if (!OldAnonVmaMerge) return vmas;
        for (int i = 1; i < vmas.Length; i++)
        {
            Vma l = vmas[i - 1], r = vmas[i];
            if (!at.Contains(r.Start) || r.Seam || !Vma.Merged(l, r) || l.AnonVma == r.AnonVma) continue;
            // the VMA the call changes (vmg->middle, or a new VMA) is merged into the other; of two changed ones, the right
            // one into the left (the kernel walks the range upwards)
            var middle = Changed(r) ? r : Changed(l) ? l : null;
            if (middle is { AnonVma: true }) vmas = vmas.SetItem(i, r with { Seam = true });
        }
        return vmas;

        bool Changed(Vma x) => !State.Vmas.Any(o => o.Start <= x.Start && x.End <= o.End && o.SameKind(x) && o.Shared == x.Shared);
    }

    /// <summary>linux-6.1 mm/mmap.c and linux-6.12 mm/vma.c is_mergeable_anon_vma: one of the two anon_vmas may be NULL only
    /// when the VMA merged into (can_vma_merge_after's vmg->prev, can_vma_merge_before's vmg->next) has a singular
    /// anon_vma_chain, which a VMA without an anon_vma (an empty chain) has not: a VMA with an anon_vma never merges into one
    /// without, where linux-7.2 mm/vma.c is_mergeable_anon_vma merges it ("Case 1": dup_anon_vma into the target). 6.18.44
    /// merges as 7.2 (seen live in session 16 with a standalone program and /proc/self/maps: a faulted VMA's end changed by
    /// UFFDIO_REGISTER or MADV_DONTFORK merges into the unfaulted next VMA, its start into the unfaulted prev; host-only
    /// `--unseen --time 2m --seed 193`). Planted away: MmConfig.PlantAnonVmaMergeAs7_2 (6.1, 6.12 as 7.2),
    /// PlantAnonVmaMerge6_18As6_12.</summary>
    private bool OldAnonVmaMerge => Vocab is Vocabulary.Linux6_1 or Vocabulary.Linux6_12 && !Config.PlantAnonVmaMergeAs7_2
        || Vocab == Vocabulary.Linux6_18 && Config.PlantAnonVmaMerge6_18As6_12;

    private bool Covered(PageRange r) => Enumerable.Range(r.Start, r.Length).All(p => State.VmaAt(p) is not null);

    // ---------------------------------------------------------------- faults (mm/memory.c handle_mm_fault)

    /// <summary>Plans the fault a CPU or device access needs; returns an error (SIGSEGV) or null.</summary>
    public string? Fault(int page, bool write)
    {
        var vma = State.VmaAt(page);
        if (vma is null) return "SIGSEGV (no VMA)";
        if (vma.Prot == Prot.None || (write && vma.Prot != Prot.ReadWrite)) return $"SIGSEGV (VMA is {PteText.ProtText(vma.Prot)})";
        var pte = State.Ptes[page];
        if (State.Migrating.ContainsKey(page)) return "EBUSY (migration entry)";
        if (pte is null) { FaultMissing(page, vma, write); return null; }
        var cur = pte.Value;
        // a write to a PTE with the uffd-wp bit in a VM_UFFD_WP VMA (userfaultfd_pte_wp; a swap entry's bit is the PTE's after
        // do_swap_page) goes to the userfaultfd: linux-7.2 mm/memory.c do_wp_page -> handle_userfault(vmf, VM_UFFD_WP), where
        // the faulting thread waits until the userfaultfd's reader un-protects the page (UFFDIO_WRITEPROTECT mode 0) and the
        // fault is retried; the model has no reader, so the access is refused
        if (write && cur.UffdWp && vma.UffdWp && cur.Exclusive < 0 && cur.DevicePrivate < 0)
            return "EAGAIN (uffd-wp: the write waits in handle_userfault until the page is un-protected)";
        if (cur.Swapped) { SwapIn(page, cur, vma, write); return null; }
        if (cur.DevicePrivate >= 0)
        {
            // do_swap_page on a device-private entry -> pgmap->ops->migrate_to_ram (lib/test_hmm.c dmirror_devmem_fault)
            DmirrorDevmemFault(page, cur, vma);
            if (write && cur.Prot != Prot.ReadWrite) Pte(page, PteOp.Upgrade, false, 0, Prot.ReadWrite); // the retried fault: do_wp_page reuses the exclusive page
            return null;
        }
        if (cur.Exclusive >= 0)
        {
            // remove_device_exclusive_entry: the CPU takes the page back, telling the owner (owner NULL)
            RemoveDeviceExclusiveEntry(page);
            return write && cur.Prot != Prot.ReadWrite ? "SIGSEGV (read-only)" : null;
        }
        if (!write)
        {
            // the NUMA hinting fault (linux-7.2 mm/memory.c do_numa_page): pte_modify(old_pte, vma->vm_page_prot) and
            // can_change_pte_writable; a shared VMA's vm_page_prot is read-only while soft-dirty is tracked (mm/vma.c
            // vma_wants_writenotify: vma_soft_dirty_enabled), and mm/mprotect.c maybe_change_pte_writable keeps a PTE that
            // is not soft-dirty read-only (pte_needs_soft_dirty_wp), so its next write faults and is tracked
            if (!cur.Readable) Pte(page, PteOp.SetProt, false, cur.Frame, vma.Prot == Prot.ReadWrite && vma.Shared && cur.SoftDirty ? Prot.ReadWrite : Prot.Read);
            return null;
        }
        if (cur.Writable) return null;
        // do_wp_page reuses a page mapped once (wp_can_reuse_anon_folio: folio_ref_count 1), never a KSM page (linux-7.2 and
        // linux-6.12 mm/memory.c wp_can_reuse_anon_folio: folio_test_ksm -> false; a KSM page mapped once, e.g. after a child's
        // copy or an munmap of its other mapping, is copied: found by `notifier kernel`, wp_page_copy traced on 6.18), with
        // MmConfig.KsmWriteCopies (on by default; off, the reference before: the page reused)
        if (!vma.Shared && cur.Frame != MmState.ZeroFrame && State.FolioOf(cur.Frame) is var fi and >= 0)
        {
            FolioWriteFault(page, cur, State.Folios[fi]);
            return null;
        }
        // linux-7.2 mm/memory.c do_wp_page: a PageAnonExclusive page is reused without further checks, else
        // wp_can_reuse_anon_folio decides on the counts (and the reuse sets the bit: Machine, PteOp.Upgrade)
        if (vma.Shared || WpPageReuses(cur.Frame)) { Pte(page, PteOp.Upgrade, false, cur.Frame, Prot.ReadWrite, cur.Huge); return null; } // wp_page_reuse
        if (cur.Huge && cur.Frame == MmState.ZeroFrame && WholeHuge(HugeBlock(page)) && !Absent(CallSite.do_huge_zero_wp_pmd))
        {
            // do_huge_pmd_wp_page on the huge zero PMD (Linux 7.2); where the vocabulary has no such row (linux-6.1, 6.12:
            // is_huge_zero_pmd -> fallback; the seed), the THP path below runs
            DoHugeZeroWpPmd(HugeBlock(page));
            return null;
        }
        // a THP: the seed's kernel copies it whole; Linux 7.2 splits it and falls back to the base page's copy
        if (cur.Huge && WholeHuge(HugeBlock(page)) && !DoHugePmdWpPage(HugeBlock(page))) return null;
        // do_wp_page -> wp_page_copy; a hugetlb VMA's COW is mm/hugetlb.c hugetlb_wp
        if (HugetlbSite(vma.Hugetlb, CallSite.hugetlb_wp)) HugetlbWp(page, cur);
        else WpPageCopy(page, cur);
        return null;
    }

    /// <summary>The fault on an empty PTE (linux-7.2 mm/memory.c do_pte_missing): do_huge_pmd_anonymous_page for a whole empty
    /// huge block of a THP VMA, else do_anonymous_page. Returns the pages it maps (the block, or the page).</summary>
    private PageRange FaultMissing(int page, Vma vma, bool write)
    {
        var block = HugeBlock(page);
        // the kernel's VMA is the run of adjacent pieces of one kind (mm/vma.c merges them: Vma.MergedRun), e.g. after an
        // mremap back into a THP VMA; thp_vma_suitable_order (linux-7.2 include/linux/huge_mm.h) asks that the aligned
        // block lie inside that VMA
        var kvma = Vma.MergedRun(State.Vmas, vma);
        // and the PMD must be none (linux-7.2 mm/memory.c __handle_mm_fault: create_huge_pmd only if pmd_none(*vmf.pmd); a
        // PTE table left empty, e.g. by move_page_tables at an mremap destination, gets a base page: MmState.PteTables)
        if (vma.Thp && block.Length == Config.HugePageSize && block.Start >= kvma.Start && block.End <= kvma.End
            && Enumerable.Range(block.Start, block.Length).All(p => State.Ptes[p] is null)
            && (!State.HasPteTable(page) || Config.PlantPteTableIgnored))
        {
            // do_huge_pmd_anonymous_page: a read fault maps the huge zero page when use_zero_page is on (linux-7.2
            // mm/huge_memory.c: !(vmf->flags & FAULT_FLAG_WRITE) && !mm_forbids_zeropage && transparent_hugepage_use_zero_page()
            // -> set_huge_zero_folio, a read-only PMD), the zero frame mapped huge
            if (!write && !vma.Shared && Config.HugeZeroPage && !Config.ForbidsZeropage)
            {
                foreach (int p in Enumerable.Range(block.Start, block.Length)) Pte(p, PteOp.MapShared, false, MmState.ZeroFrame, Prot.Read, huge: true);
                return block;
            }
            // do_huge_pmd_anonymous_page: a huge page, filled (no notification, R8)
            foreach (int p in Enumerable.Range(block.Start, block.Length))
                Pte(p, PteOp.Map, false, Alloc(), write ? Prot.ReadWrite : vma.Prot, huge: true);
            return block;
        }
        // do_anonymous_page: the zero page for a read, unless mm_forbids_zeropage (linux-7.2 mm/memory.c do_anonymous_page:
        // !(vmf->flags & FAULT_FLAG_WRITE) && !mm_forbids_zeropage(vma->vm_mm)); then a page of its own, writable and dirty in a
        // writable VMA as for a write (entry = pte_mkwrite(pte_mkdirty(entry)) when VM_WRITE)
        if (!write && !vma.Shared && !Config.ForbidsZeropage) { Pte(page, PteOp.MapShared, false, MmState.ZeroFrame, Prot.Read); return new(page, page + 1); }
        Pte(page, PteOp.Map, false, Alloc(clean: true), write ? Prot.ReadWrite : vma.Prot);
        return new(page, page + 1);
    }

    /// <summary>The parent's write fault on a write-protected page of a folio fork shared (MmState.Folios). A page that is
    /// PageAnonExclusive again is reused (linux-7.2 mm/memory.c do_wp_page). Under the PMD: linux-7.2 and 6.12 mm/huge_memory.c
    /// do_huge_pmd_wp_page reuses the whole folio when folio_ref_count is 1 (no child maps any of it), else falls back:
    /// __split_huge_pmd under MMU_NOTIFY_CLEAR on this mm, then do_wp_page on the page's PTE, which copies it (the folio is
    /// still mapped by another mm or referenced otherwise: FolioReuse is false). Mapped by PTEs: FolioReuse decides.</summary>
    private void FolioWriteFault(int page, Pte cur, Folio folio)
    {
        if (AnonExclusive(cur.Frame)) { Pte(page, PteOp.Upgrade, false, cur.Frame, Prot.ReadWrite, cur.Huge); return; }
        var block = HugeBlock(page);
        if (cur.Huge && WholeHuge(block))
        {
            if (FolioOnlyHere(folio))
            {
                foreach (int p in Enumerable.Range(block.Start, block.Length)) Pte(p, PteOp.Upgrade, false, State.Ptes[p]!.Value.Frame, Prot.ReadWrite, true);
                return;
            }
            DoHugePmdWpPage(block);
            WpPageCopy(page, cur);
            return;
        }
        if (FolioReuse(folio, -1)) Pte(page, PteOp.Upgrade, false, cur.Frame, Prot.ReadWrite);
        else WpPageCopy(page, cur);
    }

    /// <summary>do_huge_pmd_wp_page's folio_ref_count(folio) == 1 (linux-7.2 and 6.12 mm/huge_memory.c): the one PMD that faults
    /// is the folio's only mapping and reference (the reference counts per frame: each frame mapped once and referenced once).</summary>
    private bool FolioOnlyHere(Folio folio) => folio.Frames.All(f => State.Frames[f] is { MapCount: 1, RefCount: 1 });

    /// <summary>do_wp_page's reuse of a page of a large folio that is not PageAnonExclusive, by mm (-1 the parent, c child c;
    /// the PTE-mapped case). Linux 6.1 and 6.12 mm/memory.c wp_can_reuse_anon_folio: never (6.12: folio_test_large -> false;
    /// 6.1 do_wp_page: page_count > 3 -> copy). Linux 6.18 and 7.2 __wp_can_reuse_large_anon_folio: not when the folio's large
    /// mapcount is at most 1, nor while FOLIO_MM_IDS_SHARED_BIT is set, nor when the folio has references other than its
    /// mappings (folio_large_mapcount != folio_ref_count). The bit (include/linux/rmap.h folio_add_return_large_mapcount,
    /// folio_sub_return_large_mapcount) is set while two mms map the folio, and cleared when one slot's mm holds all the
    /// mappings after an unmap, so once mm maps it alone it is clear exactly when mm holds a slot (Folio.Slots).</summary>
    private bool FolioReuse(Folio folio, int mm)
    {
        if (Vocab is Vocabulary.Linux6_1 or Vocabulary.Linux6_12 || !EventTables.IsKernel(Vocab)) return false;
        int here = State.FolioMaps(folio, mm);
        if (here <= 1) return false;
        if (State.FolioMaps(folio, -1) != (mm < 0 ? here : 0)) return false;
        for (int c = 0; c < State.Children.Count; c++) if (c != mm && State.FolioMaps(folio, c) > 0) return false;
        if (!folio.Slots.Contains(mm)) return false;
        return folio.Frames.Sum(f => State.Frames[f].RefCount) == folio.Frames.Sum(f => State.Frames[f].MapCount);
    }

    /// <summary>Linux 7.2 mm/huge_memory.c do_huge_pmd_wp_page -> do_huge_zero_wp_pmd: a new THP (vma_alloc_anon_folio_pmd,
    /// zeroed) allocated first, then under MMU_NOTIFY_CLEAR over the PMD the huge zero PMD is cleared (pmdp_huge_clear_flush)
    /// and the new folio mapped writable by one PMD (map_anon_folio_pmd_pf).</summary>
    private void DoHugeZeroWpPmd(PageRange block)
    {
        var news = Enumerable.Range(block.Start, block.Length).Select(_ => Alloc()).ToList();
        Bracket(CallSite.do_huge_zero_wp_pmd, block, after =>
        {
            for (int i = 0; i < news.Count; i++) Pte(block.Start + i, PteOp.Map, after, news[i], Prot.ReadWrite, huge: true);
            _prims.Add(new Prim.TlbFlush(block));
        });
    }

    /// <summary>do_huge_pmd_wp_page on a THP it cannot reuse; true when the fault falls back to the base page
    /// (VM_FAULT_FALLBACK). The seed's kernel (v7 vocabularies) copied the whole huge page; Linux 7.2 mm/huge_memory.c
    /// do_huge_pmd_wp_page splits it (fallback: __split_huge_pmd under MMU_NOTIFY_CLEAR) and the base page is then copied by
    /// do_wp_page -> wp_page_copy.</summary>
    private bool DoHugePmdWpPage(PageRange block)
    {
        if (!EventTables.IsKernel(Vocab))
        {
            var olds = Enumerable.Range(block.Start, block.Length).Select(p => State.Ptes[p]!.Value.Frame).ToList();
            var news = olds.Select(_ => Alloc()).ToList();
            for (int i = 0; i < olds.Count; i++) _prims.Add(new Prim.CopyFrame(olds[i], news[i]));
            Bracket(CallSite.do_huge_pmd_wp_page, block, after =>
            {
                for (int i = 0; i < olds.Count; i++) Pte(block.Start + i, PteOp.Map, after, news[i], Prot.ReadWrite, huge: true);
                _prims.Add(new Prim.TlbFlush(block));
                foreach (var f in olds) if (f != MmState.ZeroFrame) _prims.Add(new Prim.FreeFrame(f));
            });
            return false;
        }
        Bracket(CallSite.do_huge_pmd_wp_page, block, after =>
        {
            foreach (int p in Present(block)) if (State.Ptes[p] is { Huge: true }) Pte(p, PteOp.Split, after);
            _prims.Add(new Prim.TlbFlush(block));
        });
        return true;
    }

    /// <summary>Linux 7.2 mm/memory.c wp_page_copy: a new page allocated and copied before the notifier
    /// (MMU_NOTIFY_CLEAR over the page), the PTE switched under the PTL, the old page released. prot: the new PTE's (a write
    /// fault's maybe_mkwrite; an unshare fault's vm_page_prot, BreakKsm). Returns the new page.</summary>
    /// Unshare: a FAULT_FLAG_UNSHARE fault (BreakKsm), whose copy keeps the old PTE's soft-dirty and uffd-wp bits.
    private int WpPageCopy(int page, Pte cur, Prot prot = Prot.ReadWrite, bool unshare = false)
    {
        int nf = Alloc(clean: true);
        _prims.Add(new Prim.CopyFrame(cur.Frame, nf));
        Bracket(CallSite.wp_page_copy, new PageRange(page, page + 1), CopyOnWrite(page, cur, nf, prot, unshare));
        return nf;
    }

    /// <summary>Linux 7.2 mm/hugetlb.c hugetlb_wp: wp_page_copy's steps under MMU_NOTIFY_CLEAR over the huge page (the
    /// model's hugetlb pages are base pages).</summary>
    private void HugetlbWp(int page, Pte cur)
    {
        int nf = Alloc();
        _prims.Add(new Prim.CopyFrame(cur.Frame, nf));
        Bracket(CallSite.hugetlb_wp, new PageRange(page, page + 1), CopyOnWrite(page, cur, nf));
    }

    /// <summary>The body of a COW fault's bracket: the new page mapped writable, the TLB flushed, the old page released.</summary>
    /// An unshare fault's copy is mapped without pte_mkdirty (which on x86 sets _PAGE_SOFT_DIRTY too) and takes the old PTE's
    /// soft-dirty and uffd-wp bits (linux-7.2, 6.12 and 6.1 mm/memory.c wp_page_copy: "if (unlikely(unshare))
    /// { if (pte_soft_dirty(vmf->orig_pte)) entry = pte_mksoft_dirty(entry); if (pte_uffd_wp(vmf->orig_pte)) entry =
    /// pte_mkuffd_wp(entry); } else entry = maybe_mkwrite(pte_mkdirty(entry), vma)").
    private Action<bool> CopyOnWrite(int page, Pte cur, int nf, Prot prot = Prot.ReadWrite, bool unshare = false) => after =>
    {
        if (unshare) _prims.Add(new Prim.PteUpdate(page, PteOp.Map, nf, prot, false, after, SoftDirty: cur.SoftDirty, UffdWp: cur.UffdWp, Unshare: true));
        else Pte(page, PteOp.Map, after, nf, prot);
        _prims.Add(new Prim.TlbFlush(new PageRange(page, page + 1)));
        if (cur.Frame != MmState.ZeroFrame) _prims.Add(new Prim.FreeFrame(cur.Frame));
    };

    /// <summary>do_swap_page (linux-7.2 mm/memory.c): the swap cache's page mapped again. Exclusive when the swap entry is
    /// pte_swp_exclusive (Frame.AnonExclusive of the swap cache's frame: try_to_unmap_one set it for a PageAnonExclusive page; a
    /// fork shares the entry: copy_nonpresent_pte -> swap_dup_entry_direct and pte_swp_clear_exclusive, the child's copy one more
    /// reference here): then mapped with RMAP_EXCLUSIVE, writable when the VMA is. Else mapped read-only (neither exclusive
    /// nor folio_ref_count 1: the swap cache and the lookup hold it), and a write fault goes on to do_wp_page, which reuses
    /// the page when wp_can_reuse_anon_folio frees the swap cache and finds it held once (the model's frame held once, mapped
    /// once, not KSM: then PageAnonExclusive, PteOp.Upgrade), and copies it else (folio_free_swap fails while another entry
    /// holds it: wp_page_copy, MMU_NOTIFY_CLEAR).</summary>
    private void SwapIn(int page, Pte cur, Vma vma, bool write)
    {
        var fr = State.Frames[cur.Frame];
        bool exclusive = !fr.Ksm && (Config.PlantAnonExclusiveFromCounts ? fr.RefCount == 1 : fr.AnonExclusive);
        // the swap entry's uffd-wp bit is kept, and such a PTE is not made writable (userfaultfd_pte_wp)
        bool uffdWp = cur.UffdWp && vma.UffdWp;
        Pte(page, PteOp.Map, false, cur.Frame, exclusive && vma.Prot == Prot.ReadWrite && !uffdWp ? Prot.ReadWrite : Prot.Read, uffdWp: cur.UffdWp);
        if (exclusive || !write) return;
        if (fr is { RefCount: 1, Ksm: false }) Pte(page, PteOp.Upgrade, false, cur.Frame, Prot.ReadWrite);
        else WpPageCopy(page, cur);
    }

    /// <summary>Linux 7.2 mm/memory.c remove_device_exclusive_entry: the CPU takes a device-exclusive page back,
    /// MMU_NOTIFY_CLEAR with owner NULL (a fault, or fork's copy_nonpresent_pte).</summary>
    private void RemoveDeviceExclusiveEntry(int page)
    {
        var one = new PageRange(page, page + 1);
        Bracket(CallSite.remove_device_exclusive_entry, one, after =>
        {
            Pte(page, PteOp.RestoreExclusive, after);
            _prims.Add(new Prim.TlbFlush(one));
        });
    }

    /// <summary>make_device_exclusive (mm/rmap.c) for HMM_DMIRROR_EXCLUSIVE or nouveau's atomic fault: the page becomes a
    /// device-exclusive entry under MMU_NOTIFY_EXCLUSIVE (owner: MakeDeviceExclusive); then the atomic map.</summary>
    public string? Exclusive(int mirror, int page)
    {
        if (!EventTables.IsKernel(Vocab)) return "ENOSYS (device-exclusive entries are 5.14+: not in this vocabulary)";
        var vma = State.VmaAt(page);
        if (vma is null || vma.Shared || vma.Prot != Prot.ReadWrite) return "EINVAL (not a private writable anonymous page)";
        if (State.Ptes[page] is not { Writable: true, Huge: false } pte || pte.Frame == MmState.ZeroFrame)
            return "EBUSY (the page must be mapped writable by a base page: write it first)";
        MakeDeviceExclusive(mirror, page);
        _prims.Add(new Prim.AtomicMap(mirror, page));
        return null;
    }

    /// <summary>Linux 7.2 mm/rmap.c make_device_exclusive: the page becomes a device-exclusive entry under
    /// MMU_NOTIFY_EXCLUSIVE with the owner the driver passes: the mirror (nouveau), or NULL (lib/test_hmm.c
    /// dmirror_exclusive; MirrorConfig.NullExclusiveOwner).</summary>
    private void MakeDeviceExclusive(int mirror, int page)
    {
        var one = new PageRange(page, page + 1);
        Bracket(CallSite.make_device_exclusive, one, after =>
        {
            Pte(page, PteOp.MakeExclusive, after, mirror);
            _prims.Add(new Prim.TlbFlush(one));
        }, owner: Config.MirrorList[mirror].NullExclusiveOwner ? -1 : mirror);
    }

    /// <summary>The device-private migration the plan runs, if any (the owner's exemption of Rules.CheckState).</summary>
    public DeviceMigration? Migration { get; private set; }

    /// <summary>change_protection's change_softleaf_pte (linux-7.2 mm/mprotect.c): a writable device-private entry becomes
    /// readable (make_readable_device_private_entry) whatever the new protection; other entries are left.</summary>
    private bool DevicePrivateLosesWrite(int p) => State.Ptes[p] is { DevicePrivate: >= 0, Prot: Prot.ReadWrite };

    /// <summary>lib/test_hmm.c dmirror_migrate_to_device for [r.Start, r.End) of mirror m (HMM_DMIRROR_MIGRATE_TO_DEV), under
    /// mmap_read_lock: migrate_vma_setup (MIGRATE_VMA_SELECT_SYSTEM) -> migrate_vma_collect, dmirror_migrate_alloc_and_copy,
    /// migrate_vma_pages -> __migrate_device_pages / migrate_vma_insert_page, dmirror_migrate_finalize_and_map,
    /// migrate_vma_finalize (linux-7.2 mm/migrate_device.c). An error, or null.</summary>
    public string? MigrateVmaToDevice(int m, PageRange r)
    {
        if (Absent(CallSite.migrate_vma_collect)) return "ENOSYS (device-private migration has no row in this vocabulary)";
        // dmirror_migrate_to_device: vma_lookup(addr) with VM_READ, else -EINVAL; the model takes one VMA per call (the ioctl
        // loops over the VMAs of the range, one migrate_vma_setup each)
        var vma = State.VmaAt(r.Start);
        if (vma is null || vma.Prot == Prot.None || vma.End < r.End) return "EINVAL (no readable VMA over the whole range)";
        // migrate_vma_setup: hugetlb VMAs are -EINVAL
        if (vma.Hugetlb) return "EINVAL (hugetlb VMA)";
        var pages = Enumerable.Range(r.Start, r.Length).ToList();
        // migrate_vma_collect_pmd takes a THP through migrate_vma_collect_huge_pmd, which migrates it whole
        // (MIGRATE_VMA_SELECT_COMPOUND, which dmirror_migrate_to_device passes) or splits it (split_folio); the model always
        // splits it first, under the PMD split's MMU_NOTIFY_CLEAR, and migrates base pages (the compound migration is not modelled)
        foreach (var b in pages.Where(p => State.Ptes[p] is { Huge: true }).Select(HugeBlock).Distinct().ToList()) SplitHugePage(b);
        // a page another mapping shares (fork, KSM) is unmapped there by migrate_device_unmap -> try_to_migrate, in other mms:
        // not modelled
        if (pages.Any(p => State.Ptes[p] is { NonPresent: false } x && x.Frame != MmState.ZeroFrame && (State.Frames[x.Frame].MapCount != 1 || State.Frames[x.Frame].RefCount != 1)))
            return "EBUSY (a page mapped elsewhere: migrating it across mms is not modelled)";
        // migrate_vma_collect_pmd, per page of a private anonymous VMA: pte_none -> MIGRATE_PFN_MIGRATE without a page (only
        // vma_is_anonymous); the zero page -> the same, PTE left; a present page -> migration entry (ptep_clear_flush,
        // MIGRATE_PFN_WRITE if pte_write); non-present entries (swap, device-exclusive, device-private, migration) skipped.
        // A shared (shmem) page is collected but __migrate_device_pages refuses it ("only support anonymous memory
        // migrating to device private"); the model leaves shared VMAs' pages where they are.
        var collect = new List<(int Page, Pte Old)>();
        var insert = new List<(int Page, int Old)>();
        if (!vma.Shared)
            foreach (int p in pages)
            {
                if (State.Migrating.ContainsKey(p)) continue;
                if (State.Ptes[p] is not { } x) { insert.Add((p, -1)); continue; }
                if (x.NonPresent) continue;
                if (x.Frame == MmState.ZeroFrame) insert.Add((p, MmState.ZeroFrame));
                else collect.Add((p, x));
            }
        // migrate_vma_collect notifies the whole range whatever it finds (MMU_NOTIFY_MIGRATE, owner: the pgmap owner)
        var dst = new Dictionary<int, int>();
        MigrateVmaCollect(r, collect.Select(x => x.Page).ToList(), m, present: true);
        if (collect.Count + insert.Count == 0) return null;
        // dmirror_migrate_alloc_and_copy: a device page per migrating page (dmirror_devmem_alloc_page), copied (copy_highpage)
        // or cleared (clear_highpage: a none or zero-page source)
        foreach (var (p, old) in collect) { dst[p] = Alloc(); MigratedAnonExclusive(old.Frame, dst[p]); _prims.Add(new Prim.CopyFrame(old.Frame, dst[p])); }
        foreach (var (p, _) in insert) dst[p] = Alloc();
        // migrate_vma_pages -> __migrate_device_pages: the first page without a source page opens MMU_NOTIFY_MIGRATE (owner)
        // over [addr, migrate->end); migrate_vma_insert_page installs the device-private entry (writable iff VM_WRITE),
        // replacing a zero-page PTE with ptep_clear_flush; pages with a source page only get folio_migrate_mapping
        if (insert.Count > 0) MigrateVmaPages(r, insert, dst, vma.Prot == Prot.ReadWrite ? Prot.ReadWrite : Prot.Read, m);
        // dmirror_migrate_finalize_and_map: the device maps each migrated page, WRITE iff MIGRATE_PFN_WRITE (pte_write of the
        // source; never for a none or zero-page source)
        var entries = collect.Select(x => (x.Page, dst[x.Page], x.Old.Writable)).Concat(insert.Select(x => (x.Page, dst[x.Page], false)))
            .OrderBy(x => x.Item1).ToImmutableArray();
        _prims.Add(new Prim.DeviceMigrateMap(m, entries));
        // migrate_vma_finalize -> remove_migration_ptes(src, dst): the migration entries become device-private entries
        // (writable iff the migration entry was; soft-dirty kept through it: linux-7.2 mm/migrate.c remove_migration_pte), then the
        // source pages are freed (folio_put)
        foreach (var (p, old) in collect)
            _prims.Add(new Prim.PteUpdate(p, PteOp.DevicePrivateEntry, dst[p], old.Writable ? Prot.ReadWrite : Prot.Read, Owner: m, SoftDirty: old.SoftDirty));
        foreach (var (p, old) in collect) _prims.Add(new Prim.FreeFrame(old.Frame));
        Migration = new DeviceMigration(m, collect.Select(x => (x.Page, (x.Old.Frame, dst[x.Page])))
            .Concat(insert.Where(x => x.Old == MmState.ZeroFrame).Select(x => (x.Page, (MmState.ZeroFrame, dst[x.Page]))))
            .ToImmutableDictionary(x => x.Page, x => x.Item2));
        return null;
    }

    /// <summary>A migration's new page takes the old one's PageAnonExclusive (Frame.AnonExclusive), planned with its allocation:
    /// linux-7.2 mm/rmap.c try_to_migrate_one (mm/migrate_device.c migrate_vma_collect_pmd alike) makes a writable or
    /// readable-exclusive migration entry for a PageAnonExclusive page and clears the old page's bit
    /// (folio_try_share_anon_rmap_pte), and mm/migrate.c remove_migration_pte maps the new page with RMAP_EXCLUSIVE unless the
    /// entry is a plain readable one (softleaf_is_migration_read).</summary>
    private void MigratedAnonExclusive(int from, int to) =>
        State = State with { Frames = State.Frames.SetItem(to, State.Frames[to] with { AnonExclusive = State.Frames[from].AnonExclusive }) };

    /// <summary>Linux 7.2 mm/migrate_device.c migrate_vma_collect: MMU_NOTIFY_MIGRATE over the whole range whatever it finds
    /// (owner: the pgmap owner); migrate_vma_collect_pmd turns each collected page's entry into a migration entry, and
    /// flushes the TLB (flush_tlb_range) only when present PTEs were unmapped (not for a device-private entry).</summary>
    private void MigrateVmaCollect(PageRange r, IReadOnlyList<int> pages, int owner, bool present) =>
        Bracket(CallSite.migrate_vma_collect, r, after =>
        {
            foreach (int p in pages) Pte(p, PteOp.MigrationEntry, after);
            if (present && pages.Count > 0) _prims.Add(new Prim.TlbFlush(r));
        }, owner: owner);

    /// <summary>Linux 7.2 mm/migrate_device.c migrate_vma_pages -> __migrate_device_pages: the first page without a source
    /// page opens MMU_NOTIFY_MIGRATE (owner) over [addr, migrate->end); migrate_vma_insert_page installs each device-private
    /// entry (writable iff VM_WRITE), replacing a zero-page PTE with ptep_clear_flush.</summary>
    private void MigrateVmaPages(PageRange r, List<(int Page, int Old)> insert, Dictionary<int, int> dst, Prot prot, int owner)
    {
        var ir = new PageRange(insert.Min(x => x.Page), r.End);
        Bracket(CallSite.migrate_vma_pages, ir, after =>
        {
            foreach (var (p, old) in insert.OrderBy(x => x.Page))
            {
                _prims.Add(new Prim.PteUpdate(p, PteOp.DevicePrivateEntry, dst[p], prot, Owner: owner));
                if (old == MmState.ZeroFrame) _prims.Add(new Prim.TlbFlush(new PageRange(p, p + 1)));
            }
        }, owner: owner);
    }

    /// <summary>lib/test_hmm.c dmirror_devmem_fault (pgmap->ops->migrate_to_ram, from mm/memory.c do_swap_page) for one page:
    /// migrate_vma_setup (MIGRATE_VMA_SELECT_DEVICE_PRIVATE, fault_page) -> migrate_vma_collect (MMU_NOTIFY_MIGRATE, owner: the
    /// page's mirror), dmirror_devmem_fault_alloc_and_copy (alloc_page_vma, xa_erase of the owner's entry, copy_highpage),
    /// migrate_vma_pages (a source page: no notification), migrate_vma_finalize (the migration entry becomes a present PTE of
    /// the new page; the device page is freed: dmirror_devmem_free).</summary>
    private void DmirrorDevmemFault(int page, Pte cur, Vma vma)
    {
        int owner = cur.DevicePrivate;
        var one = new PageRange(page, page + 1);
        int nf = Alloc();
        MigratedAnonExclusive(cur.Frame, nf);
        // migrate_vma_collect_pmd: a device-private entry of this owner (MIGRATE_VMA_SELECT_DEVICE_PRIVATE) becomes a
        // migration entry; not present, so no flush_tlb_range
        MigrateVmaCollect(one, [page], owner, present: false);
        _prims.Add(new Prim.DeviceErase(owner, page));
        _prims.Add(new Prim.CopyFrame(cur.Frame, nf));
        // remove_migration_pte: mk_pte(vm_page_prot), writable iff the migration entry was (softleaf_is_device_private_write)
        Pte(page, PteOp.Map, false, nf, cur.Prot == Prot.ReadWrite && vma.Prot == Prot.ReadWrite ? Prot.ReadWrite : Prot.Read);
        _prims.Add(new Prim.FreeFrame(cur.Frame));
        Migration = new DeviceMigration(owner, ImmutableDictionary<int, (int, int)>.Empty.Add(page, (cur.Frame, nf)));
    }

    // ---------------------------------------------------------------- calls

    /// <summary>Plans one CPU call: one method per call (reference/Calls.cs), named after it, that checks its arguments and
    /// the state and dispatches to the methods of the call sites it reaches; each call site has its own method, named
    /// after its kernel function (as lib/test_hmm.c names its dmirror_* functions), that brackets that site.</summary>
    public (string Name, MmapLock Lock, string? Error) PlanCall(Call call) => call switch
    {
        Call.Mmap m => Mmap(m),
        Call.Munmap m => Munmap(m),
        Call.Mprotect m => Mprotect(m),
        Call.Mremap m => Mremap(m),
        Call.MremapDontunmap m => MremapDontunmap(m),
        Call.MadviseDontneed m => MadviseDontneed(m),
        Call.Truncate m => Truncate(m),
        Call.MadviseFree m => MadviseFree(m),
        Call.MadvisePageout m => MadvisePageout(m),
        Call.CpuRead or Call.CpuWrite => CpuAccess(call),
        Call.Fork => Fork(),
        Call.ChildWrite m => ChildWrite(m),
        Call.Migrate m => Migrate(m),
        Call.KsmMerge m => KsmMerge(m),
        Call.SplitHuge m => SplitHuge(m),
        Call.CollapseHuge m => CollapseHuge(m),
        Call.Mlock m => Mlock(m),
        Call.Munlock m => Munlock(m),
        Call.Writeback m => Writeback(m),
        Call.ClearRefs => ClearRefs(),
        Call.UffdWriteProtect m => UffdWriteProtect(m),
        Call.UffdRegister m => UffdRegister(m),
        Call.UffdUnregister m => UffdUnregister(m),
        Call.NumaScan m => NumaScan(m),
        Call.PagemapScanWp m => PagemapScanWp(m),
        Call.UffdMove m => UffdMove(m),
        Call.MadviseCollapse m => MadviseCollapse(m),
        Call.WpSharedMapping m => WpSharedMapping(m),
        Call.PageReferenced or Call.TestYoung => PageReferenced(call),
        Call.Exit => Exit(),
        Call.OomReap => OomReap(),
        _ => throw new ModelException($"{call.Name}: not a CPU call"),
    };

    /// <summary>Linux 7.2 mm/vma.c __mmap_region (MAP_FIXED: the overlap is unmapped first).</summary>
    private (string Name, MmapLock Lock, string? Error) Mmap(Call.Mmap m)
    {
        CheckRange(m.Start, m.End, "mmap");
        var r = new PageRange(m.Start, m.End);
        if (State.Vmas.Any(v => v.Range.Overlaps(r)))
        {
            // MAP_FIXED over a mapping. Since 6.12 the overlap's PTEs are cleared while its VMAs are still in the tree, under
            // mmap_write_lock (no downgrade), and the new VMA is stored after (linux-7.2 mm/vma.c __mmap_region -> __mmap_setup:
            // vms_gather_munmap_vmas, vms_clean_up_area -> vms_clear_ptes -> unmap_region -> unmap_vmas, "Clear PTEs while the
            // vma is still in the tree"; then __mmap_new_vma: vma_iter_store_new; linux-6.12 mm/mmap.c __mmap_region alike).
            // linux-6.1 (mm/mmap.c mmap_region -> do_mas_munmap) and the seed's kernel (do_munmap) removed the VMAs first.
            if (!MapFixedZapsFirst) _prims.Add(new Prim.VmaUpdate(VmasWithout(r)));
            UnmapVmas(r);
            FreePgtables(r, State.Vmas, VmasWithout(r));
        }
        // accountable_mapping (linux-7.2 mm/vma.c): private and writable, not hugetlb -> VM_ACCOUNT. MADV_MERGEABLE of a shared
        // or hugetlb VMA is ignored (linux-7.2 mm/ksm.c ksm_madvise -> vma_ksm_compatible -> ksm_compatible: "Just ignore the
        // advice" for VM_SHARED, VM_MAYSHARE, VM_HUGETLB; linux-6.1 ksm_madvise the same flags): no VM_MERGEABLE, so KSM never
        // merges its pages
        bool mergeable = m.Mergeable && (Config.PlantKsmAdviceOnShared || !m.Shared && !m.Hugetlb);
        var vmas = VmasWithout(r).Add(new Vma(m.Start, m.End, m.Prot, m.Shared, false, mergeable, m.Thp, m.Hugetlb,
            Account: !m.Shared && !m.Hugetlb && m.Prot == Prot.ReadWrite));
        // vma_merge_new_range: the new VMA merges with its neighbours where it can
        _prims.Add(new Prim.VmaUpdate(AnonVmaRuns(Unseamed(Sorted(vmas), [m.Start, m.End]))));
        return ("mmap", MmapLock.Write, null);
    }

    /// <summary>MAP_FIXED clears the old PTEs before the VMA tree changes (6.12+: __mmap_region's vms_clean_up_area).</summary>
    private bool MapFixedZapsFirst => EventTables.IsKernel(Vocab) && Vocab != Vocabulary.Linux6_1;

    /// <summary>Linux 7.2 mm/vma.c do_vmi_munmap -> unmap_vmas.</summary>
    private (string Name, MmapLock Lock, string? Error) Munmap(Call.Munmap m)
    {
        CheckRange(m.Start, m.End, "munmap");
        _prims.Add(new Prim.VmaUpdate(VmasWithout(new PageRange(m.Start, m.End))));
        UnmapVmas(new PageRange(m.Start, m.End));
        FreePgtables(new PageRange(m.Start, m.End), State.Vmas, VmasWithout(new PageRange(m.Start, m.End)));
        return ("munmap", MmapLock.Write, null);
    }

    /// <summary>Linux 7.2 mm/mprotect.c mprotect_fixup -> change_protection.</summary>
    private (string Name, MmapLock Lock, string? Error) Mprotect(Call.Mprotect m)
    {
        CheckRange(m.Start, m.End, "mprotect");
        var r = new PageRange(m.Start, m.End);
        if (!Covered(r))
        {
            // linux-7.2 mm/mprotect.c do_mprotect_pkey: -ENOMEM without a change when no VMA holds the first page ("if
            // (vma->vm_start > start) goto out"); else each VMA is changed in turn (mprotect_fixup) until the first hole
            // ("if (vma->vm_start != tmp) { error = -ENOMEM; break; }", or "tmp < end" after the last VMA): the VMAs before it
            // stay changed. linux-6.12 the same; 6.1's loop the same ("if (!vma || vma->vm_start != nstart)")
            int hole = FirstHole(r);
            if (hole == r.Start || Config.PlantHoleNoChange) return ("mprotect", MmapLock.Write, "ENOMEM (range not fully mapped)");
            var (name, lck, err) = Mprotect(m with { End = hole });
            if (err is not null) return (name, lck, err);
            RefusalKeepsVmaSteps = true;
            return ("mprotect", MmapLock.Write, $"ENOMEM (a hole at page {hole}: the VMAs before it changed)");
        }
        var vmas = new List<Vma>();
        var edges = new List<int>();
        int changedStart = int.MaxValue, changedEnd = -1;
        foreach (var v in State.Vmas)
        {
            if (!v.Range.Overlaps(r)) { vmas.Add(v); continue; }
            if (v.Start < r.Start) vmas.Add(v with { End = r.Start });
            // mprotect_fixup's VM_ACCOUNT: set when a private mapping becomes writable, dropped when it stops being
            // writable only while it has no anon_vma (an anonymous VMA; a shared one keeps what it has)
            bool account = m.Prot == Prot.ReadWrite ? v.Account || (!v.Shared && !v.Hugetlb && v.Prot != Prot.ReadWrite)
                : v.Account && (v.Shared || v.AnonVma);
            var piece = v with { Start = Math.Max(v.Start, r.Start), End = Math.Min(v.End, r.End), Prot = m.Prot, Account = account };
            // mprotect_fixup: newflags == oldflags -> nothing to do for this VMA (no split, no change_protection)
            if (piece.Prot != v.Prot || piece.Account != v.Account)
            {
                changedStart = Math.Min(changedStart, piece.Start); changedEnd = Math.Max(changedEnd, piece.End);
                edges.Add(piece.Start); edges.Add(piece.End);
            }
            vmas.Add(piece);
            if (v.End > r.End) vmas.Add(v with { Start = r.End });
        }
        // mprotect_fixup: a private VM_LOCKED VMA becoming writable is populated after change_protection, "to avoid major fault
        // on access" (linux-7.2 mm/mprotect.c mprotect_fixup -> populate_vma_page_range, write faults; its result ignored;
        // linux-6.12 and 6.1 the same test on oldflags / newflags). Planted away: MmConfig.PlantMprotectSkipsLockedPopulate
        var populate = m.Prot != Prot.ReadWrite || Config.PlantMprotectSkipsLockedPopulate ? []
            : State.Vmas.Where(v => v.Range.Overlaps(r) && v.Mlocked && !v.Shared && v.Prot != Prot.ReadWrite).Select(v => v.Range.Intersect(r)).ToList();
        var upgraded = populate.SelectMany(pr => Enumerable.Range(pr.Start, pr.Length)).Where(p => CanChangePteWritable(p, Prot.ReadWrite)).ToHashSet();
        foreach (var pr in populate)
            if (PopulateUnmodelled(pr, true, upgraded.Contains) is { } why) return ("mprotect", MmapLock.Write, why);
        // vma_modify_flags of each changed VMA tries to merge it with its neighbours (mm/vma.c vma_merge_existing_range)
        _prims.Add(new Prim.VmaUpdate(AnonVmaRuns(Unseamed(Sorted(vmas), edges))));
        if (changedEnd < 0) return ("mprotect", MmapLock.Write, null);
        MprotectFixup(m, r, changedStart, changedEnd);
        PopulateVmaPageRange(populate);
        return ("mprotect", MmapLock.Write, null);
    }

    /// <summary>change_protection over the VMAs whose flags change, first to last (one notification over them; the kernel's
    /// are per VMA).</summary>
    private void MprotectFixup(Call.Mprotect m, PageRange r, int changedStart, int changedEnd)
    {
        r = new PageRange(changedStart, changedEnd);
        SplitStraddling(r);
        // change_pmd_range starts the notifier lazily, at the first populated PMD
        var present = Present(r).ToList();
        if (present.Count == 0) return;
        // a range of hugetlb VMAs only: change_protection -> mm/hugetlb.c hugetlb_change_protection
        bool hugetlb = State.Vmas.Where(v => v.Range.Overlaps(r)).All(v => v.Hugetlb);
        if (HugetlbSite(hugetlb, CallSite.hugetlb_change_protection)) HugetlbChangeProtection(r, present, m.Prot);
        else ChangeProtection(r, present, m.Prot);
    }

    /// <summary>Linux 7.2 mm/mprotect.c change_protection over the VMAs whose flags change: change_pmd_range starts the
    /// notifier lazily, at the first populated PMD (MMU_NOTIFY_PROTECTION_VMA; the seed's MMU_MPROT).</summary>
    private void ChangeProtection(PageRange r, List<int> present, Prot newProt)
    {
        var upgrade = present.Where(p => CanChangePteWritable(p, newProt)).ToHashSet();
        var nr = new PageRange(Math.Max(r.Start, HugeBlock(present[0]).Start), r.End);
        Bracket(CallSite.change_protection, nr, ChangePtes(nr, present, upgrade, newProt), newProt: newProt);
    }

    /// <summary>Linux 7.2 mm/hugetlb.c hugetlb_change_protection: MMU_NOTIFY_PROTECTION_VMA over [start, end) from its start
    /// (widened for PMD sharing, not modelled); no write upgrade (CanChangePteWritable asks for a VMA that is not hugetlb).</summary>
    private void HugetlbChangeProtection(PageRange r, List<int> present, Prot newProt) =>
        Bracket(CallSite.hugetlb_change_protection, r, ChangePtes(r, present, [], newProt), newProt: newProt);

    /// <summary>The body of an mprotect bracket: each present PTE down to the new protection (a device-private entry loses
    /// write), the upgraded ones made writable, then the flush.</summary>
    private Action<bool> ChangePtes(PageRange nr, List<int> present, HashSet<int> upgrade, Prot newProt) => after =>
    {
        foreach (int p in present)
        {
            var cur = State.Ptes[p]!.Value;
            if (DevicePrivateLosesWrite(p)) { Pte(p, PteOp.SetProt, after, cur.Frame, Prot.Read); continue; }
            if (cur.DevicePrivate >= 0) continue;
            var np = newProt == Prot.ReadWrite ? cur.Prot : (Prot)Math.Min((int)cur.Prot, (int)newProt);
            // the new protection upgrades a PTE only through MM_CP_TRY_CHANGE_WRITABLE (CanChangePteWritable);
            // every other upgrade is left to a later fault (R8)
            if (upgrade.Contains(p)) np = Prot.ReadWrite;
            if (np != cur.Prot) Pte(p, PteOp.SetProt, after, cur.Frame, np, cur.Huge);
        }
        _prims.Add(new Prim.TlbFlush(nr));
    };

    /// <summary>Linux 7.2 mm/mprotect.c mprotect_fixup -> change_protection with MM_CP_TRY_CHANGE_WRITABLE (a private VMA
    /// becoming writable: vma_wants_manual_pte_write_upgrade, mm/vma.h) -> change_present_ptes ->
    /// set_write_prot_commit_flush_ptes: a read-only PTE is made writable inside the bracket when
    /// can_change_private_pte_writable holds: maybe_change_pte_writable (not PROT_NONE, no soft-dirty write fault needed:
    /// pte_needs_soft_dirty_wp, no uffd-wp bit) and an anonymous PageAnonExclusive page (Frame.AnonExclusive; the zero page
    /// is not anonymous). The model asks for a soft-dirty PTE (pte_needs_soft_dirty_wp is false then whatever VM_SOFTDIRTY says; a PTE clear_refs
    /// write-protected is never upgraded). Not in the seed's vocabularies (v7: MM_CP_TRY_CHANGE_WRITABLE is 6.0+; 6.1
    /// mm/mprotect.c change_pte_range, can_change_pte_writable). Base pages only: a huge PMD's own upgrade
    /// (mm/huge_memory.c change_huge_pmd, can_change_pmd_writable) and shared mappings (can_change_shared_pte_writable:
    /// dirty PTEs under writenotify) are left to the next fault. hugetlb_change_protection has no such upgrade.</summary>
    private bool CanChangePteWritable(int page, Prot newProt)
    {
        if (newProt != Prot.ReadWrite || !EventTables.IsKernel(Vocab)) return false;
        // only the VMAs whose protection changes to writable get change_protection (mprotect_fixup: newflags == oldflags)
        if (State.VmaAt(page) is not { Shared: false, Hugetlb: false } vma || vma.Prot == Prot.ReadWrite) return false;
        if (State.Ptes[page] is not { Prot: Prot.Read, Huge: false, TrackWp: false, SoftDirty: true, Exclusive: < 0, Swapped: false } pte) return false;
        // maybe_change_pte_writable: "Do we need write faults for uffd-wp tracking?" (userfaultfd_pte_wp)
        if (pte.UffdWp && vma.UffdWp) return false;
        // linux-6.1 mm/mprotect.c can_change_pte_writable: "if (pte_protnone(pte) || !pte_dirty(pte)) return false" (a
        // clean PTE, e.g. swapped in by a read fault, waits for its write fault); linux-6.12 / 7.2 ask no dirty bit of a
        // private anonymous PTE
        if (Vocab == Vocabulary.Linux6_1 && !pte.Dirty) return false;
        return pte.Frame != MmState.ZeroFrame && AnonExclusive(pte.Frame);
    }

    /// <summary>Linux 7.2 mm/mremap.c move_vma -> move_page_tables.</summary>
    private (string Name, MmapLock Lock, string? Error) Mremap(Call.Mremap m) => MoveVma("mremap", m.OldStart, m.OldEnd, m.NewStart, dontunmap: false);

    /// <summary>mremap with MREMAP_DONTUNMAP (linux-7.2 mm/mremap.c; linux-6.12 and 6.1 the same steps): check_mremap_params
    /// wants old_len == new_len (-EINVAL otherwise: the call has one length); check_prep_vma (6.12 and 6.1 vma_to_resize)
    /// refuses a VM_DONTEXPAND or VM_PFNMAP VMA with -EINVAL, which a hugetlbfs mapping is (linux-7.2 fs/hugetlbfs/inode.c
    /// hugetlbfs_file_mmap sets VMA_DONTEXPAND_BIT); any other VMA, shared or private, is accepted. move_vma then runs
    /// prep_move_vma (the KSM break), copy_vma_and_data -> move_page_tables (the same MMU_NOTIFY_UNMAP bracket over the old
    /// range as mremap) and, instead of unmap_source_vma, dontunmap_complete: the old range keeps its VMA with no PTEs
    /// (DontunmapVmas), so the source range gets no unmap_vmas bracket of its own. A shared mapping is refused here (not
    /// modelled: its old range would fault the same shared pages back, where the reference's fault gives a new page).</summary>
    private (string Name, MmapLock Lock, string? Error) MremapDontunmap(Call.MremapDontunmap m) => MoveVma("mremap_dontunmap", m.OldStart, m.OldEnd, m.NewStart, dontunmap: true);

    /// <summary>mremap's move of [oldStart, oldEnd) to newStart (MREMAP_MAYMOVE | MREMAP_FIXED, old_len == new_len).
    /// linux-7.2 mm/mremap.c do_mremap -> remap_move (vrm_move_only: MREMAP_FIXED without a resize), which moves every VMA of the
    /// range (for_each_vma_range), each by check_prep_vma and mremap_to -> move_vma with its own move_page_tables bracket,
    /// in address order, each to newStart plus its offset from oldStart (the gaps between them kept: "we map B' at
    /// A'->vm_end + X"): MmState.MremapPieces. linux-6.12 and 6.1 (and the seed's vocabularies) move within one VMA: mremap_to ->
    /// vma_to_resize, "We can't remap across vm area boundaries" (old_len > vma->vm_end - addr: -EFAULT; no VMA at addr
    /// (vma_lookup): -EFAULT). linux-6.18: as linux-7.2, seen on the 6.18.44 kernel (docs/kernel.md "mremap over several
    /// VMAs"; no 6.18 tree here): MmConfig.MremapMovesSeveralVmas. Each piece is move_vma's own move (MoveOneVma): its KSM
    /// break, copy_vma (a vma_update step), move_page_tables' bracket over the piece. The result is the first VMA's new
    /// address; an error part way through returns the error with the moves before it done (a refusal with steps and their
    /// vma_update lines: RefusalKeepsVmaSteps).</summary>
    private (string Name, MmapLock Lock, string? Error) MoveVma(string name, int oldStart, int oldEnd, int newStart, bool dontunmap)
    {
        CheckRange(oldStart, oldEnd, name);
        int len = oldEnd - oldStart;
        CheckRange(newStart, newStart + len, $"{name} destination");
        if (dontunmap && !EventTables.IsKernel(Vocab)) return (name, MmapLock.Write, "ENOSYS (MREMAP_DONTUNMAP is not in this vocabulary)");
        var old = new PageRange(oldStart, oldEnd);
        var dst = new PageRange(newStart, newStart + len);
        // check_mremap_params (linux-7.2; 6.12 and 6.1 mremap_to): the whole ranges must not overlap
        if (old.Overlaps(dst)) return (name, MmapLock.Write, "EINVAL (overlapping move)");
        var (pieces, error) = State.MremapPieces(old, newStart, dontunmap);
        if (pieces.Count == 0) return (name, MmapLock.Write, error);
        // a piece the reference does not model refuses the whole call before any move
        foreach (var (src, _, to) in pieces)
            if (MoveRefusal(src, to, dontunmap) is { } notModelled) return (name, MmapLock.Write, notModelled);
        // the planner's VMAs follow each move (copy_vma of the next VMA sees the VMAs the earlier moves made); the machine
        // runs the vma_update steps, so they are restored once the call is planned
        var vmasBefore = State.Vmas;
        foreach (var (_, piece, to) in pieces)
        {
            MoveOneVma(State.VmaAt(piece.Start)!, piece, to, dontunmap);
            State = State with { Vmas = _prims.OfType<Prim.VmaUpdate>().Last().Vmas };
        }
        // an error part way through (remap_move: a later VMA refused): the earlier moves stay, vma_update steps included
        RefusalKeepsVmaSteps = error is not null;
        State = State with { Vmas = vmasBefore };
        return (name, MmapLock.Write, error);
    }

    /// <summary>The reference's refusal of a move of [dst) from src it does not model: MREMAP_DONTUNMAP of a shared VMA (see
    /// MremapDontunmap) and a mapped destination (MREMAP_FIXED's do_munmap of it, which callers run as a munmap first).</summary>
    private string? MoveRefusal(Vma src, PageRange dst, bool dontunmap)
    {
        if (dontunmap && src.Shared) return "ENOSYS (MREMAP_DONTUNMAP of a shared mapping is not modelled)";
        if (State.Vmas.Any(v => v.Range.Overlaps(dst)) || Enumerable.Range(dst.Start, dst.Length).Any(p => State.Ptes[p] is not null))
            return "ENOMEM (destination is mapped)";
        return null;
    }

    /// <summary>move_vma of [old) of the VMA src to [dst) (linux-7.2 mm/mremap.c; 6.12 and 6.1 move_vma).</summary>
    private void MoveOneVma(Vma src, PageRange old, PageRange dst, bool dontunmap)
    {
        // prep_move_vma (linux-7.2 mm/mremap.c; 6.12 and 6.1 move_vma): ksm_madvise(MADV_UNMERGEABLE) over the old range, which
        // for a VM_MERGEABLE VMA with an anon_vma breaks every KSM page mapped there (mm/ksm.c break_ksm), the VMA's flags kept
        var broken = new Dictionary<int, Pte>();
        if (Config.MremapBreakKsm && src.Mergeable && src.AnonVma)
            foreach (int p in Present(old).Where(p => State.Ptes[p] is { NonPresent: false, Huge: false } x && x.Frame != MmState.ZeroFrame && State.Frames[x.Frame].Ksm).ToList())
                broken[p] = BreakKsm(p, src);
        SplitStraddling(old);
        _prims.Add(new Prim.VmaUpdate(dontunmap ? DontunmapVmas(src, old, dst) : MovedVmas(src, old, dst)));
        // move_page_tables' destination tables, then (not MREMAP_DONTUNMAP) unmap_source_vma's free_pgtables of the source
        MovePteTables(src, old, dst);
        if (!dontunmap) FreePgtables(old, State.Vmas, _prims.OfType<Prim.VmaUpdate>().Last().Vmas);
        var moves = Present(old).Select(p => (p, broken.TryGetValue(p, out var b) ? b : State.Ptes[p]!.Value)).ToList();
        // a hugetlb VMA moves by mm/hugetlb.c move_hugetlb_page_tables (move_page_tables: is_vm_hugetlb_page)
        if (HugetlbSite(src.Hugetlb, CallSite.move_hugetlb_page_tables)) MoveHugetlbPageTables(old, dst, moves);
        else if (dontunmap && Config.PlantDontunmapNoNotify) MovePtes(old, dst, moves)(false);
        else MovePageTables(old, dst, moves);
    }

    /// <summary>The VMAs after mremap with MREMAP_DONTUNMAP moved [old) of src to [dst): the old VMA stays. linux-7.2
    /// mm/mremap.c prep_move_vma splits a VM_LOCKED source at the old range first (needs_pre_split; linux-6.12 move_vma the
    /// same; not linux-6.1, nor the 6.18.44 kernel seen live). copy_vma (linux-7.2 and 6.12 mm/vma.c, keep_source) merges the copy with its new neighbours as
    /// mremap's (MovedVmas) but never with an unfaulted source ("disallow a self-merge": vmg.prev / vmg.next cleared when they
    /// are the source; linux-6.1 mm/mmap.c copy_vma has no such check and may merge them, and 6.18.44 merged them live). mremap_userfaultfd_prep drops the
    /// copy's uffd flags, the old VMA keeps them. dontunmap_complete (linux-7.2 mm/mremap.c; 6.12 and 6.1 move_vma) clears
    /// VM_LOCKED on the old VMA (6.1: on the whole VMA, which was not split) and, when the move took the whole VMA, unlinks
    /// its anon_vma (unlink_anon_vmas: Vma.AnonVma false, so fork copies none of its PTEs again until a write fault prepares
    /// one) and, linux-6.12 and 7.2, resets its pgoff to an unfaulted VMA's (PgDelta 0; 6.1 and 6.18.44 keep it; 6.1 also skips all of
    /// this when copy_vma merged the copy with the source: new_vma != vma). The old VMA's flags change where its edges may
    /// now look mergeable to the reference, which the kernel does not merge until a later change there: Vma.Seams.</summary>
    private ImmutableArray<Vma> DontunmapVmas(Vma src, PageRange old, PageRange dst)
    {
        // the pre-split and the self-merge check: linux-6.12 and 7.2 (and the releases after); not linux-6.1, nor 6.18.44 as seen
        // live (a process's own mremap, docs/kernel.md "MREMAP_DONTUNMAP": an unfaulted source merged with its copy, a locked
        // VMA's VM_LOCKED cleared whole); the pgoff reset: linux-6.12 and 7.2 dontunmap_complete, not linux-6.1
        // 6.18.44 keeps the pgoff (seen live in session 16: a whole VMA mremap moved from page 9 to 2, then MREMAP_DONTUNMAP'd,
        // does not merge with the faulted VMA after it at UFFDIO_REGISTER, where a DONTUNMAP'd VMA of its own pgoff does:
        // host-only `--unseen --time 3m --seed 181`)
        bool guarded = Vocab is not (Vocabulary.Linux6_1 or Vocabulary.Linux6_18),
            reset = Vocab != Vocabulary.Linux6_1 && (Vocab != Vocabulary.Linux6_18 || Config.PlantDontunmapPgoffReset6_18);
        var kernelVma = Vma.MergedRun(State.Vmas, src);
        var vmas = State.Vmas;
        // the kernel VMA left at the old range: the pre-split piece of a locked VMA, else the whole VMA
        var source = src.Mlocked && guarded ? old : kernelVma;
        if (source != kernelVma) vmas = SplitFragments(vmas, [old.Start, old.End], seam: true);
        var moved = src with { Start = dst.Start, End = dst.End, PgDelta = src.AnonVma ? src.PgDelta + old.Start - dst.Start : 0, Seam = false,
            UffdWp = src.UffdWp && !Config.PlantMremapUffdMerges };
        vmas = Unseamed(Sorted(vmas.Add(moved)), [dst.Start, dst.End]);
        // keep_source: an unfaulted source is no merge partner of its copy (6.12, 7.2)
        if (guarded && !src.AnonVma)
            vmas = vmas.Select(v => v.Start == dst.Start && source.End == dst.Start || v.Start == dst.End && source.Start == dst.End ? v with { Seam = true } : v).ToImmutableArray();
        vmas = AnonVmaRuns(vmas);
        if (moved.UffdWp)
        {
            var run = Vma.MergedRun(vmas, vmas.First(v => v.Start == dst.Start));
            vmas = vmas.Select(v => run.Start <= v.Start && v.End <= run.End ? v with { UffdWp = false, Seam = v.Start == run.Start }
                : v.Start == run.End ? v with { Seam = true } : v).ToImmutableArray();
        }
        // without the check copy_vma may merge the copy into the source (its vma became new_vma)
        var copyRun = Vma.MergedRun(vmas, vmas.First(v => v.Start == dst.Start));
        if (!guarded && copyRun.Overlaps(source)) source = copyRun;
        bool whole = old == source && !Config.PlantDontunmapKeepsAnonVma;
        if (!whole && !vmas.Any(v => source.Contains(v.Start) && v.Mlocked)) return vmas;
        vmas = vmas.Select(v => !source.Contains(v.Start) ? v
            : v with { Mlocked = false, AnonVma = v.AnonVma && !whole, AnonVmaId = whole ? 0 : v.AnonVmaId, PgDelta = whole && reset ? 0 : v.PgDelta, Seam = v.Start == source.Start || v.Seam }).ToImmutableArray();
        return Sorted(vmas.Select(v => v.Start == source.End ? v with { Seam = true } : v));
    }

    /// <summary>The VMAs with the fragments that straddle an edge cut there (split_vma); the pieces keep their kind, so they
    /// stay one kernel VMA unless seam: a Vma.Seam at each edge (the kernel split them).</summary>
    private static ImmutableArray<Vma> SplitFragments(ImmutableArray<Vma> vmas, int[] edges, bool seam)
    {
        var b = ImmutableArray.CreateBuilder<Vma>();
        foreach (var v in vmas)
        {
            var cuts = edges.Where(e => e > v.Start && e < v.End).Order().ToList();
            if (cuts.Count == 0) { b.Add(seam && edges.Contains(v.Start) ? v with { Seam = true } : v); continue; }
            int a = v.Start;
            foreach (int c in cuts.Append(v.End))
            {
                b.Add(v with { Start = a, End = c, Seam = a == v.Start ? v.Seam || seam && edges.Contains(a) : seam });
                a = c;
            }
        }
        return Sorted(b);
    }

    /// <summary>The VMAs after mremap moved [old) of src to [dst) (linux-7.2 mm/mremap.c copy_vma_and_data, then move_vma's
    /// unmap of the old range; linux-6.12 mm/mremap.c move_vma the same).</summary>
    /// copy_vma (linux-7.2 and 6.12 mm/vma.c): the moved VMA keeps its vm_pgoff when it has an anon_vma, else takes the new
    /// address's (PgDelta 0), and vma_merge_copied_range merges it with its new neighbours where it can, the source VMA itself
    /// included (an unfaulted source whose pgoff then lines up: the "vma_merge with self" of copy_vma), before the old range is
    /// unmapped; a merged VMA has the anon_vma any part had (is_mergeable_anon_vma), so the parts of the source left after
    /// the unmap have it too. The merge compares the source's flags and uffd context (VMG_VMA_STATE), so a VM_UFFD_WP VMA merges
    /// only with registered neighbours; then mremap_userfaultfd_prep (linux-7.2 mm/userfaultfd.c, 6.12 fs/userfaultfd.c),
    /// without UFFD_FEATURE_EVENT_REMAP, drops the flags of the VMA copy_vma returned (userfaultfd_reset_ctx), registered
    /// neighbours merged into it included, and merges nothing more: its edges become Vma.Seams. move_ptes clears the uffd-wp
    /// bits it moves (vma_has_uffd_without_event_remap).
    private ImmutableArray<Vma> MovedVmas(Vma src, PageRange old, PageRange dst)
    {
        var moved = src with { Start = dst.Start, End = dst.End, PgDelta = src.AnonVma ? src.PgDelta + old.Start - dst.Start : 0, Seam = false,
            UffdWp = src.UffdWp && !Config.PlantMremapUffdMerges };
        var vmas = AnonVmaRuns(Unseamed(Sorted(State.Vmas.Add(moved)), [dst.Start, dst.End]));
        if (moved.UffdWp)
        {
            var run = Vma.MergedRun(vmas, vmas.First(v => v.Start == dst.Start));
            vmas = vmas.Select(v => run.Start <= v.Start && v.End <= run.End ? v with { UffdWp = false, Seam = v.Start == run.Start }
                : v.Start == run.End ? v with { Seam = true } : v).ToImmutableArray();
        }
        return Sorted(VmasWithout(old, vmas));
    }

    /// <summary>Linux 7.2 mm/ksm.c break_ksm: a KSM page (break_ksm_pmd_entry: folio_test_ksm of a present PTE; a swap entry
    /// is not one) is faulted with FAULT_FLAG_UNSHARE, and mm/memory.c do_wp_page never reuses a KSM folio
    /// (wp_can_reuse_anon_folio: folio_test_ksm) but copies it: wp_page_copy, a new exclusive page under MMU_NOTIFY_CLEAR
    /// over the page, mapped with vm_page_prot (read-only in a private VMA; unshare: not pte_mkdirty nor maybe_mkwrite, the old
    /// PTE's soft-dirty and uffd-wp bits kept: CopyOnWrite), the KSM page released. move_ptes then marks every PTE it moves
    /// soft-dirty (linux-7.2 and 6.12 mm/mremap.c move_soft_dirty_pte), so only the break's own step shows the kept bit. linux-6.12 break_ksm the same; linux-6.1 (and the seed's kernel) fault with FAULT_FLAG_WRITE:
    /// the copy is mapped dirty and, in a writable VMA, writable (maybe_mkwrite).</summary>
    /// Returns the page's new PTE (as PteOp.Map makes it).
    private Pte BreakKsm(int page, Vma vma)
    {
        var cur = State.Ptes[page]!.Value;
        bool write = Vocab is Vocabulary.Linux6_1 or Vocabulary.V7 or Vocabulary.V7Reviewed;
        var prot = vma.Prot == Prot.None ? Prot.None : write ? vma.Prot : Prot.Read;
        int nf = WpPageCopy(page, cur, prot, unshare: !write);
        return new Pte(nf, prot, Dirty: prot == Prot.ReadWrite, Young: true, SoftDirty: write || cur.SoftDirty, UffdWp: !write && cur.UffdWp);
    }

    /// <summary>Linux 7.2 mm/mremap.c move_page_tables: the source range is notified (MMU_NOTIFY_UNMAP); the destination is
    /// filled (it was empty).</summary>
    private void MovePageTables(PageRange old, PageRange dst, List<(int, Pte)> moves) =>
        Bracket(CallSite.move_page_tables, old, MovePtes(old, dst, moves));

    /// <summary>Linux 7.2 mm/hugetlb.c move_hugetlb_page_tables: move_page_tables' steps under MMU_NOTIFY_CLEAR, not UNMAP.</summary>
    private void MoveHugetlbPageTables(PageRange old, PageRange dst, List<(int, Pte)> moves) =>
        Bracket(CallSite.move_hugetlb_page_tables, old, MovePtes(old, dst, moves));

    /// <summary>The body of an mremap bracket (move_ptes): each source PTE cleared and its page mapped at the destination.</summary>
    private Action<bool> MovePtes(PageRange old, PageRange dst, List<(int, Pte)> moves) => after =>
    {
        foreach (var (p, pte) in moves)
        {
            Pte(p, PteOp.Clear, after);
            if (pte.Swapped) { Pte(p - old.Start + dst.Start, PteOp.MoveSwapEntry, false, pte.Frame, pte.Prot); continue; }
            // move_ptes moves a device-private entry as it is (the device keeps the page)
            if (pte.DevicePrivate >= 0) { _prims.Add(new Prim.PteUpdate(p - old.Start + dst.Start, PteOp.DevicePrivateEntry, pte.Frame, pte.Prot, Owner: pte.DevicePrivate, SoftDirty: true)); continue; }
            _prims.Add(new Prim.PteUpdate(p - old.Start + dst.Start, PteOp.Map, pte.Frame, pte.Prot, pte.Huge && old.Length % Config.HugePageSize == 0 && dst.Start % Config.HugePageSize == 0)
                { Bits = (pte.Dirty, pte.Young) });
        }
        _prims.Add(new Prim.TlbFlush(old));
    };

    /// <summary>Linux 7.2 mm/madvise.c madvise_dontneed_single_vma.</summary>
    private (string Name, MmapLock Lock, string? Error) MadviseDontneed(Call.MadviseDontneed m)
    {
        CheckRange(m.Start, m.End, "madvise");
        if (LockedVma(new PageRange(m.Start, m.End)) is { } locked) return ("madvise_dontneed", MmapLock.Read, locked);
        int from = _prims.Count;
        ZapPageRange(new PageRange(m.Start, m.End));
        ReclaimPteTables(new PageRange(m.Start, m.End), from);
        return ("madvise_dontneed", MmapLock.Read, null);
    }

    /// <summary>MADV_DONTNEED and MADV_FREE refuse a VM_LOCKED VMA with EINVAL (linux-7.2 mm/madvise.c
    /// madvise_dontneed_free_valid_vma: VM_LOCKED forbidden unless MADV_DONTNEED_LOCKED; linux-6.12 and 6.1 the same function);
    /// madvise_walk_vmas stops at that VMA, the VMAs before it advised. The reference refuses the whole call (a refusal has no
    /// effect), so it matches the kernel where the range's first VMA is the locked one (kernel/Conformance.cs runs only
    /// those). Planted away: MmConfig.PlantMadviseIgnoresMlock.</summary>
    private string? LockedVma(PageRange r) => !Config.PlantMadviseIgnoresMlock && State.Vmas.Any(v => v.Range.Overlaps(r) && v.Mlocked)
        ? "EINVAL (VM_LOCKED VMA: madvise_dontneed_free_valid_vma)" : null;

    /// <summary>Linux 7.2 mm/memory.c unmap_mapping_range (truncate_pagecache) -> unmap_mapping_range_tree ->
    /// zap_vma_range_batched (zap_page_range_single before 7.x).</summary>
    private (string Name, MmapLock Lock, string? Error) Truncate(Call.Truncate m)
    {
        CheckRange(m.Start, m.End, "truncate");
        var r = new PageRange(m.Start, m.End);
        // hugetlbfs truncation / hole punch: hugetlb_vmdelete_list -> mm/hugetlb.c unmap_hugepage_range (MMU_NOTIFY_CLEAR)
        var over = State.Vmas.Where(v => v.Range.Overlaps(r)).ToList();
        if (HugetlbSite(over.Count > 0 && over.All(v => v.Hugetlb), CallSite.unmap_hugepage_range)) UnmapHugepageRange(r);
        else ZapPageRangeSingle(r);
        return ("truncate", MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/madvise.c madvise_free_single_vma.</summary>
    private (string Name, MmapLock Lock, string? Error) MadviseFree(Call.MadviseFree m)
    {
        CheckRange(m.Start, m.End, "madvise");
        if (LockedVma(new PageRange(m.Start, m.End)) is { } locked) return ("madvise_free", MmapLock.Read, locked);
        if (Config.MadviseFreeSplit)
        {
            foreach (var b in Enumerable.Range(m.Start, m.End - m.Start).Select(HugeBlock).Distinct().Where(PteFolio))
                if (PteFolioRefusal(b) is { } why && !why.Contains("lazyfree")) return ("madvise_free", MmapLock.Read, $"EINVAL ({why})");
            if (UnknownPteFolioRefusal(new PageRange(m.Start, m.End)) is { } unknown) return ("madvise_free", MmapLock.Read, $"EINVAL ({unknown})");
        }
        MadviseFreeSingleVma(new PageRange(m.Start, m.End));
        return ("madvise_free", MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/madvise.c madvise_free_single_vma -> madvise_free_pte_range: private pages made old and clean,
    /// swap entries dropped. The folio splits (MadviseFreeSplitFolios) run inside the call's MMU_NOTIFY_CLEAR bracket, as in
    /// the kernel (linux-7.2, 6.12 and 6.1 madvise_free_single_vma: mmu_notifier_invalidate_range_start, then
    /// walk_page_range -> madvise_free_pte_range, whose split_folio, or madvise_free_huge_pmd's, brackets its own
    /// try_to_migrate_one), the walk going one huge block (PMD) at a time: a block's split, then its pages
    /// (MmConfig.NestedFolioSplit; off, every split before the bracket, as the reference had it before).</summary>
    private void MadviseFreeSingleVma(PageRange r)
    {
        // madvise_free_pte_range drops a swap entry (swap_put_entries_direct, linux-7.2 mm/madvise.c): the page is gone
        var swapped = Present(r).Where(p => State.Ptes[p] is { Swapped: true }).ToList();
        var blocks = MadviseFreeSplitFolios(r);
        HashSet<int> zeroed = [], split = [];
        if (!Config.NestedFolioSplit)
        {
            foreach (var b in blocks) SplitForFree(b, zeroed, split);
            MarkLazyfree(r, zeroed, split);
        }
        Bracket(CallSite.madvise_free_single_vma, r, after =>
        {
            for (int at = r.Start; at < r.End; at = HugeBlock(at).End)
            {
                var b = HugeBlock(at);
                if (Config.NestedFolioSplit && blocks.Contains(b)) SplitForFree(b, zeroed, split);
                foreach (int p in Present(new PageRange(at, Math.Min(r.End, b.End))))
                    if (State.Ptes[p] is { Swapped: true }) Pte(p, PteOp.Clear, after);
                    else if (State.VmaAt(p) is { Shared: false } && State.Ptes[p] is { Dirty: true } or { Young: true } && State.Ptes[p]!.Value.Frame != MmState.ZeroFrame)
                    {
                        // a subpage the split maps to the zero page is skipped (vm_normal_folio NULL), one it keeps made old
                        if (zeroed.Contains(p)) IfKept(p, () => Pte(p, PteOp.MkOld, after));
                        else Pte(p, PteOp.MkOld, after);
                    }
            }
            if (Config.NestedFolioSplit) MarkLazyfree(r, zeroed, split);
            _prims.Add(new Prim.TlbFlush(r));
            foreach (int p in swapped) _prims.Add(new Prim.FreeFrame(State.Ptes[p]!.Value.Frame));
        });
    }

    /// <summary>madvise_free_pte_range (linux-7.2 mm/madvise.c) ends with folio_mark_lazyfree of every present page it keeps:
    /// the folio stops being swap-backed (mm/swap.c folio_mark_lazyfree -> lru_lazyfree: folio_clear_swapbacked; not for the
    /// zero page, vm_normal_folio NULL, nor a folio of an mlocked VMA, folio_test_unevictable, nor one still in the swap cache)
    /// and clean (folio_clear_dirty, the PTE's dirty bit cleared by clear_young_dirty_ptes). A folio that is dirty or in the
    /// swap cache is skipped when mapped more than once (folio_mapcount != folio_nr_pages) or when its swap entry has another
    /// user (folio_free_swap fails: here a reference beyond its mappings, a child's swap entry); one mapped once leaves the swap
    /// cache and is cleaned (folio_free_swap, folio_clear_dirty: Frame.Clean). A folio neither dirty nor in the swap cache is
    /// marked whoever maps it: a page fork shared, which the child's copy-on-write (wp_page_copy, no folio_mark_dirty) leaves
    /// to the parent alone, is then discarded by a pageout (found live: `mmap 0 16 rw; host_write 5 48641; fork; free 4 13;
    /// child_write 0 5 93416; pageout 5 12`, seed 185). The reference knows that of the frames Frame.Clean says; a frame mapped
    /// more than once that is not known clean is left alone (what the kernel does when it is dirty or in the swap cache; a
    /// clean one the reference cannot tell, e.g. a huge fault's, would be a mismatch). folio_mark_lazyfree acts only on a folio on the LRU
    /// (folio_test_lru): `notifier kernel` drains the per-CPU LRU batches before MADV_FREE so that every one is. Kernel
    /// vocabularies only (MADV_FREE is 4.5+; the seed's v7 has no lazyfree pages). Set when the call is planned: only
    /// madvise_pageout reads the flag, and the planner runs one CPU operation at a time.
    /// The PTEs of a block MadviseFreeSplitFolios splits (split: its first pages) are still huge here (planning does not
    /// apply the split's prims to State): its base pages in the range are marked as madvise_free_pte_range marks them after the split. Seen live (issue 13,
    /// `mmap_thp 0 1024 rw; guest_write 932 477356; free 931 933; pageout 932 935`): page 932 kept mapped by the kernel, swapped
    /// out by a reference that had not marked it.</summary>
    private void MarkLazyfree(PageRange r, HashSet<int> zeroed, HashSet<int> split)
    {
        if (!EventTables.IsKernel(Vocab)) return;
        foreach (int p in Present(r))
        {
            if (State.Ptes[p] is not { NonPresent: false } pte || pte.Frame == MmState.ZeroFrame
                || State.VmaAt(p) is not { Shared: false, Mlocked: false }) continue;
            // a PMD-mapped THP the range does not cover whole and that was not split: madvise_free_huge_pmd leaves it alone
            if (pte.Huge && HugeBlock(p) is var b && (b.Start < r.Start || b.End > r.End) && !split.Contains(b.Start)) continue;
            var fr = State.Frames[pte.Frame];
            bool once = fr is { MapCount: 1, RefCount: 1 };
            // mapped more than once: marked only when neither dirty nor in the swap cache (no swap entry holds it either)
            if (!once && (Config.PlantLazyfreeSkipsShared || !(fr.Clean || Config.PlantLazyfreeMarksShared) || fr.Ksm || fr.RefCount != fr.MapCount)) continue;
            if (zeroed.Contains(p))
            {
                // the split's remap decides (Prim.ZeroRemap): the zero page is skipped, a page kept is marked when it is kept
                int i = _prims.FindIndex(x => x is Prim.ZeroRemap z && z.Page == p);
                _prims[i] = (Prim.ZeroRemap)_prims[i] with { Lazyfree = true };
                continue;
            }
            // mapped once: folio_free_swap and folio_clear_dirty leave it clean (a KSM page aside: not known clean)
            State = State with { Frames = State.Frames.SetItem(pte.Frame, fr with { Lazyfree = true, Dirty = false, Clean = fr.Clean || once && !fr.Ksm }) };
        }
    }

    /// <summary>MADV_FREE over part of a PMD-mapped THP splits its folio (linux-7.2 and 6.12 mm/huge_memory.c madvise_free_huge_pmd:
    /// next - addr != HPAGE_PMD_SIZE -> split_folio; 6.1 split_huge_page), unless it is the huge zero page (is_huge_zero_pmd) or
    /// mapped by another mm too (7.2 folio_maybe_mapped_shared, 6.12 folio_likely_mapped_shared: skipped, and the PTE walk finds
    /// no page table under the huge PMD). The split (7.2 __folio_split -> unmap_folio -> try_to_migrate with TTU_SPLIT_HUGE_PMD:
    /// mm/rmap.c try_to_migrate_one, MMU_NOTIFY_CLEAR over the folio, the PMD split into migration entries) maps every subpage
    /// again (remap_page -> remove_migration_ptes), a zero-filled one as the shared zero page (7.2 TTU_USE_SHARED_ZEROPAGE, 6.12
    /// RMP_USE_SHARED_ZEROPAGE: mm/migrate.c try_to_map_unused_to_zeropage, read-only with vm_page_prot; not in 6.1), whose page
    /// is freed. Returns the blocks to split, in address order: the walk's (madvise_free_pte_range) split runs inside
    /// madvise_free_single_vma's bracket, nested (MadviseFreeSingleVma, SplitForFree; MmConfig.NestedFolioSplit). The seed's
    /// kernel (v7) keeps its huge pages whole.</summary>
    private List<PageRange> MadviseFreeSplitFolios(PageRange r)
    {
        List<PageRange> blocks = [];
        if (!EventTables.IsKernel(Vocab) || !Config.MadviseFreeSplit) return blocks;
        // a PTE-mapped large folio (Frame.PteFolio) the range does not meet whole: madvise_free_pte_range's split_folio
        // (linux-7.2 mm/madvise.c; 6.12 the same), not for a folio another mm maps (folio_maybe_mapped_shared: PteFolio is false);
        // linux-6.1 madvise_free_pte_range splits every large folio it meets, whole or not (folio_test_large -> split_folio,
        // folio_estimated_sharers != 1 aside: a break), and looks at the page again as a small one (pte--; addr -= PAGE_SIZE)
        foreach (var b in Enumerable.Range(r.Start, r.Length).Select(HugeBlock).Distinct().ToList())
            if (PteFolio(b) && (SplitsEveryPteFolio || !PteFolioWhole(b, new PageRange(Math.Max(b.Start, r.Start), Math.Min(b.End, r.End))))) blocks.Add(b);
        foreach (var b in new[] { r.Start, r.End - 1 }.Select(HugeBlock).Distinct())
        {
            if (b.Start >= r.Start && b.End <= r.End || !WholeHuge(b) || State.VmaAt(b.Start) is not { Shared: false }) continue;
            var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]!.Value).ToList();
            if (olds.Any(o => o.Frame == MmState.ZeroFrame || o.NonPresent || State.Frames[o.Frame].MapCount != 1)) continue;
            blocks.Add(b);
        }
        return blocks;
    }

    /// <summary>The split of block b, one of MadviseFreeSplitFolios: a PTE-mapped large folio's (SplitPteFolio) or a PMD-mapped
    /// THP's (SplitPmdFolio); its first page goes into split, the pages that became the zero page into zeroed.</summary>
    private void SplitForFree(PageRange b, HashSet<int> zeroed, HashSet<int> split)
    {
        split.Add(b.Start);
        zeroed.UnionWith(WholeHuge(b) ? SplitPmdFolio(b, State.VmaAt(b.Start)!) : SplitPteFolio(b));
    }

    private bool PteFolio(PageRange b) => State.IsPteFolio(b);

    /// <summary>linux-6.1's madvise walks split every PTE-mapped large folio they meet (mm/madvise.c madvise_free_pte_range:
    /// folio_test_large -> split_folio; madvise_cold_or_pageout_pte_range: PageTransCompound -> split_huge_page), with no
    /// batch of the folio's PTEs (PteFolioWhole is 6.12's and later); the planted bug PlantPteFolio6_1As7_2 follows 7.2.</summary>
    private bool SplitsEveryPteFolio => Vocab == Vocabulary.Linux6_1 && !Config.PlantPteFolio6_1As7_2;

    /// <summary>Whether the remap after a folio split maps a zero-filled subpage of vma to the shared zero page (linux-7.2
    /// mm/huge_memory.c remap_page with TTU_USE_SHARED_ZEROPAGE, 6.12 RMP_USE_SHARED_ZEROPAGE; not for an mlocked VMA): not
    /// under linux-6.1, whose remap_page -> remove_migration_ptes(folio, folio, true) maps every subpage back (mm/migrate.c
    /// remove_migration_pte has no zero-page case); the planted bug PlantPteFolio6_1As7_2 maps them under 6.1 too (PTE-mapped
    /// folios only).</summary>
    /// Nor where mm_forbids_zeropage (MmConfig.MmForbidsZeropage: linux-7.2 mm/migrate.c try_to_map_unused_to_zeropage returns
    /// false for folio_test_mlocked, VM_LOCKED or mm_forbids_zeropage(pvmw->vma->vm_mm)).
    private bool SplitMapsZeroPage(Vma vma, bool pteMapped) =>
        !vma.Mlocked && !Config.ForbidsZeropage && (Vocab != Vocabulary.Linux6_1 || pteMapped && Config.PlantPteFolio6_1As7_2);

    /// <summary>Whether MADV_FREE / MADV_PAGEOUT over seg, a part of PTE-mapped folio b (PteFolio), meets the folio whole:
    /// linux-7.2 mm/madvise.c madvise_free_pte_range and madvise_cold_or_pageout_pte_range batch the folio's PTEs
    /// (madvise_folio_pte_batch: consecutive pages of the folio, the dirty, young, soft-dirty and write bits ignored, the
    /// uffd-wp bit not) up to the end of the range and of the VMA (the walk is per VMA); fewer than folio_nr_pages: split_folio.</summary>
    private bool PteFolioWhole(PageRange b, PageRange seg)
    {
        if (seg != b || State.VmaAt(b.Start) is not { } vma) return false;
        var run = Vma.MergedRun(State.Vmas, vma);
        return run.Start <= b.Start && run.End >= b.End && Enumerable.Range(b.Start, b.Length).All(p => State.Ptes[p]!.Value.UffdWp == State.Ptes[b.Start]!.Value.UffdWp);
    }

    /// <summary>The split of PTE-mapped folio b (PteFolio): linux-7.2 mm/huge_memory.c __folio_split -> unmap_folio ->
    /// try_to_migrate: mm/rmap.c try_to_migrate_one once per VMA mapping it (rmap_walk_anon), MMU_NOTIFY_CLEAR over the
    /// folio's pages in that VMA, each PTE a migration entry; then remap_page as for a PMD-mapped one (SplitPmdFolio: a
    /// zero-filled subpage becomes the zero page, TTU_USE_SHARED_ZEROPAGE; 6.12 RMP_USE_SHARED_ZEROPAGE). The folio's frames
    /// are small folios after it (Frame.PteFolio cleared). Returns the pages that became the zero page.</summary>
    private HashSet<int> SplitPteFolio(PageRange b)
    {
        HashSet<int> zeroed = [];
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]!.Value).ToList();
        State = State with { Frames = olds.Aggregate(State.Frames, (fs, o) => fs.SetItem(o.Frame, fs[o.Frame] with { PteFolio = 0 })) };
        for (int p = b.Start; p < b.End;)
        {
            var run = Vma.MergedRun(State.Vmas, State.VmaAt(p)!);
            var part = new PageRange(p, Math.Min(b.End, run.End));
            TryToUnmapOne(part, PteOp.MigrationEntry);
            p = part.End;
        }
        for (int i = 0; i < olds.Count; i++)
        {
            int p = b.Start + i;
            var vma = State.VmaAt(p)!;
            if (SplitMapsZeroPage(vma, true) && State.Frames[olds[i].Frame].Content == 0)
            {
                _prims.Add(new Prim.ZeroRemap(p, olds[i].Frame, olds[i].Prot, vma.Prot == Prot.None ? Prot.None : Prot.Read, olds[i].UffdWp));
                _prims.Add(new Prim.FreeFrame(olds[i].Frame));
                zeroed.Add(p);
            }
            else Pte(p, PteOp.Map, false, olds[i].Frame, olds[i].Prot, uffdWp: olds[i].UffdWp);
        }
        return zeroed;
    }

    /// <summary>The split of the folio of a PMD-mapped THP mapped by this mm alone (linux-7.2 mm/huge_memory.c __folio_split ->
    /// unmap_folio -> try_to_migrate with TTU_SPLIT_HUGE_PMD: mm/rmap.c try_to_migrate_one, MMU_NOTIFY_CLEAR over the folio,
    /// the PMD split into migration entries; then remap_page -> remove_migration_ptes maps every subpage again, a zero-filled
    /// one as the shared zero page (7.2 TTU_USE_SHARED_ZEROPAGE for an anonymous folio, 6.12 RMP_USE_SHARED_ZEROPAGE:
    /// mm/migrate.c try_to_map_unused_to_zeropage, read-only with vm_page_prot; not in 6.1, nor for an mlocked VMA), whose page
    /// is freed). The remap comes after the bracket (remove_migration_ptes notifies nothing). Returns the pages that became the
    /// zero page. Callers: MADV_FREE (MadviseFreeSplitFolios) and MADV_PAGEOUT (MadvisePageout) over a THP.</summary>
    private HashSet<int> SplitPmdFolio(PageRange b, Vma vma)
    {
        HashSet<int> zeroed = [];
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]!.Value).ToList();
        bool toZero = SplitMapsZeroPage(vma, false);
        TryToUnmapOne(b, PteOp.MigrationEntry);
        for (int i = 0; i < olds.Count; i++)
        {
            int p = b.Start + i;
            if (toZero && State.Frames[olds[i].Frame].Content == 0)
            {
                // decided when the remap runs (Prim.ZeroRemap): a device may write the page before its invalidate callback
                _prims.Add(new Prim.ZeroRemap(p, olds[i].Frame, olds[i].Prot, vma.Prot == Prot.None ? Prot.None : Prot.Read));
                _prims.Add(new Prim.FreeFrame(olds[i].Frame));
                zeroed.Add(p);
            }
            else Pte(p, PteOp.Map, false, olds[i].Frame, olds[i].Prot);
        }
        return zeroed;
    }

    /// <summary>Linux 7.2 mm/madvise.c madvise_pageout -> madvise_cold_or_pageout_pte_range -> reclaim_pages -> mm/vmscan.c
    /// shrink_folio_list -> mm/rmap.c try_to_unmap_one: every present page of the range that is an exclusively mapped
    /// anonymous base page (madvise_cold_or_pageout_pte_range skips the zero page, vm_normal_folio NULL, and folios whose
    /// mapcount is not their page count) gets a swap entry under MMU_NOTIFY_CLEAR, one page per rmap walk
    /// (try_to_unmap_one's range is the folio's). Needs swap (the harness makes a swap file); VM_LOCKED and hugetlb VMAs are
    /// EINVAL (can_madv_lru_vma). The range is walked one PMD at a time (walk_page_range -> pmd_entry), each PMD's folios
    /// reclaimed at the end of its entry (reclaim_pages), so the invalidations come PMD by PMD. A PMD-mapped THP: PmdPageout.</summary>
    private (string Name, MmapLock Lock, string? Error) MadvisePageout(Call.MadvisePageout m)
    {
        CheckRange(m.Start, m.End, "madvise");
        var r = new PageRange(m.Start, m.End);
        if (State.Vmas.Any(v => v.Range.Overlaps(r) && (v.Mlocked || v.Hugetlb))) return ("madvise_pageout", MmapLock.Read, "EINVAL (VM_LOCKED or hugetlb VMA)");
        var blocks = Present(r).Where(p => State.Ptes[p] is { Huge: true }).Select(HugeBlock).Distinct().ToList();
        foreach (var b in blocks)
            if (PmdPageoutRefusal(b) is { } why) return ("madvise_pageout", MmapLock.Read, $"EINVAL ({why})");
        var pteFolios = Enumerable.Range(r.Start, r.Length).Select(HugeBlock).Distinct().Where(b => !blocks.Contains(b) && PteFolio(b)).ToList();
        foreach (var b in pteFolios)
            if (PteFolioRefusal(b) is { } why) return ("madvise_pageout", MmapLock.Read, $"EINVAL ({why})");
        if (UnknownPteFolioRefusal(r) is { } unknown) return ("madvise_pageout", MmapLock.Read, $"EINVAL ({unknown})");
        for (int at = r.Start; at < r.End; at = HugeBlock(at).End)
        {
            var seg = new PageRange(at, Math.Min(r.End, HugeBlock(at).End));
            var pages = Present(seg).ToList();
            if (blocks.Contains(HugeBlock(at)))
            {
                var b = HugeBlock(at);
                // the huge zero PMD (is_huge_zero_pmd) and a folio another mm maps (folio_maybe_mapped_shared; 6.1 page_mapcount
                // != 1) are left alone (goto huge_unlock); the PTE walk finds no page table under a huge PMD
                if (State.Ptes[b.Start]!.Value.Frame == MmState.ZeroFrame
                    || Enumerable.Range(b.Start, b.Length).Any(p => State.Frames[State.Ptes[p]!.Value.Frame].MapCount != 1)) continue;
                if (Config.PlantThpPageoutKeepsPmd && seg == b) continue; // the planted bug: the whole THP left mapped by its PMD
                var zeroed = SplitPmdFolio(b, State.VmaAt(b.Start)!);
                // the part of a THP the range covers (next - addr != HPAGE_PMD_SIZE: split_folio, then goto regular_folio, the PTE
                // walk of the range's base pages), or the whole THP: reclaim_pages -> shrink_folio_list -> folio_alloc_swap fails
                // for the large folio (swap on a file: linux-7.2 mm/swapfile.c cluster_alloc_swap_entry "if (order &&
                // !(si->flags & SWP_BLKDEV)) return 0", 6.12 scan_swap_map_slots the same, 6.1 get_swap_pages swap_alloc_cluster
                // only for SWP_BLKDEV) -> split_folio_to_list (THP_SWPOUT_FALLBACK), the same split, and every subpage still mapped
                // (not the zero-filled ones, unmapped by the remap) swapped out one by one from folio_list
                foreach (int p in seg == b ? Enumerable.Range(b.Start, b.Length) : pages) SwapOutAfterSplit(p, zeroed);
                continue;
            }
            if (pteFolios.Contains(HugeBlock(at)))
            {
                // a PTE-mapped large folio (Frame.PteFolio) the range covers in part, or over two VMAs: the PTE walk's
                // split_folio, then the walk goes on over the base pages of the range; covered whole: reclaim_pages ->
                // shrink_folio_list splits it as a PMD-mapped one (folio_alloc_swap fails on swap files) and swaps out every
                // subpage still mapped. linux-6.1 madvise_cold_or_pageout_pte_range splits every large folio the walk meets
                // (PageTransCompound, page_mapcount != 1 aside: a break) by split_huge_page, then looks at the page again
                // (pte--; addr -= PAGE_SIZE): each page of the range, now small and on the LRU (mm/huge_memory.c
                // lru_add_page_tail), is isolated and reclaimed at the end of the PMD's entry (reclaim_pages), one by one
                var b = HugeBlock(at);
                bool whole = !SplitsEveryPteFolio && PteFolioWhole(b, seg);
                var zeroed = SplitPteFolio(b);
                foreach (int p in whole ? Enumerable.Range(b.Start, b.Length) : pages) SwapOutAfterSplit(p, zeroed);
                continue;
            }
            foreach (int p in pages)
            {
                if (State.Ptes[p] is not { Swapped: false, Exclusive: < 0, DevicePrivate: < 0 } pte || pte.Frame == MmState.ZeroFrame || State.VmaAt(p) is not { Shared: false }
                    || State.Frames[pte.Frame].MapCount != 1) continue;
                if (State.Frames[pte.Frame] is { Lazyfree: true } lf) { ReclaimLazyfree(p, pte.Frame, lf); continue; }
                TryToUnmapOne(new PageRange(p, p + 1), PteOp.SwapEntry);
            }
        }
        return ("madvise_pageout", MmapLock.Read, null);
    }

    /// <summary>The swap-out of subpage p of a folio the pageout split (shrink_folio_list -> try_to_unmap_one, one page per
    /// rmap walk): a page the split's remap maps to the zero page (zeroed, decided when it runs: Prim.ZeroRemap) is not swapped
    /// out (madvise_cold_or_pageout_pte_range: vm_normal_folio NULL), so its swap-out is planned only for the page kept.</summary>
    private void SwapOutAfterSplit(int p, HashSet<int> zeroed)
    {
        var one = new PageRange(p, p + 1);
        if (zeroed.Contains(p)) IfKept(p, () => TryToUnmapOne(one, PteOp.SwapEntry));
        else TryToUnmapOne(one, PteOp.SwapEntry);
    }

    /// <summary>MADV_PAGEOUT over a PMD-mapped THP (block b, Huge in the reference), linux-7.2 and 6.12 mm/madvise.c
    /// madvise_cold_or_pageout_pte_range, the pmd_trans_huge branch: the huge zero PMD and a folio another mm maps are skipped;
    /// a range not covering the whole PMD splits the folio (split_folio; 6.1 split_huge_page) and goes on with the PTE walk;
    /// a whole PMD isolates the folio for reclaim_pages, where shrink_folio_list splits it when the swap device cannot take a
    /// large folio whole (a swap file, which `notifier kernel` makes; block-device swap, which could swap the THP out whole,
    /// is not modelled: the harness does not run such a pageout). The reason the reference does not model a case, or null:
    /// the seed's v7 (no THP reclaim), a THP fork shared whose frames this mm alone maps (the kernel's folio_maybe_mapped_shared
    /// follows the folio's mm-id slots, MmState.Folios), a lazyfree THP (linux-7.2 mm/rmap.c try_to_unmap_one ->
    /// unmap_huge_pmd_locked discards a clean one whole, without a split), a shared VMA, a block mapped huge in part.</summary>
    /// <summary>Why MADV_PAGEOUT / MADV_FREE over PTE-mapped large folio b (PteFolio) is not modelled, or null (linux-6.1 is:
    /// SplitsEveryPteFolio, SplitMapsZeroPage): a lazyfree one (linux-7.2 mm/rmap.c try_to_unmap_one discards a lazyfree large
    /// folio by PTE batches, folio_unmap_pte_batch: not modelled; linux-6.1 madvise_cold_or_pageout_pte_range splits it first,
    /// but its try_to_migrate_one marks the whole folio dirty for one dirty PTE, folio_mark_dirty, which the split hands to
    /// every subpage, and the reference's Frame.Dirty is per page: not modelled either). MADV_FREE ignores the refusal
    /// (MadviseFree: it makes the folio lazyfree again).</summary>
    private string? PteFolioRefusal(PageRange b)
    {
        if (Enumerable.Range(b.Start, b.Length).Any(p => State.Frames[State.Ptes[p]!.Value.Frame].Lazyfree)) return "a lazyfree PTE-mapped large folio is not modelled";
        return null;
    }

    /// <summary>Why MADV_FREE / MADV_PAGEOUT over r is not modelled under linux-6.1, or null: r meets a page of a PTE-mapped
    /// large folio (Frame.PteFolio) that the reference does not know whole (no IsPteFolio: a child maps it too, a page of it
    /// was unmapped or copied away, KSM). linux-6.1 mm/madvise.c madvise_free_pte_range splits such a folio or, when
    /// folio_estimated_sharers (the first page's page_mapcount) is not 1, stops the walk of the PMD there (break: the pages
    /// after it neither made old nor lazyfree); madvise_cold_or_pageout_pte_range the same on the page met's page_mapcount;
    /// the reference takes such pages as base pages (6.12 and later skip a shared folio or batch it, as modelled).</summary>
    private string? UnknownPteFolioRefusal(PageRange r)
    {
        if (Vocab != Vocabulary.Linux6_1 || !Config.PteFolioSplit) return null;
        foreach (int p in Present(r))
            if (State.Ptes[p] is { NonPresent: false, Huge: false } x && x.Frame != MmState.ZeroFrame && State.Frames[x.Frame].PteFolio != 0
                && !PteFolio(HugeBlock(p)))
                return "a PTE-mapped large folio the reference does not know whole (another mm maps it, or a page of it is gone) under linux-6.1 is not modelled";
        return null;
    }

    private string? PmdPageoutRefusal(PageRange b)
    {
        if (!EventTables.IsKernel(Vocab)) return "a huge page: THP reclaim is not modelled under v7";
        if (!WholeHuge(b)) return "a huge block mapped in part";
        if (State.VmaAt(b.Start) is not { Shared: false } || Enumerable.Range(b.Start, b.Length).Any(p => State.VmaAt(p) != State.VmaAt(b.Start))) return "a THP in a shared VMA or over a VMA boundary";
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]!.Value).ToList();
        if (olds[0].Frame == MmState.ZeroFrame) return null;
        if (olds.Any(o => o.NonPresent || o.Exclusive >= 0 || o.Frame == MmState.ZeroFrame)) return "a THP with a page not present";
        if (olds.Any(o => State.Frames[o.Frame].MapCount != 1)) return null; // mapped by a child too: skipped
        if (olds.Any(o => State.FolioOf(o.Frame) >= 0)) return "a THP fork shared, now mapped by this mm alone: folio_maybe_mapped_shared is not modelled";
        if (olds.Any(o => State.Frames[o.Frame].Lazyfree)) return "a lazyfree THP: unmap_huge_pmd_locked's whole discard is not modelled";
        return null;
    }

    /// <summary>Reclaim of a lazyfree page (linux-7.2 mm/vmscan.c shrink_folio_list adds no swap entry for a folio that is not
    /// swap-backed; mm/rmap.c try_to_unmap_one, "MADV_FREE page check", under the same MMU_NOTIFY_CLEAR as a swap-out): the
    /// PTE is cleared (get_and_clear_ptes) and, when the folio was written since MADV_FREE (pte_dirty(pteval) ->
    /// folio_mark_dirty, or folio_test_dirty), set again (set_ptes) and the folio made swap-backed (folio_set_swapbacked,
    /// walk_abort: it stays mapped, a later pageout swaps it out); else it is discarded ("goto discard": the PTE stays clear,
    /// the page is freed, mm/vmscan.c PGLAZYFREED), and the next read faults in the zero page.</summary>
    private void ReclaimLazyfree(int page, int frame, Frame fr)
    {
        var one = new PageRange(page, page + 1);
        if (fr.Dirty)
        {
            // written since MADV_FREE: folio_mark_dirty, then folio_set_swapbacked
            State = State with { Frames = State.Frames.SetItem(frame, fr with { Lazyfree = false, Clean = false }) };
            TryToUnmapOne(one, null);
        }
        else TryToUnmapOne(one, PteOp.Clear, discard: frame);
    }

    /// <summary>Linux 7.2 mm/memory.c handle_mm_fault (a CPU access, faulting first where needed).</summary>
    private (string Name, MmapLock Lock, string? Error) CpuAccess(Call call)
    {
        int page = call is Call.CpuRead cr ? cr.Page : ((Call.CpuWrite)call).Page;
        bool write = call is Call.CpuWrite;
        CheckPage(page, call.Name);
        var err = Fault(page, write);
        if (err is not null) return (call.Name, MmapLock.Read, err);
        _prims.Add(new Prim.Access(page, write, call is Call.CpuWrite cw ? cw.Value : 0));
        return (call.Name, MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/mmap.c dup_mmap -> copy_page_range.</summary>
    private (string Name, MmapLock Lock, string? Error) Fork()
    {
        // copy_nonpresent_pte restores device-exclusive entries in the parent before copying
        foreach (var v in State.Vmas.Where(v => v.IsCow))
            foreach (int p in Present(v.Range).Where(p => State.Ptes[p]!.Value.Exclusive >= 0).ToList()) RemoveDeviceExclusiveEntry(p);
        foreach (var v in State.Vmas)
        {
            if (!v.AnonVma && !v.Hugetlb) continue; // vma_needs_copy: no anon_vma, no copy and no notification
            if (v.Hugetlb) CopyHugetlbPageRange(v);
            else CopyPageRange(v);
        }
        return ("fork", MmapLock.Write, null);
    }

    /// <summary>The child's VMAs: linux-7.2 mm/mmap.c dup_mmap (linux-6.12 and 6.1 kernel/fork.c dup_mmap) copies each VMA
    /// (vm_area_dup) and clears VM_LOCKED_MASK in the copy (VM_LOCKED and VM_LOCKONFAULT; the model has no mlock2, so
    /// VM_LOCKED alone), without merging the copies: a VMA edge of the parent that only VM_LOCKED kept (Vma.Merged) stays an
    /// edge in the child (Vma.Seam). Planted away: MmConfig.PlantForkKeepsMlock.</summary>
    public static ImmutableArray<Vma> ChildVmasAtFork(ImmutableArray<Vma> vmas, MmConfig config) => config.PlantForkKeepsMlock ? vmas
        : vmas.Select((v, i) => v with { Mlocked = false, Seam = v.Seam || i > 0 && vmas[i - 1].End == v.Start && !Vma.Merged(vmas[i - 1], v) })
            .ToImmutableArray();

    /// <summary>Linux 7.2 mm/memory.c copy_page_range: a COW mapping is write-protected in the parent under
    /// MMU_NOTIFY_PROTECTION_PAGE (the seed's MMU_FORK) and copied to the child; any other is copied without a notification.</summary>
    private void CopyPageRange(Vma v)
    {
        if (!v.IsCow || Config.Has(Mutant.CowForgetsWriteProtect)) { _prims.Add(new Prim.ChildCopy(v.Range)); return; }
        Bracket(CallSite.copy_page_range, v.Range, CowCopy(v.Range));
    }

    /// <summary>Linux 7.2 mm/hugetlb.c copy_hugetlb_page_range: copy_page_range's steps for a hugetlb VMA (the seed's
    /// MMU_MIGRATE).</summary>
    private void CopyHugetlbPageRange(Vma v)
    {
        if (!v.IsCow || Config.Has(Mutant.CowForgetsWriteProtect)) { _prims.Add(new Prim.ChildCopy(v.Range)); return; }
        Bracket(CallSite.copy_hugetlb_page_range, v.Range, CowCopy(v.Range));
    }

    /// <summary>The body of fork's bracket: the writable PTEs write-protected, the flush, the child's copy.</summary>
    private Action<bool> CowCopy(PageRange vr) => after =>
    {
        foreach (int p in Present(vr)) if (State.Ptes[p] is { Prot: Prot.ReadWrite }) Pte(p, PteOp.WriteProtect, after);
        _prims.Add(new Prim.TlbFlush(vr));
        _prims.Add(new Prim.ChildCopy(vr));
    };

    /// <summary>A forked child's store (Call.ChildWrite): the write fault on the child's own mm, linux-7.2 mm/memory.c
    /// handle_mm_fault -> do_pte_missing -> do_anonymous_page where the child has no PTE (a new zeroed page, mapped writable:
    /// the child never mapped the page, or fork copied no PTE of the VMA, vma_needs_copy), else do_wp_page on its write-
    /// protected PTE (fork's copy_present_pte wrprotected both sides): the zero page (vm_normal_page is NULL for it) and a KSM
    /// page (wp_can_reuse_anon_folio: folio_test_ksm) are copied, wp_page_copy; a page the child maps alone (map and reference
    /// count 1: wp_can_reuse_anon_folio's folio_ref_count(folio) != 1 test, after the swap cache's reference is dropped by
    /// folio_free_swap) is reused in place, wp_page_reuse; any other (still shared with the parent or another child) is copied,
    /// wp_page_copy, which drops the child's mapping and reference of the old page, so the parent's page may become exclusive
    /// (its own next write fault reuses it, Fault). Linux 6.12 mm/memory.c do_wp_page / wp_can_reuse_anon_folio are the same
    /// for a small folio. wp_page_copy's notifier bracket (MMU_NOTIFY_CLEAR, mmu_notifier_range_init on vma->vm_mm) is the
    /// child's mm's, which has no subscription here (a KVM guest or a mirror registers on its own process's mm): no listener of
    /// this mm hears it, so the plan is one step, Prim.ChildFault, that records the path. Not modelled (refused with ENOTSUP):
    /// a child's swap entry (do_swap_page in the child), a page the parent maps by a PMD (do_huge_pmd_wp_page in the child) and
    /// a write into an empty huge block of a THP VMA (do_huge_pmd_anonymous_page in the child); a shared mapping (EINVAL: the
    /// child's page is the parent's, not a copy).</summary>
    private (string Name, MmapLock Lock, string? Error) ChildWrite(Call.ChildWrite m)
    {
        const string name = "child_write";
        if (m.Child >= State.ChildVmas.Count) return (name, MmapLock.None, "EINVAL (the child's VMAs are not known)");
        var vma = State.ChildVmas[m.Child].FirstOrDefault(v => v.Contains(m.Page));
        if (vma is null) return (name, MmapLock.None, "SIGSEGV (no VMA in the child)");
        if (vma.Prot != Prot.ReadWrite) return (name, MmapLock.None, $"SIGSEGV (the child's VMA is {PteText.ProtText(vma.Prot)})");
        if (vma.Shared || vma.Hugetlb) return (name, MmapLock.None, "EINVAL (a shared or hugetlb mapping: the child's write is not modelled)");
        var child = State.Children[m.Child];
        if (State.ChildSwapped.Count > m.Child && State.ChildSwapped[m.Child].Contains(m.Page))
            return (name, MmapLock.None, "ENOTSUP (the child's swap entry: do_swap_page in the child is not modelled)");
        if (!child.TryGetValue(m.Page, out int old))
        {
            var block = HugeBlock(m.Page);
            var kvma = Vma.MergedRun(State.ChildVmas[m.Child], vma);
            if (vma.Thp && block.Length == Config.HugePageSize && block.Start >= kvma.Start && block.End <= kvma.End
                && Enumerable.Range(block.Start, block.Length).All(p => !child.ContainsKey(p)))
                return (name, MmapLock.None, "ENOTSUP (a huge fault in the child: do_huge_pmd_anonymous_page is not modelled there)");
            _prims.Add(new Prim.ChildFault(m.Child, m.Page, m.Value, ChildFaultKind.DoAnonymousPage, Alloc(), -1));
            return (name, MmapLock.None, null);
        }
        if (old != MmState.ZeroFrame && State.FolioOf(old) is var fi and >= 0)
        {
            // a page of a folio fork shared (MmState.Folios): under the child's PMD, do_huge_pmd_wp_page reuses the folio when
            // the PMD is its only reference, else falls back (__split_huge_pmd on the child's mm) and do_wp_page copies the page;
            // mapped by PTEs, PageAnonExclusive or FolioReuse decide (Machine.ChildFault records the split and the reuse)
            var folio = State.Folios[fi];
            bool reuse = AnonExclusive(old)
                || (folio.ChildPmd.Contains(m.Child) ? FolioOnlyHere(folio) : FolioReuse(folio, m.Child));
            _prims.Add(reuse ? new Prim.ChildFault(m.Child, m.Page, m.Value, ChildFaultKind.WpPageReuse, old, old)
                : new Prim.ChildFault(m.Child, m.Page, m.Value, ChildFaultKind.WpPageCopy, Alloc(), old));
            return (name, MmapLock.None, null);
        }
        if (old != MmState.ZeroFrame && State.Ptes.Any(x => x is { Huge: true, NonPresent: false } y && y.Frame == old))
            return (name, MmapLock.None, "ENOTSUP (a page the parent maps by a PMD: do_huge_pmd_wp_page in the child is not modelled)");
        var fr = State.Frames[old];
        // do_wp_page in the child: PageAnonExclusive (the child's own reuse before) or wp_can_reuse_anon_folio's counts
        if (old != MmState.ZeroFrame && (AnonExclusive(old) || !fr.Ksm && fr.MapCount == 1 && fr.RefCount == 1))
        {
            _prims.Add(new Prim.ChildFault(m.Child, m.Page, m.Value, ChildFaultKind.WpPageReuse, old, old));
            return (name, MmapLock.None, null);
        }
        _prims.Add(new Prim.ChildFault(m.Child, m.Page, m.Value, ChildFaultKind.WpPageCopy, Alloc(), old));
        return (name, MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/migrate.c migrate_pages -> try_to_migrate_one.</summary>
    private (string Name, MmapLock Lock, string? Error) Migrate(Call.Migrate m)
    {
        CheckPage(m.Page, "migrate_pages");
        if (State.Ptes[m.Page] is not { } pte || pte.Frame == MmState.ZeroFrame) return ("migrate_pages", MmapLock.None, "EINVAL (page not mapped)");
        if (pte.Exclusive >= 0) return ("migrate_pages", MmapLock.None, "EBUSY (device-exclusive entry)");
        if (pte.DevicePrivate >= 0) return ("migrate_pages", MmapLock.None, "EBUSY (device-private entry: a ZONE_DEVICE page is not on the LRU)");
        var hb = HugeBlock(m.Page);
        var r = pte.Huge && WholeHuge(hb) ? hb : new PageRange(m.Page, m.Page + 1);
        var olds = Enumerable.Range(r.Start, r.Length).Select(p => State.Ptes[p]!.Value).ToList();
        if (olds.Any(o => State.Frames[o.Frame].MapCount != 1)) return ("migrate_pages", MmapLock.None, "EBUSY (page mapped elsewhere)");
        var news = olds.Select(_ => Alloc()).ToList();
        // the new folio stays lazyfree (linux-7.2 mm/migrate.c __folio_migrate_mapping: __folio_set_swapbacked only for a
        // swap-backed folio) and dirty as it was (folio_migrate_flags; try_to_migrate_one keeps the PTE's dirty bit in the
        // migration entry); clean (Frame.Clean) when the old one was and its PTE was not dirty (try_to_migrate_one:
        // folio_mark_dirty of a dirty PTE, which folio_migrate_flags hands on)
        for (int i = 0; i < olds.Count; i++)
        {
            if (State.Frames[olds[i].Frame].Clean && !olds[i].Dirty)
                State = State with { Frames = State.Frames.SetItem(news[i], State.Frames[news[i]] with { Clean = true }) };
            if (State.Frames[olds[i].Frame] is { Lazyfree: true } lf)
                State = State with { Frames = State.Frames.SetItem(news[i], State.Frames[news[i]] with { Lazyfree = true, Dirty = lf.Dirty }) };
            MigratedAnonExclusive(olds[i].Frame, news[i]);
            if (!Config.PlantMigrateLeavesChildSwapEntries) MoveChildSwapEntries(olds[i].Frame, news[i]);
        }
        bool early = Config.Has(Mutant.MigrateCopyBeforeUnmap);
        if (early) for (int i = 0; i < olds.Count; i++) _prims.Add(new Prim.CopyFrame(olds[i].Frame, news[i]));
        // try_to_migrate_one: migration entries under the notifier, then copy, then remove_migration_ptes
        TryToUnmapOne(r, PteOp.MigrationEntry);
        for (int i = 0; i < olds.Count; i++)
        {
            if (!early) _prims.Add(new Prim.CopyFrame(olds[i].Frame, news[i]));
            // remove_migration_pte keeps the uffd-wp bit through the migration entry (linux-7.2 mm/migrate.c)
            Pte(r.Start + i, PteOp.Map, false, news[i], olds[i].Prot, olds[i].Huge && r.Length > 1, uffdWp: olds[i].UffdWp);
            _prims.Add(new Prim.FreeFrame(olds[i].Frame));
        }
        return ("migrate_pages", MmapLock.None, null);
    }

    /// <summary>A page in the swap cache that children's swap entries still name (fork copied the parent's swap entry, the parent
    /// swapped it in since: Frame.RefCount beyond its mappings): its migration moves the swap cache to the new folio (linux-7.2
    /// mm/migrate.c __folio_migrate_mapping: folio_set_swapcache(newfolio), the swap cache's slots replaced,
    /// __swap_cache_replace_folio), so the children's swap entries name the new page from now on, and a child's swap-in maps
    /// it (found live: host-only `--unseen --time 60s --seed 191`, docs/kernel.md). Planted away:
    /// MmConfig.PlantMigrateLeavesChildSwapEntries.</summary>
    private void MoveChildSwapEntries(int old, int nf)
    {
        int moved = 0;
        var children = State.Children;
        for (int c = 0; c < children.Count && c < State.ChildSwapped.Count; c++)
            foreach (int q in State.ChildSwapped[c])
                if (children[c].TryGetValue(q, out int f) && f == old) { children = children.SetItem(c, children[c].SetItem(q, nf)); moved++; }
        if (moved == 0) return;
        var o = State.Frames[old]; var n = State.Frames[nf];
        State = State with
        {
            Children = children,
            Frames = State.Frames.SetItem(old, o with { RefCount = o.RefCount - moved }).SetItem(nf, n with { RefCount = n.RefCount + moved }),
        };
    }

    /// <summary>Linux 7.2 mm/ksm.c try_to_merge_with_ksm_page -> write_protect_page, replace_page.</summary>
    private (string Name, MmapLock Lock, string? Error) KsmMerge(Call.KsmMerge m)
    {
        // ksmd holds mmap_read_lock around write_protect_page and replace_page
        // (mm/ksm.c try_to_merge_with_ksm_page); NotifierSpec.tla MmapReadSites
        CheckPage(m.Page, "ksm_merge"); CheckPage(m.Other, "ksm_merge");
        if (m.Page == m.Other) return ("ksm_merge", MmapLock.Read, "EINVAL (same page)");
        foreach (int p in new[] { m.Page, m.Other })
            if (State.VmaAt(p) is not { Mergeable: true } || State.Ptes[p] is not { Huge: false, Exclusive: < 0, DevicePrivate: < 0 } pp || pp.Frame == MmState.ZeroFrame)
                return ("ksm_merge", MmapLock.Read, $"EINVAL (page {p} is not a mapped mergeable base page)");
        // a uffd-wp page merges as any other (mm/ksm.c has no userfaultfd check: ksm_madvise -> vma_ksm_compatible): the
        // kept page's bit stays (write_protect_page: pte_mkclean, pte_wrprotect), the replaced page's is lost (replace_page:
        // newpte = mk_pte(kpage, vma->vm_page_prot); linux-7.2, 6.12 and 6.1 alike), so a later write there copies the KSM page
        // without asking the userfaultfd handler (Machine.KsmReplace; planted: MmConfig.PlantKsmKeepsUffdWp)
        int kframe = State.Ptes[m.Page]!.Value.Frame;
        // write_protect_page makes both pages shared for KSM: PageAnonExclusive cleared (folio_try_share_anon_rmap_pte, once
        // the PTE is cleared and flushed), so a page KSM did not replace keeps no bit either; planned with the merge (no
        // other CPU operation runs before its steps)
        foreach (int p in new[] { m.Page, m.Other })
            State = State with { Frames = State.Frames.SetItem(State.Ptes[p]!.Value.Frame, State.Frames[State.Ptes[p]!.Value.Frame] with { AnonExclusive = false }) };
        foreach (int p in new[] { m.Page, m.Other }) WriteProtectPage(p);
        ReplacePage(m.Other, kframe);
        return ("ksm_merge", MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/ksm.c write_protect_page: the page's PTE write-protected and cleaned (a writable or dirty PTE:
    /// pte_mkclean, pte_wrprotect; the folio marked dirty instead) and flushed.</summary>
    private void WriteProtectPage(int p)
    {
        var one = new PageRange(p, p + 1);
        Bracket(CallSite.write_protect_page, one, after =>
        {
            if (State.Ptes[p] is { Writable: true } or { Dirty: true }) Pte(p, PteOp.Clean, after);
            _prims.Add(new Prim.TlbFlush(one));
        });
    }

    /// <summary>Linux 7.2 mm/ksm.c replace_page: ptep_clear_flush, set_pte_at_notify(kpage), then put_page of the old page
    /// after the flush.</summary>
    private void ReplacePage(int page, int kframe)
    {
        var one = new PageRange(page, page + 1);
        int oldFrame = State.Ptes[page]!.Value.Frame;
        Bracket(CallSite.replace_page, one, after =>
        {
            _prims.Add(new Prim.KsmReplace(page, kframe));
            _prims.Add(new Prim.TlbFlush(one));
            _prims.Add(new Prim.FreeFrame(oldFrame));
        });
    }

    /// <summary>Linux 7.2 include/linux/huge_mm.h split_huge_page -> mm/huge_memory.c __folio_split.</summary>
    private (string Name, MmapLock Lock, string? Error) SplitHuge(Call.SplitHuge m)
    {
        CheckPage(m.Page, "split_huge_page");
        if (State.Ptes[m.Page] is not { Huge: true }) return ("split_huge_page", MmapLock.None, "EINVAL (not a huge mapping)");
        SplitHugePage(HugeBlock(m.Page));
        return ("split_huge_page", MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/khugepaged.c collapse_huge_page.</summary>
    private (string Name, MmapLock Lock, string? Error) CollapseHuge(Call.CollapseHuge m)
    {
        CheckPage(m.Page, "collapse_huge_page");
        var b = HugeBlock(m.Page);
        var vma = State.VmaAt(m.Page);
        // linux-7.2 mm/khugepaged.c hugepage_vma_revalidate -> thp_vma_suitable_order (include/linux/huge_mm.h): the block lies
        // inside the VMA find_vma gives, i.e. the kernel's VMA (Vma.MergedRun: adjacent pieces of one kind are merged, e.g.
        // after mprotect of a piece and back); thp_vma_allowable_orders: not VM_NOHUGEPAGE (vma_thp_disabled; the harness's
        // plain mmap advises MADV_NOHUGEPAGE, its mmap_thp MADV_HUGEPAGE: Thp)
        if (vma is not { Thp: true } || b.Length != Config.HugePageSize || !KernelVma(vma).Contains(b))
            return ("collapse_huge_page", MmapLock.Write, "EINVAL (block not inside a THP VMA)");
        // khugepaged's userfaultfd checks (linux-7.2 mm/khugepaged.c: userfaultfd_armed VMAs take no none PTE,
        // pte_uffd_wp PTEs stop the scan: SCAN_PTE_UFFD_WP) are not modelled
        if (vma.UffdWp) return ("collapse_huge_page", MmapLock.Write, "ENOSYS (collapse in a userfaultfd-registered VMA is not modelled)");
        return ("collapse_huge_page", MmapLock.Write, CollapseHugePage(b, vma));
    }

    /// <summary>The range of the kernel's VMA a collapse asks about (Vma.MergedRun). Planted (MmConfig.PlantCollapsePieceVma):
    /// the reference's piece, as before session 13.</summary>
    private PageRange KernelVma(Vma vma) => Config.PlantCollapsePieceVma ? vma.Range : Vma.MergedRun(State.Vmas, vma);

    /// <summary>Linux 7.2 mm/khugepaged.c collapse_huge_page of one block of a private VMA: an error or null.
    /// khugepaged (madvise false): the block must be mapped by exclusive base pages (its max_ptes_none / _shared / _swap limits and
    /// young-page test are not modelled); the PMD is read-only when no old PTE was writable.
    /// MADV_COLLAPSE (madvise; MadviseCollapseRefusal said yes): each swap entry swapped in first (__collapse_huge_page_swapin ->
    /// do_swap_page, a fill: no notification); __collapse_huge_page_copy zeroes the page of a none or zero-page PTE
    /// (clear_user_highpage) and copies the others; __collapse_huge_page_copy_succeeded drops each old page's mapping and reference
    /// (folio_remove_rmap_ptes, folio_put_refs: a page a child maps too stays the child's; free_swap_cache drops a swapped-in page
    /// from the swap cache); map_anon_folio_pmd_nopf maps the new huge page dirty and writable when the VMA is (maybe_pmd_mkwrite;
    /// linux-6.12 and 6.1 collapse_huge_page the same: mk_huge_pmd, maybe_pmd_mkwrite).
    /// Both: pmdp_collapse_flush under MMU_NOTIFY_CLEAR over the block (the bracket closes before the copy), then the huge PMD.</summary>
    private string? CollapseHugePage(PageRange b, Vma vma, bool madvise = false)
    {
        if (madvise)
            foreach (int p in Enumerable.Range(b.Start, b.Length))
                if (State.Ptes[p] is { Swapped: true } sw) SwapIn(p, sw, vma, write: false);
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]).ToList();
        if (!madvise && olds.Any(o => o is null || o.Value.Huge || o.Value.Exclusive >= 0 || o.Value.DevicePrivate >= 0 || o.Value.Frame == MmState.ZeroFrame || State.Frames[o.Value.Frame].MapCount != 1))
            return "EBUSY (block not fully mapped by exclusive base pages)";
        var news = olds.Select(_ => Alloc()).ToList();
        // collapse_huge_page: pmdp_collapse_flush under the notifier, copy, then set the huge PMD
        Bracket(CallSite.collapse_huge_page, b, after =>
        {
            foreach (int p in Enumerable.Range(b.Start, b.Length)) if (olds[p - b.Start] is not null) Pte(p, PteOp.Clear, after);
            _prims.Add(new Prim.TlbFlush(b));
        });
        bool Copied(Pte? o) => o is { } x && x.Frame != MmState.ZeroFrame;
        var prot = madvise || olds.Any(o => o!.Value.Writable) ? vma.Prot : Prot.Read;
        for (int i = 0; i < olds.Count; i++)
        {
            if (Copied(olds[i])) _prims.Add(new Prim.CopyFrame(olds[i]!.Value.Frame, news[i])); // else a zeroed page (Alloc)
            Pte(b.Start + i, PteOp.Map, false, news[i], prot, huge: true);
        }
        foreach (var o in olds) if (Copied(o)) _prims.Add(new Prim.FreeFrame(o!.Value.Frame));
        return null;
    }

    /// <summary>MADV_COLLAPSE: linux-7.2 mm/madvise.c madvise_walk_vmas calls mm/khugepaged.c madvise_collapse once per VMA (the
    /// kernel's VMA: Vma.MergedRun) with the range clipped to it; a hole between VMAs gives ENOMEM after the rest is advised
    /// (unmapped_error), an error of a VMA ends the walk. madvise_collapse refuses a VMA with EINVAL unless collapse_possible
    /// (mm/huge_memory.c __thp_vma_allowable_orders with TVA_FORCED_COLLAPSE: not hugetlb (VM_NO_KHUGEPAGED), a whole aligned huge
    /// block inside the VMA (thp_vma_suitable_order of vm_end - HPAGE_PMD_SIZE), an anon_vma for anonymous memory; linux-6.12
    /// thp_vma_allowable_order and linux-6.1 hugepage_vma_check the same), then collapses each whole aligned block of the clipped
    /// range (hstart = ALIGN(start), hend = ALIGN_DOWN(end): none is 0, nothing done) by collapse_single_pmd. VM_NOHUGEPAGE
    /// (vma_thp_disabled) is not modelled: Vma.Thp is VM_HUGEPAGE, which MADV_COLLAPSE does not need.
    /// Where the kernel would collapse some blocks and fail others, the reference refuses the whole call without effect (a call
    /// of one block, as the live harness makes, is exact). A hole is accepted (the reference has no return value for a call
    /// applied in part; the live harness expects the kernel's ENOMEM there).</summary>
    private (string Name, MmapLock Lock, string? Error) MadviseCollapse(Call.MadviseCollapse m)
    {
        CheckRange(m.Start, m.End, "madvise_collapse");
        const string name = "madvise_collapse";
        if (Absent(CallSite.retract_page_tables)) return (name, MmapLock.Read, "ENOSYS (MADV_COLLAPSE has no row in this vocabulary)");
        if (Config.PlantMadviseCollapseWholeRange) return MadviseCollapseWholeRange(m);
        int h = Config.HugePageSize;
        var todo = new List<(PageRange Block, Vma Vma)>();
        for (int p = m.Start; p < m.End;)
        {
            var vma = State.VmaAt(p);
            if (vma is null) { p++; continue; } // madvise_walk_vmas: -ENOMEM at the end, the rest advised
            var run = KernelVma(vma);
            var clip = new PageRange(Math.Max(m.Start, run.Start), Math.Min(m.End, run.End));
            p = clip.End;
            if (vma.UffdWp) return (name, MmapLock.Read, "ENOSYS (collapse in a userfaultfd-registered VMA is not modelled)");
            if (vma.Hugetlb) return (name, MmapLock.Read, "EINVAL (hugetlb VMA)"); // VM_NO_KHUGEPAGED
            int first = (run.Start + h - 1) / h * h;
            if (first + h > run.End || first + h > Config.Pages) return (name, MmapLock.Read, "EINVAL (collapse_possible: the VMA holds no whole huge block)");
            if (!vma.Shared && !State.Vmas.Any(v => v.AnonVma && run.Contains(v.Start)))
                return (name, MmapLock.Read, "EINVAL (collapse_possible: the VMA has no anon_vma)");
            for (int b = (clip.Start + h - 1) / h * h; b + h <= clip.End; b += h) todo.Add((new PageRange(b, b + h), vma));
        }
        // decide every block first, so that a refusal has no effect
        foreach (var (b, vma) in todo)
            if (!vma.Shared && !Config.PlantMadviseCollapseAsKhugepaged && MadviseCollapseRefusal(b) is { } refusal)
                return (name, MmapLock.Read, refusal);
        bool anon = false;
        foreach (var (b, vma) in todo)
        {
            // find_pmd_or_thp_or_none: a block already mapped by a PMD (the huge zero page too: pmd_trans_huge) is SCAN_PMD_MAPPED,
            // counted as collapsed without change (linux-7.2 madvise_collapse: ++thps; 6.12 and 6.1 the same)
            if (Enumerable.Range(b.Start, b.Length).All(p => State.Ptes[p] is { Huge: true }) && !Config.PlantMadviseCollapseAsKhugepaged) continue;
            anon |= !vma.Shared;
            string? err = vma.Shared ? CollapseFile(b) : CollapseHugePage(b, vma, madvise: !Config.PlantMadviseCollapseAsKhugepaged);
            if (err is not null) return (name, anon ? MmapLock.Write : MmapLock.Read, err);
        }
        return (name, anon ? MmapLock.Write : MmapLock.Read, null);
    }

    /// <summary>Why MADV_COLLAPSE does not collapse anonymous block b (mm/khugepaged.c collapse_scan_pmd and
    /// __collapse_huge_page_isolate with cc->is_khugepaged false), or null. Holes, zero-page PTEs, pages mapped by another mm
    /// (fork) and swap entries do not refuse: linux-7.2 collapse_max_ptes_none / collapse_max_ptes_shared / collapse_max_ptes_swap
    /// give HPAGE_PMD_NR for MADV_COLLAPSE; linux-6.12 and 6.1 test `!cc->is_khugepaged ||` before each limit.</summary>
    private string? MadviseCollapseRefusal(PageRange b)
    {
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]).ToList();
        if (olds.All(o => o is { Huge: true })) return null; // SCAN_PMD_MAPPED
        if (olds.Any(o => o is { Exclusive: >= 0 } or { DevicePrivate: >= 0 }))
            return "ENOSYS (collapse over a device-exclusive or device-private entry is not modelled)";
        if (olds.Any(o => o is { Swapped: false } x && x.Frame != MmState.ZeroFrame && State.Frames[x.Frame].Ksm))
            return "ENOSYS (collapse of a KSM page is not modelled)";
        // no PTE at all: where the page table is gone (zap_huge_pmd of a THP; linux-7.2 mm/memory.c zap_pte_range frees an empty
        // table under CONFIG_PT_RECLAIM, set on 6.18.44) find_pmd_or_thp_or_none gives SCAN_NO_PTE_TABLE (6.12, 6.1: SCAN_PMD_NONE
        // / SCAN_PMD_NULL), EINVAL by madvise_collapse_errno. Where it is left (MmState.PteTables, e.g. by move_page_tables at an
        // mremap destination) every PTE is none: linux-7.2 mm/khugepaged.c collapse_scan_pmd counts them against
        // collapse_max_ptes_none (HPAGE_PMD_NR for MADV_COLLAPSE), mthp_collapse calls collapse_huge_page (0 occupied PTEs >=
        // HPAGE_PMD_NR - HPAGE_PMD_NR), __collapse_huge_page_isolate skips each none PTE and __collapse_huge_page_copy zeroes its
        // page (clear_user_highpage): a zeroed huge page (CollapseHugePage; 6.18.44 the same, seen live). linux-6.12 and 6.1
        // hpage_collapse_scan_pmd find no writable PTE (a none PTE is skipped before the pte_write test): SCAN_PAGE_RO below.
        if (olds.All(o => o is null))
        {
            if (!Config.ModelsPteTables) return "ENOSYS (an empty block: whether its page table is left is not modelled)";
            if (!State.HasPteTable(b.Start)) return "EINVAL (SCAN_NO_PTE_TABLE: the block has no page table)";
            if (Config.PlantEmptyPteTableCollapseRo) return "EINVAL (SCAN_PAGE_RO: no writable PTE in the block)";
        }
        // linux-6.12 and 6.1 mm/khugepaged.c hpage_collapse_scan_pmd / __collapse_huge_page_isolate: no writable present PTE is
        // SCAN_PAGE_RO, EINVAL by madvise_collapse_errno. linux-7.2 has no SCAN_PAGE_RO; 6.18.44 collapses such a block too
        // (observed live, no source here: a block write-protected by fork whose child exited, and a block in a PROT_READ VMA)
        if (Vocab is Vocabulary.Linux6_1 or Vocabulary.Linux6_12 && !olds.Any(o => o is { Swapped: false, Writable: true, Huge: false } x && x.Frame != MmState.ZeroFrame))
            return "EINVAL (SCAN_PAGE_RO: no writable PTE in the block)";
        return null;
    }

    /// <summary>The planted MADV_COLLAPSE (MmConfig.PlantMadviseCollapseWholeRange): the blocks of the whole range, ENOMEM for one
    /// not inside one VMA, khugepaged's rules per block, as the reference before session 14.</summary>
    private (string Name, MmapLock Lock, string? Error) MadviseCollapseWholeRange(Call.MadviseCollapse m)
    {
        const string name = "madvise_collapse";
        int h = Config.HugePageSize;
        var blocks = Enumerable.Range(0, Config.Pages / h).Select(i => new PageRange(i * h, i * h + h)).Where(b => b.Start >= m.Start && b.End <= m.End).ToList();
        if (blocks.Count == 0) return (name, MmapLock.Read, "EINVAL (no whole huge block in the range)");
        bool anon = false;
        foreach (var b in blocks)
        {
            var vma = State.VmaAt(b.Start);
            if (vma is null || !KernelVma(vma).Contains(b)) return (name, MmapLock.Read, "ENOMEM (block not inside one VMA)");
            if (vma.UffdWp) return (name, MmapLock.Read, "ENOSYS (collapse in a userfaultfd-registered VMA is not modelled)");
            if (vma.Hugetlb) return (name, MmapLock.Read, "EINVAL (hugetlb VMA)");
            if (Enumerable.Range(b.Start, b.Length).All(p => State.Ptes[p] is { Huge: true })) continue;
            string? err = vma.Shared ? CollapseFile(b) : CollapseHugePage(b, vma);
            anon |= !vma.Shared;
            if (err is not null) return (name, anon ? MmapLock.Write : MmapLock.Read, err);
        }
        return (name, anon ? MmapLock.Write : MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/khugepaged.c collapse_file for one block of a shared (shmem) mapping, then retract_page_tables
    /// and try_collapse_pte_mapped_thp's set_huge_pmd.</summary>
    private string? CollapseFile(PageRange b)
    {
        // collapse_single_pmd drops mmap_lock and runs collapse_scan_file -> collapse_file: each old folio is isolated and,
        // if mapped, unmapped by try_to_unmap (try_to_unmap_one: MMU_NOTIFY_CLEAR over its address); the contents are
        // copied into the new huge folio after every old one is unmapped; the old ones are freed. The model requires
        // every page mapped here and by this mm alone (the page cache is not modelled: a hole or another mapping refuses).
        var olds = Enumerable.Range(b.Start, b.Length).Select(p => State.Ptes[p]).ToList();
        if (olds.Any(o => o is null || o.Value.Huge || o.Value.Exclusive >= 0 || o.Value.DevicePrivate >= 0 || o.Value.Frame == MmState.ZeroFrame || State.Frames[o.Value.Frame].MapCount != 1))
            return "EAGAIN (block not fully mapped by pages of this mm alone)";
        var news = olds.Select(_ => Alloc()).ToList();
        for (int i = 0; i < olds.Count; i++) TryToUnmapOne(new PageRange(b.Start + i, b.Start + i + 1), PteOp.Clear);
        for (int i = 0; i < olds.Count; i++) _prims.Add(new Prim.CopyFrame(olds[i]!.Value.Frame, news[i]));
        foreach (var o in olds) _prims.Add(new Prim.FreeFrame(o!.Value.Frame));
        // collapse_file -> retract_page_tables; try_collapse_pte_mapped_thp then finds the PMD none and set_huge_pmd maps
        // the new huge page (a fill: no notification)
        RetractPageTables(b);
        var prot = State.VmaAt(b.Start)!.Prot;
        for (int i = 0; i < olds.Count; i++) Pte(b.Start + i, PteOp.Map, false, news[i], prot == Prot.ReadWrite ? Prot.Read : prot, huge: true);
        return null;
    }

    /// <summary>Linux 7.2 mm/khugepaged.c retract_page_tables: a VMA without anon_vma loses its page table under
    /// MMU_NOTIFY_CLEAR over the block (pmdp_collapse_flush).</summary>
    private void RetractPageTables(PageRange b) => Bracket(CallSite.retract_page_tables, b, _ => _prims.Add(new Prim.TlbFlush(b) { FreedTables = [b.Start] }));

    /// <summary>Linux 7.2 mm/mlock.c do_mlock: apply_vma_lock_flags (mlock_fixup of each VMA), then __mm_populate ->
    /// populate_vma_page_range over the range (PopulateVmaPageRange); a PROT_NONE VMA stops the population with -EFAULT, which
    /// mlock returns as ENOMEM (__mlock_posix_error_return) with the VMAs locked and the pages before it faulted in (the
    /// refusal keeps its steps: RefusalKeepsVmaSteps). Linux 6.12 and 6.1 mm/mlock.c and mm/gup.c are the same.</summary>
    private (string Name, MmapLock Lock, string? Error) Mlock(Call.Mlock m)
    {
        CheckRange(m.Start, m.End, "mlock");
        var r = new PageRange(m.Start, m.End);
        if (!Covered(r)) return LockUpToHole("mlock", r, true);
        var none = State.Vmas.Where(v => v.Range.Overlaps(r) && v.Prot == Prot.None).Select(v => v.Start).DefaultIfEmpty(r.End).Min();
        var populate = new PageRange(r.Start, Math.Max(r.Start, none));
        foreach (var v in State.Vmas.Where(v => v.Range.Overlaps(populate)))
            if (PopulateUnmodelled(v.Range.Intersect(populate), PopulateWrites(v), _ => false) is { } why) return ("mlock", MmapLock.Write, why);
        if (SetMlocked(r, true) is { } err) return ("mlock", MmapLock.Write, err);
        PopulateVmaPageRange([populate]);
        if (none >= r.End) return ("mlock", MmapLock.Write, null);
        RefusalKeepsVmaSteps = true;
        return ("mlock", MmapLock.Write, "ENOMEM (populate_vma_page_range: a PROT_NONE VMA, -EFAULT)");
    }

    /// <summary>Linux 7.2 mm/gup.c populate_vma_page_range over each range: one Prim.Populate step per range, which the machine
    /// turns into the faults when it reaches it (Machine.Populate, PopulateNext), each planned on the state the steps before
    /// it left, as __get_user_pages takes them one after the other.</summary>
    private void PopulateVmaPageRange(IEnumerable<PageRange> ranges)
    {
        foreach (var r in ranges) if (r.Length > 0) _prims.Add(new Prim.Populate(r));
    }

    /// <summary>The next fault of populate_vma_page_range over pp.Range on state s, or none when every page of the range is
    /// one GUP follows without a fault. Linux 7.2 mm/gup.c __get_user_pages: for each page, follow_page_mask, and where it
    /// finds no page faultin_page -> handle_mm_fault (FAULT_FLAG_WRITE under FOLL_WRITE: a private writable VMA; else a read
    /// fault, FOLL_FORCE) and the follow retried ("goto retry"): so the steps are the fault (Fault, the CPU's handle_mm_fault)
    /// and a Populate from the same page on. Followable: PopulateFollows. Planted: MmConfig.PlantPopulateSkipsPresent (only
    /// empty PTEs faulted), MmConfig.PlantMlockFillsPages (an empty PTE filled with a page of its own).</summary>
    internal static (MmState State, ImmutableArray<Prim> Steps) PopulateNext(MmState s, Prim.Populate pp)
    {
        var pl = new Planner(s);
        for (int p = pp.Range.Start; p < pp.Range.End; p++)
        {
            // the VMAs are those of the call's vma_update, which ran before this step
            if (s.VmaAt(p) is not { } vma) continue;
            bool write = PopulateWrites(vma);
            if (pl.PopulateFollows(p, write) || s.Config.PlantPopulateSkipsPresent && s.Ptes[p] is not null) continue;
            if (pp.Page == p && pp.Tries >= 3)
                throw new ModelException($"populate_vma_page_range: page {p} ({PteText.Of(s.Ptes[p])}) still not followable after {pp.Tries} faults");
            if (s.Config.PlantMlockFillsPages && s.Ptes[p] is null) pl.Pte(p, PteOp.Map, false, pl.Alloc(), vma.Prot);
            else if (pl.Fault(p, write) is { } err)
                throw new ModelException($"populate_vma_page_range: the fault on page {p} ({PteText.Of(s.Ptes[p])}) failed ({err}), which PopulateUnmodelled should have refused");
            pl._prims.Add(new Prim.Populate(new PageRange(p, pp.Range.End), p, pp.Page == p ? pp.Tries + 1 : 1));
            return (pl.State, [.. pl._prims]);
        }
        return (s, []);
    }

    /// <summary>GUP follows page p without a fault (linux-7.2 mm/gup.c follow_page_pte, follow_huge_pmd): a present PTE, not a
    /// migration entry (the follow waits for it); under FOLL_WRITE a writable one (can_follow_write_pte: pte_write, as FOLL_FORCE
    /// is not set with FOLL_WRITE there; can_follow_write_pmd the same), so a read-only PTE takes a write fault (do_wp_page:
    /// reuse or COW; do_huge_pmd_wp_page under a PMD); a read follows a NUMA-hinting PTE too (gup_can_follow_protnone: true
    /// without FOLL_HONOR_NUMA_FAULT, which populate_vma_page_range does not set) and the zero page (is_zero_pfn).</summary>
    private bool PopulateFollows(int p, bool write) => State.Ptes[p] is { NonPresent: false } pte && !State.Migrating.ContainsKey(p)
        && (!write || pte.Writable);

    private static bool PopulateWrites(Vma vma) => vma.Prot == Prot.ReadWrite && !vma.Shared;

    /// <summary>do_wp_page reuses the private page of frame in place (wp_page_reuse; the reuse sets PageAnonExclusive: Machine,
    /// PteOp.Upgrade): not the zero page, and PageAnonExclusive or, failing that, mapped and held once and not KSM
    /// (linux-7.2 mm/memory.c do_wp_page, wp_can_reuse_anon_folio; MmConfig.KsmWriteCopies).</summary>
    private bool WpPageReuses(int frame) => frame != MmState.ZeroFrame && State.Frames[frame] is var fr
        && (AnonExclusive(frame) || fr.MapCount == 1 && fr.RefCount == 1 && !(fr.Ksm && Config.KsmWriteCopies));

    /// <summary>Why populate_vma_page_range over r is not modelled (ENOTSUP), or null. write: the population write-faults (a
    /// private writable VMA); settled: a present PTE the caller makes writable itself (mprotect's upgrade). Refused: a write
    /// fault on a uffd-wp PTE of a VM_UFFD_WP VMA (linux-7.2 mm/memory.c do_wp_page -> handle_userfault: the population waits
    /// for the userfaultfd's reader, which the model has not; Fault's EAGAIN), a migration entry (the fault waits for the
    /// migration: Fault's EBUSY), a device-private entry (do_swap_page -> migrate_to_ram: the device's migration, which a
    /// population step does not plan) and a write to a device-exclusive entry of a read-only PTE (Fault's SIGSEGV). Every other
    /// page is faulted in as the kernel does, each fault on the state the ones before left (PopulateNext).</summary>
    private string? PopulateUnmodelled(PageRange r, bool write, Func<int, bool> settled)
    {
        for (int p = r.Start; p < r.End; p++)
        {
            if (State.Ptes[p] is not { } pte || settled(p)) continue;
            string? why = State.Migrating.ContainsKey(p) ? "a migration entry: the fault waits for the migration"
                : pte.DevicePrivate >= 0 ? "a device-private entry: do_swap_page -> migrate_to_ram"
                : write && pte.UffdWp && State.VmaAt(p) is { UffdWp: true } && !pte.Writable && pte.Exclusive < 0 ? "a uffd-wp PTE: the write fault waits in handle_userfault"
                : write && pte.Exclusive >= 0 && pte.Prot != Prot.ReadWrite ? "a read-only device-exclusive entry"
                : null;
            if (why is not null) return $"ENOTSUP (populate_vma_page_range: the fault on page {p} ({PteText.Of(pte)}) is not modelled: {why})";
        }
        return null;
    }

    /// <summary>the seed (v7) kernel's mm/mlock.c munlock_vma_pages_range (gone by Linux 7.2; munlock notifies nothing there).</summary>
    private (string Name, MmapLock Lock, string? Error) Munlock(Call.Munlock m)
    {
        CheckRange(m.Start, m.End, "munlock");
        var r = new PageRange(m.Start, m.End);
        if (!Covered(r)) return LockUpToHole("munlock", r, false);
        if (SetMlocked(r, false) is { } err) return ("munlock", MmapLock.Write, err);
        MunlockVmaPagesRange(r);
        return ("munlock", MmapLock.Write, null);
    }

    /// <summary>The first page of r no VMA holds (r.End when every page is mapped).</summary>
    private int FirstHole(PageRange r)
    {
        int hole = r.Start;
        while (hole < r.End && State.VmaAt(hole) is not null) hole++;
        return hole;
    }

    /// <summary>mlock / munlock over a range with a hole: linux-7.2 mm/mlock.c apply_vma_lock_flags returns -ENOMEM without a
    /// change when no VMA holds the first page (vma_iter_load NULL); else mlock_fixup changes each VMA in turn up to the first
    /// hole ("if (vma->vm_start != tmp) return -ENOMEM", or "tmp < end" after the last VMA), and do_mlock returns the error
    /// before __mm_populate: the VMAs before the hole are locked (or unlocked), nothing is faulted in. linux-6.12 and 6.1 the
    /// same. Planted away: MmConfig.PlantHoleNoChange.</summary>
    private (string Name, MmapLock Lock, string? Error) LockUpToHole(string name, PageRange r, bool locked)
    {
        int hole = FirstHole(r);
        if (hole == r.Start || Config.PlantHoleNoChange) return (name, MmapLock.Write, "ENOMEM (range not fully mapped)");
        var before = new PageRange(r.Start, hole);
        SetMlocked(before, locked);
        if (!locked) MunlockVmaPagesRange(before);
        RefusalKeepsVmaSteps = true;
        return (name, MmapLock.Write, $"ENOMEM (a hole at page {hole}: the VMAs before it {(locked ? "locked" : "unlocked")})");
    }

    /// <summary>The seed's munlock_vma_pages_range: no PTE change, and its rows' mechanism is none (v7: MMU_MUNLOCK declared
    /// but never sent; Linux 7.2 mm/mlock.c has no notifier call).</summary>
    private void MunlockVmaPagesRange(PageRange r) => Bracket(CallSite.munlock_vma_pages_range, r, _ => { });

    /// <summary>Linux 7.2 mm/rmap.c folio_mkclean -> page_mkclean_one (writeback of a shared page).</summary>
    private (string Name, MmapLock Lock, string? Error) Writeback(Call.Writeback m)
    {
        CheckPage(m.Page, "writeback");
        if (State.Ptes[m.Page] is not { } pte || State.VmaAt(m.Page) is not { Shared: true })
            return ("writeback", MmapLock.None, "EINVAL (not a mapped shared page)");
        if (!pte.Dirty && !pte.Writable) return ("writeback", MmapLock.None, null); // clean already: page_mkclean finds nothing
        PageMkcleanOne(m.Page);
        return ("writeback", MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/rmap.c page_mkclean_one (folio_mkclean's rmap walk): the PTE write-protected and cleaned.</summary>
    private void PageMkcleanOne(int page)
    {
        var one = new PageRange(page, page + 1);
        Bracket(CallSite.page_mkclean_one, one, after =>
        {
            Pte(page, PteOp.Clean, after);
            _prims.Add(new Prim.TlbFlush(one));
        });
    }

    /// <summary>write to /proc/PID/clear_refs (CLEAR_REFS_SOFT_DIRTY).</summary>
    private (string Name, MmapLock Lock, string? Error) ClearRefs()
    {
        ClearRefsWrite();
        return ("clear_refs", MmapLock.Write, null);
    }

    /// <summary>Linux 7.2 fs/proc/task_mmu.c clear_refs_write (CLEAR_REFS_SOFT_DIRTY).</summary>
    private void ClearRefsWrite()
    {
        // clear_refs_write: mmap_write_lock_killable, MMU_NOTIFY_SOFT_DIRTY over [0, -1), walk_page_range over every VMA
        // but VM_PFNMAP (clear_refs_test_walk: type 4 affects all pages, shared mappings too); clear_soft_dirty write-protects
        // each present PTE and clears its soft-dirty bit (a device-exclusive entry is not present: the model leaves it)
        var all = new PageRange(0, Config.Pages);
        Bracket(CallSite.clear_refs_write, all, after =>
        {
            foreach (int p in Present(all))
                if (State.Ptes[p] is { Exclusive: < 0, DevicePrivate: < 0 } and ({ SoftDirty: true } or { Writable: true }) && State.VmaAt(p) is not null)
                    Pte(p, PteOp.ClearSoftDirty, after);
            _prims.Add(new Prim.TlbFlush(all));
        });
    }

    /// <summary>Linux 7.2 mm/userfaultfd.c userfaultfd_writeprotect -> mwriteprotect_range (UFFDIO_WRITEPROTECT, mode WP or 0):
    /// mmap_read_lock, then per VMA of the range uffd_wp_range over its part; a VMA without VM_UFFD_WP stops the walk with
    /// -ENOENT (userfaultfd_wp(dst_vma)), as does a range without any VMA (err starts as -ENOENT); holes are skipped
    /// (for_each_vma_range). The kernel has protected the VMAs before an unregistered one when it returns -ENOENT; the
    /// reference refuses such a call without effect.</summary>
    private (string Name, MmapLock Lock, string? Error) UffdWriteProtect(Call.UffdWriteProtect m)
    {
        const string name = "uffdio_writeprotect";
        CheckRange(m.Start, m.End, name);
        var r = new PageRange(m.Start, m.End);
        if (!EventTables.IsKernel(Vocab)) return (name, MmapLock.Read, "ENOSYS (userfaultfd write-protect is not in this vocabulary)");
        var hit = State.Vmas.Where(v => v.Range.Overlaps(r)).ToList();
        if (hit.Count == 0) return (name, MmapLock.Read, "ENOENT (no VMA in the range)");
        // linux-6.1 mm/userfaultfd.c mwriteprotect_range -> find_dst_vma: the range lies inside one VMA registered with the
        // userfaultfd, else -ENOENT before anything changes (a hole or a second VMA in the range too)
        if (Vocab == Vocabulary.Linux6_1 && !Config.PlantUffdWpWalksVmas6_1 && !Vma.MergedRun(State.Vmas, hit[0]).Contains(r))
            return (name, MmapLock.Read, "ENOENT (range not inside one VMA: find_dst_vma)");
        // planted (MmConfig.PlantUffdWpRefusesWhole): any VMA of the range not registered refuses the whole call, as the
        // reference did before session 14
        if (Config.PlantUffdWpRefusesWhole && hit.Find(v => !v.UffdWp) is { } un)
            return (name, MmapLock.Read, $"ENOENT (VMA [{un.Start}, {un.End}) is not registered for write-protect)");
        foreach (var kr in KernelVmaParts(hit, r))
        {
            // linux-6.12 and linux-7.2 mm/userfaultfd.c mwriteprotect_range: for_each_vma_range over the VMAs of the range
            // (holes skipped), a VMA not registered for write-protect (!userfaultfd_wp) ends the walk with -ENOENT; the VMAs
            // before it keep what uffd_wp_range did to them (a refusal with steps: Machine's refusalSteps)
            var piece = State.VmaAt(kr.Start)!;
            if (!piece.UffdWp) return (name, MmapLock.Read, $"ENOENT (VMA [{piece.Start}, {piece.End}) is not registered for write-protect)");
            SplitStraddling(kr);
            var present = Present(kr).ToList();
            if (present.Count > 0) UffdWpRange(kr, present, m.Wp);
        }
        return (name, MmapLock.Read, null);
    }

    /// <summary>The parts of [r) in each kernel VMA (Vma.MergedRun: adjacent pieces of one kind are one kernel VMA) of the
    /// given pieces, in address order: what the kernel's per-VMA walks (for_each_vma_range) call their site on.</summary>
    private List<PageRange> KernelVmaParts(List<Vma> pieces, PageRange r) =>
        pieces.Select(v => Vma.MergedRun(State.Vmas, v)).Distinct()
            .Select(k => new PageRange(Math.Max(k.Start, r.Start), Math.Min(k.End, r.End))).ToList();

    /// <summary>A flag change over [r) (UFFDIO_REGISTER / UNREGISTER, mlock / munlock) splits each kernel VMA of the changing
    /// pieces at the range's edges only, and a huge PMD straddling such an edge with it (linux-7.2 mm/vma.c vma_modify_flags ->
    /// __split_vma -> mm/huge_memory.c vma_adjust_trans_huge -> split_huge_pmd_if_needed), not at the reference's piece
    /// boundaries inside one kernel VMA.</summary>
    private void SplitAtKernelVmaEdges(List<Vma> changing, PageRange r)
    {
        foreach (var kr in KernelVmaParts(changing, r)) SplitStraddling(kr);
    }

    /// <summary>Linux 7.2 mm/userfaultfd.c userfaultfd_register (UFFDIO_REGISTER with UFFDIO_REGISTER_MODE_WP) ->
    /// userfaultfd_register_range: under mmap_write_lock, every VMA in the range not yet registered gets VM_UFFD_WP over its
    /// part of the range (mm/vma.c vma_modify_flags_uffd splits it at the range's edges, or merges it with a neighbour of
    /// equal flags); no PTE changes, no notification. No VMA in the range: -EINVAL (vma_find); holes are allowed.</summary>
    private (string Name, MmapLock Lock, string? Error) UffdRegister(Call.UffdRegister m)
    {
        const string name = "uffdio_register";
        CheckRange(m.Start, m.End, name);
        var r = new PageRange(m.Start, m.End);
        if (!EventTables.IsKernel(Vocab)) return (name, MmapLock.Write, "ENOSYS (userfaultfd write-protect is not in this vocabulary)");
        var hit = State.Vmas.Where(v => v.Range.Overlaps(r)).ToList();
        if (hit.Count == 0) return (name, MmapLock.Write, "EINVAL (no VMA in the range)");
        // vma_can_userfault takes shmem and hugetlb VMAs in WP mode too; their uffd-wp PTE markers (pte_install_uffd_wp_if_needed)
        // are not modelled, so the model registers private anonymous VMAs only
        if (hit.Any(v => v.Shared || v.Hugetlb)) return (name, MmapLock.Write, "ENOSYS (userfaultfd on a shared or hugetlb VMA is not modelled)");
        SetUffdWp(r, true);
        return (name, MmapLock.Write, null);
    }

    /// <summary>Linux 7.2 mm/userfaultfd.c userfaultfd_unregister (UFFDIO_UNREGISTER) -> userfaultfd_clear_vma per registered VMA
    /// of the range: uffd_wp_range(vma, start, end - start, false) over its part first (the uffd-wp bits cleared,
    /// MMU_NOTIFY_PROTECTION_VMA), then VM_UFFD_WP cleared (vma_modify_flags_uffd: split at the range's edges, merged with
    /// neighbours of equal flags). No VMA in the range: -EINVAL (vma_find). The same runs for every registered VMA when the
    /// userfaultfd is closed (userfaultfd_release -> userfaultfd_release_all).</summary>
    private (string Name, MmapLock Lock, string? Error) UffdUnregister(Call.UffdUnregister m)
    {
        const string name = "uffdio_unregister";
        CheckRange(m.Start, m.End, name);
        var r = new PageRange(m.Start, m.End);
        if (!EventTables.IsKernel(Vocab)) return (name, MmapLock.Write, "ENOSYS (userfaultfd write-protect is not in this vocabulary)");
        var hit = State.Vmas.Where(v => v.Range.Overlaps(r)).ToList();
        if (hit.Count == 0) return (name, MmapLock.Write, "EINVAL (no VMA in the range)");
        foreach (var kr in KernelVmaParts(hit.Where(v => v.UffdWp).ToList(), r))
        {
            SplitStraddling(kr);
            var present = Present(kr).ToList();
            if (present.Count > 0) UffdWpRange(kr, present, wp: false);
        }
        SetUffdWp(r, false);
        return (name, MmapLock.Write, null);
    }

    /// <summary>vma_modify_flags_uffd over [r): each VMA whose VM_UFFD_WP differs from wp gets it over its part of the range,
    /// split at the range's edges (a huge PMD across an edge split first: mm/huge_memory.c vma_adjust_trans_huge); a VMA
    /// that has it already is left whole (userfaultfd_register_range: "Nothing to do").</summary>
    private void SetUffdWp(PageRange r, bool wp)
    {
        var vmas = new List<Vma>();
        var edges = new List<int>(); // vma_modify_flags_uffd tries to merge each changed part with its neighbours
        // planted (MmConfig.PlantUffdRegisterSplitsPieces): split at each piece's edges, as before session 14
        if (!Config.PlantUffdRegisterSplitsPieces) SplitAtKernelVmaEdges(State.Vmas.Where(v => v.Range.Overlaps(r) && v.UffdWp != wp).ToList(), r);
        foreach (var v in State.Vmas)
        {
            if (!v.Range.Overlaps(r) || v.UffdWp == wp) { vmas.Add(v); continue; }
            var part = new PageRange(Math.Max(v.Start, r.Start), Math.Min(v.End, r.End));
            if (Config.PlantUffdRegisterSplitsPieces) SplitStraddling(part);
            if (v.Start < part.Start) vmas.Add(v with { End = part.Start });
            vmas.Add(v with { Start = part.Start, End = part.End, UffdWp = wp });
            if (v.End > part.End) vmas.Add(v with { Start = part.End });
            edges.Add(part.Start); edges.Add(part.End);
        }
        _prims.Add(new Prim.VmaUpdate(AnonVmaRuns(Unseamed(Sorted(vmas), edges))));
    }

    /// <summary>Linux 7.2 mm/userfaultfd.c uffd_wp_range -> change_protection: MMU_NOTIFY_PROTECTION_VMA from the first
    /// populated PMD (change_pmd_range); the VMA keeps its protection. Mode WP (MM_CP_UFFD_WP): every present PTE
    /// write-protected with the uffd-wp bit (mm/mprotect.c change_present_ptes: pte_modify to the private VMA's read-only
    /// vm_page_prot, pte_mkuffd_wp), a swap entry given the bit (change_softleaf_pte). Mode 0 (MM_CP_UFFD_WP_RESOLVE, with
    /// MM_CP_TRY_CHANGE_WRITABLE in a VM_WRITE VMA: vma_wants_manual_pte_write_upgrade): the bit cleared, and a PTE of an
    /// exclusive anonymous page made writable (can_change_pte_writable, CanResolveWritable).</summary>
    private void UffdWpRange(PageRange r, List<int> present, bool wp = true)
    {
        var nr = new PageRange(Math.Max(r.Start, HugeBlock(present[0]).Start), r.End);
        Bracket(CallSite.uffd_wp_range, nr, after =>
        {
            foreach (int p in present)
            {
                var cur = State.Ptes[p]!.Value;
                if (DevicePrivateLosesWrite(p)) { Pte(p, PteOp.SetProt, after, cur.Frame, Prot.Read); continue; }
                if (cur.Exclusive >= 0 || cur.DevicePrivate >= 0) continue;
                if (wp) { if (!cur.UffdWp || cur.Writable) Pte(p, PteOp.UffdWp, after); continue; }
                bool upgrade = CanResolveWritable(p);
                if (cur.UffdWp || upgrade) Pte(p, PteOp.UffdWpResolve, after, cur.Frame, upgrade ? Prot.ReadWrite : Prot.None, cur.Huge);
            }
            _prims.Add(new Prim.TlbFlush(nr));
        });
    }

    /// <summary>mm/mprotect.c can_change_private_pte_writable for uffd_wp_range's MM_CP_TRY_CHANGE_WRITABLE: a private VM_WRITE
    /// VMA, a readable read-only base PTE (its uffd-wp bit being cleared) that needs no soft-dirty write fault, mapping an
    /// exclusive anonymous page (PageAnonExclusive, as in CanChangePteWritable).</summary>
    private bool CanResolveWritable(int page)
    {
        // linux-6.1 mm/userfaultfd.c uffd_wp_range: change_protection(..., MM_CP_UFFD_WP_RESOLVE) without
        // MM_CP_TRY_CHANGE_WRITABLE (linux-6.12 mwriteprotect_range -> uffd_wp_range adds it: vma_wants_manual_pte_write_upgrade),
        // and pte_modify to a private VMA's read-only vm_page_prot: no upgrade
        if (Vocab == Vocabulary.Linux6_1) return false;
        if (State.VmaAt(page) is not { Shared: false, Hugetlb: false, Prot: Prot.ReadWrite }) return false;
        if (State.Ptes[page] is not { Prot: Prot.Read, Huge: false, TrackWp: false, SoftDirty: true, Exclusive: < 0, Swapped: false, DevicePrivate: < 0 } pte) return false;
        return pte.Frame != MmState.ZeroFrame && AnonExclusive(pte.Frame);
    }

    /// <summary>Whether a hugetlb VMA takes its hugetlb call site (Linux 7.2 mm/hugetlb.c) rather than the generic one: a
    /// vocabulary without a row for the hugetlb site (the seed's) uses the generic site's.</summary>
    private bool HugetlbSite(bool hugetlb, CallSite hugetlbSite) => hugetlb && !Absent(hugetlbSite);

    /// <summary>A site the vocabulary's table has no notifier row for: the call is refused (ENOSYS).</summary>
    private bool Absent(CallSite site) => EventTables.Row(Vocab, site).Mechanism == Mechanism.None;

    /// <summary>NUMA balancing's scan window: kernel/sched/fair.c task_numa_work -> change_prot_numa per VMA.</summary>
    private (string Name, MmapLock Lock, string? Error) NumaScan(Call.NumaScan m)
    {
        CheckRange(m.Start, m.End, "change_prot_numa");
        if (Absent(CallSite.change_prot_numa)) return ("change_prot_numa", MmapLock.Read, "ENOSYS (NUMA hinting has no row in this vocabulary)");
        var r = new PageRange(m.Start, m.End);
        // task_numa_work (mmap_read_trylock) skips hugetlb VMAs (is_vm_hugetlb_page), inaccessible ones (vma_is_accessible)
        // and read-only file mappings ((vm_flags & (VM_READ|VM_WRITE)) == VM_READ with a vm_file); for each other VMA
        // change_prot_numa -> change_protection(MM_CP_PROT_NUMA) -> change_pud_range, which starts MMU_NOTIFY_PROTECTION_VMA
        // over [addr, end) at the first non-none PUD (the model's address space is one PUD: when any PTE of the range is present)
        // per kernel VMA (Vma.MergedRun: pieces of one kind are one VMA, whose range change_pmd_range walks whole)
        foreach (var vr in KernelVmaParts(State.Vmas.Where(v => v.Range.Overlaps(r)).ToList(), r))
        {
            var v = State.VmaAt(vr.Start)!;
            if (v.Hugetlb || v.Prot == Prot.None || v.Shared && v.Prot == Prot.Read) continue;
            SplitStraddling(vr);
            var present = Present(vr).ToList();
            if (present.Count == 0) continue;
            ChangeProtNuma(vr, v, present);
        }
        return ("change_prot_numa", MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/mempolicy.c change_prot_numa -> change_protection(MM_CP_PROT_NUMA) over one VMA's part:
    /// MMU_NOTIFY_PROTECTION_VMA, present PTEs become PROT_NONE hinting entries.</summary>
    private void ChangeProtNuma(PageRange vr, Vma v, List<int> present) =>
        Bracket(CallSite.change_prot_numa, vr, after =>
        {
            foreach (int p in present)
            {
                // change_pte_range (prot_numa): already PROT_NONE is skipped; folio_can_map_prot_numa skips the zero page
                // (no folio), KSM and shared copy-on-write folios (folio_maybe_mapped_shared in a COW mapping); device-
                // exclusive entries are not present PTEs. The model's one node is never the folio's (no nid skip).
                var cur = State.Ptes[p]!.Value;
                if (DevicePrivateLosesWrite(p)) { Pte(p, PteOp.SetProt, after, cur.Frame, Prot.Read); continue; }
                if (cur.Prot == Prot.None || cur.Exclusive >= 0 || cur.DevicePrivate >= 0 || cur.Frame == MmState.ZeroFrame) continue;
                if (v.Mergeable && State.Frames[cur.Frame].RefCount > 1 || v.IsCow && State.Frames[cur.Frame].MapCount > 1) continue;
                Pte(p, PteOp.SetProt, after, cur.Frame, Prot.None, cur.Huge);
            }
            _prims.Add(new Prim.TlbFlush(vr));
        });

    /// <summary>ioctl PAGEMAP_SCAN with PM_SCAN_WP_MATCHING (fs/proc/task_mmu.c do_pagemap_scan).</summary>
    private (string Name, MmapLock Lock, string? Error) PagemapScanWp(Call.PagemapScanWp m)
    {
        CheckRange(m.Start, m.End, "pagemap_scan_wp");
        if (Absent(CallSite.do_pagemap_scan)) return ("pagemap_scan_wp", MmapLock.Read, "ENOSYS (PAGEMAP_SCAN has no row in this vocabulary)");
        var r = new PageRange(m.Start, m.End);
        // do_pagemap_scan: mmap_read_lock_killable, then MMU_NOTIFY_PROTECTION_VMA over [walk_start, end) whatever is mapped,
        // walk_page_range: make_uffd_wp_pte (pte_mkuffd_wp = pte_wrprotect on x86). The model takes every VMA as registered
        // for asynchronous userfaultfd write-protect (pagemap_scan_test_walk: userfaultfd_wp_async). A THP the range covers
        // partly is split by pagemap_scan_thp_entry (split_huge_pmd inside the bracket); the model splits it just before.
        SplitStraddling(r);
        DoPagemapScan(r, Present(r).ToList());
        return ("pagemap_scan_wp", MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 fs/proc/task_mmu.c do_pagemap_scan: MMU_NOTIFY_PROTECTION_VMA over the range whatever is mapped,
    /// the writable PTEs write-protected (make_uffd_wp_pte).</summary>
    private void DoPagemapScan(PageRange r, List<int> present) =>
        Bracket(CallSite.do_pagemap_scan, r, after =>
        {
            foreach (int p in present)
                if (State.Ptes[p] is { Writable: true }) Pte(p, PteOp.WriteProtect, after);
            _prims.Add(new Prim.TlbFlush(r));
        });

    /// <summary>Linux 7.2 mm/userfaultfd.c move_pages (ioctl UFFDIO_MOVE) of [Src, Src + Len) to [Dst, Dst + Len): step by
    /// step, a whole PMD-mapped THP by move_pages_huge_pmd (mm/huge_memory.c), anything else page by page by
    /// move_pages_ptes (a THP in the way split first). Like the kernel, an error after some pages moved is not reported
    /// (move_pages returns the bytes moved); the steps done stay done. The ranges may overlap: neither linux-7.2
    /// mm/userfaultfd.c userfaultfd_move / move_pages nor linux-6.12 fs/userfaultfd.c userfaultfd_move / mm/userfaultfd.c
    /// move_pages checks it, and move_pages walks from the lowest page up, each step reading the page tables the steps
    /// before it left: a destination above the source carries a page on (it is the next step's source), a page still
    /// mapped in the destination's way stops the move there (-EEXIST), and a destination below the source moves the
    /// pages down as memmove does. Each step is planned on the page tables as the steps before it left them.</summary>
    private (string Name, MmapLock Lock, string? Error) UffdMove(Call.UffdMove m)
    {
        const string name = "uffdio_move";
        if (m.Len < 1) throw new ModelException($"{name}: len {m.Len} must be at least 1", badInput: true);
        CheckRange(m.Src, m.Src + m.Len, name); CheckRange(m.Dst, m.Dst + m.Len, name);
        if (Absent(CallSite.move_pages_ptes)) return (name, MmapLock.Read, "ENOSYS (UFFDIO_MOVE has no row in this vocabulary)");
        // userfaultfd_move -> validate_range (no overlap check), then move_pages:
        if (Config.PlantUffdMoveRefusesOverlap && m.Src < m.Dst + m.Len && m.Dst < m.Src + m.Len)
            return (name, MmapLock.Read, "EINVAL (source and destination overlap)");   // planted: the reference of session 11
        // uffd_move_lock (per-VMA locks, or mmap_read_lock), then move_pages: both ranges inside one VMA each (EINVAL), and
        // validate_move_areas: same access flags, same VM_LOCKED, writable, anonymous (private, not hugetlb: vma_move_compatible)
        // uffd_move_lock -> uffd_lock_vma (or find_vmas_mm_locked -> find_vma_and_prepare_anon under mmap_read_lock): the
        // destination VMA first (-ENOENT), which a private one gets its anon_vma (anon_vma_prepare) before any other check,
        // then the source VMA (-ENOENT). The anon_vma stays when the move is refused after it (RefusalVmas)
        if (State.VmaAt(m.Dst) is not { } dv) return (name, MmapLock.Read, "ENOENT (no VMA)");
        if (dv is { Shared: false, AnonVma: false })
        {
            var prepared = PrepareAnonVma(State.Vmas, dv, Config.PlantOneAnonVma);
            _prims.Add(new Prim.VmaUpdate(prepared));
            if (!Config.PlantUffdMoveRefusalForgetsAnonVma) RefusalVmas = prepared;
        }
        if (State.VmaAt(m.Src) is not { } sv) return (name, MmapLock.Read, "ENOENT (no VMA)");
        // src_start + len > src_vma->vm_end, dst_start + len > dst_vma->vm_end: the kernel's VMA, the run of adjacent pieces of
        // one kind (Vma.MergedRun), e.g. two UFFDIO_REGISTERs side by side
        if (m.Src + m.Len > Vma.MergedRun(State.Vmas, sv).End || m.Dst + m.Len > Vma.MergedRun(State.Vmas, dv).End)
            return (name, MmapLock.Read, "EINVAL (a range leaves its VMA)");
        if (sv.Prot != dv.Prot || sv.Mlocked != dv.Mlocked || sv.Prot != Prot.ReadWrite || sv.Shared || dv.Shared || sv.Hugetlb || dv.Hugetlb)
            return (name, MmapLock.Read, "EINVAL (both VMAs must be private anonymous, writable, with equal flags)");
        // validate_move_areas: "Ensure dst_vma is registered in uffd we are operating on" (dst_vma->vm_userfaultfd_ctx.ctx is
        // this ctx; linux-6.12 alike); the source VMA's registration is not checked. The model's one userfaultfd: UffdWp
        if (!dv.UffdWp && !Config.PlantUffdMoveUnregisteredDst)
            return (name, MmapLock.Read, "EINVAL (the destination VMA is not registered with this userfaultfd)");
        int h = Config.HugePageSize, moved = 0;
        var split = new HashSet<int>();   // huge blocks split by this call
        var tables = new HashSet<int>();  // huge blocks whose PTE tables this call's steps used
        string? error = null;
        var ptesBefore = State.Ptes;
        _stepped = _prims.Count;
        while (moved < m.Len)
        {
            // the steps planned so far, on the planner's page tables (restored below: the machine runs the steps)
            StepPtes();
            int src = m.Src + moved, dst = m.Dst + moved;
            var sb = HugeBlock(src);
            // move_pages: pmd_trans_huge_lock(src_pmd) holds a THP; it is moved whole unless move_splits_huge_pmd (src or
            // dst not PMD-aligned, or less than HPAGE_PMD_SIZE left) or the destination PMD is not none
            if (!split.Contains(sb.Start) && WholeHuge(sb) && src % h == 0 && dst % h == 0 && m.Len - moved >= h
                && Enumerable.Range(dst, h).All(q => State.Ptes[q] is null) && !State.HasPteTable(dst))
            {
                error = MovePagesHugePmd(src, dst);
                if (error is not null) break;
                moved += h;
                continue;
            }
            error = MovePagesPtes(src, dst, m.Len - moved, split, tables);
            if (error is not null) break;
            moved++;
        }
        State = State with { Ptes = ptesBefore };
        return (name, MmapLock.Read, moved > 0 ? null : error);
    }

    private int _stepped;

    /// <summary>The VMAs a call leaves even when it is refused (Machine.Submit keeps them, with no step line): UFFDIO_MOVE's
    /// destination anon_vma, prepared before any check (linux-7.2 mm/userfaultfd.c uffd_lock_vma /
    /// find_vma_and_prepare_anon); null when nothing is left.</summary>
    public ImmutableArray<Vma>? RefusalVmas { get; private set; }

    /// <summary>A refusal whose vma_update steps run with its other steps (Machine.Submit): a multi-VMA mremap that fails part
    /// way through, its earlier moves done (MoveVma).</summary>
    public bool RefusalKeepsVmaSteps { get; private set; }

    /// <summary>Brings the planner's PTEs up to the PTE changes planned since the last call (a move's clear, map and split),
    /// so that the next step of an overlapping move reads what the steps before it left; frame counts are left, as a
    /// whole move step maps its frame once again. The caller restores the PTEs once the call is planned.</summary>
    private void StepPtes()
    {
        var ptes = State.Ptes;
        foreach (var pu in _prims.Skip(_stepped).OfType<Prim.PteUpdate>())
            ptes = ptes.SetItem(pu.Page, pu.Op switch
            {
                PteOp.Clear => null,
                PteOp.Map => new Pte(pu.Frame, pu.Prot, Dirty: pu.Prot == Prot.ReadWrite, Young: true, SoftDirty: true, Huge: pu.Huge),
                PteOp.MoveSwapEntry => new Pte(pu.Frame, pu.Prot, SoftDirty: true, Swapped: true, UffdWp: pu.UffdWp),
                PteOp.Split => ptes[pu.Page] is { } x ? x with { Huge = false } : null,
                _ => throw new InvalidOperationException($"uffdio_move planned {pu.Op}"),
            });
        _stepped = _prims.Count;
        State = State with { Ptes = ptes };
    }

    /// <summary>Linux 7.2 mm/huge_memory.c move_pages_huge_pmd (6.12 and 7.3 alike): an anon-exclusive THP (or the huge zero
    /// folio) moved whole from the PMD at src to the empty PMD at dst, under MMU_NOTIFY_CLEAR over the source's
    /// HPAGE_PMD_SIZE range.</summary>
    private string? MovePagesHugePmd(int src, int dst)
    {
        int h = Config.HugePageSize;
        var first = State.Ptes[src]!.Value;
        bool zero = first.Frame == MmState.ZeroFrame;
        // PageAnonExclusive of the head page, checked before and again under the PTLs (EBUSY); the model's THP frames carry
        // the bit each, set and cleared together while the PMD maps them
        if (!zero && Enumerable.Range(src, h).Any(q => !AnonExclusive(State.Ptes[q]!.Value.Frame)))
            return "EBUSY (page not exclusive to this mapping)";
        var block = new PageRange(src, src + h);
        var olds = Enumerable.Range(src, h).Select(q => State.Ptes[q]!.Value).ToList();
        // flush_cache_range, mmu_notifier_range_init(MMU_NOTIFY_CLEAR, src_addr, src_addr + HPAGE_PMD_SIZE); under both PTLs
        // pmdp_huge_clear_flush(src) (clear and TLB flush), set_pmd_at(dst, folio_mk_pmd + pmd_mkdirty + pmd_mkwrite), the
        // huge zero PMD moves as it was (move_soft_dirty_pmd: read-only); then invalidate_range_end
        void Body(bool after)
        {
            for (int i = 0; i < h; i++) Pte(src + i, PteOp.Clear, after);
            _prims.Add(new Prim.TlbFlush(block));
            for (int i = 0; i < h; i++) Pte(dst + i, PteOp.Map, false, olds[i].Frame, zero ? Prot.Read : Prot.ReadWrite, huge: true);
        }
        if (Config.Has(Mutant.MoveHugePmdNoNotify)) Body(false);   // planted bug: the PMD moves without a notification
        else Bracket(CallSite.move_pages_huge_pmd, block, Body);
        return null;
    }

    /// <summary>Linux 7.2 mm/userfaultfd.c move_pages_ptes -> move_present_ptes, one page; the bracket covers the rest of the
    /// move, [srcPage, srcPage + rest) (move_pages passes src_end - src_addr; linux-6.18 alike; linux-6.12 move_pages_pte: one page). 7.2's move_present_ptes may move further
    /// PTEs of the same PMD inside that one bracket (check_ptes_for_batched_move); the model takes one page per step, each
    /// in its own bracket. The checks come in the kernel's order: move_pages refuses before any bracket (a THP destination
    /// PMD: -EEXIST; a THP source not PageAnonExclusive: -EBUSY; a source without a page table: -ENOENT) and splits a THP
    /// source (split_huge_pmd); move_pages_ptes opens its bracket and then checks the PTEs, so a step it refuses there
    /// (-EEXIST, -ENOENT, -EFAULT, -EBUSY, -EAGAIN) has a bracket with no PTE change. `tables`: the huge blocks (PMDs) of
    /// this call's earlier steps, whose page tables the kernel has (pte_alloc of the destination, the source's).</summary>
    private string? MovePagesPtes(int srcPage, int dstPage, int rest, HashSet<int> split, HashSet<int> tables)
    {
        // move_pages: if (pmd_trans_huge(dst_pmdval)) -EEXIST, before any bracket or split
        if (State.Ptes[dstPage] is { Huge: true }) return "EEXIST (destination is mapped)";
        var sb = HugeBlock(srcPage);
        bool thpSource = !split.Contains(sb.Start) && Enumerable.Range(sb.Start, sb.Length).Any(q => State.Ptes[q] is { Huge: true });
        if (thpSource)
        {
            // move_pages: pmd_trans_huge_lock(src_pmd) holds a THP not moved whole (move_splits_huge_pmd, or the destination
            // PMD not none): a present PMD's folio must be the huge zero folio or PageAnonExclusive (-EBUSY), then
            // split_huge_pmd and `continue`: move_pages_ptes then takes the step from the PTEs (and refuses it there too)
            if (State.Ptes[srcPage] is { Frame: not MmState.ZeroFrame }
                && Enumerable.Range(sb.Start, sb.Length).Any(q => State.Ptes[q] is { } x && !AnonExclusive(x.Frame)))
                return "EBUSY (page not exclusive to this mapping)";
            if (!Config.PlantUffdMoveRefusalKeepsPmd || RefusedInBracket(srcPage, dstPage) is null) { SplitHugePage(sb); split.Add(sb.Start); }
        }
        // move_pages: pmd_none(*src_pmd) (or mm_find_pmd finds none): -ENOENT before any bracket. The block's PTE table
        // decides (MmState.PteTables, kernel vocabularies: a table emptied by an earlier call or step stays until free_pgtables
        // or PT_RECLAIM frees it; a THP source split above has one). The seed's vocabularies keep the reference's earlier
        // guess: a table where a page of the block has a base PTE, a swap or migration entry, or an earlier step of this call
        // had it.
        bool table = thpSource || tables.Contains(sb.Start) || (Config.ModelsPteTables ? State.HasPteTable(srcPage)
            : Enumerable.Range(sb.Start, sb.Length).Any(q => State.Ptes[q] is { Huge: false } || State.Migrating.ContainsKey(q)));
        if (!table) return "ENOENT (source not mapped)";
        tables.Add(sb.Start); tables.Add(HugeBlock(dstPage).Start);
        // move_pages: pte_alloc(mm, dst_pmd) before move_pages_ptes, whatever that then refuses (linux-7.2 mm/userfaultfd.c)
        if (Config.ModelsPteTables) State = State with { PteTables = State.PteTables.Add(HugeBlock(dstPage).Start) };
        // MMU_NOTIFY_CLEAR over [src_addr, src_addr + len) (linux-7.2 move_pages_ptes; linux-6.18 has it: commit 50944692052b,
        // v6.18, the catalogue's linux-6.18 row); linux-6.12 move_pages_pte brackets one page, [src_addr, src_addr + PAGE_SIZE)
        if (Vocab is Vocabulary.Linux6_12) rest = 1;
        var bracket = new PageRange(srcPage, srcPage + rest);
        if (RefusedInBracket(srcPage, dstPage) is { } refusal)
        {
            // the step refused inside the bracket: mmu_notifier_invalidate_range_start, the check, `goto out`,
            // mmu_notifier_invalidate_range_end with no PTE changed and no TLB flush
            if (!Config.PlantUffdMoveRefusesUnbracketed) Bracket(CallSite.move_pages_ptes, bracket, _ => { });
            return refusal;
        }
        var src = State.Ptes[srcPage]!.Value;
        // a THP whose PMD holds the destination is split first
        foreach (var b in new[] { HugeBlock(srcPage), HugeBlock(dstPage) }.Distinct())
            if (!split.Contains(b.Start) && Enumerable.Range(b.Start, b.Length).Any(q => State.Ptes[q] is { Huge: true })) { SplitHugePage(b); split.Add(b.Start); }
        var one = new PageRange(srcPage, srcPage + 1);
        if (src.Swapped)
        {
            // move_swap_pte: the swap cache's folio (the model's frame) gets the destination's anon rmap and index
            // (folio_move_anon_rmap); ptep_get_and_clear of the source, pte_swp_mksoft_dirty, set_pte_at(dst) of the same entry,
            // so its uffd-wp bit (pte_swp_uffd_wp) and pte_swp_exclusive stay; no TLB flush (the entry is not present)
            Bracket(CallSite.move_pages_ptes, bracket, after =>
            {
                Pte(srcPage, PteOp.Clear, after);
                Pte(dstPage, PteOp.MoveSwapEntry, false, src.Frame, src.Prot, uffdWp: src.UffdWp && !Config.PlantUffdMoveSwapDropsUffdWp);
            });
            return null;
        }
        // ptep_get_and_clear, set_pte_at(dst, folio_mk_pte + soft-dirty + mkwrite), then flush_tlb_range of the source
        // (move_zeropage_pte maps the zero page read-only at dst)
        Bracket(CallSite.move_pages_ptes, bracket, after =>
        {
            Pte(srcPage, PteOp.Clear, after);
            Pte(dstPage, PteOp.Map, false, src.Frame, src.Frame == MmState.ZeroFrame ? Prot.Read : Prot.ReadWrite);
            _prims.Add(new Prim.TlbFlush(one));
        });
        return null;
    }

    /// <summary>The refusal of linux-7.2 mm/userfaultfd.c move_pages_ptes (linux-6.12 move_pages_pte) after its bracket opened,
    /// or null: the destination PTE not none (-EEXIST), the source PTE none (-ENOENT without UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES),
    /// a migration entry (migration_entry_wait, -EAGAIN; the kernel's move_pages retries, the model refuses), a non-present
    /// entry neither swap nor migration, as a device-exclusive or device-private entry (-EFAULT), a swap entry not
    /// pte_swp_exclusive (-EBUSY), a folio not PageAnonExclusive (-EBUSY); both Frame.AnonExclusive.</summary>
    private string? RefusedInBracket(int srcPage, int dstPage)
    {
        if (State.Ptes[dstPage] is not null) return "EEXIST (destination is mapped)";
        if (State.Migrating.ContainsKey(srcPage)) return "EAGAIN (migration entry)";
        if (State.Ptes[srcPage] is not { } src) return "ENOENT (source not mapped)";
        if (src.Exclusive >= 0) return "EFAULT (device-exclusive entry)";
        if (src.DevicePrivate >= 0) return "EFAULT (device-private entry: neither present nor swap)";
        // a swap entry: !pte_swp_exclusive -> -EBUSY (linux-7.2 mm/userfaultfd.c move_pages_ptes; try_to_unmap_one set it for
        // a PageAnonExclusive page, fork's copy_nonpresent_pte clears it in the parent; the swap cache's Frame.AnonExclusive)
        // (planted, PlantUffdMoveRefusesSwapEntry: the frame mapped by no PTE taken as a page not exclusive)
        if (src.Swapped)
            return Config.PlantUffdMoveRefusesSwapEntry ? "EBUSY (page not exclusive to this mapping)"
                : !AnonExclusive(src.Frame) ? "EBUSY (swap entry not exclusive: pte_swp_exclusive)" : null;
        if (src.Frame != MmState.ZeroFrame && !AnonExclusive(src.Frame)) return "EBUSY (page not exclusive to this mapping)";
        return null;
    }

    /// <summary>PageAnonExclusive of frame (Frame.AnonExclusive; behind a swap entry, pte_swp_exclusive). Planted
    /// (MmConfig.PlantAnonExclusiveFromCounts): inferred from the counts, mapped once and held once (behind a swap entry: held
    /// once), as the reference did before session 15.</summary>
    private bool AnonExclusive(int frame) => Config.PlantAnonExclusiveFromCounts
        ? State.Frames[frame] is { RefCount: 1 } f && (f.MapCount == 1 || State.Ptes.Any(x => x is { Swapped: true } y && y.Frame == frame))
        : State.Frames[frame].AnonExclusive;

    /// <summary>Linux 7.2 mm/mapping_dirty_helpers.c wp_shared_mapping_range -> walk_page_mapping (wp_clean_pre_vma, wp_pte,
    /// wp_clean_post_vma), for each shared VMA of the range.</summary>
    private (string Name, MmapLock Lock, string? Error) WpSharedMapping(Call.WpSharedMapping m)
    {
        CheckRange(m.Start, m.End, "wp_shared_mapping_range");
        const string name = "wp_shared_mapping_range";
        if (Absent(CallSite.wp_clean_pre_vma)) return (name, MmapLock.None, "ENOSYS (mapping_dirty_helpers has no row in this vocabulary)");
        var r = new PageRange(m.Start, m.End);
        // i_mmap_lock_read, no mmap_lock; per VMA: wp_clean_pre_vma starts MMU_NOTIFY_PROTECTION_PAGE over the VMA's part,
        // wp_pte write-protects each writable PTE (wp_clean_pmd_entry skips huge PMDs), wp_clean_post_vma flushes and ends
        foreach (var v in State.Vmas.Where(v => v.Shared && v.Range.Overlaps(r)).ToList())
            WpCleanPreVma(new PageRange(Math.Max(v.Start, r.Start), Math.Min(v.End, r.End)));
        return (name, MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/mapping_dirty_helpers.c wp_clean_pre_vma (start), wp_pte, wp_clean_post_vma (flush, end) over one
    /// shared VMA's part: MMU_NOTIFY_PROTECTION_PAGE, the writable base PTEs write-protected.</summary>
    private void WpCleanPreVma(PageRange vr) =>
        Bracket(CallSite.wp_clean_pre_vma, vr, after =>
        {
            foreach (int p in Present(vr))
                if (State.Ptes[p] is { Writable: true, Huge: false }) Pte(p, PteOp.WriteProtect, after);
            _prims.Add(new Prim.TlbFlush(vr));
        });

    /// <summary>Linux 7.2 mm/rmap.c folio_referenced (page_referenced in v7) -> clear_flush_young / test_young.</summary>
    private (string Name, MmapLock Lock, string? Error) PageReferenced(Call call)
    {
        int page = call is Call.PageReferenced pr ? pr.Page : ((Call.TestYoung)call).Page;
        CheckPage(page, call.Name);
        _prims.Add(new Prim.Young(page, call is Call.PageReferenced));
        return (call.Name, MmapLock.None, null);
    }

    /// <summary>Linux 7.2 mm/mmap.c exit_mmap.</summary>
    private (string Name, MmapLock Lock, string? Error) Exit()
    {
        // exit_mmap: mmu_notifier_release first, then unmap_vmas over everything, then free the VMAs
        MmuNotifierRelease();
        UnmapVmas(new PageRange(0, Config.Pages));
        _prims.Add(new Prim.VmaUpdate([]));
        _prims.Add(new Prim.Exit());
        // free_pgtables over every VMA (linux-7.2 mm/mmap.c exit_mmap: FIRST_USER_ADDRESS to USER_PGTABLES_CEILING)
        State = State with { PteTables = [] };
        return ("exit_mmap", MmapLock.Write, null);
    }

    /// <summary>Linux 7.2 mm/oom_kill.c __oom_reap_task_mm.</summary>
    private (string Name, MmapLock Lock, string? Error) OomReap()
    {
        // __oom_reap_task_mm: from the top of the address space down (mas_for_each_rev), every VMA but VM_HUGETLB|VM_PFNMAP
        // that is anonymous or private (vma_is_anonymous || !VM_SHARED; mlocked ones too) gets zap_vma_for_reaping: a
        // non-blockable start over the VMA; a refusal skips the VMA
        foreach (var v in State.Vmas.Where(v => !v.Shared && !v.Hugetlb).Reverse().ToList())
            OomReapTaskMm(v.Range);
        return ("oom_reap", MmapLock.Read, null);
    }

    /// <summary>Linux 7.2 mm/mmu_notifier.c __mmu_notifier_release (exit_mmap's mmu_notifier_release): not a bracket, every
    /// listener's release callback.</summary>
    private void MmuNotifierRelease() => _prims.Add(new Prim.Release());

    /// <summary>mlock_fixup's VMA part: the range must be mapped (else ENOMEM); its VMAs get VM_LOCKED set or cleared.</summary>
    private string? SetMlocked(PageRange r, bool locked)
    {
        if (!Covered(r)) return "ENOMEM (range not fully mapped)";
        // mlock_fixup -> vma_modify_flags of each VMA whose VM_LOCKED changes, merged with its neighbours where it can
        // (linux-7.2 mm/mlock.c), its split splitting a straddling huge PMD (SplitAtKernelVmaEdges; planted away:
        // MmConfig.PlantMlockKeepsStraddlingPmd)
        var changing = State.Vmas.Where(v => v.Range.Overlaps(r) && v.Mlocked != locked).ToList();
        if (!Config.PlantMlockKeepsStraddlingPmd) SplitAtKernelVmaEdges(changing, r);
        var edges = changing.SelectMany(v => new[] { Math.Max(v.Start, r.Start), Math.Min(v.End, r.End) });
        _prims.Add(new Prim.VmaUpdate(Unseamed(Sorted(SetFlag(r, v => v with { Mlocked = locked })), edges)));
        return null;
    }

    private IEnumerable<Vma> SetFlag(PageRange r, Func<Vma, Vma> f)
    {
        foreach (var v in State.Vmas)
        {
            if (!v.Range.Overlaps(r)) { yield return v; continue; }
            if (v.Start < r.Start) yield return v with { End = r.Start };
            yield return f(v with { Start = Math.Max(v.Start, r.Start), End = Math.Min(v.End, r.End) });
            if (v.End > r.End) yield return v with { Start = r.End };
        }
    }

}
