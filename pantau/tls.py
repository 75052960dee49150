"""The local broker's TLS material: a CA of its own and a broker certificate it signs.

Agencies reach the broker's external listener over TLS and verify it with ``ca.pem``. Generated
once into the stack's ``kafka/tls`` folder; an operator who brings a certificate puts ``ca.pem``
and ``broker.pem`` (the broker's unencrypted PKCS#8 key, its certificate, then the chain) there
before the first start, and nothing is generated. The CA's key is never written: a new broker
certificate means a new CA (delete the folder), and agencies get the new ``ca.pem``.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

CA_FILE = "ca.pem"
BROKER_FILE = "broker.pem"


@dataclass(frozen=True)
class BrokerTls:
    ca_file: Path
    keystore: Path  # key + certificate chain, Kafka's PEM key store


def ensure_broker_tls(tls_dir: Path, hosts: list[str]) -> BrokerTls:
    """The CA and the broker's key store in ``tls_dir``, generated for ``hosts`` when missing."""
    found = BrokerTls(tls_dir / CA_FILE, tls_dir / BROKER_FILE)
    if found.ca_file.exists() and found.keystore.exists():
        return found
    tls_dir.mkdir(parents=True, exist_ok=True)
    ca_pem, broker_pem = _generate(hosts)
    found.ca_file.write_bytes(ca_pem)
    fd = os.open(found.keystore, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(broker_pem)
    return found


def _generate(hosts: list[str]) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pantau Netral"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Pantau Netral Kafka CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return ca.public_bytes(pem), key_pem + cert.public_bytes(pem) + ca.public_bytes(pem)
