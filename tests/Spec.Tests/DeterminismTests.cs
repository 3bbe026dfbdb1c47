using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// A query's report is a function of the calls made on its context, not of when the .NET GC finalizes the
/// Z3 objects the program dropped: the shim performs their dec_refs only when the context is deleted
/// (spec/native/z3shim.c, "Determinism"). Before, it performed them at the next inc_ref, and the BMC trace
/// of consult-vma-on-uffd-wp was seen to differ between runs (VariantTests failed once that way).
/// </summary>
public class DeterminismTests
{
    private static readonly Variant UffdWp = Variant.Failing_.Single(v => v.Name == "consult-vma-on-uffd-wp");

    private static void FullGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>The variant's BMC report; beforeCheck runs before every solver check; churn: another thread
    /// collects without pause meanwhile.</summary>
    private static string Bmc(bool planted, Action? beforeCheck = null, bool churn = false)
    {
        var vocabulary = ModelVocabulary.Find(UffdWp.Vocabulary)!;
        return Z3Session.Run(ctx =>
        {
            using var stop = new CancellationTokenSource();
            var gc = churn
                ? Task.Factory.StartNew(() => { while (!stop.IsCancellationRequested) FullGc(); }, TaskCreationOptions.LongRunning)
                : Task.CompletedTask;
            try
            {
                var prover = new Prover(new Model(ctx, vocabulary, UffdWp, bounds: Bounds.Default)) { BeforeCheck = beforeCheck };
                return prover.Bmc([UffdWp.ExpectedRule!], Proofs.DefaultBmcDepth).Report!;
            }
            finally
            {
                stop.Cancel();
                gc.Wait();
            }
        }, planted);
    }

    /// <summary>A plain run's report (never planted), and the reports of the same query with the GC running at
    /// other times: before every check, all the time, and on two threads at once (each its own context).</summary>
    private static (string Reference, string[] Others) Runs(bool planted)
    {
        var reference = Bmc(planted: false);
        var parallel = Enumerable.Range(0, 2)
            .Select(_ => Task.Factory.StartNew(() => Bmc(planted, FullGc), TaskCreationOptions.LongRunning)).ToArray();
        var others = new[] { Bmc(planted, FullGc), Bmc(planted, churn: true), Bmc(planted, FullGc, churn: true) }
            .Concat(Task.WhenAll(parallel).GetAwaiter().GetResult()).ToArray();
        return (reference, others);
    }

    [Fact]
    public void Bmc_report_does_not_depend_on_when_the_gc_runs()
    {
        var (reference, others) = Runs(planted: false);
        Assert.StartsWith("counterexample: 3 step(s)", reference);
        Assert.All(others, r => Assert.Equal(reference, r));
    }

    [Fact]
    public void Planted_eager_release_makes_the_report_depend_on_the_gc()
    {
        var (reference, others) = Runs(planted: true);
        Assert.Contains(others, r => r != reference);
    }
}
