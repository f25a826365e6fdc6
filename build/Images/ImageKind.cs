namespace JenkinsOnEcs.Build.Images;

public enum ImageKind
{
    Master,
    Proxy,
    Agent,
}
