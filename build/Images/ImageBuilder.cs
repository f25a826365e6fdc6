using System.Diagnostics;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Docker;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Builds catalog images under their content tag, skipping those the daemon already has.</summary>
public sealed class ImageBuilder(DockerEngine docker, ICakeLog log)
{
    public const string ContentTagLabel = "io.jenkins-ecs.content-tag";

    public BuiltImage Build(ImageDefinition image, ImageBuildOptions options)
    {
        docker.EnsureRunning();
        var watch = Stopwatch.StartNew();
        var arguments = image.BaseImageArguments.ToDictionary(
            a => a.Key,
            a => options.BaseImages.TryGetValue(a.Value, out var replacement) ? replacement : a.Value,
            StringComparer.Ordinal);
        var repository = $"{options.RepositoryPrefix}/{image.Name}";
        var tag = ContentTag.Compute(image, arguments, docker.ImageId);
        var reference = $"{repository}:{tag}";

        // With NoCache an existing tag proves nothing about a fresh build: it is built again (and re-tagged).
        if (!options.NoCache && docker.ImageId(reference) is { } existing)
        {
            log.Information("{0}: up to date ({1})", image.Name, reference);
            return new BuiltImage(image.Name, repository, tag, existing, WasBuilt: false, watch.Elapsed);
        }

        log.Information("{0}: building {1}{2}", image.Name, reference, options.NoCache ? " without docker's layer cache (noCache)" : string.Empty);
        var settings = new DockerBuildSettings
        {
            ContextDirectory = image.ContextDirectory,
            Dockerfile = image.Dockerfile,
            Tags = [reference],
            BuildArguments = arguments,
            Labels = new Dictionary<string, string> { [ContentTagLabel] = tag },
            Network = options.Network,
            NoCache = options.NoCache,
        };
        var result = docker.Build(settings, line => log.Verbose("[{0}] {1}", image.Name, line));
        var id = result.Succeeded ? docker.ImageId(reference) : null;
        if (id is null)
        {
            throw new BuildException(
                $"docker build of {image.Name} ({image.Dockerfile}) failed with exit code {result.ExitCode}:\n{result.Tail()}\n" +
                "Fix the Dockerfile or the files it copies and run again (--verbosity=verbose shows the whole build log).");
        }

        log.Information("{0}: built {1} in {2:0.0}s", image.Name, reference, watch.Elapsed.TotalSeconds);
        return new BuiltImage(image.Name, repository, tag, id, WasBuilt: true, watch.Elapsed);
    }

    /// <summary>Builds the images at most <see cref="ImageBuildOptions.Parallelism"/> at a time; every failure is reported, not just the first.</summary>
    public async Task<IReadOnlyList<BuiltImage>> BuildAllAsync(IReadOnlyList<ImageDefinition> images, ImageBuildOptions options)
    {
        docker.EnsureRunning();
        using var gate = new SemaphoreSlim(options.Parallelism);
        var builds = images.Select(async image =>
        {
            await gate.WaitAsync();
            try
            {
                return (Image: image, Built: await Task.Run(() => Build(image, options)), Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Image: image, Built: (BuiltImage?)null, Error: ex);
            }
            finally
            {
                gate.Release();
            }
        });

        var results = await Task.WhenAll(builds);
        var failures = results.Where(r => r.Error is not null).ToList();
        if (failures.Count > 0)
        {
            throw new BuildException(string.Join("\n\n", failures.Select(f => f.Error!.Message)));
        }

        return results.Select(r => r.Built!).ToList();
    }
}
