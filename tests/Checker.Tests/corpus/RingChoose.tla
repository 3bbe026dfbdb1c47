---- MODULE RingChoose ----
\* EWD998ChanID in miniature (tlaplus/Examples specifications/ewd998): the ring is a constant CHOOSE over
\* [Node -> Node] that calls a parameterized operator, a recursive function numbers the nodes through it,
\* and a refinement through an INSTANCE maps the state with that numbering. The CHOOSE must be evaluated
\* once, as TLC does: evaluated at every use (its call IsSimpleCycle(Node, r) counted as state level)
\* the check did not finish.
EXTENDS Naturals, FiniteSets, Sequences
CONSTANT Node
VARIABLE pos

IsSimpleCycle(S, r) ==
  LET F[i \in 1..Cardinality(S)] ==
        IF i = 1 THEN << CHOOSE s \in S : TRUE >>
        ELSE << r[Head(F[i-1])] >> \o F[i-1]
  IN { F[Cardinality(S)][k] : k \in 1..Cardinality(S) } = S

Ring == CHOOSE r \in [Node -> Node] : IsSimpleCycle(Node, r)
Initiator == CHOOSE n \in Node : TRUE
Inverse(f) == [y \in { f[x] : x \in DOMAIN f } |-> CHOOSE x \in DOMAIN f : f[x] = y]
nat2node[i \in 0..Cardinality(Node) - 1] == IF i = 0 THEN Initiator ELSE Inverse(Ring)[nat2node[i - 1]]
node2nat == Inverse(nat2node)

Init == pos = Initiator
Move(n) == pos = n /\ pos' = Ring[n]
Next == \E n \in Node : Move(n)
Spec == Init /\ [][Next]_pos /\ \A n \in Node : WF_pos(Move(n))

Numbered == pos \in { nat2node[i] : i \in 0..Cardinality(Node) - 1 }
Abs == INSTANCE RingAbs WITH N <- Cardinality(Node), at <- node2nat[pos]
AbsSpec == Abs!Spec
Returns == []<>(pos = Initiator)
====
