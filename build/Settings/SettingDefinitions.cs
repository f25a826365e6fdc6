using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Settings;

/// <summary>Every setting the build reads, with its help text: the single list behind --help, validation and the readers.</summary>
public static class SettingDefinitions
{
    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new(SettingNames.Environment, SettingType.Text, "Environment file to use: environments/<name>.json", "local"),
        new(SettingNames.ImagePrefix, SettingType.Text, "Repository prefix of the images built", "jenkins-ecs"),
        new(SettingNames.DockerBuildNetwork, SettingType.Text, "Network for RUN steps of docker build, e.g. host (default: docker's own)."),
        new(SettingNames.Parallelism, SettingType.Number, "How many images build at once (default: the number of cores, at least 2)."),
        new(SettingNames.NoCache, SettingType.Switch, "Build every image from scratch: docker build --no-cache, even where the content tag exists", "false"),
        new(SettingNames.JenkinsUpstream, SettingType.Text, "Jenkins master's internal address for NGINX: http://host:port."),
        new(SettingNames.NginxResolver, SettingType.Text, "DNS server NGINX re-resolves the upstream with", "169.254.169.253", "the VPC resolver"),
        new(SettingNames.ProxyTimeoutSeconds, SettingType.Number, "NGINX read/send timeout towards Jenkins; above the load balancers' idle timeout", "300"),
        new(SettingNames.BaseImages, SettingType.Map, "Replacements for base images, {\"jenkins/jenkins:tag\": \"mirror/jenkins:tag\"}; as argument FROM=TO."),
        new(SettingNames.Region, SettingType.Text, "AWS region to deploy to (else AWS_REGION / the profile's region)."),
        new(SettingNames.Registry, SettingType.Text, "Push to this Docker registry (host:port) instead of the account's ECR, e.g. the local rehearsal's."),
        new(SettingNames.AwsEndpointUrl, SettingType.Text, "Send every AWS call here (as AWS_ENDPOINT_URL does), e.g. the local rehearsal's moto_server."),
        new(SettingNames.StartLocalServices, SettingType.Switch, "true: start moto_server and docker-registry at awsEndpointUrl and registry (loopback) when they are not running, and stop them at the end."),
        new(SettingNames.BreakLock, SettingType.Switch, "Take the environment's deploy lock even where another run holds it, e.g. one that was killed", "false"),
        new(SettingNames.TimeZone, SettingType.Text, "The master's timezone (TZ), an IANA name such as Europe/Berlin", "Etc/UTC"),
        new(SettingNames.AdminUser, SettingType.Text, "The first Jenkins admin's user name", "admin"),
        new(SettingNames.MasterCpu, SettingType.Number, "CPU units of the master's task", "1792", "so that it and the proxy's 256 fit the default m7i.large's 2048"),
        new(SettingNames.MasterMemory, SettingType.Number, "Memory of the master's task and the hard limit of its container in MiB; the JVM's heap is at most 70 % of it (-XX:MaxRAMPercentage=70 in jenkins-entrypoint.sh, JENKINS_HEAP_PERCENT), 4300 MiB of the default", "6144"),
        new(SettingNames.MaxAgents, SettingType.Number, "How many agents of each label (toolchain) Jenkins starts at once: the amazon-ecs plugin applies its maxAgents to each label. CheckPlacement refuses a value the agents' cluster cannot place at AgentMaxInstances (default: the largest it places)."),
        new(SettingNames.AllowMasterRestart, SettingType.Switch, "false: a Deploy that would change the master's revision (Jenkins restarts, running builds stop) refuses before it registers anything; --allow-master-restart allows one run", "true"),
        new(SettingNames.Revision, SettingType.Number, "Rollback: the revision both the master's and the proxy's family go to (default: where each was before the last Deploy moved it)."),
        new(SettingNames.MasterRevision, SettingType.Number, "Rollback: the master family's revision to go to (default: revision, else where the last Deploy moved it from)."),
        new(SettingNames.ProxyRevision, SettingType.Number, "Rollback: the proxy family's revision to go to (default: revision, else where the last Deploy moved it from)."),
        new(SettingNames.SkipHomeBackup, SettingType.Switch, "true: a Deploy that restarts the master does so without BackupHome's on-demand backup of the Jenkins home first", "false"),
        new(SettingNames.DrainTimeoutMinutes, SettingType.Number, "How long a Deploy that restarts the master waits, in quiet-down, for the running builds to end", "30"),
        new(SettingNames.RestartWithRunningBuilds, SettingType.Switch, "true: at drainTimeoutMinutes, restart the master anyway and cut off the builds still running (the summary names them); false: the Deploy fails there and Jenkins takes builds again", "false"),
        new(SettingNames.JenkinsUrl, SettingType.Text, "Where the build reaches Jenkins' API to drain it before a restart (default: https://DomainName/)."),
        new(SettingNames.RecoveryPoint, SettingType.Text, "RestoreHome: the ARN of the AWS Backup recovery point to restore to a new file system."),
        new(SettingNames.SkipSmokeTest, SettingType.Switch, "Skip SmokeTest (the last step of Deploy), with a line saying so; e.g. where no Jenkins answers, as in the local rehearsal", "false"),
        new(SettingNames.SmokeTestTimeoutMinutes, SettingType.Number, "How long SmokeTest waits for each agent label's job, queue and build", "15", "agents scale from zero"),
        new(SettingNames.SmokeTestCaFile, SettingType.Text, "Test only: a PEM CA certificate SmokeTest trusts besides the system's roots (the host name is still checked)."),
        new(SettingNames.AdminPassword, SettingType.Text, "The admin's password for SmokeTest where the stacks name no AdminPasswordSecretArn; as variable or argument only, never in the file."),
        new(SettingNames.StackParameters, SettingType.Map, "CloudFormation parameters by name, {\"DomainName\": \"jenkins.example.com\"}; as argument NAME=VALUE."),
    ];

    /// <summary>The largest maxAgents the reader accepts.</summary>
    public const int MaxAgentsUpperBound = 500;

    /// <summary>The definition of a setting by its key.</summary>
    public static SettingDefinition Get(string key) => All.Single(s => s.Key == key);

    /// <summary>The command-line arguments of the build; the environment file's keys besides <c>environment</c> itself.</summary>
    public static IEnumerable<ArgumentDefinition> Arguments()
        => All.Select(s => new ArgumentDefinition(
            s.Argument,
            s.Type == SettingType.Map ? s.Description : s.Description + $" [env: {s.EnvironmentVariable}]",
            IsFlag: s.Type == SettingType.Switch));
}
