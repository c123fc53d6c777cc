; Inno Setup 6 script: wraps the PyInstaller folder (dist\waypoint) into Waypoint-<version>-setup.exe.
;
;   installer\build_windows.ps1                      builds the folder, then runs this script
;   iscc /DAppVersion=0.1.0 /DSourceDir=C:\…\dist\waypoint installer\windows\waypoint.iss
;
; Per-user install by default (no administrator needed; the user may choose all users). Vaults,
; settings and backups live in the user's own folders and are never removed by the uninstaller.

#define AppName "Waypoint"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\installer\dist\waypoint"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\build\installer"
#endif

[Setup]
; The AppId identifies Waypoint to Windows across versions: never change it.
AppId={{ACABAF74-29D5-4435-A99A-482B2F50A153}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Waypoint
AppComments=Encrypted, offline case management for mental-health case managers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=Waypoint-{#AppVersion}-setup
SetupIconFile=..\icons\waypoint.ico
UninstallDisplayIcon={app}\Waypoint.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
; Signing (see installer/README.md): define a sign tool named "signtool" in the Inno Setup IDE or
; pass  /S"signtool=signtool.exe sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f"
; to iscc, then uncomment:
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"

[CustomMessages]
english.DesktopIcon=Create a desktop shortcut
spanish.DesktopIcon=Crear un acceso directo en el escritorio

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; A new version replaces the program folder entirely (no stale libraries from the last one).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\Waypoint.exe"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\Waypoint.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\Waypoint.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
