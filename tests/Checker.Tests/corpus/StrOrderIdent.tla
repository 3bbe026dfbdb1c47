---- MODULE StrOrderIdent ----
EXTENDS Naturals, Sequences
VARIABLE x
Init == x = <<>>
Next == \E s \in {"aa", "zz"} : Len(x) < 2 /\ x' = Append(x, s)
Inv == x # <<"zz", "aa">>
zz == 1
====
