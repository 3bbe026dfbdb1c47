---- MODULE GridWalk ----
\* A walk on a 5-dimensional grid 0..7: every state of level k + 1 is reached from up to 5 states of level k,
\* mostly in the same batch of the search, and the middle levels hold up to 2,460 states (several batches).
\* The trace to the violation depends on which parent is taken first (the parallel merge's ordering).
EXTENDS Naturals
VARIABLES a, b, c, d, e
vars == <<a, b, c, d, e>>
Init == a = 0 /\ b = 0 /\ c = 0 /\ d = 0 /\ e = 0
Inc(v) == v < 7 /\ v' = v + 1
Next == \/ Inc(a) /\ UNCHANGED <<b, c, d, e>>
        \/ Inc(b) /\ UNCHANGED <<a, c, d, e>>
        \/ Inc(c) /\ UNCHANGED <<a, b, d, e>>
        \/ Inc(d) /\ UNCHANGED <<a, b, c, e>>
        \/ Inc(e) /\ UNCHANGED <<a, b, c, d>>
NotCentre == ~(a = 4 /\ b = 3 /\ c = 5 /\ d = 4 /\ e = 3)
====
