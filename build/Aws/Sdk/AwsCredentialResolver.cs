using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The credentials every client of a run signs with, resolved once and up front, so a missing or failing credential
/// stops the run before any task changes anything: the SDK's default chain of environment variables, web identity,
/// the AWS_PROFILE (or default) profile of the shared files (static keys, assume-role chains, credential_process,
/// IAM Identity Center), ECS container credentials and the EC2 instance profile. The credentials object is the SDK's,
/// so role and container credentials renew themselves. A new chain per resolver (not the SDK's process-wide one)
/// sees the environment as it is now; it lives as long as the <see cref="AwsSession"/> that holds it, since it owns
/// what it cached for profiles.
/// </summary>
public sealed class AwsCredentialResolver : IDisposable
{
    private const string NoSsoLogin = "no cached login was found in ~/.aws/sso/cache (the SDK passes an SSO profile by without one: it cannot open a browser to sign in).";

    private readonly DefaultAWSCredentialsIdentityResolver _chain = new();

    public AWSCredentials Resolve()
    {
        // Which source the chain takes is known before it runs (its order: keys, web identity, the profile, then
        // container or instance): a failure is then told as that source's, with that source's fix.
        var source = CredentialSource.InUse(Environment.GetEnvironmentVariable);
        AWSCredentials credentials;
        try
        {
            credentials = _chain.ResolveIdentity(clientConfig: null!);
        }
        catch (AmazonClientException ex)
        {
            // The chain refuses an SSO profile that has no cached login ("This type of profile is not allowed here"):
            // without one it would have to open a browser to sign in.
            throw new BuildException(
                source.Kind == CredentialSourceKind.SsoProfile
                    ? source.Failed(NoSsoLogin)
                    : NoCredentials(ex.Message),
                ex);
        }

        // Without a cached login the chain passes an SSO profile by and goes on to container or instance credentials:
        // on a machine with an instance role the run would act as that role instead of the profile it was given.
        if (source.Kind == CredentialSourceKind.SsoProfile && credentials is not SSOAWSCredentials)
        {
            throw new BuildException(source.Failed(NoSsoLogin));
        }

        try
        {
            // Role, SSO, process and container credentials are fetched lazily; fetch now so that a failure shows here.
            _ = credentials.GetCredentials();
        }
        catch (Exception ex) when (ex is AmazonClientException or ProcessAWSCredentialException)
        {
            throw new BuildException(source.Failed(ex), ex);
        }

        return credentials;
    }

    public void Dispose() => _chain.Dispose();

    private static string NoCredentials(string detail)
    {
        static string State(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } ? "set" : "not set";
        var container = State("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == "set" || State("AWS_CONTAINER_CREDENTIALS_FULL_URI") == "set";
        var metadata = string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
            ? "disabled by AWS_EC2_METADATA_DISABLED"
            : "not reachable (not on EC2?)";
        return string.Join(
            Environment.NewLine,
            "No AWS credentials were found. Tried, in the SDK's order:",
            $"  - environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: {State("AWS_ACCESS_KEY_ID")}, {State("AWS_SECRET_ACCESS_KEY")}",
            $"  - web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN): {State("AWS_WEB_IDENTITY_TOKEN_FILE")}",
            $"  - profile '{DefaultAWSCredentialsIdentityResolver.GetProfileName()}' in {CredentialSource.SharedFiles()}",
            $"  - ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI): {(container ? "set, but failed" : "not set")}",
            $"  - EC2 instance profile: {metadata}",
            "Fix: set AWS_PROFILE to a configured profile (aws configure --profile NAME, or aws sso login --profile NAME), " +
            "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), " +
            "or run where an instance role or ECS task role applies.",
            "The SDK said: " + detail.Trim());
    }
}
