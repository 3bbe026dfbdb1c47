using Snapshooter;
using Snapshooter.Xunit;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// Approved output (Snapshooter.Xunit): the top-level help, every command's `notifier help CMD` text (System.CommandLine's
/// help with the command's exit codes), `--version` and the bash completion script, exactly as approved in __snapshots__/. A change to a help text fails here until its snapshot is updated on purpose (delete
/// the .snap file and run once; ./test.sh sets SNAPSHOOTER_STRICT_MODE=true, so a missing snapshot fails there).
/// </summary>
public class HelpSnapshotTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    public static TheoryData<string> CommandNames() => [.. NotifierSpec.Cli.Cli.Names];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Command_help_is_the_approved_text(string name)
    {
        var (code, text, err) = Run("help", name);
        Assert.Equal((0, ""), (code, err));
        Snapshot.Match(text, SnapshotNameExtension.Create(name));
    }

    [Fact]
    public void Version_is_the_approved_text()
    {
        var (code, text, err) = Run("--version");
        Assert.Equal((0, ""), (code, err));
        Snapshot.Match(text);
    }

    [Fact]
    public void Bash_completion_script_is_the_approved_text()
    {
        var (code, text, err) = Run("completion", "bash");
        Assert.Equal((0, ""), (code, err));
        Snapshot.Match(text);
    }

    [Fact]
    public void Top_level_help_is_the_approved_text()
    {
        var (code, text, err) = Run("--help");
        Assert.Equal((0, ""), (code, err));
        Snapshot.Match(text);
    }
}
