using System.Diagnostics;

namespace Instrumentation.TestSupport;

/// <summary>
/// A daemon the tests start themselves (Prometheus, carbon-cache): started in its own session with setsid, stopped by
/// its own PID only, so nothing else on the machine is touched.
/// </summary>
public sealed class ExternalProcess : IDisposable
{
    private readonly Process process;

    private ExternalProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, string logPath)
    {
        var info = new ProcessStartInfo("setsid") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        info.ArgumentList.Add("--wait");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1");
        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LOG"] = logPath;
        return new ExternalProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}"));
    }

    /// <summary>Stops the process (SIGTERM, then SIGKILL after the grace period) and waits for it.</summary>
    public void Stop(TimeSpan? grace = null)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            term.WaitForExit();
        }

        if (!process.WaitForExit(grace ?? TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }

    /// <summary>Waits until a condition holds, polling; fails with the message when it never does.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // Not up yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(failure);
    }
}
