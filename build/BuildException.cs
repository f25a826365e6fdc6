namespace JenkinsOnEcs.Build;

/// <summary>
/// A failure the user can fix. The message names the problem and the fix; the host prints it
/// without a stack trace (add --verbosity=diagnostic for one).
/// </summary>
public sealed class BuildException : Exception
{
    public BuildException(string message)
        : base(message)
    {
    }

    public BuildException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
