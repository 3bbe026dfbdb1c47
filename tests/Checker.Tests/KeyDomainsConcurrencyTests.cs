using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>The parallel merge's workers encode new states at once, so one KeyDomains table gives atom codes to several
/// threads: each atom gets exactly one code, every thread sees that code, and the code reads back as the atom. Seen
/// failing (two codes for one atom) with Code's lock removed, as merged from the evaluation branch.</summary>
public class KeyDomainsConcurrencyTests
{
    [Fact]
    public void Workers_coding_the_same_atoms_at_once_agree_on_one_code_each()
    {
        for (int round = 0; round < 50; round++)
        {
            var domains = new KeyDomains();
            const int Threads = 8, Atoms = KeyDomains.LastCode - KeyDomains.FirstCode + 1;
            var codes = new byte?[Threads, Atoms];
            using var start = new Barrier(Threads);
            var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < Atoms; i++)
                {
                    int a = t % 2 == 0 ? (i + 31 * t) % Atoms : Atoms - 1 - (i + 31 * t) % Atoms; // each thread its own order
                    codes[t, a] = domains.Code(IntV.Of(a));
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            var seen = new HashSet<byte>();
            for (int a = 0; a < Atoms; a++)
            {
                byte? c = codes[0, a];
                Assert.NotNull(c);
                for (int t = 1; t < Threads; t++) Assert.Equal(c, codes[t, a]);
                Assert.True(seen.Add(c!.Value), $"round {round}: code {c} given twice");
                Assert.Equal(a, ((IntV)domains.Atom(c.Value)).N);
            }
        }
    }
}
