using System.Text.RegularExpressions;
using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>The CLI is no library: no project but this one references cli/ (issue 14: the commands are thin; what
/// tests need lives in checker/, conformance/, reference/ and the rest).</summary>
public class LayoutTests
{
    private static readonly Regex CliReference = new(@"<ProjectReference\s+Include=""(?:[^""]*[/\\])?cli[/\\][^""]*\.csproj""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Whether a project file references the cli/ project.</summary>
    public static bool ReferencesCli(string csproj) => CliReference.IsMatch(csproj);

    [Fact]
    public void Only_Cli_Tests_references_cli()
    {
        string root = JsonSchemas.Root();
        var projects = Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"))
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.True(projects.Count >= 10, string.Join(", ", projects)); // the scan sees the solution's projects
        var referencing = projects.Where(p => ReferencesCli(File.ReadAllText(Path.Combine(root, p)))).ToList();
        Assert.Equal(["tests/Cli.Tests/Cli.Tests.csproj"], referencing);
    }

    [Theory]
    [InlineData("<ProjectReference Include=\"../../cli/NotifierSpec.Cli.csproj\" />", true)]
    [InlineData("<ProjectReference Include=\"..\\..\\cli\\NotifierSpec.Cli.csproj\" />", true)]
    [InlineData("<ProjectReference Include=\"../../checker/NotifierSpec.Checker.csproj\" />", false)]
    [InlineData("<ProjectReference Include=\"cli/NotifierSpec.Cli.csproj\" />", true)]
    [InlineData("<ProjectReference Include=\"../Cli.Tests/Cli.Tests.csproj\" />", false)]
    public void A_reference_to_cli_is_found(string line, bool found) => Assert.Equal(found, ReferencesCli(line));
}
