using System.Text.Json;
using System.Text.RegularExpressions;
using NotifierSpec.Spec;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// Cross-check with the explicit-state results: tla/manifest.json records TLC's verdict per model
/// (and Checker.Tests keeps our checker equal to it). Every must-fail safety model breaks the same
/// rule in spec/'s BMC (or is listed as not expressible, with the reason), and every vocabulary a
/// passing model checks is proved inductive here.
/// </summary>
public class ManifestAgreementTests
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
    }

    private static List<(string Name, string Result, string? Violated, string Config)> Models()
    {
        var root = Root();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "tla", "manifest.json")));
        return doc.RootElement.GetProperty("models").EnumerateArray().Select(m => (
            m.GetProperty("name").GetString()!,
            m.GetProperty("result").GetString()!,
            m.GetProperty("violated").ValueKind == JsonValueKind.Null ? null : m.GetProperty("violated").GetString(),
            Path.Combine(root, "tla", m.GetProperty("config").GetString()!))).ToList();
    }

    [Fact]
    public void Every_failing_variant_mirrors_a_tla_model_violating_the_same_rule()
    {
        var models = Models().ToDictionary(m => m.Name);
        foreach (var v in Variant.Failing_)
        {
            if (!models.ContainsKey(v.TlaModel!))
            {
                // a must-fail model still in tla/models/pending (waiting for spec/ to register it)
                var cfg = Path.Combine(Root(), "tla", "models", "pending", v.TlaModel + ".cfg");
                Assert.True(File.Exists(cfg), $"{v.Name}: {v.TlaModel} neither in tla/manifest.json nor in tla/models/pending");
                Assert.Contains(v.ExpectedRule!, File.ReadAllText(cfg));
                continue;
            }
            Assert.Equal(("safety failure", v.ExpectedRule), (models[v.TlaModel!].Result, models[v.TlaModel!].Violated));
            var voc = Regex.Match(File.ReadAllText(models[v.TlaModel!].Config), "Vocabulary = \"([^\"]+)\"").Groups[1].Value;
            Assert.Equal(voc, v.Vocabulary);
        }
    }

    [Fact]
    public void Every_tla_safety_failure_is_mirrored_or_explained()
    {
        var mirrored = Variant.Failing_.Select(v => v.TlaModel).ToHashSet();
        foreach (var m in Models().Where(m => m.Result != "success"))
            Assert.True(mirrored.Contains(m.Name) || Variant.NotExpressed.ContainsKey(m.Name), $"{m.Name} ({m.Result} {m.Violated}) is neither mirrored nor explained");
        foreach (var name in Variant.NotExpressed.Keys)
            Assert.True(Models().Any(m => m.Name == name && m.Result != "success")
                || File.Exists(Path.Combine(Root(), "tla", "models", "pending", name + ".cfg")), $"{name} is not a failing tla/ model");
    }

    [Fact]
    public void Every_vocabulary_of_a_passing_tla_model_is_proved_here()
    {
        var vocabularies = Models().Where(m => m.Result == "success")
            .Select(m => Regex.Match(File.ReadAllText(m.Config), "Vocabulary = \"([^\"]+)\"").Groups[1].Value).Distinct().OrderBy(x => x).ToList();
        Assert.Equal(new[] { "linux-7.2", "upstream", "v7", "v7-reviewed" }, vocabularies);
        foreach (var voc in vocabularies)
        {
            var results = Proofs.Run(ModelVocabulary.Find(voc)!, Variant.Correct(voc));
            Assert.All(results, r => Assert.Equal(QueryVerdict.Holds, r.Verdict));
        }
    }
}
