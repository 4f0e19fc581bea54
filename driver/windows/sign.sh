#!/usr/bin/env bash
# sign.sh SYS DIR: test-signs SYS (Authenticode, SHA-256) with a self-signed
# code-signing certificate kept in DIR (made on first use with openssl), using
# osslsigncode. DIR/ringpipe-test.cer is the certificate to trust on a test
# machine (see README.md). Windows loads the result only in test-signing mode.
set -euo pipefail
sys=$1
dir=$2
key=$dir/ringpipe-test.key
crt=$dir/ringpipe-test.crt
mkdir -p "$dir"
if [[ ! -s $crt || ! -s $key ]]; then
  openssl req -x509 -newkey rsa:2048 -sha256 -days 3650 -nodes -keyout "$key" -out "$crt" \
    -subj "/CN=ringpipe test signing" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning"
  openssl x509 -in "$crt" -outform der -out "$dir/ringpipe-test.cer"
fi
tmp=$dir/ringpipe.signed.$$
rm -f "$tmp"
osslsigncode sign -certs "$crt" -key "$key" -h sha256 -n "ringpipe" -in "$sys" -out "$tmp" >/dev/null
mv "$tmp" "$sys"
# The certificate is its own root: verify against it.
osslsigncode verify -in "$sys" -CAfile "$crt"
