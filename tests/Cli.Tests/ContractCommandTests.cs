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
}
