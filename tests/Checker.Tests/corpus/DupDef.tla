---- MODULE DupDef ----
VARIABLE x
Init == x = 0
Next == x' = x
A == 1
A == 2
====
