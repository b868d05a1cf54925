<#
.SYNOPSIS
  Installs riskd as a scheduled task of the current Windows user: it starts at logon, runs hidden, and is
  restarted when it fails. No download needed (built-in Task Scheduler + PowerShell 5.1 or later).

.DESCRIPTION
  Topstep requires orders to be transmitted from the trader's own PC, so riskd runs on that PC, in the
  trader's own session (not as a LocalSystem service, not on a server).
  1. Asks for your ProjectX username and API key and stores them encrypted with DPAPI for your Windows user
     (%LOCALAPPDATA%\riskd\projectx-credential.xml: unreadable by other users and on other PCs).
  2. Registers the task "riskd": trigger at your logon, action run-riskd.ps1 (which restarts riskd 5 s after a
     failure), Task Scheduler restarts the wrapper itself every minute if it ever fails, no time limit.
  3. Starts it now.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File config\service\windows\install-riskd-task.ps1
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File config\service\windows\install-riskd-task.ps1 -Uninstall
#>
param(
  [string]$RepoDir = (Resolve-Path (Join-Path $PSScriptRoot '..\..\..')).Path,
  [string]$NodePath = '',
  [string]$DataDir = '',
  [string]$TaskName = 'riskd',
  [switch]$Uninstall,
  # Keep the stored credential (reinstalling with the same key).
  [switch]$KeepCredential
)
$ErrorActionPreference = 'Stop'
$credentialFile = Join-Path $env:LOCALAPPDATA 'riskd\projectx-credential.xml'

if ($Uninstall) {
  if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
    Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
    Write-Host "Removed the scheduled task '$TaskName'."
  } else {
    Write-Host "No scheduled task '$TaskName'."
  }
  if (-not $KeepCredential -and (Test-Path -LiteralPath $credentialFile)) {
    Remove-Item -LiteralPath $credentialFile -Force
    Write-Host "Deleted the stored credential $credentialFile."
  }
  exit 0
}

if (-not $NodePath) {
  $node = Get-Command node -ErrorAction SilentlyContinue
  if (-not $node) { throw 'node.exe not found on PATH: install Node 20, or pass -NodePath C:\path\to\node.exe' }
  $NodePath = $node.Source
}
if (-not $DataDir) { $DataDir = Join-Path $RepoDir 'data' }
foreach ($f in @((Join-Path $RepoDir 'bin\riskd.js'), (Join-Path $RepoDir 'config\risk.yaml'), (Join-Path $RepoDir 'config\accounts.yaml'), $NodePath)) {
  if (-not (Test-Path -LiteralPath $f)) { throw "missing $f (see README: Configure real accounts)" }
}
$runner = Join-Path $PSScriptRoot 'run-riskd.ps1'

if (-not ($KeepCredential -and (Test-Path -LiteralPath $credentialFile))) {
  $user = Read-Host 'ProjectX (TopstepX) username'
  $key = Read-Host 'ProjectX API key (input hidden)' -AsSecureString
  if (-not $user -or $key.Length -eq 0) { throw 'username and API key are both required' }
  New-Item -ItemType Directory -Force -Path (Split-Path $credentialFile) | Out-Null
  # Export-Clixml encrypts the SecureString with DPAPI (current user, this machine).
  New-Object System.Management.Automation.PSCredential($user, $key) | Export-Clixml -LiteralPath $credentialFile
  Write-Host "Stored the credential (DPAPI-encrypted) in $credentialFile"
}

$argLine = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File `"$runner`" -RepoDir `"$RepoDir`" -NodePath `"$NodePath`" -DataDir `"$DataDir`""
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argLine -WorkingDirectory $RepoDir
$trigger = New-ScheduledTaskTrigger -AtLogOn -User "$env:USERDOMAIN\$env:USERNAME"
$principal = New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\$env:USERNAME" -LogonType Interactive -RunLevel Limited
$settings = New-ScheduledTaskSettingsSet `
  -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
  -ExecutionTimeLimit ([TimeSpan]::Zero) `
  -MultipleInstances IgnoreNew -StartWhenAvailable `
  -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
Register-ScheduledTask -TaskName $TaskName -Description 'riskd risk daemon (restarts on failure)' `
  -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Host "Installed and started the scheduled task '$TaskName' (starts at every logon)."
Write-Host "Check it:  node `"$RepoDir\bin\riskd.js`" status --data-dir `"$DataDir`"   or   ... watch"
Write-Host "Logs:      $DataDir\service\riskd.err.log"
