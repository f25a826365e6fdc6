using System.Text.Json;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// Docker Hub is out of reach here, so image tests build on small local stand-ins for the real bases
/// (tests/standins/build-standins.sh), mapped through the build's own baseImages setting.
/// Images a test builds get a prefix of their own and are removed afterwards.
/// </summary>
public sealed class StandInImages : IDisposable
{
    // Built on first use, inside the test that needs them: a missing Docker daemon then skips that test (or fails
    // it with CI=true) instead of failing the class's fixture, which xunit reports as a failure of every test.
    private readonly Lazy<IReadOnlyDictionary<string, string>> _map = new(Build);

    public IReadOnlyDictionary<string, string> Map => _map.Value;

    public string Prefix { get; } = "jenkins-ecs-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The build arguments that point every real base at its stand-in and keep the images apart from others'.</summary>
    public string[] Arguments(string? prefix = null)
        => [.. Map.Select(m => $"--base-images={m.Key}={m.Value}"), $"--image-prefix={prefix ?? Prefix}", "--docker-build-network=host"];

    public IReadOnlyList<string> ImagesWithPrefix(string? prefix = null)
    {
        _ = Map; // Docker is there (or the test skips).
        var result = Processes.Run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", $"reference={prefix ?? Prefix}/*"]);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Removes the images a test built under <paramref name="prefix"/>, and their tags for the given registries.</summary>
    public void RemoveImages(string prefix, params string[] registries)
    {
        var images = registries
            .SelectMany(host => Processes.Run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", $"reference={host}/{prefix}/*"]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Concat(ImagesWithPrefix(prefix))
            .ToList();
        if (images.Count > 0)
        {
            Processes.Run("docker", ["rmi", "--force", .. images]);
        }
    }

    public void Dispose()
    {
        if (_map.IsValueCreated)
        {
            RemoveImages(Prefix);
        }
    }

    private static IReadOnlyDictionary<string, string> Build()
    {
        Requires.Docker();
        var result = Processes.Run("bash", [Repository.Path("tests", "standins", "build-standins.sh")]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("tests/standins/build-standins.sh failed:\n" + result.Output);
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Repository.Path("tests", "standins", "standins.json")))!;
    }
}
