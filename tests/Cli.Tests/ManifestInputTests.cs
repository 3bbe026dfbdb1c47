using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier check --manifest FILE` (tla/manifest.json's format, checker/Manifest.Read):
/// a bad manifest is one line file:line:col: bad manifest: ..., exit 255, never a raw .NET JSON error and
/// never a model failure (issue 11).</summary>
public class ManifestInputTests
{
    private const string Good = """
        {
         "models": [
          {
           "name": "A",
           "spec": "A.tla",
           "config": "A.cfg",
           "ci": true,
           "result": "success",
           "violated": null,
           "distinctStates": 3,
           "stateDepth": 2,
           "traceLength": null
          }
         ]
        }
        """;

    private static (int Code, string Out, string Err) Check(string text)
    {
        string dir = Directory.CreateTempSubdirectory("manifest").FullName;
        string path = Path.Combine(dir, "manifest.json");
        File.WriteAllText(path, text);
        var r = TraceInputTests.Run("check", "--manifest", path);
        return (r.Code, r.Out, r.Err.Replace(path, "M"));
    }

    [Theory]
    [InlineData("\"result\": \"success\"", "\"result\": \"sucess\"", "M:8:4: bad manifest: model 'A': result 'sucess' is not one of success, deadlock failure, safety failure, liveness failure, assumption failure, error")]
    [InlineData("\"result\": \"success\"", "\"result\": \"safety\"", "M:8:4: bad manifest: model 'A': result 'safety' is not one of success, deadlock failure, safety failure, liveness failure, assumption failure, error")]
    [InlineData("\"stateDepth\": 2,", "\"depth\": 2,", "M:11:4: bad manifest: model 'A': unknown field \"depth\" (fields: name, spec, config, ci, result, violated, distinctStates, totalStates, stateDepth, traceLength, exit)")]
    [InlineData("\"ci\": true,", "\"ci\": true", "M:8:4: bad manifest: '\"' is invalid after a value")]
    [InlineData("\"name\": \"A\",", "", "M:3:3: bad manifest: model entry 1: field \"name\": missing")]
    [InlineData("\"stateDepth\": 2,", "\"stateDepth\": \"deep\",", "M:11:4: bad manifest: model entry 1: field \"stateDepth\": expected an integer in [0, 2147483647] or null")]
    [InlineData("\"ci\": true,", "\"ci\": \"yes\",", "M:7:4: bad manifest: model 'A': field \"ci\": expected true or false")]
    [InlineData("\"spec\": \"A.tla\",", "\"spec\": \"A.tla\", \"spec\": \"B.tla\",", "M:5:21: bad manifest: the key 'spec' appears twice in the object")]
    public void A_bad_manifest_is_one_line_with_its_position_and_exit_255(string from, string to, string expected)
    {
        Assert.Contains(from, Good);
        var (code, stdout, stderr) = Check(Good.Replace(from, to));
        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(expected, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("LineNumber", stderr);
        Assert.DoesNotContain("BytePositionInLine", stderr);
    }

    [Fact]
    public void A_directory_as_manifest_is_said_to_be_one()
    {
        string dir = Directory.CreateTempSubdirectory("manifest-dir").FullName;
        var (code, _, stderr) = TraceInputTests.Run("check", "--manifest", dir);
        Assert.Equal((255, $"{dir}:1:1: cannot read {dir}: it is a directory"), (code, stderr.TrimEnd('\n')));
    }
}
