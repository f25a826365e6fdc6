namespace JenkinsOnEcs.Build.Nginx;

/// <summary>
/// What the environment gives the proxy's configuration, made once at setup from the checked settings.
/// </summary>
/// <param name="JenkinsUpstream">jenkinsUpstream: the master's address when the run has no stack outputs (a local build), or null.</param>
/// <param name="Resolver">The resolver NGINX asks for the upstream's address.</param>
/// <param name="ProxyTimeoutSeconds">The proxy's read and send timeouts.</param>
public sealed record NginxOptions(NginxUpstream? JenkinsUpstream, string Resolver, int ProxyTimeoutSeconds);
