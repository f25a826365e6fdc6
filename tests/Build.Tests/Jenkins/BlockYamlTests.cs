using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace JenkinsOnEcs.Build.Tests.Jenkins;

public sealed class BlockYamlTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("${ECS_AGENT_FAMILY_PREFIX}dotnet")]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("1.5")]
    [InlineData("0x1F")]
    [InlineData("12:30")]
    [InlineData("0b101")]
    [InlineData("2026-11-29")]
    [InlineData("2026-11-29T10:00:00Z")]
    [InlineData("-mod=readonly")]
    [InlineData("a: b")]
    [InlineData("#not a comment")]
    [InlineData("value # with hash")]
    [InlineData("{curly}")]
    [InlineData("[square]")]
    [InlineData("quote \" and back\\slash")]
    [InlineData("two\nlines")]
    [InlineData(" leading space")]
    [InlineData("ümlaut")]
    [InlineData("*alias")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("%directive")]
    [InlineData("@reserved")]
    public void Every_string_reads_back_as_itself(string value)
    {
        var yaml = BlockYaml.Write(new Dictionary<string, object> { ["list"] = new List<object> { new Dictionary<string, object> { ["name"] = "x", ["value"] = value } }, ["direct"] = value });

        var root = Load(yaml);
        Assert.Equal(value, ((YamlScalarNode)root.Children[new YamlScalarNode("direct")]).Value);
        var item = (YamlMappingNode)((YamlSequenceNode)root.Children[new YamlScalarNode("list")]).Children[0];
        Assert.Equal(value, ((YamlScalarNode)item.Children[new YamlScalarNode("value")]).Value);
        Assert.Equal(Plain(value), ((YamlScalarNode)root.Children[new YamlScalarNode("direct")]).Style == YamlDotNet.Core.ScalarStyle.Plain);
    }

    [Fact]
    public void The_rendered_cloud_is_what_YamlDotNet_s_serializer_writes()
    {
        // The renderer's document, through the serializer it used before: the same text, so the master's content tag stays.
        var document = EcsCloudRenderer.Document(ImageCatalog.Load(Repository.Path("images")).Agents);

        Assert.Equal(new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(document), BlockYaml.Write(document));
    }

    [Fact]
    public void Nested_lists_and_empty_collections_keep_their_shape()
    {
        var yaml = BlockYaml.Write(new Dictionary<string, object>
        {
            ["numbers"] = new List<object> { 1, 2 },
            ["nested"] = new List<object> { new List<object> { "a" } },
            ["none"] = new List<object>(),
            ["empty"] = new Dictionary<string, object>(),
            ["flag"] = false,
        });

        var root = Load(yaml);
        Assert.Equal(["1", "2"], ((YamlSequenceNode)root.Children[new YamlScalarNode("numbers")]).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("a", ((YamlScalarNode)((YamlSequenceNode)((YamlSequenceNode)root.Children[new YamlScalarNode("nested")]).Children[0]).Children[0]).Value);
        Assert.Empty(((YamlSequenceNode)root.Children[new YamlScalarNode("none")]).Children);
        Assert.Empty(((YamlMappingNode)root.Children[new YamlScalarNode("empty")]).Children);
        Assert.Equal("false", ((YamlScalarNode)root.Children[new YamlScalarNode("flag")]).Value);
    }

    private static bool Plain(string value) => value is "plain" or "${ECS_AGENT_FAMILY_PREFIX}dotnet";

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
