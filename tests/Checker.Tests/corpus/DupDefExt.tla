---- MODULE DupDefExt ----
EXTENDS DupDefBase
VARIABLE x
Init == x = 0
Next == x' = x
A == 2
====
