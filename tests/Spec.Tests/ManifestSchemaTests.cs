using System.Text.Json;
using Json.Schema;
using Xunit;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// tla/manifest.json and the checker corpus's manifest follow tla/manifest.schema.json, whose field names and result
/// values are tlaplus/Examples' manifest-schema.json ones (stateDepth, totalStates, distinctStates; "safety failure",
/// "liveness failure", "deadlock failure"), checked by JsonSchema.Net. The planted cases are the old names.
/// </summary>
public class ManifestSchemaTests
{
    private static string Root()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NotifierSpec.sln"))) d = d.Parent;
        Assert.NotNull(d);
        return d!.FullName;
    }

    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(Root(), "tla", "manifest.schema.json"));

    /// <summary>Where the manifest text breaks the schema: the instance locations of the failed checks.</summary>
    private static List<string> Problems(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var r = Schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return r.IsValid ? [] : [.. (r.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")];
    }

    [Theory]
    [InlineData("tla/manifest.json")]
    [InlineData("tests/Checker.Tests/corpus/manifest.json")]
    public void The_manifest_follows_its_schema(string path) =>
        Assert.Empty(Problems(File.ReadAllText(Path.Combine(Root(), path))));

    [Theory]
    [InlineData("\"stateDepth\":", "\"depth\":", "/models/0")]
    [InlineData("\"result\": \"success\"", "\"result\": \"ok\"", "/models/0/result")]
    [InlineData("\"ci\": true", "\"ci\": \"yes\"", "/models/0/ci")]
    public void Old_or_misspelt_names_and_values_are_refused(string from, string to, string where)
    {
        string text = File.ReadAllText(Path.Combine(Root(), "tla", "manifest.json"));
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, from);
        var problems = Problems(text[..at] + to + text[(at + from.Length)..]);
        Assert.Contains(problems, p => p.StartsWith(where + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void The_old_result_names_are_refused()
    {
        string text = File.ReadAllText(Path.Combine(Root(), "tla", "manifest.json")).Replace("\"safety failure\"", "\"safety\"");
        Assert.Contains(Problems(text), p => p.Contains("/result:", StringComparison.Ordinal));
    }
}
