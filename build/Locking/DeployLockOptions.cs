namespace JenkinsOnEcs.Build.Locking;

/// <summary>
/// The environment's deploy lock, made once at setup from the checked settings.
/// </summary>
/// <param name="Environment">Its name is the lock's key: one Deploy per environment at a time.</param>
/// <param name="BreakLock">Take the lock even where another run holds it (a killed run's, before its lease expires).</param>
public sealed record DeployLockOptions(RunEnvironment Environment, bool BreakLock);
