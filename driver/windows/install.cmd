@echo off
rem install.cmd: installs and starts ringpipe.sys on a test machine.
rem Run from an elevated prompt in the folder holding ringpipe.sys and ringpipe.inf,
rem after "bcdedit /set testsigning on" and a reboot (see README.md).
setlocal
cd /d "%~dp0"
if exist ringpipe-test.cer (
  certutil -f -addstore Root ringpipe-test.cer || goto :fail
  certutil -f -addstore TrustedPublisher ringpipe-test.cer || goto :fail
)
pnputil /add-driver ringpipe.inf /install
if errorlevel 1 (
  rem pnputil stages the package; a legacy service can also be made directly.
  copy /y ringpipe.sys "%SystemRoot%\System32\drivers\ringpipe.sys" || goto :fail
  sc create ringpipe type= kernel start= demand binPath= "%SystemRoot%\System32\drivers\ringpipe.sys" || goto :fail
)
sc query ringpipe >nul 2>&1 || (
  copy /y ringpipe.sys "%SystemRoot%\System32\drivers\ringpipe.sys" || goto :fail
  sc create ringpipe type= kernel start= demand binPath= "%SystemRoot%\System32\drivers\ringpipe.sys" || goto :fail
)
sc start ringpipe || goto :fail
echo ringpipe installed and started: \\.\RingPipe
exit /b 0
:fail
echo install failed with error %errorlevel%
exit /b 1
