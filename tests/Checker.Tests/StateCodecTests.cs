using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>The queue's encoding of states (StateBuffer with a KeyDomains table): sizes and round trips.</summary>
public class StateCodecTests
{
    /// <summary>Evaluates the constant expression x in a spec with model values n1..n4 and nil, as a one-variable state.</summary>
    private static (TlaSpec Spec, Value[] State) State(string x)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"codec-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), $"---- MODULE E ----\nEXTENDS Integers, Sequences\nCONSTANTS Nodes, NIL\nVARIABLE v\nInit == v = 0\nNext == v' = v\nX == {x}\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "CONSTANTS Nodes = {n1, n2, n3, n4}\nNIL = nil\nINIT Init\nNEXT Next\n");
            var spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), Path.Combine(dir, "E.cfg"));
            var def = ((DefSym)spec.Root.Top.Find("X")!).D;
            return (spec, [def.Body!.Eval(new Ctx(spec) { Cur = [IntV.Of(0)] }, null)]);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Encodes st twice with one table (the second time every atom and domain already has its code) and
    /// reads both back; returns the second encoding's length.</summary>
    private static int SecondLength(TlaSpec spec, Value[] st)
    {
        var buf = new StateBuffer(64) { Domains = new KeyDomains() };
        Assert.True(buf.TryAdd(st));
        int first = buf.Len;
        Assert.True(buf.TryAdd(st));
        int p = 0;
        for (int k = 0; k < 2; k++)
        {
            var back = StateCodec.Read(spec, buf.Buf, ref p, buf.Domains);
            Assert.Equal(st.Length, back.Length);
            for (int i = 0; i < st.Length; i++)
            {
                Assert.True(st[i].Equals(back[i]));
                Assert.Equal(st[i].ToString(), back[i].ToString());
            }
        }
        Assert.Equal(buf.Len, p);
        return buf.Len - first;
    }

    /// <summary>A function keyed by pairs (btree's childOf: Nodes \X 1..4 -> Nodes \cup {NIL}): its domain is
    /// numbered and each value is one byte, 2 + 16 bytes. Keys of pairs were written in full (tag 8: 2 + 16 * 6 +
    /// 16 * 2 = 130 bytes; seen failing), which made btree's queue 93 bytes per distinct state.</summary>
    [Fact]
    public void A_function_keyed_by_tuples_of_atoms_names_its_domain_and_codes_its_values_in_one_byte_each()
    {
        var (spec, st) = State("[p \\in Nodes \\X (1..4) |-> IF p[2] = 1 THEN p[1] ELSE NIL]");
        Assert.Equal(18, SecondLength(spec, st));
    }

    /// <summary>A record of a string, a model value and an integer, and a set of integers: 2 + 3 and 2 + 3 bytes.</summary>
    [Fact]
    public void Atoms_are_one_byte_once_coded()
    {
        var (spec, st) = State("<<[a |-> \"x\", b |-> NIL, c |-> 700], {-3, 0, 5}>>");
        // tuple (tag, length) + record (tag 9, domain) + 3 codes + set (tag, length) + 3 codes
        Assert.Equal(2 + 2 + 3 + 2 + 3, SecondLength(spec, st));
    }

    /// <summary>Integers outside -128 .. 1023 and atoms past the table's 238 codes keep their tagged form, and
    /// still read back as written.</summary>
    [Fact]
    public void Atoms_without_a_code_keep_their_tagged_form()
    {
        var (spec, st) = State("<<[i \\in 0..299 |-> i], 5000, -200>>");
        // tuple (tag, length) + function on 0..299 (tag 9, domain) + 0 .. 237 coded + 238 .. 299 as tag and a
        // two-byte zigzag varint + 5000 and -200 likewise
        Assert.Equal(2 + 2 + 238 + 62 * 3 + 3 + 3, SecondLength(spec, st));
    }
}
