---- MODULE TabsBad ----
VARIABLE x
Init == x = 0
Next ==	x' = x	/\ TRUE \/ FALSE
====
