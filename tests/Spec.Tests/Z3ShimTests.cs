using Microsoft.Z3;
using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// The managed API works through the shim: contexts on several threads at once, under GC
/// pressure, with the finalizer thread releasing Z3 objects (their dec_refs queued and run on
/// each context's own thread). A crash here would take the whole test host down.
/// </summary>
public class Z3ShimTests
{
    private static int Churn(int seed)
    {
        return Z3Session.Run(ctx =>
        {
            var solver = ctx.MkSolver();
            int sat = 0;
            for (int round = 0; round < 40; round++)
            {
                var xs = Enumerable.Range(0, 50).Select(k => ctx.MkIntConst($"x{seed}_{round}_{k}")).ToArray();
                solver.Push();
                foreach (var (x, k) in xs.Select((x, k) => (x, k)))
                    solver.Assert(ctx.MkGt(x, ctx.MkInt(k)), ctx.MkLt(x, ctx.MkInt(k + 2 + round % 3)));
                if (solver.Check() == Status.SATISFIABLE) sat++;
                solver.Pop();
                if (round % 10 == 0) GC.Collect();
            }
            return sat;
        });
    }

    [Fact]
    public async Task Contexts_on_four_threads_under_gc_pressure_stay_correct()
    {
        var tasks = Enumerable.Range(0, 4).Select(k => Task.Factory.StartNew(() => Churn(k), TaskCreationOptions.LongRunning)).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(new[] { 40, 40, 40, 40 }, results);
    }

    [Fact]
    public void Unsat_is_reported_and_models_are_readable()
    {
        var (st1, st2, value) = Z3Session.Run(ctx =>
        {
            var s = ctx.MkSolver();
            var x = ctx.MkIntConst("x");
            s.Assert(ctx.MkGt(x, ctx.MkInt(3)), ctx.MkLt(x, ctx.MkInt(5)));
            var a = s.Check();
            var v = ((IntNum)s.Model.Eval(x, true)).Int;
            s.Assert(ctx.MkEq(x, ctx.MkInt(7)));
            return (a, s.Check(), v);
        });
        Assert.Equal(Status.SATISFIABLE, st1);
        Assert.Equal(Status.UNSATISFIABLE, st2);
        Assert.Equal(4, value);
    }
}
