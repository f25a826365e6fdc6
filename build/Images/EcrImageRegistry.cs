using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Images;

/// <summary>ECR as the registry: repositories created when missing, images looked up with DescribeImages.</summary>
public sealed class EcrImageRegistry(string host, EcrClient ecr, EcrRepositories repositories) : IImageRegistry
{
    public string Host { get; } = host;

    public Task EnsureRepositoryAsync(string repository, CancellationToken cancellationToken) => repositories.EnsureAsync(repository, cancellationToken);

    public async Task<string?> DigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await ecr.DescribeImageDigestAsync(repository, tag, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "RepositoryNotFoundException")
        {
            // Asked before building, when the push has not created the repository yet: it has no image then.
            return null;
        }
    }
}
