---- MODULE Hanoi ----
\* Towers of Hanoi with sequences as stacks; "NotSolved" fails at the shortest solution (2^D - 1 moves).
EXTENDS Naturals, Sequences
CONSTANT D
VARIABLE towers
Disks == 1..D
Init == towers = <<[i \in 1..D |-> i], <<>>, <<>>>>
CanMove(from, to) ==
    /\ towers[from] /= <<>>
    /\ IF towers[to] = <<>> THEN TRUE ELSE Head(towers[to]) > Head(towers[from])
Move(from, to) ==
    /\ from /= to
    /\ CanMove(from, to)
    /\ towers' = [towers EXCEPT ![from] = Tail(@), ![to] = <<Head(towers[from])>> \o @]
Next == \E from, to \in 1..3 : Move(from, to)
TypeOK == \A t \in 1..3 : towers[t] \in Seq(Disks)
NotSolved == towers[3] /= [i \in 1..D |-> i]
====
