using Microsoft.Extensions.Logging;

namespace Instrumentation.Tests.Shared;

/// <summary>
/// A logger provider that is enabled (warnings and above) but writes nothing: logging costs only what being on costs,
/// and ASP.NET Core behaves as it does in an app that logs (hosting then creates a request Activity for log scopes).
/// Compile-linked into the projects that need it.
/// </summary>
internal sealed class SilentLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => SilentLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class SilentLogger : ILogger
    {
        public static readonly SilentLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
