@echo off
rem uninstall.cmd: stops ringpipe.sys (DriverUnload runs once every handle is
rem closed), removes the service, the staged driver package and the copied file.
rem Run from an elevated prompt.
setlocal EnableDelayedExpansion
sc stop ringpipe
sc delete ringpipe
rem pnputil lists "Published Name: oemNN.inf" before "Original Name: ringpipe.inf".
for /f "tokens=1,* delims=:" %%a in ('pnputil /enum-drivers') do (
  set "key=%%a"
  set "val=%%b"
  if /i "!key!"=="Published Name" set "oem=!val: =!"
  if /i "!key!"=="Original Name" if /i "!val: =!"=="ringpipe.inf" pnputil /delete-driver !oem! /uninstall /force
)
del /q "%SystemRoot%\System32\drivers\ringpipe.sys" 2>nul
echo ringpipe removed
exit /b 0
