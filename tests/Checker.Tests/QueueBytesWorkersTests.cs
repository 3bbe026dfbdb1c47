using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// The queue writes the first atoms it meets as one byte each and numbers the functions' domains (KeyDomains). The
/// parallel merge's workers encode a batch's new states at once, so while they do (KeyDomains.Deferring) an atom or
/// a domain the table lacks is only noted, and Settle numbers the noted ones afterwards in an order of their own:
/// what the table holds, and the `Memory:` line's peak queue, do not depend on which worker met an atom first. The
/// planted bug KeyDomains(plantedNoDefer: true) (codes in the order met, as before) gives other tables for other orders.
/// </summary>
public class QueueBytesWorkersTests
{
    private const int Codes = KeyDomains.LastCode - KeyDomains.FirstCode + 1;

    /// <summary>Integers -50 .. 249: more than there are codes.</summary>
    private static readonly Value[] Atoms = [.. Enumerable.Range(-50, 300).Select(i => (Value)IntV.Of(i))];

    /// <summary>Each atom's code after the atoms were met in this order while deferring, then settled.</summary>
    private static byte?[] CodesAfter(IEnumerable<Value> order, bool planted = false)
    {
        var d = new KeyDomains(planted) { Deferring = true };
        foreach (var a in order) d.Code(a);
        d.Settle();
        return [.. Atoms.Select(a => d.Code(a))];
    }

    [Fact]
    public void Atoms_met_while_deferring_get_their_codes_by_value_whatever_the_order_met()
    {
        var forward = CodesAfter(Atoms);
        Assert.Equal(forward, CodesAfter(Atoms.Reverse()));
        Assert.Equal(forward, CodesAfter(Atoms.Where((_, i) => i % 2 == 1).Concat(Atoms.Where((_, i) => i % 2 == 0))));
        // the first Codes integers from -50 up, one code each in order; the rest none
        for (int i = 0; i < Atoms.Length; i++)
            Assert.Equal(i < Codes ? (byte)(KeyDomains.FirstCode + i) : null, forward[i]);
        // while deferring, nothing new is coded; what was coded before stays
        var d = new KeyDomains() { Deferring = false };
        Assert.Equal((byte)KeyDomains.FirstCode, d.Code(IntV.Of(7)));
        d.Deferring = true;
        Assert.Equal((byte)KeyDomains.FirstCode, d.Code(IntV.Of(7)));
        Assert.Null(d.Code(IntV.Of(8)));
        d.Settle();
        Assert.Equal((byte)(KeyDomains.FirstCode + 1), d.Code(IntV.Of(8)));
        // planted: codes in the order met, so the backward order codes 249 first
        var planted = CodesAfter(Atoms.Reverse(), planted: true);
        Assert.Equal((byte)KeyDomains.FirstCode, planted[^1]);
        Assert.NotEqual(forward, planted);
    }

    [Fact]
    public void Domains_met_while_deferring_are_numbered_by_their_keys_whatever_the_order_met()
    {
        Value[] ab = [BoolV.False, BoolV.True], ints = [IntV.Of(1), IntV.Of(2)], three = [IntV.Of(0), IntV.Of(1), IntV.Of(2)];
        int?[] Numbers(Value[][] order, bool planted = false)
        {
            var d = new KeyDomains(planted) { Deferring = true };
            foreach (var k in order)
            {
                var id = d.Id(k);
                if (!planted) Assert.Null(id); // only noted
            }
            d.Settle();
            return [d.Id(ints), d.Id(ab), d.Id(three)];
        }
        // by length, then key by key (booleans before integers)
        Assert.Equal([1, 0, 2], Numbers([three, ab, ints]));
        Assert.Equal([1, 0, 2], Numbers([ints, three, ab]));
        Assert.Equal([2, 1, 0], Numbers([three, ab, ints], planted: true));
    }

    /// <summary>A state written while deferring (its atoms and domain not yet coded) and the same state written after
    /// Settle (coded) read back alike, the second shorter.</summary>
    [Fact]
    public void A_state_written_before_its_atoms_are_coded_reads_back_as_one_written_after()
    {
        var f = FcnBase.Make([IntV.Of(2), IntV.Of(3)], [IntV.Of(5000), IntV.Of(5)]);
        Value[] st = [f, IntV.Of(5)];
        var buf = new StateBuffer(64) { Domains = new KeyDomains() { Deferring = true } };
        Assert.True(buf.TryAdd(st));
        int first = buf.Len;
        buf.Domains.Settle();
        Assert.True(buf.TryAdd(st));
        // before: tag 8 and the count, the keys 2 and 3 (tag and varint each), 5000 (tag and 2 bytes), 5, 5
        Assert.Equal(1 + 1 + 4 + 3 + 2 + 2, first);
        // after: tag 9 and the domain's number, 5000 (outside the coded range -128 .. 1023), 5 (one byte), 5 (one byte)
        Assert.Equal(2 + 3 + 1 + 1, buf.Len - first);
        var dir = Path.Combine(Path.GetTempPath(), $"codec-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        TlaSpec spec;
        try
        {
            File.WriteAllText(Path.Combine(dir, "E.tla"), "---- MODULE E ----\nVARIABLES a, b\nInit == a = 0 /\\ b = 0\nNext == UNCHANGED <<a, b>>\n====\n");
            File.WriteAllText(Path.Combine(dir, "E.cfg"), "INIT Init\nNEXT Next\n");
            spec = TlaSpec.Load(Path.Combine(dir, "E.tla"), Path.Combine(dir, "E.cfg"));
        }
        finally { Directory.Delete(dir, true); }
        int p = 0;
        for (int k = 0; k < 2; k++)
        {
            var back = StateCodec.Read(spec, buf.Buf, ref p, buf.Domains);
            Assert.Equal(st[0].ToString(), back[0].ToString());
            Assert.True(st[1].Equals(back[1]));
        }
        Assert.Equal(buf.Len, p);
    }

    /// <summary>A level of 300 states, each with two integers of its own (600: more than there are codes), found and
    /// encoded by the workers of three batches' merges: the `Memory:` line is the serial merge's at 1, 2 and 3 workers, run
    /// after run. Seen failing with the serial merge coding atoms as it meets them (ModelChecker.Explore without
    /// BeginBatch). The plant above differs here only when the threads' timing changes which atoms are coded.</summary>
    [Fact]
    public void The_memory_line_is_the_same_at_any_number_of_workers()
    {
        const string Tla = """
            ---- MODULE Atoms ----
            EXTENDS Integers
            VARIABLES x, y
            Init == x = 0 /\ y = 0
            Next == \/ x = 0 /\ x' \in 1..300 /\ y' = 0
                    \/ x # 0 /\ y = 0 /\ x' = x /\ y' = x + 300
                    \/ y # 0 /\ UNCHANGED <<x, y>>
            ====
            """;
        string? expected = null;
        // first the serial merge (one worker), then the parallel merge
        foreach (var (workers, serial) in new[] { (1, true), (1, false), (2, false), (3, false), (2, false), (3, false) })
        {
            var o = new StringWriter();
            var (exit, r, _) = TempSpec.Check("Atoms", Tla, "INIT Init\nNEXT Next\n", new CheckOptions { Workers = workers, Out = o, SerialMerge = serial });
            Assert.Equal(0, exit);
            Assert.Equal(serial, r!.ParallelBatches == 0);
            var memory = o.ToString().Split('\n').Single(l => l.StartsWith("Memory:"));
            Assert.Contains("601 distinct states found", o.ToString());
            expected ??= memory;
            Assert.Equal(expected, memory);
        }
    }
}
