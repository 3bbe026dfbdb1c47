---- MODULE LazyFilterState ----
\* {s \in SUBSET S : P(s)} is kept unevaluated (TLC's SetPredValue, SUBSET S is not enumerated); its predicate
\* reads the state it was built in, also when the set is enumerated later (fingerprinted, compared, stored)
EXTENDS Naturals, FiniteSets
VARIABLES x, y
Init == /\ x \in {0, 1, 2}
        /\ y = {s \in SUBSET {0, 1, 2} : x \in s}
Next == /\ x' = (x + 1) % 3
        /\ y' = {s \in SUBSET {0, 1, 2} : x' \in s /\ x \notin s}
Inv == /\ Cardinality(y) \in {2, 4}
       /\ \A s \in y : x \in s
====
