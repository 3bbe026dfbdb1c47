---- MODULE BadParse ----
VARIABLE x
Init == x = 
Next == x' = x
====
