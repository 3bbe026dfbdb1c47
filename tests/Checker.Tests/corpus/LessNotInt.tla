---- MODULE LessNotInt ----
\* 1 < "a" in the next-state relation: EC.TLC_MODULE_ARGUMENT_ERROR_AN, exit 255
EXTENDS Naturals, Sequences, FiniteSets, TLC
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 4 /\ (x = 2 => x < "a")
====
