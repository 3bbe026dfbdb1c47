---- MODULE HeadInNext ----
\* Head of a non-sequence in the next-state relation: TLC's EC.TLC_MODULE_ONE_ARGUMENT_ERROR, exit 255 (not 75)
EXTENDS Sequences, Naturals
VARIABLE x
Init == x = 0
Next == x < 2 /\ x' = Head(x) + x
====
