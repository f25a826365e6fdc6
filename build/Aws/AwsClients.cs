using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The run's AWS session and clients, made on first use (targets that need no AWS never resolve credentials)
/// and shared by every task after that.
/// </summary>
public sealed class AwsClients(Local.LocalServices local) : IDisposable
{
    private AwsSession? _session;
    private CloudFormationClient? _cloudFormation;
    private EcrClient? _ecr;
    private EcsClient? _ecs;

    /// <summary>The session; the environment file's awsEndpointUrl stands where AWS_ENDPOINT_URL would.</summary>
    public AwsSession Session(BuildSettings settings)
    {
        if (_session is null)
        {
            local.EnsureAws(settings);
        }

        return _session ??= AwsSession.Create(
        settings.Region,
        name => name == "AWS_ENDPOINT_URL" && settings.AwsEndpointUrl is { } url && Environment.GetEnvironmentVariable(name) is null
            ? url.ToString()
            : Environment.GetEnvironmentVariable(name));
    }

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
