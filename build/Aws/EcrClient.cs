using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>The ECR operations the deploy uses (JSON 1.1, AmazonEC2ContainerRegistry_V20150921).</summary>
public sealed class EcrClient(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "ecr".</summary>
    public static readonly AwsOperations Sends = new("ecr", ["GetAuthorizationToken", "DescribeRepositories", "CreateRepository", "PutLifecyclePolicy", "DescribeImages"]);

    private readonly JsonProtocolClient _client = new(session, AwsService.Ecr);

    /// <summary>Where the calls go.</summary>
    public Uri Endpoint => _client.Endpoint;

    /// <summary>The registry's address and a short-lived "AWS:password" token, base64 as ECR gives it.</summary>
    public async Task<(string ProxyEndpoint, string Token, DateTimeOffset ExpiresAt)> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
    {
        var data = (await _client.CallAsync("GetAuthorizationToken", new JsonObject(), cancellationToken))["authorizationData"]?.AsArray().FirstOrDefault()
            ?? throw new BuildException("ECR GetAuthorizationToken answered without authorization data. Check that the role may call ecr:GetAuthorizationToken in this region.");
        var expires = data["expiresAt"] is JsonValue at && at.TryGetValue<double>(out var seconds) ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : DateTimeOffset.UtcNow.AddHours(12);
        return ((string)data["proxyEndpoint"]!, (string)data["authorizationToken"]!, expires);
    }

    /// <summary>The repository's URI, or null when it does not exist.</summary>
    public async Task<string?> DescribeRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(name) }, cancellationToken);
            return (string?)response["repositories"]?.AsArray().FirstOrDefault()?["repositoryUri"];
        }
        catch (AwsServiceException ex) when (ex.Code == "RepositoryNotFoundException")
        {
            return null;
        }
    }

    /// <summary>
    /// Creates a repository with scan on push and immutable tags, but for the layer cache's tag (<c>buildcache</c>),
    /// which every build that changes the image moves on; returns its URI.
    /// </summary>
    public async Task<string> CreateRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("CreateRepository", new JsonObject
        {
            ["repositoryName"] = name,
            ["imageTagMutability"] = "IMMUTABLE_WITH_EXCLUSION",
            ["imageTagMutabilityExclusionFilters"] = new JsonArray(new JsonObject { ["filterType"] = "WILDCARD", ["filter"] = Conventions.CacheTag }),
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true },
            ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = "AES256" },
        }, cancellationToken);
        return (string)response["repository"]!["repositoryUri"]!;
    }

    public Task PutLifecyclePolicyAsync(string repository, string policy, CancellationToken cancellationToken)
        => _client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = repository, ["lifecyclePolicyText"] = policy }, cancellationToken);

    /// <summary>The digest of the image with this tag, or null when the repository has no such tag.</summary>
    public async Task<string?> DescribeImageDigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.CallAsync("DescribeImages", new JsonObject
            {
                ["repositoryName"] = repository,
                ["imageIds"] = new JsonArray(new JsonObject { ["imageTag"] = tag }),
            }, cancellationToken);
            return (string?)response["imageDetails"]?.AsArray().FirstOrDefault()?["imageDigest"];
        }
        catch (AwsServiceException ex) when (ex.Code == "ImageNotFoundException")
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();
}
