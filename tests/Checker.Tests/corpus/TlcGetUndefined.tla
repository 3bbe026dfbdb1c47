---- MODULE TlcGetUndefined ----
\* TLCGet(42) in the next-state relation: exit 75
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => TLCGet(42) = 1)
====
