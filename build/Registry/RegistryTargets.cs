using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Registry;

/// <summary>
/// The run's push target, chosen once: the Docker registry the settings name, or the account's ECR with a
/// private login (made on first use, removed at teardown through <see cref="Dispose"/>).
/// </summary>
public sealed class RegistryTargets(AwsClients aws, Local.LocalServices local, ICakeLog log) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private (IImageRegistry Registry, RegistryLogin? Login)? _target;

    public async Task<(IImageRegistry Registry, RegistryLogin? Login)> GetAsync(BuildSettings settings, CancellationToken cancellationToken = default)
    {
        if (_target is { } target)
        {
            return target;
        }

        if (settings.Registry is { } host)
        {
            local.EnsureRegistry(settings);
            log.Information("Pushing to the registry {0} (setting \"registry\")", host);
            _target = (new DockerRegistry(host, _http), null);
        }
        else
        {
            var ecr = aws.Ecr(settings);
            var (endpoint, token, expires) = await ecr.GetAuthorizationTokenAsync(cancellationToken);
            var login = RegistryLogin.Create(endpoint, token);
            log.Information("Logged in to {0} until {1:HH:mm} UTC (private Docker config)", login.Registry, expires);
            _target = (new EcrImageRegistry(login.Registry, ecr, new EcrRepositories(ecr, log)), login);
        }

        return _target.Value;
    }

    public void Dispose()
    {
        _target?.Login?.Dispose();
        _http.Dispose();
    }
}
