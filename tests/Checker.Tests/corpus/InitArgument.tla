---- MODULE InitArgument ----
(***************************************************************************)
(* Init assigns the variables in place, one branch after the other: a      *)
(* variable passed to an operator, or read by a LET definition, must be    *)
(* re-read in every branch (TLC: one initial state, x = 2, y = 3).       *)
(***************************************************************************)
EXTENDS Naturals
VARIABLES x, y
P(v) == /\ v \in {1, 2}
        /\ v > 1
Init == /\ P(x)
        /\ LET w == y IN /\ y \in {1, 2, 3}
                         /\ w > 2
Next == UNCHANGED <<x, y>>
====
