----------------------------- MODULE TheoremProof -----------------------------
\* THEOREM Name == P followed by a proof defines Name (SANY): the proof (steps <1>..., BY, OBVIOUS) is not part
\* of P (tlaplus/Examples sums_even: ASSUME T1 with THEOREM T1 == ... <1>a TAKE ...).
EXTENDS Naturals
Even(x) == x % 2 = 0
THEOREM T1 == \A x \in 0..10 : Even(x + x)
<1>a TAKE x \in 0..10
<1>1 Even(x + x) BY DEF Even
<1> QED BY <1>1
THEOREM T2 == \A x \in 0..3 : x < 4
  BY DEF Even
LEMMA T3 == 1 + 1 = 2
OBVIOUS
THEOREM T4 == \A x \in 0..10 : Even(x)
PROOF OMITTED
ASSUME T1 /\ T2 /\ T3 /\ ~T4
VARIABLE v
Init == v = 0
Next == v' = 1 - v
=============================================================================
