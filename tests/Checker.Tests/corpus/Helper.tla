---- MODULE Helper ----
\* Instantiated by InstanceUser: a bounded buffer over its own variable and constant.
EXTENDS Naturals, Sequences
CONSTANT Cap
VARIABLE buf
HInit == buf = <<>>
Put(v) == Len(buf) < Cap /\ buf' = Append(buf, v)
Get == buf /= <<>> /\ buf' = Tail(buf)
Ok == Len(buf) <= Cap
====
