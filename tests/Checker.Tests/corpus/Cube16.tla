---- MODULE Cube16 ----
\* 16 x 16 x 16 = 4,096 states: a small model for the memory target (MemoryTests: at most 64 bytes per distinct
\* state, fingerprint set and queue, also when the run is this small)
EXTENDS Naturals
VARIABLES x, y, z
Init == x = 0 /\ y = 0 /\ z = 0
Next == \/ x' = (x + 1) % 16 /\ UNCHANGED <<y, z>>
        \/ y' = (y + 1) % 16 /\ UNCHANGED <<x, z>>
        \/ z' = (z + 1) % 16 /\ UNCHANGED <<x, y>>
====
