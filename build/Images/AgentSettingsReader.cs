using System.Text.Json;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Reads and checks an agent.json; every problem names the file and the line.</summary>
public static partial class AgentSettingsReader
{
    private static readonly string[] Known = ["cpu", "memory", "label", "environment"];

    public static AgentSettings Read(string path, string shownPath, string toolchain)
    {
        if (!File.Exists(path))
        {
            throw new BuildException($"{shownPath} is missing: every agent toolchain needs one with its task size, e.g. {{ \"cpu\": 1024, \"memory\": 2048 }}.");
        }

        var bytes = File.ReadAllBytes(path);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        int? cpu = null;
        int? memory = null;
        string? label = null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, shownPath, bytes, "the file must hold one JSON object");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                var line = LineOf(bytes, reader.TokenStartIndex);
                reader.Read();
                switch (name)
                {
                    case "cpu":
                        cpu = Number(ref reader, shownPath, line, name, 128, 16384, "CPU units (1024 = one vCPU)");
                        break;
                    case "memory":
                        memory = Number(ref reader, shownPath, line, name, 256, 122880, "MiB");
                        break;
                    case "label":
                        label = reader.TokenType == JsonTokenType.String && LabelPattern().IsMatch(reader.GetString()!)
                            ? reader.GetString()
                            : throw new BuildException($"{shownPath} line {line}: \"label\" must be one Jenkins label of letters, digits, '-', '_' or '.'.");
                        break;
                    case "environment":
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new BuildException($"{shownPath} line {line}: \"environment\" must be an object of NAME: \"value\".");
                        }

                        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                        {
                            var variable = reader.GetString()!;
                            var variableLine = LineOf(bytes, reader.TokenStartIndex);
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.String || !VariablePattern().IsMatch(variable))
                            {
                                throw new BuildException($"{shownPath} line {variableLine}: environment \"{variable}\" must be an upper-case NAME with a string value.");
                            }

                            if (AgentContainer.ReservedVariables.TryGetValue(variable, out var usedBy))
                            {
                                throw new BuildException($"{shownPath} line {variableLine}: environment \"{variable}\" is {usedBy}; " +
                                    $"a value from agent.json would change how the agent starts or connects, or be replaced without a word. " +
                                    $"Remove \"{variable}\" from {shownPath}; a build tool's own setting goes under its own name (e.g. MAVEN_OPTS, not JAVA_OPTS).");
                            }

                            environment[variable] = reader.GetString()!;
                        }

                        break;
                    default:
                        reader.Skip();
                        throw new BuildException($"{shownPath} line {line}: unknown setting \"{name}\". Known settings: {string.Join(", ", Known)}.");
                }
            }
        }
        catch (JsonException ex)
        {
            throw new BuildException($"{shownPath} line {ex.LineNumber + 1}: not valid JSON ({ex.Message.Split(" LineNumber")[0]}).");
        }

        if (cpu is null || memory is null)
        {
            throw new BuildException($"{shownPath}: \"{(cpu is null ? "cpu" : "memory")}\" is required, e.g. {{ \"cpu\": 1024, \"memory\": 2048 }}.");
        }

        return new AgentSettings(cpu.Value, memory.Value, label ?? toolchain, environment);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string shownPath, byte[] bytes, string problem)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new BuildException($"{shownPath} line {LineOf(bytes, reader.TokenStartIndex)}: {problem}.");
        }
    }

    private static int Number(ref Utf8JsonReader reader, string shownPath, int line, string name, int min, int max, string unit)
        => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value >= min && value <= max
            ? value
            : throw new BuildException($"{shownPath} line {line}: \"{name}\" must be a whole number from {min} to {max} ({unit}).");

    private static int LineOf(byte[] bytes, long index)
    {
        var line = 1;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }

        return line;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex VariablePattern();
}
