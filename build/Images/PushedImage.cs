namespace JenkinsOnEcs.Build.Images;

/// <summary>An image in the registry, referenced by digest from here on (task definitions name this).</summary>
public sealed record PushedImage(string Name, string Reference, bool Pushed);
