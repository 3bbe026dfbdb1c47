---- MODULE AssertInNext ----
\* a failed Assert in the next-state relation: TLC's VIOLATION_ASSERT, exit 14 (not 75)
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ Assert(x < 2, "x reached two")
====
