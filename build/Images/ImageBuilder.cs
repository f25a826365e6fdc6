using System.Diagnostics;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Docker;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Builds catalog images under their content tag, skipping those the daemon already has.</summary>
public sealed class ImageBuilder(DockerEngine docker, BaseImageIds baseImageIds, ICakeLog log)
{
    public const string ContentTagLabel = "io.jenkins-ecs.content-tag";

    public BuiltImage Build(ImageDefinition image, ImageBuildOptions options)
    {
        docker.EnsureRunning();
        var watch = Stopwatch.StartNew();
        var planned = Plan(image, options);
        return Build(planned, Existing([planned], options).GetValueOrDefault(planned.Reference), options, watch);
    }

    /// <summary>Builds the images at most <see cref="ImageBuildOptions.Parallelism"/> at a time; every failure is reported, not just the first.</summary>
    public async Task<IReadOnlyList<BuiltImage>> BuildAllAsync(IReadOnlyList<ImageDefinition> images, ImageBuildOptions options)
    {
        docker.EnsureRunning();
        var watch = Stopwatch.StartNew();

        // Every image's tag first, then one docker call for which of them exist, instead of one per image.
        var planned = images.Select(image => (Image: image, Plan: Catch(() => Plan(image, options)))).ToList();
        var existing = Existing(planned.Where(p => p.Plan.Value is not null).Select(p => p.Plan.Value!).ToList(), options);
        using var gate = new SemaphoreSlim(options.Parallelism);
        var builds = planned.Select(async p =>
        {
            if (p.Plan.Error is not null)
            {
                return (p.Image, Built: (BuiltImage?)null, p.Plan.Error);
            }

            var plan = p.Plan.Value!;
            var id = existing.GetValueOrDefault(plan.Reference);
            if (id is not null)
            {
                // Nothing to build: no need to wait for a slot.
                return (p.Image, Built: Build(plan, id, options, watch), Error: (Exception?)null);
            }

            await gate.WaitAsync();
            try
            {
                return (p.Image, Built: await Task.Run(() => Build(plan, null, options, Stopwatch.StartNew())), Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (p.Image, Built: (BuiltImage?)null, Error: ex);
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

    /// <summary>The image's build arguments (base images replaced as configured) and its content tag.</summary>
    private PlannedImage Plan(ImageDefinition image, ImageBuildOptions options)
    {
        string Resolve(string baseImage) => options.BaseImages.TryGetValue(baseImage, out var replacement) ? replacement : baseImage;
        var arguments = image.BaseImageArguments.ToDictionary(a => a.Key, a => Resolve(a.Value), StringComparer.Ordinal);

        // The bases of the whole catalog in one call: the next images' lookups are then answered from it.
        baseImageIds.LookUp(arguments.Values.Concat(options.Catalog.SelectMany(i => i.BaseImageArguments.Values).Select(Resolve)));
        var repository = $"{options.RepositoryPrefix}/{image.Name}";
        return new PlannedImage(image, repository, ContentTag.Compute(image, arguments, baseImageIds.Of), arguments);
    }

    /// <summary>The IDs of the planned images the daemon already has; with NoCache none counts (an existing tag proves nothing about a fresh build).</summary>
    private IReadOnlyDictionary<string, string?> Existing(IReadOnlyList<PlannedImage> planned, ImageBuildOptions options)
        => options.NoCache || planned.Count == 0
            ? new Dictionary<string, string?>()
            : docker.ImageIds(planned.Select(p => p.Reference));

    private BuiltImage Build(PlannedImage planned, string? existing, ImageBuildOptions options, Stopwatch watch)
    {
        var (image, repository, tag, arguments) = planned;
        var reference = planned.Reference;
        if (existing is not null)
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

    private static (T? Value, Exception? Error) Catch<T>(Func<T> work)
        where T : class
    {
        try
        {
            return (work(), null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    private sealed record PlannedImage(ImageDefinition Image, string Repository, string Tag, IReadOnlyDictionary<string, string> Arguments)
    {
        public string Reference => $"{Repository}:{Tag}";
    }
}
