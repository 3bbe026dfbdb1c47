---- MODULE Viewed ----
\* VIEW: a step counter is left out of the fingerprint.
EXTENDS Naturals
VARIABLES pos, steps
Init == pos = 0 /\ steps = 0
Next == /\ pos' = (pos + 1) % 4
        /\ steps' = steps + 1
V == pos
====
