---- MODULE StrOrderCfg ----
EXTENDS Naturals, Sequences
CONSTANT C
VARIABLE x
Init == x = <<>>
Next == \E s \in {"aa", C} : Len(x) < 2 /\ x' = Append(x, s)
Inv == x # <<"zz", "aa">>
====
