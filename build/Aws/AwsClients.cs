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

    public AwsSession Session(BuildSettings settings) => _session ??= AwsSession.Create(settings.Region);

    public CloudFormationClient CloudFormation(BuildSettings settings) => _cloudFormation ??= new CloudFormationClient(Session(settings));

    public void Dispose() => _cloudFormation?.Dispose();
}
