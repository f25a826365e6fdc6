namespace JenkinsOnEcs.Build.Settings;

/// <summary>
/// The keys of the environment file. Each key can be overridden by an environment variable
/// (JENKINS_ECS_ + the key in upper snake case) and by a command-line argument (the key in kebab case),
/// in that order of precedence: argument, environment variable, file, default.
/// </summary>
public static class SettingNames
{
    public const string Environment = "environment";
    public const string ImagePrefix = "imagePrefix";
    public const string DockerBuildNetwork = "dockerBuildNetwork";
    public const string Parallelism = "parallelism";
    public const string NoCache = "noCache";
    public const string JenkinsUpstream = "jenkinsUpstream";
    public const string NginxResolver = "nginxResolver";
    public const string ProxyTimeoutSeconds = "proxyTimeoutSeconds";
    public const string BaseImages = "baseImages";
    public const string Region = "region";
    public const string StackParameters = "parameters";
    public const string Registry = "registry";
    public const string AwsEndpointUrl = "awsEndpointUrl";
    public const string StartLocalServices = "startLocalServices";
    public const string BreakLock = "breakLock";
    public const string TimeZone = "timezone";
    public const string AdminUser = "adminUser";
    public const string MasterCpu = "masterCpu";
    public const string MasterMemory = "masterMemory";
    public const string MaxAgents = "maxAgents";
    public const string AllowMasterRestart = "allowMasterRestart";
    public const string Revision = "revision";
    public const string MasterRevision = "masterRevision";
    public const string ProxyRevision = "proxyRevision";
    public const string SkipHomeBackup = "skipHomeBackup";
    public const string DrainTimeoutMinutes = "drainTimeoutMinutes";
    public const string RestartWithRunningBuilds = "restartWithRunningBuilds";
    public const string JenkinsUrl = "jenkinsUrl";
    public const string RecoveryPoint = "recoveryPoint";
    public const string SkipSmokeTest = "skipSmokeTest";
    public const string SmokeTestTimeoutMinutes = "smokeTestTimeoutMinutes";
    public const string SmokeTestCaFile = "smokeTestCaFile";
    public const string AdminPassword = "adminPassword";

    public const string EnvironmentVariablePrefix = "JENKINS_ECS_";
}
