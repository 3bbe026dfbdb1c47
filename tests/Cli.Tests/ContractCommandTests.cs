using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier contract --counterexamples`: the aligned table, then the same counterexample sections as
/// spec/Contract.Markdown (one writer, Contract.Counterexamples).</summary>
public class ContractCommandTests
{
    [Fact]
    public void Counterexamples_follow_the_table_as_in_the_markdown_contract()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Cli.Run(["contract", "--vocabulary", "v7", "--counterexamples", "--quiet"], o, e));
        var rows = Contract.Compute(ModelVocabulary.V7);
        // every refuted cell of the markdown form has its section in the command's output (headers only: Z3's
        // counterexample models may differ between two computations)
        var headers = Contract.Markdown(rows, true).Split('\n').Where(l => l.StartsWith("### ", StringComparison.Ordinal)).ToList();
        Assert.Equal(rows.Sum(r => r.Cells.Count(c => c.Counterexample is not null)), headers.Count);
        Assert.NotEmpty(headers);
        Assert.All(headers, h => Assert.Contains(h + "\n```\ncounterexample: ", o.ToString()));
    }

    /// <summary>A kernel vocabulary's table is followed by MMU_NOTIFY_PROTECTION_VMA as UFFDIO_WRITEPROTECT sends it
    /// (Contract.UffdWp: every start a uffd_wp_range write-protect, the VMA unchanged; docs/protection-vma.md); v7 has no
    /// such sender.</summary>
    [Fact]
    public void A_kernel_vocabulary_prints_the_uffd_write_protect_line()
    {
        var o = new StringWriter();
        Assert.Equal(0, Cli.Run(["contract", "--vocabulary", "linux-7.2", "--quiet"], o, new StringWriter()));
        Assert.Contains("\nMMU_NOTIFY_PROTECTION_VMA from uffd_wp_range (UFFDIO_WRITEPROTECT, the VMA unchanged), BMC to depth 6: " +
            "ignore refuted (NoStaleDeviceMapping), write-protect no counterexample, consult-vma refuted (NoStaleDeviceMapping), " +
            "unmap no counterexample\n", o.ToString().Replace("\r\n", "\n"));
        var v7 = new StringWriter();
        Assert.Equal(0, Cli.Run(["contract", "--vocabulary", "v7", "--quiet"], v7, new StringWriter()));
        Assert.DoesNotContain("uffd_wp_range", v7.ToString());
    }
}
