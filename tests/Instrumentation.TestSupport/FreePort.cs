using System.Net;
using System.Net.Sockets;

namespace Instrumentation.TestSupport;

/// <summary>Free loopback ports: some well-known ports are taken on the test machines.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
