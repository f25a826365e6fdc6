#!/usr/bin/env pwsh
# Runs the build from any directory: ./build.ps1 [--target=TASK] [options]   (./build.ps1 --help)
#
# Fast path: the build program is compiled once and then run directly. `dotnet run` would re-evaluate
# MSBuild on every call (over a second); here a fingerprint of the build's sources decides whether to compile.
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$out = Join-Path $root 'build/bin/Release/net10.0'
$program = Join-Path $out 'Build.dll'
$stamp = Join-Path $out '.sources'

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error 'dotnet was not found on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download) and run again.'
    exit 1
}

$sources = @(Get-ChildItem -Path (Join-Path $root 'build') -Recurse -File -Include '*.cs', '*.csproj', '*.props', '*.targets', '*.json' |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }) + @(Get-Item (Join-Path $root 'Directory.Build.props'))
$current = ($sources | Sort-Object FullName | ForEach-Object { "$($_.FullName) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }) -join "`n"
$hash = [System.BitConverter]::ToString([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($current)))

if (-not (Test-Path $program) -or -not (Test-Path $stamp) -or ((Get-Content $stamp -Raw).Trim() -ne $hash)) {
    Write-Host 'Compiling the build program...'
    $compileLog = dotnet build (Join-Path $root 'build/Build.csproj') --configuration Release --nologo --verbosity quiet 2>&1
    if ($LASTEXITCODE -ne 0) {
        $compileLog | Write-Host
        Write-Error 'The build program did not compile; see the errors above.'
        exit 1
    }
    Set-Content -Path $stamp -Value $hash
}

& dotnet $program "--working=$root" @args
exit $LASTEXITCODE
