#!/usr/bin/env bash
# scripts/make-certs.sh DIR: a certificate authority and one certificate it signs, for every
# process of a test cluster (job manager, task managers, the sluice tool, REST clients):
#   DIR/ca.crt, DIR/ca.key      the CA (self-signed, RSA 2048, 10 years)
#   DIR/node.crt, DIR/node.key  signed by the CA (RSA 2048, 2 years), for TLS servers and clients
#                               alike, with subjectAltName localhost, 127.0.0.1 and ::1 (and
#                               the names in $SLUICE_CERT_SANS, e.g. "DNS:jm.example,IP:10.0.0.5")
# Keys are unencrypted and readable by the owner only. Needs the openssl command.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
command -v openssl > /dev/null || { echo "$0: the openssl command is missing (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
sans="DNS:localhost,IP:127.0.0.1,IP:::1${SLUICE_CERT_SANS:+,$SLUICE_CERT_SANS}"
ext=$(mktemp)
trap 'rm -f "$ext" "$dir/node.csr"' EXIT
cat > "$ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $sans
EXT

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=Sluice test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2> /dev/null
openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=sluice node" \
  -keyout "$dir/node.key" -out "$dir/node.csr" 2> /dev/null
openssl x509 -req -in "$dir/node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 730 -sha256 -extfile "$ext" -out "$dir/node.crt" 2> /dev/null
rm -f "$dir/ca.srl"
chmod 644 "$dir/ca.crt" "$dir/node.crt"
openssl verify -CAfile "$dir/ca.crt" "$dir/node.crt" > /dev/null
echo "$dir/ca.crt $dir/ca.key $dir/node.crt $dir/node.key"
