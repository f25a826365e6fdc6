namespace JenkinsOnEcs.Build.Aws;

/// <summary>The Parameter Store read the deployer uses to resolve SSM-typed stack parameters; implemented on the AWS client layer.</summary>
public interface ISsmParameterStore
{
    /// <summary>The current value of each name SSM knows; the names it does not know are listed as invalid.</summary>
    Task<SsmParameterValues> GetParametersAsync(IEnumerable<string> names, CancellationToken cancellationToken);
}

/// <param name="Values">By the name as asked (with any selector).</param>
/// <param name="Invalid">The names SSM answered as InvalidParameters: they do not exist (or the selector matches no version).</param>
public sealed record SsmParameterValues(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Invalid);
