---- MODULE CompareIncomparable ----
\* 1 = "a" in the next-state relation: exit 75
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => x = "a")
====
