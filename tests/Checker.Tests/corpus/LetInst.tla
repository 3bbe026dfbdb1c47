---- MODULE LetInst ----
\* INSTANCE inside LET (tlaplus/Examples MCCheckpointCoordination): I!Allowed is the instanced module's
\* definition, with Max and x taken from this module.
EXTENDS Naturals
CONSTANT Max
VARIABLE x
Init == x = 0
Next == LET I == INSTANCE LetInstLib IN \/ I!Step
                                        \/ x > 1 /\ I!Allowed(x + 3) /\ x' = x + 3
Small == x < 5
====
