---- MODULE LazyMember ----
\* Membership in sets TLC never enumerates (SetOfFcnsValue, SetOfRcdsValue, SetCupValue, SetCapValue,
\* SetDiffValue, SubsetValue, SetOfTuplesValue, UnionValue, SetPredValue, Seq, Nat, Int, STRING): a typical
\* TypeOK over infinite sets. One configuration per set form; the Err* ones are TLC's evaluation errors.
EXTENDS Integers, Sequences, FiniteSets
CONSTANT Nil
VARIABLES x, s, q
vars == <<x, s, q>>
D == {1, 2}
Rec == [a : Nat, b : {"u", "v"}]
Init == x = [d \in D |-> Nil] /\ s = {} /\ q = <<>>
Next == \/ \E d \in D : x[d] = Nil /\ x' = [x EXCEPT ![d] = [a |-> d, b |-> "u"]] /\ UNCHANGED <<s, q>>
        \/ \E n \in 0..2 : Len(q) < 2 /\ q' = Append(q, n) /\ s' = s \cup {n} /\ UNCHANGED x

FcnCup   == x \in [D -> Rec \cup {Nil}]
FcnSet   == /\ q \in [1..Len(q) -> Nat]
            /\ \A d \in D : x[d] # Nil => [e \in {d} |-> x[e]] \in [{d} -> Rec]
            /\ [n \in 1..2 |-> n] \notin [1..2 -> Nat \ {2}]
RcdSet   == /\ \A d \in D : x[d] = Nil \/ x[d] \in [a : Int, b : STRING]
            /\ [a |-> -1, b |-> "u"] \notin Rec
            /\ [c |-> 1] \notin Rec
Cup      == /\ q \in Seq(Nat) \cup {Nil}
            /\ x[1] \in Rec \cup {Nil}
            /\ 0 \in Nat \cup (SUBSET Nat)
            /\ s \in {Nil} \cup (SUBSET Nat)
            /\ Nil \in Nat \cup {Nil}
            /\ -1 \notin Nat \cup {Nil}
Diff     == /\ x[1] \in (Rec \cup {Nil}) \ {[a |-> 5, b |-> "u"]}
            /\ s \in SUBSET (Nat \ {7})
            /\ 7 \notin Nat \ {7}
            /\ <<7>> \notin Seq(Nat) \ {<<7>>}
Cap      == /\ s \in SUBSET (Nat \cap Int)
            /\ x[1] = Nil \/ x[1] \in Rec \cap [a : Int, b : STRING]
            /\ -1 \notin Nat \cap Int
Subset   == /\ s \in SUBSET Nat
            /\ {x} \in SUBSET [D -> Rec \cup {Nil}]
            /\ {-1} \notin SUBSET Nat
            /\ {} \in SUBSET SUBSET Int
SeqForm  == /\ q \in Seq(Nat)
            /\ q \in Seq(Int \ {-1})
            /\ <<q, q>> \in Seq(Seq(0..2))
            /\ <<-1>> \notin Seq(Nat)
Union    == /\ x[1] = Nil \/ x[1] \in UNION {Rec}
            /\ x[2] \in UNION {Rec \cup {Nil}}
            /\ x[1] \in UNION {{Nil}, [a : 0..3, b : {"u"}]}
            /\ s \in UNION {SUBSET Nat}
            /\ q \in UNION {Seq(Nat)}
            /\ [a |-> -1] \notin UNION {[a : Nat]}
Filter   == /\ q \in {t \in Seq(Nat) : Len(t) <= 2}
            /\ s \in {t \in SUBSET Int : \A i \in t : i < 3}
            /\ s \in {t \in SUBSET (0..2) : Cardinality(t) <= 2}
            /\ 5 \notin {n \in Nat : n < 3}
            /\ \A d \in D : x[d] \in {r \in Rec \cup {Nil} : r = Nil \/ r.a = d}
Product  == /\ <<s, q>> \in (SUBSET Nat) \X Seq(Nat)
            /\ <<1, "a", q>> \in Nat \X STRING \X Seq(Int)
            /\ <<-1, "a">> \notin Nat \X STRING
Nested   == /\ [r |-> x, t |-> q] \in [r : [D -> Rec \cup {Nil}], t : Seq(Nat) \ {<<7>>}]
            /\ <<x, s>> \in [D -> UNION {Rec \cup {Nil}}] \X (SUBSET {n \in Int : n >= 0})
            /\ {q} \in SUBSET Seq(Nat \cup (SUBSET Nat))

\* TLC evaluation errors: {e : x \in S} enumerates S; so do \A, \E over a set TLC cannot enumerate
ErrSetMap     == q \in {<<n>> : n \in Nat}
ErrFilterEnum == \A n \in {m \in Nat : m < 3} : n >= 0
ErrCapEnum    == \E n \in Nat \cap Int : n = 0
ErrNotRecord  == 1 \in Rec
ErrNotFcn     == "a" \in [D -> Nat]
ErrNotSeq     == [a |-> 1] \in Seq(Nat)
ErrNotString  == 1 \in STRING
ErrNotSet     == 1 \in SUBSET Nat
ErrNotTuple   == [a |-> 1] \in Nat \X Nat
\* TLC sorts the sets of UNION {S, T} (comparing them enumerates both)
ErrUnionSort  == x[1] \in UNION {Rec, {Nil}}
\* S \cup T asks S first: 0 \in SUBSET Nat is an error
ErrCupOrder   == 0 \in (SUBSET Nat) \cup Nat
====
