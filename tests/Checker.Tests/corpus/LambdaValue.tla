---- MODULE LambdaValue ----
\* A LAMBDA as a definition's body: SANY's parser refuses it ("Was expecting "Expression or Instance"
\* Encountered "LAMBDA" at line 4, column 8"), exit 150.
Foo == LAMBDA x : x
VARIABLE v
Init == v = 0
Next == UNCHANGED v
====
