namespace Instrumentation.Tracing.Tests;

/// <summary>
/// Test classes run in parallel: every application's tracer keeps its own state, so several in one process trace
/// their own requests only. The classes in this collection run alone, after the others, because what they assert is
/// state a process has once, whoever set it: whether an Activity is recorded at all (any listener in the process can
/// ask for it: the sampling tests assert a sampled-out span records nothing), the OpenTelemetry SDK's process-wide
/// providers (they would see the other applications' spans and measurements), the propagator HttpClient takes from
/// <see cref="System.Diagnostics.DistributedContextPropagator.Current"/> (each application under test sets its own),
/// and client spans outside any request (the first tracer listening claims them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTracingState
{
    public const string Name = "Process-wide tracing state";
}
