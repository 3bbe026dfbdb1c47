---- MODULE TlcGetLevel ----
\* TLCGet("level") (0 in ASSUME and Init, else the level of the state evaluated in: the current state of an
\* action, the new state for invariants and state constraints) and TLCGet("config") (TLC's BFS record).
EXTENDS Naturals, TLC
ASSUME TLCGet("level") = 0
ASSUME TLCGet("config").mode = "bfs" /\ TLCGet("config").worker = 1
VARIABLE x, lv
Init == x = 0 /\ lv = TLCGet("level")
Next == \/ x' = (x + 1) % 3 /\ lv' = TLCGet("level")
        \/ x' = (x + 2) % 3 /\ lv' = TLCGet("level")
StateBound == TLCGet("level") <= 6
ActionBound == TLCGet("level") # 4 \/ x' # 2
LevelInv == lv = TLCGet("level") - 1 \/ (lv = 0 /\ TLCGet("level") = 1)
Shallow == TLCGet("level") < 5
Deadlock == TLCGet("config").deadlock
====
