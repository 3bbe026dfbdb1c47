using Xunit;

namespace NotifierSpec.Cli.Tests;

/// <summary>`notifier kernel`'s refusals (moved from Kernel.Tests: only CLI tests reference cli/).</summary>
public sealed class KernelCommandTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Bad_ops_are_one_line_with_the_operation_and_column()
    {
        var (code, _, err) = Cli("kernel", "--ops", "mmap 0 4 rw; guest_reed 2");
        Assert.Equal(255, code);
        Assert.Equal("--ops:1:14: operation 2 'guest_reed 2': unknown operation (known: mmap munmap mprotect mremap mremap_dontunmap dontneed free host_read host_write guest_read guest_write fork child_read child_write clear_refs ksm uffd_register uffd_wp uffd_unregister uffd_move mmap_thp collapse migrate pageout mlock munlock)", err.Trim());
    }

    [Theory]
    [InlineData("fork; child_read -1 3", "--ops:1:7: operation 2 'child_read -1 3': child -1 is negative")]
    [InlineData(" ; ", "--ops:1:1: no operation")]
    public void A_negative_child_or_no_operation_is_refused(string ops, string message)
    {
        var (code, _, err) = Cli("kernel", "--ops", ops);
        Assert.Equal(255, code);
        Assert.Equal(message, err.Trim());
    }

    [Theory]
    [InlineData("soon", "notifier kernel: --time: expected an interval such as 30s, 10m or 1h, got 'soon'")]
    [InlineData("0s", "notifier kernel: --time: 0s is not more than zero")]
    [InlineData("1e30s", "notifier kernel: --time: expected an interval such as 30s, 10m or 1h, got '1e30s'")]
    [InlineData("999999999h", "notifier kernel: --time: 999999999h is longer than 8784h")]
    public void A_bad_time_is_one_line(string time, string message)
    {
        var (code, _, err) = Cli("kernel", "--time", time);
        Assert.Equal(255, code);
        Assert.Equal(message, err.Trim());
    }

    [Fact]
    public void A_page_outside_the_region_is_refused()
    {
        var (code, _, err) = Cli("kernel", "--ops", "guest_read 16");
        Assert.Equal(255, code);
        Assert.Equal("--ops:1:1: operation 1 'guest_read 16': page 16 is outside [0, 16)", err.Trim());
    }

    [Fact]
    public void An_unknown_mutant_is_refused()
    {
        var (code, _, err) = Cli("kernel", "--mutant", "Nope");
        Assert.Equal(255, code);
        Assert.StartsWith("notifier kernel: unknown mutant 'Nope'", err.Trim());
    }
}
