--------------------------- MODULE NotifierEvents ---------------------------
(***************************************************************************)
(* The call sites of "mmu_notifier: add event information to address       *)
(* invalidation v7" (kernel-facts.md SEED, SEED-CALLSITES) and             *)
(* their upstream successors (UP-CALLSITES), for the three vocabularies of *)
(* docs/rules.md: "v7", "v7-reviewed", "upstream".                          *)
(*                                                                         *)
(* This module is pure: tables (site -> event, site -> mechanism, event ->  *)
(* what its documentation allows) and the PTE effect of every call site.   *)
(* NotifierSpec.tla runs the effects step by step (start, callbacks, PTE   *)
(* update under the PTL, frame release, end).                              *)
(*                                                                         *)
(* PTE values (CPU and device): [f |-> frame (0 = none), acc |-> access,   *)
(* sd |-> soft-dirty].  acc: 0 = no access (PROT_NONE), 1 = read,          *)
(* 2 = read-write.  VMA protection uses the same 0..2 scale.               *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

Min(a, b) == IF a < b THEN a ELSE b
Max(a, b) == IF a < b THEN b ELSE a

Vocabularies == {"v7", "v7-reviewed", "upstream"}

\* v7: enum mmu_event (seed; kernel-facts.md SEED-ENUM, reconstructed from V6/V8).
V7Events == {"MMU_FORK", "MMU_HSPLIT", "MMU_ISDIRTY", "MMU_MIGRATE", "MMU_MPROT",
             "MMU_MUNLOCK", "MMU_MUNMAP", "MMU_WRITE_BACK", "MMU_WRITE_PROTECT"}

\* v7-reviewed: the v8 renames (V8 changelog) plus Hubbard's precise mprotect
\* events instead of MMU_MPROT (seed thread, 2015-06-01/03).
V7ReviewedEvents == {"MMU_FORK", "MMU_HUGE_PAGE_SPLIT", "MMU_CLEAR_SOFT_DIRTY",
                     "MMU_MIGRATE", "MMU_MUNLOCK", "MMU_MUNMAP", "MMU_WRITE_BACK",
                     "MMU_KSM_WRITE_PROTECT", "MMU_UNMAP", "MMU_WRITE_PROTECT",
                     "MMU_READ_WRITE"}

\* upstream: enum mmu_notifier_event (include/linux/mmu_notifier.h).
UpstreamEvents == {"MMU_NOTIFY_UNMAP", "MMU_NOTIFY_CLEAR", "MMU_NOTIFY_PROTECTION_VMA",
                   "MMU_NOTIFY_PROTECTION_PAGE", "MMU_NOTIFY_SOFT_DIRTY",
                   "MMU_NOTIFY_RELEASE", "MMU_NOTIFY_MIGRATE", "MMU_NOTIFY_EXCLUSIVE"}

\* v7 and v7-reviewed have no release event: exit_mmap calls ->release
\* (include/linux/mmu_notifier.h of 2015, mn_hlist_release).  We label that
\* callback with the pseudo-event "release" so that one policy table serves.
ReleasePseudoEvent == "release"

AllEvents == V7Events \cup V7ReviewedEvents \cup UpstreamEvents \cup {ReleasePseudoEvent}

EventsOf(voc) == CASE voc = "v7"          -> V7Events \cup {ReleasePseudoEvent}
                   [] voc = "v7-reviewed" -> V7ReviewedEvents \cup {ReleasePseudoEvent}
                   [] voc = "upstream"    -> UpstreamEvents

\* Listener reactions (docs/rules.md "Listener reactions").
Reactions == {"unmap", "write-protect", "ignore", "consult-vma", "unmap-at-end"}

(***************************************************************************)
(* Call sites (kernel function names).  Numbers refer to the table in      *)
(* kernel-facts.md SEED-CALLSITES (v7) and UP-CALLSITES (upstream).        *)
(***************************************************************************)
Sites == {"copy_page_range",          \* #1 fork, COW mappings, src mm
          "copy_hugetlb_page_range",  \* #2 hugetlb fork (v7: MMU_MIGRATE, inconsistent with #1)
          "split_huge_page",          \* #3 __split_huge_page_splitting (v7), __split_huge_pmd (upstream)
          "clear_refs_write",         \* #23 fs/proc/task_mmu.c CLEAR_REFS_SOFT_DIRTY
          "migrate_pages",            \* #18 NUMA migration (migrate_misplaced_transhuge_page)
          "change_protection",        \* #9/#10 mprotect (the notifier is in change_pmd_range)
          "unmap_vmas",               \* #14 munmap
          "zap_page_range",           \* #15 MADV_DONTNEED
          "zap_page_range_single",    \* #16 truncate (unmap_mapping_range)
          "madvise_free_single_vma",  \* #20 MADV_FREE (v6/v7 only)
          "move_page_tables",         \* #19 mremap
          "page_mkclean_one",         \* #21 writeback (v7: invalidate_page)
          "try_to_unmap_one",         \* #22 reclaim (v7: invalidate_page)
          "write_protect_page",       \* #11 KSM write-protect
          "replace_page",             \* #12 KSM merge
          "wp_page_copy",             \* #17 COW write fault
          "oom_reap_task_mm",         \* OOM reaper, non-blockable (mm/oom_kill.c __oom_reap_task_mm)
          "exit_mmap",                \* exit: release, then unmap_vmas
          "make_device_exclusive",    \* mm/rmap.c (5.14+): a device-exclusive entry for its owner
          "remove_device_exclusive_entry"} \* mm/memory.c do_swap_page: a fault restores the PTE

\* Device-exclusive entries (b756a3b5e7ea, 5.14): upstream only.
ExclusiveSites == {"make_device_exclusive", "remove_device_exclusive_entry"}

\* Sites that act on exactly one page (they allocate one new frame or touch
\* one address).  The others act on a range [start, end) of pages.
SinglePageSites == {"migrate_pages", "move_page_tables", "page_mkclean_one",
                    "try_to_unmap_one", "write_protect_page", "replace_page",
                    "wp_page_copy", "make_device_exclusive", "remove_device_exclusive_entry"}

\* Sites that allocate a new frame before the invalidation starts
\* (wp_page_copy allocates new_page before mmu_notifier_invalidate_range_start;
\* migration allocates the target page first; KSM's kpage already exists).
AllocSites == {"migrate_pages", "replace_page", "wp_page_copy"}

(***************************************************************************)
(* Notification mechanism per vocabulary.                                  *)
(*  "range"    : invalidate_range_start ... invalidate_range_end           *)
(*  "page"     : v7's mmu_notifier_invalidate_page, called after           *)
(*               pte_unmap_unlock, i.e. AFTER the PTE change (rmap.c; bug  *)
(*               B1, removed in 4.13 by ea25c4317946)                       *)
(*  "nonblock" : mmu_notifier_invalidate_range_start_nonblock (OOM reaper)  *)
(*  "release"  : exit_mmap -> mmu_notifier_release (R12), then unmap       *)
(***************************************************************************)
MechOf(voc, site) ==
    CASE site \in {"page_mkclean_one", "try_to_unmap_one"} /\ voc \in {"v7", "v7-reviewed"} -> "page"
      [] site = "oom_reap_task_mm" -> "nonblock"
      [] site = "exit_mmap"          -> "release"
      [] OTHER                       -> "range"

(***************************************************************************)
(* Call site -> event.  prot is the new VMA protection for mprotect.       *)
(* v7 column: kernel-facts.md SEED-CALLSITES (V8 with v7 names).           *)
(* upstream column: UP-CALLSITES (EV52 and later); MMU_NOTIFY_RELEASE      *)
(* from mn_itree_release (mm/mmu_notifier.c).                              *)
(***************************************************************************)
V7Event(site, prot) ==
    CASE site = "copy_page_range"         -> "MMU_FORK"
      [] site = "copy_hugetlb_page_range" -> "MMU_MIGRATE"
      [] site = "split_huge_page"        -> "MMU_HSPLIT"
      [] site = "clear_refs_write"        -> "MMU_ISDIRTY"
      [] site = "migrate_pages"           -> "MMU_MIGRATE"
      [] site = "change_protection"        -> "MMU_MPROT"
      [] site = "unmap_vmas"              -> "MMU_MUNMAP"
      [] site = "zap_page_range"          -> "MMU_MIGRATE"
      [] site = "zap_page_range_single"   -> "MMU_MUNMAP"
      [] site = "madvise_free_single_vma" -> "MMU_MUNMAP"
      [] site = "move_page_tables"        -> "MMU_MIGRATE"
      [] site = "page_mkclean_one"        -> "MMU_WRITE_BACK"
      [] site = "try_to_unmap_one"        -> "MMU_MIGRATE"
      [] site = "write_protect_page"      -> "MMU_WRITE_PROTECT"
      [] site = "replace_page"            -> "MMU_MIGRATE"
      [] site = "wp_page_copy"            -> "MMU_MIGRATE"
      [] site = "oom_reap_task_mm"      -> "MMU_MUNMAP"   \* anachronism: the reaper is 4.6+
      [] site = "exit_mmap"               -> ReleasePseudoEvent
      [] site \in ExclusiveSites          -> "none"         \* not in v7 (5.14+)

\* v7-reviewed: v8 renames; mprotect sends what the new protection means
\* (Hubbard: MMU_UNMAP / MMU_WRITE_PROTECT / MMU_READ_WRITE).
V7ReviewedEvent(site, prot) ==
    CASE site = "split_huge_page"   -> "MMU_HUGE_PAGE_SPLIT"
      [] site = "clear_refs_write"   -> "MMU_CLEAR_SOFT_DIRTY"
      [] site = "write_protect_page" -> "MMU_KSM_WRITE_PROTECT"
      [] site = "change_protection"   -> (CASE prot = 0 -> "MMU_UNMAP"
                                           [] prot = 1 -> "MMU_WRITE_PROTECT"
                                           [] prot = 2 -> "MMU_READ_WRITE")
      [] OTHER                       -> V7Event(site, prot)

UpstreamEvent(site, prot) ==
    CASE site = "copy_page_range"         -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "copy_hugetlb_page_range" -> "MMU_NOTIFY_CLEAR"
      [] site = "split_huge_page"        -> "MMU_NOTIFY_CLEAR"
      [] site = "clear_refs_write"        -> "MMU_NOTIFY_SOFT_DIRTY"
      [] site = "migrate_pages"           -> "MMU_NOTIFY_CLEAR"   \* try_to_migrate_one
      [] site = "change_protection"        -> "MMU_NOTIFY_PROTECTION_VMA"
      [] site = "unmap_vmas"              -> "MMU_NOTIFY_UNMAP"
      [] site = "zap_page_range"          -> "MMU_NOTIFY_CLEAR"
      [] site = "zap_page_range_single"   -> "MMU_NOTIFY_CLEAR"
      [] site = "madvise_free_single_vma" -> "MMU_NOTIFY_CLEAR"
      [] site = "move_page_tables"        -> "MMU_NOTIFY_UNMAP"
      [] site = "page_mkclean_one"        -> "MMU_NOTIFY_PROTECTION_PAGE"
      [] site = "try_to_unmap_one"        -> "MMU_NOTIFY_CLEAR"
      [] site = "write_protect_page"      -> "MMU_NOTIFY_CLEAR"
      [] site = "replace_page"            -> "MMU_NOTIFY_CLEAR"
      [] site = "wp_page_copy"            -> "MMU_NOTIFY_CLEAR"
      [] site = "oom_reap_task_mm"      -> "MMU_NOTIFY_UNMAP"
      [] site = "exit_mmap"               -> "MMU_NOTIFY_RELEASE"
      \* make_device_exclusive: mmu_notifier_range_init_owner(MMU_NOTIFY_EXCLUSIVE, owner);
      \* remove_device_exclusive_entry: the same event with owner NULL
      [] site \in ExclusiveSites          -> "MMU_NOTIFY_EXCLUSIVE"

EventOf(voc, site, prot) ==
    CASE voc = "v7"          -> V7Event(site, prot)
      [] voc = "v7-reviewed" -> V7ReviewedEvent(site, prot)
      [] voc = "upstream"    -> UpstreamEvent(site, prot)

(***************************************************************************)
(* TruthfulEvent: which PTE changes an event's documentation allows        *)
(* (docs/rules.md; v7 enum mmu_event doc comments, kernel-facts.md         *)
(* SEED-ENUM; enum mmu_notifier_event kernel-doc, HDR).                    *)
(*  "wp"   : write-protect events: same frame, read access kept            *)
(*           (MMU_FORK, MMU_WRITE_BACK, MMU_WRITE_PROTECT, ..._KSM_...,     *)
(*            MMU_NOTIFY_PROTECTION_PAGE: "read/write change of pages")     *)
(*  "same" : same frame, same access; only tracking bits (soft-dirty) may  *)
(*           change (HSPLIT "memory is the same", ISDIRTY, MUNLOCK "page   *)
(*           table unchanged", SOFT_DIRTY "same page and same access")     *)
(*  "up"   : MMU_READ_WRITE: same frame, no access removed                 *)
(*  "prot" : protection change per the VMA: same frame, any access         *)
(*           (MMU_MPROT, MMU_NOTIFY_PROTECTION_VMA)                        *)
(*  "unmap": the range is being unmapped: a PTE goes away or loses access  *)
(*           (PROT_NONE), never a new frame (MMU_MUNMAP, MMU_UNMAP,         *)
(*           MMU_NOTIFY_UNMAP "munmap()", MMU_NOTIFY_RELEASE "no longer    *)
(*           accessible")                                                  *)
(*  "any"  : the frame may go away or change (MMU_MIGRATE,                 *)
(*           MMU_NOTIFY_CLEAR, MMU_NOTIFY_MIGRATE, MMU_NOTIFY_EXCLUSIVE)    *)
(***************************************************************************)
EventClass(ev) ==
    CASE ev \in {"MMU_FORK", "MMU_WRITE_BACK", "MMU_WRITE_PROTECT", "MMU_KSM_WRITE_PROTECT",
                 "MMU_NOTIFY_PROTECTION_PAGE"} -> "wp"
      [] ev \in {"MMU_HSPLIT", "MMU_HUGE_PAGE_SPLIT", "MMU_ISDIRTY", "MMU_CLEAR_SOFT_DIRTY",
                 "MMU_MUNLOCK", "MMU_NOTIFY_SOFT_DIRTY"} -> "same"
      [] ev = "MMU_READ_WRITE" -> "up"
      [] ev \in {"MMU_MPROT", "MMU_NOTIFY_PROTECTION_VMA"} -> "prot"
      [] ev \in {"MMU_MUNMAP", "MMU_UNMAP", "MMU_NOTIFY_UNMAP", "MMU_NOTIFY_RELEASE"} -> "unmap"
      [] OTHER -> "any"

\* Is the change old -> new of one CPU PTE allowed under event ev?  Filling
\* an empty PTE is allowed under every event (R8: never notified).
Allowed(ev, old, new) ==
    LET c == EventClass(ev) IN
    CASE old.f = 0  -> TRUE
      [] c = "any"  -> TRUE
      [] c = "prot" -> new.f = old.f
      [] c = "unmap" -> new.f = 0 \/ new.f = old.f
      [] c = "wp"   -> new.f = old.f /\ new.acc >= Min(old.acc, 1)
      [] c = "up"   -> new.f = old.f /\ new.acc >= old.acc
      [] c = "same" -> new.f = old.f /\ new.acc = old.acc

\* A change that must be notified (rules.md RangeCoversChange; R8: fill-in of
\* an empty PTE, accessed/dirty bits and permission upgrades are not
\* notified).  Clearing soft-dirty is a (tracking) write-protect: notified.
NeedsNotify(old, new) ==
    /\ old.f # 0
    /\ \/ new.f # old.f
       \/ new.acc < old.acc
       \/ old.sd /\ ~new.sd

NonePte == [f |-> 0, acc |-> 0, sd |-> FALSE]

(***************************************************************************)
(* The PTE effect of a call site on one page (everything but mremap's      *)
(* destination, handled in NotifierSpec).  o = old PTE, prot = new VMA     *)
(* protection (mprotect), nf = the frame allocated for AllocSites.         *)
(***************************************************************************)
SitePte(site, o, prot, nf) ==
    IF o.f = 0 THEN o ELSE
    CASE site \in {"copy_page_range", "copy_hugetlb_page_range"}
            -> [o EXCEPT !.acc = Min(o.acc, 1)]          \* COW: wrprotect parent PTEs
      [] site = "split_huge_page"  -> o                 \* same pages, finer table
      [] site = "clear_refs_write"  -> [o EXCEPT !.sd = FALSE]  \* clear_soft_dirty: wrprotect for tracking
      [] site \in {"migrate_pages", "replace_page"}
            -> [o EXCEPT !.f = nf, !.acc = IF site = "replace_page" THEN Min(o.acc, 1) ELSE o.acc]
      [] site = "wp_page_copy"      -> [f |-> nf, acc |-> 2, sd |-> TRUE]
      [] site = "change_protection"  -> [o EXCEPT !.acc = Min(o.acc, prot)]  \* change_pte_range
      [] site \in {"page_mkclean_one", "write_protect_page"}
            -> [o EXCEPT !.acc = Min(o.acc, 1)]
      [] site \in {"unmap_vmas", "zap_page_range", "zap_page_range_single",
                   "madvise_free_single_vma", "move_page_tables", "try_to_unmap_one",
                   "oom_reap_task_mm", "exit_mmap"} -> NonePte
      \* frame and protection stay; the entry's exclusivity is NotifierSpec's excl
      [] site \in ExclusiveSites -> o

\* What a listener's callback does to one device PTE d under reaction r at
\* invalidate_range_start (or invalidate_page).  vmaProt = the VMA's
\* protection now (mprotect_fixup updates vm_flags before change_protection,
\* so consult-vma sees the new protection; HMM07 hmm_mmu_mprot_to_etype).
DevNone == [f |-> 0, acc |-> 0, gone |-> FALSE]
React(r, d, vmaProt) ==
    CASE r = "unmap"         -> DevNone
      [] r = "write-protect" -> IF d.f = 0 THEN d ELSE [d EXCEPT !.acc = Min(d.acc, 1)]
      [] r = "consult-vma"   -> (CASE vmaProt = 0 -> DevNone
                                   [] vmaProt = 1 -> IF d.f = 0 THEN d ELSE [d EXCEPT !.acc = Min(d.acc, 1)]
                                   [] vmaProt = 2 -> d)
      [] r \in {"ignore", "unmap-at-end"} -> d

(***************************************************************************)
(* Listener policies (event -> reaction), used by the models as Policy.    *)
(***************************************************************************)
\* A correct listener for every vocabulary (kernel-facts.md UP-POLICY): drop
\* everything when the frame may change, drop write on write-protect
\* events and on soft-dirty clearing (exact tracking), consult the VMA on a
\* protection change, nothing when pages and access stay the same.
CorrectReaction(e) ==
    CASE EventClass(e) = "wp"   -> "write-protect"
      [] e \in {"MMU_ISDIRTY", "MMU_CLEAR_SOFT_DIRTY", "MMU_NOTIFY_SOFT_DIRTY"} -> "write-protect"
      [] EventClass(e) \in {"same", "up"} -> "ignore"
      [] EventClass(e) = "prot" -> "consult-vma"
      [] OTHER -> "unmap"

\* HMM's own listener in the same series (HMM07 hmm_notifier_invalidate_range_start,
\* kernel-facts.md HMM07): MMU_ISDIRTY keeps the device PTE ("rely on the
\* regular and conservative dirtying", Glisse in the seed thread).
HMM07Reaction(e) ==
    CASE e = "MMU_ISDIRTY" -> "ignore"
      [] OTHER -> CorrectReaction(e)

\* The same with one event overridden.
Override(e, ev, r) == IF e = ev THEN r ELSE CorrectReaction(e)
=============================================================================
