---- MODULE Tabs ----
\* Bullets indented with tabs: SANY (SimpleCharStream, tabSize 8) puts a tab's next character at the
\* next multiple of 8 plus 1, so the tab-indented /\ below is at column 9, under the /\ above it.
EXTENDS Naturals
VARIABLE x
Init == x = 0
Next ==
 \/ x = 3 /\ x' = 0
 \/    /\ x < 3
	/\ x' = x + 1
Inv ==
	/\ x \in 0..3
	/\ x /= 4
====
