---- MODULE DupFcn ----
VARIABLE x
Init == x = 0
Next == x' = x
f[i \in {1}] == i
f[i \in {2}] == i
====
