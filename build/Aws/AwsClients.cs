using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The run's AWS session and clients, made on first use (targets that need no AWS never resolve credentials)
/// and shared by every task after that.
/// </summary>
public sealed class AwsClients : IDisposable
{
    private AwsSession? _session;
    private CloudFormationClient? _cloudFormation;
    private EcrClient? _ecr;
    private EcsClient? _ecs;

    public AwsSession Session(BuildSettings settings) => _session ??= AwsSession.Create(settings.Region);

    public CloudFormationClient CloudFormation(BuildSettings settings) => _cloudFormation ??= new CloudFormationClient(Session(settings));

    public EcrClient Ecr(BuildSettings settings) => _ecr ??= new EcrClient(Session(settings));

    public EcsClient Ecs(BuildSettings settings) => _ecs ??= new EcsClient(Session(settings));

    public void Dispose()
    {
        _cloudFormation?.Dispose();
        _ecr?.Dispose();
        _ecs?.Dispose();
    }
}
