using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>The documented protocol and listener policy of each vocabulary is proved inductive.</summary>
public class ProofTests
{
    public static TheoryData<string> Vocabularies => new() { "v7", "v7-reviewed", "upstream" };

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Documented_policy_is_inductive_with_every_query_holding(string vocabulary)
    {
        var voc = ModelVocabulary.Find(vocabulary)!;
        var results = Proofs.Run(voc, Variant.Correct(vocabulary));
        var failed = results.Where(r => r.Verdict != QueryVerdict.Holds).Select(r => $"{r.Query}: {r.Verdict}\n{r.Report}").ToList();
        Assert.Empty(failed);
        // the exact query set: initiation per conjunct, consecution per action x conjunct, and
        // the non-vacuity checks (init satisfiable, each action enabled)
        var names = Z3Session.Run(ctx =>
        {
            var m = new Model(ctx, voc, Variant.Correct(vocabulary));
            return (Actions: m.Actions.Select(a => a.Name).ToList(), Conjuncts: m.Conjuncts.Select(c => c.Name).ToList());
        });
        // with the two-pass listener (two_pass[d] free: every mix of one- and two-pass listeners): invalidate_finish
        // and FinishOnlyAfterStart
        // and UffdWpReadOnly (the uffd-wp bit of userfaultfd write-protect: 18 conjuncts, 20 queries more per vocabulary)
        Assert.Equal(19, names.Actions.Count);
        Assert.Equal(18, names.Conjuncts.Count);
        Assert.Equal(18 + 19 * 18 + 1 + 19, results.Count);
        Assert.Contains(results, r => r.Query == "pte_update[upgrade] => UffdWpReadOnly'" && r.Verdict == QueryVerdict.Holds);
        Assert.Contains(results, r => r.Query == "invalidate_finish => TeardownBeforeChange'" && r.Verdict == QueryVerdict.Holds);
        foreach (var a in names.Actions)
            foreach (var c in names.Conjuncts)
                Assert.Contains(results, r => r.Query == $"{a} => {c}'");
    }

    [Fact]
    public void Invariant_names_every_rule_of_docs_rules_md_except_TruthfulEvent()
    {
        var names = Z3Session.Run(ctx => new Model(ctx, ModelVocabulary.Upstream, Variant.Correct("upstream")).Conjuncts
            .Where(c => c.IsRule).Select(c => c.Name).ToList());
        // TruthfulEvent is the guard of pte_update (the mm only makes changes its event allows)
        Assert.Equal(new[] { Rules.NoStaleDeviceMapping, Rules.NoFreedFrameAccess, Rules.CoherentAccess, Rules.StartEndPaired,
            Rules.RangeCoversChange, Rules.SoftDirtyComplete }, names);
    }

    [Fact]
    public void Action_names_are_the_shared_vocabulary()
    {
        var names = Z3Session.Run(ctx => new Model(ctx, ModelVocabulary.V7, Variant.Failing_.First(v => v.Name == "invalidate-page-freed"))
            .Actions.Select(a => a.Name).ToList());
        Assert.Equal(new[]
        {
            "invalidate_range_start", "invalidate_range_start_nonblock", "invalidate", "invalidate[-EAGAIN]", "invalidate_finish", "pte_update",
            "pte_update[fill]", "pte_update[upgrade]", "free_frame", "invalidate_range_end", "release", "mmu_interval_read_begin",
            "hmm_range_fault", "device_lock", "mmu_interval_read_retry", "device_pte_install", "device_unlock", "device_read",
            "device_write", "pte_update[page]", "invalidate_page",
        }, names);
    }

    [Fact]
    public void Dropping_a_strengthening_conjunct_yields_a_cti_naming_action_and_conjunct()
    {
        // without NoReaderInsidePass, SnapshotFresh is not inductive: pte_update may change a
        // page a reader snapshotted, as far as the remaining conjuncts know
        var results = Z3Session.Run(ctx =>
        {
            var m = new Model(ctx, ModelVocabulary.Upstream, Variant.Correct("upstream"));
            return new Prover(m, m.Conjuncts.Where(c => c.Name != "NoReaderInsidePass").ToList()).Consecution().ToList();
        });
        var cti = Assert.Single(results, r => r.Verdict == QueryVerdict.Cti && r.Query == "pte_update => SnapshotFresh'");
        Assert.Contains("counterexample to induction: pte_update(", cti.Report);
        Assert.Contains("breaks SnapshotFresh at d=", cti.Report);
        Assert.Contains("pre-state (satisfies every conjunct):", cti.Report);
        Assert.Contains("hmm_range_fault snapshot", cti.Report);
        Assert.Contains("post-state changes:", cti.Report);
    }
}
