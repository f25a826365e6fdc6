using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Settings;

/// <summary>Everything the build was told, read and validated once at setup.</summary>
public sealed record BuildSettings
{
    /// <summary>The environment's name and the repository's root, shared by the options records made from these settings.</summary>
    public required RunEnvironment Environment { get; init; }
    public required string ImagePrefix { get; init; }
    public string? DockerBuildNetwork { get; init; }
    public required int Parallelism { get; init; }

    /// <summary>Build every image without docker's layer cache and whether or not its content tag exists, as a fresh CI runner would.</summary>
    public bool NoCache { get; init; }
    public NginxUpstream? JenkinsUpstream { get; init; }
    public required string NginxResolver { get; init; }
    public required int ProxyTimeoutSeconds { get; init; }
    public required IReadOnlyDictionary<string, string> BaseImages { get; init; }
    public string? Region { get; init; }
    public required IReadOnlyDictionary<string, string> StackParameters { get; init; }
    public string? Registry { get; init; }
    public Uri? AwsEndpointUrl { get; init; }
    public bool StartLocalServices { get; init; }

    /// <summary>Take the deploy lock even where another run holds it (a killed run's, before its lease expires).</summary>
    public bool BreakLock { get; init; }
    public required string TimeZone { get; init; }
    public required string AdminUser { get; init; }
    public required int MasterCpu { get; init; }
    public required int MasterMemory { get; init; }
    public required int? MaxAgents { get; init; }

    /// <summary>false: a Deploy that changes the master's revision (a Jenkins restart) refuses before registering anything.</summary>
    public bool AllowMasterRestart { get; init; } = true;

    /// <summary>Rollback's wanted revisions; null: where the last Deploy moved the service from.</summary>
    public int? MasterRevision { get; init; }
    public int? ProxyRevision { get; init; }

    /// <summary>A Deploy that restarts the master does so without backing the home up first.</summary>
    public bool SkipHomeBackup { get; init; }

    /// <summary>How long a Deploy that restarts the master waits for running builds (minutes, at least 1).</summary>
    public int DrainTimeoutMinutes { get; init; } = 30;

    /// <summary>At the drain's bound, restart anyway (builds still running are cut off) instead of failing.</summary>
    public bool RestartWithRunningBuilds { get; init; }

    /// <summary>Jenkins' root URL for the drain; null: https://DomainName/.</summary>
    public Uri? JenkinsUrl { get; init; }

    /// <summary>RestoreHome's recovery point ARN.</summary>
    public string? RecoveryPoint { get; init; }

    /// <summary>SmokeTest says it is skipped and checks nothing.</summary>
    public bool SkipSmokeTest { get; init; }
    public int SmokeTestTimeoutMinutes { get; init; } = 15;

    /// <summary>Test only: a CA (PEM, absolute path) SmokeTest trusts besides the system's roots.</summary>
    public string? SmokeTestCaFile { get; init; }

    /// <summary>A secret: shown as *** wherever the settings are printed.</summary>
    public Redacted? AdminPassword { get; init; }
}
