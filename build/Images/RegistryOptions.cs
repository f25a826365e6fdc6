namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The run's push target, made once at setup from the checked settings.
/// </summary>
/// <param name="Host">The "registry" setting (host:port), or null: the account's ECR, through a private login.</param>
/// <param name="Publishes">The run pushes images (and is no dry run): the builders ask the target for each content tag first.</param>
public sealed record RegistryOptions(string? Host, bool Publishes);
