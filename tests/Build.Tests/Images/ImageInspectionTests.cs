using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class ImageInspectionTests
{
    private static readonly string[] References = ["a/one:c-1", "a/two:c-2", "busybox"];

    [Fact]
    public void All_present_map_in_order()
    {
        var answer = ImageInspection.Read(References, new ToolResult(0, ["sha256:1", "sha256:2", "sha256:3"], []));

        Assert.Equal(new Dictionary<string, string?> { ["a/one:c-1"] = "sha256:1", ["a/two:c-2"] = "sha256:2", ["busybox"] = "sha256:3" }, answer);
    }

    [Fact]
    public void Missing_ones_are_named_on_stderr_and_the_rest_keep_their_order()
    {
        // As docker 20.10 answers (exit code 1); an untagged reference is named with :latest.
        var answer = ImageInspection.Read(References, new ToolResult(
            1,
            ["sha256:1"],
            ["Error response from daemon: no such image: a/two:c-2: No such image: a/two:c-2", "Error: No such image: busybox:latest"]));

        Assert.Equal(new Dictionary<string, string?> { ["a/one:c-1"] = "sha256:1", ["a/two:c-2"] = null, ["busybox"] = null }, answer);
    }

    [Fact]
    public void A_failure_that_names_no_missing_image_is_not_read_as_an_answer()
        => Assert.Null(ImageInspection.Read(References, new ToolResult(1, [], ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock."])));

    [Fact]
    public void Counts_that_do_not_add_up_are_not_guessed()
    {
        // One missing named, but two IDs for the three asked: a reference docker named in another form.
        Assert.Null(ImageInspection.Read(References, new ToolResult(1, ["sha256:1"], ["Error: No such image: a/two:c-2"])));
        Assert.Null(ImageInspection.Read(References, new ToolResult(0, ["sha256:1", "sha256:2"], [])));
    }

    [Fact]
    public void Output_that_is_no_image_id_is_not_read()
        => Assert.Null(ImageInspection.Read(["a/one:c-1"], new ToolResult(0, ["WARNING: something"], [])));

    [Fact]
    public void One_inspect_names_every_image()
        => Assert.Equal("image inspect --format \"{{.Id}}\" \"a/b:c\" \"d:e\"", DockerArguments.ImageIds(["a/b:c", "d:e"]).Render());
}

/// <summary>The reading against the docker installed here: a wording it does not match would only make the build slower, so it is checked.</summary>
[Collection(Images.DockerCollection.Name)]
public sealed class ImageInspectionDockerTests(Support.StandInImages standIns) : IClassFixture<Support.StandInImages>
{
    [SkippableFact]
    public void The_installed_docker_s_answer_for_present_and_missing_images_is_read()
    {
        Support.Requires.Docker();
        var present = standIns.Map.Values.Order(StringComparer.Ordinal).Take(2).ToList();
        string[] references = [present[0], "jenkins-ecs-tests/missing:c-0", present[1], "jenkins-ecs-tests/missing-untagged"];

        var answer = ImageInspection.Read(references, Inspect(references));

        Assert.NotNull(answer);
        Assert.StartsWith("sha256:", answer[present[0]]);
        Assert.StartsWith("sha256:", answer[present[1]]);
        Assert.Null(answer["jenkins-ecs-tests/missing:c-0"]);
        Assert.Null(answer["jenkins-ecs-tests/missing-untagged"]);
    }

    private static ToolResult Inspect(IEnumerable<string> references)
    {
        var start = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["image", "inspect", "--format", "{{.Id}}", .. references])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.Split('\n'), error.Result.Split('\n'));
    }
}
