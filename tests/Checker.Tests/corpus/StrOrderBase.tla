---- MODULE StrOrderBase ----
EXTENDS Naturals, Sequences
Known == {"aa", "zz"}
====
