using System.Net;
using System.Net.Sockets;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Loopback ports for the servers tests start.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on right now (the OS's choice for port 0).</summary>
    public static int Free()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
