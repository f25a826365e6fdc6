using System.Security.Cryptography;
using System.Text;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// A tag that names an image's inputs: every file of its build context (path, content, executable bit)
/// and the images it is built from (reference, and its registry digest, see <see cref="BaseImageDigests"/>, so a
/// moved tag of a base changes the tag, and every machine computes the same tag). Same inputs, same tag: an image
/// whose tag exists, locally or in the registry, need not be built again.
/// </summary>
public static class ContentTag
{
    public const string Prefix = "c-";

    public static string Compute(ImageDefinition image, IReadOnlyDictionary<string, string> buildArguments, Func<string, string?> baseIdentity)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

        Add($"dockerfile\0{Path.GetRelativePath(image.ContextDirectory, image.Dockerfile).Replace('\\', '/')}\n");
        foreach (var file in Directory.EnumerateFiles(image.ContextDirectory, "*", SearchOption.AllDirectories)
                     .Select(f => (Full: f, Relative: Path.GetRelativePath(image.ContextDirectory, f).Replace('\\', '/')))
                     .OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file.Full) & UnixFileMode.UserExecute) != 0;
            using var stream = File.OpenRead(file.Full);
            Add($"file\0{file.Relative}\0{(executable ? "x" : "-")}\0{Convert.ToHexStringLower(SHA256.HashData(stream))}\n");
        }

        foreach (var (name, value) in buildArguments.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Add($"arg\0{name}={value}\0{baseIdentity(value)}\n");
        }

        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset())[..20];
    }
}
