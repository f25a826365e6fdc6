using Amazon.Runtime;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Backup;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Local;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build;

/// <summary>
/// The run's options, one small record per service, made once at setup from the settings
/// <see cref="BuildSettingsReader"/> has read and checked, and held for the run in one holder (a <see cref="Handoff{T}"/>
/// the setup writes): tasks read them from the context, and each service gets the part it needs, a part of that
/// holder (<see cref="BuildHost"/>), through its constructor.
/// </summary>
public sealed record RunOptions(
    RunEnvironment Environment,
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
        settings.Environment,
        new AwsOptions(settings.Region, settings.AwsEndpointUrl, RehearsalCredentials(settings, environment), AwsCallLimits.Default),
        new LocalServiceOptions(settings.StartLocalServices, settings.AwsEndpointUrl, settings.Registry, settings.Environment),
        new RegistryOptions(settings.Registry, publishes),
        new ImageBuildOptions(settings.ImagePrefix, settings.DockerBuildNetwork, settings.BaseImages, settings.Parallelism, settings.NoCache) { Catalog = catalog.Images },
        new StackOptions(settings.Environment, settings.StackParameters),
        new EcsOptions(
            settings.Environment, settings.StackParameters, settings.TimeZone, settings.AdminUser,
            settings.MasterCpu, settings.MasterMemory, settings.MaxAgents, settings.NginxResolver, settings.ProxyTimeoutSeconds, settings.AllowMasterRestart, settings.MasterRevision, settings.ProxyRevision),
        new DeployLockOptions(settings.Environment, settings.BreakLock),
        new NginxOptions(settings.JenkinsUpstream, settings.NginxResolver, settings.ProxyTimeoutSeconds),
        new SmokeTestInputs(
            settings.SkipSmokeTest, settings.AdminUser, settings.AdminPassword, settings.StackParameters, settings.SmokeTestTimeoutMinutes,
            settings.SmokeTestCaFile, settings.Environment),
        new HomeBackupOptions(settings.SkipHomeBackup, settings.RecoveryPoint, settings.Environment),
        new Jenkins.DrainInputs(
            TimeSpan.FromMinutes(settings.DrainTimeoutMinutes), settings.RestartWithRunningBuilds, settings.JenkinsUrl, settings.AdminUser, settings.AdminPassword,
            settings.StackParameters, settings.SmokeTestCaFile, settings.Environment));

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
