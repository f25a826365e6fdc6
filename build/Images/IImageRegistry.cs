namespace JenkinsOnEcs.Build.Images;

/// <summary>Where images are pushed: ECR, or any Docker registry (the local rehearsal's, a mirror).</summary>
public interface IImageRegistry
{
    /// <summary>The host images are tagged with for a push, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com.</summary>
    string Host { get; }

    Task EnsureRepositoryAsync(string repository, CancellationToken cancellationToken);

    /// <summary>The digest of repository:tag in the registry, or null when it has no such image.</summary>
    Task<string?> DigestAsync(string repository, string tag, CancellationToken cancellationToken);
}
