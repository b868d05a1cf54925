<#
.SYNOPSIS
  Runs riskd in the foreground and restarts it when it fails (the Windows counterpart of systemd's
  Restart=on-failure, RestartSec=5). Started by the "riskd" scheduled task that install-riskd-task.ps1 creates.

.DESCRIPTION
  The ProjectX username and API key are read from a credential file encrypted with Windows DPAPI for the
  current user (only this user on this PC can decrypt it) and handed to riskd as PROJECTX_USERNAME and
  PROJECTX_API_KEY, which config\accounts.yaml references as ${PROJECTX_USERNAME} / ${PROJECTX_API_KEY}.
  They never appear on a command line or in a log.
  Exit code 0 from riskd is a clean stop: the loop ends. Anything else: wait 5 s and start it again.
  riskd's stdout/stderr go to <DataDir>\service\riskd.out.log and riskd.err.log (the previous run's as *.prev).
#>
param(
  [Parameter(Mandatory = $true)][string]$RepoDir,
  [Parameter(Mandatory = $true)][string]$NodePath,
  [string]$DataDir = (Join-Path $RepoDir 'data'),
  [string]$CredentialFile = (Join-Path $env:LOCALAPPDATA 'riskd\projectx-credential.xml'),
  [int]$RestartSec = 5
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path -LiteralPath $CredentialFile)) {
  throw "riskd: no credential file at $CredentialFile; run install-riskd-task.ps1 again to store your API key"
}
$cred = Import-Clixml -LiteralPath $CredentialFile
$env:PROJECTX_USERNAME = $cred.UserName
$env:PROJECTX_API_KEY = $cred.GetNetworkCredential().Password
$env:NODE_ENV = 'production'

$logDir = Join-Path $DataDir 'service'
New-Item -ItemType Directory -Force -Path $logDir | Out-Null
$riskdArgs = @(
  "`"$(Join-Path $RepoDir 'bin\riskd.js')`"", 'start',
  '--config', "`"$(Join-Path $RepoDir 'config\risk.yaml')`"",
  '--accounts', "`"$(Join-Path $RepoDir 'config\accounts.yaml')`"",
  '--data-dir', "`"$DataDir`""
)

while ($true) {
  foreach ($name in 'riskd.out.log', 'riskd.err.log') {
    $log = Join-Path $logDir $name
    if (Test-Path -LiteralPath $log) { Move-Item -LiteralPath $log -Destination "$log.prev" -Force }
  }
  $started = Get-Date
  $p = Start-Process -FilePath $NodePath -ArgumentList $riskdArgs -WorkingDirectory $RepoDir -NoNewWindow -Wait -PassThru `
    -RedirectStandardOutput (Join-Path $logDir 'riskd.out.log') -RedirectStandardError (Join-Path $logDir 'riskd.err.log')
  $code = $p.ExitCode
  Add-Content -LiteralPath (Join-Path $logDir 'service.log') -Value ("{0:o} riskd started {1:o} exited with code {2}" -f (Get-Date), $started, $code)
  if ($code -eq 0) { exit 0 }
  Start-Sleep -Seconds $RestartSec
}
