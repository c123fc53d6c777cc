# Build Waypoint for Windows: the PyInstaller folder, then the Inno Setup installer.
#
#   powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1
#
# Needs: Python 3.11+ (64-bit) with Waypoint installed (pip install -e .), Inno Setup 6 (iscc.exe on
# PATH or in its default folder). PyInstaller is installed into that Python if missing.
# Result: build\installer\Waypoint-<version>-setup.exe
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
$Out = if ($env:WAYPOINT_BUILD_DIR) { $env:WAYPOINT_BUILD_DIR } else { Join-Path $Root "build\installer" }
$Python = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path "$Root\.venv\Scripts\python.exe") { "$Root\.venv\Scripts\python.exe" } else { "python" }

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit code $LASTEXITCODE" }
}

& $Python -m PyInstaller --version *> $null
if ($LASTEXITCODE -ne 0) { Invoke-Checked $Python @("-m", "pip", "install", "--quiet", "pyinstaller>=6.0") }

Write-Host "==> compiling translation catalogs"
Invoke-Checked $Python @("$Root\installer\compile_catalogs.py", "$Out\locale")

Write-Host "==> running PyInstaller"
$env:WAYPOINT_LOCALE_DIR = "$Out\locale"
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", "$Out\dist",
    "--workpath", "$Out\work", "$Root\installer\waypoint.spec")

Write-Host "==> self-test of the bundle"
Invoke-Checked "$Out\dist\waypoint\waypoint-cli.exe" @("--self-test")

$Version = & $Python -c "import tomllib; print(tomllib.load(open(r'$Root\pyproject.toml', 'rb'))['project']['version'])"
$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 is needed: https://jrsoftware.org/isdl.php (or winget install JRSoftware.InnoSetup)" }
Write-Host "==> building the installer with $Iscc"
Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "/DSourceDir=$Out\dist\waypoint", "/DOutputDir=$Out",
    "$Root\installer\windows\waypoint.iss")
Write-Host "==> installer: $Out\Waypoint-$Version-setup.exe"
