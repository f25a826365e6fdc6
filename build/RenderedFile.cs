namespace JenkinsOnEcs.Build;

/// <summary>Writes a generated file only when its content changed (an unchanged file keeps its image's content tag), atomically.</summary>
public static class RenderedFile
{
    public static bool Write(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return true;
    }
}
