---- MODULE CardinalityInfinite ----
\* Cardinality of an infinite set in the next-state relation: EC.TLC_MODULE_COMPUTING_CARDINALITY, exit 255
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => Cardinality(Nat) > x)
====
