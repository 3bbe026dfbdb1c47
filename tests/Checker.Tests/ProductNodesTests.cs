using NotifierSpec.Checker;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// ProductNodes (checker/liveness), the tableau product's node table, against a Dictionary: ids given in the
/// order nodes are first added, the same id when a node is added again, Find of every added node and of nodes
/// never added, parents kept, across the table's growths. Planted bug, kept as
/// ProductNodes.WithPlantedCollisionBug and caught below: every node in one slot and a node with the same state
/// taken for a hit whatever its tableau node (two tableau nodes of one state merged into one product node).
/// </summary>
public class ProductNodesTests
{
    /// <summary>n additions of pseudo-random (state, tableau node) pairs, many repeated, many states with
    /// several tableau nodes; the first difference from a Dictionary, or null.</summary>
    private static string? Mismatch(ProductNodes nodes, int n)
    {
        var expect = new Dictionary<(int, int), int>();
        var parents = new List<int>();
        var rng = new Random(15);
        for (int k = 0; k < n; k++)
        {
            int s = rng.Next(n / 2), q = rng.Next(5), par = rng.Next(-1, 1000);
            int id = nodes.Add(s, q, par, out bool added);
            if (expect.TryGetValue((s, q), out int old))
            {
                if (added || id != old) return $"add {k}: ({s}, {q}) again got {id} (added {added}), expected {old}";
                continue;
            }
            if (!added || id != expect.Count) return $"add {k}: new ({s}, {q}) got {id} (added {added}), expected {expect.Count}";
            expect[(s, q)] = id;
            parents.Add(par);
        }
        if (nodes.Count != expect.Count) return $"count {nodes.Count}, expected {expect.Count}";
        foreach (var ((s, q), id) in expect)
        {
            if (nodes.Find(s, q) != id) return $"find ({s}, {q}) got {nodes.Find(s, q)}, expected {id}";
            if (nodes.State(id) != s || nodes.Tab(id) != q || nodes.Parent(id) != parents[id])
                return $"node {id} is ({nodes.State(id)}, {nodes.Tab(id)}) from {nodes.Parent(id)}, expected ({s}, {q}) from {parents[id]}";
        }
        for (int s = 0; s < n / 2; s++)
            if (!expect.ContainsKey((s, 7)) && nodes.Find(s, 7) != -1) return $"find ({s}, 7) got {nodes.Find(s, 7)}, never added";
        return null;
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(300_000)]
    public void IdsInOrderOfAdditionFoundAgain(int n) => Assert.Null(Mismatch(new ProductNodes(), n));

    [Fact]
    public void PlantedCollisionBugIsCaught() =>
        Assert.Equal("add 96: new (646, 1) got 62 (added False), expected 96", Mismatch(ProductNodes.WithPlantedCollisionBug(), 3_000));

    [Fact]
    public void SealedTableRefusesLookups()
    {
        var nodes = new ProductNodes();
        nodes.Add(3, 1, -1, out _);
        nodes.Seal();
        Assert.Equal(3, nodes.State(0));
        Assert.Equal(1, nodes.Tab(0));
        Assert.Throws<InvalidOperationException>(() => nodes.Find(3, 1));
        Assert.Throws<InvalidOperationException>(() => nodes.Add(4, 0, 0, out _));
    }
}
