using System.Text.RegularExpressions;
using NotifierSpec.Checker;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// tla/manifest.json: every "ci": true model of the NotifierSpec TLA+ specification must give
/// exactly the result TLC gave (recorded in the manifest): verdict, violated property, exit
/// code, distinct states, depth and counterexample length.
/// </summary>
public class TlaManifestTests
{
    private static string TlaDir
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "tla");
                if (File.Exists(Path.Combine(p, "manifest.json"))) return p;
            }
            throw new DirectoryNotFoundException("tla/manifest.json");
        }
    }

    private static List<ManifestModel> Models() => Manifest.Read(Path.Combine(TlaDir, "manifest.json"));

    public static IEnumerable<object[]> CiModels() => Models().Where(m => m.Ci).Select(m => new object[] { m.Name });

    private static (int Exit, CheckResult? Result, string Err) Run(ManifestModel m, int workers)
    {
        var err = new StringWriter();
        int exit = ModelRun.CheckOne(Path.Combine(TlaDir, m.Spec), Path.Combine(TlaDir, m.Config),
            new CheckOptions { Workers = workers, Out = TextWriter.Null, Coverage = false }, err, out var r);
        return (exit, r, err.ToString());
    }

    private static int ExpectedExit(string result) => result switch
    {
        "success" => ExitCodes.Ok,
        "safety failure" => ExitCodes.Violation,
        "deadlock failure" => ExitCodes.Deadlock,
        "liveness failure" => ExitCodes.Liveness,
        _ => throw new InvalidOperationException($"unknown result {result}"),
    };

    [Theory]
    [MemberData(nameof(CiModels))]
    public void CiModelMatchesTlc(string name)
    {
        var m = Models().Single(x => x.Name == name);
        var (exit, r, err) = Run(m, 1);
        Assert.True(r is not null, err);
        Assert.Equal(ExpectedExit(m.Result), exit);
        Assert.Equal(m.Result, Checker.Manifest.ResultOf(r!));
        Assert.Equal(m.Violated, r.Violated);
        Assert.Equal(m.DistinctStates, r.Distinct);
        Assert.Equal(m.StateDepth, r.Depth);
        Assert.Equal(m.TraceLength, r.TraceLength);   // TLC's count, incl. a liveness "Stuttering" state
        Assert.Empty(Manifest.Compare(m, exit, r));
    }

    /// <summary>The parallel search merges successors in queue order: 2 workers give exactly the
    /// 1-worker (TLC) result. MCInsertSafe is the model that exposed the LET-sharing race of issue 3.</summary>
    [Theory]
    [InlineData("MCInsertSafe")]
    [InlineData("MCNonblockSafe")]
    [InlineData("MCFailRetryOutsideLock")]
    [InlineData("MCFailPassEndEarly")]
    public void SameResultWithTwoWorkers(string name)
    {
        var m = Models().Single(x => x.Name == name);
        var (exit, r, err) = Run(m, 2);
        Assert.True(r is not null, err);
        Assert.Empty(Manifest.Compare(m, exit, r));
    }

    /// <summary>Every rule of docs/rules.md has a must-fail model in CI that violates it.</summary>
    [Fact]
    public void EveryRuleHasAFailingCiModel()
    {
        string[] rules = ["NoStaleDeviceMapping", "NoFreedFrameAccess", "CoherentAccess", "StartEndPaired",
                          "RangeCoversChange", "TruthfulEvent", "SoftDirtyComplete"];
        var violated = Models().Where(m => m.Ci && m.Result == "safety failure").Select(m => m.Violated).ToHashSet();
        Assert.All(rules, rule => Assert.Contains(rule, violated));
        Assert.Contains(Models(), m => m.Ci && m.Result == "liveness failure" && m.Violated == "RetriedFaultCompletes");
        Assert.Contains(Models(), m => m.Ci && m.Result == "deadlock failure");
    }

    /// <summary>Manifest and models/ agree; a failing model checks exactly the property it must violate.</summary>
    [Fact]
    public void ManifestListsEveryModelAndFailingModelsCheckOneProperty()
    {
        var models = Models();
        var files = Directory.GetFiles(Path.Combine(TlaDir, "models"), "MC*.tla").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();
        Assert.Equal(files, models.Select(m => m.Name).Order().ToList());
        foreach (var m in models.Where(m => m.Result is "safety failure" or "liveness failure"))
        {
            var cfg = File.ReadAllText(Path.Combine(TlaDir, m.Config));
            var checkedProps = Regex.Matches(cfg, @"^\s{4}(\w+)\s*$", RegexOptions.Multiline).Select(x => x.Groups[1].Value)
                .Where(p => p != "TypeOK").ToList();
            Assert.Equal([m.Violated!], checkedProps);
        }
    }
}
