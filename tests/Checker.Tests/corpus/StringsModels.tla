---- MODULE StringsModels ----
\* Strings, model values, Bags and TLC's :> and @@; a sequence of strings grows to a bound.
EXTENDS Naturals, Sequences, Bags, TLC
CONSTANTS Names, Nil
VARIABLES who, seen, bag
Init == who = Nil /\ seen = <<>> /\ bag = EmptyBag
Next == /\ Len(seen) < 3
        /\ \E n \in Names : /\ who' = n
                            /\ seen' = Append(seen, "saw")
                            /\ bag' = bag (+) SetToBag({n})
Inv == /\ who = Nil \/ who \in Names
       /\ who /= "saw"
       /\ BagCardinality(bag) = Len(seen)
       /\ \A i \in DOMAIN seen : seen[i] = "saw"
====
