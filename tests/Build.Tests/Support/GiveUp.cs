namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// How long tests wait for what must happen before they call it a hang. A wait for an event (a server answers) ends
/// when the event comes; this bound only decides when to stop waiting, so it is generous: on a machine whose cores
/// other processes keep busy, moto_server's start alone has taken over 30 s.
/// </summary>
public static class GiveUp
{
    /// <summary>A local server the tests start (moto_server, docker-registry) begins to answer.</summary>
    public static readonly TimeSpan ServerStart = TimeSpan.FromMinutes(3);
}
