---- MODULE ExtendsCycA ----
EXTENDS ExtendsCycB
VARIABLE x
Init == x = 0
Next == x' = x
====
