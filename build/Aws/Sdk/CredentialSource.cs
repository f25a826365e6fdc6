using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Aws;

public enum CredentialSourceKind
{
    EnvironmentKeys,
    WebIdentity,
    StaticProfile,
    AssumeRoleProfile,
    ProcessProfile,
    SsoProfile,

    /// <summary>No profile or variable names a source: the chain goes on to ECS container credentials or the instance profile.</summary>
    ContainerOrInstance,
}

/// <summary>
/// The source AWSSDK.Core 4.1.0's default chain takes, found the way the chain looks (its order, seen in its own
/// error list: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, then
/// the AWS_PROFILE or default profile, then container or instance credentials), so that a failure can be told as
/// that source's, naming what it used and the fix.
/// </summary>
public sealed record CredentialSource(CredentialSourceKind Kind, string? ProfileName, CredentialProfile? Profile, Func<string, string?> Environment)
{
    /// <summary>Source profiles followed at most: the AWS CLI refuses longer chains as loops.</summary>
    private const int MaxChain = 10;

    public static CredentialSource InUse(Func<string, string?> environment)
    {
        if (environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 })
        {
            return new CredentialSource(CredentialSourceKind.EnvironmentKeys, null, null, environment);
        }

        if (environment("AWS_WEB_IDENTITY_TOKEN_FILE") is { Length: > 0 } && environment("AWS_ROLE_ARN") is { Length: > 0 })
        {
            return new CredentialSource(CredentialSourceKind.WebIdentity, null, null, environment);
        }

        var name = DefaultAWSCredentialsIdentityResolver.GetProfileName();
        if (!new CredentialProfileStoreChain().TryGetProfile(name, out var profile))
        {
            return new CredentialSource(CredentialSourceKind.ContainerOrInstance, null, null, environment);
        }

