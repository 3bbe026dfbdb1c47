---- MODULE PostCond ----
\* POSTCONDITION: checked without a state once the search is over (TLCGet("level") is 0 there); a false one
\* is TLC's "Postcondition Never at ... is false." with exit 10.
EXTENDS Naturals, TLC
VARIABLE x
Init == x = 0
Next == x < 3 /\ x' = x + 1
Done == TLCGet("level") = 0
Never == TLCGet("level") = 1
====
