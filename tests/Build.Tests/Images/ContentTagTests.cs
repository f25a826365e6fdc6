using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class ContentTagTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("content-tag-").FullName;
    private readonly Dictionary<string, string> _arguments = new() { ["BASE_IMAGE"] = "debian:12" };

    public ContentTagTests()
    {
        File.WriteAllText(Path.Combine(_folder, "Dockerfile"), "ARG BASE_IMAGE=debian:12\nFROM ${BASE_IMAGE}\nCOPY run.sh /\n");
        File.WriteAllText(Path.Combine(_folder, "run.sh"), "echo hi\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ImageDefinition Image => new("test", ImageKind.Agent, _folder, Path.Combine(_folder, "Dockerfile"), _arguments);

    private string Tag(Func<string, string?>? localId = null) => ContentTag.Compute(Image, _arguments, localId ?? (_ => null));

    [Fact]
    public void The_same_inputs_give_the_same_tag()
        => Assert.Equal(Tag(), Tag());

    [Fact]
    public void A_tag_is_a_valid_docker_tag()
        => Assert.Matches("^c-[0-9a-f]{20}$", Tag());

    [Fact]
    public void A_changed_file_changes_the_tag()
    {
        var before = Tag();
        File.AppendAllText(Path.Combine(_folder, "run.sh"), "echo more\n");
        Assert.NotEqual(before, Tag());
    }

    [Fact]
    public void An_added_file_changes_the_tag()
    {
        var before = Tag();
        Directory.CreateDirectory(Path.Combine(_folder, "conf"));
        File.WriteAllText(Path.Combine(_folder, "conf", "x"), string.Empty);
        Assert.NotEqual(before, Tag());
    }

    [Fact]
    public void The_executable_bit_changes_the_tag()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows has no executable bit; docker sees none either.
        }

        var before = Tag();
        File.SetUnixFileMode(Path.Combine(_folder, "run.sh"), File.GetUnixFileMode(Path.Combine(_folder, "run.sh")) | UnixFileMode.UserExecute);
        Assert.NotEqual(before, Tag());
    }

    [Fact]
    public void Another_base_image_or_a_rebuilt_one_changes_the_tag()
    {
        var before = Tag();
        Assert.NotEqual(before, Tag(_ => "sha256:1234"));
        _arguments["BASE_IMAGE"] = "debian:13";
        Assert.NotEqual(before, Tag());
    }
}
