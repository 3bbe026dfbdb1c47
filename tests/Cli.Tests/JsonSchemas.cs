using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// Each command's `--json` against its schema in docs/schemas/ (JSON Schema draft 2020-12), checked by JsonSchema.Net:
/// required fields, types, enums, oneOf forms, and no field the schema does not name (every object schema says
/// additionalProperties). Each schema file is loaded once (JsonSchema.Net registers it by its file URI).
/// </summary>
public static class JsonSchemas
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
    }

    public static string PathOf(string name) => Path.Combine(Root(), "docs", "schemas", name + ".schema.json");

    /// <summary>The schemas' names (NAME of docs/schemas/NAME.schema.json).</summary>
    public static IEnumerable<string> Names =>
        Directory.GetFiles(Path.Combine(Root(), "docs", "schemas"), "*.schema.json").Select(f => Path.GetFileName(f)[..^".schema.json".Length]).Order(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new();

    public static JsonSchema Load(string name) => Loaded.GetOrAdd(name, n => new Lazy<JsonSchema>(() => JsonSchema.FromFile(PathOf(n)))).Value;

    /// <summary>Where the value breaks the schema, as `LOCATION KEYWORD: message` (LOCATION a JSON pointer, empty for
    /// the whole value); empty when it conforms.</summary>
    public static List<string> Problems(JsonSchema schema, JsonElement value)
    {
        var r = schema.Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (r.IsValid) return [];
        var problems = (r.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}")).ToList();
        return problems.Count > 0 ? problems : ["(no detail) invalid"];
    }

    public static List<string> Problems(string name, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Problems(Load(name), doc.RootElement);
    }

    /// <summary>Parses a command's stdout and asserts it conforms to docs/schemas/NAME.schema.json.</summary>
    public static JsonElement Conforming(string name, string stdout)
    {
        var doc = JsonDocument.Parse(stdout);
        var problems = Problems(Load(name), doc.RootElement);
        Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}\n{stdout}");
        return doc.RootElement;
    }
}
