---- MODULE ExtendsSelf ----
EXTENDS ExtendsSelf
VARIABLE x
Init == x = 0
Next == x' = x
====
