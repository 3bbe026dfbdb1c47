---- MODULE DieHard ----
EXTENDS Naturals
VARIABLES big, small
TypeOK == /\ small \in 0..3
          /\ big   \in 0..5
Init == /\ big = 0
        /\ small = 0
FillSmall == /\ small' = 3
             /\ big' = big
FillBig == /\ big' = 5
           /\ small' = small
EmptySmall == /\ small' = 0
              /\ big' = big
EmptyBig == /\ big' = 0
            /\ small' = small
SmallToBig == /\ big' = IF big + small <= 5 THEN big + small ELSE 5
              /\ small' = small - (big' - big)
BigToSmall == /\ small' = IF big + small <= 3 THEN big + small ELSE 3
              /\ big' = big - (small' - small)
Next == \/ FillSmall \/ FillBig \/ EmptySmall \/ EmptyBig \/ SmallToBig \/ BigToSmall
NotSolved == big /= 4
====
