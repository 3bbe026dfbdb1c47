---- MODULE GenTemporal ----
\* Temporal properties outside the []P/<>P/[]<>P/<>[]P/~> patterns: implications between temporal
\* formulas, IF-THEN-ELSE, disjunctions, \E over a constant set, WF and <<A>>_v inside a formula
\* (checked through the tableau of the negation, as TLC's tlc2/tool/liveness does).
EXTENDS Naturals
VARIABLES x, y
vars == <<x, y>>
Init == x = 0 /\ y \in {0, 1}
Up == x < 3 /\ x' = x + 1 /\ UNCHANGED y
Reset == x = 3 /\ x' = 0 /\ y' \in {y, 1 - y}
Next == Up \/ Reset
\* only Up is fair: a behavior may stop at x = 3
Spec == Init /\ [][Next]_vars /\ WF_vars(Up)
\* every step is fair: the counter cycles for ever, y may keep its value
SpecNext == Init /\ [][Next]_vars /\ WF_vars(Next)

ImplOk == [](y = 0) => <>(x = 3)
IfOk == IF y = 0 THEN <>(x = 3) ELSE <>(x = 3 /\ y = 1)
OrOk == <>[](x = 3) \/ []<><<Reset>>_vars
ExistsOk == \E v \in {0, 1} : []<>(y = v)
NotWfOk == ~WF_vars(Reset) \/ []<>(x = 0)
LeadsOk == (x = 3) ~> (<>[](x = 3) \/ <>(x = 0))
InitImplOk == (y = 0) => (<>[](x = 3) \/ []<>(x = 0))

ImplBad == [](y = 0) => <>(x = 0 /\ y = 1)
IfBad == IF y = 0 THEN <>(x = 3 /\ y = 1) ELSE <>(x = 3)
OrBad == <>[](x = 3) \/ []<>(y = 1)
ActBad == <>[][Up]_vars \/ [](y = 1)
BoxImplBad == [](x = 3 => (<>[](x = 3) \/ [](y = 1)))
\* violated only by a behavior that stops (stutters) at x = 3 with y = 1, which WF_vars(Up) allows
StopBad == <>[](x = 3) => [](y = 0)

Refused == \E v \in {x} : <>(y = v)
RefusedEquiv == <>(x = 3) <=> []<>(y = 1)
\* valid (the premise implies <>[](x = 0)); TLC cc6b616cf reports "Temporal properties were violated" (x = 0, 1, 2, 3, 0 back to state 2)
Valid == (~(<>[](x = 0) ~> <>[](x = 1))) ~> [](x = 0)
\* state-level operator arguments in a temporal formula, bound by name (were evaluated without a state)
EventuallyOf(p) == <>p
ArgOk == EventuallyOf(x = 3)
ArgBad == EventuallyOf(x = 3 /\ y = 1)
RefusedAll == \A v \in {x} : <>(y = v)
====
