using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Images;

/// <summary>The ECR repositories of the images: created when missing, with scan on push, immutable tags and a lifecycle policy.</summary>
public sealed class EcrRepositories(EcrClient ecr, ICakeLog log)
{
    /// <summary>
    /// Keeps the last 30 images of each repository: every deploy's digest stays long enough for a rollback to the
    /// previous task definitions, and an untagged image is gone after a week.
    /// </summary>
    public const string LifecyclePolicy = """
        {"rules":[
          {"rulePriority":1,"description":"Untagged images go after 7 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},
          {"rulePriority":2,"description":"Keep the last 30 images for rollbacks","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}
        ]}
        """;

    public async Task<string> EnsureAsync(string repository, CancellationToken cancellationToken = default)
    {
        if (await ecr.DescribeRepositoryAsync(repository, cancellationToken) is { } uri)
        {
            return uri;
        }

        try
        {
            uri = await ecr.CreateRepositoryAsync(repository, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.IsAccessDenied)
        {
            throw new BuildException($"The ECR repository {repository} does not exist and this role may not create it ({ex.AwsMessage}). Create it, or allow ecr:CreateRepository.", ex);
        }

        await ecr.PutLifecyclePolicyAsync(repository, LifecyclePolicy, cancellationToken);
        log.Information("{0}: repository created ({1})", repository, uri);
        return uri;
    }
}
