---- MODULE AssertInConstraint ----
\* a failed Assert in a state constraint: exit 14, as in the next-state relation
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4
C == Assert(x < 2, "x reached two")
====
