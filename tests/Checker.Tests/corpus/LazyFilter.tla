------------------------------ MODULE LazyFilter ------------------------------
\* x \in {y \in S : P(y)} is x \in S /\ P(x), as TLC's SetPredValue: the set is not built, so S may be too
\* large to enumerate (tlaplus/Examples Quicksort: UV \in DomainPartitions, a filter of SUBSET SUBSET (1..4)).
EXTENDS Naturals, FiniteSets
VARIABLE x
Small == {T \in SUBSET (1..40) : Cardinality(T) <= 2}
Init == x = {}
Next == \E i \in 1..4 : x' = x \cup {i}
Inv == /\ x \in Small \/ Cardinality(x) > 2
       /\ x \notin {T \in SUBSET (1..40) : 5 \in T}
       /\ (Cardinality(x) > 2) => x \notin Small
=============================================================================
