namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Marks the sinks' own network calls, so tracing leaves them out. A sink's HTTP send is an HttpClient call like any
/// other: traced, it would be a client span, which the same sink exports with its next send, which makes another span
/// (a loop that grows with every retry while a receiver misbehaves), and it would show the library's plumbing as the
/// application's dependency. The mark is an <see cref="AsyncLocal{T}"/> set inside the send's own async flow, so it
/// ends with the send and never reaches the application's calls.
/// </summary>
internal static class OwnTraffic
{
    private static readonly AsyncLocal<bool> Sending = new();

    /// <summary>Whether the current flow is one of the sinks' own sends.</summary>
    public static bool IsSending => Sending.Value;

    /// <summary>Marks the rest of the calling async method's flow as a sink's own; call first thing in that method.</summary>
    public static void Mark() => Sending.Value = true;
}
