using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NotifierSpec.Kernel.Tests;

/// <summary>Thrown by a KvmSkippableFact test to report itself skipped, with the reason, once it has found out at run time
/// that the machine did not give it what it tests (xunit 2 has no dynamic skip; SkippableTestCase reports it as skipped).</summary>
public sealed class SkipException(string reason) : Exception(reason);

/// <summary>A KvmFact whose test may end in SkipException: then it is reported skipped with the exception's message, never
/// passed. Any other exception fails it as usual.</summary>
[XunitTestCaseDiscoverer("NotifierSpec.Kernel.Tests.SkippableFactDiscoverer", "Kernel.Tests")]
public sealed class KvmSkippableFactAttribute : FactAttribute
{
    public KvmSkippableFactAttribute() => Skip = new KvmFactAttribute().Skip;
}

/// <summary>A HostOnlyFact whose test may end in SkipException (as KvmSkippableFact).</summary>
[XunitTestCaseDiscoverer("NotifierSpec.Kernel.Tests.SkippableFactDiscoverer", "Kernel.Tests")]
public sealed class HostOnlySkippableFactAttribute : FactAttribute
{
    public HostOnlySkippableFactAttribute() => Skip = new HostOnlyFactAttribute().Skip;
}

public sealed class SkippableFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo fact) =>
        [new SkippableTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method)];
}

/// <summary>Runs the test as XunitTestCase does, turning a failure by SkipException into a skip with its message.</summary>
public sealed class SkippableTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippableTestCase() { }

    public SkippableTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod method)
        : base(diagnostics, display, displayOptions, method) { }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnostics, IMessageBus bus, object[] args, ExceptionAggregator aggregator, CancellationTokenSource cancellation)
    {
        var skips = new SkipBus(bus);
        var summary = await base.RunAsync(diagnostics, skips, args, aggregator, cancellation);
        summary.Failed -= skips.Skipped;
        summary.Skipped += skips.Skipped;
        return summary;
    }

    private sealed class SkipBus(IMessageBus inner) : IMessageBus
    {
        public int Skipped { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed f && f.ExceptionTypes.FirstOrDefault() == typeof(SkipException).FullName)
            {
                Skipped++;
                return inner.QueueMessage(new TestSkipped(f.Test, f.Messages.FirstOrDefault()));
            }
            return inner.QueueMessage(message);
        }

        public void Dispose() { } // the inner bus belongs to the runner
    }
}
