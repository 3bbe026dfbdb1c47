---- MODULE DupDefStd ----
EXTENDS Sequences
VARIABLE x
Init == x = 0
Next == x' = x
Len(s) == 0
====
