using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>A parameter another stack outputs, missing because that stack's deployment did not return it, is not blamed on the environment file.</summary>
public sealed class MissingOutputTests : IDisposable
{
    private readonly string _templateFile = Path.GetTempFileName();

    public MissingOutputTests() => File.WriteAllText(_templateFile, "Parameters:\n  FileSystemId:\n    Type: String\n  Size:\n    Type: Number\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n");

    public void Dispose() => File.Delete(_templateFile);

    [Fact]
    public void An_output_the_producing_stack_did_not_return_names_that_stack_not_the_environment_file()
    {
        var error = Assert.Throws<BuildException>(() => Resolve(new Dictionary<string, string> { ["FileSystemId"] = "storage" }));

        Assert.Contains("Stack 'cluster' needs FileSystemId, an output of stack 'storage', which its deployment did not return.", error.Message);
        Assert.Contains("aws cloudformation describe-stacks --stack-name prod-jenkins-storage", error.Message);
        Assert.DoesNotContain("Set it under \"parameters\"", error.Message);
    }

    [Fact]
    public void A_parameter_no_stack_outputs_is_asked_of_the_environment_file()
    {
        var error = Assert.Throws<BuildException>(() => Resolve(new Dictionary<string, string>()));

        Assert.Contains("Set it under \"parameters\" in environments/prod.json", error.Message);
    }

    private void Resolve(IReadOnlyDictionary<string, string> producers)
        => StackParameters.Resolve(new StackDefinition("cluster", _templateFile), CloudFormationTemplate.Load(_templateFile, "cluster.yaml"), "prod",
            new Dictionary<string, string> { ["Size"] = "2" }, new Dictionary<string, string>(), "environments/prod.json", producers);
}