        var options = profile.Options;
        var kind = !string.IsNullOrEmpty(options.RoleArn) ? CredentialSourceKind.AssumeRoleProfile
            : !string.IsNullOrEmpty(options.CredentialProcess) ? CredentialSourceKind.ProcessProfile
            : !string.IsNullOrEmpty(options.SsoSession) || !string.IsNullOrEmpty(options.SsoStartUrl) ? CredentialSourceKind.SsoProfile
            : CredentialSourceKind.StaticProfile;
        return new CredentialSource(kind, name, profile, environment);
    }

    /// <summary>What went wrong with this source (the SDK's error), what it used and how to fix it.</summary>
    public string Failed(Exception error) => Failed(Said(error));

    /// <summary>What went wrong with this source, what it used and how to fix it; secrets in a command or its output are redacted.</summary>
    /// <param name="said">What went wrong: the SDK's messages, or our own where the SDK's would mislead.</param>
    public string Failed(string said)
    {
        var files = SharedFiles();
        return Kind switch
        {
            CredentialSourceKind.AssumeRoleProfile => string.Join(
                System.Environment.NewLine,
                $"AWS profile '{ProfileName}' could not assume its role. Its chain: {Chain()}.",
                // A credential_process at the chain's start fails inside this message: its output is redacted, as for a credential_process profile.
                "STS said: " + (Chain().Contains("credential_process", StringComparison.Ordinal) ? Redacted.InText(said) : said),
                $"Fix: check role_arn and source_profile in {files}; the role's trust policy must let the source identity call sts:AssumeRole, " +
                $"and the source must work on its own (aws sts get-caller-identity --profile {LastSourceProfile()})."),
            CredentialSourceKind.SsoProfile => string.Join(
                System.Environment.NewLine,
                $"AWS profile '{ProfileName}' signs in through IAM Identity Center (SSO, start URL {SsoStartUrl()}), and it got no role credentials.",
                "The SDK said: " + said,
                $"Fix: aws sso login --profile {ProfileName} (the cached login is missing or expired), then run the build again; " +
                $"if it still fails, check sso_account_id and sso_role_name in {files}."),
            CredentialSourceKind.ProcessProfile => string.Join(
                System.Environment.NewLine,
                $"AWS profile '{ProfileName}' gets its keys from credential_process, and the command failed: {Redacted.InText(Profile!.Options.CredentialProcess)}",
                "It said: " + Redacted.InText(said),
                $"Fix: run that command yourself to see why; it must exit 0 and print the JSON the AWS CLI documents (Version 1, AccessKeyId, SecretAccessKey). Or change credential_process in {files}."),
            CredentialSourceKind.WebIdentity => string.Join(
                System.Environment.NewLine,
                $"Web identity could not assume the role AWS_ROLE_ARN={Environment("AWS_ROLE_ARN")} with the token in AWS_WEB_IDENTITY_TOKEN_FILE={Environment("AWS_WEB_IDENTITY_TOKEN_FILE")}.",
                "STS said: " + said,
                "Fix: the role's trust policy must trust the token's identity provider and audience (sts:AssumeRoleWithWebIdentity), and the token file must hold a current token."),
            _ => string.Join(
                System.Environment.NewLine,
                $"AWS credentials from {Describe()} could not be fetched.",
                "The SDK said: " + said,
                "Fix: check that source, or set AWS_PROFILE to a profile that works (aws sts get-caller-identity --profile NAME)."),
        };
    }

    /// <summary>
    /// The files the SDK reads profiles from. It takes AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE once per
    /// process and only when the file exists, else ~/.aws/credentials and ~/.aws/config: name what it really read.
    /// </summary>
    public static string SharedFiles()
        => $"{(string.IsNullOrEmpty(AWSConfigs.AWSProfilesLocation) ? SharedCredentialsFile.DefaultFilePath : AWSConfigs.AWSProfilesLocation)} and {SharedCredentialsFile.DefaultConfigFilePath}";

    private string Describe() => Kind switch
    {
        CredentialSourceKind.EnvironmentKeys => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        CredentialSourceKind.StaticProfile => $"AWS profile '{ProfileName}'",
        _ => Environment("AWS_CONTAINER_CREDENTIALS_FULL_URI") is { Length: > 0 } full ? $"the ECS container credentials endpoint AWS_CONTAINER_CREDENTIALS_FULL_URI={full}"
            : Environment("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is { Length: > 0 } ? "the ECS container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
            : "the EC2 instance profile (instance metadata)",
    };

    /// <summary>"deployer (role_arn R1) ← middle (role_arn R0) ← base (keys)": each profile and what it stands on.</summary>
    private string Chain()
    {
        var links = new List<string>();
        var store = new CredentialProfileStoreChain();
        var (name, profile) = (ProfileName, Profile);
        for (var i = 0; i < MaxChain && profile is not null; i++)
        {
            var options = profile.Options;
            if (string.IsNullOrEmpty(options.RoleArn))
            {
                links.Add($"{name} ({What(options)})");
                break;
            }

            links.Add($"{name} (role_arn {options.RoleArn})");
            if (!string.IsNullOrEmpty(options.CredentialSource))
            {
                links.Add($"credential_source {options.CredentialSource}");
                break;
            }

            name = options.SourceProfile;
            profile = !string.IsNullOrEmpty(name) && store.TryGetProfile(name, out var next) ? next : null;
            if (profile is null)
            {
                links.Add($"{name} (not found)");
            }
        }

        return string.Join(" ← ", links);
    }

    private static string What(CredentialProfileOptions options)
        => !string.IsNullOrEmpty(options.CredentialProcess) ? "credential_process"
            : !string.IsNullOrEmpty(options.SsoSession) || !string.IsNullOrEmpty(options.SsoStartUrl) ? "SSO"
            : "keys";

    /// <summary>The profile at the end of the chain whose own credentials start it: the one to try on its own.</summary>
    private string? LastSourceProfile()
    {
        var store = new CredentialProfileStoreChain();
        var (name, profile) = (ProfileName, Profile);
        for (var i = 0; i < MaxChain && profile is { Options.RoleArn: { Length: > 0 } } && profile.Options.SourceProfile is { Length: > 0 } source; i++)
        {
            name = source;
            profile = store.TryGetProfile(source, out var next) ? next : null;
        }

        return name;
    }

    private string? SsoStartUrl()
    {
        var options = Profile!.Options;
        if (!string.IsNullOrEmpty(options.SsoStartUrl))
        {
            return options.SsoStartUrl;
        }

        // An sso_session profile takes its start URL from the [sso-session NAME] section, which the SDK merges in.
        return string.IsNullOrEmpty(options.SsoSession) ? null : $"of sso-session '{options.SsoSession}'";
    }

    /// <summary>Every message of the error's chain once, an AWS error with its code, without the SDK's empty HTTP wrapper.</summary>
    private static string Said(Exception error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is HttpErrorResponseException)
            {
                continue;
            }

            var text = e is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? $"{code}: {e.Message}" : e.Message;
            if (!parts.Any(p => p.Contains(e.Message, StringComparison.Ordinal)))
            {
                parts.Add(text.Trim());
            }
        }

        return string.Join(" → ", parts);
    }
}
