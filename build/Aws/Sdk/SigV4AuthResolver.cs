using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// Chooses SigV4 for every operation, as the generated auth resolvers of these four services do. Without an auth
/// resolver in the pipeline the signer has no scheme and signing fails with a NullReferenceException.
/// </summary>
public sealed class SigV4AuthResolver : BaseAuthResolverHandler
{
    protected override List<IAuthSchemeOption> ResolveAuthOptions(IExecutionContext executionContext) => AuthSchemeOption.DEFAULT_SIGV4;
}
