---- MODULE Assume ----
\* Temporal conjuncts of the specification other than WF/SF are assumptions of every PROPERTY
\* (TLC: Spec => Prop, the spec's other temporal conjuncts in the tableau with the negated property).
EXTENDS Naturals
VARIABLE x
vars == x
Init == x = 0
Inc == x' = (x + 1) % 4
Reset == x' = 0
Next == Inc \/ Reset
Spec == Init /\ [][Next]_vars /\ WF_vars(Next)
\* from some point on, only Inc steps: passes Often3 (WF keeps Next steps coming)
FinResetSpec == Spec /\ <>[][Inc]_vars
\* the same without fairness: stuttering forever at x = 0 violates Often3
FinResetNoWF == Init /\ [][Next]_vars /\ <>[][Inc]_vars
\* x = 2 infinitely often: Reach2 holds (without it, 0,1,0,1,... by Reset)
Often2Spec == Spec /\ []<>(x = 2)
Often3 == []<>(x = 3)
Reach2 == <>(x = 2)
====
