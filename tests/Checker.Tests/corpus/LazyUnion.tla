------------------------------ MODULE LazyUnion ------------------------------
\* UNION S is lazy as TLC's UnionValue: membership in UNION {[D -> Int]} is decided without enumerating
\* (tlaplus/Examples Disruptor's TypeOk), and enumerating UNION gives each element once.
EXTENDS Integers
VARIABLES f, s
Init == f = [i \in 0..1 |-> 0] /\ s = {}
Next == \/ \E x \in UNION {{1, 2}, {2, 3}} : s' = s \cup {x} /\ f' = [f EXCEPT ![0] = @ - x]
        \/ \E g \in UNION {[0..1 -> {0, 1}], [0..1 -> {1, 2}]} : f' = g /\ UNCHANGED s
TypeOK == /\ f \in UNION {[0..1 -> Int]}
          /\ s \in UNION {SUBSET {1, 2, 3}}
          /\ f \notin UNION {[0..1 -> Nat \ {0}]} \/ f[0] > 0
Bound == f[0] >= -4
=============================================================================
