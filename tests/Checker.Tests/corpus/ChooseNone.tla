---- MODULE ChooseNone ----
\* CHOOSE with no element in the next-state relation: TLC's own evaluator (a runtime exception), exit 75
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => (CHOOSE i \in 1..x : i > 5) = 1)
====
