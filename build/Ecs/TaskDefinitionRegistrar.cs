using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What registering a family did: its revision's ARN, and whether a new revision was made.</summary>
public sealed record TaskDefinitionRegistration(string Family, string Arn, bool Registered);

/// <summary>
/// Registers a task definition only when it differs from the family's latest ACTIVE revision. ECS answers a
/// definition with its own defaults filled in, so the two are compared by a fingerprint of the rendered
/// definition, kept as a tag on each revision, not field by field and never by ARN.
/// </summary>
public sealed class TaskDefinitionRegistrar(EcsClient ecs, ICakeLog log)
{
    public const string FingerprintTag = Conventions.FingerprintTagKey;

    public async Task<TaskDefinitionRegistration> RegisterAsync(JsonObject definition, CancellationToken cancellationToken = default)
    {
        var family = (string?)definition["family"] ?? throw new BuildException("A task definition needs a \"family\".");
        var fingerprint = Fingerprint(definition);
        var latest = await ecs.DescribeLatestTaskDefinitionAsync(family, cancellationToken);
        if (latest is { } current && current.Tags.GetValueOrDefault(FingerprintTag) == fingerprint && (string?)current.Definition["status"] != "INACTIVE")
        {
            var arn = (string)current.Definition["taskDefinitionArn"]!;
            log.Information("{0}: unchanged ({1})", family, arn);
            return new TaskDefinitionRegistration(family, arn, Registered: false);
        }

        JsonObject registered;
        try
        {
            registered = await ecs.RegisterTaskDefinitionAsync(definition, new Dictionary<string, string> { [FingerprintTag] = fingerprint }, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code is "ClientException" or "InvalidParameterException")
        {
            throw new BuildException($"ECS refused the task definition of {family}: {ex.AwsMessage}. Fix ecs/ (or what fills its placeholders) and run again.", ex);
        }

        var revisionArn = (string)registered["taskDefinitionArn"]!;
        log.Information("{0}: registered {1}", family, revisionArn);
        return new TaskDefinitionRegistration(family, revisionArn, Registered: true);
    }

    /// <summary>A hash of the definition as rendered, keys in a fixed order.</summary>
    public static string Fingerprint(JsonObject definition)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(definition))))[..32];

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
