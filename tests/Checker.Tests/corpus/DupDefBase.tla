---- MODULE DupDefBase ----
A == 1
LOCAL B == 2
====
