namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// A registry that speaks the Docker Registry HTTP API v2 (Debian's docker-registry in the local rehearsal, or a
/// mirror): repositories need no creating, and an image is looked up with a HEAD of its manifest, logged in as
/// the user's Docker config says (the same login `docker push` then uses).
/// </summary>
public sealed class DockerRegistry(string host, RegistryClient client) : IImageRegistry
{
    public string Host { get; } = host;

    public Task EnsureRepositoryAsync(string repository, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<string?> DigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await client.DigestAsync(Host, repository, tag, cancellationToken);
        }
        catch (RegistryLookupException ex)
        {
            throw new BuildException(ex.Failure == RegistryFailure.Unreachable ? ex.Message + " Check that it runs, or fix the \"registry\" setting." : ex.Message, ex);
        }
    }
}
