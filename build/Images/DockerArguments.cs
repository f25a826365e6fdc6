using Cake.Core;
using Cake.Core.IO;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Turns typed settings into docker's argument list. Each value is one argument: nothing goes through a shell.</summary>
public static class DockerArguments
{
    public static ProcessArgumentBuilder Build(DockerBuildSettings settings)
    {
        var arguments = new ProcessArgumentBuilder();
        switch (settings.Builder)
        {
            case BuilderPath.BuildxRegistryCache or BuilderPath.BuildxInlineCache:
                // --load: the image goes into the daemon, where the push and the image ID come from.
                arguments.Append("buildx").Append("build").Append("--load").Append("--progress=plain");
                break;
            case BuilderPath.ClassicBuildKit:
                arguments.Append("build").Append("--progress=plain");
                break;
            default:
                // --force-rm: a failed build leaves no stopped intermediate containers behind (the legacy builder keeps them).
                arguments.Append("build").Append("--force-rm");
                break;
        }

        if (settings.CacheReference is { } cache && !settings.NoCache)
        {
            if (settings.Builder == BuilderPath.BuildxRegistryCache)
            {
                arguments.Append("--cache-from").AppendQuoted($"type=registry,ref={cache}");
                arguments.Append("--cache-to").AppendQuoted($"type=registry,ref={cache},mode=max");
            }
            else
            {
                arguments.Append("--cache-from").AppendQuoted(cache);
                if (settings.Builder != BuilderPath.Legacy)
                {
                    // The image pushed as the cache carries its layers' cache metadata (BuildKit's inline cache).
                    arguments.Append("--build-arg").AppendQuoted("BUILDKIT_INLINE_CACHE=1");
                }
            }
        }
        if (settings.Dockerfile is not null)
        {
            arguments.Append("--file").AppendQuoted(settings.Dockerfile);
        }

        foreach (var tag in settings.Tags)
        {
            arguments.Append("--tag").AppendQuoted(tag);
        }

        foreach (var (name, value) in settings.BuildArguments.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            arguments.Append("--build-arg").AppendQuoted($"{name}={value}");
        }

        foreach (var (name, value) in settings.Labels.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            arguments.Append("--label").AppendQuoted($"{name}={value}");
        }

        if (settings.Network is not null)
        {
            arguments.Append("--network").AppendQuoted(settings.Network);
        }

        if (settings.Pull)
        {
            arguments.Append("--pull");
        }

        if (settings.NoCache)
        {
            arguments.Append("--no-cache");
        }

        return arguments.AppendQuoted(settings.ContextDirectory);
    }

    public static ProcessArgumentBuilder ImageId(string reference) => ImageIds([reference]);

    /// <summary>One inspect for several images: one process instead of one per image.</summary>
    public static ProcessArgumentBuilder ImageIds(IEnumerable<string> references)
    {
        var arguments = new ProcessArgumentBuilder().Append("image").Append("inspect").Append("--format").AppendQuoted("{{.Id}}");
        foreach (var reference in references)
        {
            arguments.AppendQuoted(reference);
        }

        return arguments;
    }

    /// <summary>"sha256:id repo@sha256:digest …" on one line.</summary>
    public static ProcessArgumentBuilder ImageIdAndRepoDigests(string reference)
        => new ProcessArgumentBuilder().Append("image").Append("inspect").Append("--format").AppendQuoted("{{.Id}}{{range .RepoDigests}} {{.}}{{end}}").AppendQuoted(reference);

    public static ProcessArgumentBuilder Tag(string source, string target)
        => new ProcessArgumentBuilder().Append("tag").AppendQuoted(source).AppendQuoted(target);

    public static ProcessArgumentBuilder Push(string reference)
        => new ProcessArgumentBuilder().Append("push").AppendQuoted(reference);

    public static ProcessArgumentBuilder Pull(string reference)
        => new ProcessArgumentBuilder().Append("pull").AppendQuoted(reference);

    public static ProcessArgumentBuilder BuildxVersion()
        => new ProcessArgumentBuilder().Append("buildx").Append("version");

    public static ProcessArgumentBuilder BuildxInspect()
        => new ProcessArgumentBuilder().Append("buildx").Append("inspect");

    public static ProcessArgumentBuilder ClientVersion()
        => new ProcessArgumentBuilder().Append("version").Append("--format").AppendQuoted("{{.Client.Version}}");

    public static ProcessArgumentBuilder ServerVersion()
        => new ProcessArgumentBuilder().Append("version").Append("--format").AppendQuoted("{{.Server.Version}}");
}
