---------------------------- MODULE CacheCoherence ----------------------------
(* A MESI-style cache-coherence protocol whose state is record-valued functions:
   a benchmark of the checker's record and function values (bench/compare.sh).
   Each cache line is a record [st, v, dirty]; memory holds one value per line. *)
EXTENDS Naturals, FiniteSets

CONSTANTS Procs, Lines, Vals

VARIABLES cache, mem

vars == <<cache, mem>>

Line == [st : {"I", "S", "E", "M"}, v : Vals, dirty : BOOLEAN]
Empty == [st |-> "I", v |-> 0, dirty |-> FALSE]

TypeOK == /\ cache \in [Procs -> [Lines -> Line]]
          /\ mem \in [Lines -> Vals]

Init == /\ cache = [p \in Procs |-> [l \in Lines |-> Empty]]
        /\ mem = [l \in Lines |-> 0]

Owner(l) == {q \in Procs : cache[q][l].st = "M"}

Read(p, l) ==
  /\ cache[p][l].st = "I"
  /\ IF Owner(l) # {}
       THEN LET q == CHOOSE q \in Owner(l) : TRUE
                x == cache[q][l].v
            IN /\ mem' = [mem EXCEPT ![l] = x]
               /\ cache' = [cache EXCEPT ![q][l] = [@ EXCEPT !.st = "S", !.dirty = FALSE],
                                         ![p][l] = [st |-> "S", v |-> x, dirty |-> FALSE]]
       ELSE /\ cache' = [r \in Procs |-> [k \in Lines |->
                  IF k # l THEN cache[r][k]
                  ELSE IF r = p
                    THEN [st |-> IF \A q \in Procs \ {p} : cache[q][l].st = "I" THEN "E" ELSE "S",
                          v |-> mem[l], dirty |-> FALSE]
                    ELSE IF cache[r][l].st = "E" THEN [cache[r][l] EXCEPT !.st = "S"] ELSE cache[r][l]]]
            /\ UNCHANGED mem

Write(p, l, x) ==
  /\ cache[p][l].st # "I"
  /\ cache[p][l].v # x
  /\ cache' = [r \in Procs |-> [k \in Lines |->
        IF k # l THEN cache[r][k]
        ELSE IF r = p THEN [st |-> "M", v |-> x, dirty |-> TRUE] ELSE Empty]]
  /\ UNCHANGED mem

Evict(p, l) ==
  /\ cache[p][l].st # "I"
  /\ mem' = IF cache[p][l].dirty THEN [mem EXCEPT ![l] = cache[p][l].v] ELSE mem
  /\ cache' = [cache EXCEPT ![p][l] = Empty]

Next == \E p \in Procs, l \in Lines :
          \/ Read(p, l)
          \/ Evict(p, l)
          \/ \E x \in Vals : Write(p, l, x)

Spec == Init /\ [][Next]_vars

SingleWriter == \A l \in Lines : Cardinality(Owner(l)) <= 1 /\
                  (Owner(l) # {} => \A q \in Procs \ Owner(l) : cache[q][l].st = "I")

Coherent == \A l \in Lines : Owner(l) = {} =>
              \A q \in Procs : cache[q][l].st \in {"S", "E"} => cache[q][l].v = mem[l]
===============================================================================
