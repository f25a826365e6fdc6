using Cake.Core;
using Cake.Frosting;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build;

/// <summary>
/// The one typed context: the settings, read and validated once at setup, the image catalog, and what
/// tasks hand on to later tasks.
/// </summary>
public sealed class BuildContext(ICakeContext context) : FrostingContext(context)
{
    private BuildSettings? _settings;
    private ImageCatalog? _catalog;

    public BuildSettings Settings => _settings ?? throw NotSetUp();

    public ImageCatalog Catalog => _catalog ?? throw NotSetUp();

    public BuildResults Results { get; } = new();

    public ImageBuildOptions ImageBuildOptions => new(Settings.ImagePrefix, Settings.DockerBuildNetwork, Settings.BaseImages, Settings.Parallelism, Settings.NoCache)
    {
        Catalog = Catalog.Images,
    };

    /// <summary>Called by the setup lifetime; a second call is a bug.</summary>
    public void Initialize(BuildSettings settings, ImageCatalog catalog)
    {
        if (_settings is not null)
        {
            throw new InvalidOperationException("The build context is initialised once, at setup.");
        }

        _settings = settings;
        _catalog = catalog;
    }

    private static InvalidOperationException NotSetUp() => new("Settings are read at setup; a task ran before it.");
}
