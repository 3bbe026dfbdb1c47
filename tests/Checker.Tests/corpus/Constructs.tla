---- MODULE Constructs ----
\* Exercises: nested EXCEPT with @ and paths, CASE/OTHER, LET with local operators, RECURSIVE,
\* recursive functions, LAMBDA and higher-order operators, SUBSET/UNION/\X/[S -> T], CHOOSE, tuple binders.
EXTENDS Integers, Sequences, FiniteSets, TLC
VARIABLES r, n, log
RECURSIVE Sum(_)
Sum(S) == IF S = {} THEN 0 ELSE LET x == CHOOSE y \in S : TRUE IN x + Sum(S \ {x})
fact[k \in 0..10] == IF k = 0 THEN 1 ELSE k * fact[k - 1]
Apply2(F(_, _), a, b) == F(a, b)
Max(a, b) == IF a > b THEN a ELSE b
Evens(s) == SelectSeq(s, LAMBDA x : x % 2 = 0)
Kind(k) == CASE k = 0 -> "zero"
             [] k < 0 -> "neg"
             [] OTHER -> "pos"
Init == /\ r = [a |-> [b |-> 0, c |-> <<1, 2>>], d |-> {}]
        /\ n = 0
        /\ log = <<>>
Step == /\ n < 4
        /\ r' = [r EXCEPT !.a.b = @ + 1, !.a.c[2] = @ * 2, !.d = @ \cup {n}]
        /\ n' = n + 1
        /\ log' = Append(log, Kind(n - 2))
Alt == /\ n = 2
       /\ \E <<x, y>> \in {<<1, 2>>, <<3, 4>>} : /\ r' = [r EXCEPT !.a = [@ EXCEPT !.b = x + y]]
                                              /\ n' = 10
       /\ UNCHANGED log
Next == Step \/ Alt
Facts == /\ Sum({1, 2, 3, 4}) = 10
         /\ fact[5] = 120
         /\ Apply2(Max, 3, 7) = 7
         /\ Apply2(LAMBDA a, b : a - b, 3, 7) = -4
         /\ Evens(<<1, 2, 3, 4, 6>>) = <<2, 4, 6>>
         /\ Cardinality(SUBSET {1, 2, 3}) = 8
         /\ UNION {{1}, {2, 3}} = {1, 2, 3}
         /\ {1, 2} \X {"a"} = {<<1, "a">>, <<2, "a">>}
         /\ Cardinality([{1, 2} -> {3, 4, 5}]) = 9
         /\ {x \in 1..10 : x % 3 = 0} = {3, 6, 9}
         /\ {x * x : x \in 1..4} = {1, 4, 9, 16}
         /\ {a + b : a \in 1..2, b \in {10, 20}} = {11, 12, 21, 22}
         /\ (CHOOSE x \in {3, 1, 2} : TRUE) = 1
         /\ (1 :> "a" @@ 2 :> "b") = <<"a", "b">>
         /\ DOMAIN [x \in {"p", "q"} |-> 0] = {"p", "q"}
         /\ (-7) \div 2 = -4 /\ (-7) % 2 = 1 /\ 7 \div (-2) = -4
         /\ <<1, 2>> = [i \in 1..2 |-> i]
         /\ [a |-> 1, b |-> 2] = [b |-> 2, a |-> 1]
         /\ SubSeq(<<1, 2, 3, 4>>, 2, 3) = <<2, 3>>
         /\ \A <<x, y>> \in {<<1, 1>>, <<2, 2>>} : x = y
         /\ LET f[i \in 1..3] == i * 10 IN f[2] = 20
         /\ ToString(<<1, "a">>) = "<<1, \"a\">>"
         /\ Len(log) = n \/ n = 10
Inv == Facts /\ r.a.b <= 10
====
