using Microsoft.Z3;

namespace NotifierSpec.Spec;

/// <summary>
/// Owns one Z3 context. Create, use and dispose it on one thread. On Linux the managed wrapper
/// loads the shim libz3.so built from spec/native/z3shim.c next to the assemblies.
/// </summary>
public sealed class Z3Session : IDisposable
{
    public Context Ctx { get; }

    public Z3Session()
    {
        try
        {
            Ctx = new Context(new Dictionary<string, string> { ["model"] = "true" });
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            throw new SpecException($"spec: cannot load Z3 ({e.GetType().Name}: {e.Message.Split('\n')[0]}); run scripts/setup.sh and rebuild (README, section spec/)");
        }
    }

    public void Dispose()
    {
        // let the finalizers of this context's objects queue their dec_refs before the context
        // goes (the shim performs them in Z3_del_context on this thread)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Ctx.Dispose();
    }
}

/// <summary>The proof set of one vocabulary and variant.</summary>
public static class Proofs
{
    public const int DefaultBmcDepth = 10;

    public static List<QueryResult> Run(Vocabulary vocabulary, Variant variant, int bmcDepth = DefaultBmcDepth)
    {
        using var z3 = new Z3Session();
        var model = new Model(z3.Ctx, vocabulary, variant);
        var prover = new Prover(model);
        var results = new List<QueryResult>();
        results.AddRange(prover.Initiation());
        results.AddRange(prover.Consecution());
        if (variant.Failing)
            results.Add(prover.Bmc([variant.ExpectedRule!], bmcDepth));
        return results;
    }
}
