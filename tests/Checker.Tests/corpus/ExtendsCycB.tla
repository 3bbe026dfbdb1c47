---- MODULE ExtendsCycB ----
EXTENDS ExtendsCycA
B == 1
====
