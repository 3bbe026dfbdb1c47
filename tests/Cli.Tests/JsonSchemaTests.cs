using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// docs/schemas/ itself: every schema is valid JSON Schema draft 2020-12, names its keys in snake_case, says
/// additionalProperties for every object, and is listed in docs/cli.md; every command that reports a result has
/// one. The JsonSchema.Net check (JsonSchemas) is seen failing here on planted mismatches between a schema and a
/// command's real output.
/// </summary>
public class JsonSchemaTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>help prints help and completion a shell script: neither reports a result, so neither takes --json.</summary>
    public static readonly string[] WithoutJson = ["help", "completion"];

    public static TheoryData<string> SchemaNames() => [.. JsonSchemas.Names];

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public void Each_schema_is_valid_draft_2020_12_with_snake_case_keys_and_closed_objects(string name)
    {
        string text = File.ReadAllText(JsonSchemas.PathOf(name));
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", doc.RootElement.GetProperty("$schema").GetString());
        Assert.Equal([], JsonSchemas.Problems(MetaSchemas.Draft202012, doc.RootElement));
        Assert.Equal([], ShapeProblems(doc.RootElement, ""));
        Assert.NotNull(JsonSchemas.Load(name));
    }

    /// <summary>Property names that are not snake_case, and object schemas (with properties) that do not say
    /// additionalProperties (false, or the schema of a map's values).</summary>
    private static List<string> ShapeProblems(JsonElement schema, string at)
    {
        var problems = new List<string>();
        if (schema.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var e in schema.EnumerateArray()) problems.AddRange(ShapeProblems(e, $"{at}/{i++}"));
            return problems;
        }
        if (schema.ValueKind != JsonValueKind.Object) return problems;
        if (schema.TryGetProperty("properties", out var props))
        {
            if (!schema.TryGetProperty("additionalProperties", out _)) problems.Add($"{at}: properties without additionalProperties");
            foreach (var p in props.EnumerateObject())
                if (!Regex.IsMatch(p.Name, "^[a-z][a-z0-9]*(_[a-z0-9]+)*$")) problems.Add($"{at}/properties/{p.Name}: not snake_case");
        }
        foreach (var p in schema.EnumerateObject())
            if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array) problems.AddRange(ShapeProblems(p.Value, $"{at}/{p.Name}"));
        return problems;
    }

    [Fact]
    public void The_shape_check_finds_a_camel_case_key_and_an_open_object()
    {
        using var doc = JsonDocument.Parse("""{"type":"object","additionalProperties":false,"properties":{"ok_key":{"type":"object","properties":{"stateDepth":{"type":"integer"}}}}}""");
        Assert.Equal(["/properties/ok_key: properties without additionalProperties", "/properties/ok_key/properties/stateDepth: not snake_case"], ShapeProblems(doc.RootElement, ""));
        using var bad = JsonDocument.Parse("""{"type":"integr"}""");
        Assert.NotEmpty(JsonSchemas.Problems(MetaSchemas.Draft202012, bad.RootElement)); // not draft 2020-12
    }

    [Fact]
    public void Every_command_that_reports_a_result_has_a_schema_and_docs_cli_md_lists_every_schema()
    {
        var names = JsonSchemas.Names.ToHashSet();
        foreach (var c in Cli.Names.Except(WithoutJson))
        {
            Assert.True(names.Contains(c), $"{c}: no docs/schemas/{c}.schema.json");
            var (code, help, _) = Run(c, "--help");
            Assert.Equal(0, code);
            Assert.Contains("\n  --json ", help);
        }
        string cli = File.ReadAllText(Path.Combine(JsonSchemas.Root(), "docs", "cli.md"));
        foreach (var n in names) Assert.Contains($"(schemas/{n}.schema.json)", cli);
        // help and completion: --json is refused as an unknown option
        foreach (var c in WithoutJson) Assert.Equal((255, "", $"notifier {c}: unknown option --json\n"), Run(c, "--json"));
    }

    /// <summary>Each schema is checked against a command's real output by some test: its name is passed to
    /// Conforming (CliHelpJsonTests and the like) in this project's sources.</summary>
    [Fact]
    public void Every_schema_is_checked_against_real_output_by_a_test()
    {
        string dir = Path.Combine(JsonSchemas.Root(), "tests", "Cli.Tests");
        var used = Directory.GetFiles(dir, "*.cs").SelectMany(f => Regex.Matches(File.ReadAllText(f), @"Conforming\(""([a-z-]+)""").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.Equal([], JsonSchemas.Names.Where(n => !used.Contains(n)));
        Assert.Equal([], used.Where(n => !File.Exists(JsonSchemas.PathOf(n)))); // and no test names a schema that is not there
    }

    private const string Replay = """{"file":"t.jsonl","verdict":"accepted","exit":0,"lines":16,"line":null,"column":null,"rule":null,"message":null}""";

    [Theory]
    [InlineData("\"lines\":16,", "", " required: ")]                                     // a missing field
    [InlineData("\"exit\":0", "\"exit\":\"0\"", "/exit type: ")]                           // a wrong type
    [InlineData("\"lines\":16", "\"lines\":1.5", "/lines type: ")]                         // not an integer
    [InlineData("\"accepted\"", "\"fine\"", "/verdict enum: ")]                            // outside the enum
    [InlineData("{\"file\"", "{\"fileName\":\"x\",\"file\"", "/fileName : ")]             // a field the schema does not name
    public void The_schema_check_finds_a_missing_field_a_wrong_type_a_value_outside_an_enum_and_an_unknown_field(string from, string to, string problem)
    {
        Assert.Equal([], JsonSchemas.Problems("replay", Replay));
        var problems = JsonSchemas.Problems("replay", Replay.Replace(from, to));
        Assert.Contains(problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    /// <summary>A planted mismatch between a schema and a command's real output: the output's key renamed (camelCase,
    /// the style the issue found) and the schema's field renamed; both are refused, naming the field.</summary>
    [Fact]
    public void A_planted_mismatch_between_a_schema_and_real_output_is_found()
    {
        var (code, stdout, _) = Run("events", "--vocabulary", "v7", "--json");
        Assert.Equal(0, code);
        JsonSchemas.Conforming("events", stdout);
        Assert.Contains("\"call_sites\"", stdout);
        var renamedOutput = JsonSchemas.Problems("events", stdout.Replace("\"call_sites\"", "\"callSites\""));
        Assert.Contains(renamedOutput, p => p.StartsWith("/callSites : ", StringComparison.Ordinal));
        Assert.Contains(renamedOutput, p => p.StartsWith(" required: ", StringComparison.Ordinal) && p.Contains("call_sites"));
        // the schema's side: the same output against a schema whose field is named otherwise
        string schemaText = File.ReadAllText(JsonSchemas.PathOf("events")).Replace("\"call_sites\"", "\"call_site_list\"");
        var planted = JsonSchema.FromText(schemaText);
        using var doc = JsonDocument.Parse(stdout);
        var renamedSchema = JsonSchemas.Problems(planted, doc.RootElement);
        Assert.Contains(renamedSchema, p => p.StartsWith("/call_sites : ", StringComparison.Ordinal));
        Assert.Contains(renamedSchema, p => p.StartsWith(" required: ", StringComparison.Ordinal) && p.Contains("call_site_list"));
    }
}
