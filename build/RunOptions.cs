using Amazon.Runtime;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Backup;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Local;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Registry;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build;

/// <summary>
/// The run's options, one small record per service, made once at setup from the settings
/// <see cref="BuildSettingsReader"/> has read and checked, and held for the run: tasks read them from the context,
/// services get theirs through their constructors (<see cref="OptionHolders"/>).
/// </summary>
public sealed record RunOptions(
    string EnvironmentName,
    string RepositoryRoot,
    string ArtifactsDirectory,
    AwsOptions Aws,
    LocalServiceOptions Local,
    RegistryOptions Registry,
    ImageBuildOptions Images,
    StackOptions Stacks,
    EcsOptions Ecs,
    DeployLockOptions DeployLock,
    NginxOptions Nginx,
    SmokeTestInputs SmokeTest,
    HomeBackupOptions Backup,
    Jenkins.DrainInputs Drain)
{
    /// <param name="publishes">The run pushes images and is no dry run.</param>
    /// <param name="environment">The process's environment variables, read, never written.</param>
    public static RunOptions From(BuildSettings settings, ImageCatalog catalog, bool publishes, Func<string, string?> environment) => new(
        settings.EnvironmentName,
        settings.RepositoryRoot,
        settings.ArtifactsDirectory,
        new AwsOptions(settings.Region, settings.AwsEndpointUrl, RehearsalCredentials(settings, environment), EndpointStartedByRun(settings), AwsCallLimits.Default),
        new LocalServiceOptions(settings.StartLocalServices, settings.AwsEndpointUrl, settings.Registry, settings.RepositoryRoot, settings.ArtifactsDirectory),
        new RegistryOptions(settings.Registry, publishes),
        new ImageBuildOptions(settings.ImagePrefix, settings.DockerBuildNetwork, settings.BaseImages, settings.Parallelism, settings.NoCache) { Catalog = catalog.Images },
        new StackOptions(settings.RepositoryRoot, settings.EnvironmentName, settings.EnvironmentFile, settings.StackParameters),
        new EcsOptions(
            settings.RepositoryRoot, settings.EnvironmentName, settings.EnvironmentFile, settings.StackParameters, settings.TimeZone, settings.AdminUser,
            settings.MasterCpu, settings.MasterMemory, settings.MaxAgents, settings.NginxResolver, settings.ProxyTimeoutSeconds, settings.AllowMasterRestart, settings.MasterRevision, settings.ProxyRevision),
        new DeployLockOptions(settings.EnvironmentName, settings.BreakLock),
        new NginxOptions(settings.JenkinsUpstream, settings.NginxResolver, settings.ProxyTimeoutSeconds),
        new SmokeTestInputs(
            settings.SkipSmokeTest, settings.AdminUser, settings.AdminPassword, settings.StackParameters, settings.SmokeTestTimeoutMinutes,
            settings.SmokeTestCaFile, settings.EnvironmentFile),
        new HomeBackupOptions(settings.SkipHomeBackup, settings.RecoveryPoint, settings.EnvironmentName),
        new Jenkins.DrainInputs(
            TimeSpan.FromMinutes(settings.DrainTimeoutMinutes), settings.RestartWithRunningBuilds, settings.JenkinsUrl, settings.AdminUser, settings.AdminPassword,
            settings.StackParameters, settings.SmokeTestCaFile, settings.EnvironmentFile));

    /// <summary>
    /// moto takes any credentials, but the SDK's chain needs some: a rehearsal whose moto this build starts
    /// (startLocalServices with awsEndpointUrl) gets fixed ones when none are set, given to the session rather than
    /// written to the process environment. Null: the SDK's chain.
    /// </summary>
    public static AWSCredentials? RehearsalCredentials(BuildSettings settings, Func<string, string?> environment)
        => EndpointStartedByRun(settings) && environment("AWS_ACCESS_KEY_ID") is null && environment("AWS_PROFILE") is null
            ? new BasicAWSCredentials("local-rehearsal", "local-rehearsal")
            : null;

    private static bool EndpointStartedByRun(BuildSettings settings) => settings.StartLocalServices && settings.AwsEndpointUrl is not null;
}

/// <summary>The holders of the services' options (<see cref="SetAtSetup{T}"/>), each set once, by the setup.</summary>
public sealed class OptionHolders(
    SetAtSetup<AwsOptions> aws,
    SetAtSetup<LocalServiceOptions> local,
    SetAtSetup<RegistryOptions> registry,
    SetAtSetup<StackOptions> stacks,
    SetAtSetup<EcsOptions> ecs,
    SetAtSetup<DeployLockOptions> deployLock)
{
    public void Set(RunOptions options)
    {
        aws.Set(options.Aws);
        local.Set(options.Local);
        registry.Set(options.Registry);
        stacks.Set(options.Stacks);
        ecs.Set(options.Ecs);
        deployLock.Set(options.DeployLock);
    }
}
