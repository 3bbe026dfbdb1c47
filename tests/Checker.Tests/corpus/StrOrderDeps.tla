---- MODULE StrOrderDeps ----
EXTENDS StrOrderBase
VARIABLE x
Init == x = <<>>
Next == \E s \in {"zz", "aa"} : Len(x) < 2 /\ x' = Append(x, s)
Inv == x # <<"zz", "aa">>
====
