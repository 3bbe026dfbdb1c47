------------------------- MODULE TraceNotifierSpec -------------------------
(***************************************************************************)
(* Trace validation of the reference (reference/, docs/trace-format.md)   *)
(* against NotifierSpec, after CCF's tla/consensus/Traceccfraft.tla: the  *)
(* trace is read with Json!ndJsonDeserialize, a line counter l says how   *)
(* many lines a behaviour has matched, and every line kind has one action *)
(* Is<op> that takes the line's step in the spec, constrained by the       *)
(* line's fields.  The trace is accepted iff some behaviour of TraceSpec  *)
(* matches every line (TraceAccepted); otherwise the first unmatched line *)
(* is 1 + the largest l any reachable state has.                          *)
(*                                                                         *)
(* Which spec action each line takes (tla/README.md lists the choices):   *)
(*  - the notifier protocol and the device side are the spec's own actions*)
(*    (invalidate, invalidate_range_end, mmu_interval_read_begin,         *)
(*    hmm_range_fault, device_lock, mmu_interval_read_retry, device_unlock,*)
(*    mmu_interval_notifier_insert, device_read, device_write);            *)
(*  - invalidate_range_start reuses the spec's NewOp (call site -> event,  *)
(*    mechanism, listeners to call) and BeginOp's seq update, with the     *)
(*    range and call site the line gives (BeginOp's Applicable and its     *)
(*    MaxOps/Ranges enumeration are the model's finiteness, not the mm's); *)
(*  - the CPU page table, VMAs, frames and contents are the reference's    *)
(*    (environment steps set them from pte_update, vma_update, free_frame, *)
(*    copy_page, cpu_write lines), constrained by what the spec allows: a  *)
(*    PTE change that must be notified (NeedsNotify) happens only inside a *)
(*    started invalidation covering the page (RangeCoversChange) and only  *)
(*    as the event allows (Allowed, TruthfulEvent); "old" must equal the   *)
(*    spec's PTE; a freed frame is mapped by no PTE; reads return the      *)
(*    spec's data.  The spec's SitePte effects are not imposed: the        *)
(*    reference models zero pages, huge pages, migration entries, mremap   *)
(*    of ranges, which the spec abstracts.                                 *)
(*  - three restated steps where the reference does in one step what the   *)
(*    spec does in two or per page: a read_retry that says retry also      *)
(*    unlocks (hmm.rst: "mutex_unlock; goto again"), a fault installs its  *)
(*    whole chunk (dmirror's fault_chunk), a hardware TLB fill walks       *)
(*    several pages.                                                       *)
(*                                                                         *)
(* Mapping: reference page x is spec page x + 1, frame x is spec frame     *)
(* x + 1 (the reference's zero page, frame 0, is spec frame 1; spec frame  *)
(* 0 means "none"), prot none/r/rw is acc 0/1/2, mirror i (1-based in the  *)
(* config line) is device i.  Allocation: the spec's NewFrame (MinOf(free))*)
(* is not used; the reference's LIFO choice is read from its lines.        *)
(***************************************************************************)
EXTENDS NotifierSpec, Sequences, Json, IOUtils

\* The trace file: IOEnv.NOTIFIER_TRACE (`notifier validate` sets it; with TLC:
\* NOTIFIER_TRACE=trace.jsonl java ... tlc2.TLC TraceNotifierSpec).
TraceFile == IOEnv.NOTIFIER_TRACE
TraceLog == ndJsonDeserialize(TraceFile)
Cfg == TraceLog[1]

(***************************************************************************)
(* Constants from the config line (substituted in TraceNotifierSpec.cfg). *)
(***************************************************************************)
P(x) == x + 1          \* reference page -> spec page
Fr(x) == x + 1         \* reference frame -> spec frame
AccOf(s) == CASE s = "none" -> 0 [] s = "r" -> 1 [] s = "rw" -> 2
Has(r, f) == DOMAIN r # {} /\ f \in DOMAIN r   \* {} (an empty object) is <<>>: its domain is 1..0

TracePages == {P(x) : x \in 0..(Cfg.pages - 1)}
TraceFrames == {Fr(x) : x \in 0..(Cfg.frames - 1)}
TraceDevices == 1..Len(Cfg.mirrors)
TraceHwDevices == {d \in TraceDevices : Cfg.mirrors[d].kind = "secondary_tlb"}
TraceMmDevices == {d \in TraceDevices : Cfg.mirrors[d].kind = "mm"}
TracePageOnlyDevices == {d \in TraceDevices : Cfg.mirrors[d].kind = "invalidate_page"}
\* two-pass interval notifiers: a policy with "at": "finish" (invalidate_start / invalidate_finish)
TraceTwoPassDevices == {d \in TraceDevices : Cfg.mirrors[d].kind = "interval" /\ Cfg.mirrors[d].policy.at = "finish"}
TraceValues == {0} \cup {TraceLog[i].value : i \in {j \in 1..Len(TraceLog) : Has(TraceLog[j], "value")}}
TraceMaxOps == Cardinality({i \in 2..Len(TraceLog) : TraceLog[i].op \in
                               {"invalidate_range_start", "invalidate_range_start_nonblock"}})
TraceBugs == (IF \E d \in TraceDevices : Cfg.mirrors[d].skip_read_retry THEN {"no_read_retry"} ELSE {})
             \cup (IF \E d \in TraceDevices : Cfg.mirrors[d].read_retry_outside_lock
                   THEN {"retry_outside_lock"} ELSE {})
\* A listener policy of the config line as the spec's [event -> reaction]; a
\* listener that tears down at end is the spec's "unmap-at-end".
TracePolicy == [d \in TraceDevices |-> [e \in AllEvents |->
                  LET pol == Cfg.mirrors[d].policy IN
                  IF pol.at = "end" THEN "unmap-at-end"
                  ELSE IF Has(pol.reactions, e) THEN pol.reactions[e] ELSE pol.default]]
TraceEmpty == {}
TraceProts == 0..2
\* device-exclusive entries are upstream only (NotifierSpec's ASSUME)
TraceSites == IF Cfg.vocabulary \in UpstreamFamily THEN Sites ELSE Sites \ ExclusiveSites
TraceVocabulary == Cfg.vocabulary
\* mremap breaks the KSM pages it moves (config field mremap_break_ksm; reference/Config.cs
\* MmConfig.MremapBreakKsm): NotifierSpec's MremapBreakKsm
TraceMremapBreakKsm == Has(Cfg, "mremap_break_ksm") /\ Cfg.mremap_break_ksm
\* a write fault copies a KSM page mapped once (config field ksm_write_copies; reference/Config.cs
\* MmConfig.KsmWriteCopies): NotifierSpec's KsmWriteCopies
TraceKsmWriteCopies == Has(Cfg, "ksm_write_copies") /\ Cfg.ksm_write_copies
\* MADV_FREE over part of a PTE-mapped large folio splits it too (config field pte_folio_split;
\* reference/Config.cs MmConfig.PteFolioSplit): the split_folio brackets may be per VMA (FolioRange)
TracePteFolioSplit == Has(Cfg, "pte_folio_split") /\ Cfg.pte_folio_split
\* MADV_FREE's folio split runs nested in madvise_free_single_vma's bracket (config field
\* nested_folio_split; reference/Config.cs MmConfig.NestedFolioSplit): NestedStart.  Without
\* the field a split comes before that bracket, as the reference wrote traces before.
TraceNestedFolioSplit == Has(Cfg, "nested_folio_split") /\ Cfg.nested_folio_split
\* a second thread for the folio split MADV_FREE runs nested in its bracket (NestedStart)
TraceThreads == IF TraceNestedFolioSplit THEN {1, 2} ELSE {1}

DevOf(name) == CHOOSE d \in TraceDevices : Cfg.mirrors[d].name = name
PteOf(r, f) == IF Has(r, f) THEN [f |-> Fr(r[f].frame), acc |-> AccOf(r[f].prot), sd |-> r[f].soft_dirty]
               ELSE NonePte
RangeOf(r) == {P(x) : x \in r.start..(r.end - 1)}
PagesOf(s) == {P(s[i]) : i \in DOMAIN s}
\* The CPU thread whose invalidation the next line belongs to: the reference runs one mm
\* operation at a time, on thread 1; a bracket nested in it (NestedStart) runs on thread 2
\* until its end, the core mm's nested start/end regions in one thread (linux-7.2
\* mm/mmu_notifier.c, the comment above mn_itree_is_invalidating), which the spec's threads
\* model as its concurrent ones (active counts both).
T == IF 2 \in TraceThreads /\ thr[2].ph # "idle" THEN 2 ELSE 1

(***************************************************************************)
(* Trace state: the line counter and what the lines so far tell about the  *)
(* operation in flight (the spec keeps these in its abstract phases).      *)
(***************************************************************************)
VARIABLES
    l,      \* the next line to match
    tcall,  \* the CPU call in flight (its call line's op and fields)
    tdev,   \* [Devices -> [p, w]]: the page and access of each device's access
    tsnap,  \* [Devices -> [Pages -> DevPte]]: the snapshot of the fault chunk's other pages
    tmm     \* [start: the PTEs when the running invalidation started, shared: pages of shared VMAs,
            \*  hugetlb: pages of hugetlb VMAs, edges: the pages where a VMA starts or ends,
            \*  call: the PTEs at the last CPU call line]

traceVars == <<l, tcall, tdev, tsnap, tmm>>

L == TraceLog[l]
IsOp(op) == l <= Len(TraceLog) /\ L.kind = "step" /\ L.op = op
IsCall(op) == l <= Len(TraceLog) /\ L.kind = "call" /\ L.op = op
Step == l' = l + 1

TraceInit ==
    /\ Init
    /\ l = 2          \* line 1 is the config line
    /\ tcall = [op |-> "none"]
    /\ tdev = [d \in Devices |-> [p |-> 0, w |-> FALSE]]
    /\ tsnap = [d \in Devices |-> [p \in Pages |-> DevNone]]
    /\ tmm = [start |-> pte, shared |-> {}, hugetlb |-> {}, edges |-> {}, call |-> pte]

Snap(p) == [f |-> pte[p].f, acc |-> IF pte[p].sd THEN pte[p].acc ELSE Min(pte[p].acc, 1), gone |-> FALSE]

(***************************************************************************)
(* Calls.  A CPU call line names the call site of the invalidations that  *)
(* follow; a refused call (with "result") does nothing.  Device accesses   *)
(* start with their step lines.                                            *)
(***************************************************************************)
IsCpuCall ==
    /\ l <= Len(TraceLog) /\ L.kind = "call" /\ L.actor = "cpu"
    /\ thr[T].ph = "idle"
    \* (a refused UFFDIO_MOVE may still split a THP source and bracket the step it refuses:
    \* its call line stays the call in flight, TraceMoveStepRefused; so does a UFFDIO_WRITEPROTECT
    \* that fails with -ENOENT at a VMA not registered after protecting the ones before it:
    \* Linux 7.2 mm/userfaultfd.c mwriteprotect_range, for_each_vma_range; and an mremap over several
    \* VMAs stopped part way through, whose call line with the result is followed by the moves of the
    \* VMAs before the one refused: linux-7.2 mm/mremap.c remap_move; and an mprotect that fails with
    \* -ENOMEM at a hole after changing the VMAs before it: mm/mprotect.c do_mprotect_pkey, and mlock /
    \* munlock the same: mm/mlock.c apply_vma_lock_flags)
    /\ tcall' = IF /\ Has(L, "result") /\ L.op \notin {"uffdio_move", "uffdio_writeprotect"}
                  /\ ~(L.op \in {"mremap", "mprotect", "mlock", "munlock"} /\ l < Len(TraceLog) /\ TraceLog[l + 1].kind = "step" /\ TraceLog[l + 1].actor = "cpu")
               THEN [op |-> "none"] ELSE L
    \* exit_mmap runs from mmput once mm_users is 0 (kernel/fork.c __mmput): from
    \* its call on no device fault starts (THMM dmirror_fault: mmget_not_zero),
    \* as the spec's BeginOp of exit_mmap sets mmDead
    /\ mmDead' = (mmDead \/ (L.op = "exit_mmap" /\ ~Has(L, "result")))
    /\ tmm' = [tmm EXCEPT !.call = pte]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, budget, thr, active, passOdd,
                   inPassHit, dpte, lock, flt, hit, rdCur, sub, ghost, tdev, tsnap>>

\* HMM_DMIRROR_EXCLUSIVE: the driver's ioctl runs make_device_exclusive on a CPU
\* (lib/test_hmm.c dmirror_exclusive), the spec's call site of that name; a
\* refused call (with "result") does nothing.
IsExclusiveCall ==
    /\ IsCall("make_device_exclusive")
    /\ thr[T].ph = "idle"
    /\ tcall' = IF Has(L, "result") THEN [op |-> "none"] ELSE L
    /\ Step
    /\ UNCHANGED <<vars, tdev, tsnap, tmm>>

IsDeviceAccessCall ==
    /\ l <= Len(TraceLog) /\ L.kind = "call" /\ L.op \in {"device_read", "device_write"}
    /\ Step
    /\ UNCHANGED <<vars, tcall, tdev, tsnap, tmm>>

IsInsert ==
    /\ IsCall("mmu_interval_notifier_insert")
    /\ mmu_interval_notifier_insert(DevOf(L.actor))
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

(***************************************************************************)
(* The notifier chain.                                                     *)
(***************************************************************************)
\* The call sites a fault may run (mm/memory.c handle_mm_fault: wp_page_copy, hugetlb_fault -> hugetlb_wp,
\* do_swap_page -> remove_device_exclusive_entry): a CPU access's, and those of the population's faults
\* (mm/gup.c populate_vma_page_range) inside mlock and mprotect.
FaultSites == {"wp_page_copy", "hugetlb_wp", "remove_device_exclusive_entry"}

\* The spec's call sites a reference call runs (its huge-page splits included).
CandSites(op) ==
    CASE op \in {"munmap", "exit_mmap"} -> {"unmap_vmas", "split_huge_page"}
      \* MAP_FIXED over a mapping: since 6.12 the zap runs with the old VMAs in the
      \* tree (mmap_region); linux-6.1 and the seed removed them first (unmap_vmas)
      [] op = "mmap" -> IF MechOf(Vocabulary, "mmap_region") = "range"
                        THEN {"mmap_region", "split_huge_page"} ELSE {"unmap_vmas", "split_huge_page"}
      \* the hugetlb call sites for a hugetlb VMA (mm/hugetlb.c; mm/mprotect.c change_protection,
      \* fs/hugetlbfs/inode.c hugetlb_vmdelete_list, mm/memory.c handle_mm_fault -> hugetlb_fault)
      \* and the population of a private VM_LOCKED VMA made writable (mm/mprotect.c mprotect_fixup ->
      \* populate_vma_page_range): the write faults' call sites, as for mlock below
      [] op = "mprotect"         -> {"change_protection", "hugetlb_change_protection", "split_huge_page"} \cup FaultSites
      \* and, where mremap breaks KSM pages first, break_ksm's wp_page_copy (NotifierSpec MremapBreakKsm)
      [] op = "mremap"           -> {"move_page_tables", "move_hugetlb_page_tables", "split_huge_page"}
                                    \cup (IF MremapBreakKsm THEN {"wp_page_copy"} ELSE {})
      [] op = "madvise_dontneed" -> {"zap_page_range", "split_huge_page"}
      [] op = "truncate"         -> {"zap_page_range_single", "unmap_hugepage_range", "split_huge_page"}
      \* MADV_FREE over part of a PMD-mapped THP splits its folio first (split_folio)
      [] op = "madvise_free"     -> {"madvise_free_single_vma", "split_folio"}
      \* a fault on a device-exclusive entry restores it (do_swap_page); a write fault on a THP
      \* other than the huge zero page splits it (mm/memory.c wp_huge_pmd -> __split_huge_pmd)
      [] op \in {"cpu_read", "cpu_write", "handle_mm_fault"} -> FaultSites \cup {"split_huge_page"}
      [] op = "make_device_exclusive" -> {"make_device_exclusive"}
      \* fork first restores the parent's device-exclusive entries (copy_nonpresent_pte)
      [] op = "fork"             -> {"copy_page_range", "copy_hugetlb_page_range", "remove_device_exclusive_entry"}
      [] op = "migrate_pages"    -> {"try_to_unmap_one"}   \* try_to_migrate_one: a migration entry
      [] op = "ksm_merge"        -> {"write_protect_page", "replace_page"}
      [] op = "split_huge_page"  -> {"split_huge_page"}
      [] op = "writeback"        -> {"page_mkclean_one"}
      [] op = "clear_refs"       -> {"clear_refs_write"}
      [] op = "oom_reap"         -> {"oom_reap_task_mm", "split_huge_page"}
      \* UFFDIO_WRITEPROTECT (mode WP or 0) and UFFDIO_UNREGISTER (userfaultfd_clear_vma:
      \* uffd_wp_range(.., false)); UFFDIO_REGISTER changes VMA flags only (vma_modify_flags_uffd:
      \* a huge PMD across the range's edge is split by vma_adjust_trans_huge)
      [] op \in {"uffdio_writeprotect", "uffdio_unregister"} -> {"uffd_wp_range", "split_huge_page"}
      [] op = "uffdio_register" -> {"split_huge_page"}
      \* mlock / munlock split a VMA at the range's edges, and a huge PMD across one
      \* (mm/vma.c __split_vma -> vma_adjust_trans_huge); mlock then faults the range in
      \* (mm/gup.c populate_vma_page_range -> handle_mm_fault: a CPU fault's call sites)
      [] op = "mlock"            -> {"split_huge_page"} \cup FaultSites
      [] op = "munlock"          -> {"split_huge_page"}
      [] op = "change_prot_numa" -> {"change_prot_numa", "split_huge_page"}
      [] op = "pagemap_scan_wp"  -> {"do_pagemap_scan", "split_huge_page"}
      [] op = "uffdio_move"      -> {"move_pages_ptes", "move_pages_huge_pmd", "split_huge_page"}
      \* mm/mapping_dirty_helpers.c: wp_clean_pre_vma per shared VMA of the range
      [] op = "wp_shared_mapping_range" -> {"wp_clean_pre_vma"}
      [] OTHER                   -> {}

CallProt == IF tcall.op = "mprotect" THEN AccOf(tcall.prot) ELSE 0

\* The ranges UFFDIO_MOVE's brackets may have, in reference pages [a, b), for the move
\* [page, page + len) -> [dst, dst + len) of the call line (mm/userfaultfd.c move_pages
\* steps from the source start; the steps already done are not in the line, so any
\* step start inside the move is allowed):
\*  - move_pages_ptes: [a, page + len), the rest of the move (Linux 7.2 and 7.3
\*    move_pages_ptes: MMU_NOTIFY_CLEAR over [src_addr, src_addr + len), len = src_end -
\*    src_addr); one page in linux-6.12 (move_pages_pte: [src_addr, src_addr +
\*    PAGE_SIZE)); linux-6.18 has 7.2's (commit 50944692052b, v6.18);
\*  - move_pages_huge_pmd: one huge page, source and destination huge-page-aligned,
\*    inside the move (move_pages: not move_splits_huge_pmd; mm/huge_memory.c
\*    move_pages_huge_pmd: [src_addr, src_addr + HPAGE_PMD_SIZE));
\*  - split_huge_page: a THP of the source or the destination split first (move_pages:
\*    split_huge_pmd; mm/huge_memory.c __split_huge_pmd: MMU_NOTIFY_CLEAR over
\*    [address & HPAGE_PMD_MASK, + HPAGE_PMD_SIZE)), one huge block overlapping either.
MoveLen == IF Has(tcall, "len") THEN tcall.len ELSE 1
MoveRange(site, a, b) ==
    LET src == tcall.page
        srcEnd == src + MoveLen
        \* the config line's huge page size (absent: the reference's default, 4 pages)
        h == IF Has(Cfg, "huge_page_size") THEN Cfg.huge_page_size ELSE 4
    IN CASE site = "move_pages_ptes" ->
              /\ src <= a /\ a < srcEnd
              /\ b = IF Vocabulary = "linux-6.12" THEN a + 1 ELSE srcEnd
         [] site = "move_pages_huge_pmd" ->
              /\ src <= a /\ a % h = 0 /\ (tcall.dst + (a - src)) % h = 0
              /\ b = a + h /\ b <= srcEnd
         [] site = "split_huge_page" ->
              /\ a % h = 0 /\ b = Min(a + h, Cfg.pages)
              /\ \/ a < srcEnd /\ src < b
                 \/ a < tcall.dst + MoveLen /\ tcall.dst < b
         [] OTHER -> TRUE
\* The range of the folio split of MADV_FREE, in reference pages [a, b): one huge block
\* that the call's range [start, end) covers in part (mm/huge_memory.c madvise_free_huge_pmd:
\* next - addr != HPAGE_PMD_SIZE; mm/rmap.c try_to_migrate_one: [address, vma_address_end)
\* of the folio).  With pte_folio_split, a PTE-mapped large folio (a THP whose PMD was split)
\* the call meets in part or over two VMAs is split too (linux-7.2 and 6.12 mm/madvise.c
\* madvise_free_pte_range: madvise_folio_pte_batch short of folio_nr_pages -> split_folio ->
\* mm/huge_memory.c __folio_split -> unmap_folio -> try_to_migrate, whose rmap walk runs
\* mm/rmap.c try_to_migrate_one once per VMA mapping the folio): a bracket per VMA, each the
\* part of the huge block in one VMA, so a bracket that is not the whole block ends inside it
\* only at a VMA edge (tmm.edges) and the call meets the block.  linux-6.1 madvise_free_pte_range
\* splits every large folio it meets (folio_test_large -> split_folio, no batch of its PTEs;
\* reference/Planner.cs SplitsEveryPteFolio), so under linux-6.1 a whole-block bracket the call
\* covers may be a split too (the spec has no PMD mapping to tell a PTE-mapped folio from a
\* THP, which madvise_free_huge_pmd does not split when covered whole: the PTE effect decides).
FolioRange(a, b) ==
    LET h == IF Has(Cfg, "huge_page_size") THEN Cfg.huge_page_size ELSE 4
        a0 == a - (a % h)
    IN \/ /\ a % h = 0 /\ b = a + h
          /\ a < tcall.end /\ tcall.start < b
          /\ ~(tcall.start <= a /\ b <= tcall.end)
       \/ /\ TracePteFolioSplit /\ TraceVocabulary = "linux-6.1"
          /\ a % h = 0 /\ b = a + h /\ tcall.start <= a /\ b <= tcall.end
       \/ /\ TracePteFolioSplit
          /\ a < b /\ b <= a0 + h /\ b - a < h
          /\ a0 < tcall.end /\ tcall.start < a0 + h
          /\ a # a0 => P(a) \in tmm.edges
          /\ b # a0 + h => P(b) \in tmm.edges
SitesFor(ev, mech) == {s \in CandSites(tcall.op) :
                          /\ Ev(s, IF s \in {"change_protection", "hugetlb_change_protection"} THEN CallProt ELSE 0) = ev
                          /\ MechOf(Vocabulary, s) = mech}

\* mremap's KSM break (NotifierSpec BeginOp, KsmBreakPages): break_ksm's wp_page_copy over
\* KSM pages of the source range (mm/ksm.c break_ksm_pmd_entry: folio_test_ksm), before
\* copy_vma gives the destination its VMA (mm/mremap.c prep_move_vma, then
\* copy_vma_and_data and move_page_tables); the move follows it (phase "unmerged").
\* An mremap over several VMAs (linux-7.2 mm/mremap.c remap_move) moves them one by one, each
\* page to new_start plus its offset from start (MremapDst): the destinations of the pages broken
\* are still unmapped, those of the VMAs moved before are not.
MremapDst(x) == x + tcall.new_start - tcall.start   \* a spec page of the source -> its destination
MremapBreak(site, r) ==
    /\ site = "wp_page_copy" /\ tcall.op = "mremap"
    /\ r \subseteq RangeOf(tcall) /\ KsmBreakPages(r) = r
    /\ \A x \in r : vma[MremapDst(x)] = 0

\* A CPU write fault's copy (wp_page_copy) of a KSM page that no other page maps and no child
\* shares: NotifierSpec's Applicable allows it only with KsmWriteCopies (mm/memory.c do_wp_page
\* -> wp_can_reuse_anon_folio: folio_test_ksm); without it the spec reuses such a page.  Only
\* this case is imposed: the reference's other reasons to copy (a page mapped twice, a THP,
\* the zero page) are left as the trace has them.  hugetlb_wp (whose copy has the same PTE
\* effect and event) is held to it too, though IsStart now ties it to hugetlb VMAs
\* (HugetlbVmaFits), where KSM never merges (linux-7.2 mm/ksm.c ksm_compatible: VMA_HUGETLB_BIT).
KsmWriteCopy(site, r) ==
    /\ site \in {"wp_page_copy", "hugetlb_wp"} /\ tcall.op \in {"cpu_write", "handle_mm_fault"}
    /\ \E p \in r : /\ pte[p].f \in ksm /\ p \notin cow /\ pte[p].f \notin childFrames
                   /\ \A q \in Pages \ {p} : pte[q].f # pte[p].f

\* The hugetlb call sites run on hugetlb VMAs only, and where the vocabulary has a row for
\* hugetlb_wp a COW in a hugetlb VMA is hugetlb_wp, not wp_page_copy (linux-7.2 mm/memory.c
\* handle_mm_fault: is_vm_hugetlb_page -> hugetlb_fault; mm/mprotect.c change_protection,
\* mm/mremap.c move_page_tables, mm/memory.c copy_page_range, fs/hugetlbfs/inode.c
\* hugetlb_vmdelete_list -> unmap_hugepage_range).  The spec's pages have no hugetlb flag: the
\* trace's vma_update lines give it (tmm.hugetlb).
HugetlbSites == {"hugetlb_wp", "hugetlb_change_protection", "move_hugetlb_page_tables",
                 "unmap_hugepage_range", "copy_hugetlb_page_range"}
HugetlbVmaFits(site, r) ==
    \* mremap's vma_update (copy_vma) comes before its bracket: the moved range's VMA is the destination's
    /\ site \in HugetlbSites \ {"move_hugetlb_page_tables"} => r \subseteq tmm.hugetlb
    \* (of the bracket's range: an mremap over several VMAs moves each with its own bracket)
    /\ site = "move_hugetlb_page_tables" => {MremapDst(x) : x \in r} \subseteq tmm.hugetlb
    /\ site = "wp_page_copy" /\ MechOf(Vocabulary, "hugetlb_wp") # "none" => r \cap tmm.hugetlb = {}
\* A huge PMD split notifies its one huge block, in reference pages [a, b) (mm/huge_memory.c
\* __split_huge_pmd: MMU_NOTIFY_CLEAR over [address & HPAGE_PMD_MASK, + HPAGE_PMD_SIZE)).
SplitBlock(site, a, b) ==
    LET h == IF Has(Cfg, "huge_page_size") THEN Cfg.huge_page_size ELSE 4 IN
    site = "split_huge_page" => a % h = 0 /\ b = Min(a + h, Cfg.pages)

\* MADV_FREE's folio split nested in madvise_free_single_vma's bracket (with nested_folio_split):
\* linux-7.2, 6.12 and 6.1 mm/madvise.c madvise_free_single_vma starts its MMU_NOTIFY_CLEAR over
\* the call's range, then walk_page_range -> madvise_free_pte_range -> split_folio (a PTE-mapped
\* large folio; madvise_free_huge_pmd's split_folio, 6.1 split_huge_page, for a PMD-mapped THP) ->
\* mm/rmap.c try_to_migrate_one starts and ends its own bracket, and the walk's end is followed by
\* invalidate_range_end.  The split starts on thread 2 once thread 1's bracket has started (its
\* callbacks ran); with the field no split starts on its own (the order before is rejected).
NestedStart == /\ TraceNestedFolioSplit
               /\ thr[1].ph = "started" /\ thr[1].site = "madvise_free_single_vma" /\ thr[2].ph = "idle"

\* invalidate_range_start(_nonblock): BeginOp's thread record (NewOp) and
\* mn_itree_inv_start_range (active++, seq |= 1), for the line's range and
\* the call site whose event (in this vocabulary) is the line's event.
IsStart(op, mech) ==
    /\ IsOp(op)
    \* (or mremap's next bracket after its KSM break; or MADV_FREE's split, nested)
    /\ thr[T].ph \in {"idle", "unmerged"} \/ NestedStart
    /\ SitesFor(L.event, mech) # {}
    \* mmu_notifier_range_init_owner's owner, as BeginOp's OwnersOf (and its wait)
    /\ LET own == IF Has(L, "owner") THEN DevOf(L.owner) ELSE 0 IN
       /\ own # 0 => ~inPassHit[own]
       \* two call sites may send the same event (KSM's write_protect_page and
       \* replace_page under upstream): each is tried, its PTE effect decides
       /\ \E site \in SitesFor(L.event, mech) :
            LET prot == CASE site \in {"change_protection", "hugetlb_change_protection"} -> CallProt
                          [] site = "mmap_region" -> AccOf(tcall.prot)   \* the new VMA's
                          [] OTHER -> 0
            IN /\ own \in OwnersOf(site)
               /\ tcall.op = "uffdio_move" => MoveRange(site, L.start, L.end)
               /\ site = "split_folio" => FolioRange(L.start, L.end)
               /\ TraceNestedFolioSplit => (site = "split_folio" <=> NestedStart)
               /\ site = "wp_page_copy" /\ tcall.op = "mremap" => MremapBreak(site, RangeOf(L))
               /\ KsmWriteCopy(site, RangeOf(L)) => KsmWriteCopies
               \* what the mm needs of the site in this state (NotifierSpec SiteApplicable), and
               \* a hugetlb site only on hugetlb VMAs
               /\ SiteApplicable(site, RangeOf(L))
               /\ HugetlbVmaFits(site, RangeOf(L))
               /\ SplitBlock(site, L.start, L.end)
               /\ thr' = [thr EXCEPT ![IF NestedStart THEN 2 ELSE T] =
                            [NewOp(site, RangeOf(L), prot, 0, "start") EXCEPT !.own = own,
                            !.mvr = IF MremapBreak(site, RangeOf(L)) THEN RangeOf(tcall) ELSE {},
                            !.mvd = IF MremapBreak(site, RangeOf(L)) THEN P(tcall.new_start) ELSE 0]]
    /\ active' = active + 1
    /\ passOdd' = (passOdd \/ \E d \in IntervalDevices : sub[d] = "tree")
    /\ budget' = IF budget > 0 THEN budget - 1 ELSE 0
    \* (a nested start keeps the PTEs at the start of the bracket it is nested in)
    /\ tmm' = IF NestedStart THEN tmm ELSE [tmm EXCEPT !.start = pte]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, inPassHit, dpte, lock, flt,
                   hit, rdCur, sub, ghost, tcall, tdev, tsnap>>

\* One listener's callback: the spec's invalidate(t, d); the line's reaction is
\* the policy's, the pages it names are the device PTEs the callback changed.
\* A two-pass listener's start pass is reported as its reaction "-at-finish".
AtFinish(r) == CASE r = "unmap" -> "unmap-at-finish" [] r = "write-protect" -> "write-protect-at-finish"
                 [] r = "ignore" -> "ignore-at-finish" [] OTHER -> "consult-vma-at-finish"

IsInvalidate ==
    /\ IsOp("invalidate")
    /\ LET d == DevOf(L.mirror) IN
       /\ L.event = thr[T].ev
       /\ invalidate(T, d)
       /\ IF L.result = "EAGAIN"
          THEN thr'[T].ph \in {"idle", "refusing"}
          \* a listener that returned at once from its own event (owner filtering)
          ELSE IF L.reaction = "owner" THEN OwnerSkips(thr[T], d)
          ELSE /\ ~OwnerSkips(thr[T], d)
               /\ Has(L, "reaction")
               /\ L.reaction = IF QueuesFinish(thr[T], d) THEN AtFinish(Policy[d][thr[T].ev])
                               ELSE Policy[d][thr[T].ev]
               /\ {p \in Pages : dpte'[d][p] # dpte[d][p]} = PagesOf(L.unmapped)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

\* A queued invalidate_finish (mn_itree_finish_pass): the spec's invalidate_finish.
IsInvalidateFinish ==
    /\ IsOp("invalidate_finish")
    /\ LET d == DevOf(L.mirror) IN
       /\ L.event = thr[T].ev
       /\ invalidate_finish(T, d)
       /\ L.reaction = Policy[d][thr[T].ev]
       /\ {p \in Pages : dpte'[d][p] # dpte[d][p]} = PagesOf(L.unmapped)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

\* v7's mmu_notifier_invalidate_page(mm, address, event) after the change, one
\* line per changed page, every listener in one step (mmu_notifier.c of 2015:
\* hlist_for_each_entry_rcu ... ->invalidate_page).  The spec's invalidate in
\* the "notify" phase (Callback, SetSeq(d, FALSE)) restated for the line's page
\* and all listeners at once; every listener's driver lock must be free.
IsInvalidatePage ==
    /\ IsOp("invalidate_page")
    /\ LET p  == P(L.page)
           op == thr[T]
       IN /\ op.ph = "notify" /\ op.mech = "page" /\ p \in op.chg /\ L.event = op.ev
          /\ \A d \in op.todo : ~lock[d]
          /\ dpte' = [d \in Devices |-> IF d \in op.todo
                        THEN [dpte[d] EXCEPT ![p] = React(Policy[d][op.ev], dpte[d][p], vma[p])]
                        ELSE dpte[d]]
          /\ hit' = [d \in Devices |-> IF d \in op.todo /\ ~rdCur[d] THEN TRUE ELSE hit[d]]
          /\ thr' = IF op.chg = {p} THEN [thr EXCEPT ![T] = IdleThr]
                    ELSE [thr EXCEPT ![T].chg = op.chg \ {p}, ![T].rng = op.rng \ {p}]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, active, passOdd,
                   inPassHit, lock, flt, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>

\* The v7 rmap call site of the call in flight, if any.
PageSites == {s \in CandSites(tcall.op) : MechOf(Vocabulary, s) = "page"}
PageSite == IF PageSites = {} THEN "none" ELSE CHOOSE s \in PageSites : TRUE
\* clear_refs write-protects a PTE whose soft-dirty bit it clears
\* (clear_soft_dirty: pte_wrprotect + pte_clear_soft_dirty), in the reference
\* and in the spec (SitePte), so the spec's view of a change is the change.
SpecNew(old, new) == new
\* The spec's PTE effect of the call site (SitePte) on a mapped page; the new
\* frame of an allocating site is the reference's.  Not imposed on a fill (old
\* none, R8).  MADV_FREE keeps the PTE in both (the reference marks it clean
\* and old, which the spec does not model).  Soft-dirty only counts where the
\* site is about it (clear_refs); elsewhere frame and access must agree.
UffdResolve == \/ tcall.op = "uffdio_unregister"
               \/ tcall.op = "uffdio_writeprotect" /\ Has(tcall, "wp") /\ tcall.wp = FALSE
SiteEffect(op, old, new) ==
    LET want == SitePte(op.site, old, op.prot, new.f)
        have == SpecNew(old, new)
    IN CASE old.f = 0 -> TRUE
         [] op.site = "clear_refs_write" -> have = want
         \* the folio split: inside the bracket every subpage becomes a migration entry
         \* (split_huge_pmd_locked with freeze), mapped back after the end (a fill, R8);
         \* the spec folds both into its step (NotifierSpec SplitPte)
         [] op.site = "split_folio" -> have.f = 0
         \* mremap's KSM break: the copy mapped as break_ksm's fault maps it (NotifierSpec UnsharePte)
         [] op.mvd # 0 -> have.f # old.f /\ have.acc = UnsharePte(old, vma[MinOf(op.chg)], have.f).acc
         \* mprotect to read-write may make a read-only PTE writable at once
         \* (Linux 7.2 mm/mprotect.c change_present_ptes with MM_CP_TRY_CHANGE_WRITABLE:
         \* can_change_pte_writable, not while soft-dirty tracking needs the fault);
         \* the spec leaves that upgrade to the next fault (R8: not notified)
         \* un-protect (UFFDIO_WRITEPROTECT mode 0, the call line's wp = FALSE; UFFDIO_UNREGISTER):
         \* Linux 7.2 mm/userfaultfd.c uffd_wp_range with MM_CP_UFFD_WP_RESOLVE and, in a VM_WRITE
         \* VMA, MM_CP_TRY_CHANGE_WRITABLE: the frame kept, a read-only PTE of an exclusive page
         \* may become writable (mm/mprotect.c can_change_pte_writable), nothing is taken away
         [] op.site = "uffd_wp_range" /\ UffdResolve ->
              have.f = old.f /\ (have.acc = old.acc \/ (old.acc = 1 /\ have.acc = 2))
         [] op.site = "change_protection" ->
              have.f = want.f /\ (have.acc = want.acc \/ (op.prot = 2 /\ old.acc = 1 /\ old.sd /\ have.acc = 2))
         [] OTHER -> have.f = want.f /\ have.acc = want.acc
\* The change of one PTE under the PTL (environment: the reference's new PTE),
\* allowed only as the spec allows it.  A v7 invalidate_page site's first
\* notified change opens the spec's "notify" phase (PteUpdatePageSite).
IsPteUpdate ==
    /\ IsOp("pte_update")
    /\ LET p == P(L.page)
           old == PteOf(L, "old")
           new == PteOf(L, "new")
           notify == NeedsNotify(old, new)
       IN /\ pte[p] = old
          /\ pte' = [pte EXCEPT ![p] = new]
          \* linux-6.1's folio split maps every subpage back to its own page (mm/huge_memory.c
          \* remap_page -> remove_migration_ptes; mm/migrate.c remove_migration_pte maps no zero
          \* page before 6.12): under MADV_FREE, whose only fill is that remap, a page mapped at
          \* the call is filled with the frame it had then (NotifierSpec SplitPte: the same PTE)
          /\ TraceVocabulary = "linux-6.1" /\ tcall.op = "madvise_free" /\ old.f = 0 /\ new.f # 0
             /\ tmm.call[p].f # 0 => new.f = tmm.call[p].f
          \* the device-exclusive entry, as the spec's ApplyPte (the reference's PTE
          \* line shows frame and protection, which make_device_exclusive keeps)
          /\ excl' = [excl EXCEPT ![p] =
                        LET op == thr[T] IN
                        CASE op.ph \in StartedPhases /\ p \in op.chg /\ op.site = "make_device_exclusive"
                               /\ new.f # 0 -> op.own
                          [] op.ph \in StartedPhases /\ p \in op.chg
                               /\ op.site = "remove_device_exclusive_entry" -> 0
                          [] new.f # old.f -> 0
                          [] OTHER -> excl[p]]
          \* (every PTE an rmap site changes is told, whether or not it must be)
          /\ IF old.f # 0 /\ thr[T].ph \in {"idle", "notify"} /\ PageSite # "none"
             THEN \* v7 rmap path: the change first, the listeners after (B1)
                  /\ Allowed(Ev(PageSite, 0), old, SpecNew(old, new))
                  /\ thr' = IF thr[T].ph = "idle"
                            THEN [thr EXCEPT ![T] = NewOp(PageSite, {p}, 0, 0, "notify")]
                            ELSE [thr EXCEPT ![T].rng = thr[T].rng \cup {p}, ![T].chg = thr[T].chg \cup {p}]
             ELSE /\ notify \/ TakesAway(thr[T], p) => Covered(p) /\ Allowed(thr[T].ev, old, SpecNew(old, new))
                  /\ thr[T].ph \in StartedPhases /\ p \in thr[T].chg => SiteEffect(thr[T], old, new)
                  /\ UNCHANGED thr
          \* the remap of a split nested in MADV_FREE's bracket (NestedStart) maps the page its walk
          \* then meets: madvise_free_single_vma's effect is held to it from here on (IsTlbFlush)
          /\ tmm' = IF /\ TraceNestedFolioSplit /\ T = 1 /\ thr[1].site = "madvise_free_single_vma"
                       /\ thr[1].ph \in StartedPhases /\ old.f = 0 /\ new.f # 0
                    THEN [tmm EXCEPT !.start[p] = new] ELSE tmm
          \* replace_page's kpage is a KSM page from now on (NotifierSpec ApplyPte)
          /\ ksm' = IF /\ TracksKsm /\ thr[T].ph \in StartedPhases /\ thr[T].site = "replace_page"
                       /\ p \in thr[T].chg /\ new.f # 0 /\ new.f # old.f
                    THEN ksm \cup {new.f} ELSE ksm
          \* a frame newly mapped leaves the free list (a fresh page is zeroed:
          \* a copied page was taken by copy_page already)
          /\ IF new.f # 0 /\ new.f \in free
             THEN /\ free' = free \ {new.f}
                  /\ data' = [data EXCEPT ![new.f] = 0]
             ELSE UNCHANGED <<free, data>>
    /\ Step
    /\ UNCHANGED <<inProg, vma, cow, childFrames, mmDead, budget, active, passOdd, inPassHit, dpte, lock,
                   flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap>>

\* flush_tlb_range: the spec's tlb_flush for hardware secondary TLBs (their
\* entries for the range go, under the PTL); it closes the PTL section.
IsTlbFlush ==
    /\ IsOp("tlb_flush")
    \* every mapped page of the range got the site's effect (a missed page is
    \* still as it was at start); shared mappings, which the spec does not
    \* model (its pages are private anonymous), are left as the reference has them
    /\ thr[T].ph = "started" =>
         \A p \in (thr[T].chg \cap RangeOf(L)) \ tmm.shared : SiteEffect(thr[T], tmm.start[p], pte[p])
    /\ LET r == RangeOf(L) IN
       dpte' = [d \in Devices |-> [p \in Pages |->
                  IF d \in HwDevices /\ p \in r THEN DevNone ELSE dpte[d][p]]]
    /\ thr' = IF thr[T].ph = "started" THEN [thr EXCEPT ![T].ph = "freed"] ELSE thr
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, active, passOdd,
                   inPassHit, lock, flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>

\* put_page: a frame whose last reference went returns to the free list; as in
\* the spec's free_frame no PTE maps it, and device PTEs naming it are stale.
IsFreeFrame ==
    /\ IsOp("free_frame")
    /\ LET f == Fr(L.frame) IN
       IF L.freed
       THEN /\ \A p \in Pages : pte[p].f # f
            /\ free' = free \cup {f}
            /\ ksm' = ksm \ {f}   \* a KSM page no more (NotifierSpec free_frame)
            /\ dpte' = [d \in Devices |-> [p \in Pages |->
                         IF dpte[d][p].f = f THEN [dpte[d][p] EXCEPT !.gone = TRUE] ELSE dpte[d][p]]]
       ELSE UNCHANGED <<free, dpte, ksm>>
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, data, mmDead, budget, thr, active, passOdd,
                   inPassHit, lock, flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>

\* NotifierSpec's MoveStepRefused for trace validation (TraceNotifierSpec.cfg): a move_pages_ptes
\* bracket in which no PTE changed (no pte_update line since its start) ends from "started"; why
\* the step was refused is the reference's (its swap and migration entries, frame references and
\* page tables are not in the spec's PTEs), and its range is held to the call's (MoveRange).
TraceMoveStepRefused(op) == op.site = "move_pages_ptes" /\ pte = tmm.start

\* invalidate_range_end: the spec's action, for the range that started.
IsEnd ==
    /\ IsOp("invalidate_range_end")
    /\ thr[T].ph \in {"freed", "refused", "started"} => RangeOf(L) = thr[T].rng
    /\ invalidate_range_end(T)
    \* the empty bracket (TraceMoveStepRefused) is the move's last: move_pages `break`s on the step's
    \* error (Linux 7.2 mm/userfaultfd.c; -EAGAIN's retry is not in the reference), so no bracket follows
    /\ tcall' = IF thr[T].ph = "started" THEN [op |-> "none"] ELSE tcall
    /\ Step
    /\ UNCHANGED <<tdev, tsnap, tmm>>

\* exit_mmap -> mmu_notifier_release: every mirror is torn down and frozen
\* (the spec's release callbacks with an unmapping listener, and no listener
\* is called again); the unmap that follows is an unmap_vmas invalidation.
IsRelease ==
    /\ IsOp("release")
    /\ thr[T].ph = "idle"
    \* each ->release / MMU_NOTIFY_RELEASE invalidate callback takes the driver lock
    \* (the spec's release(t, d); THMM dmirror_interval_invalidate: mutex_lock)
    /\ \A d \in Devices : sub[d] # "none" => ~lock[d]
    /\ {DevOf(L.mirrors[i]) : i \in DOMAIN L.mirrors} = {d \in Devices : sub[d] # "none"}
    /\ mmDead' = TRUE
    /\ dpte' = [d \in Devices |-> IF sub[d] # "none" THEN [p \in Pages |-> DevNone] ELSE dpte[d]]
    /\ sub' = [d \in Devices |-> "none"]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, budget, thr, active, passOdd,
                   inPassHit, lock, flt, hit, rdCur, ghost, tcall, tdev, tsnap, tmm>>

(***************************************************************************)
(* Environment lines: the address space and the page contents.            *)
(***************************************************************************)
IsVmaUpdate ==
    /\ IsOp("vma_update")
    /\ vma' = [p \in Pages |->
                 LET vs == {i \in DOMAIN L.vmas : p \in RangeOf(L.vmas[i])}
                 IN IF vs = {} THEN 0 ELSE AccOf(L.vmas[CHOOSE i \in vs : TRUE].prot)]
    /\ tmm' = [tmm EXCEPT !.shared = {p \in Pages : \E i \in DOMAIN L.vmas :
                                          p \in RangeOf(L.vmas[i]) /\ L.vmas[i].shared},
                          !.hugetlb = {p \in Pages : \E i \in DOMAIN L.vmas :
                                          p \in RangeOf(L.vmas[i]) /\ Has(L.vmas[i], "hugetlb") /\ L.vmas[i].hugetlb},
                          !.edges = {P(L.vmas[i].start) : i \in DOMAIN L.vmas} \cup {P(L.vmas[i].end) : i \in DOMAIN L.vmas}]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, cow, childFrames, ksm, free, data, mmDead, budget, thr, active, passOdd,
                   inPassHit, dpte, lock, flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap>>

\* copy_user_highpage / migrate_page_copy into a page allocated for it.
IsCopyPage ==
    /\ IsOp("copy_page")
    /\ data[Fr(L.from)] = L.value
    /\ data' = [data EXCEPT ![Fr(L.to)] = L.value]
    /\ free' = free \ {Fr(L.to)}
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, mmDead, budget, thr, active, passOdd, inPassHit,
                   dpte, lock, flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>

IsCpuAccess ==
    /\ l <= Len(TraceLog) /\ L.kind = "step" /\ L.op \in {"cpu_read", "cpu_write"}
    /\ LET p == P(L.page) IN
       /\ pte[p].f = Fr(L.frame) /\ excl[p] = 0
       /\ IF L.op = "cpu_read"
          THEN data[pte[p].f] = L.value /\ UNCHANGED data
          ELSE data' = [data EXCEPT ![pte[p].f] = L.value]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, mmDead, budget, thr, active, passOdd,
                   inPassHit, dpte, lock, flt, hit, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>

\* Lines about what the spec does not model, each a stuttering step: fork's
\* child copy (the child is not modelled), page aging (R11: it never changes a
\* mapping), the end of exit_mmap (mmDead is set at its call line).
IsStutter ==
    /\ l <= Len(TraceLog) /\ L.kind = "step"
    /\ L.op \in {"copy_pte_range", "clear_flush_young", "test_young", "mm_exited"}
    \* fork copies a private mapping only after copy_page_range write-protected
    \* the parent (the spec's SitePte of copy_page_range: COW)
    /\ L.op = "copy_pte_range" =>
         \A p \in RangeOf(L) \ tmm.shared : pte[p].f # 0 => pte[p].acc <= 1
    /\ Step
    /\ UNCHANGED <<vars, tcall, tdev, tsnap, tmm>>

(***************************************************************************)
(* The device side (hmm.rst loop), the spec's actions.                     *)
(***************************************************************************)
Dev == DevOf(L.actor)

\* device_read/device_write through the device's own PTE (a hit), or a miss.
IsDeviceAccess ==
    /\ l <= Len(TraceLog) /\ L.kind = "step" /\ L.op \in {"device_read", "device_write"}
    /\ L.actor # "cpu"
    /\ LET d == Dev
           p == P(L.page)
           w == L.op = "device_write"
       IN IF Has(L, "frame")
          THEN /\ dpte[d][p].f = Fr(L.frame)
               /\ IF w THEN device_write(d, p, L.value)
                  \* a read through an entry whose frame was freed (NoFreedFrameAccess is
                  \* broken already: a page-only listener, B1) returns what the freed
                  \* frame holds, which the spec does not follow
                  ELSE device_read(d, p) /\ (data[dpte[d][p].f] = L.value \/ dpte[d][p].gone)
               /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>
          ELSE /\ NeedsFault(d, p, w)
               /\ IF L.result = "fault"
                  THEN /\ d \in HwDevices \/ (sub[d] # "none" /\ ~mmDead)
                       /\ tdev' = [tdev EXCEPT ![d] = [p |-> p, w |-> w]]
                       \* dmirror_fault's mmget_not_zero passed here: the spec's StartFault
                       \* (idle, ~mmDead) taken now, its read_begin with the next line, so
                       \* that an exit_mmap in between does not stop this fault
                       /\ flt' = IF d \in HwDevices THEN flt
                                ELSE [flt EXCEPT ![d] = [IdleFlt EXCEPT !.ph = "begin", !.p = p, !.w = w]]
                  ELSE \* EFAULT: the mirror is gone or the mm exited
                       /\ sub[d] = "none" \/ mmDead
                       /\ UNCHANGED <<tdev, flt>>
               /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr,
                              active, passOdd, inPassHit, dpte, lock, hit, rdCur, sub, ghost,
                              tcall, tsnap, tmm>>
    /\ Step

IsReadBegin ==
    /\ IsOp("mmu_interval_read_begin")
    /\ LET d == Dev IN
       /\ mmu_interval_read_begin(d)
       /\ flt'[d].p = tdev[d].p /\ flt'[d].w = tdev[d].w
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

IsRangeFault ==
    /\ IsOp("hmm_range_fault")
    /\ LET d == Dev IN
       CASE L.result = "ok" ->
              \* the snapshot: the spec's hmm_range_fault of the target page, after
              \* the reference faulted it in (its handle_mm_fault lines); the other
              \* readable pages of the chunk are snapshotted with it
              /\ hmm_range_fault(d)
              /\ pte' = pte /\ flt'[d].ph \in {"lock", "check"}
              /\ tdev[d].p \in PagesOf(L.pages)
              /\ \A p \in PagesOf(L.pages) : pte[p].f # 0 /\ pte[p].acc >= 1 /\ excl[p] = 0
              /\ tsnap' = [tsnap EXCEPT ![d] = [p \in Pages |->
                             IF p \in PagesOf(L.pages) \ {flt[d].p} THEN Snap(p) ELSE DevNone]]
              /\ UNCHANGED <<tcall, tdev, tmm>>
         [] L.result \in {"EFAULT", "EPERM"} ->
              \/ d \notin HwDevices
                 /\ hmm_range_fault(d) /\ flt'[d] = IdleFlt
                 /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>
              \/ d \in HwDevices   \* the hardware's page request fails: it maps nothing
                 /\ UNCHANGED <<vars, tcall, tdev, tsnap, tmm>>
         [] L.result = "handle_mm_fault" ->
              \* a CPU fault under the device's name: its lines follow
              /\ d \in HwDevices \/ flt[d].ph = "walk"
              /\ tcall' = [op |-> "handle_mm_fault"]
              /\ UNCHANGED <<vars, tdev, tsnap, tmm>>
         [] L.result = "EBUSY" ->
              \* the reference's hmm_range_fault returns -EBUSY while a CPU operation
              \* or a migration is in flight; the driver starts again (hmm.rst
              \* "goto again").  The spec's waits instead: a trace-only restart.
              /\ \/ d \in HwDevices /\ UNCHANGED flt
                 \/ flt[d].ph = "walk" /\ flt' = [flt EXCEPT ![d].ph = "begin"]
              /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                             passOdd, inPassHit, dpte, lock, hit, rdCur, sub, ghost, tcall, tdev, tsnap, tmm>>
         [] OTHER -> FALSE
    /\ Step

IsDeviceLock ==
    /\ IsOp("device_lock")
    /\ device_lock(Dev)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

\* mmu_interval_read_retry: the spec's answer is the line's.  A retry under
\* the lock also unlocks (the spec's device_unlock, folded in: hmm.rst
\* "if (mmu_interval_read_retry(...)) { mutex_unlock(); goto again; }").
IsReadRetry ==
    /\ IsOp("mmu_interval_read_retry")
    /\ LET d == Dev IN
       /\ (L.result = "retry") = MustRetry(d)
       /\ IF L.result = "retry" /\ lock[d]
          THEN /\ flt[d].ph = "check"
               /\ flt' = [flt EXCEPT ![d].ph = "begin"]
               /\ lock' = [lock EXCEPT ![d] = FALSE]
               /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                              passOdd, inPassHit, dpte, hit, rdCur, ghost, sub>>
          ELSE mmu_interval_read_retry(d)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

\* device_pte_install: the spec's, for the faulted page, and the other pages of
\* the chunk from the same snapshot (dmirror installs the whole range it faulted).
IsInstall ==
    /\ IsOp("device_pte_install")
    /\ LET d == Dev IN
       /\ flt[d].ph = "install"
       /\ PagesOf(L.pages) = {p \in Pages : tsnap[d][p].f # 0} \cup {flt[d].p}
       /\ dpte' = [dpte EXCEPT ![d] = [p \in Pages |->
                     IF p = flt[d].p THEN flt[d].snap
                     ELSE IF tsnap[d][p].f # 0 THEN tsnap[d][p] ELSE dpte[d][p]]]
       /\ flt' = [flt EXCEPT ![d].ph = "unlock"]
       /\ tsnap' = [tsnap EXCEPT ![d] = [p \in Pages |-> DevNone]]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active, passOdd,
                   inPassHit, lock, hit, rdCur, ghost, sub, tcall, tdev, tmm>>

IsDeviceUnlock ==
    /\ IsOp("device_unlock")
    /\ device_unlock(Dev)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

\* A hardware secondary TLB walks the CPU page table (the spec's
\* device_tlb_fill, for each page the line names).
IsTlbFill ==
    /\ IsOp("tlb_fill")
    /\ LET d == Dev IN
       /\ d \in HwDevices /\ ~mmDead
       /\ \A p \in PagesOf(L.pages) : pte[p].f # 0 /\ pte[p].acc >= 1 /\ excl[p] = 0
       /\ dpte' = [dpte EXCEPT ![d] = [p \in Pages |->
                     IF p \in PagesOf(L.pages)
                     THEN [f |-> pte[p].f, gone |-> FALSE, acc |-> IF pte[p].sd THEN pte[p].acc ELSE 1]
                     ELSE dpte[d][p]]]
    /\ Step
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active, passOdd,
                   inPassHit, lock, flt, hit, rdCur, ghost, sub, tcall, tdev, tsnap, tmm>>

\* dmirror_atomic_map after make_device_exclusive: the spec's device_atomic_map
\* of the owner; a map ("frame") iff its read_retry says no invalidation hit
\* the owner since (else the reference's "EBUSY").
IsAtomicMap ==
    /\ IsOp("device_atomic_map")
    /\ thr[T].ph = "atomic_map" /\ Dev = thr[T].own
    /\ Has(L, "frame") = ~thr[T].rhit
    /\ Has(L, "frame") => pte[P(L.page)].f = Fr(L.frame) /\ P(L.page) \in thr[T].rng
    /\ device_atomic_map(T)
    /\ Step
    /\ UNCHANGED <<tcall, tdev, tsnap, tmm>>

TraceNext ==
    \/ IsCpuCall \/ IsDeviceAccessCall \/ IsInsert
    \/ IsStart("invalidate_range_start", "range")
    \/ IsStart("invalidate_range_start_nonblock", "nonblock")
    \/ IsInvalidate \/ IsInvalidateFinish \/ IsInvalidatePage \/ IsPteUpdate \/ IsTlbFlush \/ IsFreeFrame \/ IsEnd
    \/ IsRelease \/ IsVmaUpdate \/ IsCopyPage \/ IsCpuAccess \/ IsStutter
    \/ IsDeviceAccess \/ IsReadBegin \/ IsRangeFault \/ IsDeviceLock \/ IsReadRetry
    \/ IsInstall \/ IsDeviceUnlock \/ IsTlbFill
    \/ IsExclusiveCall \/ IsAtomicMap

TraceSpec == TraceInit /\ [][TraceNext]_<<vars, traceVars>>

\* Accepted: some behaviour matched every line.  Checked as an invariant that
\* fails there (TLC stops with the behaviour as its counterexample).
TraceAccepted == l = Len(TraceLog) + 1
TraceNotAccepted == ~TraceAccepted
(***************************************************************************)
(* What `notifier validate` reads of this module, so that what it prints  *)
(* comes from here and not from a copy (conformance/Validate.cs):         *)
(*  - TraceLine: the line a state has matched up to; the state of the     *)
(*    largest TraceLine is where a rejected trace stopped;                 *)
(*  - LineAction(i): the action that takes line i, said for the line no    *)
(*    behaviour matched (LineActionTests holds it to the actions TraceNext *)
(*    takes in accepted traces);                                           *)
(*  - TraceAlias: the spec state shown before that line (with TLC, add     *)
(*    ALIAS TraceAlias to the .cfg to see counterexamples the same way).   *)
(***************************************************************************)
TraceLine == l

LineAction(i) ==
    LET line == TraceLog[i] IN
    IF line.kind = "call" THEN
        CASE line.op \in {"device_read", "device_write"} ->
                "IsDeviceAccessCall (the access starts with its step lines)"
          [] line.op = "mmu_interval_notifier_insert" -> "IsInsert -> mmu_interval_notifier_insert"
          [] line.op = "make_device_exclusive" ->
                "IsExclusiveCall (names the call site make_device_exclusive; needs the CPU thread idle)"
          [] OTHER -> "IsCpuCall (names the call site of the invalidations that follow; needs the CPU thread idle)"
    ELSE
        CASE line.op = "invalidate_range_start" ->
                "IsStart -> invalidate_range_start (NewOp of the call site whose event is the line's)"
          [] line.op = "invalidate_range_start_nonblock" ->
                "IsStart -> invalidate_range_start_nonblock (NewOp of the call site whose event is the line's)"
          [] line.op = "invalidate" -> "IsInvalidate -> invalidate (one listener's callback)"
          [] line.op = "invalidate_finish" -> "IsInvalidateFinish -> invalidate_finish (a two-pass listener's finish pass)"
          [] line.op = "invalidate_page" -> "IsInvalidatePage -> invalidate (v7 invalidate_page, after the change)"
          [] line.op = "pte_update" -> "IsPteUpdate (environment: the PTE change, allowed by RangeCoversChange / TruthfulEvent)"
          [] line.op = "tlb_flush" -> "IsTlbFlush -> tlb_flush"
          [] line.op = "free_frame" -> "IsFreeFrame -> free_frame"
          [] line.op = "invalidate_range_end" -> "IsEnd -> invalidate_range_end"
          [] line.op = "release" -> "IsRelease -> release"
          [] line.op = "vma_update" -> "IsVmaUpdate (environment)"
          [] line.op = "copy_page" -> "IsCopyPage (environment)"
          [] line.op \in {"cpu_read", "cpu_write"} -> "IsCpuAccess (environment, checked against the spec's data)"
          [] line.op = "device_read" -> "IsDeviceAccess -> device_read"
          [] line.op = "device_write" -> "IsDeviceAccess -> device_write"
          [] line.op = "mmu_interval_read_begin" -> "IsReadBegin -> mmu_interval_read_begin"
          [] line.op = "hmm_range_fault" -> "IsRangeFault -> hmm_range_fault"
          [] line.op = "device_lock" -> "IsDeviceLock -> device_lock"
          [] line.op = "mmu_interval_read_retry" -> "IsReadRetry -> mmu_interval_read_retry"
          [] line.op = "device_pte_install" -> "IsInstall -> device_pte_install"
          [] line.op = "device_unlock" -> "IsDeviceUnlock -> device_unlock"
          [] line.op = "tlb_fill" -> "IsTlbFill -> device_tlb_fill"
          [] line.op = "device_atomic_map" ->
                "IsAtomicMap -> device_atomic_map (the owner's atomic entry after make_device_exclusive)"
          [] line.op \in {"copy_pte_range", "clear_flush_young", "test_young", "mm_exited"} ->
                "IsStutter (not modelled by the spec)"
          [] OTHER -> "no action: the op is not a line kind of the trace spec"

\* Pages and frames in the reference's numbering (spec page/frame x + 1 is x; a
\* page of -1 is none), only mapped pages, written frames and held entries, prot as
\* the trace's "none"/"r"/"rw"; the ghost variables (ghost, cow, childFrames,
\* budget) left out; thr and flt as the spec has them; ksm as its frames.
ProtName(a) == CASE a = 0 -> "none" [] a = 1 -> "r" [] OTHER -> "rw"
TraceAlias ==
    [l |-> l, tcall |-> tcall,
     tdev |-> [d \in Devices |-> [page |-> tdev[d].p - 1, write |-> tdev[d].w]],
     tsnap |-> [d \in Devices |->
                  {[page |-> p - 1, frame |-> tsnap[d][p].f - 1, prot |-> ProtName(tsnap[d][p].acc)] :
                     p \in {q \in Pages : tsnap[d][q].f # 0}}],
     tmm |-> [start |-> {[page |-> p - 1, frame |-> tmm.start[p].f - 1, prot |-> ProtName(tmm.start[p].acc)] :
                           p \in {q \in Pages : tmm.start[q].f # 0}},
              shared |-> {p - 1 : p \in tmm.shared}],
     pte |-> {[page |-> p - 1, frame |-> pte[p].f - 1, prot |-> ProtName(pte[p].acc), soft_dirty |-> pte[p].sd] :
                p \in {q \in Pages : pte[q].f # 0}},
     vma |-> {[page |-> p - 1, prot |-> ProtName(vma[p])] : p \in {q \in Pages : vma[q] # 0}},
     free |-> Cardinality(free),
     data |-> {[frame |-> f - 1, value |-> data[f]] : f \in {g \in Frames : data[g] # 0}},
     dpte |-> [d \in Devices |->
                 {[page |-> p - 1, frame |-> dpte[d][p].f - 1, prot |-> ProtName(dpte[d][p].acc), gone |-> dpte[d][p].gone] :
                    p \in {q \in Pages : dpte[d][q].f # 0}}],
     mmDead |-> mmDead, thr |-> thr, active |-> active, passOdd |-> passOdd, inPassHit |-> inPassHit,
     lock |-> lock, flt |-> flt, hit |-> hit, rdCur |-> rdCur, sub |-> sub, inProg |-> inProg,
     excl |-> {[page |-> p - 1, owner |-> excl[p]] : p \in {q \in Pages : excl[q] # 0}},
     ksm |-> {f - 1 : f \in ksm}]
=============================================================================
