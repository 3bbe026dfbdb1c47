using Microsoft.Z3;

namespace NotifierSpec.Spec;

/// <summary>
/// Runs work on a fresh Z3 context, then deletes the context. On Linux the managed wrapper
/// loads the shim libz3.so built from spec/native/z3shim.c next to the assemblies.
/// Discipline (z3shim.c and README): the work returns plain data only, never a Z3 object, so
/// that every Z3 object is unreachable when it returns; the finalizers then queue their
/// dec_refs, which Z3_del_context performs on this thread before the context goes. (Deleting a
/// 4.8.12 context while some lambda terms are still referenced was seen to abort in
/// ast.cpp:432.) The context is used by this thread only.
/// </summary>
public static class Z3Session
{
    /// <param name="plantedEagerRelease">A planted bug for tests: the shim performs the context's queued
    /// dec_refs at every inc_ref, as it did before, instead of at the context's deletion; which terms are
    /// freed when then depends on the GC, and a model may differ between runs of the same calls
    /// (spec/native/z3shim.c, "Determinism"; tests/Spec.Tests DeterminismTests).</param>
    public static T Run<T>(Func<Context, T> work, bool plantedEagerRelease = false)
    {
        Context ctx;
        try
        {
            var settings = new Dictionary<string, string> { ["model"] = "true" };
            if (plantedEagerRelease) settings["z3shim_eager_release"] = "true";
            ctx = new Context(settings);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            throw new SpecException($"spec: cannot load Z3 ({e.GetType().Name}: {e.Message.Split('\n')[0]}); run scripts/setup.sh and rebuild (README, section spec/)");
        }
        try
        {
            return Invoke(work, ctx);
        }
        finally
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            ctx.Dispose();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static T Invoke<T>(Func<Context, T> work, Context ctx) => work(ctx);
}

/// <summary>The proof set of one vocabulary and variant.</summary>
public static class Proofs
{
    public const int DefaultBmcDepth = 10;

    public static List<QueryResult> Run(ModelVocabulary vocabulary, Variant variant, int bmcDepth = DefaultBmcDepth, Bounds? bounds = null)
    {
        List<QueryResult> Proofs() => Z3Session.Run(ctx =>
        {
            var prover = new Prover(new Model(ctx, vocabulary, variant));
            return prover.Initiation().Concat(prover.Consecution()).ToList();
        });
        var results = Proofs();
        // quantifier instantiation may depend on the process-wide symbol table (contexts on other
        // threads), so a query can rarely come back unknown: retry on a fresh context, twice at most
        for (int attempt = 0; attempt < 2 && results.Any(r => r.Verdict == QueryVerdict.Unknown); attempt++)
            results = Proofs();
        results.AddRange(Z3Session.Run(ctx =>
        {
            var prover = new Prover(new Model(ctx, vocabulary, variant, bounds: SanityBounds));
            return prover.Sanity().ToList();
        }));
        if (variant.Failing)
            results.Add(Z3Session.Run(ctx => new Prover(new Model(ctx, vocabulary, variant, bounds: bounds ?? Bounds.Default)).Bmc([variant.ExpectedRule!], bmcDepth)));
        return results;
    }

    /// <summary>Finite instance for the non-vacuity checks.</summary>
    public static readonly Bounds SanityBounds = new(2, 2, 2, 2);
}
