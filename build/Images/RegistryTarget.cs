using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The run's push target, chosen once: the Docker registry the settings name (logged in as the user's Docker
/// config says), or the account's ECR with a private login (made on first use, removed through <see cref="Dispose"/>
/// when the host disposes its services at the end of the run, after the teardown). When the run pushes, the image builder asks it first for each content tag.
/// </summary>
public sealed class RegistryTarget(AwsClients aws, RegistryClient registryClient, Handoff<RegistryOptions> options, ICakeLog log) : IDisposable
{
    private readonly SemaphoreSlim _choosing = new(1, 1);
    private (IImageRegistry Registry, RegistryLogin? Login)? _target;

    /// <summary>
    /// Called at setup when the run's tasks push images: the "registry" setting's registry is asked at once whether
    /// it takes this user's login, so that a refused login fails the run before anything changes (ECR's login is checked with the AWS credentials).
    /// </summary>
    public void CheckAccess()
    {
        if (options.Value.Host is not { } host)
        {
            return;
        }

        try
        {
            registryClient.CheckAccessAsync(host, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (RegistryLookupException ex)
        {
            throw new BuildException(ex.Failure == RegistryFailure.Unreachable ? ex.Message + " Check that it runs, or fix the \"registry\" setting." : ex.Message, ex);
        }
    }

    /// <summary>The registry this run pushes to, or null when it pushes nothing (a local build).</summary>
    public async Task<IImageRegistry?> PublishingRegistryAsync(CancellationToken cancellationToken = default)
        => options.Value.Publishes ? (await GetAsync(cancellationToken)).Registry : null;

    /// <summary>The registry this run pushes to and the DOCKER_CONFIG of its private login (null: the user's own), or null when it pushes nothing.</summary>
    public async Task<(IImageRegistry Registry, string? DockerConfig)?> PublishingTargetAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Value.Publishes)
        {
            return null;
        }

        var (registry, login) = await GetAsync(cancellationToken);
        return (registry, login?.Directory);
    }

    public async Task<(IImageRegistry Registry, RegistryLogin? Login)> GetAsync(CancellationToken cancellationToken = default)
    {
        await _choosing.WaitAsync(cancellationToken);
        try
        {
            return _target ??= await ChooseAsync(cancellationToken);
        }
        finally
        {
            _choosing.Release();
        }
    }

    private async Task<(IImageRegistry Registry, RegistryLogin? Login)> ChooseAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Host is { } host)
        {
            log.Information("Pushing to the registry {0} (setting \"registry\")", host);
            return (new DockerRegistry(host, registryClient), null);
        }

        var ecr = aws.Ecr();
        var (endpoint, token, expires) = await ecr.GetAuthorizationTokenAsync(cancellationToken);
        var login = RegistryLogin.Create(endpoint, token);
        log.Information("Logged in to {0} until {1:HH:mm} UTC (private Docker config)", login.Registry, expires);
        return (new EcrImageRegistry(login.Registry, ecr, new EcrRepositories(ecr, log)), login);
    }

    public void Dispose()
    {
        _target?.Login?.Dispose();
        _choosing.Dispose();
    }
}
