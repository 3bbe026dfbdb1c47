---- MODULE DupConst ----
CONSTANT c
VARIABLE x
Init == x = 0
Next == x' = x
c == 1
====
