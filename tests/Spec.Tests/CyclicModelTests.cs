using Microsoft.Z3;
using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// The test host was OOM-killed (24 GB) rendering the CTI of `pte_update[page] => RangeCoversChange'` for v7's
/// invalidate_page variants: with Z3's default array extensionality, 4.8.12's model-based quantifier instantiation
/// gives that query a model whose page projection is defined by equalities between array values that are themselves
/// defined through the projection, and Model.Eval on it expanded without end. The prover turns the axiom off
/// (Prover.SolverOptions: no query compares arrays); Render refuses a cyclic model instead of evaluating it.
/// </summary>
public class CyclicModelTests
{
    /// <summary>Solves the CTI query with the given solver options; returns the model's cycle and what Render made of it
    /// (the report, or the SpecException's message). Plain data only (Z3Session).</summary>
    private static (List<string>? Cycle, string Rendered) CtiQuery(string variantName, IReadOnlyDictionary<string, bool> options) => Z3Session.Run(ctx =>
    {
        var variant = Variant.Failing_.Single(v => v.Name == variantName);
        var m = new Model(ctx, ModelVocabulary.Find(variant.Vocabulary)!, variant);
        var solver = ctx.MkSolver();
        var p = ctx.MkParams();
        p.Add("rlimit", 400_000_000u);
        foreach (var (k, v) in options) p.Add(k, v);
        solver.Parameters = p;
        var s = m.FreshState("");
        solver.Assert(ctx.MkAnd(m.Conjuncts.Select(c => m.Closed(c, s)).ToArray()));
        var inst = m.Actions.Single(a => a.Name == "pte_update[page]").Build(s, "a");
        solver.Assert(inst.Guard);
        var conjunct = m.Conjuncts.Single(c => c.Name == Rules.RangeCoversChange);
        var (vars, body) = conjunct.Build(inst.Post);
        solver.Assert(ctx.MkNot(body));
        Assert.Equal(Status.SATISFIABLE, solver.Check());
        var z = solver.Model;
        var cycle = Render.Cycle(z);
        try
        {
            return (cycle, new Render(m, z).CtiReport(s, inst, conjunct, vars));
        }
        catch (SpecException e)
        {
            return (cycle, e.Message);
        }
    });

    [Theory]
    [InlineData("writeback-invalidate-page")]
    [InlineData("invalidate-page-freed")]
    public void With_array_extensionality_the_model_is_cyclic_and_not_evaluated(string variant)
    {
        var (cycle, rendered) = CtiQuery(variant, new Dictionary<string, bool>());
        Assert.NotNull(cycle);
        // the cycle runs through the projection of the page sort (an auxiliary k!n function)
        Assert.Equal(cycle[0], cycle[^1]);
        Assert.Contains(cycle, n => n.StartsWith("k!", StringComparison.Ordinal));
        Assert.Equal($"spec: Z3 gave a model whose definitions are cyclic ({string.Join(" -> ", cycle)}); not evaluated (evaluation would not end: docs/spec.md, \"Z3 on Linux\")", rendered);
    }

    [Theory]
    [InlineData("writeback-invalidate-page")]
    [InlineData("invalidate-page-freed")]
    public void With_the_provers_options_the_model_is_acyclic_and_rendered(string variant)
    {
        Assert.False(Prover.SolverOptions["array.extensional"]);
        var (cycle, rendered) = CtiQuery(variant, Prover.SolverOptions);
        Assert.Null(cycle);
        Assert.StartsWith("counterexample to induction: pte_update[page](p=p", rendered);
        Assert.Contains(" breaks RangeCoversChange\n", rendered);
        Assert.Contains("+ ghost uncovered_change", rendered);
    }
}
