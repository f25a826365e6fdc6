using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// The master's configuration as code and pins, held against contracts/ (extracted by tools/contracts/regenerate.sh
/// from the consumers' sources at the pinned versions). The contracts are facts read from source, not a running
/// Jenkins: what they leave out is named in the tests below.
/// </summary>
public sealed partial class ConfigurationContractTests(ITestOutputHelper output)
{
    private static readonly CascContracts Contracts = CascContracts.Load(Repository.Path("contracts"));

    [Fact]
    public void Every_key_of_the_static_and_generated_configuration_is_in_the_contract_of_its_configurator()
    {
        var catalog = ImageCatalog.Load(Repository.Path("images"));
        var files = Directory.EnumerateFiles(Repository.Path("images", "jenkins-master", "casc"), "*.yaml").Order().ToList();
        Assert.NotEmpty(files);
        var checks = files.Select(f => Contracts.Check(Path.GetRelativePath(Repository.Root, f), CascValidator.Read(f)))
            .Append(Contracts.Check("rendered/casc/ecs-cloud.yaml", EcsCloudRenderer.Document(catalog.Agents)))
            .ToList();

        foreach (var check in checks)
        {
            output.WriteLine($"{check.File}: {check.KeysChecked} keys checked, {check.Problems.Count} problems, {check.Unchecked.Count} values no contract describes");
        }

        Assert.Empty(checks.SelectMany(c => c.Problems));
        // Every value sits under a configurator the contracts describe: nothing is taken on trust.
        Assert.Empty(checks.SelectMany(c => c.Unchecked));
        // The generated cloud: every key it has (the cloud's and every template's) was held against amazon-ecs's.
        var generated = EcsCloudRenderer.Document(catalog.Agents);
        Assert.True(checks[^1].KeysChecked == KeysIn(generated), $"{checks[^1].KeysChecked} of the generated cloud's {KeysIn(generated)} keys were checked");
    }

    private static int KeysIn(object node) => node switch
    {
        IDictionary<string, object> mapping => mapping.Count + mapping.Values.Sum(KeysIn),
        IEnumerable<object> sequence => sequence.Sum(KeysIn),
        _ => 0,
    };

