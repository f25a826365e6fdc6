namespace JenkinsOnEcs.Build.Host;

/// <summary>The command line cannot be run as given; the message says what to type instead.</summary>
public sealed class HostUsageException(string message) : Exception(message);
