using NotifierSpec.Kernel;
using Xunit;

namespace NotifierSpec.Kernel.Tests;

/// <summary>The operations not yet seen live (Conformance.Unseen) stay out of generated sequences unless asked for: without
/// --unseen a campaign's sequences are session 11's, a generated mremap_dontunmap being the plain mremap it replaced.</summary>
public class UnseenTests
{
    [Fact]
    public void Without_unseen_a_generated_dontunmap_is_the_plain_mremap_it_replaced()
    {
        int found = 0;
        for (int k = 0; k < 200; k++)
        {
            var with = Campaign.Sequence(16, 1, k, uffd: true, unseen: true);
            var without = Campaign.Sequence(16, 1, k, uffd: true);
            Assert.Equal(with.Length, without.Length);
            Assert.DoesNotContain(without, o => o is KOp.MremapDontunmap);
            for (int i = 0; i < with.Length; i++)
                if (with[i] is KOp.MremapDontunmap d) { found++; Assert.Equal(new KOp.Mremap(d.Start, d.End, d.NewStart), without[i]); }
                else Assert.Equal(with[i], without[i]);
        }
        Assert.True(found > 0, "no mremap_dontunmap generated in 200 sequences");
    }

    [Fact]
    public void The_unseen_live_tests_say_why_they_skip()
    {
        // asked for (NOTIFIER_KERNEL_UNSEEN=1): KvmFact's conditions decide; else the reason
        string? why = Environment.GetEnvironmentVariable("NOTIFIER_KERNEL_UNSEEN") == "1" ? new KvmFactAttribute().Skip : UnseenKvmFactAttribute.Why;
        Assert.Equal(why, new UnseenKvmFactAttribute().Skip);
        Assert.Equal(why, new UnseenKvmTraceFactAttribute().Skip);
    }
}
