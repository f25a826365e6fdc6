using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// Builds catalog images under their content tag. An image whose tag the run's registry already has (a run that
/// pushes) is neither built nor pulled; one the daemon already has is not built again.
/// </summary>
public sealed class ImageBuilder(DockerEngine docker, BaseImageDigests baseImages, RegistryTarget pushTarget, ICakeLog log)
{
    public const string ContentTagLabel = "io.jenkins-ecs.content-tag";

    private int _builderLogged;

    public BuiltImage Build(ImageDefinition image, ImageBuildOptions options)
    {
        // Checked first even where the registry turns out to have every image: a base in no registry needs it too.
        docker.EnsureRunning();
        var watch = Stopwatch.StartNew();
        var planned = Plan(image, options);
        var known = InRegistryAsync([planned], options).GetAwaiter().GetResult();
        if (known.GetValueOrDefault(planned.Reference) is { } inRegistry)
        {
            return inRegistry;
        }

        return Build(planned, Existing([planned], options).GetValueOrDefault(planned.Reference), options, watch);
    }

    /// <summary>
    /// Builds the images at most <see cref="ImageBuildOptions.Parallelism"/> at a time; every failure is reported, not
    /// just the first. <paramref name="ready"/> gets each image as soon as it is at hand (built, or found), before the others end;
    /// <paramref name="failed"/> each image that failed, as it failed (a stop is no failure).
    /// </summary>
    public async Task<IReadOnlyList<BuiltImage>> BuildAllAsync(IReadOnlyList<ImageDefinition> images, ImageBuildOptions options, Action<BuiltImage>? ready = null, Action<string, Exception>? failed = null)
    {
        BuiltImage Ready(BuiltImage image)
        {
            ready?.Invoke(image);
            return image;
        }

        T Told<T>(ImageDefinition image, Func<T> work)
        {
            try
            {
                return work();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed?.Invoke(image.Name, ex);
                throw;
            }
        }

        docker.EnsureRunning();
        var watch = Stopwatch.StartNew();

        // Every image's tag first, then one registry round (in parallel) and one docker call for which of them exist.
        var planned = images.Select(image => (Image: image, Plan: Catch(() => Plan(image, options)))).ToList();
        var plans = planned.Where(p => p.Plan.Value is not null).Select(p => p.Plan.Value!).ToList();
        var known = await InRegistryAsync(plans, options);
        var existing = Existing(plans.Where(p => !known.ContainsKey(p.Reference)).ToList(), options);

        BuiltImage? AtHand((ImageDefinition Image, (PlannedImage? Value, Exception? Error) Plan) p) => Told(p.Image, () =>
        {
            if (p.Plan.Error is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            var plan = p.Plan.Value!;

            // In the registry, or in the daemon: nothing to build, so no need to wait for a slot.
            var atHand = known.GetValueOrDefault(plan.Reference)
                ?? (existing.GetValueOrDefault(plan.Reference) is { } id ? Build(plan, id, options, watch) : null);
            return atHand is null ? null : Ready(atHand);
        });

        return await BoundedParallel.RunAsync(
            planned,
            options.Parallelism,
            p => Task.Run(() => Told(p.Image, () => Ready(Build(p.Plan.Value!, null, options, Stopwatch.StartNew())))),
            AtHand);
    }

    /// <summary>Each image's repository and content tag, as a build computes them (base digests included); builds and pulls nothing.</summary>
    public IReadOnlyList<(ImageDefinition Image, string Repository, string Tag)> ContentTags(IEnumerable<ImageDefinition> images, ImageBuildOptions options)
        => images.Select(image => Plan(image, options)).Select(p => (p.Image, p.Repository, p.Tag)).ToList();

    /// <summary>
    /// Resolves the base images of the whole catalog (replaced as configured) to their digests, all at once, and
    /// fails with every one that cannot be resolved. Run at setup, so that a registry or mirror that does not answer
    /// stops the run before its first change rather than after the stacks; each request gives up after
    /// <see cref="RegistryClient.RequestTimeout"/>. The builds then take the digests from here.
    /// </summary>
    public void ResolveBases(ImageBuildOptions options)
    {
        var references = options.Catalog.SelectMany(i => i.BaseImageArguments.Values).Select(b => Replaced(b, options)).Distinct(StringComparer.Ordinal).ToList();
        var registries = references.Select(r => ImageReference.Parse(r)).Where(r => r.Digest is null).Select(r => r.Registry).Distinct(StringComparer.Ordinal).ToList();
        if (registries.Count > 0)
        {
            log.Information("Base images: asking {0} for the digests of {1} images (each request gives up after {2:0} s)", string.Join(", ", registries), references.Count, RegistryClient.RequestTimeout.TotalSeconds);
        }

        baseImages.Start(references);
        var failures = new List<string>();
        foreach (var reference in references)
        {
            try
            {
                baseImages.Of(reference);
            }
            catch (BuildException ex)
            {
                failures.Add(ex.Message);
            }
        }

        if (failures.Count > 0)
        {
            throw new BuildException(string.Join("\n", failures));
        }
    }

    private static string Replaced(string baseImage, ImageBuildOptions options)
        => options.BaseImages.TryGetValue(baseImage, out var replacement) ? replacement : baseImage;

    /// <summary>The image's base images (replaced as configured, resolved to their digests) and its content tag.</summary>
    private PlannedImage Plan(ImageDefinition image, ImageBuildOptions options)
    {
        string Replace(string baseImage) => Replaced(baseImage, options);
        var arguments = image.BaseImageArguments.ToDictionary(a => a.Key, a => Replace(a.Value), StringComparer.Ordinal);

        // The bases of the whole catalog at once, concurrently: the next images' lookups are then answered from them.
        baseImages.Start(arguments.Values.Concat(options.Catalog.SelectMany(i => i.BaseImageArguments.Values).Select(Replace)));
        var resolved = arguments.ToDictionary(a => a.Key, a => baseImages.Of(a.Value), StringComparer.Ordinal);
        var repository = $"{options.RepositoryPrefix}/{image.Name}";
        var tag = ContentTag.Compute(image, arguments, reference => resolved.Values.First(b => b.Reference == reference).Identity);
        return new PlannedImage(image, repository, tag, resolved);
    }

    /// <summary>
    /// The planned images the run's registry already has under their content tag, by reference; empty when the run
    /// pushes nothing, and with NoCache (an existing tag proves nothing about a fresh build).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, BuiltImage>> InRegistryAsync(IReadOnlyList<PlannedImage> planned, ImageBuildOptions options)
    {
        if (options.NoCache || planned.Count == 0 || await pushTarget.PublishingRegistryAsync() is not { } registry)
        {
            return new Dictionary<string, BuiltImage>();
        }

        var digests = await Task.WhenAll(planned.Select(async p => (Plan: p, Digest: await registry.DigestAsync(p.Repository, p.Tag, CancellationToken.None))));
        var found = new Dictionary<string, BuiltImage>(StringComparer.Ordinal);
        foreach (var (plan, digest) in digests.Where(d => d.Digest is not null))
        {
            log.Information("{0}: already in {1} ({2}): nothing to build", plan.Image.Name, registry.Host, plan.Reference);
            found[plan.Reference] = new BuiltImage(plan.Image.Name, plan.Repository, plan.Tag, ImageId: null, WasBuilt: false, TimeSpan.Zero)
            {
                RegistryReference = $"{registry.Host}/{plan.Repository}@{digest}",
            };
        }

        return found;
    }

    /// <summary>The IDs of the planned images the daemon already has; with NoCache none counts (an existing tag proves nothing about a fresh build).</summary>
    private IReadOnlyDictionary<string, string?> Existing(IReadOnlyList<PlannedImage> planned, ImageBuildOptions options)
        => options.NoCache || planned.Count == 0
            ? new Dictionary<string, string?>()
            : docker.ImageIds(planned.Select(p => p.Reference));

    private BuiltImage Build(PlannedImage planned, string? existing, ImageBuildOptions options, Stopwatch watch)
    {
        var (image, repository, tag, bases) = planned;
        var reference = planned.Reference;
        if (existing is not null)
        {
            log.Information("{0}: up to date ({1})", image.Name, reference);
            return new BuiltImage(image.Name, repository, tag, existing, WasBuilt: false, watch.Elapsed);
        }

        var builder = docker.Builder();
        if (Interlocked.Exchange(ref _builderLogged, 1) == 0)
        {
            log.Information("Docker builder: {0}", builder);
        }

        // The registry is the layer cache (a fresh runner builds on the layers an earlier build pushed); a run that
        // pushes nothing has none, and noCache wants none.
        var target = options.NoCache ? null : pushTarget.PublishingTargetAsync().GetAwaiter().GetResult();
        var cache = target is var (registry, _) ? $"{registry.Host}/{repository}:{DockerBuilder.CacheTag}" : null;
        log.Information("{0}: building {1}{2}", image.Name, reference, options.NoCache ? " without docker's layer cache (noCache)" : cache is null ? string.Empty : $", layer cache {cache}");
        if (cache is not null && builder.Path == BuilderPath.Legacy)
        {
            log.Information(docker.PullForCache(cache, target!.Value.DockerConfig, line => log.Verbose("[{0}] {1}", image.Name, line))
                ? "{0}: pulled its layer cache {1} for the legacy builder's --cache-from"
                : "{0}: no layer cache {1} in the registry yet: every layer is built", image.Name, cache);
        }

        var settings = new DockerBuildSettings
        {
            Builder = builder.Path,
            CacheReference = cache,
            ContextDirectory = image.ContextDirectory,
            Dockerfile = image.Dockerfile,
            Tags = [reference],
            BuildArguments = bases.ToDictionary(b => b.Key, b => b.Value.BuildReference, StringComparer.Ordinal),
            Labels = new Dictionary<string, string> { [ContentTagLabel] = tag },
            Network = options.Network,
            NoCache = options.NoCache,
        };
        var result = docker.Build(settings, line => log.Verbose("[{0}] {1}", image.Name, line), target?.DockerConfig);
        var id = result.Succeeded ? docker.ImageId(reference) : null;
        if (id is null)
        {
            throw new BuildException(Unpulled(bases) is { } missing
                ? $"docker build of {image.Name} could not pull its base image {missing.BuildReference} from {ImageReference.Parse(missing.Reference).Registry}:\n{result.Tail(10)}\n" +
                  $"Fix: check that {ImageReference.Parse(missing.Reference).Registry} is reachable from the Docker daemon and has the image (`docker login` it if it needs a login), " +
                  $"or map the image to a mirror with the baseImages setting (--base-images={Original(image, bases, missing)}=<mirror>/<name>:<tag>)."
                : $"docker build of {image.Name} ({image.Dockerfile}) failed with exit code {result.ExitCode}:\n{result.Tail()}\n" +
                  "Fix the Dockerfile or the files it copies and run again (--verbosity=verbose shows the whole build log).");
        }

        log.Information("{0}: built {1} in {2:0.0}s", image.Name, reference, watch.Elapsed.TotalSeconds);
        return new BuiltImage(image.Name, repository, tag, id, WasBuilt: true, watch.Elapsed);
    }

    /// <summary>A base the daemon still lacks after a failed build: its FROM could not pull it (the build's first step).</summary>
    private BaseImage? Unpulled(IReadOnlyDictionary<string, BaseImage> bases)
        => bases.Values.FirstOrDefault(b => docker.LocalImage(b.BuildReference) is null);

    /// <summary>The Dockerfile's own default for the argument (the key a baseImages mapping takes).</summary>
    private static string Original(ImageDefinition image, IReadOnlyDictionary<string, BaseImage> bases, BaseImage missing)
        => image.BaseImageArguments.TryGetValue(bases.First(b => b.Value == missing).Key, out var original) ? original : missing.Reference;

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

    private sealed record PlannedImage(ImageDefinition Image, string Repository, string Tag, IReadOnlyDictionary<string, BaseImage> Bases)
    {
        public string Reference => $"{Repository}:{Tag}";
    }
}
