namespace JenkinsOnEcs.Build;

/// <summary>Finds the repository from wherever the build was started: the nearest folder holding images/ and environments/.</summary>
public static class RepositoryRoot
{
    public static string Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "images")) && Directory.Exists(Path.Combine(directory.FullName, "environments")))
            {
                return directory.FullName;
            }
        }

        throw new BuildException($"No repository found from {start}: run the build inside a clone (a folder with images/ and environments/), or pass --working=PATH.");
    }
}
