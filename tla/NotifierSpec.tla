---------------------------- MODULE NotifierSpec ----------------------------
(***************************************************************************)
(* NotifierSpec: the ordering guarantees of Linux's mmu_notifier between  *)
(* the CPU page table and device mirrors (secondary MMUs).                 *)
(*                                                                         *)
(* Sources (keys as in ../docs/kernel-facts.md):                           *)
(*   HDR   include/linux/mmu_notifier.h (invalidate_range_start doc,       *)
(*         mmu_interval_read_begin/retry/set_seq kernel-doc)               *)
(*   C-MM  mm/mmu_notifier.c (mn_itree_inv_start_range, mn_itree_inv_end,  *)
(*         mn_itree_invalidate, mmu_interval_read_begin, mn_itree_release) *)
(*   HMM   Documentation/mm/hmm.rst ("the driver must ... take the lock    *)
(*         ... mmu_interval_read_retry ... update the device page table")  *)
(*   THMM  lib/test_hmm.c (dmirror_range_fault, dmirror_interval_invalidate)*)
(*   R*, M*, B*, INV-*, AUX-*: rules, mutations, bugs in kernel-facts.md.  *)
(*                                                                         *)
(* Actors: CPU threads (Threads) running call sites of the mm, one at a    *)
(* time each, step by step; devices (Devices), each a dmirror-like mirror  *)
(* with its own page table dpte[d], a driver lock lock[d], one interval    *)
(* subscription covering the whole address space (like dmirror), and a    *)
(* fault path following hmm.rst.  Every step of either side interleaves   *)
(* with every step of the other.                                           *)
(*                                                                         *)
(* Some devices may instead be full-mm start/end listeners (MmDevices,    *)
(* KVM-style) or v7 listeners with only ->invalidate_page (PageOnlyDevices);*)
(* a mirror may take a page device-exclusive (make_device_exclusive).      *)
(*                                                                         *)
(* Step (action) names are the kernel function names of docs/rules.md.     *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets, NotifierEvents

CONSTANTS
    Pages,        \* page numbers of the address space (e.g. 1..2)
    Frames,       \* physical frames (Pages \subseteq Frames; page p starts on frame p)
    InitMapped,   \* pages with a VMA (read-write, private anon) and a PTE at start
    Devices,      \* device mirrors (dmirror instances)
    HwDevices,    \* the subset that are hardware secondary TLBs (IOMMU SVA/ATS, R9)
    InitSubscribed, \* devices whose interval notifier is in the tree at start
    Threads,      \* CPU threads running call sites concurrently (R4)
    Values,       \* page contents (0 \in Values); {0} makes only frame identity matter
    Vocabulary,   \* "v7" | "v7-reviewed" | "upstream"
    Policy,       \* [Devices -> [AllEvents -> Reactions]]: the listener's reaction per event
    EnabledSites, \* the call sites the model lets the mm run (subset of Sites)
    Ranges,       \* the ranges [start, end) call sites may use, as sets of pages
    Prots,        \* the protections mprotect may set (subset of 0..2)
    MaxOps,       \* how many call sites the mm runs in total (finite model)
    Bugs,         \* injected bugs (mutations M1..M12), see BugNames
    MmDevices,    \* the subset that are full-mm start/end listeners (KVM-style), not intervals
    PageOnlyDevices \* the subset that are v7 listeners with only ->invalidate_page (B1)

BugNames ==
    {"no_read_retry",          \* M3/B12: driver installs without mmu_interval_read_retry
     "retry_outside_lock",     \* M3: read_retry checked before taking the driver lock
     "skip_set_seq",           \* M4: callback does not call mmu_interval_set_seq
     "read_begin_no_sleep",    \* M5: read_begin does not wait when sub seq == mm seq
     "pass_end_early",         \* M6: mm ends the pass (seq++) at any end, ignoring active
     "end_after_refused_start",\* M7: caller calls end after a refused non-blockable start
     "no_end_after_refusal",   \* B10/M7: the -EAGAIN path skips mn_itree_inv_end
     "narrow_range",           \* M2/B5/B6: notified range is the first page only
     "lock_across_read_begin", \* HDR lockdep rule: driver holds its lock across read_begin
     "mprotect_none_as_write_protect", \* planted call-site table error (TruthfulEvent)
     "hw_flush_at_end",        \* M10/B2: secondary TLB invalidated at end, not under the PTL
     "insert_ignores_active",  \* M12: insert during an invalidation not "assumed hit"
     "owner_filter_all",       \* kernel-facts.md UP-POLICY: every listener skips an event with an owner
     "retry_ignores_in_progress", \* a full-mm listener's retry checks only the seq, not in_progress
     "atomic_map_no_retry",    \* the driver maps its device-exclusive entry without read_retry
     "two_pass_finish_at_end",          \* two-pass: the queued invalidate_finish runs at invalidate_range_end
     "migrate_skip_any_owner",          \* every listener skips every MMU_NOTIFY_MIGRATE, whatever its owner
     "move_huge_pmd_no_notify"}         \* move_pages_huge_pmd moves the PMD without invalidate_range_start/end

ASSUME /\ Pages \subseteq Frames /\ InitMapped \subseteq Pages /\ HwDevices \subseteq Devices
       /\ InitSubscribed \subseteq Devices
       /\ 0 \in Values /\ Vocabulary \in Vocabularies
       /\ EnabledSites \subseteq Sites /\ Bugs \subseteq BugNames
       /\ Prots \subseteq 0..2 /\ MaxOps \in Nat
       /\ \A r \in Ranges : r \subseteq Pages /\ r # {}
       /\ MmDevices \subseteq Devices \ HwDevices
       /\ PageOnlyDevices \subseteq Devices \ (HwDevices \cup MmDevices)
       \* mmu_notifier_register runs before the mm is used (no insert in the model)
       /\ MmDevices \cup PageOnlyDevices \subseteq InitSubscribed
       \* device-exclusive entries are 5.14 (b756a3b5e7ea): upstream only
       /\ ExclusiveSites \cap EnabledSites # {} => Vocabulary \in UpstreamFamily

VARIABLES
    pte,          \* [Pages -> CPU PTE]  (the CPU page table)
    vma,          \* [Pages -> 0..2]     (VMA protection; 0 = no VMA / PROT_NONE)
    cow,          \* pages whose frame is shared with a forked child (COW)
    childFrames,  \* frames the forked child still maps (never freed)
    ksm,          \* KSM pages (folio_test_ksm): the frames replace_page merged (MremapBreakKsm)
    free,         \* free frames (the allocator's free list)
    data,         \* [Frames -> Values] page contents
    mmDead,       \* exit_mmap has started (mm_users == 0)
    budget,       \* call sites the mm may still start
    thr,          \* [Threads -> the call site each CPU thread runs]
    active,       \* mm's active_invalidate_ranges (C-MM)
    passOdd,      \* mm's invalidate_seq is odd: a pass is running (C-MM)
    inPassHit,    \* [Devices -> BOOLEAN] sub->invalidate_seq == mm invalidate_seq
    dpte,         \* [Devices -> [Pages -> device PTE]] (dmirror's XArray; no page refs)
    lock,         \* [Devices -> BOOLEAN] driver lock held by the fault path
    flt,          \* [Devices -> fault state] (hmm.rst loop)
    hit,          \* [Devices -> BOOLEAN] set_seq called since the reader's read_begin
    rdCur,        \* [Devices -> BOOLEAN] reader's seq equals the current pass's seq
    sub,          \* [Devices -> {"none", "deferred", "tree"}] the interval subscription
    ghost,        \* history flags for the rules that are about steps, not states
    excl,         \* [Pages -> {0} \cup Devices]: the owner of a device-exclusive entry (0: none)
    inProg        \* [Devices -> Nat]: a full-mm listener's in_progress count (KVM)

vars == <<pte, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active, passOdd,
          inPassHit, dpte, lock, flt, hit, rdCur, sub, ghost, excl, inProg>>

(***************************************************************************)
(* Why the sequence number is abstracted (and why this is sound).          *)
(* Kernel: mm->invalidate_seq starts at 2, becomes odd (seq |= 1) when a   *)
(* pass hits an interval and goes to the next even value (seq++) when the  *)
(* last active invalidation ends (mn_itree_inv_end).  set_seq stores the   *)
(* pass's odd value into sub->invalidate_seq; read_begin returns s =       *)
(* sub->invalidate_seq after waiting while s == mm seq; read_retry answers *)
(* sub->invalidate_seq != s.  The seq is an unsigned long growing by 2 per *)
(* pass: it never wraps in practice.  A small wrapping counter would wrap  *)
(* back to a reader's s and make read_retry miss a collision: a false      *)
(* counterexample (and an unbounded counter makes the state space          *)
(* infinite).  What read_retry observes is exactly "has set_seq written a  *)
(* value different from s since read_begin": every set_seq after          *)
(* read_begin writes the current or a later pass's value, which differs    *)
(* from s because read_begin only returns when s != mm seq (so s belongs   *)
(* to an earlier pass) -- except under bug M5, where s may equal the       *)
(* current pass's value and set_seq in the same pass writes s again.       *)
(* Hence three booleans per device carry all the information, exactly:    *)
(*   hit[d]       = sub->invalidate_seq != s       (read_retry's answer)   *)
(*   inPassHit[d] = sub->invalidate_seq == mm seq  (read_begin must wait)  *)
(*   rdCur[d]     = s == mm seq                    (only reachable with M5)*)
(* and passOdd = mm seq is odd.                                            *)
(*                                                                         *)
(* Full-mm listeners (MmDevices: a struct mmu_notifier with                *)
(* invalidate_range_start/end, like KVM's kvm_mmu_notifier_invalidate_     *)
(* range_start/end in virt/kvm/kvm_main.c) have no interval subscription:  *)
(* start increments their mmu_invalidate_in_progress (inProg[d]) and tears *)
(* down, end increments mmu_invalidate_seq and decrements in_progress.     *)
(* Their fault path reads the seq (no wait) and retries under its lock     *)
(* while in_progress or the seq moved (mmu_invalidate_retry).  The seq     *)
(* needs no counter for the same reason as above: hit[d] = "the seq moved  *)
(* since the fault read it".  A v7 listener with only ->invalidate_page    *)
(* (PageOnlyDevices) hears no range start/end at all; invalidate_page     *)
(* moves its seq (hit[d]).  HwDevices and the interval devices are the     *)
(* others.                                                                 *)
(***************************************************************************)

\* The devices with an interval subscription (mn_itree_inv_start_range's tree).
IntervalDevices == Devices \ (MmDevices \cup PageOnlyDevices)

(***************************************************************************)
(* Two-pass interval notifiers (Linux 7.2 include/linux/mmu_notifier.h     *)
(* struct mmu_interval_notifier_ops invalidate_start / invalidate_finish;  *)
(* drivers/gpu/drm/xe/xe_userptr.c).  The start pass (under the driver     *)
(* lock: mmu_interval_set_seq) returns a finish; mm/mmu_notifier.c         *)
(* mn_itree_invalidate queues it and, after the tree walk, runs every      *)
(* queued finish (mn_itree_finish_pass) before invalidate_range_start      *)
(* returns -- also after a refused start (-EAGAIN), then mn_itree_inv_end. *)
(* The finish pass tears down (op.fin: the finishes still to run).  A      *)
(* definition, not a CONSTANT, so older models need no change: a two-pass  *)
(* model overrides it in its cfg (TwoPassDevices <- MCTwoPass).            *)
(* Bug two_pass_finish_at_end: finish passes run at invalidate_range_end.  *)
(***************************************************************************)
TwoPassDevices == {}
ASSUME TwoPassDevices \subseteq Devices \ (HwDevices \cup MmDevices \cup PageOnlyDevices)

(***************************************************************************)
(* The huge zero page (transparent_hugepage/use_zero_page; Linux 7.2       *)
(* mm/huge_memory.c do_huge_pmd_anonymous_page: a read fault in an empty   *)
(* huge block of a THP VMA maps the huge zero folio read-only,             *)
(* set_huge_zero_folio).  A definition, not a CONSTANT, so older models    *)
(* are unchanged: 0 means no zero page (every read fault maps a fresh      *)
(* frame, as before); a model overrides it with a frame that is never      *)
(* allocated nor freed (HugeZeroFrame <- MCZero) and reads each page as a  *)
(* huge block.  A write to it is the call site do_huge_zero_wp_pmd (a new  *)
(* THP, MMU_NOTIFY_CLEAR over the PMD, mapped writable); hmm_range_fault's *)
(* write fault on it fails, as on a COW page (it is that call site).       *)
(* Only ZeroPageSites run over a zero-mapped page: the others need a       *)
(* normal folio (change_prot_numa skips the huge zero PMD: change_huge_pmd).*)
(* The same frame stands for the shared (small) zero page that the folio   *)
(* split of MADV_FREE maps zero-filled subpages to (split_folio, below):   *)
(* a spec page is one mapping, of either size; madvise_free_pte_range      *)
(* skips it (vm_normal_folio is NULL for the zero page).                   *)
(***************************************************************************)
HugeZeroFrame == 0
ASSUME HugeZeroFrame \in {0} \cup (Frames \ InitMapped)
ZeroMapped(p) == HugeZeroFrame # 0 /\ pte[p].f = HugeZeroFrame
ZeroPageSites == {"do_huge_zero_wp_pmd", "zap_page_range", "zap_page_range_single", "unmap_vmas",
                  "exit_mmap", "oom_reap_task_mm", "mmap_region", "change_protection",
                  \* UFFDIO_MOVE of the huge zero PMD: moved read-only (move_pages_huge_pmd:
                  \* move_soft_dirty_pmd of the old PMD)
                  "move_pages_huge_pmd",
                  \* MADV_FREE keeps a zero-page PTE (madvise_free_huge_pmd: is_huge_zero_pmd;
                  \* madvise_free_pte_range: vm_normal_folio is NULL)
                  "madvise_free_single_vma"}

(***************************************************************************)
(* mremap breaks the KSM pages it moves, before the move: Linux 7.2        *)
(* mm/mremap.c move_vma -> prep_move_vma, linux-6.12 and linux-6.1         *)
(* mm/mremap.c move_vma: ksm_madvise(vma, old_addr, old_addr + old_len,    *)
(* MADV_UNMERGEABLE, ..) before copy_vma (7.2: copy_vma_and_data) and      *)
(* move_page_tables; mm/ksm.c ksm_madvise -> break_ksm (a VM_MERGEABLE VMA *)
(* with an anon_vma) faults each KSM page of the range (7.2                *)
(* break_ksm_pmd_entry: folio_test_ksm of a present PTE), and              *)
(* mm/memory.c do_wp_page never reuses a KSM folio                          *)
(* (wp_can_reuse_anon_folio: folio_test_ksm) but copies it: the call site  *)
(* wp_page_copy, MMU_NOTIFY_CLEAR over the page (v7: MMU_MIGRATE), all     *)
(* under mremap's mmap_write_lock.  linux-6.12 and 7.2 break_ksm fault     *)
(* with FAULT_FLAG_UNSHARE: the copy is mapped with vm_page_prot           *)
(* (read-only in a private VMA, the soft-dirty bit kept: wp_page_copy's    *)
(* unshare branch); linux-6.1 (and the seed's kernels) with                *)
(* FAULT_FLAG_WRITE: maybe_mkwrite(pte_mkdirty()), writable in a writable  *)
(* VMA.  Definitions, not CONSTANTs, so older models are unchanged: off,   *)
(* ksm stays empty and the mremap moves the page as it is.  A model turns  *)
(* it on (MremapBreakKsm <- MCTrue) and may start with pages KSM merged    *)
(* before it starts (InitKsm: read-only on their own frame, which is a KSM *)
(* page); replace_page makes its kpage one.  The spec's mremap is one page *)
(* (move_page_tables is a SinglePageSite): at most one break, then the     *)
(* move (phase "unmerged" between the two brackets, the lock held).  An    *)
(* OOM in the copy (-ENOMEM from prep_move_vma) is left out: the mremap    *)
(* starts only with a free frame.                                          *)
(***************************************************************************)
MremapBreakKsm == FALSE
InitKsm == {}
(***************************************************************************)
(* A CPU write fault on a KSM page copies it, even one mapped once (after  *)
(* an munmap of its other mapping, or a child's copy): Linux 7.2 and 6.12  *)
(* mm/memory.c do_wp_page -> wp_can_reuse_anon_folio returns false on      *)
(* folio_test_ksm; linux-6.1 mm/memory.c do_wp_page tests the same inline  *)
(* (folio_test_ksm -> goto copy; a KSM page is never PageAnonExclusive:    *)
(* 6.1 mm/ksm.c write_protect_page page_try_share_anon_rmap, replace_page  *)
(* page_add_anon_rmap(.., RMAP_NONE)).  The copy is the wp_page_copy call   *)
(* site (MMU_NOTIFY_CLEAR).  A definition, off by default so older models  *)
(* keep their counts (their write fault copies a page shared with a forked *)
(* child only); on (KsmWriteCopies <- MCTrue), ksm is tracked as for       *)
(* MremapBreakKsm.  reference/Config.cs MmConfig.KsmWriteCopies.           *)
(***************************************************************************)
KsmWriteCopies == FALSE
TracksKsm == MremapBreakKsm \/ KsmWriteCopies
ASSUME MremapBreakKsm \in BOOLEAN /\ KsmWriteCopies \in BOOLEAN /\ InitKsm \subseteq InitMapped
\* The KSM pages of the range break_ksm faults (a device-exclusive entry is not present).
KsmBreakPages(r) == IF MremapBreakKsm THEN {p \in r : pte[p].f \in ksm /\ excl[p] = 0} ELSE {}
\* break_ksm's copy: FAULT_FLAG_WRITE (linux-6.1 mm/ksm.c break_ksm; the seed's kernels) or
\* FAULT_FLAG_UNSHARE (linux-6.12, 7.2 and 7.3 mm/ksm.c break_ksm), mm/memory.c wp_page_copy.
KsmBreakWrites == Vocabulary \in {"v7", "v7-reviewed", "linux-6.1"}
UnsharePte(o, vmaProt, nf) ==
    IF o.f = 0 THEN o
    ELSE IF KsmBreakWrites THEN [f |-> nf, acc |-> vmaProt, sd |-> TRUE]
    ELSE [f |-> nf, acc |-> Min(vmaProt, 1), sd |-> o.sd]

DevPte == [f : {0} \cup Frames, acc : 0..2, gone : BOOLEAN]
CpuPte == [f : {0} \cup Frames, acc : 0..2, sd : BOOLEAN]

ThreadPhases == {"idle", "start", "started", "flush", "updated", "freed", "notify", "refused",
                 "atomic_map", "refusing", "late_flush", "late_free", "unmerged"}
FaultPhases  == {"idle", "begin", "locked_begin", "walk", "lock", "check", "lock2",
                 "install", "unlock", "unlock_retry"}

IdleThr == [ph |-> "idle", site |-> "none", ev |-> "none", mech |-> "none",
            rng |-> {}, chg |-> {}, todo |-> {}, freeable |-> {}, nf |-> 0,
            prot |-> 0, dst |-> 0, own |-> 0, rhit |-> FALSE, fin |-> {}, mvr |-> {}, mvd |-> 0]
IdleFlt == [ph |-> "idle", p |-> 0, w |-> FALSE, snap |-> DevNone]

TypeOK ==
    /\ pte \in [Pages -> CpuPte]
    /\ vma \in [Pages -> 0..2]
    /\ cow \subseteq Pages /\ childFrames \subseteq Frames /\ free \subseteq Frames
    /\ ksm \subseteq Frames
    /\ data \in [Frames -> Values]
    /\ mmDead \in BOOLEAN /\ budget \in 0..MaxOps
    /\ \A t \in Threads : /\ thr[t].ph \in ThreadPhases
                          /\ thr[t].rng \subseteq Pages /\ thr[t].chg \subseteq Pages
                          /\ thr[t].todo \subseteq Devices /\ thr[t].freeable \subseteq Frames
                          /\ thr[t].fin \subseteq TwoPassDevices
                          /\ thr[t].mvr \subseteq Pages /\ thr[t].mvd \in {0} \cup Pages
    /\ active \in Nat
    /\ passOdd \in BOOLEAN
    /\ inPassHit \in [Devices -> BOOLEAN] /\ hit \in [Devices -> BOOLEAN]
    /\ rdCur \in [Devices -> BOOLEAN] /\ lock \in [Devices -> BOOLEAN]
    /\ sub \in [Devices -> {"none", "deferred", "tree"}]
    /\ dpte \in [Devices -> [Pages -> DevPte]]
    /\ \A d \in Devices : flt[d].ph \in FaultPhases
    /\ ghost \in [coherent : BOOLEAN, softdirty : BOOLEAN, paired : BOOLEAN,
                  covered : BOOLEAN, truthful : BOOLEAN]
    /\ excl \in [Pages -> {0} \cup Devices]
    /\ inProg \in [Devices -> Nat]

Init ==
    /\ pte = [p \in Pages |-> IF p \in InitMapped THEN [f |-> p, acc |-> IF p \in InitKsm THEN 1 ELSE 2, sd |-> TRUE]
                                                 ELSE NonePte]
    /\ vma = [p \in Pages |-> IF p \in InitMapped THEN 2 ELSE 0]
    /\ cow = {} /\ childFrames = {}
    /\ ksm = InitKsm   \* page p starts on frame p
    /\ free = Frames \ (InitMapped \cup {HugeZeroFrame})
    /\ data = [f \in Frames |-> 0]
    /\ mmDead = FALSE /\ budget = MaxOps
    /\ thr = [t \in Threads |-> IdleThr]
    /\ active = 0 /\ passOdd = FALSE
    /\ inPassHit = [d \in Devices |-> FALSE]
    /\ dpte = [d \in Devices |-> [p \in Pages |-> DevNone]]
    /\ lock = [d \in Devices |-> FALSE]
    /\ flt = [d \in Devices |-> IdleFlt]
    /\ hit = [d \in Devices |-> FALSE]
    /\ rdCur = [d \in Devices |-> FALSE]
    /\ sub = [d \in Devices |-> IF d \in InitSubscribed THEN "tree" ELSE "none"]
    /\ ghost = [coherent |-> TRUE, softdirty |-> TRUE, paired |-> TRUE,
                covered |-> TRUE, truthful |-> TRUE]
    /\ excl = [p \in Pages |-> 0]
    /\ inProg = [d \in Devices |-> 0]

MinOf(S) == CHOOSE x \in S : \A y \in S : x <= y
NewFrame == MinOf(free)     \* the allocator's choice (frames are interchangeable)

(***************************************************************************)
(* mmap_lock.  hmm_range_fault runs under mmap_read_lock (hmm.rst; THMM    *)
(* dmirror_range_fault), like a CPU page fault.  fork (dup_mmap), mprotect *)
(* (do_mprotect_pkey), mremap and clear_refs (clear_refs_write:            *)
(* mmap_write_lock_killable) hold mmap_write_lock for the whole call site  *)
(* (R3), so no device fault overlaps them.  munmap takes it for write      *)
(* to detach the VMAs and downgrades it to read before unmap_vmas (Linux   *)
(* 7.2 mm/vma.c vms_complete_munmap_vmas: mmap_write_downgrade, then       *)
(* vms_clear_ptes -> unmap_region -> unmap_vmas, mmap_read_unlock).  zap   *)
(* (MADV_DONTNEED), the OOM reaper and the rmap walks (migration, reclaim, *)
(* writeback, KSM) hold it for read or not at all.                         *)
(***************************************************************************)
MmapWriteSites == {"copy_page_range", "copy_hugetlb_page_range", "change_protection",
                   "move_page_tables", "move_hugetlb_page_tables", "clear_refs_write",
                   \* mmap(MAP_FIXED) over a mapping, 6.12+ (Linux 7.2 mm/vma.c __mmap_setup:
                   \* init_vma_munmap with unlock = false, no downgrade)
                   "mmap_region",
                   \* mprotect of a hugetlb VMA (do_mprotect_pkey -> change_protection ->
                   \* hugetlb_change_protection, Linux 7.2 mm/mprotect.c, mm/hugetlb.c)
                   "hugetlb_change_protection"}
\* Admitted as a writer (the VMAs are detached under mmap_write_lock: VmaBefore),
\* held as a reader from the downgrade on (unmap_vmas, free_pgtables, tlb_finish_mmu).
MmapDowngradeSites == {"unmap_vmas"}
\* (mremap's KSM break runs under mremap's mmap_write_lock: op.mvd # 0)
MmapWriteLocked == \E t \in Threads : thr[t].ph # "idle" /\ (thr[t].site \in MmapWriteSites \/ thr[t].mvd # 0)
\* Call sites that hold mmap_read_lock (or a per-VMA read lock, which the
\* writer's vma_start_write also excludes) for their whole duration: madvise
\* (madvise_lock: MADV_DONTNEED -> zap_page_range, MADV_FREE), the OOM reaper
\* (oom_reap_task: mmap_read_trylock), ksmd
\* (try_to_merge_with_ksm_page: mmap_read_lock around write_protect_page and
\* replace_page), page faults (wp_page_copy, remove_device_exclusive_entry)
\* and make_device_exclusive (mm/rmap.c: "the caller must hold the mmap read
\* lock"; nouveau_atomic_range_fault unlocks it when make_device_exclusive
\* returns, before its read_retry and atomic map: the "atomic_map" phase holds
\* only the folio lock).  The rmap walks (migration,
\* reclaim, writeback: try_to_unmap_one, page_mkclean_one), THP split and
\* truncation's zap_page_range_single take no mmap_lock and may overlap any
\* site.  exit_mmap's mmu_notifier_release runs before it takes mmap_read_lock
\* around unmap_vmas; no user thread is left then (mm_users is 0).
MmapReadSites == {"zap_page_range", "madvise_free_single_vma",
                  "split_folio",      \* inside MADV_FREE's walk (madvise_free_pte_range)
                  "oom_reap_task_mm", "write_protect_page", "replace_page",
                  "wp_page_copy", "remove_device_exclusive_entry", "make_device_exclusive",
                  "uffd_wp_range",    \* mm/userfaultfd.c mwriteprotect_range: mmap_read_lock
                  "change_prot_numa", \* kernel/sched/fair.c task_numa_work: mmap_read_trylock
                  "do_pagemap_scan",  \* fs/proc/task_mmu.c do_pagemap_scan: mmap_read_lock_killable
                  "move_pages_ptes",  \* mm/userfaultfd.c move_pages: uffd_move_lock (read or per-VMA)
                  "move_pages_huge_pmd", \* the same ioctl, a whole THP (mm/huge_memory.c)
                  "hugetlb_wp",       \* page fault (hugetlb_fault: per-VMA or mmap read lock)
                  "do_huge_zero_wp_pmd"} \* page fault (do_huge_pmd_wp_page)
\* mmap_lock admits a new call site: a writer waits for every holder, a reader
\* for a writer.  Without this two mprotects of one page would interleave and
\* the first one's consult-vma listener would read the second one's
\* protection (a false NoStaleDeviceMapping counterexample, MCLargeConcurrent).
MmapLockAdmits(site) ==
    /\ site \in MmapWriteSites \cup MmapDowngradeSites =>
         ~\E u \in Threads : /\ thr[u].ph \notin {"idle", "atomic_map"}
                             /\ thr[u].site \in MmapWriteSites \cup MmapReadSites \cup MmapDowngradeSites
    /\ site \in MmapReadSites => ~MmapWriteLocked

(***************************************************************************)
(* mmu_gather (Linux 7.2 include/asm-generic/tlb.h, mm/mmu_gather.c): the  *)
(* zap paths clear PTEs into an mmu_gather inside the notifier bracket;     *)
(* the TLB flush (which calls arch_invalidate_secondary_tlbs, e.g. x86     *)
(* flush_tlb_mm_range) and then the freeing of the gathered pages run in   *)
(* tlb_finish_mmu, after invalidate_range_end (mm/vma.c unmap_region:      *)
(* unmap_vmas, free_pgtables, tlb_finish_mmu; mm/memory.c                  *)
(* zap_vma_for_reaping, unmap_mapping_range_tree; mm/madvise.c             *)
(* madvise_finish_tlb for MADV_DONTNEED and MADV_FREE), or earlier, inside *)
(* the bracket, when the batch fills (tlb_remove_page -> tlb_flush_mmu:    *)
(* flush, then free) or at a VMA boundary (tlb_end_vma flushes without    *)
(* freeing where CONFIG_MMU_GATHER_MERGE_VMAS is off, e.g. arm64).  Pages  *)
(* are freed only after the flush.  mprotect (do_mprotect_pkey),           *)
(* UFFDIO_WRITEPROTECT (uffd_wp_range) and clear_refs (flush_tlb_mm after  *)
(* the end) flush late too.  These sites may therefore end before their    *)
(* flush ("late_flush") or before freeing ("late_free").                  *)
(***************************************************************************)
LateFlushSites == {"unmap_vmas", "zap_page_range", "zap_page_range_single",
                   "madvise_free_single_vma", "oom_reap_task_mm", "exit_mmap",
                   "change_protection", "uffd_wp_range", "clear_refs_write", "change_prot_numa",
                   "mmap_region",   \* vms_clear_ptes -> unmap_region: tlb_finish_mmu
                   \* hugetlbfs truncate / hole punch (Linux 7.2 mm/hugetlb.c unmap_hugepage_range:
                   \* invalidate_range_end, then tlb_finish_mmu).  Not late: hugetlb_change_protection
                   \* (tlb_flush_mmu_tlbonly before the end), hugetlb_wp, do_huge_zero_wp_pmd and
                   \* move_pages_huge_pmd (huge_ptep_clear_flush / pmdp_huge_clear_flush inside),
                   \* wp_clean_pre_vma (wp_clean_post_vma: flush_tlb_range, then the end)
                   "unmap_hugepage_range"}

\* Phases in which an invalidation has started (start returned) and not ended.
StartedPhases == {"started", "flush", "updated", "freed"}
Covered(p) == \E u \in Threads : /\ thr[u].ph \in StartedPhases
                                 /\ thr[u].mech \in {"range", "nonblock", "release"}
                                 /\ p \in thr[u].rng

\* The one allowed stale window (rules.md NoStaleDeviceMapping): a hardware
\* secondary TLB between pte_update and the tlb_flush of the same PTL section.
\* With mmu_gather the flush may come after invalidate_range_end (late_flush).
HwWindow(d, p) == d \in HwDevices /\ \E t \in Threads : thr[t].ph \in {"flush", "late_flush"} /\ p \in thr[t].chg

Ev(site, prot) ==
    IF "mprotect_none_as_write_protect" \in Bugs /\ site = "change_protection" /\ prot = 0
    THEN "MMU_WRITE_PROTECT" ELSE EventOf(Vocabulary, site, prot)

(***************************************************************************)
(* mmu_interval_set_seq (HDR: "must be called unconditionally from the    *)
(* invalidate callback ... under the same lock" as read_retry), folded    *)
(* into the callback step that holds the driver lock.                      *)
(***************************************************************************)
SetSeq(d, inPass) ==
    IF "skip_set_seq" \in Bugs
    THEN UNCHANGED <<hit, inPassHit>>
    ELSE /\ hit' = [hit EXCEPT ![d] = IF rdCur[d] THEN hit[d] ELSE TRUE]
         /\ inPassHit' = [inPassHit EXCEPT ![d] = inPassHit[d] \/ inPass]

(***************************************************************************)
(* mn_itree_inv_end (C-MM): --active; when it reaches 0 and seq is odd,   *)
(* seq++ (the pass ends, readers sleeping in read_begin wake up).         *)
(***************************************************************************)
InvEnd ==
    /\ active' = IF active > 0 THEN active - 1 ELSE 0
    /\ IF active' = 0 \/ "pass_end_early" \in Bugs
       THEN /\ passOdd' = FALSE
            /\ inPassHit' = [d \in Devices |-> FALSE]
            /\ rdCur' = [d \in Devices |-> FALSE]
            \* mn_itree_inv_end applies the deferred inserts once the pass ends
            /\ sub' = [d \in Devices |-> IF sub[d] = "deferred" THEN "tree" ELSE sub[d]]
       ELSE UNCHANGED <<passOdd, inPassHit, rdCur, sub>>

(***************************************************************************)
(* Preconditions of a call site on range r (what makes it meaningful).    *)
(***************************************************************************)
\* The folio of page p is locked by a make_device_exclusive in flight: from
\* before its invalidation until the driver's atomic map (lib/test_hmm.c
\* dmirror_exclusive: folio_unlock after dmirror_atomic_map).
FolioLocked(p) == \E u \in Threads : thr[u].site = "make_device_exclusive" /\ p \in thr[u].rng
\* Sites that lock the folio (folio_lock / folio_trylock) before changing the PTE.
FolioLockSites == {"make_device_exclusive", "remove_device_exclusive_entry", "migrate_pages", "migrate_vma_collect",
                   "split_folio",   \* madvise_free_huge_pmd: folio_trylock before split_folio
                   "try_to_unmap_one", "page_mkclean_one", "write_protect_page", "replace_page"}
\* Sites run on a device-exclusive entry: the restore, and those that change or
\* drop a non-present entry as such (change_pte_range keeps it, with the new
\* protection; zap_nonpresent_ptes drops it).
ExclusiveEntrySites == {"remove_device_exclusive_entry", "change_protection", "uffd_wp_range", "split_huge_page",
                        "unmap_vmas", "zap_page_range", "zap_page_range_single",
                        "oom_reap_task_mm", "exit_mmap"}

\* What the mm needs of call site `site` on range r in a state, apart from the model's own choices
\* (Applicable adds those: the lock order of its threads, one page for single-page sites, a free
\* frame, a destination, some page mapped): trace validation imposes it at every start line
\* (trace/TraceNotifierSpec.tla IsStart), so a reference start the mm could not make is rejected.
SiteApplicable(site, r) ==
    \* a COW (wp_page_copy; hugetlb_wp: a hugetlb page) copies a mapped page of a writable VMA
    /\ site \in {"wp_page_copy", "hugetlb_wp"} => \A p \in r : vma[p] = 2 /\ pte[p].f # 0
    \* a write fault on the huge zero page in a writable VMA (do_huge_pmd_wp_page)
    /\ site = "do_huge_zero_wp_pmd" => \A p \in r : ZeroMapped(p) /\ vma[p] = 2
    /\ \A p \in r : ZeroMapped(p) => site \in ZeroPageSites
    /\ site = "replace_page"     => \A p \in r : pte[p].f # 0 /\ pte[p].acc <= 1
    \* the folio split of MADV_FREE: r is a PMD-mapped THP (every page present), mapped
    \* by this mm only (madvise_free_huge_pmd: folio_maybe_mapped_shared skips it)
    /\ site = "split_folio" => \A p \in r : pte[p].f # 0 /\ p \notin cow
    \* task_numa_work scans only accessible VMAs (vma_is_accessible)
    /\ site = "change_prot_numa" => \A p \in r : vma[p] >= 1
    \* make_device_exclusive (mm/rmap.c) takes a private anonymous page the caller
    \* faulted in writable (its GUP is FOLL_WRITE; the reference asks for it),
    \* locks the folio and keeps it locked until the driver programmed its entry
    /\ site = "make_device_exclusive" =>
         \A p \in r : vma[p] = 2 /\ pte[p].f # 0 /\ pte[p].acc = 2 /\ p \notin cow /\ excl[p] = 0
    \* remove_device_exclusive_entry (mm/memory.c do_swap_page): a fault on a
    \* device-exclusive entry; folio_lock_or_retry waits for make_device_exclusive
    /\ site = "remove_device_exclusive_entry" => \A p \in r : excl[p] # 0
    \* migrate_vma_collect (linux-7.2 mm/migrate_device.c migrate_vma_collect_pmd, from
    \* lib/test_hmm.c dmirror_migrate_to_device): a present private anonymous page, not
    \* shared with a child (the cross-mm try_to_migrate is not modelled), mapped readable
    /\ site = "migrate_vma_collect" =>
         \A p \in r : vma[p] = 2 /\ pte[p].f # 0 /\ pte[p].acc >= 1 /\ p \notin cow /\ excl[p] = 0
    /\ site \in FolioLockSites => \A p \in r : ~FolioLocked(p)
    \* a device-exclusive entry is not present: sites that need the page itself
    \* (COW, migration, rmap walks, KSM, fork's copy) are not run on it here
    /\ \A p \in r : excl[p] # 0 => site \in ExclusiveEntrySites

Applicable(site, r, dst) ==
    /\ MmapLockAdmits(site)
    /\ (site \in SinglePageSites) => Cardinality(r) = 1
    /\ (site \in AllocSites) => free # {}
    /\ (site \in MoveSites) = (dst # 0)
    /\ IF site = "exit_mmap" THEN r = Pages
       ELSE \E p \in r : pte[p].f # 0
    \* COW of a page shared with the child (hugetlb_wp: a hugetlb page of a private mapping),
    \* or (KsmWriteCopies) of a read-only KSM page, however often it is mapped
    /\ site \in {"wp_page_copy", "hugetlb_wp"} =>
         \A p \in r : \/ p \in cow
                     \/ (site = "wp_page_copy" /\ KsmWriteCopies /\ pte[p].f \in ksm /\ pte[p].acc < 2)
    /\ site \in MremapSites => dst \notin r /\ vma[dst] = 0 /\ pte[dst].f = 0
    \* UFFDIO_MOVE (mm/userfaultfd.c validate_move_areas, move_pages_ptes): both VMAs
    \* exist with the same access (here read-write), the destination PTE is empty,
    \* the source page is present and not shared (folio_maybe_mapped_shared: -EBUSY);
    \* a whole THP moves by move_pages_huge_pmd (mm/huge_memory.c, 7.2: an empty
    \* destination PMD, the folio PageAnonExclusive, else -EBUSY)
    /\ site \in UffdMoveSites =>
         /\ dst \notin r /\ vma[dst] = 2 /\ pte[dst].f = 0
         /\ \A p \in r : vma[p] = 2 /\ p \notin cow
    /\ SiteApplicable(site, r)

\* Bug move_huge_pmd_no_notify (the reference's MoveHugePmdNoNotify): UFFDIO_MOVE of a
\* whole THP clears the source PMD and maps the destination with no notifier call at all
\* (Linux 7.2 mm/huge_memory.c move_pages_huge_pmd without its mmu_notifier_range_init /
\* invalidate_range_start / invalidate_range_end): no range, no listener, no seq change.
Unnotified(site) == "move_huge_pmd_no_notify" \in Bugs /\ site = "move_pages_huge_pmd"

NewOp(site, r, prot, dst, ph) ==
    LET nrng == IF Unnotified(site) THEN {} ELSE IF "narrow_range" \in Bugs THEN {MinOf(r)} ELSE r
        nf   == IF site \in AllocSites THEN NewFrame ELSE 0
        inTree == {d \in Devices : sub[d] = "tree"}
        \* a ->invalidate_page-only listener has no range start/end callbacks
        todo == CASE Unnotified(site) -> {}
                  [] MechOf(Vocabulary, site) = "release" -> inTree
                  [] MechOf(Vocabulary, site) = "page"    -> inTree \ HwDevices
                  [] OTHER -> inTree \ (HwDevices \cup PageOnlyDevices)
    IN [ph |-> IF ph = "start" /\ todo = {} THEN "started" ELSE ph,   \* no start/end listener
        site |-> site, ev |-> Ev(site, prot), mech |-> MechOf(Vocabulary, site),
        rng |-> nrng, chg |-> IF dst # 0 THEN r \cup {dst} ELSE r, todo |-> todo,
        freeable |-> {}, nf |-> nf, prot |-> prot, dst |-> dst, own |-> 0, rhit |-> FALSE, fin |-> {},
        mvr |-> {}, mvd |-> 0]

\* VMA changes made before the notifier is called: mprotect_fixup sets
\* vm_flags before change_protection; munmap detaches the VMAs before
\* unmap_region; mremap's copy_vma creates the destination VMA first.
VmaBefore(site, r, prot, dst) ==
    CASE site \in {"change_protection", "hugetlb_change_protection"} -> [p \in Pages |-> IF p \in r THEN prot ELSE vma[p]]
      [] site = "unmap_vmas"       -> [p \in Pages |-> IF p \in r THEN 0 ELSE vma[p]]
      [] site \in MremapSites     -> [vma EXCEPT ![dst] = vma[MinOf(r)]]
      [] OTHER                     -> vma

\* The owner a call site passes with mmu_notifier_range_init_owner: the
\* device whose driver calls make_device_exclusive with itself as owner, as
\* nouveau does (linux-7.2 drivers/gpu/drm/nouveau/nouveau_svm.c
\* nouveau_atomic_range_fault: make_device_exclusive(mm, start, drm->dev, ..);
\* nouveau_svm_range_invalidate skips that event). lib/test_hmm.c
\* dmirror_exclusive passes NULL instead (linux-7.2: make_device_exclusive(mm,
\* addr, NULL, &folio)) and is not modelled here (reference/ scenario
\* exclusive_dmirror). NULL (0) for every other call site, the restore
\* included (mm/memory.c remove_device_exclusive_entry).
OwnersOf(site) == CASE site = "make_device_exclusive"
                       -> {d \in Devices \ (HwDevices \cup PageOnlyDevices) : sub[d] = "tree"}
                  \* device-private migration: the pgmap owner, a dmirror (an interval listener)
                  [] site = "migrate_vma_collect" -> {d \in IntervalDevices \ HwDevices : sub[d] = "tree"}
                  [] OTHER -> {0}

(***************************************************************************)
(* CPU side: invalidate_range_start (HDR; C-MM mn_itree_inv_start_range:  *)
(* active++, seq |= 1 when an interval overlaps -- every device interval  *)
(* covers the whole address space here, like dmirror's).                   *)
(***************************************************************************)
BeginOp(t, mech) ==
    \E site \in EnabledSites, prot \in Prots, dst \in Pages \cup {0} :
      \E r \in (IF site = "exit_mmap" THEN {Pages} ELSE Ranges), own \in OwnersOf(site) :
        /\ thr[t].ph = "idle" /\ budget > 0 /\ ~mmDead
        /\ MechOf(Vocabulary, site) = mech
        /\ (site \notin {"change_protection", "hugetlb_change_protection", "mmap_region"}) => prot = MinOf(Prots)
        /\ Applicable(site, r, dst)
        \* the owner's mmu_interval_read_begin before make_device_exclusive sleeps
        \* while a running pass hit its interval
        /\ own # 0 => ~inPassHit[own]
        \* HMM_DMIRROR_MIGRATE_TO_DEV runs on the device's one thread (as in reference/): no
        \* fault of the owner is in flight (see MigratingOwner)
        /\ site = "migrate_vma_collect" => flt[own].ph = "idle"
        \* mremap over a KSM page breaks it first (MremapBreakKsm): the first bracket is
        \* break_ksm's wp_page_copy (which allocates its copy), the move waits ("unmerged")
        /\ site = "move_page_tables" /\ KsmBreakPages(r) # {} => free # {}
        /\ LET brk == KsmBreakPages(r)
               op == IF site = "move_page_tables" /\ brk # {}
                     THEN [NewOp("wp_page_copy", {MinOf(brk)}, prot, 0, "start") EXCEPT !.mvr = r, !.mvd = dst]
                     ELSE [NewOp(site, r, prot, dst, "start") EXCEPT !.own = own] IN
           /\ thr' = [thr EXCEPT ![t] = op]
           /\ vma' = VmaBefore(op.site, r, prot, dst)
           /\ free' = free \ {op.nf}
           /\ mmDead' = (site = "exit_mmap")
        /\ budget' = budget - 1
        /\ active' = IF Unnotified(site) THEN active ELSE active + 1
        \* mn_itree_inv_start_range: seq |= 1 when an interval overlaps the range
        /\ passOdd' = IF Unnotified(site) THEN passOdd ELSE (passOdd \/ \E d \in IntervalDevices : sub[d] = "tree")
        /\ UNCHANGED <<pte, excl, inProg, cow, childFrames, ksm, data, inPassHit, dpte, lock, flt, hit, rdCur, sub, ghost>>

\* mremap after its KSM break (phase "unmerged", mmap_write_lock held since): copy_vma
\* (VmaBefore) and move_page_tables' bracket over the range (Linux 7.2 mm/mremap.c move_vma:
\* prep_move_vma, then copy_vma_and_data -> move_page_tables).  No page of the range became
\* a KSM page meanwhile (ksmd's replace_page takes mmap_read_lock).
MoveAfterKsmBreak(t) ==
    LET m  == thr[t]
        op == NewOp("move_page_tables", m.rng, MinOf(Prots), m.dst, "start")
    IN /\ thr' = [thr EXCEPT ![t] = op]
       /\ vma' = VmaBefore("move_page_tables", m.rng, MinOf(Prots), m.dst)
       /\ active' = active + 1
       /\ passOdd' = (passOdd \/ \E d \in IntervalDevices : sub[d] = "tree")
       /\ UNCHANGED <<pte, excl, inProg, cow, childFrames, ksm, free, data, mmDead, budget, inPassHit, dpte,
                      lock, flt, hit, rdCur, sub, ghost>>

invalidate_range_start(t) == \/ thr[t].ph = "idle" /\ BeginOp(t, "range")
                             \/ thr[t].ph = "unmerged" /\ MoveAfterKsmBreak(t)
\* OOM reaper (mm/oom_kill.c __oom_reap_task_mm): non-blockable start.
invalidate_range_start_nonblock(t) == /\ thr[t].ph = "idle" /\ BeginOp(t, "nonblock")
\* exit_mmap -> mmu_notifier_release (R12; C-MM mn_itree_release: one
\* blocking invalidation with MMU_NOTIFY_RELEASE over [0, ULONG_MAX)).
exit_mmap(t) == /\ thr[t].ph = "idle" /\ BeginOp(t, "release")

(***************************************************************************)
(* One listener's callback under its driver lock (THMM                    *)
(* dmirror_interval_invalidate: lock, set_seq, update the device page     *)
(* table per the reaction, unlock, return true).  Blocking callers wait   *)
(* for the lock (mutex_lock).                                              *)
(***************************************************************************)
\* Owner filtering: a listener returns at once from an MMU_NOTIFY_EXCLUSIVE
\* (or _MIGRATE) invalidation its own driver started, before set_seq
\* (drivers/gpu/drm/nouveau/nouveau_svm.c nouveau_svm_range_invalidate:
\* "range->event == MMU_NOTIFY_EXCLUSIVE && range->owner == ...drm->dev";
\* lib/test_hmm.c dmirror_interval_invalidate for MMU_NOTIFY_MIGRATE).  Bug
\* owner_filter_all (kernel-facts.md UP-POLICY): every listener skips any event
\* that carries an owner, so a mirror keeps a page another device took.
OwnerSkips(op, d) ==
    \/ /\ op.own # 0 /\ op.ev \in {"MMU_NOTIFY_EXCLUSIVE", "MMU_NOTIFY_MIGRATE"}
       /\ op.own = d \/ "owner_filter_all" \in Bugs
    \* bug migrate_skip_any_owner: dmirror_interval_invalidate without its owner check
    \/ "migrate_skip_any_owner" \in Bugs /\ op.ev = "MMU_NOTIFY_MIGRATE"

\* The listener's sequence bookkeeping: an interval's set_seq; a full-mm
\* listener's start increments in_progress (kvm_mmu_invalidate_begin) and
\* its v7 ->invalidate_page moves its seq, as does a page-only listener's.
SeqOnCallback(d, op) ==
    IF d \in IntervalDevices
    THEN SetSeq(d, op.mech # "page") /\ UNCHANGED inProg
    ELSE /\ inProg' = [inProg EXCEPT ![d] = IF op.mech \in {"range", "nonblock"}
                                             THEN inProg[d] + 1 ELSE inProg[d]]
         /\ hit' = [hit EXCEPT ![d] = IF op.mech = "page" THEN TRUE ELSE hit[d]]
         /\ UNCHANGED inPassHit

\* A driver programs its device-exclusive entry inside an interval read
\* section (make_device_exclusive kernel-doc, mm/rmap.c: "use a mmu notifier
\* critical section to hold a device specific lock during programming";
\* nouveau_atomic_range_fault: notifier_seq = mmu_interval_read_begin, then
\* make_device_exclusive, mutex_lock, mmu_interval_read_retry).  Its own
\* event is filtered, so only another invalidation of its interval retries it.
RHit(other, op, d) == other.own = d /\ ~OwnerSkips(op, d) /\ "skip_set_seq" \notin Bugs

\* A two-pass listener's start pass queues its finish (not for ->release:
\* mn_itree_release runs both passes inside the one release step).
QueuesFinish(op, d) == d \in TwoPassDevices /\ op.mech \in {"range", "nonblock"}
                       /\ ~OwnerSkips(op, d) /\ "two_pass_finish_at_end" \notin Bugs

Callback(t, d) ==
    LET op == thr[t]
        r  == Policy[d][op.ev]
        fin == IF QueuesFinish(op, d) THEN op.fin \cup {d} ELSE op.fin
    IN /\ IF OwnerSkips(op, d)
          THEN UNCHANGED <<dpte, hit, inPassHit, inProg>>
          ELSE /\ dpte' = IF d \in TwoPassDevices /\ op.mech \in {"range", "nonblock"} THEN dpte
                          ELSE [dpte EXCEPT ![d] = [p \in Pages |->
                             IF p \in op.rng THEN React(r, dpte[d][p], vma[p]) ELSE dpte[d][p]]]
               /\ SeqOnCallback(d, op)
       \* the callback's set_seq also answers the read_retry of a make_device_exclusive
       \* in flight whose owner is d (RHit)
       /\ thr' = [u \in Threads |->
                   IF u = t
                   THEN IF op.todo = {d} /\ op.ph = "notify" THEN IdleThr
                        ELSE [op EXCEPT !.todo = op.todo \ {d}, !.fin = fin,
                                        !.ph = IF op.todo = {d} /\ fin = {} THEN "started" ELSE op.ph]
                   ELSE IF RHit(thr[u], op, d) THEN [thr[u] EXCEPT !.rhit = TRUE] ELSE thr[u]]
       /\ UNCHANGED <<active, passOdd, rdCur, sub>>

\* Non-blockable call with the driver lock held: mutex_trylock fails, the
\* callback returns false, mn_itree_invalidate stops with -EAGAIN and runs
\* mn_itree_inv_end itself; the caller skips the range and must not call end
\* (R1, R2; HDR mmu_notifier_invalidate_range_start_nonblock; c2655835fd8c).
RefuseEnd(t) ==
    /\ IF "no_end_after_refusal" \in Bugs
       THEN UNCHANGED <<active, passOdd, inPassHit, rdCur, sub>>
       ELSE InvEnd
    /\ thr' = [thr EXCEPT ![t] = IF "end_after_refused_start" \in Bugs
                                 THEN [thr[t] EXCEPT !.ph = "refused", !.todo = {}]
                                 ELSE IdleThr]

\* mn_itree_invalidate on -EAGAIN: the finishes already queued still run
\* (mn_itree_finish_pass), then mn_itree_inv_end (RefuseEnd, after the last).
Refuse(t) ==
    /\ IF thr[t].fin = {} THEN RefuseEnd(t)
       ELSE /\ thr' = [thr EXCEPT ![t] = [thr[t] EXCEPT !.ph = "refusing", !.todo = {}]]
            /\ UNCHANGED <<active, passOdd, inPassHit, rdCur, sub>>
    /\ UNCHANGED <<dpte, hit, inProg>>

\* __mmu_notifier_invalidate_range_start (C-MM) calls the interval tree
\* (mn_itree_invalidate) first and returns on -EAGAIN; the full-mm listeners
\* (mn_hlist_invalidate_range_start) come after.  A full-mm listener's start
\* takes its own lock (KVM: KVM_MMU_LOCK, a spinlock) and never refuses.
invalidate(t, d) ==
    /\ thr[t].ph \in {"start", "notify"} /\ d \in thr[t].todo
    /\ thr[t].mech \in {"range", "nonblock", "page"}
    /\ d \in MmDevices /\ thr[t].mech # "page" => thr[t].todo \subseteq MmDevices
    /\ d \in MmDevices => thr[t].fin = {}   \* the finish passes run before the full-mm starts
    /\ IF OwnerSkips(thr[t], d) THEN Callback(t, d)
       ELSE IF thr[t].mech = "nonblock" /\ lock[d] /\ d \notin MmDevices
       THEN Refuse(t)
       ELSE ~lock[d] /\ Callback(t, d)
    /\ UNCHANGED <<pte, excl, vma, cow, childFrames, ksm, free, data, mmDead, budget, lock, flt, ghost>>

\* A queued invalidate_finish (mn_itree_finish_pass), once the interval walk
\* is done (every interval callback ran, or one refused); it takes the
\* driver lock (xe_vma_userptr_invalidate_finish: down_write) and tears down.
invalidate_finish(t, d) ==
    LET op == thr[t] IN
    /\ op.ph \in {"start", "refusing"} /\ d \in op.fin
    /\ op.todo \cap IntervalDevices = {}
    /\ ~lock[d]
    /\ dpte' = [dpte EXCEPT ![d] = [p \in Pages |->
                  IF p \in op.rng THEN React(Policy[d][op.ev], dpte[d][p], vma[p]) ELSE dpte[d][p]]]
    /\ IF op.ph = "refusing" /\ op.fin = {d}
       THEN RefuseEnd(t)
       ELSE /\ thr' = [thr EXCEPT ![t] = [op EXCEPT !.fin = op.fin \ {d},
                                  !.ph = IF op.fin = {d} /\ op.todo = {} /\ op.ph = "start"
                                         THEN "started" ELSE op.ph]]
            /\ UNCHANGED <<active, passOdd, inPassHit, rdCur, sub>>
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, lock, flt, hit, ghost>>

\* ->release / MMU_NOTIFY_RELEASE: tear down and freeze the mirror (R12).
release(t, d) ==
    /\ thr[t].ph = "start" /\ d \in thr[t].todo /\ thr[t].mech = "release"
    /\ ~lock[d]
    /\ Callback(t, d)
    /\ UNCHANGED <<pte, excl, vma, cow, childFrames, ksm, free, data, mmDead, budget, lock, flt, ghost>>

\* make_device_exclusive takes the CPU's access away (the PTE becomes a
\* non-present entry): a change that must be notified, like a clear.
TakesAway(op, p) == op.site = "make_device_exclusive" /\ pte[p].f # 0

(***************************************************************************)
(* The folio split of MADV_FREE over part of a PMD-mapped THP (site        *)
(* split_folio; Linux 7.2 mm/madvise.c madvise_free_single_vma ->          *)
(* madvise_free_pte_range -> mm/huge_memory.c madvise_free_huge_pmd:       *)
(* next - addr != HPAGE_PMD_SIZE -> split_folio -> __folio_split ->        *)
(* unmap_folio -> try_to_migrate with TTU_SPLIT_HUGE_PMD -> mm/rmap.c      *)
(* try_to_migrate_one: MMU_NOTIFY_CLEAR over the folio, [address,          *)
(* vma_address_end), which reaches beyond the madvise range; inside it     *)
(* split_huge_pmd_locked with freeze turns every subpage into a migration  *)
(* entry (pmdp_invalidate flushes the TLB under the PTL).  After           *)
(* invalidate_range_end, remap_page -> remove_migration_ptes maps each     *)
(* subpage back, a zero-filled one as the shared zero page, read-only      *)
(* (vm_page_prot of a private mapping), soft-dirty kept                    *)
(* (TTU_USE_SHARED_ZEROPAGE: mm/migrate.c try_to_map_unused_to_zeropage,   *)
(* pages_identical with ZERO_PAGE(0); 6.12 RMP_USE_SHARED_ZEROPAGE; not in *)
(* linux-6.1, where every subpage is mapped back), and the zero-filled     *)
(* subpages are freed.  The kernel nests this bracket in madvise_free's    *)
(* (one pass: read_begin sleeps through both); the spec runs it as a site  *)
(* of its own, and a thread runs one bracket at a time, so the nested      *)
(* order is an interleaving of two threads (MCMadviseFreeSplitSafe runs    *)
(* two; the trace spec a nested split on its second, NestedStart).  The   *)
(* migration entries and the remap are folded into the bracket's one PTE  *)
(* step: while a subpage is a migration entry no fault maps it (a CPU     *)
(* fault and hmm_range_fault wait in migration_entry_wait, mm/hmm.c        *)
(* hmm_vma_handle_pte: -EBUSY), so                                         *)
(* what a listener or a device can see of the split is the old PTE before *)
(* the step and the remapped one after.  A model without a zero frame      *)
(* (HugeZeroFrame = 0) maps every subpage back, as linux-6.1 does.         *)
(***************************************************************************)
SplitMapsZeroPage == HugeZeroFrame # 0 /\ Vocabulary # "linux-6.1"
SplitPte(p) ==
    IF pte[p].f # 0 /\ SplitMapsZeroPage /\ data[pte[p].f] = 0
    THEN [f |-> HugeZeroFrame, acc |-> Min(vma[p], 1), sd |-> pte[p].sd]
    ELSE pte[p]

(***************************************************************************)
(* pte_update: the PTE changes under the page-table lock.  Without        *)
(* hardware secondary TLBs the TLB flush of the same PTL section is        *)
(* folded in; with them, tlb_flush is its own step (below).                *)
(* For range call sites it runs once start has returned (R5, R6).          *)
(* For v7's invalidate_page call sites (rmap.c page_mkclean_one,           *)
(* try_to_unmap_one) it runs FIRST: the listener is told after            *)
(* pte_unmap_unlock (B1, M1).                                              *)
(* Checks RangeCoversChange and TruthfulEvent on the change.               *)
(***************************************************************************)
ApplyPte(t, op) ==
    LET src  == MinOf(op.chg \ {op.dst})
        \* UFFDIO_MOVE maps the page writable and dirty at the destination
        \* (move_present_ptes: pte_mkwrite(pte_mkdirty(...)), soft-dirty set)
        \* (it rechecks the destination under the PTL: a page faulted in there
        \* meanwhile makes the move fail with -EEXIST, move_pages_ptes)
        New(p) == IF op.site \in MoveSites
                  THEN (IF op.site \in UffdMoveSites /\ pte[op.dst].f # 0 THEN pte[p]
                        ELSE IF p # op.dst THEN NonePte
                        ELSE IF op.site \in UffdMoveSites /\ pte[src].f # 0 /\ ~ZeroMapped(src)
                        THEN [pte[src] EXCEPT !.acc = 2, !.sd = TRUE] ELSE pte[src])
                  ELSE IF op.site = "split_folio" THEN SplitPte(p)
                  \* mremap's KSM break (break_ksm's fault: wp_page_copy, UnsharePte)
                  ELSE IF op.mvd # 0 THEN UnsharePte(pte[p], vma[p], op.nf)
                  ELSE SitePte(op.site, pte[p], op.prot, op.nf)
        newPte == [p \in Pages |-> IF p \in op.chg THEN New(p) ELSE pte[p]]
        \* frames that lost a mapping; plus the allocated page if the source page
        \* vanished meanwhile (a concurrent zap): the call site then releases it
        gone == {pte[p].f : p \in {q \in op.chg : pte[q].f # 0 /\ newPte[q].f # pte[q].f}}
                \cup (IF op.nf # 0 /\ pte[src].f = 0 THEN {op.nf} ELSE {})
        ph2 == IF HwDevices # {} THEN "flush"
               ELSE IF gone = {} THEN (IF op.mech = "page" THEN "notify" ELSE "freed") ELSE "updated"
    IN /\ pte' = newPte
       /\ ghost' = [ghost EXCEPT
                      !.covered  = ghost.covered /\
                                   \A p \in op.chg : NeedsNotify(pte[p], newPte[p]) \/ TakesAway(op, p)
                                                      => Covered(p),
                      !.truthful = ghost.truthful /\
                                   \A p \in op.chg : Allowed(op.ev, pte[p], newPte[p])]
       /\ thr' = [thr EXCEPT ![t] = [op EXCEPT !.ph = ph2, !.freeable = gone]]
       \* make_device_exclusive: set_pte_at(swp_entry_to_pte(make_device_exclusive_entry));
       \* remove_device_exclusive_entry (restore_exclusive_pte) maps the page again;
       \* an entry that is dropped (zap) or whose frame changes is gone
       /\ excl' = [p \in Pages |->
                    CASE p \in op.chg /\ op.site = "make_device_exclusive" /\ newPte[p].f # 0 -> op.own
                      [] p \in op.chg /\ (op.site = "remove_device_exclusive_entry"
                                          \/ newPte[p].f # pte[p].f) -> 0
                      [] OTHER -> excl[p]]
       /\ cow' = CASE op.site \in {"copy_page_range", "copy_hugetlb_page_range"}
                        -> cow \cup {p \in op.chg : pte[p].f # 0}
                   [] op.site \in MoveSites
                        -> IF src \in cow THEN (cow \ {src}) \cup {op.dst} ELSE cow
                   [] OTHER -> {p \in cow : newPte[p].f = pte[p].f}
       \* replace_page's kpage is a KSM page (mm/ksm.c try_to_merge_one_page: folio_set_stable_node
       \* via stable_tree_append); tracked only where mremap breaks KSM pages or a write copies them
       /\ ksm' = IF TracksKsm /\ op.site = "replace_page" /\ newPte[src].f = op.nf /\ op.nf # 0
                 THEN ksm \cup {op.nf} ELSE ksm
       /\ childFrames' = IF op.site \in {"copy_page_range", "copy_hugetlb_page_range"}
                         THEN childFrames \cup {pte[p].f : p \in {q \in op.chg : pte[q].f # 0}}
                         ELSE childFrames
       \* the new page's contents: copied here, or after the flush when a hardware
       \* TLB may still write the old page until tlb_flush (MNRST case B order:
       \* clear the PTE, flush + notify, copy, then set the new PTE)
       /\ data' = IF op.nf # 0 /\ HwDevices = {} /\ pte[src].f # 0
                  THEN [data EXCEPT ![op.nf] = data[pte[src].f]]
                  ELSE data
       /\ vma' = CASE op.site = "exit_mmap" -> [p \in Pages |-> 0]
                   [] op.site \in MremapSites -> [vma EXCEPT ![src] = 0]
                   [] OTHER -> vma
       \* migrate_vma_collect: the owner, which skipped its own MMU_NOTIFY_MIGRATE, maps the
       \* device page itself (lib/test_hmm.c dmirror_migrate_finalize_and_map, before
       \* migrate_vma_finalize installs the entry and frees the old page), writable iff the
       \* source PTE was (MIGRATE_PFN_WRITE); the migration entry window is folded into this step
       /\ dpte' = IF op.site = "migrate_vma_collect" /\ op.own # 0
                  THEN [dpte EXCEPT ![op.own] = [p \in Pages |->
                          IF p \in op.chg /\ newPte[p].f # 0 /\ newPte[p].f # pte[p].f
                          THEN [f |-> newPte[p].f, gone |-> FALSE, acc |-> newPte[p].acc]
                          ELSE dpte[op.own][p]]]
                  ELSE dpte

\* After a range start returned.
PteUpdateStarted(t) ==
    /\ thr[t].ph = "started"
    /\ ApplyPte(t, thr[t])
    /\ UNCHANGED <<inProg, free, mmDead, budget, active, passOdd, inPassHit, lock, flt, hit, rdCur, sub>>

\* v7 invalidate_page sites: the change comes first, no start, no end.
PteUpdatePageSite(t) ==
    \E site \in EnabledSites, r \in Ranges :
        /\ thr[t].ph = "idle" /\ budget > 0 /\ ~mmDead
        /\ MechOf(Vocabulary, site) = "page"
        /\ Applicable(site, r, 0)
        /\ ApplyPte(t, NewOp(site, r, MinOf(Prots), 0, "idle"))
        /\ budget' = budget - 1
        /\ UNCHANGED <<inProg, free, mmDead, active, passOdd, inPassHit, lock, flt, hit, rdCur, sub>>

pte_update(t) == /\ thr[t].ph \in {"started", "idle"}
                  /\ \/ PteUpdateStarted(t)
                     \/ PteUpdatePageSite(t)

(***************************************************************************)
(* tlb_flush: the CPU TLB flush that ends the PTL section; since 6.6 the   *)
(* arch code calls arch_invalidate_secondary_tlbs from here, under the PTL *)
(* (R9, R10; MNRST).  Only present when the model has hardware secondary   *)
(* TLBs (HwDevices # {}); otherwise it is folded into pte_update.          *)
(* Bug hw_flush_at_end (M10, B2): the secondary TLB is only invalidated at *)
(* invalidate_range_end (pre-4.15 double call / "too late" for hardware    *)
(* that refills at any time).                                              *)
(***************************************************************************)
tlb_flush(t) ==
    LET op == thr[t] IN
    /\ op.ph \in {"flush", "late_flush"}
    /\ dpte' = IF "hw_flush_at_end" \in Bugs THEN dpte
               ELSE [d \in Devices |-> [p \in Pages |->
                      IF d \in HwDevices /\ p \in op.chg THEN DevNone ELSE dpte[d][p]]]
    \* tlb_finish_mmu after the end: flush, then free the gathered pages
    /\ thr' = [thr EXCEPT ![t] = IF op.ph = "late_flush"
                                 THEN (IF op.freeable = {} THEN IdleThr ELSE [op EXCEPT !.ph = "late_free"])
                                 ELSE [op EXCEPT !.ph = IF op.freeable = {}
                                                       THEN (IF op.mech = "page" THEN "notify" ELSE "freed")
                                                       ELSE "updated"]]
    /\ data' = IF op.nf # 0 /\ op.freeable \ {op.nf} # {}
               THEN [data EXCEPT ![op.nf] = data[MinOf(op.freeable \ {op.nf})]] ELSE data
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, mmDead, budget, active, passOdd,
                   inPassHit, lock, flt, hit, rdCur, ghost, sub>>

(***************************************************************************)
(* Hardware secondary TLB fill: the IOMMU walks the CPU page table by      *)
(* itself at any time (ATS/PRI), with no notifier protocol (R9).           *)
(***************************************************************************)
device_tlb_fill(d, p) ==
    /\ d \in HwDevices /\ ~mmDead
    /\ pte[p].f # 0 /\ pte[p].acc >= 1 /\ excl[p] = 0
    /\ dpte' = [dpte EXCEPT ![d][p] = [f |-> pte[p].f, gone |-> FALSE,
                                       acc |-> IF pte[p].sd THEN pte[p].acc ELSE 1]]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, lock, flt, hit, rdCur, ghost, sub>>

(***************************************************************************)
(* free_frame: frames whose last mapping went away return to the free     *)
(* list.  R7: a page may be freed at any point after the mm cleared its   *)
(* last PTE (the doc says end runs after pages are freed).  dmirror's      *)
(* XArray holds no page reference (THMM), so a device PTE may still name  *)
(* the frame: it is marked gone (freed, maybe reused).                     *)
(***************************************************************************)
free_frame(t) ==
    LET op == thr[t]
        fr == {f \in op.freeable : f \notin childFrames /\ f # HugeZeroFrame /\ \A p \in Pages : pte[p].f # f}
    IN /\ op.ph \in {"updated", "late_free"}
       /\ free' = free \cup fr
       /\ dpte' = [d \in Devices |-> [p \in Pages |->
                    IF dpte[d][p].f \in fr THEN [dpte[d][p] EXCEPT !.gone = TRUE] ELSE dpte[d][p]]]
       /\ thr' = IF op.ph = "late_free" THEN [thr EXCEPT ![t] = IdleThr]
                 ELSE [thr EXCEPT ![t].ph = IF op.mech = "page" THEN "notify" ELSE "freed",
                                  ![t].freeable = {}]
       \* a freed KSM page is one no more (reference: alloc_page clears Frame.Ksm)
       /\ ksm' = ksm \ fr
       /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, data, mmDead, budget, active, passOdd,
                      inPassHit, lock, flt, hit, rdCur, ghost, sub>>

(***************************************************************************)
(* A bracket with no PTE change: UFFDIO_MOVE's move_pages_ptes starts its  *)
(* MMU_NOTIFY_CLEAR range before it checks the PTEs (Linux 7.2             *)
(* mm/userfaultfd.c move_pages_ptes: mmu_notifier_invalidate_range_start,  *)
(* then -EEXIST for a destination PTE not none, -ENOENT for a source PTE   *)
(* none, -EFAULT for a non-present entry neither swap nor migration (a     *)
(* device-exclusive one), -EBUSY for a folio not PageAnonExclusive (here:  *)
(* shared with the child), each `goto out`: invalidate_range_end with no   *)
(* PTE changed and no TLB flush; linux-6.12 move_pages_pte alike).  Such a *)
(* step ends from "started".  (ApplyPte's refusal, a destination faulted   *)
(* in after the check, is the recheck under the PTL.)  Trace validation    *)
(* takes the reference's reason (TraceNotifierSpec TraceMoveStepRefused).  *)
(***************************************************************************)
MoveStepRefused(op) ==
    LET src == MinOf(op.chg \ {op.dst}) IN
    /\ op.site = "move_pages_ptes" /\ op.dst # 0
    /\ \/ pte[op.dst].f # 0
       \/ pte[src].f = 0
       \/ excl[src] # 0
       \/ src \in cow

(***************************************************************************)
(* invalidate_range_end: the listeners' end callbacks (the buggy          *)
(* "unmap-at-end" listener tears down only here, under its lock), then     *)
(* mn_itree_inv_end.  Pairing (R1): only after a successful start.         *)
(***************************************************************************)
invalidate_range_end(t) ==
    LET op == thr[t]
        late == {d \in Devices \ PageOnlyDevices : Policy[d][op.ev] = "unmap-at-end"}
        \* bug two_pass_finish_at_end: the two-pass listeners' finish passes run here
        lateFin == IF "two_pass_finish_at_end" \in Bugs /\ op.mech \in {"range", "nonblock"}
                   THEN {d \in TwoPassDevices : ~OwnerSkips(op, d)} ELSE {}
        \* full-mm listeners whose start ran (all of them, after the intervals;
        \* an owner that skipped its own event at start skips it at end too):
        \* kvm_mmu_notifier_invalidate_range_end, under KVM_MMU_LOCK:
        \* kvm_mmu_invalidate_end: mmu_invalidate_seq++; in_progress--
        mmEnd == IF op.mech \in {"range", "nonblock"}
                 THEN {d \in MmDevices : ~OwnerSkips(op, d)} ELSE {}
    IN /\ \/ op.ph \in {"freed", "refused"}
          \* mmu_gather: the end before tlb_finish_mmu's flush and free
          \/ op.ph \in {"flush", "updated"} /\ op.site \in LateFlushSites
          \* UFFDIO_MOVE's bracket around a step it refuses: no PTE change, no flush
          \/ op.ph = "started" /\ MoveStepRefused(op)
       /\ IF op.ph = "refused"
          THEN /\ ghost' = [ghost EXCEPT !.paired = FALSE]   \* end without a successful start
               /\ UNCHANGED <<dpte, active, passOdd, inPassHit, rdCur, sub, hit, inProg>>
          ELSE IF Unnotified(op.site)   \* no invalidate_range_end either: the site's own return
          THEN UNCHANGED <<dpte, active, passOdd, inPassHit, rdCur, sub, hit, inProg, ghost>>
          ELSE /\ \A d \in late \cup mmEnd \cup lateFin : ~lock[d]
               /\ dpte' = [d \in Devices |-> [p \in Pages |->
                            IF \/ d \in late /\ p \in op.rng
                               \/ d \in HwDevices /\ p \in op.chg /\ "hw_flush_at_end" \in Bugs
                            THEN DevNone
                            ELSE IF d \in lateFin /\ p \in op.rng
                            THEN React(Policy[d][op.ev], dpte[d][p], vma[p]) ELSE dpte[d][p]]]
               /\ hit' = [d \in Devices |-> IF d \in mmEnd THEN TRUE ELSE hit[d]]
               /\ inProg' = [d \in Devices |-> IF d \in mmEnd THEN inProg[d] - 1 ELSE inProg[d]]
               /\ InvEnd
               /\ UNCHANGED ghost
       \* make_device_exclusive returns with the folio locked; the driver then
       \* programs its atomic entry (device_atomic_map)
       /\ thr' = [thr EXCEPT ![t] = CASE op.site = "make_device_exclusive" /\ op.ph = "freed"
                                      -> [IdleThr EXCEPT !.ph = "atomic_map", !.site = op.site,
                                                         !.rng = op.rng, !.own = op.own,
                                                         !.rhit = op.rhit]
                                    [] op.ph = "flush"   -> [op EXCEPT !.ph = "late_flush"]
                                    [] op.ph = "updated" -> [op EXCEPT !.ph = "late_free"]
                                    \* mremap's KSM break done: the move comes next (MoveAfterKsmBreak)
                                    [] op.mvd # 0 -> [IdleThr EXCEPT !.ph = "unmerged", !.site = "move_page_tables",
                                                                     !.rng = op.mvr, !.dst = op.mvd]
                                    [] OTHER -> IdleThr]
       \* mmap(MAP_FIXED) over a mapping (6.12+; Linux 7.2 mm/vma.c __mmap_region): the
       \* old VMAs stay in the tree through the zap (__mmap_setup -> vms_clean_up_area ->
       \* vms_clear_ptes), the new one (protection op.prot) is stored after it
       \* (__mmap_new_vma); nothing that reads the VMA runs in between (mmap_lock
       \* is held for write), so the model stores it at the end
       /\ vma' = IF op.site = "mmap_region" /\ op.ph # "refused"
                 THEN [p \in Pages |-> IF p \in op.chg THEN op.prot ELSE vma[p]] ELSE vma
       /\ UNCHANGED <<pte, excl, cow, childFrames, ksm, free, data, mmDead, budget, lock, flt>>

(***************************************************************************)
(* device_atomic_map: after make_device_exclusive the owner's driver       *)
(* stores the page in its page table as an atomic entry, under its lock    *)
(* (lib/test_hmm.c dmirror_atomic_map: mutex_lock; xa_store(...,           *)
(* DPT_XA_TAG_ATOMIC)), then unlocks the folio.  Only if read_retry says   *)
(* no invalidation hit its interval since the read_begin before            *)
(* make_device_exclusive (nouveau_atomic_range_fault; RHit); otherwise it  *)
(* maps nothing (the driver starts again: a new call site).  dmirror has   *)
(* no such check and relies on holding mmap_read_lock until after the map  *)
(* (dmirror_exclusive); nouveau drops it first, as modelled here, so       *)
(* without the check (bug atomic_map_no_retry) the checker finds an        *)
(* mprotect whose callback ran before the map and whose PTE change after.  *)
(***************************************************************************)
device_atomic_map(t) ==
    LET op == thr[t]
        d  == op.own
        p  == MinOf(op.rng)
    IN /\ op.ph = "atomic_map"
       /\ ~lock[d]
       /\ dpte' = IF ~op.rhit \/ "atomic_map_no_retry" \in Bugs
                  THEN [dpte EXCEPT ![d][p] = [f |-> pte[p].f, acc |-> pte[p].acc, gone |-> FALSE]]
                  ELSE dpte
       /\ thr' = [thr EXCEPT ![t] = IdleThr]
       /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, active,
                      passOdd, inPassHit, lock, flt, hit, rdCur, sub, ghost>>

(***************************************************************************)
(* Device side: the hmm.rst loop, as in THMM dmirror_range_fault:          *)
(*   again: seq = mmu_interval_read_begin(sub)                             *)
(*          hmm_range_fault(&range)        (walks/faults the CPU table)    *)
(*          mutex_lock(&dmirror->mutex)                                     *)
(*          if (mmu_interval_read_retry(sub, seq)) { unlock; goto again; } *)
(*          program the device PTEs; mutex_unlock                          *)
(* dmirror_fault checks mmget_not_zero first: no fault once the mm died.  *)
(***************************************************************************)
NeedsFault(d, p, w) == dpte[d][p].f = 0 \/ (w /\ dpte[d][p].acc < 2)

\* Start a new fault for page p (w: write fault), or restart after a retry.
\* A device whose thread runs its own device-private migration (migrate_vma_collect in
\* flight) starts no fault meanwhile: its own MMU_NOTIFY_MIGRATE is skipped before
\* mmu_interval_set_seq (lib/test_hmm.c dmirror_interval_invalidate), so a fault of its
\* own racing the migration would pass read_retry (docs/callsites.md, the finding).
MigratingOwner(d) == \E u \in Threads : thr[u].site = "migrate_vma_collect" /\ thr[u].own = d

StartFault(d, ph) ==
    \/ /\ flt[d].ph = "idle" /\ ~mmDead /\ d \notin HwDevices /\ sub[d] # "none" /\ ~MigratingOwner(d)
       /\ \E p \in Pages, w \in BOOLEAN :
            /\ NeedsFault(d, p, w)
            /\ flt' = [flt EXCEPT ![d] = [IdleFlt EXCEPT !.ph = ph, !.p = p, !.w = w]]
    \/ /\ flt[d].ph = "begin"
       /\ flt' = [flt EXCEPT ![d].ph = ph]

\* mmu_interval_read_begin (C-MM): waits while sub seq == mm seq (the
\* subscription was hit by the running pass), returns sub seq.
mmu_interval_read_begin(d) ==
    /\ \/ "lock_across_read_begin" \notin Bugs /\ StartFault(d, "walk")
       \/ "lock_across_read_begin" \in Bugs /\ flt[d].ph = "locked_begin"
          /\ flt' = [flt EXCEPT ![d].ph = "walk"]
    /\ ~inPassHit[d] \/ "read_begin_no_sleep" \in Bugs
    /\ hit' = [hit EXCEPT ![d] = FALSE]
    /\ rdCur' = [rdCur EXCEPT ![d] = inPassHit[d]]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, lock, ghost, sub>>

\* hmm_range_fault with HMM_PFN_REQ_FAULT (+REQ_WRITE): fault the CPU PTE in
\* if needed (handle_mm_fault: fill-in of an empty PTE or a write/read
\* upgrade, neither notified, R8) and snapshot it.  Fails (-EFAULT) without
\* VMA permission, after exit, without memory, or on a COW or KSM page it would
\* have to break (COW breaking is the wp_page_copy call site).  On a
\* device-exclusive entry it starts again (-EBUSY) until the entry is restored.
hmm_range_fault(d) ==
    LET p    == flt[d].p
        w    == flt[d].w
        need == IF w THEN 2 ELSE 1
        o    == pte[p]
        \* a read fault maps the huge zero page read-only where the model has one
        \* (do_huge_pmd_anonymous_page: set_huge_zero_folio)
        zeroFill == HugeZeroFrame # 0 /\ o.f = 0 /\ ~w
        fail == \/ mmDead \/ vma[p] < need
                \/ o.f = 0 /\ ~zeroFill /\ free = {}
                \/ w /\ p \in cow /\ o.acc < 2
                \/ w /\ o.f \in ksm /\ o.acc < 2    \* a KSM page: do_wp_page copies it too
                \/ w /\ ZeroMapped(p)
        np   == IF zeroFill THEN [f |-> HugeZeroFrame, acc |-> Min(vma[p], 1), sd |-> TRUE]
                ELSE IF o.f = 0 THEN [f |-> NewFrame, acc |-> vma[p], sd |-> TRUE]
                ELSE [o EXCEPT !.acc = Max(o.acc, need), !.sd = o.sd \/ w]
        \* hmm_pfn write bit: pte_write; a soft-dirty-cleared PTE is not writable
        snap == [f |-> np.f, acc |-> IF np.sd THEN np.acc ELSE Min(np.acc, 1), gone |-> FALSE]
        next == IF "retry_outside_lock" \in Bugs \/ "lock_across_read_begin" \in Bugs
                THEN "check" ELSE "lock"
    IN /\ flt[d].ph = "walk"
       /\ ~MmapWriteLocked
       /\ IF fail
          THEN /\ flt' = [flt EXCEPT ![d] = IF lock[d] THEN [flt[d] EXCEPT !.ph = "unlock"] ELSE IdleFlt]
               /\ UNCHANGED <<pte, free, data>>
          ELSE IF excl[p] # 0
          THEN \* a device-exclusive entry: the fault that restores it is the
               \* remove_device_exclusive_entry call site (a notified invalidation);
               \* the walk returns -EBUSY and the driver starts again (hmm.rst)
               /\ flt' = [flt EXCEPT ![d].ph = IF lock[d] THEN "unlock_retry" ELSE "begin"]
               /\ UNCHANGED <<pte, free, data>>
          ELSE /\ pte' = [pte EXCEPT ![p] = np]
               /\ free' = IF o.f = 0 /\ ~zeroFill THEN free \ {np.f} ELSE free
               /\ data' = IF o.f = 0 /\ ~zeroFill THEN [data EXCEPT ![np.f] = 0] ELSE data
               /\ flt' = [flt EXCEPT ![d] = [flt[d] EXCEPT !.ph = next, !.snap = snap]]
       /\ UNCHANGED <<excl, inProg, vma, cow, childFrames, ksm, mmDead, budget, thr, active, passOdd,
                      inPassHit, dpte, lock, hit, rdCur, ghost, sub>>

device_lock(d) ==
    /\ ~lock[d]
    /\ \/ flt[d].ph = "lock"
          /\ flt' = [flt EXCEPT ![d].ph = IF "no_read_retry" \in Bugs THEN "install" ELSE "check"]
       \/ flt[d].ph = "lock2" /\ flt' = [flt EXCEPT ![d].ph = "install"]
       \/ "lock_across_read_begin" \in Bugs /\ StartFault(d, "locked_begin")
    /\ lock' = [lock EXCEPT ![d] = TRUE]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, hit, rdCur, ghost, sub>>

\* mmu_interval_read_retry: sub seq != seq.  HDR: must be called under the
\* driver lock that the invalidate callback also takes (and set_seq).  A
\* full-mm listener's check (KVM mmu_invalidate_retry, under KVM_MMU_LOCK):
\* "if (kvm->mmu_invalidate_in_progress) return 1; if (kvm->mmu_invalidate_seq
\* != mmu_seq) return 1".
MustRetry(d) == hit[d] \/ (d \in MmDevices /\ inProg[d] > 0 /\ "retry_ignores_in_progress" \notin Bugs)

mmu_interval_read_retry(d) ==
    /\ flt[d].ph = "check"
    /\ flt' = [flt EXCEPT ![d].ph =
                 IF MustRetry(d) THEN (IF lock[d] THEN "unlock_retry" ELSE "begin")
                 ELSE (IF lock[d] THEN "install" ELSE "lock2")]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, lock, hit, rdCur, ghost, sub>>

device_pte_install(d) ==
    /\ flt[d].ph = "install"
    /\ dpte' = [dpte EXCEPT ![d][flt[d].p] = flt[d].snap]
    /\ flt' = [flt EXCEPT ![d].ph = "unlock"]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, lock, hit, rdCur, ghost, sub>>

device_unlock(d) ==
    /\ flt[d].ph \in {"unlock", "unlock_retry"}
    /\ lock' = [lock EXCEPT ![d] = FALSE]
    /\ flt' = [flt EXCEPT ![d] = IF flt[d].ph = "unlock_retry"
                                 THEN [flt[d] EXCEPT !.ph = "begin"] ELSE IdleFlt]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, hit, rdCur, ghost, sub>>

(***************************************************************************)
(* mmu_interval_notifier_insert (C-MM __mmu_interval_notifier_insert), as  *)
(* dmirror does at open.  With an invalidation active the new interval     *)
(* "must be assumed hit": sub seq := mm seq, so read_begin waits for the   *)
(* pass to end; if the tree is frozen (seq odd) the insert goes on the     *)
(* deferred list until mn_itree_inv_end, else seq |= 1 and it goes in now. *)
(* With none active, sub seq := mm seq - 1 (not hit).  "Upon return the    *)
(* notifier may not be in the tree yet; use read_begin/retry" (HDR).       *)
(* Bug insert_ignores_active (M12): always the idle-mm branch.             *)
(***************************************************************************)
mmu_interval_notifier_insert(d) ==
    /\ sub[d] = "none" /\ ~mmDead /\ d \notin HwDevices
    /\ IF active > 0 /\ "insert_ignores_active" \notin Bugs
       THEN /\ sub' = [sub EXCEPT ![d] = IF passOdd THEN "deferred" ELSE "tree"]
            /\ passOdd' = TRUE
            /\ inPassHit' = [inPassHit EXCEPT ![d] = TRUE]
       ELSE /\ sub' = [sub EXCEPT ![d] = "tree"]
            /\ UNCHANGED <<passOdd, inPassHit>>
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   dpte, lock, flt, hit, rdCur, ghost>>

(***************************************************************************)
(* Device accesses through the device's own PTEs (dmirror READ/WRITE      *)
(* ioctls copy through the XArray entries).                                *)
(***************************************************************************)
CpuReads(p, v) == IF pte[p].f # 0 /\ pte[p].acc >= 1 THEN data[pte[p].f] = v
                  ELSE vma[p] >= 1 /\ v = 0        \* a CPU read would fault in a zero page

device_read(d, p) ==
    /\ dpte[d][p].f # 0
    /\ ghost' = [ghost EXCEPT !.coherent = ghost.coherent /\
                                 (HwWindow(d, p) \/ CpuReads(p, data[dpte[d][p].f]))]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, data, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, lock, flt, hit, rdCur, sub>>

device_write(d, p, v) ==
    LET f == dpte[d][p].f IN
    /\ f # 0 /\ dpte[d][p].acc = 2
    /\ data' = [data EXCEPT ![f] = v]
    /\ ghost' = [ghost EXCEPT
                   !.coherent  = ghost.coherent /\
                                 (HwWindow(d, p) \/ (pte[p].f = f /\ pte[p].acc >= 1)),
                   !.softdirty = ghost.softdirty /\ (pte[p].f = f => pte[p].sd)]
    /\ UNCHANGED <<pte, excl, inProg, vma, cow, childFrames, ksm, free, mmDead, budget, thr, active,
                   passOdd, inPassHit, dpte, lock, flt, hit, rdCur, sub>>

\* Nothing left to do: the mm ran its call sites, every device is idle.
Terminated ==
    /\ budget = 0 \/ mmDead
    /\ \A t \in Threads : thr[t].ph = "idle"
    /\ \A d \in Devices : flt[d].ph = "idle"
    /\ UNCHANGED vars

(***************************************************************************)
(* The next-state relation.                                                *)
(***************************************************************************)
ThreadProgress(t) ==
    \/ \E d \in Devices : invalidate(t, d) \/ release(t, d) \/ invalidate_finish(t, d)
    \/ PteUpdateStarted(t)
    \/ tlb_flush(t)
    \/ free_frame(t)
    \/ invalidate_range_end(t)
    \/ device_atomic_map(t)
    \/ thr[t].ph = "unmerged" /\ MoveAfterKsmBreak(t)

DeviceProgress(d) ==
    \/ flt[d].ph # "idle" /\ (mmu_interval_read_begin(d) \/ device_lock(d))
    \/ hmm_range_fault(d)
    \/ mmu_interval_read_retry(d)
    \/ device_pte_install(d)
    \/ device_unlock(d)

Next ==
    \/ \E t \in Threads :
          \/ invalidate_range_start(t)
          \/ invalidate_range_start_nonblock(t)
          \/ exit_mmap(t)
          \/ \E d \in Devices : invalidate(t, d)
          \/ \E d \in Devices : release(t, d)
          \/ \E d \in Devices : invalidate_finish(t, d)
          \/ pte_update(t)
          \/ tlb_flush(t)
          \/ free_frame(t)
          \/ invalidate_range_end(t)
          \/ device_atomic_map(t)
    \/ \E d \in Devices :
          \/ mmu_interval_notifier_insert(d)
          \/ mmu_interval_read_begin(d)
          \/ hmm_range_fault(d)
          \/ device_lock(d)
          \/ mmu_interval_read_retry(d)
          \/ device_pte_install(d)
          \/ device_unlock(d)
          \/ \E p \in Pages : device_tlb_fill(d, p)
          \/ \E p \in Pages : device_read(d, p)
          \/ \E p \in Pages, v \in Values : device_write(d, p, v)
    \/ Terminated

Spec == Init /\ [][Next]_vars

\* Fairness: the mm finishes every call site it started (strong fairness:
\* a callback waits for a lock that is free infinitely often); a device
\* finishes a fault it started.  Neither is forced to start new work.
LiveSpec == Spec
            /\ \A t \in Threads : SF_vars(ThreadProgress(t))
            /\ \A d \in Devices : WF_vars(DeviceProgress(d))

(***************************************************************************)
(* Rules (docs/rules.md).                                                  *)
(***************************************************************************)

\* NoStaleDeviceMapping: a device PTE for frame f with write w implies the
\* CPU PTE maps f, writable if w.  Start/end and interval listeners have no
\* window at all: the mapping is gone when invalidate_range_start returns
\* (HDR invalidate_range_start doc, R5, R6; MNRST).  The only window: a
\* hardware secondary TLB between the PTE change under the PTL (pte_update)
\* and the TLB flush of that same PTL section (tlb_flush, which calls
\* arch_invalidate_secondary_tlbs; HDR arch_invalidate_secondary_tlbs doc).
\* A device-exclusive entry gives the CPU no access: only its owner may map
\* the page (kernel-facts.md INV-1 (i); mm/rmap.c make_device_exclusive).
NoStaleDeviceMapping ==
    \A d \in Devices, p \in Pages :
        dpte[d][p].f # 0 /\ ~HwWindow(d, p) => /\ pte[p].f = dpte[d][p].f
                                               /\ pte[p].acc >= dpte[d][p].acc
                                               /\ excl[p] \in {0, d}

\* NoFreedFrameAccess: no device PTE names a free frame or a frame freed
\* (and maybe reused) since the device mapped it (R7; THMM: the XArray holds
\* no page references).  Every device access goes through such a PTE.
NoFreedFrameAccess ==
    \A d \in Devices, p \in Pages :
        dpte[d][p].f # 0 => dpte[d][p].f \notin free /\ ~dpte[d][p].gone

\* CoherentAccess: a device read returns what a CPU read returns; a device
\* write lands in the frame the CPU maps (hmm.rst: "see the same data").
\* Accesses through a hardware TLB inside its allowed window are not judged
\* here: the kernel copies a moved page only after that flush (MNRST).
CoherentAccess == ghost.coherent

\* StartEndPaired: no invalidate_range_end without a successful start, none
\* after a refused non-blockable start (HDR _nonblock; c2655835fd8c).  "Every
\* start has its end" is the liveness property InvalidationEnds.
StartEndPaired == ghost.paired

\* RangeCoversChange: every notified-kind CPU PTE change lies in the range
\* of a started, not ended invalidation (C-MM mn_itree_invalidate; MNRST;
\* B1, B3, B5, B6).
RangeCoversChange == ghost.covered

\* TruthfulEvent: changes inside a pair are allowed by the event's doc.
TruthfulEvent == ghost.truthful

\* SoftDirtyComplete: after clear_refs a write by CPU or device leaves the
\* page soft-dirty (fs/proc/task_mmu.c clear_refs_write; SOFT_DIRTY doc).
SoftDirtyComplete == ghost.softdirty

(***************************************************************************)
(* Liveness.                                                               *)
(***************************************************************************)
\* Every started invalidation ends (R1; INV-3: every pass ends).
InvalidationEnds == \A t \in Threads : (thr[t].ph # "idle") ~> (thr[t].ph = "idle")

\* A device fault that keeps being retried completes once invalidations stop
\* (the model's mm runs finitely many call sites).
RetriedFaultCompletes == \A d \in Devices : (flt[d].ph # "idle") ~> (flt[d].ph = "idle")
=============================================================================
