---- MODULE SubsetOp ----
\* \subset is not a built-in operator of TLA+: SANY refuses it when the spec does not define it
\* ("Could not find declaration or definition of symbol '\subset'", line 6, col 22).
EXTENDS Naturals
VARIABLE x
Init == x = 0 /\ {1} \subset {1, 2}
Next == UNCHANGED x
====
