---------------------------- MODULE ParamPrime ----------------------------
\* An operator parameter given a variable is primed and UNCHANGED in the body
\* (Specifying Systems' AlternatingBit: Lose(q) == ... q' = ... with Lose(msgQ)).
EXTENDS Naturals, Sequences
VARIABLES a, b
Init == a = <<1, 2>> /\ b = <<3>>
Drop(q) == /\ q # << >>
           /\ \E i \in 1..Len(q) : q' = [j \in 1..(Len(q) - 1) |-> IF j < i THEN q[j] ELSE q[j + 1]]
Keep(q) == UNCHANGED q
Add(q, x) == Len(q) < 3 /\ q' = Append(q, x)
Next == \/ Drop(a) /\ Keep(b)
        \/ Drop(b) /\ UNCHANGED a
        \/ \E x \in 1..2 : Add(a, x) /\ Keep(b)
        \/ Add(b, 4) /\ Keep(a)
Spec == Init /\ [][Next]_<<a, b>>
Inv == Len(a) + Len(b) <= 6
=============================================================================
