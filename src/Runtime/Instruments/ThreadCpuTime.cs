using System.Runtime.InteropServices;

namespace Instrumentation.Instruments;

/// <summary>
/// The CPU time the calling thread has consumed, in nanoseconds, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>
/// (Linux and macOS). Elsewhere <see cref="IsSupported"/> is false and nothing is measured.
/// </summary>
internal static unsafe class ThreadCpuTime
{
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<int, Timespec*, int> ClockGetTime;
    private static readonly int ClockId;

    static ThreadCpuTime()
    {
        string library;
        if (OperatingSystem.IsLinux())
        {
            library = "libc.so.6";
            ClockId = 3;
        }
        else if (OperatingSystem.IsMacOS())
        {
            library = "/usr/lib/libSystem.dylib";
            ClockId = 16;
        }
        else
        {
            return;
        }

        if (NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, "clock_gettime", out var export))
        {
            var function = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int, Timespec*, int>)export;
            Timespec probe;
            if (function(ClockId, &probe) == 0)
            {
                ClockGetTime = function;
                IsSupported = true;
            }
        }
    }

    /// <summary>Whether the platform gives per-thread CPU time.</summary>
    public static bool IsSupported { get; }

    /// <summary>The calling thread's CPU time so far, in nanoseconds; 0 when unsupported.</summary>
    public static long Now()
    {
        if (ClockGetTime == null)
        {
            return 0;
        }

        Timespec time;
        ClockGetTime(ClockId, &time);
        return ((long)time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        // time_t and long: pointer-sized on the 64-bit and 32-bit ABIs .NET runs on.
        public nint Seconds;
        public nint Nanoseconds;
    }
}
