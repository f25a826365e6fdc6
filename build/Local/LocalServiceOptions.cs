namespace JenkinsOnEcs.Build.Local;

/// <summary>
/// The local rehearsal's services, made once at setup from the checked settings.
/// </summary>
/// <param name="Start">startLocalServices: start each one that does not answer, and stop it at the end.</param>
/// <param name="AwsEndpoint">awsEndpointUrl: moto_server's address, or null (no moto).</param>
/// <param name="RegistryHost">registry: docker-registry's host:port, or null (no registry).</param>
/// <param name="Environment">tools/moto/serve.py is in its repository; the registry keeps its configuration and data in its artifacts.</param>
public sealed record LocalServiceOptions(bool Start, Uri? AwsEndpoint, string? RegistryHost, RunEnvironment Environment);