    [Theory]
    [InlineData("jenkins:\n  crumbIssuer:\n    standard:\n      excludeClientIPFromCrumb: true\n", "jenkins.crumbIssuer.standard.excludeClientIPFromCrumb", "DefaultCrumbIssuer")]
    [InlineData("jenkins:\n  securityRealm:\n    local:\n      allowSignup: false\n", "jenkins.securityRealm.local.allowSignup", "use one of: allowsSignup,")]
    [InlineData("jenkins:\n  clouds:\n    - ecs:\n        name: x\n        templates:\n          - templateName: a\n            webSocket: true\n", "jenkins.clouds[0].ecs.templates[0].webSocket", "taskDefinitionOverride")]
    [InlineData("jenkins:\n  authorizationStrategy:\n    globalMatrix:\n      entries:\n        - user:\n            name: a\n            permission: [\"Overall/Read\"]\n", "jenkins.authorizationStrategy.globalMatrix.entries[0].user.permission", "use one of: name, permissions")]
    [InlineData("jenkins:\n  authorizationStrategy:\n    roleBased: {}\n", "jenkins.authorizationStrategy.roleBased", "use one of: globalMatrix")]
    [InlineData("unclassified:\n  location:\n    adminEmail: a@b\n", "unclassified.location.adminEmail", "use one of: adminAddress, url")]
    [InlineData("jenkins:\n  agentProtocols: [\"JNLP4-connect\"]\n", "jenkins.agentProtocols", "deprecated")]
    [InlineData("jenkinz:\n  numExecutors: 0\n", "jenkinz", "use one of: jenkins, security, unclassified")]
    public void A_key_not_in_the_contract_fails_naming_the_file_the_key_and_the_fix(string yaml, string path, string fix)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("casc-").FullName, "bad.yaml");
        File.WriteAllText(file, yaml);

        var problem = Assert.Single(Contracts.Check("casc/bad.yaml", CascValidator.Read(file)).Problems);

        Assert.StartsWith($"casc/bad.yaml: {path} ", problem);
        Assert.Contains(fix, problem);
        Assert.Contains("Fix: ", problem);
    }

    [Fact]
    public void Keys_match_case_insensitively_and_a_describable_may_be_a_bare_symbol_as_configuration_as_code_reads_them()
    {
        var document = new Dictionary<string, object?>
        {
            ["jenkins"] = new Dictionary<string, object?> { ["NumExecutors"] = "0", ["crumbIssuer"] = "standard" },
        };

        var check = Contracts.Check("x.yaml", document);

        Assert.Empty(check.Problems);
        Assert.Equal(4, check.KeysChecked);
    }

    [Fact]
    public void Each_plugin_s_minimum_core_is_at_or_below_the_pinned_core()
    {
        var core = Version.Parse(PinnedCore());
        var plugins = Contract("plugins.json")["plugins"]!.AsArray();
        Assert.NotEmpty(plugins);
        foreach (var plugin in plugins)
        {
            var minimum = Version.Parse((string)plugin!["minimumCore"]!["version"]!);
            Assert.True(minimum <= core, $"{plugin["id"]} {plugin["version"]} needs Jenkins {minimum} ({plugin["minimumCore"]!["source"]!["repository"]} pom.xml), the image has {core}: pin an older release or a newer core");
        }

        foreach (var file in new[] { "configuration-as-code.json", "matrix-auth.json", "amazon-ecs-casc.json" })
        {
            Assert.True(Version.Parse((string)Contract(file)["minimumCore"]!["version"]!) <= core, file);
        }

        // Dependencies too; one the contract could not read from its source has none recorded (docs/plugins.md).
        foreach (var plugin in Contract("plugin-closure.json")["plugins"]!.AsArray())
        {
            if ((string?)plugin!["minimumCore"] is { } minimum)
            {
                Assert.False(new JenkinsVersion(PinnedCore()).IsOlderThan(new JenkinsVersion(minimum)), $"{plugin["id"]} {plugin["version"]} needs Jenkins {minimum}");
            }
            else
            {
                Assert.False((bool)plugin["verified"]!, $"{plugin["id"]}: no minimum core recorded");
            }
        }
    }

    [Fact]
    public void The_pins_match_the_versions_the_contracts_were_extracted_at()
    {
        const string Fix = "the pin changed without the contracts: run tools/contracts/regenerate.sh and commit contracts/";
        var all = PluginsFile.Read(Repository.Path("images", "jenkins-master", "plugins.txt"), "plugins.txt");
        var pins = all.Where(p => p.TopLevel).ToDictionary(p => p.Id, p => p.Version);
        var recorded = Contract("plugins.json")["plugins"]!.AsArray().ToDictionary(p => (string)p!["id"]!, p => (string)p!["version"]!);
        Assert.True(pins.OrderBy(p => p.Key).SequenceEqual(recorded.OrderBy(p => p.Key)), $"plugins.txt [top-level] {string.Join(' ', pins)} vs contracts/plugins.json {string.Join(' ', recorded)}: {Fix}");
        var closure = Contract("plugin-closure.json")["plugins"]!.AsArray().ToDictionary(p => (string)p!["id"]!, p => (string)p!["version"]!);
        Assert.True(all.ToDictionary(p => p.Id, p => p.Version).OrderBy(p => p.Key).SequenceEqual(closure.OrderBy(p => p.Key)), $"plugins.txt vs contracts/plugin-closure.json: {Fix}");
        Assert.Equal(PinnedCore(), (string)Contract("plugin-closure.json")["core"]!);

        foreach (var file in new[] { "configuration-as-code.json", "matrix-auth.json", "amazon-ecs-casc.json" })
        {
            var pin = Contract(file)["pin"]!;
            Assert.True(pins[(string)pin["id"]!] == (string)pin["version"]!, $"contracts/{file} was extracted at {pin["id"]} {pin["version"]}, plugins.txt pins {pins[(string)pin["id"]!]}: {Fix}");
        }

        var master = BaseImage("jenkins-master");
        Assert.True(master == (string)Contract("jenkins-image.json")["pin"]!["image"]!, $"{master}: {Fix}");
        Assert.True(master == (string)Contract("jenkins-core.json")["pin"]!["image"]!, $"{master}: {Fix}");
        Assert.Equal(PinnedCore(), (string)Contract("plugins.json")["core"]!);
        Assert.True(BaseImage("nginx-proxy") == (string)Contract("nginx-image.json")["pin"]!["image"]!, $"{BaseImage("nginx-proxy")}: {Fix}");
    }

    [Fact]
    public void Every_pin_names_its_public_source_beside_it()
    {
        var lines = File.ReadAllLines(Repository.Path("images", "jenkins-master", "plugins.txt"));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length > 0 && !lines[i].StartsWith('#'))
            {
                var (id, version) = (lines[i].Split(':')[0], lines[i].Split(':')[1]);
                Assert.True(i > 0 && lines[i - 1].StartsWith("# jenkinsci/", StringComparison.Ordinal) && lines[i - 1].Contains(version), $"plugins.txt line {i + 1} ({id}): no '# jenkinsci/<repository> tag <tag>' comment above it");
            }
        }

        Assert.Contains("jenkinsci/docker tag " + PinnedCore(), File.ReadAllText(Repository.Path("images", "jenkins-master", "Dockerfile")));
        Assert.Contains("docker-library/official-images library/nginx", File.ReadAllText(Repository.Path("images", "nginx-proxy", "Dockerfile")));
    }

    [Fact]
    public void Every_contract_names_its_source_repository_tag_and_commit()
    {
        foreach (var file in OwnContracts)
        {
            var text = File.ReadAllText(Repository.Path("contracts", file));
            Assert.Matches("\"repository\": \"[\\w.-]+/[\\w.-]+\"", text);
            Assert.Matches("\"tag\": \"[^\"]+\"", text);
            Assert.Matches("\"commit\": \"[0-9a-f]{40}\"", text);
        }
    }

    [Fact]
    public void The_regenerating_script_runs_every_extractor_there_is()
    {
        var script = File.ReadAllText(Repository.Path("tools", "contracts", "regenerate.sh"));
        Assert.Contains("extract-*.py", script);
        Assert.Contains("extract-*.sh", script);
        var extractors = Directory.EnumerateFiles(Repository.Path("tools", "contracts"), "extract-*").Select(Path.GetFileName).ToList();
        Assert.Contains("extract-casc.py", extractors);
        Assert.Contains("extract-pins.py", extractors);
        // Each of these contract files names the extractor that writes it, and that extractor exists.
        foreach (var file in OwnContracts)
        {
            var by = (string?)Contract(file)["generatedBy"];
            Assert.True(by is not null && File.Exists(Repository.Path(by.Split('/'))), $"{file}: generatedBy {by} is not a file of the repository");
        }
    }

    // The contracts tools/contracts/extract-casc.py, extract-pins.py and extract-plugin-closure.py write (the agents' come from their own extractors).
    private static readonly string[] OwnContracts = ["jenkins-core.json", "configuration-as-code.json", "matrix-auth.json", "amazon-ecs-casc.json", "plugins.json", "jenkins-image.json", "nginx-image.json", "plugin-closure.json"];

    private static JsonNode Contract(string file) => JsonNode.Parse(File.ReadAllText(Repository.Path("contracts", file)))!;

    private static string BaseImage(string folder)
        => BaseArg().Match(File.ReadAllText(Repository.Path("images", folder, "Dockerfile"))).Groups[1].Value;

    private static string PinnedCore() => CoreOf().Match(BaseImage("jenkins-master")).Groups[1].Value;

    [GeneratedRegex(@"^ARG BASE_IMAGE=(\S+)", RegexOptions.Multiline)]
    private static partial Regex BaseArg();

    [GeneratedRegex(@"^jenkins/jenkins:(\d+\.\d+\.\d+)-lts-jdk21$")]
    private static partial Regex CoreOf();
}
