using Cake.Core;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Settings;

public sealed class BuildSettingsReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("settings-").FullName;
    private readonly Dictionary<string, string> _environment = [];

    public BuildSettingsReaderTests() => Directory.CreateDirectory(Path.Combine(_root, "environments"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_setting_is_in_the_settings_reference_and_every_entry_is_a_setting()
    {
        // docs/settings.md, "## Keys": one list item per setting or group, "- `key`, `other`: what it does".
        var rows = File.ReadAllLines(Repository.Path("docs", "settings.md"))
            .SkipWhile(l => l != "## Keys")
            .TakeWhile(l => !l.StartsWith("## Stack parameters", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "^- ((?:`[A-Za-z]+`(?:, )?)+):"))
            .Where(m => m.Success)
            .SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.Groups[1].Value, "`([A-Za-z]+)`").Select(k => k.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        // "environment" picks the file itself; the paragraph above the list says so.
        var settings = SettingDefinitions.All.Select(s => s.Key).Where(k => k != "environment").ToHashSet(StringComparer.Ordinal);

        Assert.Empty(settings.Except(rows));
        Assert.Empty(rows.Except(settings));
    }

    [Fact]
    public void Arguments_win_over_environment_variables_which_win_over_the_file()
    {
        WriteEnvironment("local", """{ "imagePrefix": "from-file", "parallelism": 3, "jenkinsUpstream": "http://file:8080" }""");
        _environment["JENKINS_ECS_IMAGE_PREFIX"] = "from-env";
        _environment["JENKINS_ECS_PARALLELISM"] = "5";

        var settings = Read(("image-prefix", "from-argument"));

        Assert.Equal("from-argument", settings.ImagePrefix);
        Assert.Equal(5, settings.Parallelism);
        Assert.Equal("http://file:8080", settings.JenkinsUpstream!.ToString());
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        WriteEnvironment("local", "{}");

        var settings = Read();

        Assert.Equal("local", settings.Environment.Name);
        Assert.Equal("jenkins-ecs", settings.ImagePrefix);
        Assert.Equal("169.254.169.253", settings.NginxResolver);
        Assert.Equal(300, settings.ProxyTimeoutSeconds);
        Assert.Equal("Etc/UTC", settings.TimeZone);
        Assert.Equal("admin", settings.AdminUser);
        Assert.Null(settings.JenkinsUpstream);
        Assert.True(settings.Parallelism >= 2);
        Assert.False(settings.NoCache);
    }

    [Theory]
    [InlineData("""{ "noCache": true }""", null, null, true)]
    [InlineData("""{ "noCache": false }""", null, null, false)]
    [InlineData("""{ "noCache": true }""", "false", null, false)]
    [InlineData("{}", "true", null, true)]
    [InlineData("""{ "noCache": false }""", "false", "true", true)]
    [InlineData("""{ "noCache": true }""", null, "false", false)]
    public void No_cache_comes_from_file_environment_variable_and_argument(string json, string? variable, string? argument, bool expected)
    {
        WriteEnvironment("local", json);
        if (variable is not null)
        {
            _environment["JENKINS_ECS_NO_CACHE"] = variable;
        }

        var settings = argument is null ? Read() : Read(("no-cache", argument));

        Assert.Equal(expected, settings.NoCache);
    }

    [Fact]
    public void No_cache_is_a_command_line_switch()
    {
        var declared = SettingDefinitions.Arguments().ToList();

        Assert.True(declared.Single(a => a.Name == "no-cache").IsFlag);
        Assert.Equal(["true"], JenkinsOnEcs.Build.Host.HostOptions.Parse(["--no-cache"], declared).Arguments["no-cache"]);
        Assert.Equal(["false"], JenkinsOnEcs.Build.Host.HostOptions.Parse(["--no-cache=false"], declared).Arguments["no-cache"]);
    }

    [Fact]
    public void A_bad_no_cache_environment_variable_fails()
    {
        WriteEnvironment("local", "{}");
        _environment["JENKINS_ECS_NO_CACHE"] = "yes";

        var error = Assert.Throws<BuildException>(() => Read());

        Assert.Contains("noCache must be true or false, not 'yes'", error.Message);
    }

    [Fact]
    public void The_environment_is_chosen_by_argument()
    {
        WriteEnvironment("local", "{}");
        WriteEnvironment("production", """{ "imagePrefix": "prod" }""");

        Assert.Equal("prod", Read(("environment", "production")).ImagePrefix);
    }

    [Fact]
    public void An_unknown_environment_names_the_known_ones()
    {
        WriteEnvironment("local", "{}");
        WriteEnvironment("production", "{}");

        var error = Assert.Throws<BuildException>(() => Read(("environment", "prod")));

        Assert.Contains("environments/prod.json", error.Message);
        Assert.Contains("local, production", error.Message);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        WriteEnvironment("local", "{\n  \"imagePrefix\": \"a\"\n  \"parallelism\": 2\n}");

        var error = Assert.Throws<BuildException>(() => Read());

        Assert.Contains("environments/local.json is not valid JSON at line 3", error.Message);
    }

    [Fact]
    public void A_misspelt_key_is_named_with_a_suggestion()
    {
        WriteEnvironment("local", """{ "imagePrefx": "a" }""");

        var error = Assert.Throws<BuildException>(() => Read());

        Assert.Contains("unknown setting 'imagePrefx'", error.Message);
        Assert.Contains("did you mean 'imagePrefix'", error.Message);
    }

    [Theory]
    [InlineData("""{ "parallelism": "four" }""", "'parallelism' must be a number")]
    [InlineData("""{ "parallelism": 0 }""", "parallelism must be a whole number from 1 to 32")]
    [InlineData("""{ "imagePrefix": "Upper/Case" }""", "not a valid image repository name")]
    [InlineData("""{ "jenkinsUpstream": "http://host:8080/jenkins" }""", "carries a path")]
    [InlineData("""{ "jenkinsUpstream": "ftp://host" }""", "scheme must be http or https")]
    [InlineData("""{ "baseImages": { "nginx:1": "" } }""", "must map to a non-empty string")]
    [InlineData("""[ 1, 2 ]""", "must hold one JSON object")]
    [InlineData("""{ "nginxResolver": "dns server" }""", "is not a DNS server")]
    [InlineData("""{ "timezone": "CET+1" }""", "not an IANA timezone name")]
    [InlineData("""{ "timezone": "Europe/Berlln" }""", "not a known IANA timezone")]
    [InlineData("""{ "adminUser": "ad min" }""", "is not a Jenkins user id")]
    [InlineData("""{ "masterMemory": 512 }""", "masterMemory must be a whole number from 1024")]
    [InlineData("""{ "noCache": "true" }""", "'noCache' must be a boolean, not a string")]
    [InlineData("""{ "imagePrefix": true }""", "'imagePrefix' must be a string, not a boolean")]
    [InlineData("""{ "drainTimeoutMinutes": 0 }""", "drainTimeoutMinutes must be a whole number from 1 to 1440, not '0'")]
    [InlineData("""{ "drainTimeoutMinutes": -5 }""", "drainTimeoutMinutes must be a whole number from 1 to 1440")]
    [InlineData("""{ "drainTimeoutMinutes": "soon" }""", "'drainTimeoutMinutes' must be a number")]
    [InlineData("""{ "jenkinsUrl": "jenkins.example.com" }""", "jenkinsUrl must be Jenkins' root URL")]
    public void Bad_values_fail_with_what_is_wrong(string json, string expected)
    {
        WriteEnvironment("local", json);

        var error = Assert.Throws<BuildException>(() => Read());

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("10.0.0.2")]
    [InlineData("127.0.0.1:5353")]
    [InlineData("dns.internal")]
    [InlineData("fd00::2")]
    [InlineData("[fd00::2]:53")]
    public void A_resolver_may_carry_a_port(string resolver)
    {
        WriteEnvironment("local", $$"""{ "nginxResolver": "{{resolver}}" }""");

        Assert.Equal(resolver, Read().NginxResolver);
    }

    [Fact]
    public void Stack_parameters_take_scalars_and_arguments_override_them()
    {
        WriteEnvironment("local", """{ "region": "eu-west-1", "parameters": { "DomainName": "a.example.com", "IdleTimeout": 120, "CreateVpc": true, "VpcId": "" } }""");

        var settings = Read(("parameters", "DomainName=b.example.com"));

        Assert.Equal("eu-west-1", settings.Region);
        Assert.Equal("b.example.com", settings.StackParameters["DomainName"]);
        Assert.Equal("120", settings.StackParameters["IdleTimeout"]);
        Assert.Equal("true", settings.StackParameters["CreateVpc"]);
        Assert.Equal(string.Empty, settings.StackParameters["VpcId"]);
    }

    [Fact]
    public void A_bad_value_names_the_argument_the_variable_or_the_file_that_gave_it()
    {
        WriteEnvironment("local", """{ "parallelism": 0, "masterCpu": 1 }""");
        _environment["JENKINS_ECS_MASTER_CPU"] = "lots";

        var fromArgument = Assert.Throws<BuildException>(() => Read(("parallelism", "99")));
        Assert.StartsWith("--parallelism=99: parallelism must be a whole number from 1 to 32, not '99'.", fromArgument.Message);

        var fromVariable = Assert.Throws<BuildException>(() => Read(("parallelism", "2")));
        Assert.StartsWith("JENKINS_ECS_MASTER_CPU=lots: masterCpu must be a whole number", fromVariable.Message);

        _environment.Remove("JENKINS_ECS_MASTER_CPU");
        var fromFile = Assert.Throws<BuildException>(() => Read());
        Assert.StartsWith("environments/local.json \"parallelism\": parallelism must be", fromFile.Message);
    }

    [Fact]
    public void A_variable_s_bad_url_or_switch_names_the_variable()
    {
        WriteEnvironment("local", "{}");
        _environment["JENKINS_ECS_AWS_ENDPOINT_URL"] = "localhost:4566";
        Assert.StartsWith("JENKINS_ECS_AWS_ENDPOINT_URL=localhost:4566: awsEndpointUrl 'localhost:4566' is not an http(s) URL.", Assert.Throws<BuildException>(() => Read()).Message);

        _environment.Clear();
        _environment["JENKINS_ECS_REGION"] = "eu-wset-1";
        var region = Assert.Throws<BuildException>(() => Read()).Message;
        Assert.StartsWith("JENKINS_ECS_REGION=eu-wset-1: 'eu-wset-1' is not an AWS region", region);
        Assert.Contains("Did you mean eu-west-1", region);

        _environment.Clear();
        _environment["JENKINS_ECS_NO_CACHE"] = "yes";
        Assert.StartsWith("JENKINS_ECS_NO_CACHE=yes: noCache must be true or false", Assert.Throws<BuildException>(() => Read()).Message);
    }

    [Fact]
    public void A_stack_parameter_no_stack_declares_names_the_argument_it_came_from_not_the_file()
    {
        WriteEnvironment("local", """{ "parameters": { "DomainName": "a.example.com", "IdelTimeout": 60 } }""");
        var templateFile = Path.Combine(_root, "t.yaml");
        File.WriteAllText(templateFile, "Parameters:\n  DomainName:\n    Type: String\n  IdleTimeout:\n    Type: Number\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n");
        var template = Build.Stacks.CloudFormationTemplate.Load(templateFile, "t.yaml");

        var settings = Read(("parameters", "DomainNmae=b.example.com"));
        var error = Assert.Throws<BuildException>(() => Build.Stacks.StackParameters.CheckKnown(settings.StackParameters, [template], settings.Environment.EnvironmentFile));

        Assert.StartsWith("--parameters=DomainNmae=b.example.com, environments/local.json \"parameters\".\"IdelTimeout\": no stack declares DomainNmae or IdelTimeout.", error.Message);
        Assert.Equal("--parameters=DomainNmae=b.example.com", ((StackParameterValues)settings.StackParameters).Source("DomainNmae"));
        Assert.Equal("environments/local.json \"parameters\".\"DomainName\"", ((StackParameterValues)settings.StackParameters).Source("DomainName"));
    }

    [Fact]
    public void A_stack_parameter_of_the_wrong_kind_in_the_file_names_the_file_and_the_entry()
    {
        WriteEnvironment("local", """{ "parameters": { "DomainName": { "nested": 1 } } }""");

        var error = Assert.Throws<BuildException>(() => Read());

        Assert.StartsWith("environments/local.json \"parameters\".\"DomainName\" must map to a string, number or boolean.", error.Message);
    }

    [Fact]
    public void Base_images_merge_file_and_arguments()
    {
        WriteEnvironment("local", """{ "baseImages": { "a:1": "mirror/a:1", "b:1": "mirror/b:1" } }""");

        var settings = Read(("base-images", "b:1=local/b:1"));

        Assert.Equal("mirror/a:1", settings.BaseImages["a:1"]);
        Assert.Equal("local/b:1", settings.BaseImages["b:1"]);
    }

    [Fact]
    public void The_repository_files_are_valid()
    {
        // A dotted name (production.example.json) is an example to copy, not an environment; ProductionExampleTests loads it.
        foreach (var environment in BuildSettingsReader.KnownEnvironments(Support.Repository.Root).Where(e => !e.Contains('.')))
        {
            var settings = new BuildSettingsReader(new CakeArguments(new[] { ("environment", environment) }.ToLookup(a => a.Item1, a => a.Item2)), _ => null)
                .Read(Support.Repository.Root);
            Assert.Equal(environment, settings.Environment.Name);
        }
    }

    [Fact]
    public void The_smoke_test_s_settings_default_and_its_password_is_never_printed_nor_taken_from_the_file()
    {
        WriteEnvironment("local", "{}");
        _environment["JENKINS_ECS_ADMIN_PASSWORD"] = "pa55word";

        var settings = Read();

        Assert.False(settings.SkipSmokeTest);
        Assert.Equal(15, settings.SmokeTestTimeoutMinutes);
        Assert.Equal("pa55word", settings.AdminPassword!.Value);
        Assert.DoesNotContain("pa55word", settings.ToString());

        WriteEnvironment("local", """{ "adminPassword": "in-the-file" }""");
        var error = Assert.Throws<BuildException>(() => Read());
        Assert.Contains("a password does not belong in a committed file", error.Message);
        Assert.DoesNotContain("in-the-file", error.Message);
    }

    private BuildSettings Read(params (string Name, string Value)[] arguments)
        => new BuildSettingsReader(
                new CakeArguments(arguments.ToLookup(a => a.Name, a => a.Value, StringComparer.OrdinalIgnoreCase)),
                name => _environment.GetValueOrDefault(name))
            .Read(_root);

    private void WriteEnvironment(string name, string json) => File.WriteAllText(Path.Combine(_root, "environments", name + ".json"), json);
}
