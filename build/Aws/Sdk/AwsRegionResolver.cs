using Amazon;
using Amazon.Runtime;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The region every client of a run uses, resolved once: the environment file's "region" (or --region), else
/// AWS_REGION, AWS_DEFAULT_REGION, the AWS_PROFILE (or default) profile's region and
/// the EC2 instance's region (unless AWS_EC2_METADATA_DISABLED=true), in the order of the AWS CLI. The name is
/// checked against the regions AWSSDK.Core knows, so a typo fails here, clearly, instead of as a DNS error later.
/// </summary>
public static class AwsRegionResolver
{
    public static RegionEndpoint Resolve(string? region)
    {
        var name = region;

        // AWSSDK.Core 4.1.0's fallback reads AWS_REGION but not AWS_DEFAULT_REGION, which the CLI and the other SDKs
        // honour right after it.
        if (string.IsNullOrWhiteSpace(name) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AWS_REGION")))
        {
            name = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            // The SDK caches what it found once; the environment may have changed since (tests, a long-lived host).
            // Instance metadata is asked only when not switched off, so that a disabled metadata service is never
            // contacted, whatever the SDK's own checks do.
            FallbackRegionFactory.Reset();
            var metadataDisabled = string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);
            name = FallbackRegionFactory.GetRegionEndpoint(includeInstanceMetadata: !metadataDisabled)?.SystemName;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new BuildException(
                "No AWS region is set. Set \"region\" in the environment file (environments/<name>.json) or pass --region=NAME, " +
                "or set AWS_REGION (or AWS_DEFAULT_REGION), or give your AWS profile a region (aws configure set region NAME).");
        }

        return Validate(name.Trim());
    }

    /// <summary>The region of that name, or a <see cref="BuildException"/> naming the regions it may have meant.</summary>
    public static RegionEndpoint Validate(string name)
    {
        var endpoint = RegionEndpoint.GetBySystemName(name);

        // The SDK answers any name; one missing from its region data comes back with the display name "Unknown".
        if (endpoint.DisplayName != "Unknown")
        {
            return endpoint;
        }

        // Every name asked for joins the SDK's list as "Unknown", and us-east-1-regional is an old pseudo-region.
        var known = RegionEndpoint.EnumerableAllRegions
            .Where(r => r.DisplayName != "Unknown" && !r.SystemName.EndsWith("-regional", StringComparison.Ordinal))
            .Select(r => r.SystemName)
            .ToList();
        var close = EditDistance.Nearest(name, known.Order(StringComparer.Ordinal), 2);
        var similar = close.Count > 0 ? close : known.Where(k => k.Split('-')[0] == name.Split('-')[0]).Order(StringComparer.Ordinal).ToList();
        throw new BuildException(
            $"'{name}' is not an AWS region (AWSSDK.Core knows {known.Count}). " +
            (similar.Count > 0 ? $"Did you mean {string.Join(" or ", similar.Take(5))}? " : string.Empty) +
            "Check \"region\" in the environment file, --region, AWS_REGION and your profile's region.");
    }
}
