---- MODULE DupLocalOk ----
EXTENDS DupDefBase
VARIABLE x
Init == x = 0
Next == x' = x
B == 3
Inv == A = 1 /\ B = 3
====
