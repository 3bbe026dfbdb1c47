---- MODULE Sets ----
\* Enumerates subsets with x' \in SUBSET S and records sets; a state constraint bounds the search.
EXTENDS Naturals, FiniteSets
CONSTANT S
VARIABLES chosen, rec
Init == chosen = {} /\ rec \in [f : {0, 1}, g : {"x", "y"}]
Next == /\ chosen' \in SUBSET S
        /\ Cardinality(chosen') = Cardinality(chosen) + 1
        /\ rec' = [rec EXCEPT !.f = 1 - @]
Small == Cardinality(chosen) <= 2
Inv == chosen \subseteq S
====
