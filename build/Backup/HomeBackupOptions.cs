namespace JenkinsOnEcs.Build.Backup;

/// <summary>
/// What the environment gives BackupHome and RestoreHome, made once at setup from the checked settings.
/// </summary>
/// <param name="Skip">skipHomeBackup: a Deploy that restarts the master does so without backing the home up first.</param>
/// <param name="RecoveryPoint">RestoreHome's recovery point ARN (--recovery-point), or null.</param>
/// <param name="Environment">Its name names the restored file system's creation token.</param>
public sealed record HomeBackupOptions(bool Skip, string? RecoveryPoint, RunEnvironment Environment);
