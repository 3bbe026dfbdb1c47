---- MODULE SharedLet ----
(***************************************************************************)
(* Regression model for the multi-worker search: Next is split into the    *)
(* actions Step(i, j) once, at load time, and the LET definition v of each *)
(* action is one shared object that every worker evaluates, many times per *)
(* state (v is referenced five times).  Its cached value must never be     *)
(* paired with another worker's state: before the fix (Memo in Nodes.cs)   *)
(* 4 workers gave wrong state counts in 20 runs out of 20.                 *)
(***************************************************************************)
EXTENDS Naturals
CONSTANT K
VARIABLE f
Init == f = [i \in 1..3 |-> 0]
Step(i, j) == LET v == f
              IN /\ v[i] + j <= K
                 /\ v[1] = f[1] /\ v[2] = f[2] /\ v[3] = f[3]
                 /\ f' = [v EXCEPT ![i] = v[i] + j]
Next == \E i \in 1..3, j \in 1..2 : Step(i, j)
====
